package io.github.foliolab.folio;

import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageLayout;
import io.github.foliolab.folio.api.ZoneType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class AllocatorTest {
    @Test
    void noPageHandedOutTwiceAndEverythingMergesBack() {
        Node node = Node.boot(8192, 8192);
        long free = node.freePages();
        long maxBlocks = node.zone(ZoneType.ZONE_MOVABLE).nrFree(PageLayout.MAX_PAGE_ORDER);
        BitSet used = new BitSet();
        List<Folio> folios = new ArrayList<>();
        Random r = new Random(42);
        long pages = 0;
        while (true) {
            int order = r.nextInt(4) == 0 ? r.nextInt(6) : 0;
            int gfp = r.nextBoolean() ? Gfp.GFP_HIGHUSER_MOVABLE : Gfp.GFP_KERNEL;
            Folio f = node.folioAlloc(gfp, order);
            if (f == null) {
                if (order == 0 && gfp == Gfp.GFP_HIGHUSER_MOVABLE) break;
                continue;
            }
            for (long p = f.pfn(); p < f.pfn() + f.nrPages(); p++) {
                assertFalse(used.get((int) p), "pfn " + p + " handed out twice");
                used.set((int) p);
            }
            assertEquals(0, f.pfn() & ((1L << order) - 1), "block aligned to its order");
            if (gfp == Gfp.GFP_KERNEL) {
                assertEquals(ZoneType.ZONE_NORMAL, f.zone().type(), "unmovable allocations stay in ZONE_NORMAL");
            }
            folios.add(f);
            pages += f.nrPages();
        }
        assertEquals(free, pages, "exhaustion comes only when every free page was handed out");
        assertEquals(0, node.freePages());
        java.util.Collections.shuffle(folios, r);
        for (Folio f : folios) {
            assertTrue(f.put());
        }
        assertEquals(free, node.freePages());
        assertEquals(maxBlocks, node.zone(ZoneType.ZONE_MOVABLE).nrFree(PageLayout.MAX_PAGE_ORDER),
                "full merge back to max-order blocks");
        for (int o = 0; o < PageLayout.MAX_PAGE_ORDER; o++) {
            assertEquals(0, node.zone(ZoneType.ZONE_MOVABLE).nrFree(o), "no stray order-" + o + " block in ZONE_MOVABLE");
        }
    }

    @Test
    void exhaustionIsAnErrorAndCorruptsNothing() {
        Node node = Node.boot(1024, 0);
        List<Folio> all = new ArrayList<>();
        Folio f;
        while ((f = node.folioAlloc(Gfp.GFP_KERNEL, 0)) != null) {
            all.add(f);
        }
        assertEquals(0, node.freePages());
        Snapshot s = Snapshot.of(node);
        assertNull(node.folioAlloc(Gfp.GFP_KERNEL, 0));
        assertNull(node.folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 3));
        assertTrue(s.sameAs(Snapshot.of(node)), "a failed allocation changes nothing");
        all.forEach(Folio::put);
        assertEquals(1023, node.freePages(), "all but the zero page");
    }

    @Test
    void cmaServesOnlyMovableAllocations() {
        Node node = Node.boot(2048, 0, 2);
        Zone normal = node.zone(ZoneType.ZONE_NORMAL);
        long cmaStart = 2048 - 1024;
        assertTrue(normal.isCmaPage(cmaStart));
        assertFalse(normal.isCmaPage(cmaStart - 1));
        List<Folio> kernel = new ArrayList<>();
        Folio f;
        while ((f = node.folioAlloc(Gfp.GFP_KERNEL, 0)) != null) {
            assertFalse(normal.isCmaPage(f.pfn()), "unmovable allocation from CMA at pfn " + f.pfn());
            kernel.add(f);
        }
        assertEquals(1023, kernel.size());
        Folio movable = node.folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        assertNotNull(movable);
        assertTrue(normal.isCmaPage(movable.pfn()));
        assertTrue(node.isMovableOrCma(movable.pfn()));
        assertFalse(node.isMovableOrCma(kernel.get(0).pfn()));
    }

    @Test
    void zeroPageIsReservedAndNeverHandedOut() {
        Node node = Node.boot(1024, 0);
        Folio z = node.zeroFolio();
        assertTrue(z.isZero());
        assertTrue(z.test(io.github.foliolab.folio.api.PageFlags.PG_reserved));
        Folio f;
        while ((f = node.folioAlloc(Gfp.GFP_KERNEL, 0)) != null) {
            assertNotEquals(z.pfn(), f.pfn());
        }
    }

    /** Free pages' buddy links overlay compound_info: none may look like a tail page. */
    @Test
    void freePagesNeverLookLikeTails() {
        Node node = Node.boot(2048, 1024);
        List<Folio> held = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            held.add(node.folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0));
        }
        for (int i = 0; i < held.size(); i += 2) {
            held.get(i).put(); // leaves odd and even pfns on the order-0 lists
        }
        MemMap mm = node.memMap();
        for (long pfn = 0; pfn < mm.nrPages(); pfn++) {
            if (mm.isBuddy(pfn)) {
                assertFalse(mm.isTail(pfn), "free pfn " + pfn + " looks like a tail page");
                assertEquals(pfn, mm.pageFolio(pfn).pfn());
            }
        }
    }

    @Test
    void badSizesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Node.boot(100, 0));
        assertThrows(IllegalArgumentException.class, () -> Node.boot(1024, -1));
        assertThrows(IllegalArgumentException.class, () -> Node.boot(1024, 0, 2));
        Node node = Node.boot(1024, 0);
        assertThrows(IllegalArgumentException.class, () -> node.folioAlloc(0, 11));
    }
}
