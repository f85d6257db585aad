#!/bin/sh
# LruAddBench: each policy at 1 and then at 2 threads, back to back (so that both thread counts see the
# same machine load), then the bare-atomics floor the same way; JSON results, the machine load before and
# after, then the tables (every result, scaling per policy, the kernel policy's targets) and the PNG chart.
# Usage (from the repository root, after `mvn -B -q package -DskipTests -pl bench -am`):
#   sh bench/lru-bench.sh [policy ...]        (default: every policy)
set -e
J=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
JAR=bench/target/benchmarks.jar
OUT=bench/target/lru-bench
POLICIES=${*:-kernel unbatched batch-4 batch-15 batch-64 batch-128 shared-mpsc-1024}
OPTS="-wi 5 -i 5 -f 1 -w 1 -r 1 -prof gc"
mkdir -p "$OUT" docs
rm -f "$OUT"/*.json
echo "before: $(uptime)" > "$OUT/load.txt"
FILES=
for p in $POLICIES; do
  for t in 1 2; do
    "$J" -jar "$JAR" 'LruAddBench.addAndDrain' -p policy="$p" -t "$t" $OPTS -rf json -rff "$OUT/$p-t$t.json"
    FILES="$FILES $OUT/$p-t$t.json"
  done
done
for t in 1 2; do
  "$J" -jar "$JAR" 'LruAddBench.bareAtomics' -t "$t" $OPTS -rf json -rff "$OUT/bare-t$t.json"
  FILES="$FILES $OUT/bare-t$t.json"
done
echo "after: $(uptime)" >> "$OUT/load.txt"
cat "$OUT/load.txt"
"$J" -Djava.awt.headless=true -cp "$JAR" io.github.foliolab.bench.LruBenchChart docs/lru-bench.png $FILES
