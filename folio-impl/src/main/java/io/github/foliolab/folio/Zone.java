package io.github.foliolab.folio;

import io.github.foliolab.folio.api.BadPageException;
import io.github.foliolab.folio.api.MigrateType;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.PageLayout;
import io.github.foliolab.folio.api.PageType;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.folio.api.ZoneType;
import io.github.foliolab.folio.sync.SpinLock;

import static io.github.foliolab.folio.api.PageLayout.MAX_PAGE_ORDER;
import static io.github.foliolab.folio.api.PageLayout.PAGEBLOCK_ORDER;

/**
 * A struct zone with its buddy allocator (mm/page_alloc.c): free_area[order] lists linked through the
 * free pages' buddy_list (the lru words of the descriptor), PageBuddy marked in page_type, the order in
 * page->private; splitting in expand(), merging with the buddy in __free_one_page(). Pageblocks carry a
 * migratetype; MIGRATE_CMA blocks keep their own free lists and serve only movable allocations, and never
 * merge with non-CMA buddies.
 *
 * <p>Model differences, deliberate: free lists are kept per (order, CMA or not) rather than per
 * migratetype, there are no per-CPU page lists (pcp) and no watermarks; allocation takes the lowest
 * order that fits, non-CMA lists first, then CMA for movable requests.
 */
public final class Zone {
    private static final long NONE = -1L;

    /**
     * buddy_list links overlay compound_info, whose bit 0 marks a tail page: like the kernel's aligned
     * pointers, a stored link must be even, so links are kept as {@code pfn << 1} ({@code NONE} as -2).
     */
    private static long link(long pfn) {
        return pfn << 1;
    }

    private static long unlink(long stored) {
        return stored >> 1;
    }
    private static final int CLASSES = 2; // 0: normal pageblocks, 1: CMA pageblocks

    private final ZoneType type;
    private final MemMap mm;
    private final VmStat vmstat;
    private final long startPfn;
    private final long spannedPages;
    private final byte[] pageblockMt;
    /** zone->lock: protects the free lists, nr_free and the PageBuddy/order state of free pages. */
    private final SpinLock lock;
    private final long[] freeHead = new long[(MAX_PAGE_ORDER + 1) * CLASSES];
    private final long[] nrFree = new long[(MAX_PAGE_ORDER + 1) * CLASSES];

    Zone(ZoneType type, MemMap mm, VmStat vmstat, long startPfn, long spannedPages) {
        this.type = type;
        this.mm = mm;
        this.vmstat = vmstat;
        this.startPfn = startPfn;
        this.spannedPages = spannedPages;
        long blocks = (spannedPages + (1L << PAGEBLOCK_ORDER) - 1) >>> PAGEBLOCK_ORDER;
        this.pageblockMt = new byte[(int) blocks];
        java.util.Arrays.fill(pageblockMt, (byte) (type == ZoneType.ZONE_MOVABLE
                ? MigrateType.MIGRATE_MOVABLE.ordinal() : MigrateType.MIGRATE_UNMOVABLE.ordinal()));
        java.util.Arrays.fill(freeHead, NONE);
        this.lock = new SpinLock("zone->lock(" + type.kernelName() + ")");
    }

    /**
     * zone_idx(): which zone of its node this is.
     *
     * @return ZONE_NORMAL or ZONE_MOVABLE
     */
    public ZoneType type() {
        return type;
    }

    /**
     * zone->zone_start_pfn.
     *
     * @return the zone's first pfn
     */
    public long startPfn() {
        return startPfn;
    }

    /**
     * zone->spanned_pages.
     *
     * @return the number of pages the zone spans, in 4 KiB pages (0 for an empty zone)
     */
    public long spannedPages() {
        return spannedPages;
    }

    /**
     * zone_spans_pfn().
     *
     * @param pfn the page frame number
     * @return true if {@code startPfn() <= pfn < startPfn() + spannedPages()}
     */
    public boolean spans(long pfn) {
        return pfn >= startPfn && pfn < startPfn + spannedPages;
    }

