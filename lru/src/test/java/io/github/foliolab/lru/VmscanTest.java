package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.VmFlags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.github.foliolab.lru.LruFixture.assertFlags;
import static org.junit.jupiter.api.Assertions.*;

/** Reclaim's unevictable and activation logic, check_move_unevictable_folios, reclaim_pages. */
class VmscanTest {
    private final LruFixture fx = new LruFixture(2);

    @AfterEach
    void close() {
        fx.close();
    }

    /** A fake rmap: folios "mapped" once; unmapping drops the mapping's reference. */
    private static final class FakeRmap implements RmapOps {
        int referenced;
        long vmFlags;
        boolean mlockOnReference;

        @Override
        public Referenced folioReferenced(Folio folio, boolean isLocked) {
            if ((vmFlags & VmFlags.VM_LOCKED) != 0 && mlockOnReference) {
                folio.testSetMlocked(); // mlock_vma_folio() from folio_referenced_one (batch not modelled here)
            }
            return new Referenced(referenced, vmFlags);
        }

        @Override
        public boolean tryToUnmap(Folio folio) {
            if ((vmFlags & VmFlags.VM_LOCKED) != 0) return false;
            folio.memMap().mapcountAddReturn(folio.pfn(), -1);
            folio.put();
            return true;
        }
    }

    private Folio onLru(Folio f) {
        fx.on(0, () -> {
            fx.swap.folioAddLru(f);
            fx.swap.lruAddDrain();
        });
        return f;
    }

    private void map(Folio f) {
        fx.mm.mapcountAddReturn(f.pfn(), 1);
    }

    @Test
    void s14MlockedFolioOnAnEvictableListIsCulledByReclaim() {
        Folio f = onLru(fx.anon());
        f.testSetMlocked(); // R1b: PG_mlocked arrived while F was in an lru_add batch
        Map<VmEventItem, Long> ev = fx.events();
        long reclaimed = fx.on(0, () -> fx.vmscan.shrinkInactiveList(32, LruList.LRU_INACTIVE_ANON));
        assertEquals(0, reclaimed);
        assertFalse(f.testActive(), "activate_locked does not activate an mlocked folio");
        assertEquals(0, fx.node(NodeStatItem.NR_ISOLATED_ANON));
        fx.on(0, fx.swap::lruAddDrain); // the putback went through the lru_add batch
        assertFlags(f, true, false, true);
        assertTrue(f.testMlocked());
        assertEquals(0, f.mlockCount());
        assertEquals(1, f.refCount());
        assertEquals(ev.get(VmEventItem.UNEVICTABLE_PGCULLED) + 1, fx.ev(VmEventItem.UNEVICTABLE_PGCULLED));
        fx.assertOtherEventsUnchanged(ev, VmEventItem.UNEVICTABLE_PGCULLED);
        fx.assertListsConsistent();
    }

    @Test
    void s15VmLockedMappingFoundByTheRmapWalkCulls() {
        FakeRmap rmap = new FakeRmap();
        rmap.referenced = 1;
        rmap.vmFlags = VmFlags.VM_LOCKED | VmFlags.VM_READ;
        rmap.mlockOnReference = true;
        fx.setRmap(rmap);
        Folio f = onLru(fx.anon());
        map(f);
        Map<VmEventItem, Long> ev = fx.events();
        fx.on(0, () -> fx.vmscan.shrinkInactiveList(32, LruList.LRU_INACTIVE_ANON));
        fx.on(0, fx.swap::lruAddDrain);
        assertFlags(f, true, false, true);
        assertEquals(ev.get(VmEventItem.UNEVICTABLE_PGCULLED) + 1, fx.ev(VmEventItem.UNEVICTABLE_PGCULLED));
        assertEquals(ev.get(VmEventItem.PGACTIVATE), fx.ev(VmEventItem.PGACTIVATE));
        fx.assertListsConsistent();
    }

