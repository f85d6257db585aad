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

import io.github.foliolab.folio.cpu.Cpu;

import java.util.List;
import java.util.Objects;

/**
 * One memory node (pglist_data): its ZONE_NORMAL and ZONE_MOVABLE with the buddy allocator and its vmstat
 * counters, over a range of the machine's one memmap (node_start_pfn up to node_start_pfn +
 * node_spanned_pages). ZONE_NORMAL spans pfns {@code [start, start + normal)} and ZONE_MOVABLE
 * {@code [start + normal, start + normal + movable)}; CMA pageblocks are the last pageblocks of node 0's
 * ZONE_NORMAL. The shared zero page is the first pfn of node 0's ZONE_NORMAL. A one-node machine has one
 * node, starting at pfn 0.
 *
 * <p>Every page's descriptor carries its zone and node number in the flags word (set_page_links), so
 * {@link #zoneOf} and {@link MemMap#nodeOf} find any pfn's zone and node, whichever node is asked.
 *
 * <p>Allocation ({@link #folioAlloc}) prefers the node of the CPU it runs on (numa_node_id()) and falls
 * back along that node's zonelist: its own zones first, then the other nodes in order of node id (all
 * nodes are at the same distance in the model).
 *
 * <p>Freeing: {@link #folioPutFinal} is __folio_put(): the release hook (the lru module's
 * page_cache_release, which takes a folio off its LRU) runs first, then free_frozen_pages() checks the
 * folio like free_pages_prepare() and returns it to the buddy allocator of the folio's own node.
 */
public final class Node {
    /**
     * What __folio_put() calls before freeing: page_cache_release() (mm/swap.c). The upward call of this
     * module: the lru module provides it ({@link Machine.Assembly#provide}) when a machine is built.
     */
    @FunctionalInterface
    public interface ReleaseHook {
        /**
         * page_cache_release() (mm/swap.c): take a folio that is on an LRU off it (under lru_lock) and clear its
         * LRU flags, before __folio_put() frees it.
         *
         * @param folio the folio whose last reference was just dropped (count 0)
         */
        void pageCacheRelease(Folio folio);
    }

    /**
     * The size of one node: its kernel zone (ZONE_NORMAL) and ZONE_MOVABLE, in 4 KiB pages.
     *
     * @param normalPages ZONE_NORMAL's size in 4 KiB pages, at least one 512-page pageblock
     * @param movablePages ZONE_MOVABLE's size in 4 KiB pages, 0 for none
     */
    public record Shape(long normalPages, long movablePages) {
        /**
         * The node's size.
         *
         * @return {@code normalPages + movablePages}, in 4 KiB pages
         */
        public long pages() {
            return normalPages + movablePages;
        }
    }

    private final MemMap mm;
    private final VmStat vmstat = new VmStat();
    private final Zone[] zones;
    private final int nid;
    private final long startPfn;
    private final long spannedPages;
    private final long zeroPfn;
    /** Set once while the machine is built (or by a test of a bare node), read on every final put. */
    private volatile ReleaseHook releaseHook;

    private Node(long normalPages, long movablePages, int cmaPageblocks) {
        this(normalPages, movablePages, cmaPageblocks, false);
    }

    Node(long normalPages, long movablePages, int cmaPageblocks, boolean gcManaged) {
        this(newMemMap(List.of(new Shape(normalPages, movablePages)), gcManaged), 0, 0, normalPages,
                movablePages, cmaPageblocks);
        mm.attach(new Node[] {this});
    }

    private static MemMap newMemMap(List<Shape> shapes, boolean gcManaged) {
        Shape first = shapes.get(0);
        checkShape(0, first);
        long total = 0;
        for (Shape sh : shapes) {
            total += sh.pages();
        }
        return new MemMap(total, gcManaged);
    }

    private static void checkShape(int nid, Shape sh) {
        if (sh.normalPages() < (1L << PageLayout.PAGEBLOCK_ORDER)) {
            throw new IllegalArgumentException("node " + nid + ": ZONE_NORMAL needs at least one pageblock (512 pages), got " + sh.normalPages());
        }
        if (sh.movablePages() < 0) {
            throw new IllegalArgumentException("node " + nid + ": ZONE_MOVABLE size is negative: " + sh.movablePages());
        }
    }

