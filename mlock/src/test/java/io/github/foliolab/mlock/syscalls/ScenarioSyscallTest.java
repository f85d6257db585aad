package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.lru.BatchKind;
import io.github.foliolab.lru.LruList;
import io.github.foliolab.lru.LruVec;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.mlock.Mlock;
import io.github.foliolab.mlock.MlockBatch;
import io.github.foliolab.mm.AddressSpace;
import io.github.foliolab.mm.Mm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scenarios S6-S10 of docs/kernel-semantics.md section 12 driven through the system calls (MlockScenarioTest drives
 * them at the folio level): flags, mlock_count, refcount, which list, every /proc/vmstat delta, the VMA's
 * flags (VM_LOCKED set, VM_IO not left behind) and mm->locked_vm.
 */
class ScenarioSyscallTest {
    static final long P = PAGE_SIZE;
    final MlockFixture fx = new MlockFixture();
    final LruVec lruvec = LruVec.of(fx.machine);

    @AfterEach
    void invariants() {
        fx.checkInvariants();
    }

    private long vmaFlags(long addr) {
        fx.mm.mmapLock().downRead();
        try {
            return fx.mm.vmaLookup(addr).flags();
        } finally {
            fx.mm.mmapLock().upRead();
        }
    }

    private static void assertFlags(Folio f, boolean lru, boolean unevictable, boolean mlocked) {
        assertEquals(lru, f.testLru(), "PG_lru");
        assertFalse(f.testActive(), "PG_active");
        assertEquals(unevictable, f.testUnevictable(), "PG_unevictable");
        assertEquals(mlocked, f.testMlocked(), "PG_mlocked");
    }

    @Test
    void s6MlockOfAPresentLruFolio() {
        long a = fx.anon(1);
        assertEquals(0, fx.task.touch(a, true));
        fx.drain();
        Folio f = fx.folio(a);
        assertEquals(LruList.LRU_INACTIVE_ANON, lruvec.linkedListOf(f));
        long locked = fx.mm.lockedVm();
        VmstatDelta d = new VmstatDelta(fx.machine);
        assertEquals(0, fx.task.mlock(a, P));
        assertFlags(f, true, true, true);
        assertTrue(f.testSwapbacked());
        assertEquals(1, f.mlockCount());
        assertEquals(1, f.refCount());
        assertNull(lruvec.linkedListOf(f), "the unevictable list is not linked (lru.prev is mlock_count)");
        d.assertExactly("nr_mlock", 1, "nr_inactive_anon", -1, "nr_unevictable", 1,
                "unevictable_pgs_mlocked", 1, "unevictable_pgs_culled", 1);
        assertEquals(VmFlags.VM_LOCKED, vmaFlags(a) & (VmFlags.VM_LOCKED_MASK | VmFlags.VM_IO));
        assertEquals(locked + 1, fx.mm.lockedVm());
    }

