#!/bin/sh
# LruAddBench: each policy at 1 and then at 2 threads, back to back (so that both thread counts see the
# same machine load), with the kernel policy also the 2-node control (a lruvec per thread), then the
# bare-atomics floor the same way; JSON results, the machine load before,
# after each JMH run and after all, then the tables (every result, scaling per policy, the kernel
# policy's targets) and the PNG chart.
# Usage (from the repository root, after `./mvnw -B -q package -DskipTests -pl bench -am`):
#   sh bench/lru-bench.sh [policy ...]        (default: every policy)
set -e
J=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
JAR=bench/target/benchmarks.jar
OUT=bench/target/lru-bench
POLICIES=${*:-kernel unbatched batch-4 batch-15 batch-64 batch-128 shared-mpsc-1024}
OPTS="-wi 5 -i 5 -f 1 -w 1 -r 1 -prof gc"
# One JMH run; waits (up to 30 minutes) while another JMH run on the machine holds JMH's lock.
jmh() {
  n=0
  while ! "$J" -jar "$JAR" "$@" > "$OUT/last.log" 2>&1; do
    if grep -q 'Unable to acquire the JMH lock' "$OUT/last.log" && [ "$n" -lt 180 ]; then
      n=$((n + 1)); sleep 10
    else
      cat "$OUT/last.log"; exit 1
    fi
  done
  for last in "$@"; do :; done
  echo "$(basename "$last" .json): $(uptime)" >> "$OUT/load.txt"
  grep -E '^(Benchmark|LruAddBench)' "$OUT/last.log" || true
}
mkdir -p "$OUT" docs
rm -f "$OUT"/*.json
echo "before: $(uptime)" > "$OUT/load.txt"
FILES=
for p in $POLICIES; do
  for t in 1 2; do
    jmh 'LruAddBench.addAndDrain' -p policy="$p" -t "$t" $OPTS -rf json -rff "$OUT/$p-t$t.json"
    FILES="$FILES $OUT/$p-t$t.json"
  done
done
# The control, not a target: the kernel policy on two nodes, each thread's CPU and folios on its own node,
# so that the two threads share no lruvec and no lru_lock (the model's scaling without lock contention).
case " $POLICIES " in
  *" kernel "*)
    for t in 1 2; do
      jmh 'LruAddBench.addAndDrain' -p policy=kernel -p nodes=2 -t "$t" $OPTS -rf json -rff "$OUT/kernel-2nodes-t$t.json"
      FILES="$FILES $OUT/kernel-2nodes-t$t.json"
    done
    ;;
esac
for t in 1 2; do
  jmh 'LruAddBench.bareAtomics' -t "$t" $OPTS -rf json -rff "$OUT/bare-t$t.json"
  FILES="$FILES $OUT/bare-t$t.json"
done
echo "after: $(uptime)" >> "$OUT/load.txt"
cat "$OUT/load.txt"
"$J" -Djava.awt.headless=true -cp "$JAR" io.github.foliolab.bench.LruBenchChart docs/lru-bench.png $FILES
