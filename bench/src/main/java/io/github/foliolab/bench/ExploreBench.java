package io.github.foliolab.bench;

import io.github.foliolab.explore.Explorer;
import io.github.foliolab.explore.Options;
import io.github.foliolab.explore.Result;
import io.github.foliolab.explore.Variant;
import io.github.foliolab.explore.scenarios.MunlockPutback;
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

import java.util.concurrent.TimeUnit;

/**
 * Explorer speed on the munlock-putback scenario (race R1): one benchmark operation is one complete
 * exploration; the {@code schedules} counter reports schedules per second, and the trial prints the
 * schedules one exploration needs ("schedules to exhaust"). {@code fix-c} is the exhaustive search a fix
 * verdict costs (every schedule runs to the end), with plain bounded DFS ({@code dfs}) and with
 * partial-order reduction ({@code dpor}), at preemption bounds 3 and 5. Invariants are checked after every
 * step, as in the default explore mode.
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

    @Param({"fix-c"})
    public String variant;

    @Param({"dfs", "dpor"})
    public String strategy;

    @Param({"3", "5"})
    public int bound;

    @Param({"true"})
    public boolean invariants;

    private MunlockPutback scenario;
    private Variant<MunlockPutback.Code> v;
    private Options options;

    @Setup(Level.Trial)
    public void setup() {
        scenario = new MunlockPutback();
        v = scenario.variant(variant);
        options = (strategy.equals(Options.DPOR) ? Options.dpor(bound) : Options.dfs(bound)).withInvariants(invariants);
        Result r = Explorer.explore(scenario, v, options);
        System.out.println("schedules to exhaust: " + r.schedules() + " (" + r.verdictLine() + ")");
    }

    @Benchmark
    public Result munlockPutback(Schedules counter) {
        Result r = Explorer.explore(scenario, v, options);
        counter.schedules += r.schedules();
        return r;
    }
}
