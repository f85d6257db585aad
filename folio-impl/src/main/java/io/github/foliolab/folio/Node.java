package io.github.foliolab.folio;

import io.github.foliolab.folio.api.BadPageException;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.MigrateType;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.PageLayout;
import io.github.foliolab.folio.api.PageType;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.folio.api.ZoneType;
import io.github.foliolab.folio.api.sched.SchedPoints;

import java.util.Objects;

/**
 * One memory node (pglist_data): its memmap, ZONE_NORMAL and ZONE_MOVABLE with the buddy allocator, the
 * vmstat counters, and the shared zero page. ZONE_NORMAL spans pfns {@code [0, normal)} and ZONE_MOVABLE
 * {@code [normal, normal + movable)}; CMA pageblocks are the last pageblocks of ZONE_NORMAL.
 *
 * <p>Freeing: {@link #folioPutFinal} is __folio_put(): the release hook (the lru module's
 * page_cache_release, which takes a folio off its LRU) runs first, then free_frozen_pages() checks the
 * folio like free_pages_prepare() and returns it to the buddy allocator.
 */
public final class Node {
    /**
     * What __folio_put() calls before freeing: page_cache_release() (mm/swap.c). The upward call of this
     * module: the lru module provides it ({@link Machine.Assembly#provide}) when a machine is built.
     */
    @FunctionalInterface
    public interface ReleaseHook {
        void pageCacheRelease(Folio folio);
    }

    private final MemMap mm;
    private final VmStat vmstat = new VmStat();
    private final Zone[] zones;
    private final long zeroPfn;
    /** Set once while the machine is built (or by a test of a bare node), read on every final put. */
    private volatile ReleaseHook releaseHook;

    private Node(long normalPages, long movablePages, int cmaPageblocks) {
        this(normalPages, movablePages, cmaPageblocks, false);
    }

    Node(long normalPages, long movablePages, int cmaPageblocks, boolean gcManaged) {
        if (normalPages < (1L << PageLayout.PAGEBLOCK_ORDER)) {
            throw new IllegalArgumentException("ZONE_NORMAL needs at least one pageblock (512 pages), got " + normalPages);
        }
        if (movablePages < 0) {
            throw new IllegalArgumentException("ZONE_MOVABLE size is negative: " + movablePages);
        }
        long cmaPages = (long) cmaPageblocks << PageLayout.PAGEBLOCK_ORDER;
        if (cmaPageblocks < 0 || cmaPages > normalPages - (1L << PageLayout.PAGEBLOCK_ORDER)) {
            throw new IllegalArgumentException("CMA pageblocks (" + cmaPageblocks + ") must leave ZONE_NORMAL at least one non-CMA pageblock");
        }
        this.mm = new MemMap(normalPages + movablePages, gcManaged);
        mm.attach(this);
        Zone normal = new Zone(ZoneType.ZONE_NORMAL, mm, vmstat, 0, normalPages);
        Zone movable = new Zone(ZoneType.ZONE_MOVABLE, mm, vmstat, normalPages, movablePages);
        this.zones = new Zone[] {normal, movable};
        // memmap_init(): the zone links live in the flags word (set_page_links).
        for (long pfn = 0; pfn < normalPages + movablePages; pfn++) {
            long z = pfn < normalPages ? ZoneType.ZONE_NORMAL.ordinal() : ZoneType.ZONE_MOVABLE.ordinal();
            if (z != 0) { // a fresh memmap is zeroed: zone 0's links need no store
                mm.setFlagsWordPlain(pfn, z << PageFlags.ZONES_PGSHIFT);
            }
        }
        // CMA areas: the top pageblocks of ZONE_NORMAL, marked before the pages reach the free lists.
        long cmaStart = (normalPages - cmaPages) & ~((1L << PageLayout.PAGEBLOCK_ORDER) - 1);
        for (long pfn = cmaStart; pfn < cmaStart + cmaPages; pfn += 1L << PageLayout.PAGEBLOCK_ORDER) {
            normal.setPageblockMigratetype(pfn, MigrateType.MIGRATE_CMA);
        }
        // The shared zero page: pfn 0, reserved, never freed (empty_zero_page).
        this.zeroPfn = 0;
        mm.setFlagsWordPlain(0, mm.flagsWord(0) | (1L << PageFlags.PG_reserved));
        mm.setRefCount(0, 1);
        normal.freeRangeAtBoot(1, cmaPages == 0 ? normalPages : cmaStart);
        if (cmaPages != 0) {
            normal.freeRangeAtBoot(cmaStart, normalPages);
        }
        if (movablePages > 0) {
            movable.freeRangeAtBoot(normalPages, normalPages + movablePages);
        }
    }

