package io.github.foliolab.bench;

import io.github.foliolab.explore.Explorer;
import io.github.foliolab.explore.Options;
import io.github.foliolab.explore.Result;
import io.github.foliolab.explore.scenarios.MunlockPutback;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Time to find race R1 (munlock-putback, Linux 7.2), FolioLab's explorer against Lincheck's model checker
 * on {@link R1LincheckModel} (the same steps over the JVM's atomics): one operation is one search that
 * stops at the first violation; the {@code schedules} / {@code invocations} counters say how many
 * interleavings each ran (per second; divide by the operations per second for the count per search).
 *
 * <pre>java -jar bench/target/benchmarks.jar R1PeerBench</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = "-Djdk.virtualThreadScheduler.parallelism=1")
public class R1PeerBench {
    /** Interleavings run, as a JMH operations counter. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Interleavings {
        public long interleavings;

        @Setup(Level.Iteration)
        public void reset() {
            interleavings = 0;
        }
    }

    @Benchmark
    public Result foliolabDfs(Interleavings counter) {
        Result r = Explorer.explore(new MunlockPutback(), MunlockPutback.AS_IS, Options.dfs(3));
        if (!r.violated()) throw new IllegalStateException("R1 not found: " + r.verdictLine());
        counter.interleavings += r.schedules();
        return r;
    }

    @Benchmark
    public Result foliolabDpor(Interleavings counter) {
        Result r = Explorer.explore(new MunlockPutback(), MunlockPutback.AS_IS, Options.dpor(3));
        if (!r.violated()) throw new IllegalStateException("R1 not found: " + r.verdictLine());
        counter.interleavings += r.schedules();
        return r;
    }

    @Benchmark
    public R1Lincheck.Outcome lincheck(Interleavings counter) {
        R1Lincheck.Outcome o = R1Lincheck.check(10_000);
        if (!o.found()) throw new IllegalStateException("Lincheck did not find R1 in " + o.invocations() + " invocations");
        counter.interleavings += o.invocations();
        return o;
    }
}