    /**
     * The nodes of a NUMA machine over one memmap: node i starts where node i-1 ends. Each node after the
     * first, and every node of a machine of more than one, spans a multiple of 2^MAX_PAGE_ORDER pages, so
     * that no buddy block straddles two nodes.
     *
     * @throws IllegalArgumentException for a bad shape
     */
    static List<Node> bootNodes(List<Shape> shapes, int cmaPageblocks, boolean gcManaged) {
        if (shapes.isEmpty() || shapes.size() > PageFlags.NODES_MASK + 1) {
            throw new IllegalArgumentException("1.." + (PageFlags.NODES_MASK + 1) + " nodes, got " + shapes.size());
        }
        for (int i = 0; i < shapes.size(); i++) {
            checkShape(i, shapes.get(i));
            if (shapes.size() > 1 && shapes.get(i).pages() % (1L << PageLayout.MAX_PAGE_ORDER) != 0) {
                throw new IllegalArgumentException("node " + i + " spans " + shapes.get(i).pages()
                        + " pages: on a machine of several nodes each spans a multiple of "
                        + (1L << PageLayout.MAX_PAGE_ORDER));
            }
        }
        MemMap mm = newMemMap(shapes, gcManaged);
        Node[] nodes = new Node[shapes.size()];
        long start = 0;
        for (int i = 0; i < nodes.length; i++) {
            Shape sh = shapes.get(i);
            nodes[i] = new Node(mm, i, start, sh.normalPages(), sh.movablePages(), i == 0 ? cmaPageblocks : 0);
            start += sh.pages();
        }
        mm.attach(nodes);
        return List.of(nodes);
    }

