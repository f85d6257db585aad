package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.lru.RmapOps;
import io.github.foliolab.lru.Swap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rmap, zap and shmem halves of reclaim as Linux 7.2 has them: folio_referenced (mm/rmap.c),
 * try_to_unmap of lazyfree folios, __remove_mapping of page-cache folios and shmem_writeout without swap
 * (mm/vmscan.c, mm/shmem.c), the zap's recency test (mm/memory.c), and the kpageflags reclaim bits
 * (fs/proc/page.c). Each test names the lines of 7.2 it follows.
 */
class ReclaimPathsTest {
    static final long P = PAGE_SIZE;
    final MmFixture fx = new MmFixture();
    final Mm ctx = Mm.of(fx.machine);
    final RmapOps ops = ctx.vmscan().rmapOps();

    @AfterEach
    void invariants() {
        fx.checkInvariants();
    }

    private void drain() {
        fx.machine.cpu(0).run(() -> Swap.of(fx.machine).lruAddDrain());
    }

    private RmapOps.Referenced referenced(Folio f) {
        return fx.machine.cpu(0).call(() -> ops.folioReferenced(f, false));
    }

    /** Isolate from the LRU and reclaim_pages() (MADV_PAGEOUT's path); the pages reclaimed. */
    private long reclaim(Folio f) {
        return fx.machine.cpu(0).call(() -> {
            assertTrue(ctx.vmscan().folioIsolateLru(f));
            return ctx.vmscan().reclaimPages(List.of(f));
        });
    }

    /** mm/rmap.c:1092-1096: folio_referenced trylocks every folio, anon too, and reports 1 when busy. */
    @Test
    void folioReferencedTrylocksAnonFoliosToo() {
        long a = fx.mmapAnon(1, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.touch(a, true));
        Folio f = fx.folioAt(a);
        assertTrue(f.trylock()); // somebody else holds the folio lock
        RmapOps.Referenced busy = referenced(f);
        assertEquals(1, busy.referenced());
        assertEquals(0, busy.vmFlags(), "no walk: no VMA flags");
        assertTrue(Pte.young(fx.pte(a)), "the young bit was not cleared");
        f.unlock();
        RmapOps.Referenced r = referenced(f);
        assertEquals(1, r.referenced());
        assertNotEquals(0, r.vmFlags());
        assertFalse(Pte.young(fx.pte(a)));
    }

    /**
     * mm/rmap.c:1032-1044 (invalid_folio_referenced_vma) and include/linux/mm_inline.h vma_has_recency:
     * references from a VM_RAND_READ or VM_SEQ_READ mapping are ignored, and its young bits left alone.
     */
    @Test
    void folioReferencedIgnoresMappingsWithoutRecency() {
        AddressSpace file = ctx.newShmemFile("f", 1);
        long a = fx.mmapFile(file, 1, PROT_READ, true);
        assertEquals(0, fx.task.madvise(a, P, MADV_RANDOM));
        assertEquals(0, fx.task.touch(a, false));
        Folio f = fx.folioAt(a);
        assertEquals(new RmapOps.Referenced(0, 0), referenced(f));
        assertTrue(Pte.young(fx.pte(a)));
        assertEquals(0, fx.task.madvise(a, P, MADV_SEQUENTIAL));
        assertEquals(0, referenced(f).referenced());
        assertEquals(0, fx.task.madvise(a, P, MADV_NORMAL));
        assertEquals(1, referenced(f).referenced());
        assertFalse(Pte.young(fx.pte(a)));
    }

    /** mm/memory.c:1656: the zap marks a young file folio accessed only if the VMA has recency. */
    @Test
    void zapMarksAccessedOnlyWithRecency() {
        AddressSpace file = ctx.newShmemFile("f", 2);
        long a = fx.mmapFile(file, 2, PROT_READ, true);
        assertEquals(0, fx.task.madvise(a, P, MADV_RANDOM)); // page 0 only: the VMA splits
        assertEquals(0, fx.task.touch(a, false));
        assertEquals(0, fx.task.touch(a + P, false));
        Folio random = fx.folioAt(a);
        Folio normal = fx.folioAt(a + P);
        assertFalse(random.testReferenced());
        assertFalse(normal.testReferenced());
        assertEquals(0, fx.task.madvise(a, 2 * P, MADV_DONTNEED));
        assertFalse(random.testReferenced(), "MADV_RANDOM: folio_mark_accessed not called");
        assertTrue(normal.testReferenced());
    }