    /**
     * zone->lock: protects the zone's free lists (free_area) and the buddy markers of its free pages.
     *
     * @return the zone's spinlock
     */
    public SpinLock lock() {
        return lock;
    }

    /**
     * get_pageblock_migratetype().
     *
     * @param pfn the page frame number
     * @return the migrate type of the 512-page pageblock holding {@code pfn}
     */
    public MigrateType pageblockMigratetype(long pfn) {
        return MigrateType.values()[pageblockMt[(int) ((pfn - startPfn) >>> PAGEBLOCK_ORDER)]];
    }

    /**
     * is_migrate_cma_page().
     *
     * @param pfn the page frame number
     * @return true if {@code pfn} is in a MIGRATE_CMA pageblock
     */
    public boolean isCmaPage(long pfn) {
        return pageblockMt[(int) ((pfn - startPfn) >>> PAGEBLOCK_ORDER)] == MigrateType.MIGRATE_CMA.ordinal();
    }

    void setPageblockMigratetype(long pfn, MigrateType mt) {
        pageblockMt[(int) ((pfn - startPfn) >>> PAGEBLOCK_ORDER)] = (byte) mt.ordinal();
    }

    /**
     * free_area[order].nr_free, both list classes.
     *
     * @param order the allocation order (2^order pages)
     * @return the number of free blocks of that order, on the movable and unmovable lists together
     */
    public long nrFree(int order) {
        return nrFree[order * CLASSES] + nrFree[order * CLASSES + 1];
    }

    /**
     * NR_FREE_PAGES of this zone.
     *
     * @return the zone's free pages, in 4 KiB pages
     */
    public long freePages() {
        return vmstat.zone(type, ZoneStatItem.NR_FREE_PAGES);
    }

    private int cls(long pfn) {
        return isCmaPage(pfn) ? 1 : 0;
    }

    // ------------------------------------------------------------ free lists (under zone->lock)

    private void addToFreeList(long pfn, int order, int c) {
        int l = order * CLASSES + c;
        long head = freeHead[l];
        mm.setLruNext(pfn, link(head));
        mm.setLruPrev(pfn, link(NONE));
        if (head != NONE) {
            mm.setLruPrev(head, link(pfn));
        }
        freeHead[l] = pfn;
        nrFree[l]++;
        mm.setMapcountRaw(pfn, PageType.value(PageType.PGTY_buddy)); // __SetPageBuddy
        mm.setPrivateWord(pfn, order); // set_buddy_order
        long n = 1L << order;
        vmstat.modZone(type, ZoneStatItem.NR_FREE_PAGES, n);
        if (c == 1) {
            vmstat.modZone(type, ZoneStatItem.NR_FREE_CMA_PAGES, n);
        }
    }

    private void delFromFreeList(long pfn, int order, int c) {
        int l = order * CLASSES + c;
        long next = unlink(mm.lruNext(pfn));
        long prev = unlink(mm.lruPrev(pfn));
        if (prev != NONE) {
            mm.setLruNext(prev, link(next));
        } else {
            freeHead[l] = next;
        }
        if (next != NONE) {
            mm.setLruPrev(next, link(prev));
        }
        nrFree[l]--;
        mm.setLruNext(pfn, 0);
        mm.setLruPrev(pfn, 0);
        mm.setMapcountRaw(pfn, -1); // __ClearPageBuddy
        mm.setPrivateWord(pfn, 0);
        long n = 1L << order;
        vmstat.modZone(type, ZoneStatItem.NR_FREE_PAGES, -n);
        if (c == 1) {
            vmstat.modZone(type, ZoneStatItem.NR_FREE_CMA_PAGES, -n);
        }
    }

    /** page_is_buddy(): the buddy is free, of this order, in this zone and list class. */
    private boolean isFreeBuddy(long buddy, int order, int c) {
        return spans(buddy) && mm.isBuddy(buddy) && mm.privateWord(buddy) == order && cls(buddy) == c;
    }