    /**
     * {@return a node with {@code normalPages} in ZONE_NORMAL, {@code movablePages} in ZONE_MOVABLE and no
     * CMA}
     *
     * @param normalPages pages of ZONE_NORMAL (at least one pageblock, 512)
     * @param movablePages pages of ZONE_MOVABLE (0 or at least one pageblock)
     */
    public static Node boot(long normalPages, long movablePages) {
        return new Node(normalPages, movablePages, 0);
    }

    /**
     * Like {@link #boot(long, long)}, but the memmap is freed by the garbage collector instead of
     * {@code memMap().close()} (which becomes a no-op): for short-lived nodes built by the thousand, as
     * the explorer builds one per schedule.
     *
     * @param normalPages pages of ZONE_NORMAL (at least one pageblock, 512)
     * @param movablePages pages of ZONE_MOVABLE (0 or at least one pageblock)
     */
    public static Node bootGcManaged(long normalPages, long movablePages) {
        return new Node(normalPages, movablePages, 0, true);
    }

    /**
     * {@return a node whose ZONE_NORMAL ends with {@code cmaPageblocks} MIGRATE_CMA pageblocks of 512
     * pages}
     */
    public static Node boot(long normalPages, long movablePages, int cmaPageblocks) {
        return new Node(normalPages, movablePages, cmaPageblocks);
    }

    public MemMap memMap() {
        return mm;
    }

    public VmStat vmstat() {
        return vmstat;
    }

    /** {@return the shared zero page's pfn (my_zero_pfn())} */
    public long zeroPfn() {
        return zeroPfn;
    }

    /** {@return the zero page as a folio (ZERO_PAGE(0))} */
    public Folio zeroFolio() {
        return mm.folio(zeroPfn);
    }

    public Zone zone(ZoneType t) {
        return zones[t.ordinal()];
    }

    /**
     * page_zone(): read from the zone bits of the flags word.
     *
     * @param pfn the page frame number
     */
    public Zone zoneOf(long pfn) {
        return zones[(int) ((mm.flagsWord(pfn) >>> PageFlags.ZONES_PGSHIFT) & PageFlags.ZONES_MASK)];
    }

    /**
     * folio_is_longterm_pinnable()'s placement test: not in ZONE_MOVABLE and not in a CMA pageblock.
     *
     * @param pfn the page frame number
     */
    public boolean isMovableOrCma(long pfn) {
        Zone z = zoneOf(pfn);
        return z.type() == ZoneType.ZONE_MOVABLE || z.isCmaPage(pfn);
    }

    /**
     * Install the release hook (the lru module's page_cache_release, linked when the machine is built);
     * null removes it.
     *
     * @param hook the hook
     */
    void setReleaseHook(ReleaseHook hook) {
        this.releaseHook = hook;
    }

    // ------------------------------------------------------------ allocation

    /**
     * folio_alloc(gfp, order): a folio of 2^order pages with refcount 1, or null when no zone the gfp
     * flags allow has a free block (the caller turns that into -ENOMEM or VM_FAULT_OOM). Movable
     * allocations (__GFP_MOVABLE) try ZONE_MOVABLE first, then ZONE_NORMAL, and may use CMA pageblocks;
     * others come from ZONE_NORMAL outside CMA. Nothing changes when it fails.
     */
    public Folio folioAlloc(int gfp, int order) {
        if (order < 0 || order > PageLayout.MAX_PAGE_ORDER) {
            throw new IllegalArgumentException("order " + order + " outside 0.." + PageLayout.MAX_PAGE_ORDER);
        }
        SchedPoints.before(FolioOp.ALLOC, -1, order);
        boolean movable = (gfp & Gfp.__GFP_MOVABLE) != 0;
        long pfn = -1;
        if (movable && zones[ZoneType.ZONE_MOVABLE.ordinal()].spannedPages() > 0) {
            pfn = zones[ZoneType.ZONE_MOVABLE.ordinal()].allocBlock(order, true);
        }
        if (pfn < 0) {
            pfn = zones[ZoneType.ZONE_NORMAL.ordinal()].allocBlock(order, movable);
        }
        if (pfn < 0) {
            SchedPoints.after(FolioOp.ALLOC, -1, -1);
            return null;
        }
        Zone z = zoneOf(pfn);
        for (long i = 0; i < (1L << order); i++) {
            z.checkNewPage(pfn + i);
        }
        // prep_new_page(): set_page_refcounted, then prep_compound_page for a large folio.
        mm.setRefCount(pfn, 1);
        if (order > 0) {
            mm.prepCompound(pfn, order);
        }
        SchedPoints.after(FolioOp.ALLOC, pfn, order);
        return new Folio(mm, pfn);
    }

