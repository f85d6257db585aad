package io.github.foliolab.bench.harness;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.lru.LruBatchPolicies;
import io.github.foliolab.lru.Swap;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JMH benchmark {@link LruPolicyBench} runs: folio_add_lru() of {@value PolicyWorkload#POOL} folios and
 * lru_add_drain() per invocation, on a machine built with the batching policy named by the {@code policy}
 * parameter (resolved by {@link LruBatchPolicies#byName}: a shipped policy, a {@code name()} registered
 * through ServiceLoader, or a class name). One operation is one folio, so the score is folios per
 * microsecond (summed over threads); every thread gets its own simulated CPU.
 *
 * <p>The counters ({@link Counters}) give the per-folio figures: lru_lock acquisitions, thread CPU time
 * and bytes allocated on the heap, each measured inside the timed region only.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PolicyBench {
    /** Used by JMH. */
    public PolicyBench() {}

    /** The machine and policy, shared by the benchmark's threads. */
    @State(Scope.Benchmark)
    public static class Shared {
        /** The batching policy: a name or class name {@link LruBatchPolicies#byName} accepts. */
        @Param({"kernel"})
        public String policy;

        Machine machine;
        final AtomicInteger nextCpu = new AtomicInteger();

        /** Used by JMH. */
        public Shared() {}

        /**
         * Boots a machine with one simulated CPU per benchmark thread, 64 MiB of ZONE_NORMAL (16,384
         * pages) and the policy.
         *
         * @param params JMH's parameters of this trial (its thread count)
         * @throws IllegalArgumentException if no policy has that name
         */
        @Setup(Level.Trial)
        public void setup(BenchmarkParams params) {
            machine = Machine.builder().cpus(params.getThreads()).zones(16_384, 0)
                    .with(Swap.POLICY, LruBatchPolicies.byName(policy)).build();
            nextCpu.set(0);
        }

        /** Closes the machine (frees its memmap). */
        @TearDown(Level.Trial)
        public void tearDown() {
            machine.close();
        }
    }

    /** One thread's CPU and folios. */
    @State(Scope.Thread)
    public static class PerThread {
        PolicyWorkload workload;

        /** Used by JMH. */
        public PerThread() {}

        /**
         * Takes the next free simulated CPU and allocates this thread's pool on it.
         *
         * @param s the shared machine
         */
        @Setup(Level.Trial)
        public void setup(Shared s) {
            workload = new PolicyWorkload(s.machine, s.nextCpu.getAndIncrement());
        }

        /** Untimed: takes this thread's folios off the LRU again ({@link PolicyWorkload#unlink()}). */
        @TearDown(Level.Invocation)
        public void unlink() {
            workload.unlink();
        }
    }

    /**
     * Per-thread event counters of the timed region, summed by JMH; the harness divides each by
     * {@link #foliosAdded}.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        /** lru_lock acquisitions (lruvec->lru_lock) during the timed adds and drains. */
        public long lruLockAcquisitions;
        /** Folios added (and drained) in the timed region. */
        public long foliosAdded;
        /** Thread CPU time spent in the timed region, in nanoseconds. */
        public long cpuNanos;
        /** Bytes allocated on the Java heap by the thread in the timed region. */
        public long allocatedBytes;

        /** Used by JMH. */
        public Counters() {}

        /** Zeroes the counters before each iteration. */
        @Setup(Level.Iteration)
        public void reset() {
            lruLockAcquisitions = 0;
            foliosAdded = 0;
            cpuNanos = 0;
            allocatedBytes = 0;
        }
    }

    /** HotSpot's thread MXBean: per-thread CPU time and allocated bytes. */
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /**
     * One invocation: {@value PolicyWorkload#POOL} folio_add_lru() calls and one lru_add_drain().
     *
     * @param s the machine
     * @param t this thread's workload
     * @param c this thread's counters
     */
    @Benchmark
    @OperationsPerInvocation(PolicyWorkload.POOL)
    public void addAndDrain(Shared s, PerThread t, Counters c) {
        long locks0 = t.workload.lruLockAcquisitions();
        long bytes0 = THREADS.getCurrentThreadAllocatedBytes();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        t.workload.addAndDrain();
        c.cpuNanos += THREADS.getCurrentThreadCpuTime() - cpu0;
        c.allocatedBytes += THREADS.getCurrentThreadAllocatedBytes() - bytes0;
        c.lruLockAcquisitions += t.workload.lruLockAcquisitions() - locks0;
        c.foliosAdded += PolicyWorkload.POOL;
    }
}