    /** __free_one_page(): merge with free buddies as far as possible, then list the block. */
    void freeOnePage(long pfn, int order) {
        int c = cls(pfn);
        while (order < MAX_PAGE_ORDER) {
            long buddy = pfn ^ (1L << order);
            if (!isFreeBuddy(buddy, order, c)) {
                break;
            }
            delFromFreeList(buddy, order, c);
            pfn &= buddy;
            order++;
        }
        addToFreeList(pfn, order, c);
    }

    /** Take a block of exactly {@code order} from list class {@code c}, splitting a larger one (expand()). */
    private long rmqueue(int order, int c) {
        for (int cur = order; cur <= MAX_PAGE_ORDER; cur++) {
            long pfn = freeHead[cur * CLASSES + c];
            if (pfn == NONE) {
                continue;
            }
            delFromFreeList(pfn, cur, c);
            // expand(): return the upper halves at decreasing orders.
            for (int o = cur; o > order; o--) {
                long half = pfn + (1L << (o - 1));
                addToFreeList(half, o - 1, c);
            }
            return pfn;
        }
        return NONE;
    }

    /**
     * __rmqueue() under zone->lock: a block of 2^order pages, or -1 if the zone cannot serve it.
     * Non-CMA blocks first; CMA blocks only when {@code allowCma} (movable allocations).
     */
    long allocBlock(int order, boolean allowCma) {
        lock.lock();
        try {
            long pfn = rmqueue(order, 0);
            if (pfn == NONE && allowCma) {
                pfn = rmqueue(order, 1);
            }
            return pfn;
        } finally {
            lock.unlock();
        }
    }

    /** free_one_page() under zone->lock, counting PGFREE. */
    void freeBlock(long pfn, int order) {
        lock.lock();
        try {
            freeOnePage(pfn, order);
        } finally {
            lock.unlock();
        }
        vmstat.countEvents(VmEventItem.PGFREE, 1L << order);
    }

    /**
     * Hand a range of boot memory to the allocator in the largest aligned blocks that fit
     * (memblock_free_pages / __free_pages_core), without counting PGFREE.
     */
    void freeRangeAtBoot(long start, long end) {
        long pfn = start;
        while (pfn < end) {
            int order = MAX_PAGE_ORDER;
            while (order > 0 && (((pfn & ((1L << order) - 1)) != 0) || pfn + (1L << order) > end)) {
                order--;
            }
            freeOnePage(pfn, order);
            pfn += 1L << order;
        }
    }

    /** check_new_page(): a page leaving the allocator must look free; else bad_page. */
    void checkNewPage(long pfn) {
        String reason = null;
        if (mm.mapcountRaw(pfn) != -1) {
            reason = "nonzero mapcount";
        } else if (mm.mapping(pfn) != 0) {
            reason = "non-NULL mapping";
        } else if (mm.refCountRaw(pfn) != 0) {
            reason = "nonzero _refcount";
        } else if ((mm.flagsWord(pfn) & PageFlags.PAGE_FLAGS_CHECK_AT_PREP) != 0) {
            reason = "PAGE_FLAGS_CHECK_AT_PREP flag(s) set";
        }
        if (reason != null) {
            throw new BadPageException("BUG: Bad page state in process (allocation): " + reason + "\n" + mm.dumpPage(pfn));
        }
    }

    @Override
    public String toString() {
        return "zone " + type.kernelName() + " [" + startPfn + ", " + (startPfn + spannedPages) + ")";
    }

    /** Page size helper for reports. */
    static long kib(long pages) {
        return pages * (PageLayout.PAGE_SIZE / 1024);
    }

    /** Save the free lists, their counts, the pageblock types and zone->lock (a {@link Machine#checkpoint()}). */
    Runnable save() {
        long[] head = freeHead.clone();
        long[] free = nrFree.clone();
        byte[] mt = pageblockMt.clone();
        Runnable lockBack = lock.save();
        return () -> {
            System.arraycopy(head, 0, freeHead, 0, head.length);
            System.arraycopy(free, 0, nrFree, 0, free.length);
            System.arraycopy(mt, 0, pageblockMt, 0, mt.length);
            lockBack.run();
        };
    }
}
