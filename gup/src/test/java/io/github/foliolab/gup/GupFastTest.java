package io.github.foliolab.gup;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.sched.SchedHook;
import io.github.foliolab.folio.api.sched.SchedOp;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.FolioOp;
import io.github.foliolab.mm.PageTable;
import io.github.foliolab.mm.Pte;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.gup.GupFolios.GUP_PIN_COUNTING_BIAS;
import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.*;

/** GUP-fast: the lockless walk, the reference arithmetic, the PTE re-check and the fallback. */
class GupFastTest {
    static final long P = PAGE_SIZE;
    final GupFixture fx = new GupFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    private long fast(long addr, int pages, int flags, long[] pfns, boolean pin) {
        return fx.machine.cpu(0).call(() -> pin
                ? fx.gup.fast().pinUserPagesFast(fx.task.mm(), addr, pages, flags, pfns)
                : fx.gup.fast().getUserPagesFast(fx.task.mm(), addr, pages, flags, pfns));
    }

    @Test
    void pinOfMappedSmallFoliosAddsTheBiasAndUnpinRemovesIt() {
        long a = fx.anon(3);
        fx.touch(a, 3);
        fx.task.lruAddDrain();
        int[] before = new int[3];
        for (int i = 0; i < 3; i++) before[i] = fx.folioAt(a + i * P).refCount();
        long[] pfns = new long[3];
        assertEquals(3, fast(a, 3, Foll.FOLL_WRITE, pfns, true));
        for (int i = 0; i < 3; i++) {
            Folio f = fx.folioAt(a + i * P);
            assertEquals(f.pfn(), pfns[i]);
            assertEquals(before[i] + GUP_PIN_COUNTING_BIAS, f.refCount());
            assertTrue(fx.gup.folios().folioMaybeDmaPinned(f));
            assertTrue(f.testReferenced(), "folio_set_referenced");
        }
        fx.gup.folios().unpinUserPages(pfns, 3);
        for (int i = 0; i < 3; i++) {
            Folio f = fx.folioAt(a + i * P);
            assertEquals(before[i], f.refCount());
            assertFalse(fx.gup.folios().folioMaybeDmaPinned(f));
        }
    }

    @Test
    void getTakesOneReference() {
        long a = fx.anon(1);
        fx.touch(a, 1);
        int before = fx.folioAt(a).refCount();
        long[] pfns = new long[1];
        assertEquals(1, fast(a, 1, 0, pfns, false));
        assertEquals(before + 1, fx.folioAt(a).refCount());
        fx.folioAt(a).put();
    }

    @Test
    void unpopulatedPagesFallBackToTheSlowPathWhichFaultsThemIn() {
        long a = fx.anon(4);
        fx.touch(a, 2); // pages 0 and 1 mapped, 2 and 3 not
        long[] pfns = new long[4];
        assertEquals(4, fast(a, 4, Foll.FOLL_WRITE, pfns, true));
        for (int i = 0; i < 4; i++) {
            Folio f = fx.folioAt(a + i * P);
            assertEquals(f.pfn(), pfns[i]);
            assertTrue(f.refCount() > GUP_PIN_COUNTING_BIAS);
        }
        fx.gup.folios().unpinUserPages(pfns, 4);
    }

    @Test
    void fastOnlyStopsAtTheFirstPageItCannotTake() {
        long a = fx.anon(3);
        fx.touch(a, 1);
        long[] pfns = new long[3];
        long n = fx.machine.cpu(0).call(() -> fx.gup.fast().gupFastFallback(fx.task.mm(), a, 3,
                Foll.FOLL_PIN | Foll.FOLL_WRITE | Foll.FOLL_FAST_ONLY, pfns));
        assertEquals(1, n);
        assertFalse(Pte.present(fx.pte(a + P)), "FOLL_FAST_ONLY never faults");
        fx.gup.folios().unpinUserPages(pfns, 1);
    }

    @Test
    void writeOfAReadOnlyPteFallsBackAndTheSlowPathRefusesIt() {
        long a = fx.anon(1);
        fx.touch(a, 1);
        assertEquals(0, fx.task.mprotect(a, P, PROT_READ));
        int before = fx.folioAt(a).refCount();
        assertEquals(-io.github.foliolab.mm.Errno.EFAULT, fast(a, 1, Foll.FOLL_WRITE, new long[1], true));
        assertEquals(before, fx.folioAt(a).refCount(), "nothing kept after the refusal");
    }