    /**
     * mm/rmap.c:2247-2276 with mm/vmscan.c:1344-1353: a lazyfree folio written again after MADV_FREE
     * is not discarded: try_to_unmap puts the PTE back and sets PG_swapbacked again, reclaim activates
     * it. A lazyfree folio left clean is freed (PGLAZYFREED).
     */
    @Test
    void lazyfreeFolioWrittenAgainKeepsItsData() {
        long a = fx.mmapAnon(2, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.touch(a, true));
        assertEquals(0, fx.task.touch(a + P, true));
        drain();
        Folio redirtied = fx.folioAt(a);
        Folio clean = fx.folioAt(a + P);
        for (long addr : new long[] {a, a + P}) {
            // madvise_free_pte_range: the PTE made clean and old, the folio clean, then lazyfree.
            PageTable pt = fx.mm.pageTables().lookup(addr);
            pt.ptl().lock();
            try {
                pt.modifyProt(addr, Pte.mkOld(pt.ptepGet(addr)) & ~Pte.DIRTY);
            } finally {
                pt.ptl().unlock();
            }
            Folio f = fx.folioAt(addr);
            f.clear(PageFlags.PG_dirty);
            fx.machine.cpu(0).run(() -> Swap.of(fx.machine).folioMarkLazyfree(f));
        }
        drain();
        assertFalse(redirtied.testSwapbacked());
        assertEquals(0, fx.task.touch(a, true)); // the MMU sets the dirty bit again
        long lazy0 = fx.machine.vmstat().event(VmEventItem.PGLAZYFREED);
        assertEquals(0, reclaim(redirtied));
        assertTrue(Pte.present(fx.pte(a)));
        assertEquals(redirtied.pfn(), fx.folioAt(a).pfn());
        assertTrue(redirtied.testSwapbacked());
        assertTrue(redirtied.testDirty());
        drain();
        assertTrue(redirtied.testActive());
        assertEquals(lazy0, fx.machine.vmstat().event(VmEventItem.PGLAZYFREED));

        assertEquals(1, reclaim(clean));
        assertEquals(0, fx.pte(a + P));
        assertEquals(lazy0 + 1, fx.machine.vmstat().event(VmEventItem.PGLAZYFREED));
    }

    /**
     * __remove_mapping (mm/vmscan.c:674-760, 716-717): a clean shmem folio paged out leaves the page
     * cache and is freed, NR_FILE_PAGES and NR_SHMEM go down; with another reference the freeze fails
     * and the folio stays cached (unmapped).
     */
    @Test
    void cleanShmemFolioLeavesThePageCacheUnlessSomebodyHoldsIt() {
        AddressSpace file = ctx.newShmemFile("f", 2);
        long a = fx.mmapFile(file, 2, PROT_READ | PROT_WRITE, true);
        assertEquals(0, fx.task.touch(a, false));
        assertEquals(0, fx.task.touch(a + P, false));
        drain();
        Folio held = fx.folioAt(a + P);
        held.get(); // a speculative reference
        long files0 = fx.machine.vmstat().node(NodeStatItem.NR_FILE_PAGES);
        long shmem0 = fx.machine.vmstat().node(NodeStatItem.NR_SHMEM);
        long free0 = fx.machine.node().freePages();
        assertEquals(0, fx.task.madvise(a, 2 * P, MADV_PAGEOUT));
        assertEquals(0, fx.pte(a));
        assertEquals(0, fx.pte(a + P));
        assertEquals(1, file.nrPages());
        assertEquals(-1, file.lookup(0));
        assertEquals(held.pfn(), file.lookup(1));
        assertEquals(files0 - 1, fx.machine.vmstat().node(NodeStatItem.NR_FILE_PAGES));
        assertEquals(shmem0 - 1, fx.machine.vmstat().node(NodeStatItem.NR_SHMEM));
        assertEquals(free0 + 1, fx.machine.node().freePages());
        held.put();
        assertEquals(0, fx.task.touch(a, false)); // a new folio in the hole
        assertEquals(2, file.nrPages());
    }

    /**
     * pageout() and shmem_writeout() without swap (mm/vmscan.c:635-658, mm/shmem.c:1615, 1745-1747): a
     * dirty shmem folio is cleaned for I/O, re-dirtied, PG_reclaim cleared again, activated and kept in
     * the page cache; NR_VMSCAN_WRITE does not move.
     */
    @Test
    void dirtyShmemFolioStaysCachedAndActive() {
        AddressSpace file = ctx.newShmemFile("f", 1);
        long a = fx.mmapFile(file, 1, PROT_READ | PROT_WRITE, true);
        assertEquals(0, fx.task.touch(a, true));
        drain();
        Folio f = fx.folioAt(a);
        long write0 = fx.machine.vmstat().node(NodeStatItem.NR_VMSCAN_WRITE);
        assertEquals(0, fx.task.madvise(a, P, MADV_PAGEOUT));
        assertEquals(0, fx.pte(a));
        assertEquals(f.pfn(), file.lookup(0));
        assertTrue(f.testDirty());
        assertFalse(f.test(PageFlags.PG_reclaim));
        drain();
        assertTrue(f.testActive());
        assertEquals(write0, fx.machine.vmstat().node(NodeStatItem.NR_VMSCAN_WRITE));
    }

    /** fs/proc/page.c:221, 226: kpageflags reports PG_writeback and PG_reclaim (KPF_WRITEBACK, KPF_RECLAIM). */
    @Test
    void kpageflagsReportsWritebackAndReclaim() {
        long a = fx.mmapAnon(1, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.touch(a, true));
        Folio f = fx.folioAt(a);
        long k = fx.task.kpageflags(a);
        assertEquals(0, k & (1L << KPageFlags.KPF_RECLAIM | 1L << KPageFlags.KPF_WRITEBACK));
        f.set(PageFlags.PG_reclaim);
        f.set(PageFlags.PG_writeback);
        k = fx.task.kpageflags(a);
        assertNotEquals(0, k & 1L << KPageFlags.KPF_RECLAIM);
        assertNotEquals(0, k & 1L << KPageFlags.KPF_WRITEBACK);
        f.clear(PageFlags.PG_reclaim);
        f.clear(PageFlags.PG_writeback);
        assertEquals(0, fx.task.kpageflags(a) & (1L << KPageFlags.KPF_RECLAIM | 1L << KPageFlags.KPF_WRITEBACK));
    }
}
