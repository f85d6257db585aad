#!/bin/sh
# LruAddBench: each policy at 1 and then at 2 threads, back to back (so that both thread counts see the
# same machine load), for every WORK and RELEASE variant, with the kernel policy also the 2-node control
# (a lruvec per thread), then the bare-atomics floor the same way for every WORK; JSON results, the
# machine load before, after each JMH run and after all, then the tables (every result, scaling per
# policy and variant, the kernel policy's targets per variant) and the PNG chart; before those, the native
# ceiling (bench/native/lru_lock_ceiling.c) when a C compiler is installed.
# Usage (from the repository root, after `./mvnw -B -q package -DskipTests -pl bench -am`):
#   sh bench/lru-bench.sh [policy ...]        (default: every policy)
# Environment: WORK (default "none clear_page"), RELEASE (default "overlapped apart"), CHART (default
# docs/lru-bench.png), JAVA_OPTS (options of the JMH host JVM, e.g. -Djmh.ignoreLock=true); for example
# WORK=none RELEASE=overlapped gives the issue's original benchmark only.
set -e
J=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
JAR=bench/target/benchmarks.jar
OUT=bench/target/lru-bench
POLICIES=${*:-kernel unbatched batch-4 batch-15 batch-64 batch-128 shared-mpsc-1024}
OPTS="-wi 5 -i 5 -f 1 -w 1 -r 1 -prof gc"
WORK=${WORK:-none clear_page}
RELEASE=${RELEASE:-overlapped apart}
CHART=${CHART:-docs/lru-bench.png}
# One JMH run; waits (up to 30 minutes) while another JMH run on the machine holds JMH's lock.
jmh() {
  n=0
  while ! "$J" $JAVA_OPTS -jar "$JAR" "$@" > "$OUT/last.log" 2>&1; do
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
for w in $WORK; do
  for r in $RELEASE; do
    for p in $POLICIES; do
      for t in 1 2; do
        f="$OUT/$p-$w-$r-t$t.json"
        jmh 'LruAddBench.addAndDrain' -p policy="$p" -p work="$w" -p release="$r" -t "$t" $OPTS -rf json -rff "$f"
        FILES="$FILES $f"
      done
    done
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
for w in $WORK; do
  for t in 1 2; do
    jmh 'LruAddBench.bareAtomics' -p work="$w" -t "$t" $OPTS -rf json -rff "$OUT/bare-$w-t$t.json"
    FILES="$FILES $OUT/bare-$w-t$t.json"
  done
done
# The ceiling, not a target: the kernel's own locked work done in native code (bench/native), 1 and 2
# threads on one lruvec and 2 on a lruvec each, so the model's scaling can be read against what this
# machine allows. Skipped (with a line saying so) where no C compiler is installed.
if command -v cc > /dev/null; then
  cc -O2 -pthread -o "$OUT/lru_lock_ceiling" bench/native/lru_lock_ceiling.c
  "$OUT/lru_lock_ceiling" 5 | tee "$OUT/native-ceiling.txt"
  echo "native: $(uptime)" >> "$OUT/load.txt"
else
  echo "no C compiler (cc): the native ceiling is skipped"
fi
echo "after: $(uptime)" >> "$OUT/load.txt"
cat "$OUT/load.txt"
"$J" -Djava.awt.headless=true -cp "$JAR" io.github.foliolab.bench.LruBenchChart "$CHART" $FILES
