package io.github.foliolab.folio;

import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.folio.api.ZoneType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A machine of several NUMA nodes: one pfn space, per-node zones and counters, zonelist fallback. */
class NumaTest {
    private static Machine twoNodes() {
        return Machine.builder().cpus(2).node(2048, 1024).node(1024, 1024).modules(List.of()).build();
    }

    @Test
    void nodesShareOnePfnSpaceAndKnowTheirPages() {
        try (Machine m = twoNodes()) {
            assertEquals(2, m.nodes().size());
            assertEquals(5120, m.memMap().nrPages());
            Node n0 = m.node(0), n1 = m.node(1);
            assertEquals(0, n0.startPfn());
            assertEquals(3072, n0.spannedPages());
            assertEquals(3072, n1.startPfn());
            assertEquals(3072, n1.zone(ZoneType.ZONE_NORMAL).startPfn());
            assertEquals(4096, n1.zone(ZoneType.ZONE_MOVABLE).startPfn());
            for (long pfn : new long[] {0, 2047, 2048, 3071}) {
                assertEquals(0, m.memMap().nid(pfn));
                assertSame(n0, m.memMap().nodeOf(pfn));
            }
            for (long pfn : new long[] {3072, 4095, 4096, 5119}) {
                assertEquals(1, m.memMap().nid(pfn));
                assertSame(n1, m.memMap().nodeOf(pfn));
            }
            // page_zone() of any node's pfn, asked of any node.
            assertSame(n1.zone(ZoneType.ZONE_MOVABLE), n0.zoneOf(4500));
            assertSame(n0.zone(ZoneType.ZONE_MOVABLE), n1.zoneOf(2500));
            // The zero page: node 0's kernel zone, whichever node is asked.
            assertEquals(0, n1.zeroPfn());
            assertSame(n0.zone(ZoneType.ZONE_NORMAL), n0.zoneOf(n0.zeroPfn()));
            assertEquals(0, m.cpu(0).node());
            assertEquals(1, m.cpu(1).node());
            // Free pages per node, summed for /proc/vmstat.
            assertEquals(3071, n0.freePages());
            assertEquals(2048, n1.freePages());
            assertEquals(5119, m.vmstatSum("nr_free_pages"));
            assertTrue(m.procVmstat().contains("nr_free_pages 5119"));
        }
    }

    @Test
    void movableAllocationsComeFromTheLocalNodeMovableZoneFirst() {
        try (Machine m = twoNodes()) {
            Folio f1 = m.cpu(1).call(() -> m.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0));
            assertEquals(1, f1.nid());
            assertSame(m.node(1), f1.pgdat());
            assertEquals(ZoneType.ZONE_MOVABLE, f1.zone().type());
            Folio f0 = m.cpu(0).call(() -> m.node(1).folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0));
            assertEquals(0, f0.nid());
            assertEquals(ZoneType.ZONE_MOVABLE, f0.zone().type());
            Folio k = m.cpu(1).call(() -> m.node().folioAlloc(Gfp.GFP_KERNEL, 0));
            assertEquals(1, k.nid());
            assertEquals(ZoneType.ZONE_NORMAL, k.zone().type());
            // Off any CPU: the node asked.
            assertEquals(1, m.node(1).folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0).nid());
        }
    }

    @Test
    void theZonelistFallsBackLocalKernelZoneThenOtherNode() {
        try (Machine m = twoNodes()) {
            List<Folio> got = new ArrayList<>();
            m.cpu(1).run(() -> {
                for (int i = 0; i < 2048 + 5; i++) {
                    got.add(m.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0));
                }
            });
            // 1024 from node 1's ZONE_MOVABLE, 1024 from its ZONE_NORMAL, then node 0's ZONE_MOVABLE.
            assertEquals(ZoneType.ZONE_MOVABLE, got.get(1023).zone().type());
            assertEquals(1, got.get(1023).nid());
            assertEquals(ZoneType.ZONE_NORMAL, got.get(1024).zone().type());
            assertEquals(1, got.get(2047).nid());
            assertEquals(0, got.get(2048).nid());
            assertEquals(ZoneType.ZONE_MOVABLE, got.get(2048).zone().type());
            assertEquals(0, m.node(1).freePages());
            // __GFP_THISNODE: no fallback.
            assertNull(m.node(1).folioAllocThisNode(Gfp.GFP_HIGHUSER_MOVABLE, 0));
            // Freeing returns each folio to its own node.
            long before0 = m.node(0).freePages();
            for (Folio f : got) {
                m.memMap().put(f.pfn());
            }
            assertEquals(2048, m.node(1).freePages());
            assertEquals(before0 + 5, m.node(0).freePages());
            assertEquals(2048, m.node(1).vmstat().zoneSum(ZoneStatItem.NR_FREE_PAGES));
        }
    }

    @Test
    void oneNodeMachineIsUnchanged() {
        try (Machine m = Machine.builder().cpus(2).zones(4096, 1024).modules(List.of()).build()) {
            assertEquals(1, m.nodes().size());
            assertEquals(0, m.cpu(1).node());
            Folio f = m.cpu(1).call(() -> m.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0));
            assertEquals(0, f.nid());
            assertEquals(ZoneType.ZONE_MOVABLE, f.zone().type());
            assertEquals(0, m.memMap().flagsWord(1) >>> 56 & 63);
        }
    }

    @Test
    void badShapesAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Machine.builder().node(1000, 100).node(1024, 0).modules(List.of()).build());
        assertThrows(IllegalArgumentException.class,
                () -> Machine.builder().cpus(2).node(1024, 0).node(1024, 0).cpuNodes(0, 2).modules(List.of()).build());
        assertThrows(IllegalArgumentException.class, () -> {
            try (Machine m = twoNodes()) {
                m.node(2);
            }
        });
    }
}
