package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.FolioMmIds;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmEventItem;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reclaim of a whole large anonymous folio (shrink_folio_list splits it when the swap allocation fails),
 * the per-mm mapcount tracking of large folios (CONFIG_MM_ID) through fork and exit, and the reuse of a
 * whole large folio by a write fault (__wp_can_reuse_large_anon_folio).
 */
class ThpReclaimReuseTest {
    static final long P = PAGE_SIZE;
    static final int ORDER = 4; // 64 KiB
    static final long HINT = 0x2_0000_0000L;

    final MmFixture fx = new MmFixture();
    final Machine machine = fx.machine;
    final MemMap memMap = machine.memMap();
    final Thp thp = Mm.of(machine).thp();

    private long mmapLarge() {
        long a = fx.task.mmap(HINT, 16 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        assertEquals(HINT, a);
        thp.settings().setEnabled(ORDER, ThpSettings.Mode.ALWAYS);
        return a;
    }

    private long stat(MthpStats.Item item) {
        return thp.stats().get(ORDER, item);
    }

    @Test
    void pageoutOfAWholeLargeFolioSplitsItAndActivatesThePieces() {
        long a = mmapLarge();
        assertEquals(0, fx.task.touch(a, true)); // one 64 KiB folio, only page 0 written
        Folio f = fx.folioAt(a);
        long head = f.pfn();
        assertEquals(ORDER, f.order());
        assertEquals(0, fx.task.madvise(a, 16 * P, MADV_PAGEOUT));
        Folio first = fx.folioAt(a);
        assertEquals(head, first.pfn());
        assertFalse(first.isLarge(), "split to order 0");
        assertTrue(first.testActive(), "activate_locked_split: no swap device");
        assertFalse(first.testLru(), "put back through this CPU's lru_add batch");
        assertEquals(2, first.refCount(), "its PTE and the batch");
        for (int i = 1; i < 16; i++) {
            long pte = fx.pte(a + i * P);
            assertTrue(Pte.special(pte) && Pte.pfn(pte) == fx.task.machine().node().zeroPfn(),
                    "never-written page " + i + " is the zero page now");
            assertEquals(1, memMap.refCountRaw(head + i), "page " + i + ": only the batch holds the piece");
        }
        assertEquals(1, stat(MthpStats.Item.SPLIT));
        assertEquals(1, stat(MthpStats.Item.SWPOUT_FALLBACK));
        assertEquals(0, stat(MthpStats.Item.NR_ANON));
        fx.task.lruAddDrain();
        assertTrue(first.testLru() && first.testActive());
        for (int i = 1; i < 16; i++) {
            assertEquals(0, memMap.refCountRaw(head + i), "page " + i + " freed when the batch drained");
        }
    }

    @Test
    void pageoutOfALargeFolioWithAnExtraReferenceActivatesItWhole() {
        long a = mmapLarge();
        assertEquals(0, fx.task.touch(a, true));
        Folio f = fx.folioAt(a);
        f.get(); // an extra reference (as a GUP user would hold): the folio cannot be split
        try {
            assertEquals(0, fx.task.madvise(a, 16 * P, MADV_PAGEOUT));
            assertEquals(ORDER, f.order(), "not split");
            assertTrue(f.testActive(), "activate_locked");
            assertEquals(0, stat(MthpStats.Item.SPLIT));
            assertEquals(0, stat(MthpStats.Item.SWPOUT_FALLBACK));
            assertTrue(f.testLru(), "a large folio put back passes through the lru_add batch at once");
            assertEquals(16 + 1, f.refCount(), "16 PTEs and ours");
        } finally {
            f.put();
        }
        assertEquals(16, f.refCount());
    }

    @Test
    void mmIdSlotsFollowForkAndExit() {
        long a = mmapLarge();
        assertEquals(0, fx.task.touch(a, true));
        Folio f = fx.folioAt(a);
        int parent = fx.task.mm().mmId();
        assertEquals(parent, FolioMmIds.mmId(memMap, f.pfn(), 0));
        assertEquals(15, FolioMmIds.mmIdMapcount(memMap, f.pfn(), 0), "16 mappings, stored minus one");
        assertEquals(-1, FolioMmIds.mmIdMapcount(memMap, f.pfn(), 1));
        assertFalse(FolioMmIds.maybeMappedShared(memMap, f.pfn()));

        Task child = fx.task.fork();
        Task grandchild = fx.task.fork();
        assertNotEquals(parent, child.mm().mmId());
        assertEquals(child.mm().mmId(), FolioMmIds.mmId(memMap, f.pfn(), 1), "the first child takes slot 1");
        assertEquals(15, FolioMmIds.mmIdMapcount(memMap, f.pfn(), 1));
        assertEquals(48, f.mapcount(), "the second child has no slot but is counted");
        assertTrue(FolioMmIds.maybeMappedShared(memMap, f.pfn()));

        child.exit();
        assertEquals(FolioMmIds.MM_ID_DUMMY, FolioMmIds.mmId(memMap, f.pfn(), 1), "slot 1 freed");
        assertTrue(FolioMmIds.maybeMappedShared(memMap, f.pfn()), "slot 0 does not own all 32 mappings");
        grandchild.exit();
        assertEquals(16, f.mapcount());
        assertFalse(FolioMmIds.maybeMappedShared(memMap, f.pfn()), "slot 0 owns every mapping again");
    }

    @Test
    void writeReusesTheWholeLargeFolioOnlyWhenOneMmMapsIt() {
        long a = mmapLarge();
        for (int i = 0; i < 16; i++) assertEquals(0, fx.task.touch(a + i * P, true));
        Folio f = fx.folioAt(a);
        Task child = fx.task.fork();
        long reuse = machine.vmstat().event(VmEventItem.PGREUSE);

        assertEquals(0, fx.task.touch(a + P, true)); // shared with the child: page 1 is copied
        assertNotEquals(f.pfn() + 1, Pte.pfn(fx.pte(a + P)), "copied");
        assertEquals(0, stat(MthpStats.Item.SPLIT_DEFERRED), "the child still maps page 1");

        child.exit();
        assertEquals(1, stat(MthpStats.Item.SPLIT_DEFERRED), "page 1 lost its last mapping: partially mapped");
        assertEquals(0, fx.task.touch(a, true)); // only the parent maps it now: reused in place
        assertEquals(f.pfn(), Pte.pfn(fx.pte(a)));
        assertTrue(Pte.write(fx.pte(a)));
        assertTrue(memMap.testFlag(f.pfn(), PageFlags.PG_anon_exclusive), "page 0 exclusive again");
        assertFalse(memMap.testFlag(f.pfn() + 2, PageFlags.PG_anon_exclusive), "page 2 still not");
        assertEquals(reuse + 1, machine.vmstat().event(VmEventItem.PGREUSE));
        assertEquals(15, f.mapcount());
        assertEquals(15, f.refCount(), "no copy took a reference");
    }
}
