#!/bin/sh
# ExploreBench for issue 18: plain bounded DFS against DPOR, one job and two (--jobs), schedules/s, CPU µs per schedule, schedules to
# exhaust and distinct end states, on munlock-putback fix-c (bounds 3 and 5) and the largest scenarios;
# then cheap restarts on and off for the worlds that hold tasks. Prints the machine's load before and
# after each JMH run (record it with the figures) and each run's table.
# Usage (from the repository root, after `./mvnw -B -q package -DskipTests -pl bench -am`):
#   sh bench/explore-bench.sh
set -e
J=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
JAR=bench/target/benchmarks.jar
OUT=bench/target/explore-bench
OPTS="-wi 2 -i 3 -w 1 -r 2"
# One JMH run; waits (up to 30 minutes) while another JMH run on the machine holds JMH's lock.
jmh() {
  name=$1; shift
  echo "$name before: $(uptime)"
  n=0
  while ! "$J" -jar "$JAR" ExploreBench "$@" ${RUN_OPTS:-$OPTS} -rf json -rff "$OUT/$name.json" > "$OUT/$name.log" 2>&1; do
    if grep -q 'Unable to acquire the JMH lock' "$OUT/$name.log" && [ "$n" -lt 180 ]; then
      n=$((n + 1)); sleep 10
    else
      cat "$OUT/$name.log"; exit 1
    fi
  done
  echo "$name after: $(uptime)"
  grep -E '^(Benchmark|ExploreBench)' "$OUT/$name.log" || true
}
mkdir -p "$OUT"
jmh munlock-putback -p race=munlock-putback:fix-c -p bound=3,5
# The parallel search (explore --jobs): one and two jobs, with the virtual-thread scheduler at two carriers
# (the fork's default of one carrier would run both jobs on one core). Longer warm-up: two jobs on two
# cores leave the JIT compiler no idle core, so they reach steady state later.
RUN_OPTS="-wi 8 -i 3 -w 2 -r 2"
jmh munlock-putback-jobs -p race=munlock-putback:fix-c -p bound=3,5 -p strategy=dfs -p jobs=1,2 \
  -jvmArgsAppend -Djdk.virtualThreadScheduler.parallelism=2
RUN_OPTS=
jmh largest -p race=migration-mlock,fork-isolate,fork-isolate:7.2-cow -p bound=3
# mlock-overcount runs system calls on three bodies: bound 1 is its racesBound (bound 3 takes minutes per
# search); fix-c, whose search has no violation to stop at, so that the search is exhaustive.
jmh mlock-overcount -p race=mlock-overcount:fix-c -p bound=1
jmh restarts-fork -p race=fork-isolate -p bound=3 -p strategy=dfs -p restarts=true,false
jmh restarts-overcount -p race=mlock-overcount:fix-c -p bound=1 -p strategy=dfs -p restarts=true,false
