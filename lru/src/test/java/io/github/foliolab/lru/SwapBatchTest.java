package io.github.foliolab.lru;

import io.github.foliolab.folio.internal.PageWords;
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

/** Scenarios S2-S5, S19, S20 of docs/kernel-semantics.md section 12, and the batch entry points. */
class SwapBatchTest {
    private final LruFixture fx = new LruFixture(3);

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void s2FaultAddSitsInBatchWithExtraReference() {
        Folio f = fx.anon();
        long inactive0 = fx.node(NodeStatItem.NR_INACTIVE_ANON);
        fx.on(0, () -> fx.swap.folioAddLruVma(f, VmFlags.VM_READ | VmFlags.VM_WRITE));
        assertFlags(f, false, false, false);
        assertTrue(f.testSwapbacked());
        assertEquals(2, f.refCount());
        assertEquals(1, fx.swap.batchCount(0, BatchKind.LRU_ADD));
        assertTrue(fx.swap.batchContains(0, BatchKind.LRU_ADD, f));
        assertEquals(inactive0, fx.node(NodeStatItem.NR_INACTIVE_ANON));
        fx.on(0, fx.swap::lruAddDrain);
        assertFlags(f, true, false, false);
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_INACTIVE_ANON));
        assertEquals(1, f.refCount());
        assertEquals(inactive0 + 1, fx.node(NodeStatItem.NR_INACTIVE_ANON));
        assertEquals(0, fx.swap.batchCount(0, BatchKind.LRU_ADD));
        fx.assertListsConsistent();
    }

    @Test
    void s3TheThirtyFirstAddFlushesAll() {
        List<Folio> fs = new ArrayList<>();
        for (int i = 0; i < 31; i++) fs.add(fx.anon());
        long inactive0 = fx.node(NodeStatItem.NR_INACTIVE_ANON);
        fx.on(1, () -> {
            for (int i = 0; i < 30; i++) fx.swap.folioAddLru(fs.get(i));
        });
        assertEquals(30, fx.swap.batchCount(1, BatchKind.LRU_ADD));
        for (int i = 0; i < 30; i++) {
            assertFalse(fs.get(i).testLru());
            assertEquals(2, fs.get(i).refCount());
        }
        assertEquals(inactive0, fx.node(NodeStatItem.NR_INACTIVE_ANON));
        fx.on(1, () -> fx.swap.folioAddLru(fs.get(30)));
        assertEquals(0, fx.swap.batchCount(1, BatchKind.LRU_ADD));
        for (Folio f : fs) {
            assertTrue(f.testLru());
            assertEquals(1, f.refCount());
        }
        assertEquals(inactive0 + 31, fx.node(NodeStatItem.NR_INACTIVE_ANON));
        // LRU order: the batch is moved in order, each added at the head: the last added is the head.
        long[] list = fx.lruvec.listPfns(LruList.LRU_INACTIVE_ANON);
        assertEquals(fs.get(30).pfn(), list[0]);
        assertEquals(fs.get(0).pfn(), list[30]);
        fx.assertListsConsistent();
    }

    @Test
    void s4LargeFolioFlushesAndBypassesTheBatch() {
        List<Folio> small = new ArrayList<>();
        for (int i = 0; i < 5; i++) small.add(fx.anon());
        Folio large = fx.anon(4);
        long inactive0 = fx.node(NodeStatItem.NR_INACTIVE_ANON);
        fx.on(0, () -> small.forEach(fx.swap::folioAddLru));
        assertEquals(5, fx.swap.batchCount(0, BatchKind.LRU_ADD));
        fx.on(0, () -> fx.swap.folioAddLru(large));
        assertTrue(large.testLru());
        assertTrue(fx.lruvec.isOnList(large, LruList.LRU_INACTIVE_ANON));
        assertEquals(1, large.refCount());
        for (Folio f : small) {
            assertTrue(f.testLru());
            assertEquals(1, f.refCount());
        }
        assertEquals(0, fx.swap.batchCount(0, BatchKind.LRU_ADD));
        assertEquals(inactive0 + 5 + 16, fx.node(NodeStatItem.NR_INACTIVE_ANON));
        fx.assertListsConsistent();
    }

    @Test
    void s4LruCacheDisableDrainsEveryCpuAndBypasses() {
        Folio a = fx.anon();
        Folio b = fx.anon();
        fx.on(2, () -> fx.swap.folioAddLru(a));
        assertEquals(1, fx.swap.batchCount(2, BatchKind.LRU_ADD));
        fx.on(0, fx.swap::lruCacheDisable);
        assertTrue(fx.swap.lruCacheDisabled());
        assertEquals(0, fx.swap.batchCount(2, BatchKind.LRU_ADD));
        assertTrue(a.testLru());
        fx.on(0, () -> fx.swap.folioAddLru(b));
        assertTrue(b.testLru());
        assertEquals(1, b.refCount());
        assertEquals(0, fx.swap.batchCount(0, BatchKind.LRU_ADD));
        fx.swap.lruCacheEnable();
        assertFalse(fx.swap.lruCacheDisabled());
        assertThrows(VmBugException.class, fx.swap::lruCacheEnable);
        assertFalse(fx.swap.lruCacheDisabled());
    }

    @Test
    void s5IsolationOfAFolioInTheBatchFailsThenIsolatePutbackRefFlow() {
        Folio f = fx.anon();
        fx.on(0, () -> fx.swap.folioAddLru(f));
        long inactive0 = fx.node(NodeStatItem.NR_INACTIVE_ANON);
        long iso0 = fx.node(NodeStatItem.NR_ISOLATED_ANON);
        assertFalse(fx.on(0, () -> fx.vmscan.folioIsolateLru(f)));
        assertEquals(2, f.refCount());
        assertFalse(f.testLru());
        assertEquals(1, fx.swap.batchCount(0, BatchKind.LRU_ADD));

        fx.on(0, fx.swap::lruAddDrain);
        assertEquals(inactive0 + 1, fx.node(NodeStatItem.NR_INACTIVE_ANON));
        assertTrue(fx.on(0, () -> fx.vmscan.folioIsolateLru(f)));
        assertEquals(2, f.refCount());
        assertFlags(f, false, false, false);
        assertEquals(inactive0, fx.node(NodeStatItem.NR_INACTIVE_ANON));
        assertEquals(iso0, fx.node(NodeStatItem.NR_ISOLATED_ANON), "isolation accounting is the caller's");
        assertFalse(fx.lruvec.isOnList(f, LruList.LRU_INACTIVE_ANON));
        assertEquals(LruVec.LIST_POISON1, fx.mm.lruNext(f.pfn()));

        fx.on(0, () -> fx.vmscan.folioPutbackLru(f));
        assertEquals(2, f.refCount());
        assertFalse(f.testLru());
        assertEquals(inactive0, fx.node(NodeStatItem.NR_INACTIVE_ANON));
        fx.on(0, fx.swap::lruAddDrain);
        assertTrue(f.testLru());
        assertEquals(1, f.refCount());
        assertEquals(inactive0 + 1, fx.node(NodeStatItem.NR_INACTIVE_ANON));
        fx.assertListsConsistent();
    }

    @Test
    void doubleAddIsAVmBugDetectedBeforeAnyChange() {
        Folio f = fx.anon();
        fx.on(0, () -> fx.swap.folioAddLru(f));
        fx.on(0, fx.swap::lruAddDrain);
        assertThrows(VmBugException.class, () -> fx.on(0, () -> fx.swap.folioAddLru(f)));
        assertEquals(1, f.refCount());
        assertEquals(0, fx.swap.batchCount(0, BatchKind.LRU_ADD));
        Folio g = fx.anon();
        g.setActive();
        g.setUnevictable();
        assertThrows(VmBugException.class, () -> fx.on(0, () -> fx.swap.folioAddLru(g)));
        assertEquals(1, g.refCount());
    }

    @Test
    void s19aMarkAccessedTwiceQueuesActivation() {
        Folio f = fx.file();
        fx.on(0, () -> fx.swap.folioAddLru(f));
        fx.on(0, fx.swap::lruAddDrain);
        Map<VmEventItem, Long> ev = fx.events();
        fx.on(0, () -> fx.swap.folioMarkAccessed(f));
        assertTrue(f.testReferenced());
        assertEquals(1, f.refCount());
        fx.on(0, () -> fx.swap.folioMarkAccessed(f));
        assertFalse(f.testReferenced());
        assertEquals(2, f.refCount());
        assertTrue(f.testLru());
        assertFalse(f.testActive());
        assertEquals(1, fx.swap.batchCount(0, BatchKind.LRU_ACTIVATE));
        fx.on(0, fx.swap::lruAddDrain);
        assertFlags(f, true, true, false);
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_ACTIVE_FILE));
        assertEquals(ev.get(VmEventItem.PGACTIVATE) + 1, fx.ev(VmEventItem.PGACTIVATE));
        assertEquals(1, f.refCount());
        fx.assertOtherEventsUnchanged(ev, VmEventItem.PGACTIVATE);
        fx.assertListsConsistent();
    }

    @Test
    void s19bMarkAccessedInTheLocalAddBatchActivatesWithoutEvent() {
        Folio f = fx.file();
        f.setReferenced();
        fx.on(0, () -> fx.swap.folioAddLru(f));
        long act0 = fx.ev(VmEventItem.PGACTIVATE);
        fx.on(0, () -> fx.swap.folioMarkAccessed(f));
        assertTrue(f.testActive());
        assertFalse(f.testReferenced());
        fx.on(0, fx.swap::lruAddDrain);
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_ACTIVE_FILE));
        assertEquals(act0, fx.ev(VmEventItem.PGACTIVATE));
        fx.assertListsConsistent();
    }

    @Test
    void s19bRemoteBatchIsNotActivated() {
        Folio f = fx.file();
        f.setReferenced();
        fx.on(1, () -> fx.swap.folioAddLru(f));
        fx.on(0, () -> fx.swap.folioMarkAccessed(f));
        assertFalse(f.testActive());
        assertFalse(f.testReferenced());
        fx.on(1, fx.swap::lruAddDrain);
        assertTrue(fx.lruvec.isOnList(f, LruList.LRU_INACTIVE_FILE));
    }

    @Test
    void s19cUnevictableIsLeftAlone() {
        Folio f = fx.file();
        f.set(PageFlags.PG_mlocked);
        fx.on(0, () -> fx.swap.folioAddLru(f));
        fx.on(0, fx.swap::lruAddDrain);
        assertFlags(f, true, false, true);
        f.setReferenced();
        long flags = f.flags();
        fx.on(0, () -> fx.swap.folioMarkAccessed(f));
        assertEquals(flags, f.flags());
        assertEquals(1, f.refCount());
        assertEquals(0, fx.swap.batchCount(0, BatchKind.LRU_ACTIVATE));
    }

    @Test
    void s20QueuedActivationLostByIsolation() {
        Folio f = fx.anon();
        fx.on(0, () -> fx.swap.folioAddLru(f));
        fx.on(0, fx.swap::lruAddDrain);
        Map<VmEventItem, Long> ev = fx.events();
        fx.on(0, () -> fx.swap.folioActivate(f));
        assertEquals(2, f.refCount());
        assertTrue(fx.on(1, () -> fx.vmscan.folioIsolateLru(f)));
        assertEquals(3, f.refCount());
        fx.on(0, fx.swap::lruAddDrain);
        assertFlags(f, false, false, false);
        assertEquals(2, f.refCount(), "the batch reference is dropped, the isolation one stays");
        fx.assertOtherEventsUnchanged(ev);
        fx.on(1, () -> fx.vmscan.folioPutbackLru(f));
        fx.on(1, fx.swap::lruAddDrain);
        assertEquals(1, f.refCount());
        fx.assertListsConsistent();
    }

    @Test
    void unevictableFolioIsCountedButNotLinked() {
        Folio f = fx.anon();
        f.set(PageFlags.PG_mlocked);
        long unev0 = fx.node(NodeStatItem.NR_UNEVICTABLE);
        long culled0 = fx.ev(VmEventItem.UNEVICTABLE_PGCULLED);
        PageWords.setMlockCount(fx.mm, f.pfn(), 7);
        fx.on(0, () -> fx.swap.folioAddLru(f));
        fx.on(0, fx.swap::lruAddDrain);
        assertFlags(f, true, false, true);
        assertEquals(0, f.mlockCount(), "lru_add resets mlock_count");
        assertEquals(unev0 + 1, fx.node(NodeStatItem.NR_UNEVICTABLE));
        assertEquals(culled0 + 1, fx.ev(VmEventItem.UNEVICTABLE_PGCULLED));
        assertNull(fx.lruvec.linkedListOf(f));
        PageWords.setMlockCount(f.memMap(), f.pfn(), 3); // the lru words are free for mlock_count while unevictable
        fx.assertListsConsistent();
        assertEquals(3, f.mlockCount());
    }

    @Test
    void countersPrintAsProcVmstatLines() {
        Folio f = fx.anon();
        f.set(PageFlags.PG_mlocked);
        fx.on(0, () -> {
            fx.swap.folioAddLru(f);
            fx.swap.lruAddDrain();
        });
        List<String> lines = fx.vmstat.procVmstat();
        assertTrue(lines.contains("nr_unevictable " + fx.node(NodeStatItem.NR_UNEVICTABLE)));
        assertTrue(lines.contains("nr_zone_unevictable " + fx.vmstat.zoneSum(io.github.foliolab.folio.api.ZoneStatItem.NR_ZONE_UNEVICTABLE)));
        assertTrue(lines.contains("unevictable_pgs_culled " + fx.ev(VmEventItem.UNEVICTABLE_PGCULLED)));
        assertEquals(1, fx.ev(VmEventItem.UNEVICTABLE_PGCULLED));
    }

    @Test
    void moveFunctionsDeactivateLazyfreeRotate() {
        Folio a = fx.anon();
        Folio b = fx.anon();
        Folio c = fx.file();
        fx.on(0, () -> {
            fx.swap.folioAddLru(a);
            fx.swap.folioAddLru(b);
            fx.swap.folioAddLru(c);
            fx.swap.lruAddDrain();
            fx.swap.folioActivate(a);
            fx.swap.lruAddDrain();
        });
        assertTrue(fx.lruvec.isOnList(a, LruList.LRU_ACTIVE_ANON));
        Map<VmEventItem, Long> ev = fx.events();
        fx.on(0, () -> {
            fx.swap.folioDeactivate(a);
            fx.swap.folioDeactivate(b); // inactive: not queued
            fx.swap.folioMarkLazyfree(b);
            c.set(PageFlags.PG_reclaim);
            fx.swap.folioRotateReclaimable(c);
        });
        assertEquals(1, fx.swap.batchCount(0, BatchKind.LRU_DEACTIVATE));
        assertEquals(1, fx.swap.batchCount(0, BatchKind.LRU_LAZYFREE));
        assertEquals(1, fx.swap.batchCount(0, BatchKind.LRU_MOVE_TAIL));
        assertEquals(2, b.refCount());
        fx.on(0, fx.swap::lruAddDrain);
        assertTrue(fx.lruvec.isOnList(a, LruList.LRU_INACTIVE_ANON));
        assertTrue(fx.lruvec.isOnList(b, LruList.LRU_INACTIVE_FILE));
        assertFalse(b.testSwapbacked());
        long[] file = fx.lruvec.listPfns(LruList.LRU_INACTIVE_FILE);
        assertEquals(c.pfn(), file[file.length - 1], "rotated to the tail");
        assertEquals(ev.get(VmEventItem.PGDEACTIVATE) + 1, fx.ev(VmEventItem.PGDEACTIVATE));
        assertEquals(ev.get(VmEventItem.PGLAZYFREE) + 1, fx.ev(VmEventItem.PGLAZYFREE));
        assertEquals(ev.get(VmEventItem.PGROTATED) + 1, fx.ev(VmEventItem.PGROTATED));
        fx.assertOtherEventsUnchanged(ev, VmEventItem.PGDEACTIVATE, VmEventItem.PGLAZYFREE, VmEventItem.PGROTATED);
        for (Folio f : List.of(a, b, c)) assertEquals(1, f.refCount());
        fx.on(0, () -> fx.swap.deactivateFileFolio(c));
        fx.on(0, fx.swap::lruAddDrain);
        assertEquals(ev.get(VmEventItem.PGROTATED) + 2, fx.ev(VmEventItem.PGROTATED));
        fx.assertListsConsistent();
    }

    @Test
    void finalPutOfAnLruFolioUnlinksAndFrees() {
        Folio f = fx.anon();
        fx.on(0, () -> fx.swap.folioAddLru(f));
        fx.on(0, fx.swap::lruAddDrain);
        long free0 = fx.machine.node().freePages();
        long inactive0 = fx.node(NodeStatItem.NR_INACTIVE_ANON);
        assertTrue(f.put());
        assertEquals(free0 + 1, fx.machine.node().freePages());
        assertEquals(inactive0 - 1, fx.node(NodeStatItem.NR_INACTIVE_ANON));
        fx.assertListsConsistent();
    }

    @Test
    void s32DeadFolioInTheAddBatchIsFreedNotAdded() {
        Folio f = fx.anon();
        fx.on(0, () -> fx.swap.folioAddLru(f));
        f.put(); // the owner goes away: the batch holds the last reference
        long free0 = fx.machine.node().freePages();
        long inactive0 = fx.node(NodeStatItem.NR_INACTIVE_ANON);
        fx.on(0, fx.swap::lruAddDrain);
        assertEquals(free0 + 1, fx.machine.node().freePages());
        assertEquals(inactive0, fx.node(NodeStatItem.NR_INACTIVE_ANON));
        fx.assertListsConsistent();
    }

    @Test
    void foliosPutRefsAndReleasePages() {
        List<Folio> fs = new ArrayList<>();
        for (int i = 0; i < 40; i++) fs.add(fx.anon());
        fx.on(0, () -> {
            fs.forEach(fx.swap::folioAddLru);
            fx.swap.lruAddDrain();
        });
        for (Folio f : fs) f.get();
        long free0 = fx.machine.node().freePages();
        fx.on(0, () -> fx.swap.releasePages(fs));
        assertEquals(free0, fx.machine.node().freePages());
        FolioBatch b = new FolioBatch(fx.mm);
        for (int i = 0; i < 31; i++) b.add(fs.get(i));
        int[] refs = new int[31];
        java.util.Arrays.fill(refs, 1);
        fx.on(0, () -> fx.swap.foliosPutRefs(b, refs));
        assertEquals(0, b.count());
        assertEquals(free0 + 31, fx.machine.node().freePages());
        fx.assertListsConsistent();
    }

    @Test
    void sharedBufferPolicyAddsThroughTheBuffer() {
        try (LruFixture sb = new LruFixture(2, LruBatchPolicies.sharedBuffer(256), PerCpuWorkqueue.Mode.THREADS)) {
            List<Folio> fs = new ArrayList<>();
            for (int i = 0; i < 20; i++) fs.add(sb.anon());
            sb.on(0, () -> fs.forEach(sb.swap::folioAddLru));
            assertEquals(20, sb.swap.sharedBufferCount());
            assertEquals(0, sb.swap.batchCount(0, BatchKind.LRU_ADD));
            assertFalse(fs.get(0).testLru());
            assertEquals(2, fs.get(0).refCount());
            sb.on(1, sb.swap::lruAddDrainAll);
            assertEquals(0, sb.swap.sharedBufferCount());
            for (Folio f : fs) {
                assertTrue(f.testLru());
                assertEquals(1, f.refCount());
            }
            sb.assertListsConsistent();
        }
    }
}
