package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.sched.SchedHook;
import io.github.foliolab.folio.api.sched.SchedOp;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.sync.SyncOp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** lru_add_drain_all from another CPU (work queue, manual kworkers, remote local lock) and S31. */
class DrainAllTest {
    private static List<Folio> addOn(LruFixture fx, int cpu, int n) {
        List<Folio> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) fs.add(fx.anon());
        fx.on(cpu, () -> fs.forEach(fx.swap::folioAddLru));
        return fs;
    }

    private static void assertDrained(LruFixture fx, List<Folio> fs) {
        for (Folio f : fs) {
            assertTrue(f.testLru());
            assertEquals(1, f.refCount());
        }
        fx.assertListsConsistent();
    }

    @Test
    void drainAllFromAnotherCpuThroughKworkerThreads() {
        try (LruFixture fx = new LruFixture(3)) {
            List<Folio> fs = addOn(fx, 1, 5);
            Folio act = fs.get(0);
            assertEquals(0, fx.swap.workqueue().startedWorkers());
            int gen0 = fx.swap.lruDrainGen();
            fx.on(0, fx.swap::lruAddDrainAll);
            assertEquals(0, fx.swap.batchCount(1, BatchKind.LRU_ADD));
            assertDrained(fx, fs);
            assertEquals(gen0 + 1, fx.swap.lruDrainGen());
            assertEquals(1, fx.swap.workqueue().startedWorkers(), "only CPU 1 needed a drain");
            // A move batch on CPU 2 is drained too.
            fx.on(2, () -> fx.swap.folioActivate(act));
            assertEquals(2, act.refCount());
            fx.on(0, fx.swap::lruAddDrainAll);
            assertTrue(act.testActive());
            assertEquals(1, act.refCount());
        }
    }

    @Test
    void drainAllWithManualKworkerRunsWhenTheCpuRunsItsWork() throws Exception {
        try (LruFixture fx = new LruFixture(2, LruBatchPolicies.kernel(), PerCpuWorkqueue.Mode.MANUAL)) {
            List<Folio> fs = addOn(fx, 1, 4);
            PerCpuWorkqueue wq = fx.swap.workqueue();
            Thread drainer = Thread.ofPlatform().start(() -> fx.on(0, fx.swap::lruAddDrainAll));
            // The work is queued but nothing runs it until CPU 1's kworker body runs.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!wq.hasPending(1)) {
                assertTrue(System.nanoTime() < deadline, "work was never queued");
                Thread.onSpinWait();
            }
            assertEquals(4, fx.swap.batchCount(1, BatchKind.LRU_ADD));
            assertTrue(drainer.isAlive(), "flush_work must wait for the work");
            assertThrows(IllegalStateException.class, () -> fx.on(0, () -> wq.runPending(1)));
            int ran = fx.on(1, () -> wq.runPending(1));
            assertEquals(1, ran);
            drainer.join(10_000);
            assertFalse(drainer.isAlive());
            assertEquals(0, wq.startedWorkers());
            assertDrained(fx, fs);
        }
    }

    @Test
    void simulatedKworkerWaitsForWorkThenRunsIt() throws Exception {
        try (LruFixture fx = new LruFixture(2, LruBatchPolicies.kernel(), PerCpuWorkqueue.Mode.MANUAL)) {
            List<Folio> fs = addOn(fx, 1, 3);
            PerCpuWorkqueue wq = fx.swap.workqueue();
            AtomicInteger ran = new AtomicInteger();
            Thread kworker = Thread.ofPlatform().start(() -> fx.on(1, () -> ran.set(wq.waitAndRunPending(1))));
            fx.on(0, fx.swap::lruAddDrainAll);
            kworker.join(10_000);
            assertFalse(kworker.isAlive());
            assertEquals(1, ran.get());
            assertDrained(fx, fs);
        }
    }

    @Test
    void drainAllUnderRemoteLocalLocks() {
        try (LruFixture fx = new LruFixture(3, LruBatchPolicies.kernelRemoteLocalLock(), PerCpuWorkqueue.Mode.MANUAL)) {
            List<Folio> fs = addOn(fx, 2, 6);
            fx.on(0, fx.swap::lruAddDrainAll);
            assertEquals(0, fx.swap.batchCount(2, BatchKind.LRU_ADD));
            assertFalse(fx.swap.workqueue().hasPending(2));
            assertDrained(fx, fs);
        }
    }

    /** Counts queue_work_on per thread and parks one thread before it takes the drain_all mutex. */
    private static final class S31Hook implements SchedHook {
        final AtomicReference<Thread> parkBeforeMutex = new AtomicReference<>();
        final CountDownLatch atMutex = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger queuedByParked = new AtomicInteger();
        final AtomicInteger queuedByOthers = new AtomicInteger();

        @Override
        public void before(SchedOp op, long id, long arg) {
            Thread t = Thread.currentThread();
            if (op == LruOp.QUEUE_WORK_ON) {
                (t == parkBeforeMutex.get() ? queuedByParked : queuedByOthers).incrementAndGet();
            }
            if (op == SyncOp.MUTEX_LOCK && t == parkBeforeMutex.get()
                    && SchedPoints.objectName(id).equals("lru_add_drain_all.lock")) {
                atMutex.countDown();
                try {
                    assertTrue(release.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public void after(SchedOp op, long id, long result) {}

        @Override
        public void contended(SchedOp op, long waitId) {}

        @Override
        public void released(SchedOp op, long waitId) {}
    }

    @Test
    void s31GenerationShortCut() throws Exception {
        try (LruFixture fx = new LruFixture(3)) {
            List<Folio> fs = addOn(fx, 1, 3);
            int g = fx.swap.lruDrainGen();
            S31Hook hook = new S31Hook();
            SchedPoints.install(hook);
            try {
                Thread cpu2 = Thread.ofPlatform().unstarted(() -> fx.on(2, fx.swap::lruAddDrainAll));
                hook.parkBeforeMutex.set(cpu2);
                cpu2.start();
                assertTrue(hook.atMutex.await(10, TimeUnit.SECONDS)); // sampled g, drained locally
                assertEquals(3, fx.swap.batchCount(1, BatchKind.LRU_ADD));
                fx.on(0, fx.swap::lruAddDrainAll); // bumps to g+1, queues on CPU 1, flushes
                assertEquals(g + 1, fx.swap.lruDrainGen());
                assertEquals(1, hook.queuedByOthers.get());
                hook.release.countDown();
                cpu2.join(10_000);
                assertFalse(cpu2.isAlive());
                assertEquals(0, hook.queuedByParked.get(), "CPU 2 saw a newer generation and queued nothing");
                assertEquals(g + 1, fx.swap.lruDrainGen(), "CPU 2 did not bump the generation");
            } finally {
                SchedPoints.uninstall(hook);
            }
            assertEquals(0, fx.swap.batchCount(1, BatchKind.LRU_ADD));
            assertDrained(fx, fs);
            // Sampling after the bump: a full pass of its own (the generation moves again).
            List<Folio> more = addOn(fx, 1, 2);
            fx.on(2, fx.swap::lruAddDrainAll);
            assertEquals(g + 2, fx.swap.lruDrainGen());
            assertDrained(fx, more);
            // lru_cache_disable always does the full pass.
            fx.on(2, fx.swap::lruCacheDisable);
            assertEquals(g + 3, fx.swap.lruDrainGen());
            fx.swap.lruCacheEnable();
        }
    }

    @Test
    void closeStopsKworkers() {
        LruFixture fx = new LruFixture(2);
        addOn(fx, 1, 2);
        fx.on(0, fx.swap::lruAddDrainAll);
        assertEquals(1, fx.swap.workqueue().startedWorkers());
        assertEquals(1, fx.swap.workqueue().aliveWorkers());
        fx.close();
        assertEquals(0, fx.swap.workqueue().aliveWorkers());
        assertTrue(fx.machine.isClosed());
        fx.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> addOn(fx, 1, 1), "a closed machine's memmap is gone");
    }
}
