package io.github.foliolab.folio;

import io.github.foliolab.folio.api.BadPageException;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.VmBugException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The per-mm mapcount slots of a large folio (CONFIG_MM_ID): folio_set_large_mapcount,
 * folio_add_return_large_mapcount and folio_sub_return_large_mapcount, the mapped-shared bit, the
 * locked exclusivity check of the large-folio reuse, refused calls, and the free-time check.
 */
class FolioMmIdsTest {
    private final Node node = Node.boot(4096, 4096);
    private final MemMap mm = node.memMap();

    private Folio alloc(int order) {
        Folio f = node.folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_COMP, order);
        assertNotNull(f);
        return f;
    }

    @Test
    void slotsTrackTwoMmsAndTheSharedBit() {
        Folio f = alloc(4);
        long p = f.pfn();
        assertEquals(FolioMmIds.MM_ID_DUMMY, FolioMmIds.mmId(mm, p, 0));
        assertEquals(-1, FolioMmIds.mmIdMapcount(mm, p, 0));
        FolioMmIds.setLargeMapcount(mm, p, 16, 7); // a new folio mapped whole by mm 7
        f.refAdd(15); // one reference per mapping (the allocation's is the first)
        assertEquals(16, f.mapcount());
        assertEquals(7, FolioMmIds.mmId(mm, p, 0));
        assertEquals(15, FolioMmIds.mmIdMapcount(mm, p, 0));
        assertFalse(FolioMmIds.maybeMappedShared(mm, p));

        assertEquals(20, FolioMmIds.addReturnLargeMapcount(mm, p, 4, 9)); // mm 9 maps 4 pages
        assertEquals(9, FolioMmIds.mmId(mm, p, 1));
        assertEquals(3, FolioMmIds.mmIdMapcount(mm, p, 1));
        assertTrue(FolioMmIds.maybeMappedShared(mm, p));
        assertEquals(21, FolioMmIds.addReturnLargeMapcount(mm, p, 1, 11)); // no slot for mm 11
        assertEquals(7, FolioMmIds.mmId(mm, p, 0));
        assertEquals(9, FolioMmIds.mmId(mm, p, 1));

        assertEquals(17, FolioMmIds.subReturnLargeMapcount(mm, p, 4, 9)); // mm 9 unmaps: slot freed
        assertEquals(FolioMmIds.MM_ID_DUMMY, FolioMmIds.mmId(mm, p, 1));
        assertEquals(-1, FolioMmIds.mmIdMapcount(mm, p, 1));
        assertTrue(FolioMmIds.testShared(mm, p), "mm 11's mapping is in no slot: still shared");
        assertEquals(16, FolioMmIds.subReturnLargeMapcount(mm, p, 1, 11));
        assertFalse(FolioMmIds.testShared(mm, p), "slot 0 holds all 16 mappings again");
        assertTrue(FolioMmIds.exclusiveLocked(mm, p, 7), "16 mappings, 16 references");
        f.get();
        assertFalse(FolioMmIds.exclusiveLocked(mm, p, 7), "a reference that is not a mapping");
        f.put();

        assertEquals(0, FolioMmIds.subReturnLargeMapcount(mm, p, 16, 7));
        f.refSub(15);
        assertEquals(-1, FolioMmIds.mmIdMapcount(mm, p, 0));
        assertEquals(FolioMmIds.MM_ID_DUMMY, FolioMmIds.mmId(mm, p, 0));
        assertEquals(-1, mm.largeMapcountRaw(p));
        assertTrue(mm.mmIdsTestAndSetLock(p, FolioMmIds.LOCK_BIT), "the bit lock was released");
        mm.setMmIdsRelease(p, mm.mmIdsRaw(p) & ~(1L << FolioMmIds.LOCK_BIT));
        assertTrue(f.put(), "freed: every slot is free again");
    }

    @Test
    void refusedCallsChangeNothing() {
        Folio f = alloc(2);
        long p = f.pfn();
        FolioMmIds.setLargeMapcount(mm, p, 4, 3);
        long ids = mm.mmIdsRaw(p);
        assertThrows(VmBugException.class, () -> FolioMmIds.addReturnLargeMapcount(mm, p, 0, 3));
        assertThrows(VmBugException.class, () -> FolioMmIds.addReturnLargeMapcount(mm, p, 5, 3), "more than nr pages");
        assertThrows(VmBugException.class, () -> FolioMmIds.subReturnLargeMapcount(mm, p, 1, 0), "MM_ID_DUMMY");
        assertThrows(VmBugException.class, () -> FolioMmIds.setLargeMapcount(mm, p, 4, 3), "slot 0 in use");
        Folio small = alloc(0);
        assertThrows(VmBugException.class, () -> FolioMmIds.addReturnLargeMapcount(mm, small.pfn(), 1, 3));
        assertEquals(ids, mm.mmIdsRaw(p));
        assertEquals(3, FolioMmIds.mmIdMapcount(mm, p, 0));
        assertEquals(4, f.mapcount());
        // Freeing a folio whose slot still counts mappings is a bad page (after _large_mapcount's check).
        mm.setLargeMapcountRaw(p, -1);
        BadPageException e = assertThrows(BadPageException.class, f::put);
        assertTrue(e.getMessage().contains("nonzero mm mapcount 0"), e.getMessage());
        assertTrue(small.put());
    }
}
