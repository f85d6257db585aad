package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.mlock.Mlock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One lruvec and lru_lock per node: folios go to their own node's lists, counters to its vmstat. */
class NumaLruTest {
    private static Machine twoNodes() {
        return Machine.builder().cpus(2).node(2048, 2048).node(2048, 2048).build();
    }

    private static Folio allocOn(Machine m, int cpu) {
        return m.cpu(cpu).call(() -> m.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0));
    }

    @Test
    void eachNodeHasItsOwnLruvecAndLock() {
        try (Machine m = twoNodes()) {
            LruVec l0 = LruVec.of(m, 0), l1 = LruVec.of(m, 1);
            assertSame(LruVec.of(m), l0);
            assertNotSame(l0, l1);
            assertNotSame(l0.lruLock(), l1.lruLock());
            assertSame(m.node(1), l1.node());
            Folio f0 = allocOn(m, 0), f1 = allocOn(m, 1);
            assertSame(l1, l0.forPfn(f1.pfn()));
            assertSame(l0, l1.forPfn(f0.pfn()));
        }
    }

    @Test
    void aBatchOfBothNodesDrainsIntoEachNodesLists() {
        try (Machine m = twoNodes()) {
            Swap swap = Swap.of(m);
            Folio f0 = allocOn(m, 0), f1 = allocOn(m, 1), g1 = allocOn(m, 1);
            m.cpu(0).run(() -> {
                swap.folioAddLru(f0);
                swap.folioAddLru(f1);
                swap.folioAddLru(g1);
                swap.lruAddDrain();
            });
            assertEquals(1, LruVec.of(m, 0).size(LruList.LRU_INACTIVE_FILE));
            assertEquals(2, LruVec.of(m, 1).size(LruList.LRU_INACTIVE_FILE));
            assertEquals(1, m.node(0).vmstat().node(NodeStatItem.NR_INACTIVE_FILE));
            assertEquals(2, m.node(1).vmstat().node(NodeStatItem.NR_INACTIVE_FILE));
            assertEquals(3, m.vmstatSum("nr_inactive_file"));
            assertTrue(f1.test(PageFlags.PG_lru));
            // Isolation takes it off its own node's list and counts it there.
            Vmscan vmscan = Vmscan.of(m);
            m.cpu(1).run(() -> {
                assertTrue(vmscan.folioIsolateLru(f1));
                vmscan.modIsolated(f1, 1);
            });
            assertEquals(1, LruVec.of(m, 1).size(LruList.LRU_INACTIVE_FILE));
            assertEquals(1, m.node(1).vmstat().node(NodeStatItem.NR_ISOLATED_FILE));
            assertEquals(0, m.node(0).vmstat().node(NodeStatItem.NR_ISOLATED_FILE));
            m.cpu(1).run(() -> {
                vmscan.modIsolated(f1, -1);
                vmscan.folioPutbackLru(f1);
                swap.lruAddDrain();
            });
            assertEquals(2, LruVec.of(m, 1).size(LruList.LRU_INACTIVE_FILE));
            // The final puts take each folio off its own node's list (page_cache_release) and free it there.
            long free1 = m.node(1).freePages();
            m.cpu(0).run(() -> {
                f0.put();
                f1.put();
                g1.put();
            });
            assertEquals(0, LruVec.of(m, 0).size(LruList.LRU_INACTIVE_FILE));
            assertEquals(0, LruVec.of(m, 1).size(LruList.LRU_INACTIVE_FILE));
            assertEquals(free1 + 2, m.node(1).freePages());
        }
    }

    @Test
    void theSharedAddBufferPolicyIsRefusedOnSeveralNodes() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Machine.builder().cpus(2).node(2048, 2048).node(2048, 2048)
                        .with(Swap.POLICY, LruBatchPolicies.sharedBuffer(64)).build());
        assertTrue(e.getMessage().contains("one-node machines only"), e.getMessage());
    }

    @Test
    void mlockCountsOnTheFolioNode() {
        try (Machine m = twoNodes()) {
            Swap swap = Swap.of(m);
            Mlock mlock = Mlock.of(m);
            Folio f1 = allocOn(m, 1);
            m.cpu(1).run(() -> {
                swap.folioAddLru(f1);
                swap.lruAddDrain();
                mlock.mlockFolio(f1);
                mlock.mlockDrainLocal();
            });
            assertTrue(f1.test(PageFlags.PG_unevictable));
            assertEquals(1, LruVec.of(m, 1).size(LruList.LRU_UNEVICTABLE));
            assertEquals(0, LruVec.of(m, 0).size(LruList.LRU_UNEVICTABLE));
            assertEquals(1, m.node(1).vmstat().zoneSum(ZoneStatItem.NR_MLOCK));
            assertEquals(0, m.node(0).vmstat().zoneSum(ZoneStatItem.NR_MLOCK));
            assertEquals(1, m.vmstatSum("nr_mlock"));
            assertEquals(1, m.vmstatSum("unevictable_pgs_culled"));
        }
    }
}