    /** {@return the number of free pages of the node (NR_FREE_PAGES over both zones)} */
    public long freePages() {
        return vmstat.zoneSum(ZoneStatItem.NR_FREE_PAGES);
    }

    // ------------------------------------------------------------ freeing

    /** __folio_put(): the last reference is gone. */
    void folioPutFinal(long pfn) {
        Folio folio = new Folio(mm, pfn);
        ReleaseHook hook = releaseHook;
        if (hook != null) {
            hook.pageCacheRelease(folio);
        }
        freeFrozenFolio(folio);
    }

    /**
     * free_frozen_pages() / free_unref_folios(): free a folio whose count is already zero. Checks it like
     * free_pages_prepare(): a stray PG_mlocked is cleared with NR_MLOCK and unevictable_pgs_cleared
     * accounting, as the kernel does; anything else wrong (still mapped, a mapping left, a flag in
     * PAGE_FLAGS_CHECK_AT_FREE, a nonzero count or pincount) is reported like bad_page() and the folio is
     * left allocated (leaked), as the kernel leaves it.
     *
     * @param folio the folio
     */
    public void freeFrozenFolio(Folio folio) {
        long pfn = folio.pfn();
        Objects.checkIndex(pfn, mm.nrPages());
        if (mm.isTail(pfn)) {
            throw new io.github.foliolab.folio.api.VmBugException("VM_BUG_ON_PAGE(PageTail(page))\n" + mm.dumpPage(pfn));
        }
        SchedPoints.before(FolioOp.FREE, pfn, 0);
        int order = mm.order(pfn);
        long nr = 1L << order;
        Zone zone = zoneOf(pfn);
        if ((mm.flagsWord(pfn) & (1L << PageFlags.PG_mlocked)) != 0) {
            mm.nonAtomicClearFlag(pfn, PageFlags.PG_mlocked);
            vmstat.modZone(zone.type(), ZoneStatItem.NR_MLOCK, -nr);
            vmstat.countEvents(VmEventItem.UNEVICTABLE_PGCLEARED, nr);
        }
        if (folio.isAnon()) {
            mm.setMapping(pfn, 0); // free_pages_prepare clears an anon folio's mapping
        }
        String reason = badReason(pfn, PageFlags.PAGE_FLAGS_CHECK_AT_FREE);
        if (reason == null && order > 0) {
            if (mm.largeMapcountRaw(pfn) != -1) {
                reason = "nonzero large_mapcount";
            } else if (mm.entireMapcountRaw(pfn) != -1) {
                reason = "nonzero entire_mapcount";
            } else if (mm.nrPagesMappedRaw(pfn) != 0) {
                reason = "nonzero nr_pages_mapped";
            } else if (mm.pincount(pfn) != 0) {
                reason = "nonzero pincount";
            } else {
                for (long i = 1; i < nr && reason == null; i++) {
                    if (mm.compoundHead(pfn + i) != pfn) {
                        reason = "corrupted mapping in tail page " + (pfn + i);
                    } else if (mm.mapcountRaw(pfn + i) != -1) {
                        reason = "nonzero mapcount in tail page " + (pfn + i);
                    }
                }
            }
        }
        if (reason != null) {
            throw new BadPageException("BUG: Bad page state: " + reason + "\n" + mm.dumpPage(pfn));
        }
        if (order > 0) {
            mm.clearCompound(pfn, order);
        }
        // page->flags &= ~PAGE_FLAGS_CHECK_AT_PREP; the zone bits stay.
        mm.setFlagsWordPlain(pfn, mm.flagsWord(pfn) & ~PageFlags.PAGE_FLAGS_CHECK_AT_PREP);
        mm.setIndex(pfn, 0);
        mm.setPrivateWord(pfn, 0);
        zone.freeBlock(pfn, order);
    }

    /** page_bad_reason(). */
    private String badReason(long pfn, long checkFlags) {
        String reason = null;
        int raw = mm.mapcountRaw(pfn);
        if (raw != -1) {
            reason = PageType.hasType(raw) ? "page has a type (already free?)" : "nonzero mapcount";
        }
        if (mm.mapping(pfn) != 0) {
            reason = "non-NULL mapping";
        }
        if (mm.refCountRaw(pfn) != 0) {
            reason = "nonzero _refcount";
        }
        if ((mm.flagsWord(pfn) & checkFlags) != 0) {
            reason = "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
        }
        return reason;
    }
}
