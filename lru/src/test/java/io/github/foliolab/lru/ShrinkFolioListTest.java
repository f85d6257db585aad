package io.github.foliolab.lru;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmEventItem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The order and outcomes of shrink_folio_list() and pageout() as Linux 7.2 has them (mm/vmscan.c), and
 * two mm/swap.c details of folio batches. Each test names the lines of 7.2 it follows.
 */
class ShrinkFolioListTest {
    private final LruFixture fx = new LruFixture(1);

    @AfterEach
    void close() {
        fx.assertListsConsistent();
        fx.close();
    }

    /** An rmap that records what reclaim asked of it; folios are "mapped" once through {@link #map}. */
    private static final class Recorder implements RmapOps {
        int referencedCalls;
        int unmapCalls;
        int removeCalls;
        int writeoutCalls;
        boolean shmem = true;
        /** What shmem_writeout does; null: the default (re-dirty, AOP_WRITEPAGE_ACTIVATE). */
        java.util.function.ToIntFunction<Folio> writeout;

        @Override
        public Referenced folioReferenced(Folio folio, boolean isLocked) {
            referencedCalls++;
            return new Referenced(0, 0);
        }

        @Override
        public boolean tryToUnmap(Folio folio) {
            unmapCalls++;
            folio.memMap().mapcountAddReturn(folio.pfn(), -1);
            folio.put();
            return true;
        }

        @Override
        public boolean removeMapping(Folio folio) {
            removeCalls++;
            // __remove_mapping: freeze at isolation + page cache, then the page cache lets it go.
            if (!folio.refFreeze(1 + (int) folio.nrPages())) return false;
            PageWords.setMapping(folio.memMap(), folio.pfn(), 0);
            return true;
        }

        @Override
        public boolean shmemMapping(long mapping) {
            return shmem;
        }

        @Override
        public int shmemWriteout(Folio folio) {
            writeoutCalls++;
            return writeout == null ? RmapOps.super.shmemWriteout(folio) : writeout.applyAsInt(folio);
        }
    }

    private final Recorder rmap = new Recorder();

    {
        fx.setRmap(rmap);
    }

    private Folio onLru(Folio f) {
        fx.on(0, () -> {
            fx.swap.folioAddLru(f);
            fx.swap.lruAddDrain();
        });
        return f;
    }

    /** A shmem page-cache folio as shmem_get_folio leaves it: PG_swapbacked, a file mapping, the cache's reference. */
    private Folio shmemFolio() {
        Folio f = fx.file();
        PageWords.setMapping(fx.mm, f.pfn(), 0x2000L); // a file address_space (bit 0 clear)
        f.set(PageFlags.PG_swapbacked);
        return onLru(f);
    }

    private long shrinkInactive(LruList l) {
        return fx.on(0, () -> fx.vmscan.shrinkInactiveList(32, l));
    }

