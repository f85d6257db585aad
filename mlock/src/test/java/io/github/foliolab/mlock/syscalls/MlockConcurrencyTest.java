package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Task;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One process, two CPUs: mlock / mlock2(ONFAULT) / munlock of random ranges race with faults, COLD and
 * drains on the other CPU. At the end, after munlockall and draining both CPUs, nothing may be
 * mlocked: NR_MLOCK is back to 0 and no mapped folio has PG_mlocked.
 */
class MlockConcurrencyTest {
    static final long P = PAGE_SIZE;

    @Test
    void mlockRacesWithFaults() throws Exception {
        MlockFixture fx = new MlockFixture(2);
        fx.mm.setCapIpcLock(true);
        int n = 48;
        long anon = fx.anon(n);
        long shm = fx.task.mmap(0, n * P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        long[] bases = {anon, shm};
        Task other = fx.task.on(fx.machine.cpu(1));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread locker = Thread.ofPlatform().start(() -> {
            try {
                Random r = new Random(7);
                for (int i = 0; i < 400; i++) {
                    long base = bases[r.nextInt(2)];
                    int from = r.nextInt(n);
                    long len = (1 + r.nextInt(n - from)) * P;
                    int ret = switch (r.nextInt(3)) {
                        case 0 -> fx.task.mlock(base + from * P, len);
                        case 1 -> fx.task.mlock2(base + from * P, len, MLOCK_ONFAULT);
                        default -> fx.task.munlock(base + from * P, len);
                    };
                    assertEquals(0, ret);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        Thread toucher = Thread.ofPlatform().start(() -> {
            try {
                Random r = new Random(8);
                for (int i = 0; i < 3000; i++) {
                    long a = bases[r.nextInt(2)] + r.nextInt(n) * P;
                    assertEquals(0, other.touch(a, r.nextBoolean()));
                    if (r.nextInt(50) == 0) other.madvise(a, P, MADV_COLD); // may be -EINVAL on locked
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        locker.join(120_000);
        toucher.join(120_000);
        assertFalse(locker.isAlive() || toucher.isAlive(), "a syscall thread did not finish in 120 s");
        if (failure.get() != null) throw new AssertionError(failure.get());
        fx.checkInvariants();
        assertEquals(0, fx.task.munlockall());
        assertEquals(0, fx.task.vmLckKb());
        for (int cpu = 0; cpu < 2; cpu++) {
            fx.machine.cpu(cpu).run(() -> Swap.of(fx.machine).lruAddDrain());
        }
        fx.checkInvariants();
        // NR_MLOCK must match PG_mlocked exactly. It need not be 0: a stale LRU_FOLIO entry drained on
        // the other CPU after a munlock + mlock here overcounts mlock_count (see
        // staleMlockEntryOnAnotherCpuOvercounts), which the kernel accepts.
        long mlocked = 0;
        for (long base : bases) {
            for (int i = 0; i < n; i++) {
                long pte = fx.mm.pageTables().peek(base + i * P);
                if (Pte.present(pte) && !Pte.special(pte)) {
                    long pfn = Pte.pfn(pte);
                    assertTrue(fx.machine.memMap().testFlag(pfn, PageFlags.PG_lru));
                    if (fx.machine.memMap().testFlag(pfn, PageFlags.PG_mlocked)) {
                        mlocked++;
                        assertTrue(fx.machine.memMap().testFlag(pfn, PageFlags.PG_unevictable));
                    }
                }
            }
        }
        assertEquals(mlocked, fx.machine.vmstat().zoneSum(ZoneStatItem.NR_MLOCK));
        // Unmapping frees the anon folios and truncates the shmem file: PG_mlocked is cleared at free.
        assertEquals(0, fx.task.munmap(anon, n * P));
        assertEquals(0, fx.task.munmap(shm, n * P));
        for (int cpu = 0; cpu < 2; cpu++) {
            fx.machine.cpu(cpu).run(() -> Swap.of(fx.machine).lruAddDrain());
        }
        assertEquals(0, fx.machine.vmstat().zoneSum(ZoneStatItem.NR_MLOCK));
    }

    /**
     * A finding of the model (kernel logic, mm/mlock.c of 7.2): a page-cache folio faulted into a
     * lock-on-fault VMA on CPU 1 leaves an LRU_FOLIO entry in CPU 1's mlock batch. If CPU 0 then
     * munlocks and mlocks the range (each draining only CPU 0's batch), CPU 1's later drain increments
     * mlock_count a second time: the count exceeds the locked VMAs, and after munlock the folio stays
     * PG_mlocked on the unevictable list, where reclaim never looks.
     */
    @Test
    void staleMlockEntryOnAnotherCpuOvercounts() {
        MlockFixture fx = new MlockFixture(2);
        Task cpu1 = fx.task.on(fx.machine.cpu(1));
        io.github.foliolab.mm.AddressSpace file = io.github.foliolab.mm.Mm.of(fx.machine).newShmemFile("f", 1);
        long f1 = fx.task.mmap(0, P, PROT_READ, MAP_SHARED, file, 0);
        long f2 = fx.task.mmap(0, P, PROT_READ, MAP_SHARED, file, 0);
        assertEquals(0, fx.task.touch(f1, false));
        fx.drain();
        assertEquals("L", fx.token(f1));
        assertEquals(0, fx.task.mlock2(f2, P, MLOCK_ONFAULT));
        assertEquals(0, cpu1.touch(f2, false)); // folio_add_file_rmap_ptes -> mlock_folio on CPU 1
        assertEquals(0, fx.task.munlock(f2, P));
        assertEquals(0, fx.task.mlock(f2, P));
        assertEquals(1, fx.folio(f2).mlockCount());
        fx.machine.cpu(1).run(() -> Swap.of(fx.machine).lruAddDrain());
        assertEquals(2, fx.folio(f2).mlockCount(), "the stale entry counted the mlock again");
        assertEquals(0, fx.task.munlock(f2, P));
        assertEquals(0, fx.task.vmLckKb());
        assertEquals("MUL", fx.token(f1), "no VMA is locked, yet the folio stays mlocked");
        assertEquals(1, fx.machine.vmstat().zoneSum(ZoneStatItem.NR_MLOCK));
    }
}