    private Node(MemMap mm, int nid, long start, long normalPages, long movablePages, int cmaPageblocks) {
        checkShape(nid, new Shape(normalPages, movablePages));
        long cmaPages = (long) cmaPageblocks << PageLayout.PAGEBLOCK_ORDER;
        if (cmaPageblocks < 0 || cmaPages > normalPages - (1L << PageLayout.PAGEBLOCK_ORDER)) {
            throw new IllegalArgumentException("CMA pageblocks (" + cmaPageblocks + ") must leave ZONE_NORMAL at least one non-CMA pageblock");
        }
        this.mm = mm;
        this.nid = nid;
        this.startPfn = start;
        this.spannedPages = normalPages + movablePages;
        Zone normal = new Zone(ZoneType.ZONE_NORMAL, mm, vmstat, start, normalPages);
        Zone movable = new Zone(ZoneType.ZONE_MOVABLE, mm, vmstat, start + normalPages, movablePages);
        this.zones = new Zone[] {normal, movable};
        long end = start + normalPages + movablePages;
        // memmap_init(): the zone and node links live in the flags word (set_page_links).
        for (long pfn = start; pfn < end; pfn++) {
            long z = pfn < start + normalPages ? ZoneType.ZONE_NORMAL.ordinal() : ZoneType.ZONE_MOVABLE.ordinal();
            long links = z << PageFlags.ZONES_PGSHIFT | (long) nid << PageFlags.NODES_PGSHIFT;
            if (links != 0) { // a fresh memmap is zeroed: zone 0 of node 0 needs no store
                mm.setFlagsWordPlain(pfn, links);
            }
        }
        // CMA areas: the top pageblocks of ZONE_NORMAL, marked before the pages reach the free lists.
        long normalEnd = start + normalPages;
        long cmaStart = (normalEnd - cmaPages) & ~((1L << PageLayout.PAGEBLOCK_ORDER) - 1);
        for (long pfn = cmaStart; pfn < cmaStart + cmaPages; pfn += 1L << PageLayout.PAGEBLOCK_ORDER) {
            normal.setPageblockMigratetype(pfn, MigrateType.MIGRATE_CMA);
        }
        long firstFree = start;
        if (nid == 0) {
            // The shared zero page: node 0's first pfn, reserved, never freed (empty_zero_page).
            this.zeroPfn = start;
            mm.setFlagsWordPlain(start, mm.flagsWord(start) | (1L << PageFlags.PG_reserved));
            mm.setRefCount(start, 1);
            firstFree = start + 1;
        } else {
            this.zeroPfn = -1;
        }
        normal.freeRangeAtBoot(firstFree, cmaPages == 0 ? normalEnd : cmaStart);
        if (cmaPages != 0) {
            normal.freeRangeAtBoot(cmaStart, normalEnd);
        }
        if (movablePages > 0) {
            movable.freeRangeAtBoot(normalEnd, end);
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
     * @return the booted node (node 0 of its own memmap)
     */
    public static Node bootGcManaged(long normalPages, long movablePages) {
        return new Node(normalPages, movablePages, 0, true);
    }

    /**
     * {@return a node whose ZONE_NORMAL ends with {@code cmaPageblocks} MIGRATE_CMA pageblocks of 512
     * pages}
     *
     * @param normalPages pages of ZONE_NORMAL (at least one pageblock, 512)
     * @param movablePages pages of ZONE_MOVABLE (0 or at least one pageblock)
     * @param cmaPageblocks the number of 512-page pageblocks at the end of ZONE_NORMAL made MIGRATE_CMA
     */
    public static Node boot(long normalPages, long movablePages, int cmaPageblocks) {
        return new Node(normalPages, movablePages, cmaPageblocks);
    }

    /**
     * The memmap holding this node's page descriptors (shared with the machine's other nodes).
     *
     * @return the machine's memmap
     */
    public MemMap memMap() {
        return mm;
    }

    /**
     * This node's vmstat counters (pgdat->vm_stat and its zones' vm_stat, with the per-CPU deltas).
     *
     * @return the node's counters
     */
    public VmStat vmstat() {
        return vmstat;
    }

    /**
     * The node id (pgdat->node_id).
     *
     * @return the node id, 0 for the first node
     */
    public int nid() {
        return nid;
    }

    /**
     * node_start_pfn.
     *
     * @return the first pfn of the node
     */
    public long startPfn() {
        return startPfn;
    }

    /**
     * node_spanned_pages.
     *
     * @return the number of pages the node spans, in 4 KiB pages
     */
    public long spannedPages() {
        return spannedPages;
    }

    /**
     * True if {@code pfn} lies in this node's range.
     *
     * @param pfn the page frame number
     * @return true if {@code startPfn() <= pfn < startPfn() + spannedPages()}
     */
    public boolean contains(long pfn) {
        return pfn >= startPfn && pfn < startPfn + spannedPages;
    }

    /**
     * The shared zero page's pfn (my_zero_pfn()): in node 0's ZONE_NORMAL, whichever node is asked.
     *
     * @return the zero page's pfn
     */
    public long zeroPfn() {
        return nid == 0 ? zeroPfn : mm.node().zeroPfn();
    }

    /** {@return the zero page as a folio (ZERO_PAGE(0))} */
    public Folio zeroFolio() {
        return mm.folio(zeroPfn);
    }

    /**
     * The node's zone of type {@code t} (NODE_DATA(nid)->node_zones[t]).
     *
     * @param t ZONE_NORMAL or ZONE_MOVABLE
     * @return the zone (an empty one when the node has no pages of that type)
     */
    public Zone zone(ZoneType t) {
        return zones[t.ordinal()];
    }

    /**
     * page_zone(): read from the node and zone bits of the flags word (any node's pfn).
     *
     * @param pfn any page frame number of the machine
     * @return the zone that pfn belongs to, possibly another node's
     */
    public Zone zoneOf(long pfn) {
        return mm.nodeOf(pfn).zones[(int) ((mm.flagsWord(pfn) >>> PageFlags.ZONES_PGSHIFT) & PageFlags.ZONES_MASK)];
    }

    /**
     * folio_is_longterm_pinnable()'s placement test: not in ZONE_MOVABLE and not in a CMA pageblock.
     *
     * @param pfn the page frame number
     * @return true if the pfn is in ZONE_MOVABLE or in a MIGRATE_CMA pageblock
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
     * flags allow has a free block (the caller turns that into -ENOMEM or VM_FAULT_OOM). The preferred
     * node is the node of the CPU the caller runs on (numa_node_id()), or this node off any CPU; the
     * zonelist falls back from there to the other nodes. On each node, movable allocations
     * (__GFP_MOVABLE) try ZONE_MOVABLE first, then ZONE_NORMAL, and may use CMA pageblocks; others come
     * from ZONE_NORMAL outside CMA. Nothing changes when it fails.
     *
     * @param gfp the GFP flags ({@code io.github.foliolab.folio.api.Gfp}); __GFP_MOVABLE selects the movable
     *     zones, __GFP_COMP a compound folio
     * @param order the folio's order, 0 to MAX_PAGE_ORDER (10)
     * @return the new folio with refcount 1, or null when no zone allowed has a free block of that order
     */
    public Folio folioAlloc(int gfp, int order) {
        int preferred = nid;
        if (Cpu.onCpu()) {
            int cpuNode = Cpu.current().node();
            if (cpuNode < mm.nodes().size()) {
                preferred = cpuNode;
            }
        }
        return allocFromZonelist(gfp, order, preferred, false);
    }

    /**
     * __folio_alloc_node(gfp | __GFP_THISNODE, order, nid) for this node: only this node's zones, no
     * fallback to another node (what migration to a chosen node allocates with). Null when this node has
     * no free block.
     *
     * @param gfp the GFP flags, without __GFP_THISNODE
     * @param order the folio's order, 0 to MAX_PAGE_ORDER (10)
     * @return the new folio with refcount 1, or null when this node has no free block of that order
     */
    public Folio folioAllocThisNode(int gfp, int order) {
        return allocFromZonelist(gfp, order, nid, true);
    }

    private Folio allocFromZonelist(int gfp, int order, int preferred, boolean thisNode) {
        if (order < 0 || order > PageLayout.MAX_PAGE_ORDER) {
            throw new IllegalArgumentException("order " + order + " outside 0.." + PageLayout.MAX_PAGE_ORDER);
        }
        SchedPoints.before(FolioOp.ALLOC, -1, order);
        gfp = Memalloc.currentGfpContext(gfp); // __alloc_pages: PF_MEMALLOC_PIN drops __GFP_MOVABLE
        List<Node> nodes = mm.nodes();
        long pfn = nodes.get(preferred).allocLocal(gfp, order);
        for (int i = 0; pfn < 0 && !thisNode && i < nodes.size(); i++) {
            if (i != preferred) {
                pfn = nodes.get(i).allocLocal(gfp, order);
            }
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

    /** This node's part of the zonelist: a block's first pfn, or -1. */
    private long allocLocal(int gfp, int order) {
        boolean movable = (gfp & Gfp.__GFP_MOVABLE) != 0;
        long pfn = -1;
        if (movable && zones[ZoneType.ZONE_MOVABLE.ordinal()].spannedPages() > 0) {
            pfn = zones[ZoneType.ZONE_MOVABLE.ordinal()].allocBlock(order, true);
        }
        if (pfn < 0) {
            pfn = zones[ZoneType.ZONE_NORMAL.ordinal()].allocBlock(order, movable);
        }
        return pfn;
    }

    /**
     * The number of free pages of this node (NR_FREE_PAGES over both its zones).
     *
     * @return the free pages, in 4 KiB pages
     */
    public long freePages() {
        return vmstat.zoneSum(ZoneStatItem.NR_FREE_PAGES);
    }

    // ------------------------------------------------------------ freeing

    /** __folio_put(): the last reference is gone (called on the folio's own node). */
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
        Node owner = mm.nodeOf(pfn);
        if (owner != this) { // the folio goes back to its own node's buddy allocator
            owner.freeFrozenFolio(folio);
            return;
        }
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
            } else if (mm.mmIdMapcountRaw(pfn, 0) != -1) {
                reason = "nonzero mm mapcount 0"; // CONFIG_MM_ID: a per-mm slot still counts mappings
            } else if (mm.mmIdMapcountRaw(pfn, 1) != -1) {
                reason = "nonzero mm mapcount 1";
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

    /**
     * Save the zones' free lists and the vmstat counters (a {@link Machine#checkpoint()}; the memmap, one
     * for all nodes, is saved by the machine).
     */
    Runnable save() {
        Runnable[] back = new Runnable[zones.length + 1];
        back[0] = vmstat.save();
        for (int i = 0; i < zones.length; i++) back[i + 1] = zones[i].save();
        return () -> {
            for (Runnable r : back) r.run();
        };
    }
}
