package io.github.foliolab.bench;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.PageLayout;
import io.github.foliolab.folio.cpu.Cpu;
import io.github.foliolab.lru.LruBatchPolicies;
import io.github.foliolab.lru.LruVec;
import io.github.foliolab.lru.Swap;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

/**
 * folio_add_lru() throughput per batching policy, with a periodic lru_add_drain(): each invocation adds
 * the thread's pool of {@value #POOL} folios on the thread's own simulated CPU and then drains that CPU
 * (so every folio reaches the LRU inside the timed region). Between invocations (untimed) the thread
 * takes its folios off the LRU again (31 per lru_lock hold, as folios_put_refs() frees a batch of an
 * unmapped range), so they can be re-added.
 *
 * <p>Two parameters set how much of a fault the benchmark models around the LRU add: {@code work}
 * ({@code none}: folio_add_lru alone; {@code clear_page}: each folio's 4 KiB page is first cleared, as the
 * anonymous fault path does before it adds the folio, into a per-thread buffer, outside every lock) and
 * {@code release} ({@code overlapped}: each thread's untimed release runs whenever its invocation ends,
 * so it takes lru_lock while the other thread's timed adds need it, as an munmap beside another CPU's
 * faults does; {@code apart}: the threads meet before and after their releases, so the timed region
 * contends only with the other thread's adds and drains).
 *
 * <p>Counters (@AuxCounters, EVENTS): {@code lruLockAcquisitions} (lru_lock acquisitions during the
 * timed adds and drains) and {@code foliosAdded}; their ratio is lru_lock acquisitions per folio.
 * {@code bareAtomics} is the floor: the per-folio atomics any LRU add needs (folio_get, set PG_lru,
 * folio_put) as bare VarHandle operations on the memmap.
 *
 * <p>Run with {@code -t 1} and {@code -t 2}; every thread gets its own simulated CPU, to which it is
 * attached ({@link Cpu#attach()}) for the whole trial: its adds, drains and releases all run on that CPU
 * (the release's LRU-size updates go to the CPU's vmstat deltas, as the kernel's free path does), and no
 * binding is made per invocation.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class LruAddBench {
    static final int POOL = 992; // 32 * FOLIO_BATCH_SIZE: no partial batch at the periodic drain
    static final int MAX_THREADS = 4;

    private static final VarHandle REF = PageLayout.PAGE.varHandle(groupElement("_refcount"));
    private static final VarHandle FLAGS = PageLayout.PAGE.varHandle(groupElement("flags"));

    /** The machine, shared by the benchmark's threads. */
    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"kernel", "unbatched", "batch-4", "batch-15", "batch-64", "batch-128", "shared-mpsc-1024"})
        public String policy;

        /**
         * NUMA nodes: 1 (default), every thread's folios on the one lruvec; 2, CPU i and its thread's folios
         * on node i % 2, so two threads have a lruvec and lru_lock each (the control: the model without a
         * shared lru_lock; per-CPU batching policies only, the shared-buffer one needs one node).
         */
        @Param({"1"})
        public int nodes;

        /**
         * {@code overlapped} (default): each thread releases its folios (untimed) whenever its invocation
         * ends, while the other thread may be in its timed adds; {@code apart}: the threads meet at a
         * {@link Rendezvous} before and after their releases, so no timed add overlaps a release.
         */
        @Param({"overlapped"})
        public String release;

        Machine machine;
        Swap swap;
        final AtomicInteger nextCpu = new AtomicInteger();
        /** The meeting point of {@code release=apart} (null for {@code overlapped}). */
        Rendezvous rendezvous;

        @Setup(Level.Trial)
        public void setup(BenchmarkParams params) {
            Machine.Builder b = Machine.builder().cpus(MAX_THREADS);
            if (nodes == 1) {
                b.zones(16384, 0);
            } else {
                for (int n = 0; n < nodes; n++) {
                    b.node(16384, 0);
                }
            }
            machine = b.with(Swap.POLICY, LruBatchPolicies.byName(policy)).build();
            swap = Swap.of(machine);
            nextCpu.set(0);
            rendezvous = switch (release) {
                case "overlapped" -> null;
                case "apart" -> new Rendezvous(params.getThreads());
                default -> throw new IllegalArgumentException("release must be overlapped or apart: " + release);
            };
        }

        /** Every thread's arrivals start from 0 again (the threads leave an iteration at different times). */
        @Setup(Level.Iteration)
        public void newIteration() {
            if (rendezvous != null) {
                rendezvous.reset();
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            machine.close();
        }
    }

    /** One thread's CPU and folios. */
    @State(Scope.Thread)
    public static class PerThread {
        Cpu cpu;
        /** The thread's attachment to {@link #cpu} for the trial (closed by the trial's teardown). */
        Cpu.Attachment attachment;
        int index;
        /** The lruvec of this thread's CPU's node, which holds its folios. */
        LruVec lruvec;
        Folio[] pool;
        Runnable addAll;
        Runnable unlinkAll;
        MemMap mm;
        MemorySegment seg;
        /** The shared meeting point of {@code release=apart}, or null. */
        Rendezvous rendezvous;
        /** This thread's arrivals at the rendezvous in this iteration. */
        long arrivals;

        @Setup(Level.Iteration)
        public void newIteration() {
            arrivals = 0;
        }

        @Setup(Level.Trial)
        public void setup(Shared s, Work w) {
            index = s.nextCpu.getAndIncrement();
            cpu = s.machine.cpu(index);
            attachment = cpu.attach(); // JMH runs a Scope.Thread state's fixtures on its benchmark thread
            mm = s.machine.memMap();
            seg = PageWords.segment(mm);
            pool = new Folio[POOL];
            lruvec = LruVec.of(s.machine, cpu.node());
            for (int i = 0; i < POOL; i++) {
                Folio f = s.machine.node(cpu.node()).folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
                PageWords.setMapping(mm, f.pfn(), 0x1000L | 1L);
                f.set(PageFlags.PG_swapbacked);
                pool[i] = f;
            }
            Swap swap = s.swap;
            LruVec lv = lruvec;
            boolean sharedBuffer = swap.policy().sharedAddBufferSize() > 0;
            Folio[] p = pool;
            boolean[] cleared = new boolean[POOL];
            rendezvous = s.rendezvous;
            addAll = w.page == null ? () -> {
                for (Folio f : p) {
                    swap.folioAddLru(f);
                }
                swap.lruAddDrain();
            } : () -> {
                MemorySegment page = w.page;
                for (Folio f : p) {
                    page.fill((byte) 0); // clear_page() of the new folio, before it is added
                    swap.folioAddLru(f);
                }
                swap.lruAddDrain();
            };
            unlinkAll = () -> {
                if (sharedBuffer) {
                    swap.lruAddDrain(); // folios another thread's shared-buffer add left queued
                }
                // Chunks of 31 per lru_lock hold, so the other thread's timed drains never wait long; PG_lru
                // is test-and-cleared before the lock is taken, as folio_isolate_lru() does, so that the
                // untimed teardown holds the lock the other thread's timed drain needs as briefly as it can.
                for (int start = 0; start < p.length; start += 31) {
                    int end = Math.min(p.length, start + 31);
                    for (int i = start; i < end; i++) {
                        cleared[i] = p[i].testClearLru();
                    }
                    lv.lock();
                    try {
                        for (int i = start; i < end; i++) {
                            if (cleared[i]) {
                                lv.delFolio(p[i].pfn());
                            }
                        }
                    } finally {
                        lv.unlock();
                    }
                }
            };
        }

        /** Untimed: take this thread's folios off the LRU again (31 per lru_lock hold), on its CPU. */
        @TearDown(Level.Invocation)
        public void unlink() {
            if (rendezvous != null) {
                rendezvous.await(++arrivals); // every thread's timed region has ended
            }
            unlinkAll.run();
            if (rendezvous != null) {
                rendezvous.await(++arrivals); // every thread's release has ended
            }
        }

        /** Detach the thread from its CPU (the machine closes after this). */
        @TearDown(Level.Trial)
        public void detach() {
            attachment.close();
        }
    }

    /**
     * The per-folio work outside the LRU code: {@code none}, or {@code clear_page} (the anonymous fault's
     * clear of the folio's 4 KiB page, here into one 4 KiB buffer of the thread's own).
     */
    @State(Scope.Thread)
    public static class Work {
        @Param({"none"})
        public String work;

        /** The page the {@code clear_page} work clears (null for {@code none}). */
        MemorySegment page;

        @Setup(Level.Trial)
        public void setup() {
            page = switch (work) {
                case "none" -> null;
                case "clear_page" -> Arena.ofAuto().allocate(PageLayout.PAGE_SIZE, PageLayout.PAGE_SIZE);
                default -> throw new IllegalArgumentException("work must be none or clear_page: " + work);
            };
        }
    }

    /**
     * The threads' meeting point of {@code release=apart}: an arrival counter that each thread waits on
     * until every thread has arrived as often as it has. Allocation-free (a Phaser's timed wait allocates,
     * which {@code -prof gc} would count); a thread that waits more than {@value #TIMEOUT_MS} ms goes on
     * alone (at the end of an iteration the other thread has left), which only costs untimed time.
     */
    static final class Rendezvous {
        static final long TIMEOUT_MS = 50;
        private final int parties;
        private final AtomicLong arrived = new AtomicLong();

        Rendezvous(int parties) {
            this.parties = parties;
        }

        void reset() {
            arrived.set(0);
        }

        /** Arrive for the {@code n}-th time and wait until every party has arrived {@code n} times. */
        void await(long n) {
            arrived.incrementAndGet();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
            while (arrived.get() < n * parties && System.nanoTime() - deadline < 0) {
                Thread.yield(); // the other thread may need this core (2 cores, shared)
            }
        }
    }

    /**
     * lru_lock acquisitions, folios added, and the thread CPU time spent in the timed region (a measure
     * that oversubscription of the machine does not distort as much as wall-clock throughput; spinning on
     * a contended lock is CPU time too).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Counters {
        public long lruLockAcquisitions;
        public long foliosAdded;
        public long cpuNanos;

        @Setup(Level.Iteration)
        public void reset() {
            lruLockAcquisitions = 0;
            foliosAdded = 0;
            cpuNanos = 0;
        }
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Benchmark
    @OperationsPerInvocation(POOL)
    public void addAndDrain(Shared s, PerThread t, Counters c) {
        long before = t.lruvec.lockAcquisitions(t.index);
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        t.addAll.run(); // on t.cpu: the thread is attached to it
        c.cpuNanos += THREADS.getCurrentThreadCpuTime() - cpu0;
        // Exact: acquisitions are counted per simulated CPU, and only this thread runs on this one (and
        // adds only its node's folios, so only its node's lru_lock).
        c.lruLockAcquisitions += t.lruvec.lockAcquisitions(t.index) - before;
        c.foliosAdded += POOL;
    }

    /** A machine for the bare-atomics floor (no policy parameter: it does not depend on one). */
    @State(Scope.Benchmark)
    public static class BareMachine {
        Machine machine;

        @Setup(Level.Trial)
        public void setup() {
            machine = Machine.boot(MAX_THREADS, 16384, 0);
        }
    }

    /** Folios for the bare-atomics floor (never put on the LRU). */
    @State(Scope.Thread)
    public static class BareThread {
        Folio[] pool;
        MemorySegment seg;

        @Setup(Level.Trial)
        public void setup(BareMachine s) {
            seg = PageWords.segment(s.machine.memMap());
            pool = new Folio[POOL];
            for (int i = 0; i < POOL; i++) {
                pool[i] = s.machine.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
            }
        }
    }

    /**
     * The floor: folio_get + set PG_lru + folio_put per folio as bare VarHandle atomics (after the same
     * {@link Work} as {@link #addAndDrain}).
     */
    @Benchmark
    @OperationsPerInvocation(POOL)
    public void bareAtomics(BareThread t, Work w, Counters c) {
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        MemorySegment seg = t.seg;
        MemorySegment page = w.page;
        long m = 1L << PageFlags.PG_lru;
        for (Folio f : t.pool) {
            if (page != null) {
                page.fill((byte) 0);
            }
            long off = f.pfn() * PageLayout.PAGE_DESC_SIZE;
            REF.getAndAdd(seg, off, 1);
            FLAGS.getAndBitwiseOr(seg, off, m);
            REF.getAndAdd(seg, off, -1);
        }
        c.cpuNanos += THREADS.getCurrentThreadCpuTime() - cpu0;
        c.foliosAdded += POOL;
    }
}
