package io.github.foliolab.bench;

import io.github.foliolab.explore.Explorer;
import io.github.foliolab.explore.Options;
import io.github.foliolab.explore.Races;
import io.github.foliolab.explore.Result;
import io.github.foliolab.explore.Scenario;
import io.github.foliolab.explore.Variant;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Explorer speed, plain bounded DFS against partial-order reduction: one benchmark operation is one
 * complete exhaustive exploration of a race scenario's variant (invariants checked after every step, as in
 * the default explore mode). The counters:
 * <ul>
 *   <li>{@code schedules}: schedules run, per second of wall-clock time;</li>
 *   <li>{@code cpuUsPerSchedule}: CPU time of the JVM's Java threads per schedule, in microseconds (less
 *       sensitive to other processes on the machine than the rate; JIT and GC threads not included);</li>
 *   <li>{@code schedulesToExhaust}: the schedules one exploration runs (exact, the same every time);</li>
 *   <li>{@code endStates}: the distinct end states the exploration reaches ({@link Explorer#outcomes}),
 *       which must be the same for {@code dfs} and {@code dpor}.</li>
 * </ul>
 * {@code race} is {@code SCENARIO} (its first variant) or {@code SCENARIO:VARIANT}, any registered
 * scenario, so a new one is measured with {@code -p race=NAME:VARIANT}. {@code restarts=false} builds a
 * fresh world per schedule instead of restoring one (cheap restarts off). {@code jobs=2} runs the {@code dfs}
 * search in two parallel jobs ({@code explore --jobs 2}); the fork keeps the virtual threads on one carrier
 * (fastest for one job), so measure it with {@code -jvmArgsAppend -Djdk.virtualThreadScheduler.parallelism=2}
 * ({@code bench/explore-bench.sh} does). {@code cpuUsPerSchedule} is then the CPU time of both jobs.
 *
 * <pre>java -jar bench/target/benchmarks.jar ExploreBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Djdk.virtualThreadScheduler.parallelism=1")
public class ExploreBench {
    /** Schedules run, as a JMH operations counter (reported per second). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Schedules {
        public long schedules;

        @Setup(Level.Iteration)
        public void reset() {
            schedules = 0;
        }
    }

    /**
     * Per-exploration figures. JMH adds EVENTS counters up over the measured iterations, so each iteration
     * contributes its value divided by their number: the table shows the mean.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Figures {
        public double cpuUsPerSchedule;
        public double schedulesToExhaust;
        public double endStates;
        private double share;
        private long cpuStart;
        private long schedules;

        @Setup(Level.Iteration)
        public void start(BenchmarkParams params) {
            share = 1.0 / params.getMeasurement().getCount();
            cpuStart = javaThreadsCpuNanos();
            schedules = 0;
        }

        void add(long n, long ends) {
            schedules += n;
            cpuUsPerSchedule = share * (javaThreadsCpuNanos() - cpuStart) / 1000.0 / schedules;
            schedulesToExhaust = share * n;
            endStates = share * ends;
        }
    }

    @Param({"munlock-putback:fix-c", "lost-activation", "drain-all"})
    public String race;

    @Param({"dfs", "dpor"})
    public String strategy;

    @Param({"3", "5"})
    public int bound;

    @Param({"true"})
    public boolean restarts;

    @Param({"true"})
    public boolean invariants;

    /** Parallel jobs of a {@code dfs} search ({@code explore --jobs}); {@code dpor} runs in one. */
    @Param({"1"})
    public int jobs;

    private Scenario<?> scenario;
    private Variant<?> variant;
    private Options options;
    private long endStates;

    @Setup(Level.Trial)
    public void setup() {
        String[] sv = race.split(":", 2);
        scenario = Races.byName(sv[0]);
        if (scenario == null) {
            throw new IllegalArgumentException("no scenario " + sv[0] + "; registered: "
                    + Races.all().stream().map(Scenario::name).toList());
        }
        variant = sv.length > 1 ? scenario.variant(sv[1]) : scenario.variants().get(0);
        options = (strategy.equals(Options.DPOR) ? Options.dpor(bound) : Options.dfs(bound))
                .withInvariants(invariants).withRestarts(restarts).withJobs(jobs);
        Explorer.Outcomes o = outcomes(scenario, variant);
        endStates = o.endStates().size();
        System.out.println(race + " " + strategy + " bound " + bound + " jobs " + jobs + ": " + o.schedules() + " schedules to exhaust, "
                + endStates + " distinct end states" + (o.exhausted() ? "" : " (NOT exhausted)"));
    }

    @SuppressWarnings("unchecked")
    private <B> Explorer.Outcomes outcomes(Scenario<B> s, Variant<?> v) {
        return Explorer.outcomes(s, (Variant<B>) v, options);
    }

    @SuppressWarnings("unchecked")
    private <B> Result explore(Scenario<B> s, Variant<?> v) {
        return Explorer.explore(s, (Variant<B>) v, options);
    }

    @Benchmark
    public Result explore(Schedules counter, Figures figures) {
        // Not stopping at a violation would need Explorer.outcomes; a fix's exhaustive search is what a
        // verdict costs, and for a variant with a violation this measures the search up to it.
        Result r = explore(scenario, variant);
        counter.schedules += r.schedules();
        figures.add(r.schedules(), endStates);
        return r;
    }

    /**
     * CPU time of the JVM's Java threads (the virtual threads' carrier, JMH's thread), without the JIT
     * compiler's and the garbage collector's threads: the explorer's own cost, steadier on a loaded machine
     * than the process's CPU time while the JIT still compiles.
     */
    static long javaThreadsCpuNanos() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long t : threads.getThreadCpuTime(threads.getAllThreadIds())) {
            sum += Math.max(t, 0);
        }
        return sum;
    }
}
