package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.lru.RmapOps;
import io.github.foliolab.lru.Swap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rmap walk reclaim uses: folio_referenced and try_to_unmap, and MADV_PAGEOUT through them. */
class RmapWalkTest {
    static final long P = PAGE_SIZE;
    final MmFixture fx = new MmFixture();

    @AfterEach
    void invariants() {
        fx.checkInvariants();
    }

    @Test
    void folioReferencedClearsYoungBitsOfEveryMapping() {
        AddressSpace file = Mm.of(fx.machine).newShmemFile("f", 1);
        long a = fx.mmapFile(file, 1, PROT_READ, true);
        long b = fx.mmapFile(file, 1, PROT_READ, true);
        assertEquals(0, fx.task.touch(a, false));
        assertEquals(0, fx.task.touch(b, false));
        Folio f = fx.folioAt(a);
        assertEquals(f.pfn(), fx.folioAt(b).pfn());
        assertEquals(2, f.mapcount());
        RmapOps ops = Mm.of(fx.machine).vmscan().rmapOps();
        RmapOps.Referenced r = fx.machine.cpu(0).call(() -> ops.folioReferenced(f, false));
        assertEquals(2, r.referenced());
        assertFalse(Pte.young(fx.pte(a)) || Pte.young(fx.pte(b)));
        assertEquals(0, fx.machine.cpu(0).call(() -> ops.folioReferenced(f, false)).referenced());
    }

    @Test
    void tryToUnmapUnmapsFileFoliosButNotAnonWithoutSwap() {
        long s = fx.mmapShmem(1, PROT_READ | PROT_WRITE);
        long a = fx.mmapAnon(1, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.touch(s, true));
        assertEquals(0, fx.task.touch(a, true));
        Folio shm = fx.folioAt(s);
        Folio anon = fx.folioAt(a);
        RmapOps ops = Mm.of(fx.machine).vmscan().rmapOps();
        int ref = shm.refCount();
        assertTrue(fx.machine.cpu(0).call(() -> ops.tryToUnmap(shm)));
        assertEquals(-1, fx.task.kpageflags(s));
        assertEquals(ref - 1, shm.refCount(), "the PTE's reference is gone, the page cache keeps its own");
        assertTrue(shm.testDirty(), "the dirty PTE's bit moved to the folio");
        assertFalse(fx.machine.cpu(0).call(() -> ops.tryToUnmap(anon)));
        assertTrue(fx.task.kpageflags(a) >= 0);
        // Touching the shmem page again maps the cached folio.
        assertEquals(0, fx.task.touch(s, false));
        assertEquals(shm.pfn(), fx.folioAt(s).pfn());
    }

    @Test
    void pageoutUnmapsShmemAndKeepsAnon() {
        long s = fx.mmapShmem(4, PROT_READ | PROT_WRITE);
        long a = fx.mmapAnon(4, PROT_READ | PROT_WRITE);
        for (int i = 0; i < 4; i++) {
            assertEquals(0, fx.task.touch(s + i * P, true));
            assertEquals(0, fx.task.touch(a + i * P, true));
        }
        assertEquals(0, fx.task.madvise(s, 4 * P, MADV_PAGEOUT));
        assertEquals(0, fx.task.madvise(a, 4 * P, MADV_PAGEOUT));
        for (int i = 0; i < 4; i++) {
            assertEquals(-1, fx.task.kpageflags(s + i * P), "shmem page " + i + " unmapped");
            assertTrue(fx.task.kpageflags(a + i * P) >= 0, "anon page " + i + " kept (no swap)");
        }
        fx.machine.cpu(0).run(() -> Swap.of(fx.machine).lruAddDrain());
        long k = fx.task.kpageflags(a);
        assertTrue((k & (1L << KPageFlags.KPF_ACTIVE)) != 0, "reclaim activated the anon page");
    }
}
