package io.github.foliolab.gup;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.MmInvariants;
import io.github.foliolab.mm.Pte;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GUP slow path with a pages array: FOLL_GET references, FOLL_PIN pins, faults and errors. */
class GupSlowTest {
    static final long P = PAGE_SIZE;
    final GupFixture fx = new GupFixture();

    @AfterEach
    void invariants() {
        MmInvariants.check(fx.task.mm(), f -> 0);
        fx.close();
    }

    private long gup(long start, int pages, int flags, long[] pfns) {
        return fx.machine.cpu(0).call(() -> {
            fx.task.mm().mmapLock().downRead();
            try {
                return fx.gup.slow().getUserPages(fx.task.mm(), start, pages, flags, pfns);
            } finally {
                fx.task.mm().mmapLock().upRead();
            }
        });
    }

    @Test
    void writePinFaultsInAndPins() {
        long a = fx.anon(3);
        long[] pfns = new long[3];
        assertEquals(3, gup(a, 3, Foll.FOLL_WRITE | Foll.FOLL_PIN | Foll.FOLL_TOUCH, pfns));
        for (int i = 0; i < 3; i++) {
            Folio f = fx.machine.memMap().folio(pfns[i]);
            assertEquals(pfns[i], Pte.pfn(fx.pte(a + i * P)));
            assertTrue(f.maybeDmaPinned());
            assertEquals(1 + 1 + MemMap.GUP_PIN_COUNTING_BIAS, f.refCount(), "PTE + lru_add batch + pin");
            f.unpinFolio();
        }
    }

    @Test
    void readGetOfUntouchedAnonReturnsTheZeroPage() {
        long a = fx.mmap(1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
        long[] pfns = new long[1];
        int zeroRef = fx.machine.node().zeroFolio().refCount();
        assertEquals(1, gup(a, 1, Foll.FOLL_GET, pfns));
        assertEquals(fx.machine.node().zeroPfn(), pfns[0]);
        assertEquals(zeroRef + 1, fx.machine.node().zeroFolio().refCount());
        fx.machine.node().zeroFolio().put();
    }

    @Test
    void errors() {
        long a = fx.mmap(2, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
        assertEquals(-Errno.EFAULT, gup(a, 1, Foll.FOLL_WRITE | Foll.FOLL_GET, new long[1]), "no FOLL_FORCE on a read-only VMA");
        assertEquals(-Errno.EFAULT, gup(a - 64 * P, 1, Foll.FOLL_GET, new long[1]), "unmapped");
        long[] pfns = new long[3];
        assertEquals(2, gup(a, 3, Foll.FOLL_GET, pfns), "stops at the end of the mapping");
        for (int i = 0; i < 2; i++) fx.machine.memMap().folio(pfns[i]).put();
    }

    @Test
    void forcedWriteOfAReadOnlyPrivateMappingBreaksCow() {
        long a = fx.mmap(1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
        assertEquals(0, fx.task.touch(a, false)); // the zero page
        long[] pfns = new long[1];
        assertEquals(1, gup(a, 1, Foll.FOLL_WRITE | Foll.FOLL_FORCE | Foll.FOLL_GET, pfns));
        assertTrue(pfns[0] != fx.machine.node().zeroPfn(), "a private copy replaced the zero page");
        assertTrue(!Pte.write(fx.pte(a)), "the PTE stays read-only (no VM_WRITE)");
        Folio f = fx.machine.memMap().folio(pfns[0]);
        assertTrue(f.isAnon());
        f.put();
    }
}