    @Test
    void longtermPinOfAMovableFolioIsNotTakenByTheFastPath() {
        long a = fx.anon(1);
        fx.touch(a, 1);
        fx.task.lruAddDrain();
        Folio f = fx.folioAt(a);
        assertTrue(fx.inMovable(f));
        int before = f.refCount();
        assertNull(fx.machine.cpu(0).call(() -> fx.gup.folios().tryGrabFolioFast(f.pfn(), 1,
                Foll.FOLL_PIN | Foll.FOLL_LONGTERM | Foll.FOLL_WRITE)));
        assertEquals(before, f.refCount(), "the speculative reference was dropped");
    }

    @Test
    void aFrozenFolioIsNotTaken() {
        long a = fx.anon(1);
        fx.touch(a, 1);
        fx.task.lruAddDrain();
        Folio f = fx.folioAt(a);
        int count = f.refCount();
        assertTrue(f.refFreeze(count));
        try {
            assertNull(fx.machine.cpu(0).call(() -> fx.gup.folios().tryGrabFolioFast(f.pfn(), 1, Foll.FOLL_PIN)));
        } finally {
            f.refUnfreeze(count);
        }
        assertEquals(count, f.refCount());
    }

    /** A PTE that changes between the speculative reference and the re-check: the reference is dropped. */
    @Test
    void aPteChangedAfterTheReferenceIsDroppedAndNeverReturned() {
        long a = touchedPage(fx);
        Folio f = fx.folioAt(a);
        int before = f.refCount();
        assertEquals(0, fastWhileThePteChanges(fx, a), "GUP-fast does not return a folio whose PTE changed");
        assertEquals(before, f.refCount(), "and drops the reference it took");
        assertFalse(fx.gup.folios().folioMaybeDmaPinned(f));
    }

    /** Without the re-check (Gup.FAST_PTE_RECHECK false, an experiment) the same walk keeps the folio. */
    @Test
    void withoutTheRecheckThePinOfAChangedPteIsKept() {
        try (GupFixture off = new GupFixture(io.github.foliolab.folio.Machine.builder().with(Gup.FAST_PTE_RECHECK, false))) {
            long a = touchedPage(off);
            Folio f = off.folioAt(a);
            int before = f.refCount();
            assertEquals(1, fastWhileThePteChanges(off, a));
            assertEquals(before + GUP_PIN_COUNTING_BIAS, f.refCount());
            off.gup.folios().unpinUserPage(f.pfn());
        }
    }

    private static long touchedPage(GupFixture fx) {
        long a = fx.anon(1);
        fx.touch(a, 1);
        fx.task.lruAddDrain();
        return a;
    }

    /** A FOLL_FAST_ONLY pin of the page at {@code a}; another CPU write-protects its PTE right after the reference. */
    private static long fastWhileThePteChanges(GupFixture fx, long a) {
        Folio f = fx.folioAt(a);
        PageTable pt = fx.task.mm().pageTables().lookup(a);
        long pte = fx.pte(a);
        SchedHook hook = new SchedHook() {
            boolean done;

            @Override
            public void before(SchedOp op, long id, long arg) {
            }

            @Override
            public void after(SchedOp op, long id, long result) {
                // Right after GUP-fast's folio_ref_try_add succeeded: another CPU write-protects the PTE.
                if (!done && op == FolioOp.REF_TRY_ADD && id == f.pfn() && result == 1) {
                    done = true;
                    pt.ptl().lock();
                    try {
                        pt.modifyProt(a, Pte.wrprotect(pte));
                    } finally {
                        pt.ptl().unlock();
                    }
                }
            }

            @Override
            public void contended(SchedOp op, long waitId) {
            }

            @Override
            public void released(SchedOp op, long waitId) {
            }
        };
        long[] pfns = new long[1];
        long n;
        SchedPoints.install(hook);
        try {
            n = fx.machine.cpu(0).call(() -> fx.gup.fast().gupFastFallback(fx.task.mm(), a, 1,
                    Foll.FOLL_PIN | Foll.FOLL_FAST_ONLY, pfns));
        } finally {
            SchedPoints.uninstall(hook);
        }
        return n;
    }
}
