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
        locker.join();
        toucher.join();
        if (failure.get() != null) throw new AssertionError(failure.get());
        fx.checkInvariants();
        assertEquals(0, fx.task.munlockall());
        assertEquals(0, fx.task.vmLckKb());
        for (int cpu = 0; cpu < 2; cpu++) {
            fx.machine.cpu(cpu).run(() -> Swap.of(fx.machine).lruAddDrain());
        }
        fx.checkInvariants();
        assertEquals(0, fx.machine.vmstat().zoneSum(ZoneStatItem.NR_MLOCK));
        for (long base : bases) {
            for (int i = 0; i < n; i++) {
                long pte = fx.mm.pageTables().peek(base + i * P);
                if (Pte.present(pte) && !Pte.special(pte)) {
                    assertFalse(fx.machine.memMap().testFlag(Pte.pfn(pte), PageFlags.PG_mlocked), "page " + i + " still mlocked");
                    assertTrue(fx.machine.memMap().testFlag(Pte.pfn(pte), PageFlags.PG_lru));
                }
            }
        }
    }
}
