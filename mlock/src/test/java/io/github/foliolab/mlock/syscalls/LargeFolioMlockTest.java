package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.mm.PageTable;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Vma;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.MLOCK_ONFAULT;
import static io.github.foliolab.mm.Mman.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Large folios under mlock_pte_range / allow_mlock_munlock (mm/mlock.c of 7.2): a large folio is mlocked
 * only when folio_within_range() puts it whole inside the walked range of the VMA AND the PTE run
 * (folio_mlock_step) maps all of it; munlock is always allowed. The model's rmap does not PTE-map large
 * folios (THP is off in v1), so these tests create an order-2 anon folio directly and write its PTEs by
 * hand (no rmap: mapcount stays 0); the PTEs are cleared again before the invariants are checked.
 * mlock2(MLOCK_ONFAULT) is used so that only mlock_vma_pages_range's walk touches the folio (no populate).
 */
class LargeFolioMlockTest {
    static final long P = PAGE_SIZE;
    final MlockFixture fx = new MlockFixture();
    long a;
    Folio big;

    /** An 8-page anon VMA at a; an order-2 folio on the inactive anon LRU whose index is page 2 of it. */
    private void setUp(int mappedPages) {
        a = fx.anon(8);
        big = fx.machine.cpu(0).call(() -> fx.machine.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_COMP, 2));
        Vma v = vma(a);
        PageWords.setMapping(fx.machine.memMap(), big.pfn(), 0x1000L | 1L); // PAGE_MAPPING_ANON
        PageWords.setIndex(fx.machine.memMap(), big.pfn(), v.pgoff() + 2);
        big.set(PageFlags.PG_swapbacked);
        fx.machine.cpu(0).run(() -> {
            Swap.of(fx.machine).folioAddLru(big);
            Swap.of(fx.machine).lruAddDrain();
        });
        assertTrue(big.testLru());
        PageTable pt = fx.mm.pageTables().alloc(a);
        pt.ptl().lock();
        try {
            for (int i = 0; i < mappedPages; i++) pt.setPteAt(a + (2 + i) * P, Pte.mk(big.pfn() + i, true, true, true));
        } finally {
            pt.ptl().unlock();
        }
    }

    private Vma vma(long addr) {
        fx.mm.mmapLock().downRead();
        try {
            return fx.mm.vmaLookup(addr);
        } finally {
            fx.mm.mmapLock().upRead();
        }
    }

    @AfterEach
    void tearDown() {
        PageTable pt = fx.mm.pageTables().lookup(a);
        pt.ptl().lock();
        try {
            for (int i = 2; i < 6; i++) pt.ptepGetAndClear(a + i * P);
        } finally {
            pt.ptl().unlock();
        }
        fx.drain();
        fx.checkInvariants();
    }

    private void assertState(boolean lru, boolean unevictable, boolean mlocked, int mlockCount) {
        assertEquals(lru, big.testLru(), "PG_lru");
        assertEquals(unevictable, big.testUnevictable(), "PG_unevictable");
        assertEquals(mlocked, big.testMlocked(), "PG_mlocked");
        assertFalse(big.testActive(), "PG_active");
        if (unevictable) assertEquals(mlockCount, big.mlockCount(), "mlock_count");
        assertEquals(1, big.refCount(), "refcount: only ours, the mlock batch was drained");
    }

    private void assertNoVmIo() {
        for (Vma v : fx.mm.vmasSnapshot()) assertEquals(0, v.flags() & VmFlags.VM_IO, "VM_IO left set on " + v);
    }

    @Test
    void wholeFolioInTheLockedRangeIsMlockedAndAPartialMunlockUnlocksIt() {
        setUp(4);
        VmstatDelta d = new VmstatDelta(fx.machine);
        assertEquals(0, fx.task.mlock2(a, 8 * P, MLOCK_ONFAULT));
        assertEquals("8:lo", fx.vmas(a, 8));
        assertEquals(8, fx.mm.lockedVm());
        assertNoVmIo();
        assertState(true, true, true, 1);
        d.assertExactly("nr_mlock", 4, "nr_inactive_anon", -4, "nr_unevictable", 4,
                "unevictable_pgs_mlocked", 4, "unevictable_pgs_culled", 4);

        // munlock of one page of it: the walk sees a 1-PTE step, munlock is always allowed (the kernel
        // lets reclaim re-mlock the rest later), so the whole folio is munlocked and rescued.
        VmstatDelta m = new VmstatDelta(fx.machine);
        assertEquals(0, fx.task.munlock(a + 4 * P, P));
        assertEquals("4:lo 1 3:lo", fx.vmas(a, 8));
        assertEquals(7, fx.mm.lockedVm());
        assertState(true, false, false, 0);
        m.assertExactly("nr_mlock", -4, "nr_inactive_anon", 4, "nr_unevictable", -4,
                "unevictable_pgs_munlocked", 4, "unevictable_pgs_rescued", 4);
    }

    @Test
    void folioStraddlingTheRangeIsNeverMlockedEvenWhenTheWholeVmaEndsUpLocked() {
        setUp(4);
        VmstatDelta d = new VmstatDelta(fx.machine);
        // New VMA [a+3P, a+8P): the folio's first page (index pgoff+2) lies below it.
        assertEquals(0, fx.task.mlock2(a + 3 * P, 5 * P, MLOCK_ONFAULT));
        assertEquals("3 5:lo", fx.vmas(a, 8));
        assertState(true, false, false, 0);
        // [a, a+3P) merges back into one locked VMA, but the walk covers [a, a+3P) only: the folio
        // (pages 2..5) is not within that range, so it stays evictable (reclaim would mlock it later).
        assertEquals(0, fx.task.mlock2(a, 3 * P, MLOCK_ONFAULT));
        assertEquals("8:lo", fx.vmas(a, 8));
        assertEquals(8, fx.mm.lockedVm());
        assertNoVmIo();
        assertState(true, false, false, 0);
        d.assertExactly();
    }

    @Test
    void folioCutByTheVmaEndIsNotMlocked() {
        setUp(4);
        VmstatDelta d = new VmstatDelta(fx.machine);
        assertEquals(0, fx.task.mlock2(a, 4 * P, MLOCK_ONFAULT)); // VMA [a, a+4P) holds pages 2,3 only
        assertEquals("4:lo 4", fx.vmas(a, 8));
        assertState(true, false, false, 0);
        d.assertExactly();
    }

    @Test
    void partlyMappedFolioIsNotMlocked() {
        setUp(3); // pages 2..4 map the first three pages; the fourth is not mapped
        VmstatDelta d = new VmstatDelta(fx.machine);
        assertEquals(0, fx.task.mlock2(a, 8 * P, MLOCK_ONFAULT));
        assertEquals("8:lo", fx.vmas(a, 8));
        assertState(true, false, false, 0); // folio_mlock_step 3 != folio_nr_pages 4
        d.assertExactly();
    }

    @Test
    void folioMappedAtTheWrongOffsetIsNotMlocked() {
        setUp(4);
        // The PTEs map it at pages 2..5 but its index says page 5: folio_within_range goes by the index.
        PageWords.setIndex(fx.machine.memMap(), big.pfn(), vma(a).pgoff() + 5);
        VmstatDelta d = new VmstatDelta(fx.machine);
        assertEquals(0, fx.task.mlock2(a, 8 * P, MLOCK_ONFAULT)); // index page 5: 5..8 passes the end
        assertState(true, false, false, 0);
        d.assertExactly();
    }
}