    @Test
    void s7ToS9SharedFolioMlockedThroughTwoVmas() {
        AddressSpace file = Mm.of(fx.machine).newShmemFile("s7", 1);
        long v1 = fx.task.mmap(0, P, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
        long v2 = fx.task.mmap(0, P, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
        assertTrue(v1 > 0 && v2 > 0);
        assertEquals(0, fx.task.touch(v1, true));
        assertEquals(0, fx.task.touch(v2, true));
        fx.drain();
        Folio f = fx.folio(v1);
        assertEquals(f.pfn(), fx.folio(v2).pfn());
        assertEquals(3, f.refCount(), "page cache + two mappings");
        LruList evictable = lruvec.linkedListOf(f);
        assertTrue(evictable == LruList.LRU_INACTIVE_ANON || evictable == LruList.LRU_INACTIVE_FILE, "" + evictable);
        String list = evictable == LruList.LRU_INACTIVE_ANON ? "nr_inactive_anon" : "nr_inactive_file";
        long locked = fx.mm.lockedVm();

        VmstatDelta s7a = new VmstatDelta(fx.machine);
        assertEquals(0, fx.task.mlock(v1, P));
        assertFlags(f, true, true, true);
        assertEquals(1, f.mlockCount());
        assertEquals(3, f.refCount());
        assertNull(lruvec.linkedListOf(f));
        s7a.assertExactly("nr_mlock", 1, list, -1, "nr_unevictable", 1, "unevictable_pgs_mlocked", 1,
                "unevictable_pgs_culled", 1);
        assertEquals(locked + 1, fx.mm.lockedVm());

        VmstatDelta s7b = new VmstatDelta(fx.machine);
        assertEquals(0, fx.task.mlock(v2, P));
        assertFlags(f, true, true, true);
        assertEquals(2, f.mlockCount());
        assertEquals(3, f.refCount());
        assertNull(lruvec.linkedListOf(f));
        s7b.assertExactly(); // flag already set, already unevictable: no counter moves
        assertEquals(locked + 2, fx.mm.lockedVm());

        VmstatDelta s8 = new VmstatDelta(fx.machine);
        assertEquals(0, fx.task.munlock(v1, P));
        assertFlags(f, true, true, true);
        assertEquals(1, f.mlockCount());
        assertEquals(3, f.refCount());
        assertNull(lruvec.linkedListOf(f));
        s8.assertExactly();
        assertEquals(locked + 1, fx.mm.lockedVm());
        assertEquals(0, vmaFlags(v1) & (VmFlags.VM_LOCKED_MASK | VmFlags.VM_IO));

        VmstatDelta s9 = new VmstatDelta(fx.machine);
        assertEquals(0, fx.task.munlock(v2, P));
        assertFlags(f, true, false, false);
        assertEquals(3, f.refCount());
        assertEquals(evictable, lruvec.linkedListOf(f));
        s9.assertExactly("nr_mlock", -1, "nr_unevictable", -1, list, 1, "unevictable_pgs_munlocked", 1,
                "unevictable_pgs_rescued", 1);
        assertEquals(locked, fx.mm.lockedVm());
    }

    @Test
    void s10FaultInAnOnfaultVmaTakesTheNewFolioPath() {
        long a = fx.anon(2);
        long locked = fx.mm.lockedVm();
        VmstatDelta m = new VmstatDelta(fx.machine);
        assertEquals(0, fx.task.mlock2(a, 2 * P, MLOCK_ONFAULT));
        m.assertExactly(); // nothing faulted
        assertEquals(locked + 2, fx.mm.lockedVm());
        assertEquals(". .", fx.tokens(a, 2));
        assertEquals(VmFlags.VM_LOCKED | VmFlags.VM_LOCKONFAULT, vmaFlags(a) & (VmFlags.VM_LOCKED_MASK | VmFlags.VM_IO));

        VmstatDelta d = new VmstatDelta(fx.machine);
        assertEquals(0, fx.task.touch(a, true));
        Folio f = fx.folio(a);
        assertFlags(f, false, false, true);
        assertEquals(2, f.refCount(), "mapping + the mlock batch entry");
        assertEquals(0, Swap.of(fx.machine).batchCount(0, BatchKind.LRU_ADD), "lru_add batch empty");
        MlockBatch mb = Mlock.of(fx.machine).batch(0);
        assertEquals(1, mb.count());
        assertEquals(MlockBatch.NEW_FOLIO, mb.tag(0));
        d.assertLruAndMlock("nr_mlock", 1, "unevictable_pgs_mlocked", 1);

        fx.drain(); // lru_add_drain ends with mlock_drain_local
        assertFlags(f, true, true, true);
        assertEquals(1, f.mlockCount());
        assertEquals(1, f.refCount());
        assertEquals(0, mb.count());
        assertNull(lruvec.linkedListOf(f));
        d.assertLruAndMlock("nr_mlock", 1, "unevictable_pgs_mlocked", 1, "nr_unevictable", 1,
                "unevictable_pgs_culled", 1);
        assertEquals(".", fx.token(a + P), "lock-on-fault leaves the untouched page unfaulted");
    }
}
