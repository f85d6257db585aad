package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.lru.Swap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MADV_FREE (madvise_free_single_vma / madvise_free_pte_range of mm/madvise.c, folio_mark_lazyfree of
 * mm/swap.c) as Linux 7.2 has it, and population on a machine without the gup module (mm/gup.c: its
 * MADV_POPULATE_READ / WRITE tests are the gup module's GupPopulateTest). (MADV_DONTNEED_LOCKED and MADV_FREE on VM_LOCKED need the mlock module: the
 * v2 conformance scripts dontneed-locked-* and free-mlocked show them against the real kernel.)
 */
class MadviseFreePopulateTest {
    static final long P = PAGE_SIZE;
    final MmFixture fx = new MmFixture();

    @AfterEach
    void invariants() {
        fx.checkInvariants();
    }

    private void drain() {
        fx.machine.cpu(0).run(() -> Swap.of(fx.machine).lruAddDrain());
    }

    @Test
    void freeMakesPtesOldAndCleanAndTheFolioLazyfreeSoPageoutDropsIt() {
        long a = fx.mmapAnon(2, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.touch(a, true));
        drain();
        assertTrue(Pte.young(fx.pte(a)) && Pte.dirty(fx.pte(a)));
        assertEquals(0, fx.task.madvise(a, 2 * P, MADV_FREE));
        drain(); // the lru_lazyfree batch
        long pte = fx.pte(a);
        assertFalse(Pte.young(pte) || Pte.dirty(pte), "clear_young_dirty_ptes left the PTE young or dirty");
        Folio f = fx.folioAt(a);
        assertFalse(f.testSwapbacked(), "lru_lazyfree clears PG_swapbacked");
        assertFalse(f.testActive());
        assertTrue(f.testLru());
        // A clean lazyfree folio is discarded by reclaim: the PTE is gone.
        assertEquals(0, fx.task.madvise(a, 2 * P, MADV_PAGEOUT));
        assertFalse(Pte.present(fx.pte(a)), "pageout kept a clean lazyfree folio");
    }

    @Test
    void freeRefusesNonAnonymousVmasAndChangesNothing() {
        long s = fx.mmapShmem(1, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.touch(s, true));
        long sp = fx.pte(s);
        assertEquals(-Errno.EINVAL, fx.task.madvise(s, P, MADV_FREE));
        assertEquals(sp, fx.pte(s));
        assertTrue(fx.folioAt(s).testSwapbacked());
    }

    @Test
    void withoutTheGupModuleNothingIsPopulatedAheadOfUse() {
        long a = fx.task.mmap(0, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, null, 0);
        assertTrue(a > 0);
        assertFalse(Pte.present(fx.pte(a)), "MAP_POPULATE leaves the page to its first fault");
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> fx.task.madvise(a, P, MADV_POPULATE_WRITE));
        assertTrue(e.getMessage().contains("foliolab-gup"), e.getMessage());
        assertFalse(Pte.present(fx.pte(a)));
    }
}