    /** mm/vmscan.c:1179-1221: writeback is handled before folio_check_references and try_to_unmap. */
    @Test
    void writebackIsHandledFirstWithoutLookingAtThePtes() {
        Folio f = onLru(fx.file());
        fx.mm.mapcountAddReturn(f.pfn(), 1);
        f.set(PageFlags.PG_writeback);
        long act0 = fx.ev(VmEventItem.PGACTIVATE);
        assertEquals(0, shrinkInactive(LruList.LRU_INACTIVE_FILE));
        assertEquals(0, rmap.referencedCalls, "folio_check_references is not reached");
        assertEquals(0, rmap.unmapCalls, "try_to_unmap is not reached");
        assertTrue(f.test(PageFlags.PG_reclaim), "marked for immediate reclaim (case 2)");
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_ACTIVE_FILE));
        assertEquals(act0 + 1, fx.ev(VmEventItem.PGACTIVATE));
        assertTrue(f.mapped());
        fx.mm.mapcountAddReturn(f.pfn(), -1);
        f.clear(PageFlags.PG_writeback);
    }

    /** mm/vmscan.c:1257-1258: a DMA-pinned anon folio is kept (keep_locked), not activated. */
    @Test
    void pinnedAnonFolioStaysInactive() {
        Folio f = onLru(fx.anon());
        fx.mm.mapcountAddReturn(f.pfn(), 1);
        assertEquals(0, f.tryGrabFolio(1, MemMap.FOLL_PIN));
        assertTrue(f.maybeDmaPinned());
        long act0 = fx.ev(VmEventItem.PGACTIVATE);
        assertEquals(0, shrinkInactive(LruList.LRU_INACTIVE_ANON));
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_INACTIVE_ANON));
        assertFalse(f.testActive());
        assertEquals(act0, fx.ev(VmEventItem.PGACTIVATE));
        f.gupPutFolio(1, MemMap.FOLL_PIN);
        // Unpinned, the same folio goes to activate_locked (no swap device).
        shrinkInactive(LruList.LRU_INACTIVE_ANON);
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_ACTIVE_ANON));
        fx.mm.mapcountAddReturn(f.pfn(), -1);
    }

    /** mm/vmscan.c:1359-1360: once unmapped, a pinned folio is activated before any freeing is tried. */
    @Test
    void pinnedFolioIsActivatedAfterTheUnmap() {
        Folio f = shmemFolio();
        f.get(); // the PTE's reference
        fx.mm.mapcountAddReturn(f.pfn(), 1);
        assertEquals(0, f.tryGrabFolio(1, MemMap.FOLL_PIN));
        assertEquals(0, shrinkInactive(LruList.LRU_INACTIVE_ANON));
        assertEquals(1, rmap.unmapCalls);
        assertFalse(f.mapped());
        assertEquals(0, rmap.removeCalls, "__remove_mapping is not tried");
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_ACTIVE_ANON));
        f.gupPutFolio(1, MemMap.FOLL_PIN);
    }

    /**
     * mm/vmscan.c:1363-1376: a dirty folio of the file LRU (here a lazyfree anon folio dirtied again
     * through a reference) counts NR_VMSCAN_IMMEDIATE, gets PG_reclaim and is activated, not freed.
     */
    @Test
    void dirtyLazyfreeFolioIsActivatedNotFreed() {
        Folio f = onLru(fx.anon());
        fx.on(0, () -> {
            fx.swap.folioMarkLazyfree(f);
            fx.swap.lruAddDrain();
        });
        assertFalse(f.testSwapbacked());
        f.set(PageFlags.PG_dirty);
        long imm0 = fx.node(NodeStatItem.NR_VMSCAN_IMMEDIATE);
        long lazy0 = fx.ev(VmEventItem.PGLAZYFREED);
        assertEquals(0, shrinkInactive(LruList.LRU_INACTIVE_FILE));
        assertEquals(imm0 + 1, fx.node(NodeStatItem.NR_VMSCAN_IMMEDIATE));
        assertEquals(lazy0, fx.ev(VmEventItem.PGLAZYFREED));
        assertTrue(f.test(PageFlags.PG_reclaim));
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_ACTIVE_FILE));
        assertEquals(1, f.refCount());
    }

    /**
     * mm/vmscan.c:1378-1404 and pageout() 635-658, shmem_writeout() without swap (mm/shmem.c:1615,
     * 1745-1747): a dirty,
     * unmapped shmem folio held only by the isolation and the page cache is cleaned for I/O, marked
     * PG_reclaim, re-dirtied by shmem_writeout (AOP_WRITEPAGE_ACTIVATE), PG_reclaim cleared again, and
     * activated; NR_VMSCAN_WRITE does not move.
     */
    @Test
    void dirtyShmemFolioWithoutSwapIsRedirtiedAndActivated() {
        Folio f = shmemFolio();
        f.set(PageFlags.PG_dirty);
        long write0 = fx.node(NodeStatItem.NR_VMSCAN_WRITE);
        long imm0 = fx.node(NodeStatItem.NR_VMSCAN_IMMEDIATE);
        assertEquals(0, shrinkInactive(LruList.LRU_INACTIVE_ANON));
        assertEquals(1, rmap.writeoutCalls);
        assertTrue(f.testDirty());
        assertFalse(f.test(PageFlags.PG_reclaim));
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_ACTIVE_ANON));
        assertEquals(0, rmap.removeCalls);
        assertEquals(write0, fx.node(NodeStatItem.NR_VMSCAN_WRITE));
        assertEquals(imm0, fx.node(NodeStatItem.NR_VMSCAN_IMMEDIATE), "shmem is not on the file LRU");
    }

    /** pageout(), mm/vmscan.c:635-636: a count other than 1 + nr means PAGE_KEEP: nothing is written. */
    @Test
    void pageoutKeepsAFolioSomebodyElseHolds() {
        Folio f = shmemFolio();
        f.set(PageFlags.PG_dirty);
        f.get(); // e.g. a speculative reference
        assertEquals(0, shrinkInactive(LruList.LRU_INACTIVE_ANON));
        assertEquals(0, rmap.writeoutCalls);
        assertTrue(f.testDirty());
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_INACTIVE_ANON), "keep_locked: not activated");
        f.put();
    }

    /** pageout(), mm/vmscan.c:637-638: a mapping that is not shmem is PAGE_ACTIVATE, still dirty. */
    @Test
    void pageoutActivatesADirtyFolioOfAnotherFilesystem() {
        rmap.shmem = false;
        Folio f = shmemFolio();
        f.set(PageFlags.PG_dirty);
        shrinkInactive(LruList.LRU_INACTIVE_ANON);
        assertEquals(0, rmap.writeoutCalls);
        assertTrue(f.testDirty());
        assertFalse(f.test(PageFlags.PG_reclaim));
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_ACTIVE_ANON));
    }

    /**
     * pageout(), mm/vmscan.c:661-667 and shrink_folio_list 1406-1416: a started write counts
     * NR_VMSCAN_WRITE and, still under writeback, keeps PG_reclaim and the folio (keep, unlocked).
     */
    @Test
    void pageoutInFlightCountsVmscanWriteAndKeeps() {
        rmap.writeout = folio -> {
            folio.set(PageFlags.PG_writeback);
            folio.unlock();
            return 0;
        };
        Folio f = shmemFolio();
        f.set(PageFlags.PG_dirty);
        long write0 = fx.node(NodeStatItem.NR_VMSCAN_WRITE);
        assertEquals(0, shrinkInactive(LruList.LRU_INACTIVE_ANON));
        assertEquals(write0 + 1, fx.node(NodeStatItem.NR_VMSCAN_WRITE));
        assertTrue(f.test(PageFlags.PG_reclaim));
        assertFalse(f.testLocked());
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_INACTIVE_ANON));
        f.clear(PageFlags.PG_writeback);
    }

    /**
     * mm/vmscan.c:1418-1430: a synchronous write leaves the folio clean: it is locked again and freed
     * through __remove_mapping.
     */
    @Test
    void pageoutSynchronousWriteFreesTheFolio() {
        rmap.writeout = folio -> {
            folio.unlock();
            return 0;
        };
        Folio f = shmemFolio();
        f.set(PageFlags.PG_dirty);
        long free0 = fx.machine.node().freePages();
        assertEquals(1, shrinkInactive(LruList.LRU_INACTIVE_ANON));
        assertEquals(1, rmap.removeCalls);
        assertEquals(free0 + 1, fx.machine.node().freePages());
        assertEquals(0, fx.node(NodeStatItem.NR_ISOLATED_ANON));
    }

    /** mm/vmscan.c:1492-1510 and 716-717: a clean page-cache folio is freed by __remove_mapping. */
    @Test
    void cleanPageCacheFolioIsFreedThroughRemoveMapping() {
        Folio f = shmemFolio();
        long free0 = fx.machine.node().freePages();
        long reclaimed = fx.on(0, () -> {
            assertTrue(fx.vmscan.folioIsolateLru(f));
            return fx.vmscan.reclaimPages(List.of(f));
        });
        assertEquals(1, reclaimed);
        assertEquals(1, rmap.removeCalls);
        assertEquals(free0 + 1, fx.machine.node().freePages());
    }

    /**
     * include/linux/folio_batch.h: folio_batch_reinit() keeps percpu_pvec_drained, so
     * __folio_batch_release() drains the per-CPU batches before the first batch of a pass only.
     */
    @Test
    void folioBatchReleaseDrainsOncePerPass() {
        FolioBatch pass = new FolioBatch(fx.mm);
        Folio a = onLru(fx.anon());
        a.get();
        pass.add(a);
        fx.on(0, () -> fx.swap.folioBatchRelease(pass));
        assertTrue(pass.percpuPvecDrained(), "kept by folios_put's folio_batch_reinit");
        Folio fresh = fx.anon();
        fx.on(0, () -> fx.swap.folioAddLru(fresh));
        assertEquals(1, fx.swap.batchCount(0, BatchKind.LRU_ADD));
        a.get();
        pass.add(a);
        fx.on(0, () -> fx.swap.folioBatchRelease(pass));
        assertEquals(1, fx.swap.batchCount(0, BatchKind.LRU_ADD), "the second batch of the pass did not drain");
        pass.init();
        assertFalse(pass.percpuPvecDrained());
        a.get();
        pass.add(a);
        fx.on(0, () -> fx.swap.folioBatchRelease(pass));
        assertEquals(0, fx.swap.batchCount(0, BatchKind.LRU_ADD), "a new pass drains first");
        assertTrue(fresh.testLru());
    }

    /**
     * mm/swap.c:1016: folios_put_refs() skips only the huge zero folio; a reference on the ordinary zero
     * page (taken by GUP with FOLL_GET) is dropped, and its count never reaches zero.
     */
    @Test
    void foliosPutDropsAReferenceOnTheZeroPage() {
        Folio zero = fx.machine.node().zeroFolio();
        int before = zero.refCount();
        assertEquals(0, zero.tryGrabFolio(1, MemMap.FOLL_GET));
        assertEquals(before + 1, zero.refCount());
        FolioBatch b = new FolioBatch(fx.mm);
        b.add(zero);
        fx.on(0, () -> fx.swap.foliosPut(b));
        assertEquals(before, zero.refCount());
        assertEquals(0, b.count());
    }
}
