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
 * mm/swap.c) and MADV_POPULATE_READ / WRITE
 * (madvise_populate, and faultin_page_range / __get_user_pages with FOLL_MADV_POPULATE of mm/gup.c),
 * as Linux 7.2 has them. (MADV_DONTNEED_LOCKED and MADV_FREE on VM_LOCKED need the mlock module: the
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
    void populateErrnosFollowFaultinPageRange() {
        long none = fx.mmapAnon(1, PROT_NONE);
        assertEquals(-Errno.EINVAL, fx.task.madvise(none, P, MADV_POPULATE_READ));
        assertFalse(Pte.present(fx.pte(none)));
        long ro = fx.mmapAnon(1, PROT_READ);
        assertEquals(-Errno.EINVAL, fx.task.madvise(ro, P, MADV_POPULATE_WRITE));
        assertEquals(0, fx.task.madvise(ro, P, MADV_POPULATE_READ));
        assertTrue(Pte.special(fx.pte(ro)), "a read populate of anonymous memory maps the zero page");
        // A hole: -ENOMEM, and the pages before it stay populated.
        long a = fx.mmapAnon(3, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.munmap(a + 2 * P, P));
        assertEquals(-Errno.ENOMEM, fx.task.madvise(a, 3 * P, MADV_POPULATE_WRITE));
        assertTrue(Pte.present(fx.pte(a)) && Pte.write(fx.pte(a + P)));
    }
}
