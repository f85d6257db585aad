package io.github.foliolab.folio;

import io.github.foliolab.folio.cpu.Cpus;
import io.github.foliolab.folio.sync.Completion;
import io.github.foliolab.folio.sync.LockWatch;
import io.github.foliolab.folio.sync.RwSem;
import io.github.foliolab.folio.sync.SpinLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** LockWatch: who holds what, who waits for what, aborting stuck waits, and the injected missing unlock. */
class LockWatchTest {
    @AfterEach
    void reset() {
        LockWatch.setTracking(false);
        LockWatch.resetAbort();
        LockWatch.injectSkippedUnlock(null);
    }

    /** Start a thread on CPU {@code cpu} that runs {@code body} and records what it threw. */
    private static Thread start(String name, Cpus cpus, int cpu, Runnable body, AtomicReference<Throwable> thrown) {
        return Thread.ofPlatform().name(name).daemon().start(() -> {
            try {
                cpus.get(cpu).run(body);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
    }

    private static void awaitWaiting(Thread t) throws InterruptedException {
        for (int i = 0; i < 2000 && LockWatch.waitingFor(t) == null; i++) Thread.sleep(5);
        assertNotNull(LockWatch.waitingFor(t), t.getName() + " never waited");
    }

    @Test
    void aContendedSpinlockReportsItsHolderAndTheWaiterCanBeAborted() throws Exception {
        LockWatch.setTracking(true);
        Cpus cpus = new Cpus(new io.github.foliolab.folio.api.sched.ObjectIds(false), 2);
        SpinLock lock = new SpinLock("lru_lock#test");
        RwSem sem = new RwSem("mmap_lock#test");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Throwable> t1Threw = new AtomicReference<>();
        AtomicReference<Throwable> t2Threw = new AtomicReference<>();
        Thread t1 = start("holder", cpus, 0, () -> {
            sem.downRead();
            lock.lock();
            held.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            lock.unlock();
            sem.upRead();
        }, t1Threw);
        assertTrue(held.await(10, TimeUnit.SECONDS));
        Thread t2 = start("waiter", cpus, 1, lock::lock, t2Threw);
        awaitWaiting(t2);
        Map<Thread, String> threads = new LinkedHashMap<>();
        threads.put(t1, "CPU 0");
        threads.put(t2, "CPU 1");
        String report = LockWatch.report(threads);
        assertTrue(report.contains("task waiter (CPU 1) last on CPU 1"), report);
        assertTrue(report.contains("blocked on lru_lock#test held by holder"), report);
        assertTrue(report.contains("locks held: [mmap_lock#test, lru_lock#test]"), report);
        assertTrue(report.contains("    lock [SimLock] (SimLock.java:"), "the waiter's call trace: " + report);
        LockWatch.abortWaits();
        t2.join(10_000);
        assertFalse(t2.isAlive(), "the aborted waiter returned");
        assertInstanceOf(LockWatch.WaitAbortedError.class, t2Threw.get());
        release.countDown();
        t1.join(10_000);
        assertNull(t1Threw.get());
        assertFalse(lock.isLocked());
    }

    @Test
    void aWaitForACompletionNamesIt() throws Exception {
        Cpus cpus = new Cpus(new io.github.foliolab.folio.api.sched.ObjectIds(false), 1);
        Completion done = new Completion("lru_add_drain_work-done/0");
        AtomicReference<Throwable> threw = new AtomicReference<>();
        Thread t = start("flusher", cpus, 0, done::waitForCompletion, threw);
        awaitWaiting(t);
        String report = LockWatch.report(Map.of(t, "CPU 0: flush_work"));
        assertTrue(report.contains("blocked on completion lru_add_drain_work-done/0 (not completed yet)"), report);
        done.complete();
        t.join(10_000);
        assertFalse(t.isAlive());
        assertNull(threw.get());
    }

    @Test
    void anotherModulesWaitIsReportedAndAborted() throws Exception {
        Cpus cpus = new Cpus(new io.github.foliolab.folio.api.sched.ObjectIds(false), 1);
        AtomicReference<Throwable> threw = new AtomicReference<>();
        Thread t = start("locker", cpus, 0, () -> {
            String what = "folio_lock of pfn 0x2a";
            LockWatch.beginWait(what);
            try {
                while (true) {
                    Thread.onSpinWait();
                    LockWatch.checkWait(what);
                }
            } finally {
                LockWatch.endWait();
            }
        }, threw);
        awaitWaiting(t);
        assertTrue(LockWatch.report(Map.of(t, "CPU 0")).contains("blocked on folio_lock of pfn 0x2a"));
        LockWatch.abortWaits();
        t.join(10_000);
        assertFalse(t.isAlive());
        assertInstanceOf(LockWatch.WaitAbortedError.class, threw.get());
        assertNull(LockWatch.waitingFor(t), "the record ends with the wait");
    }

    @Test
    void theInjectedFaultSkipsExactlyOneUnlockOfTheNamedLock() {
        SpinLock other = new SpinLock("zone->lock");
        SpinLock victim = new SpinLock("ptl#victim");
        LockWatch.injectSkippedUnlock("ptl#");
        other.lock();
        other.unlock();
        assertFalse(other.isLocked(), "other locks are unaffected");
        victim.lock();
        victim.unlock();
        assertTrue(victim.isLocked(), "the one release was skipped");
        assertTrue(victim.heldByCurrentThread());
        SpinLock again = new SpinLock("ptl#again");
        again.lock();
        again.unlock();
        assertFalse(again.isLocked(), "only once");
    }

    @Test
    void kernelNamesOfModelFrames() {
        StackTraceElement f = new StackTraceElement("io.github.foliolab.lru.Swap", "lruAddDrainAll", "Swap.java", 1);
        String r = LockWatch.report(Map.of(Thread.currentThread(), "test"));
        assertTrue(r.contains("kernel_names_of_model_frames [LockWatchTest]"), r);
        assertNotNull(f);
    }
}
