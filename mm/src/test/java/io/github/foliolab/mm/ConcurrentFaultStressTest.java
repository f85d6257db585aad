package io.github.foliolab.mm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two threads of one process on two CPUs: one faults pages in (reads and writes of anon, shmem and a
 * private file mapping), the other zaps, deactivates and pages out ranges with madvise and write-protects
 * with mprotect. Afterwards the rmap invariants must hold and nothing may have thrown.
 */
class ConcurrentFaultStressTest {
    static final long P = PAGE_SIZE;

    @Test
    void faultsRaceWithMadviseAndMprotect() throws Exception {
        MmFixture fx = new MmFixture(2);
        int n = 64;
        long anon = fx.mmapAnon(n, PROT_READ | PROT_WRITE);
        long shm = fx.mmapShmem(n, PROT_READ | PROT_WRITE);
        AddressSpace file = Mm.of(fx.machine).newShmemFile("f", n);
        long priv = fx.mmapFile(file, n, PROT_READ | PROT_WRITE, false);
        long[] bases = {anon, shm, priv};
        Task t0 = fx.task;
        Task t1 = fx.task.on(fx.machine.cpu(1));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        threads.add(Thread.ofPlatform().start(() -> {
            try {
                Random r = new Random(1);
                for (int i = 0; i < 3000; i++) {
                    long a = bases[r.nextInt(3)] + r.nextInt(n) * P;
                    int sig = t0.touch(a, r.nextBoolean());
                    assertTrue(sig == 0 || sig == Task.SIGSEGV, "signal " + sig);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }));
        threads.add(Thread.ofPlatform().start(() -> {
            try {
                Random r = new Random(2);
                int[] advice = {MADV_DONTNEED, MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED};
                for (int i = 0; i < 600; i++) {
                    long base = bases[r.nextInt(3)];
                    int from = r.nextInt(n);
                    int len = 1 + r.nextInt(n - from);
                    if (r.nextInt(4) == 0) {
                        assertEquals(0, t1.mprotect(base + from * P, len * P, r.nextBoolean() ? PROT_READ : PROT_READ | PROT_WRITE));
                    } else {
                        assertEquals(0, t1.madvise(base + from * P, len * P, advice[r.nextInt(advice.length)]));
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }));
        for (Thread t : threads) t.join(120_000);
        for (Thread t : threads) assertFalse(t.isAlive(), "a stress thread did not finish in 120 s");
        if (failure.get() != null) throw new AssertionError(failure.get());
        fx.checkInvariants();
        // Tear down: unmapping everything and draining returns every anonymous folio.
        assertEquals(0, t0.munmap(priv, n * P));
        assertEquals(0, t0.munmap(shm, n * P));
        assertEquals(0, t0.munmap(anon, n * P));
        assertEquals(0, fx.machine.vmstat().node(io.github.foliolab.folio.api.NodeStatItem.NR_ANON_MAPPED));
        assertEquals(0, fx.machine.vmstat().node(io.github.foliolab.folio.api.NodeStatItem.NR_FILE_MAPPED));
    }
}