    @Test
    void lazyfreeFolioNobodyElseReferencesIsFreed() {
        fx.setRmap(new FakeRmap());
        Folio f = onLru(fx.anon());
        map(f);
        fx.on(0, () -> {
            fx.swap.folioMarkLazyfree(f);
            fx.swap.lruAddDrain();
        });
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_INACTIVE_FILE));
        long free0 = fx.machine.node().freePages();
        long lazy0 = fx.ev(VmEventItem.PGLAZYFREED);
        long file0 = fx.node(NodeStatItem.NR_INACTIVE_FILE);
        long reclaimed = fx.on(0, () -> fx.vmscan.shrinkInactiveList(32, LruList.LRU_INACTIVE_FILE));
        assertEquals(1, reclaimed);
        assertEquals(free0 + 1, fx.machine.node().freePages());
        assertEquals(lazy0 + 1, fx.ev(VmEventItem.PGLAZYFREED));
        assertEquals(file0 - 1, fx.node(NodeStatItem.NR_INACTIVE_FILE));
        assertEquals(0, fx.node(NodeStatItem.NR_ISOLATED_FILE));
        fx.assertListsConsistent();
    }

    @Test
    void referencedMappedFolioIsKeptThenActivatedWithoutRmap() {
        Folio f = onLru(fx.file());
        map(f);
        long act0 = fx.ev(VmEventItem.PGACTIVATE);
        fx.on(0, () -> fx.vmscan.shrinkInactiveList(32, LruList.LRU_INACTIVE_FILE));
        assertTrue(f.testReferenced());
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_INACTIVE_FILE));
        fx.on(0, () -> fx.vmscan.shrinkInactiveList(32, LruList.LRU_INACTIVE_FILE));
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_ACTIVE_FILE));
        assertEquals(act0 + 1, fx.ev(VmEventItem.PGACTIVATE));
        assertEquals(1, f.refCount());
        fx.mm.mapcountAddReturn(f.pfn(), -1);
        fx.assertListsConsistent();
    }

    @Test
    void anonWithoutSwapIsActivatedAndActiveListDeactivates() {
        List<Folio> fs = new ArrayList<>();
        for (int i = 0; i < 4; i++) fs.add(onLru(fx.anon()));
        long act0 = fx.ev(VmEventItem.PGACTIVATE);
        fx.on(0, () -> fx.vmscan.shrinkInactiveList(32, LruList.LRU_INACTIVE_ANON));
        for (Folio f : fs) assertTrue(fx.lruvec.isOnList(f, LruList.LRU_ACTIVE_ANON));
        assertEquals(act0 + 4, fx.ev(VmEventItem.PGACTIVATE));
        long deact0 = fx.ev(VmEventItem.PGDEACTIVATE);
        long refill0 = fx.node(NodeStatItem.PGREFILL);
        fx.on(0, () -> fx.vmscan.shrinkActiveList(32, LruList.LRU_ACTIVE_ANON));
        for (Folio f : fs) {
            assertTrue(fx.lruvec.isOnList(f, LruList.LRU_INACTIVE_ANON));
            assertTrue(f.testWorkingset());
            assertEquals(1, f.refCount());
        }
        assertEquals(deact0 + 4, fx.ev(VmEventItem.PGDEACTIVATE));
        assertEquals(refill0 + 4, fx.node(NodeStatItem.PGREFILL));
        fx.assertListsConsistent();
    }

    @Test
    void isolateLruFoliosSkipsAFolioSomeoneElseOwns() {
        Folio a = onLru(fx.anon());
        Folio b = onLru(fx.anon());
        assertTrue(b.testClearLru()); // another isolator won b and waits for lru_lock
        List<Folio> dst = new ArrayList<>();
        fx.lruvec.lock();
        Vmscan.IsolateResult r;
        try {
            r = fx.vmscan.isolateLruFolios(32, LruList.LRU_INACTIVE_ANON, dst, true);
        } finally {
            fx.lruvec.unlock();
        }
        assertEquals(1, r.nrTaken());
        // As in the kernel, a skipped folio rotates to the head and is met again at the tail until
        // nr_to_scan pages have been scanned.
        assertEquals(32, r.nrScanned());
        assertEquals(List.of(a), dst);
        assertEquals(2, a.refCount());
        assertEquals(1, b.refCount());
        assertTrue(fx.lruvec.isOnList(b, LruList.LRU_INACTIVE_ANON));
        b.setLru();
        fx.on(0, () -> fx.vmscan.moveFoliosToLru(dst));
        assertEquals(1, a.refCount());
        assertTrue(a.testLru());
        fx.assertListsConsistent();
        assertThrows(VmBugException.class, () -> fx.vmscan.isolateLruFolios(1, LruList.LRU_INACTIVE_ANON, dst, true));
    }

    @Test
    void s13EndCheckMoveUnevictableRescuesAStrandedFolio() {
        Folio f = onLru(fx.anon());
        f.testSetMlocked();
        fx.on(0, () -> {
            assertTrue(fx.vmscan.folioIsolateLru(f));
            fx.vmscan.folioPutbackLru(f);
            fx.swap.lruAddDrain();
        });
        assertFlags(f, true, false, true);
        f.testClearMlocked(); // stranded: unevictable without PG_mlocked
        long reclaimed = fx.on(0, () -> fx.vmscan.shrinkLruvec(32));
        assertEquals(0, reclaimed);
        assertFlags(f, true, false, true); // reclaim never scans the unevictable list
        Map<VmEventItem, Long> ev = fx.events();
        FolioBatch b = new FolioBatch(fx.mm);
        b.add(f);
        fx.on(0, () -> fx.vmscan.checkMoveUnevictableFolios(b));
        assertFlags(f, true, false, false);
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_INACTIVE_ANON));
        assertEquals(ev.get(VmEventItem.UNEVICTABLE_PGSCANNED) + 1, fx.ev(VmEventItem.UNEVICTABLE_PGSCANNED));
        assertEquals(ev.get(VmEventItem.UNEVICTABLE_PGRESCUED) + 1, fx.ev(VmEventItem.UNEVICTABLE_PGRESCUED));
        fx.assertOtherEventsUnchanged(ev, VmEventItem.UNEVICTABLE_PGSCANNED, VmEventItem.UNEVICTABLE_PGRESCUED);
        fx.assertListsConsistent();
    }

    @Test
    void reclaimPagesFreesWhatItCanAndPutsBackTheRest() {
        fx.setRmap(new FakeRmap());
        Folio lazy = onLru(fx.anon());
        map(lazy);
        fx.on(0, () -> {
            fx.swap.folioMarkLazyfree(lazy);
            fx.swap.lruAddDrain();
        });
        Folio file = onLru(fx.file());
        long free0 = fx.machine.node().freePages();
        long reclaimed = fx.on(0, () -> {
            assertTrue(fx.vmscan.folioIsolateLru(lazy));
            assertTrue(fx.vmscan.folioIsolateLru(file));
            return fx.vmscan.reclaimPages(List.of(lazy, file));
        });
        assertEquals(1, reclaimed);
        assertEquals(free0 + 1, fx.machine.node().freePages());
        fx.on(0, fx.swap::lruAddDrain);
        assertTrue(file.testLru());
        assertEquals(1, file.refCount());
        fx.assertListsConsistent();
        assertThrows(VmBugException.class, () -> fx.vmscan.reclaimPages(List.of(file)));
    }
}
