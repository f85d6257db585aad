package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The life cycle of an anonymous mTHP folio, step by step: the large fault (alloc_anon_folio and its
 * fallbacks), a partial unmap (folio_remove_rmap_ptes queuing deferred_split_folio), the deferred split
 * shrinker, split_folio_to_order (to order 0 with the zero-page remap, and to order 2), and the free that
 * unqueues. Each step asserts flags, mapcounts, refcounts, the queue and the mTHP statistics.
 */
class ThpLifeCycleTest {
    static final long P = PAGE_SIZE;
    static final int ORDER = 4; // 64 KiB
    static final long HINT = 0x2_0000_0000L;

    final MmFixture fx = new MmFixture();
    final Machine machine = fx.machine;
    final MemMap memMap = machine.memMap();
    final Thp thp = Mm.of(machine).thp();

    @AfterEach
    void invariants() {
        fx.task.lruAddDrain();
    }

    private long mmapAligned(long pages) {
        long a = fx.task.mmap(HINT, pages * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        assertEquals(HINT, a, "the hint is free and aligned");
        return a;
    }

    private Folio folioAt(long addr) {
        long pte = fx.pte(addr);
        assertTrue(Pte.present(pte), "no page at 0x" + Long.toHexString(addr));
        return memMap.pageFolio(Pte.pfn(pte));
    }

    /** The 16 PTEs with their folios' head, counts and flags (the lock bit masked: the test holds it). */
    private String state(long a) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            long pte = fx.pte(a + i * P);
            Folio f = memMap.pageFolio(Pte.pfn(pte));
            sb.append(Pte.toString(pte)).append(' ').append(f.pfn()).append(' ').append(f.refCount()).append(' ')
                    .append(f.mapcount()).append(' ').append(memMap.pageMapcount(f.pfn() + (Pte.pfn(pte) - f.pfn())))
                    .append(' ').append(Long.toHexString(f.flags() & ~(1L << PageFlags.PG_locked))).append('\n');
        }
        return sb.toString();
    }

    private long stat(int order, MthpStats.Item item) {
        return thp.stats().get(order, item);
    }

    private long anonMapped() {
        return machine.node().vmstat().node(NodeStatItem.NR_ANON_MAPPED);
    }

    private Folio faultLarge(long a) {
        thp.settings().setEnabled(ORDER, ThpSettings.Mode.ALWAYS);
        assertEquals(0, fx.task.touch(a + 3 * P, true));
        return folioAt(a);
    }

    @Test
    void writeFaultMapsOneLargeFolioOnTheLruAtOnce() {
        long a = mmapAligned(32);
        long mappedBefore = anonMapped();
        Folio f = faultLarge(a);
        assertEquals(ORDER, f.order());
        for (int i = 0; i < 16; i++) {
            long pte = fx.pte(a + i * P);
            assertEquals(f.pfn() + i, Pte.pfn(pte), "page " + i + " maps the folio's page " + i);
            assertEquals(1, memMap.pageMapcount(f.pfn() + i));
            assertTrue(memMap.testFlag(f.pfn() + i, PageFlags.PG_anon_exclusive));
        }
        assertEquals(16, f.mapcount(), "_large_mapcount counts every PTE");
        assertEquals(16, memMap.nrPagesMappedRaw(f.pfn()));
        assertEquals(16, f.refCount(), "one reference per PTE, none from a batch");
        assertTrue(f.testLru(), "a large folio skips the per-CPU lru_add batch");
        assertEquals(16, anonMapped() - mappedBefore);
        assertEquals(1, stat(ORDER, MthpStats.Item.ANON_FAULT_ALLOC));
        assertEquals(1, stat(ORDER, MthpStats.Item.NR_ANON));
        assertFalse(Pte.present(fx.pte(a + 16 * P)), "the next 64 KiB stays empty");
    }

    @Test
    void faultFallsBackWhenTheAlignedRangeLeavesTheVmaOrIsPopulated() {
        long a = mmapAligned(20);
        assertEquals(0, fx.task.touch(a + 5 * P, true)); // mTHP off: an order-0 folio
        thp.settings().setEnabled(2, ThpSettings.Mode.ALWAYS);
        thp.settings().setEnabled(ORDER, ThpSettings.Mode.ALWAYS);
        assertEquals(0, fx.task.touch(a, true));
        assertEquals(2, folioAt(a).order(), "64 KiB range has a PTE: the next lower order, 16 KiB");
        assertEquals(0, fx.task.touch(a + 17 * P, true));
        assertEquals(2, folioAt(a + 17 * P).order(), "64 KiB would leave the VMA; 16 KiB fits");
        assertEquals(0, folioAt(a + 5 * P).order());
        assertEquals(0, stat(ORDER, MthpStats.Item.ANON_FAULT_ALLOC));
        assertEquals(2, stat(2, MthpStats.Item.ANON_FAULT_ALLOC));
    }

    @Test
    void vmaFlagsAndModesSelectTheOrders() {
        long a = mmapAligned(64);
        thp.settings().setEnabled(ORDER, ThpSettings.Mode.MADVISE);
        assertEquals(0, fx.task.touch(a, true));
        assertEquals(0, folioAt(a).order(), "madvise mode without MADV_HUGEPAGE");
        assertEquals(0, fx.task.madvise(a + 16 * P, 16 * P, MADV_HUGEPAGE));
        assertEquals(0, fx.task.touch(a + 16 * P, true));
        assertEquals(ORDER, folioAt(a + 16 * P).order());
        thp.settings().setEnabled(ORDER, ThpSettings.Mode.INHERIT);
        thp.settings().setGlobal(ThpSettings.Mode.ALWAYS);
        assertEquals(0, fx.task.madvise(a + 32 * P, 16 * P, MADV_NOHUGEPAGE));
        assertEquals(0, fx.task.touch(a + 32 * P, true));
        assertEquals(0, folioAt(a + 32 * P).order(), "VM_NOHUGEPAGE wins over always");
        assertEquals(0, fx.task.touch(a + 48 * P, true));
        assertEquals(ORDER, folioAt(a + 48 * P).order(), "inherit follows the global always");
    }

    @Test
    void partialUnmapQueuesTheFolioOnceForDeferredSplit() {
        long a = mmapAligned(16);
        Folio f = faultLarge(a);
        long mapped = anonMapped();
        assertEquals(0, fx.task.munmap(a + 3 * P, P));
        assertEquals(15, f.mapcount());
        assertEquals(15, f.refCount());
        assertEquals(15, memMap.nrPagesMappedRaw(f.pfn()));
        assertEquals(-1, memMap.mapcountRaw(f.pfn() + 3));
        assertEquals(-1, anonMapped() - mapped);
        assertTrue(thp.deferredSplit().partiallyMapped(f));
        assertArrayEquals(new long[] {f.pfn()}, thp.deferredSplit().queue(f.nid()));
        assertEquals(0, fx.task.munmap(a + 8 * P, P));
        assertEquals(1, stat(ORDER, MthpStats.Item.SPLIT_DEFERRED), "queued once");
        assertEquals(1, stat(ORDER, MthpStats.Item.NR_ANON_PARTIALLY_MAPPED));
    }

    @Test
    void freeingAPartiallyMappedFolioUnqueuesIt() {
        long a = mmapAligned(16);
        Folio f = faultLarge(a);
        long free = machine.node().freePages();
        assertEquals(0, fx.task.munmap(a, 8 * P));
        assertEquals(0, fx.task.munmap(a + 8 * P, 8 * P));
        assertEquals(0, thp.deferredSplit().queue(f.nid()).length);
        assertEquals(0, stat(ORDER, MthpStats.Item.NR_ANON_PARTIALLY_MAPPED));
        assertEquals(0, stat(ORDER, MthpStats.Item.NR_ANON));
        assertEquals(1, stat(ORDER, MthpStats.Item.SPLIT_DEFERRED));
        assertTrue(machine.node().freePages() >= free + 16, "the 16 pages went back to the buddy allocator");
    }

    @Test
    void shrinkerSplitsAndMapsUnwrittenPagesToTheZeroPage() {
        long a = mmapAligned(16);
        Folio f = faultLarge(a); // only page 3 was written
        long head = f.pfn();
        assertEquals(0, fx.task.touch(a + 9 * P, true)); // page 9 written too
        assertEquals(0, fx.task.munmap(a + 15 * P, P));
        long free = machine.node().freePages();
        int split = fx.task.cpu().call(() -> thp.deferredSplit().scan(0));
        assertEquals(1, split);
        assertEquals(1, stat(ORDER, MthpStats.Item.SPLIT));
        assertEquals(0, stat(ORDER, MthpStats.Item.NR_ANON));
        assertEquals(0, stat(ORDER, MthpStats.Item.NR_ANON_PARTIALLY_MAPPED));
        assertEquals(0, thp.deferredSplit().queue(0).length);
        for (int i = 0; i < 15; i++) {
            long pte = fx.pte(a + i * P);
            assertTrue(Pte.present(pte));
            if (i == 3 || i == 9) {
                Folio piece = folioAt(a + i * P);
                assertEquals(head + i, piece.pfn());
                assertFalse(piece.isLarge());
                assertEquals(1, piece.mapcount());
                assertEquals(1, piece.refCount());
                assertTrue(piece.testLru(), "lru_add_split_folio put it beside the head");
                assertTrue(memMap.testFlag(piece.pfn(), PageFlags.PG_anon_exclusive), "restored from the entry");
            } else {
                assertTrue(Pte.special(pte), "page " + i + " was never written: the shared zero page");
            }
        }
        assertEquals(free + 14, machine.node().freePages(), "13 unwritten pieces and the unmapped one freed");
    }

    @Test
    void splitToOrderTwoAndRefusedSplitsLeaveTheFolioAsItWas() {
        long a = mmapAligned(16);
        Folio f = faultLarge(a);
        for (int i = 0; i < 16; i++) assertEquals(0, fx.task.touch(a + i * P, true));
        String[] before = new String[1];
        FolioSplit split = thp.split();
        int[] rc = new int[3];
        String[] afterRefused = new String[1];
        fx.task.cpu().run(() -> {
            assertTrue(f.trylock());
            f.get();
            before[0] = state(a);
            rc[0] = split.splitFolioToOrder(f, 1); // anonymous folios cannot be order 1
            f.get(); // a reference nobody accounts for: like a GUP pin
            rc[1] = split.splitFolioToOrder(f, 2);
            f.put();
            afterRefused[0] = state(a);
            rc[2] = split.splitFolioToOrder(f, 2);
            f.unlock();
            f.put();
        });
        assertEquals(-22, rc[0]);
        assertEquals(-11, rc[1]);
        assertEquals(0, rc[2]);
        assertEquals(before[0], afterRefused[0], "refused splits leave PTEs, counts and flags as they were");
        for (int j = 0; j < 16; j += 4) {
            Folio piece = folioAt(a + j * P);
            assertEquals(2, piece.order());
            assertEquals(4, piece.mapcount());
            assertEquals(4, piece.refCount());
            assertTrue(piece.testLru());
            assertFalse(piece.testLocked());
            for (int i = 1; i < 4; i++) assertEquals(piece.pfn(), memMap.compoundHead(piece.pfn() + i));
        }
        assertEquals(0, stat(ORDER, MthpStats.Item.NR_ANON));
        assertEquals(4, stat(2, MthpStats.Item.NR_ANON));
        assertEquals(1, stat(ORDER, MthpStats.Item.SPLIT));
        assertEquals(1, stat(ORDER, MthpStats.Item.SPLIT_FAILED));
        assertEquals(1, stat(ORDER, MthpStats.Item.SPLIT_DEFERRED), "the unmap on the way made it partially mapped");
        assertEquals(0, stat(ORDER, MthpStats.Item.NR_ANON_PARTIALLY_MAPPED));
    }
}
