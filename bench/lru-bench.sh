#!/bin/sh
# LruAddBench at 1 and 2 threads, JSON results, then table + PNG chart (docs/lru-bench.png).
# Usage (from the repository root, after `./mvnw -q -o install -pl bench -am -DskipTests`):
#   sh bench/lru-bench.sh
set -e
J=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
JAR=bench/target/benchmarks.jar
OUT=bench/target/lru-bench
mkdir -p "$OUT" docs
for t in 1 2; do
  "$J" -jar "$JAR" 'LruAddBench' -wi 5 -i 5 -f 1 -w 1 -r 1 -t "$t" -prof gc -rf json -rff "$OUT/lru-t$t.json"
done
"$J" -Djava.awt.headless=true -cp "$JAR" io.github.foliolab.bench.LruBenchChart docs/lru-bench.png "$OUT/lru-t1.json" "$OUT/lru-t2.json"
