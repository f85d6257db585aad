package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.api.sched.SchedHook;
import io.github.foliolab.folio.api.sched.SchedOp;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.sync.SyncOp;
import io.github.foliolab.lru.RmapOps;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.mlock.Mlock;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.Vma;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.foliolab.mm.Mman.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * S17 (docs/kernel-semantics.md section 12): the VM_IO guard of mlock_vma_pages_range. While mlock()'s page walk is
 * in progress the VMA is VM_LOCKED|VM_IO, so an rmap walk on another CPU (here folio_referenced from
 * reclaim, which calls mlock_vma_folio for a VM_LOCKED mapping) does not mlock the folio a second time:
 * the final mlock_count is 1, never 2. The same rmap walk after mlock() returned (VM_IO gone) does count
 * again, which shows the guard is what made the difference.
 */
class VmIoGuardTest {
    static final long P = PAGE_SIZE;

    /** Parks {@code target} before its first spin_lock of lock {@code id} until released. */
    static final class ParkAtLock implements SchedHook {
        final Thread target;
        final long id;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch go = new CountDownLatch(1);
        volatile boolean fired;

        ParkAtLock(Thread target, long id) {
            this.target = target;
            this.id = id;
        }

        @Override
        public void before(SchedOp op, long i, long arg) {
            if (!fired && Thread.currentThread() == target && op == SyncOp.SPIN_LOCK && i == id) {
                fired = true;
                reached.countDown();
                try {
                    if (!go.await(20, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public void after(SchedOp op, long i, long result) {}

        @Override
        public void contended(SchedOp op, long waitId) {}

        @Override
        public void released(SchedOp op, long waitId) {}
    }

    @Test
    void rmapMlockDuringTheMlockWalkIsIgnored() throws Exception {
        MlockFixture fx = new MlockFixture(2);
        long a = fx.anon(1);
        assertEquals(0, fx.task.touch(a, true));
        fx.drain();
        Folio f = fx.folio(a);
        Vma vma;
        fx.mm.mmapLock().downRead();
        try {
            vma = fx.mm.vmaLookup(a);
        } finally {
            fx.mm.mmapLock().upRead();
        }
        long ptl = fx.mm.pageTables().lookup(a).ptl().id();
        RmapOps rmap = Mm.of(fx.machine).vmscan().rmapOps();
        VmstatDelta d = new VmstatDelta(fx.machine);
        AtomicInteger ret = new AtomicInteger(Integer.MIN_VALUE);
        Thread locker = Thread.ofPlatform().name("cpu0-mlock").unstarted(() -> ret.set(fx.task.mlock(a, P)));
        ParkAtLock hook = new ParkAtLock(locker, ptl);
        SchedPoints.install(hook);
        try {
            locker.start();
            assertTrue(hook.reached.await(20, TimeUnit.SECONDS), "mlock never reached mlock_pte_range");
            // mlock_vma_pages_range has published VM_LOCKED together with VM_IO and is about to walk.
            assertEquals(VmFlags.VM_LOCKED | VmFlags.VM_IO, vma.flags() & (VmFlags.VM_LOCKED | VmFlags.VM_IO));
            RmapOps.Referenced r = fx.machine.cpu(1).call(() -> rmap.folioReferenced(f, true));
            assertTrue((r.vmFlags() & VmFlags.VM_LOCKED) != 0, "folio_referenced saw the locked VMA");
            assertFalse(f.testMlocked(), "mlock_vma_folio ignored the VM_IO VMA");
            assertEquals(0, Mlock.of(fx.machine).batch(1).count(), "nothing queued on CPU 1");
            hook.go.countDown();
            locker.join(20_000);
        } finally {
            SchedPoints.uninstall(hook);
        }
        assertFalse(locker.isAlive());
        assertEquals(0, ret.get());
        for (int cpu = 0; cpu < 2; cpu++) fx.machine.cpu(cpu).run(() -> Swap.of(fx.machine).lruAddDrain());
        assertEquals(1, f.mlockCount(), "counted once, by the walk");
        assertEquals(0, vma.flags() & VmFlags.VM_IO, "VM_IO cleared at the end");
        d.assertExactly("nr_mlock", 1, "nr_inactive_anon", -1, "nr_unevictable", 1, "unevictable_pgs_mlocked", 1,
                "unevictable_pgs_culled", 1);

        // Without VM_IO (mlock returned), the same rmap walk does raise mlock_count: the overcount the
        // guard prevents during the walk (the kernel accepts it outside: mlock_count may be wrong).
        fx.machine.cpu(1).call(() -> rmap.folioReferenced(f, true));
        for (int cpu = 0; cpu < 2; cpu++) fx.machine.cpu(cpu).run(() -> Swap.of(fx.machine).lruAddDrain());
        assertEquals(2, f.mlockCount());
        fx.checkInvariants();
    }
}
