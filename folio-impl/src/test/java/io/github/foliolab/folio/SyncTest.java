package io.github.foliolab.folio;

import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.cpu.Cpu;
import io.github.foliolab.folio.cpu.Cpus;
import io.github.foliolab.folio.cpu.PerCpu;
import io.github.foliolab.folio.sync.Completion;
import io.github.foliolab.folio.sync.RwSem;
import io.github.foliolab.folio.sync.SpinLock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class SyncTest {
    private long counter;

    @Test
    void spinLockExcludes() throws Exception {
        SpinLock lock = new SpinLock("test_lock");
        Runnable body = () -> {
            for (int i = 0; i < 200_000; i++) {
                lock.lock();
                try {
                    counter++; // plain increment: only correct under mutual exclusion
                } finally {
                    lock.unlock();
                }
            }
        };
        Thread a = new Thread(body);
        Thread b = new Thread(body);
        a.start();
        b.start();
        a.join(60_000);
        b.join(60_000);
        assertFalse(a.isAlive() || b.isAlive(), "a locking thread did not finish in 60 s");
        assertEquals(400_000, counter);
        assertFalse(lock.isLocked());
    }

    @Test
    void lockMisuseIsReported() {
        SpinLock lock = new SpinLock("lru_lock");
        assertThrows(VmBugException.class, lock::unlock);
        assertThrows(VmBugException.class, lock::assertHeld);
        lock.lock();
        lock.assertHeld();
        VmBugException e = assertThrows(VmBugException.class, lock::lock);
        assertTrue(e.getMessage().contains("recursion"), e.getMessage());
        assertFalse(lock.tryLock());
        lock.unlock();
        assertTrue(lock.tryLock());
        lock.unlock();
    }

    @Test
    void rwsemReadersShareWritersExclude() throws Exception {
        RwSem sem = new RwSem("mmap_lock");
        sem.downRead();
        sem.downRead();
        assertTrue(sem.isLocked());
        Thread w = new Thread(sem::downWrite);
        w.start();
        w.join(200);
        assertTrue(w.isAlive(), "a writer waits while readers hold it");
        sem.upRead();
        sem.upRead();
        w.join(5000);
        assertFalse(w.isAlive());
        assertThrows(VmBugException.class, sem::upWrite, "not the writer");
        assertThrows(VmBugException.class, sem::upRead);
    }

    @Test
    void completionReleasesWaiter() throws Exception {
        Completion done = new Completion("flush_work");
        Thread waiter = new Thread(done::waitForCompletion);
        waiter.start();
        waiter.join(100);
        assertTrue(waiter.isAlive());
        done.complete();
        waiter.join(5000);
        assertFalse(waiter.isAlive());
    }

    @Test
    void codeRunsOnACpu() {
        Cpus cpus = new Cpus(new io.github.foliolab.folio.api.sched.ObjectIds(false), 2);
        PerCpu<int[]> data = new PerCpu<>(cpus, i -> new int[] {i * 10});
        assertFalse(Cpu.onCpu());
        assertThrows(IllegalStateException.class, Cpu::current);
        cpus.get(1).run(() -> {
            assertEquals(1, Cpu.current().id());
            assertEquals(10, data.local()[0]);
        });
        assertEquals(0, cpus.get(0).call(() -> data.local()[0]));
        assertThrows(IllegalArgumentException.class, () -> cpus.get(2));
    }

    @Test
    void attachedThreadRunsOnItsCpuUntilDetached() throws Exception {
        Cpus cpus = new Cpus(new io.github.foliolab.folio.api.sched.ObjectIds(false), 3);
        PerCpu<int[]> data = new PerCpu<>(cpus, i -> new int[] {i * 10});
        try (Cpu.Attachment a = cpus.get(1).attach()) {
            assertSame(cpus.get(1), a.cpu());
            assertTrue(Cpu.onCpu());
            assertEquals(1, Cpu.current().id());
            assertEquals(10, data.local()[0]);
            // A second attachment is refused and leaves the first in place.
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> cpus.get(2).attach());
            assertTrue(e.getMessage().contains("CPU1"), e.getMessage());
            assertEquals(1, Cpu.current().id());
            // run() and call() inside the attachment take precedence while they run, then the attachment is back.
            cpus.get(2).run(() -> {
                assertEquals(2, Cpu.current().id());
                assertEquals(0, cpus.get(0).call(() -> Cpu.current().id()));
                assertEquals(2, Cpu.current().id());
            });
            assertEquals(1, Cpu.current().id());
            assertThrows(ArithmeticException.class, () -> cpus.get(0).run(() -> {
                throw new ArithmeticException("thrown inside run");
            }));
            assertEquals(1, Cpu.current().id(), "an exception out of run restores the attachment");
            // Another thread is not attached, and may not close this thread's attachment.
            boolean[] otherOnCpu = {true};
            IllegalStateException[] closeElsewhere = {null};
            Thread other = new Thread(() -> {
                otherOnCpu[0] = Cpu.onCpu();
                try {
                    a.close();
                } catch (IllegalStateException x) {
                    closeElsewhere[0] = x;
                }
            });
            other.start();
            other.join(10_000);
            assertFalse(other.isAlive());
            assertFalse(otherOnCpu[0]);
            assertNotNull(closeElsewhere[0]);
            assertEquals(1, Cpu.current().id(), "the refused close changed nothing");
        }
        assertFalse(Cpu.onCpu());
        assertThrows(IllegalStateException.class, Cpu::current);
        // Closing again is harmless, and a stale attachment never detaches a newer one.
        Cpu.Attachment first = cpus.get(0).attach();
        first.close();
        first.close();
        try (Cpu.Attachment second = cpus.get(0).attach()) {
            first.close();
            assertSame(second.cpu(), Cpu.current());
        }
        assertFalse(Cpu.onCpu());
    }
}
