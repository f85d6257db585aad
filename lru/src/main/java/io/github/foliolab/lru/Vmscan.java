package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.VmStat;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.api.ZoneType;

import java.util.ArrayList;
import java.util.List;

import static io.github.foliolab.folio.api.PageFlags.PG_active;
import static io.github.foliolab.folio.api.PageFlags.PG_dirty;
import static io.github.foliolab.folio.api.PageFlags.PG_lru;
import static io.github.foliolab.folio.api.PageFlags.PG_mlocked;
import static io.github.foliolab.folio.api.PageFlags.PG_reclaim;
import static io.github.foliolab.folio.api.PageFlags.PG_referenced;
import static io.github.foliolab.folio.api.PageFlags.PG_swapbacked;
import static io.github.foliolab.folio.api.PageFlags.PG_swapcache;
import static io.github.foliolab.folio.api.PageFlags.PG_unevictable;
import static io.github.foliolab.folio.api.PageFlags.PG_workingset;
import static io.github.foliolab.folio.api.PageFlags.PG_writeback;

/**
 * The LRU half of mm/vmscan.c of Linux 7.2 for one machine: isolation and putback, reclaim of a list,
 * culling to the unevictable list, check_move_unevictable_folios.
 *
 * <p>Isolated folios are held on Java lists ({@code List<Folio>}) rather than linked through
 * folio->lru; list_del() still poisons the lru words of a linked folio, as the kernel's does.
 *
 * <p>Model differences (reclaim is simplified but keeps the order and the outcomes of shrink_folio_list):
 * there is no swap device, so anon swap-backed folios are never reclaimed (they go to activate_locked,
 * as when folio_alloc_swap() fails; a large one is split to order 0 first, as 7.2 does when it cannot
 * swap it out whole) and shmem_writeout always re-dirties (AOP_WRITEPAGE_ACTIVATE); there
 * are no flusher threads: a dirty file-LRU folio gets PG_reclaim and is activated; page-cache folios
 * are freed through {@link RmapOps#removeMapping} (__remove_mapping); no buffer heads
 * (folio_needs_release is false), no memcg, no zone skipping (every zone is eligible), no demotion, no
 * kswapd and no throttling, no cost balancing, no per-list reclaim_stat; reclaim is always "direct"
 * (pgscan_direct / pgsteal_direct) with GFP_KERNEL, may_unmap and may_writepage.
 */
public final class Vmscan {
    private static final Machine.Key<Vmscan> KEY = new Machine.Key<>("vmscan");

    /** enum folio_references. */
    public enum FolioReferences {
        /** Reclaim the folio. */
        FOLIOREF_RECLAIM,
        /** Reclaim it if clean, leave a dirty one to writeback (a file folio with PG_referenced but no young PTE). */
        FOLIOREF_RECLAIM_CLEAN,
        /** Keep it on the inactive list. */
        FOLIOREF_KEEP,
        /** Move it to the active list (or mlock it, after a VM_LOCKED mapping). */
        FOLIOREF_ACTIVATE
    }

    /**
     * What isolate_lru_folios() reports: pages taken and pages scanned.
     *
     * @param nrTaken pages isolated
     * @param nrScanned pages scanned
     */
    public record IsolateResult(long nrTaken, long nrScanned) {}

    private final Machine machine;
    private final MemMap mm;
    private final VmStat vmstat;
    /** The calls up into mm/rmap.c, provided by the mm module when the machine is built. */
    private final Machine.Link<RmapOps> rmapOps;

    private Vmscan(Machine.Assembly a) {
        this.machine = a.machine();
        this.mm = machine.memMap();
        this.vmstat = machine.vmstat();
        this.rmapOps = a.link(RmapOps.class, RmapOps.NONE);
    }

    /**
     * The machine's reclaim state.
     *
     * @param machine the machine
     * @return its mm/vmscan.c state (one per machine)
     * @throws IllegalStateException if the lru module is not attached to the machine
     */
    public static Vmscan of(Machine machine) {
        return machine.state(KEY);
    }

    /** Create the machine's reclaim state; called by the lru module while the machine is built. */
    static Vmscan attach(Machine.Assembly a) {
        Vmscan v = new Vmscan(a);
        a.put(KEY, v);
        return v;
    }

    /** {@return the machine this reclaim state belongs to} */
    public Machine machine() {
        return machine;
    }

    /** {@return the rmap operations reclaim uses ({@link RmapOps#NONE} when the mm module is not installed)} */
    public RmapOps rmapOps() {
        return rmapOps.get();
    }

    private Swap swap() {
        return Swap.of(machine);
    }

    private LruVec lruvec() {
        return LruVec.of(machine);
    }

    // ------------------------------------------------------------ evictability

    /**
     * folio_evictable() (mm/internal.h): the mapping is not AS_UNEVICTABLE ({@link RmapOps#mappingUnevictable})
     * and PG_mlocked is clear. folio_mapping() of an anon folio is NULL here (no swap cache).
     *
     * @param folio the folio
     * @return true if the folio belongs on an evictable LRU
     */
    public boolean folioEvictable(Folio folio) {
        return folioEvictable(folio.pfn());
    }

    boolean folioEvictable(long pfn) {
        long mapping = mm.mapping(pfn);
        if (mapping != 0 && (mapping & 1L) == 0 && rmapOps.get().mappingUnevictable(mapping)) {
            return false;
        }
        return !mm.testFlag(pfn, PG_mlocked);
    }

    // ------------------------------------------------------------ isolation and putback

    /**
     * folio_isolate_lru(): if test-and-clear of PG_lru wins, take the isolation reference and delete the
     * folio from its list under lru_lock. PG_active / PG_unevictable are left as they were; NR_ISOLATED_*
     * is the caller's job ({@link #modIsolated}). The caller holds a reference and not lru_lock.
     *
     * @param folio the folio
     * @return true if this call isolated it, false if it was not on an LRU (PG_lru already clear)
     */
    public boolean folioIsolateLru(Folio folio) {
        long pfn = folio.pfn();
        if (mm.refCountRaw(pfn) <= 0) {
            throw new VmBugException("VM_BUG_ON_FOLIO(!folio_ref_count(folio)) in folio_isolate_lru\n" + folio.dump());
        }
        LruVec lv = lruvec().forPfn(pfn); // folio_lruvec_lock_irq: the folio's node's lruvec
        if (lv.lruLock().heldByCurrentThread()) {
            throw new VmBugException("folio_isolate_lru with lru_lock held: deadlock\n" + folio.dump());
        }
        if (!mm.testClearFlag(pfn, PG_lru)) {
            return false;
        }
        mm.get(pfn); // the isolation reference
        lv.lock();
        try {
            lv.delFolio(pfn);
        } finally {
            lv.unlock();
        }
        return true;
    }

    /**
     * folio_putback_lru(): folio_add_lru() then drop the isolation reference.
     *
     * @param folio the folio
     */
    public void folioPutbackLru(Folio folio) {
        swap().folioAddLru(folio);
        folio.put(); // drop the reference from isolation
    }

    /**
     * node_stat_mod_folio(folio, NR_ISOLATED_ANON + folio_is_file_lru(folio), sign * nr): the isolator's accounting.
     *
     * @param folio the folio
     * @param sign +1 or -1
     */
    public void modIsolated(Folio folio, int sign) {
        folio.pgdat().vmstat().modNode(folio.isFileLru() ? NodeStatItem.NR_ISOLATED_FILE : NodeStatItem.NR_ISOLATED_ANON,
                sign * folio.nrPages());
    }

    /**
     * isolate_lru_folios(): with lru_lock held, take up to {@code nrToScan} pages from the tail of
     * {@code lru} onto {@code dst}. A folio without PG_lru, or mapped when !mayUnmap, or whose count is
     * zero (folio_try_get fails: being freed), or whose PG_lru another isolator wins, is rotated to the
     * head instead. folio_try_get comes BEFORE folio_test_clear_lru (R-LRU-1). Sizes are adjusted here;
     * NR_ISOLATED_* is the caller's.
     *
     * @param nrToScan the most pages to scan
     * @param lru the list to isolate from
     * @param dst where isolated folios are appended
     * @param mayUnmap false to rotate mapped folios instead of taking them
     * @return pages taken and pages scanned
     */
    public IsolateResult isolateLruFolios(long nrToScan, LruList lru, List<Folio> dst, boolean mayUnmap) {
        LruVec lv = lruvec();
        lv.assertLocked();
        if (lru == LruList.LRU_UNEVICTABLE) {
            throw new VmBugException("isolate_lru_folios on LRU_UNEVICTABLE: it is never linked nor scanned");
        }
        long scan = 0;
        long totalScan = 0;
        long taken = 0;
        long[] zoneTaken = new long[ZoneType.values().length];
        while (scan < nrToScan) {
            long pfn = lv.tail(lru);
            if (pfn < 0) {
                break; // list_empty(src)
            }
            long nr = mm.nrPages(pfn);
            totalScan += nr;
            scan += nr;
            boolean take = false;
            if (!mm.testFlag(pfn, PG_lru)) {
                // being isolated or moved by a winner that waits for lru_lock: leave it
            } else if (!mayUnmap && mm.folioMapcount(pfn) > 0) {
                // not ours to unmap
            } else if (!mm.tryGet(pfn)) {
                // count zero: being freed; the releaser will unlink it
            } else if (!mm.testClearFlag(pfn, PG_lru)) {
                mm.put(pfn); // another thread is already isolating it
            } else {
                take = true;
            }
            if (take) {
                lv.unlink(pfn);
                taken += nr;
                zoneTaken[mm.node().zoneOf(pfn).type().ordinal()] += nr;
                dst.add(mm.folio(pfn));
            } else {
                lv.listMoveToHead(pfn, lru);
            }
        }
        for (ZoneType z : ZoneType.values()) {
            if (zoneTaken[z.ordinal()] != 0) {
                lv.adjustZoneSize(z, lru, -zoneTaken[z.ordinal()]);
            }
        }
        return new IsolateResult(taken, totalScan);
    }

    /**
     * move_folios_to_lru(): put reclaim's survivors back, under lru_lock. An unevictable one goes through
     * folio_putback_lru (lru_add culls it); the others get PG_lru set BEFORE the isolation reference is
     * dropped (R-LRU-2); if that drop was the last, the folio is freed here. The caller must not hold
     * lru_lock.
     *
     * @param list the isolated folios; emptied
     * @return pages moved back to an LRU
     */
    public long moveFoliosToLru(List<Folio> list) {
        LruVec lv = lruvec();
        long moved = 0;
        boolean locked = false;
        List<Folio> free = null;
        try {
            for (Folio f : list) {
                long pfn = f.pfn();
                LruVec own = lruvec().forPfn(pfn); // folio_lruvec_relock_irq
                if (locked && own != lv) {
                    lv.unlock();
                    locked = false;
                }
                lv = own;
                if (!locked) {
                    lv.lock();
                    locked = true;
                }
                if (mm.testFlag(pfn, PG_lru)) {
                    throw new VmBugException("VM_BUG_ON_FOLIO(folio_test_lru(folio)) in move_folios_to_lru\n" + f.dump());
                }
                if (!folioEvictable(pfn)) {
                    lv.unlock();
                    locked = false;
                    folioPutbackLru(f);
                    continue;
                }
                mm.setFlag(pfn, PG_lru); // before the put: the list's integrity against a racing final put
                if (mm.refSubAndTest(pfn, 1)) { // folio_put_testzero
                    lv.clearLruFlags(pfn);
                    if (free == null) free = new ArrayList<>();
                    free.add(f);
                    continue;
                }
                lv.addFolio(pfn);
                moved += mm.nrPages(pfn);
            }
        } finally {
            if (locked) {
                lv.unlock();
            }
        }
        list.clear();
        if (free != null) {
            for (Folio f : free) {
                machine.node().freeFrozenFolio(f);
            }
        }
        return moved;
    }

    // ------------------------------------------------------------ reclaim

    private RmapOps.Referenced folioReferenced(Folio folio, boolean isLocked) {
        return rmapOps.get().folioReferenced(folio, isLocked);
    }

    /**
     * folio_check_references() of the classic LRU.
     *
     * @param folio the folio, isolated and locked
     * @return what reclaim does with it
     */
    public FolioReferences folioCheckReferences(Folio folio) {
        RmapOps.Referenced r = folioReferenced(folio, true);
        if ((r.vmFlags() & VmFlags.VM_LOCKED) != 0) {
            return FolioReferences.FOLIOREF_ACTIVATE; // now mlocked: let it move to the unevictable list
        }
        if (r.referenced() == -1) {
            return FolioReferences.FOLIOREF_KEEP;
        }
        boolean referencedFolio = folio.testClearReferenced();
        if (r.referenced() > 0) {
            folio.setReferenced();
            if (referencedFolio || r.referenced() > 1) {
                return FolioReferences.FOLIOREF_ACTIVATE;
            }
            if ((r.vmFlags() & VmFlags.VM_EXEC) != 0 && folio.isFileLru()) {
                return FolioReferences.FOLIOREF_ACTIVATE;
            }
            return FolioReferences.FOLIOREF_KEEP;
        }
        if (referencedFolio && folio.isFileLru()) {
            return FolioReferences.FOLIOREF_RECLAIM_CLEAN;
        }
        return FolioReferences.FOLIOREF_RECLAIM;
    }

    /**
     * shrink_folio_list(): try to free each isolated folio (the steps of each are those of
     * {@code shrinkOne}, in 7.2's order). Unevictable ones (e.g. PG_mlocked left on an evictable list) go
     * straight to activate_locked; folios under writeback are marked PG_reclaim and activated; referenced
     * ones are kept or activated (a VM_LOCKED mapping found by the rmap walk mlocks the folio and
     * activates); mapped ones are unmapped through {@link RmapOps#tryToUnmap} or activated; dirty ones
     * are activated (file LRU) or go through pageout(); lazyfree anon folios are freed if the isolation
     * reference is the only one (folio_ref_freeze(1)), clean page-cache folios if __remove_mapping lets
     * them go. activate_locked sets PG_active only if the folio is not PG_mlocked. Freed folios leave the
     * list; the rest stay on it for {@link #moveFoliosToLru}.
     *
     * @param folioList the isolated folios
     * @param ignoreReferences true to skip folio_check_references() (reclaim_pages, MADV_PAGEOUT)
     * @return pages reclaimed
     */
    public long shrinkFolioList(List<Folio> folioList, boolean ignoreReferences) {
        List<Folio> ret = new ArrayList<>(folioList.size());
        List<Folio> free = new ArrayList<>();
        long reclaimed = 0;
        long pgactivate = 0;
        List<Folio> split = new ArrayList<>();
        // An index loop: a large folio split here puts its other pieces right after it. The kernel takes
        // folios from the tail of folio_list and appends the pieces there, so they are handled next, the
        // last piece first.
        for (int i = 0; i < folioList.size(); i++) {
            Folio folio = folioList.get(i);
            long pfn = folio.pfn();
            if (!folio.trylock()) {
                ret.add(folio); // keep
                continue;
            }
            if (folio.testActive()) {
                folio.unlock();
                throw new VmBugException("VM_BUG_ON_FOLIO(folio_test_active(folio)) in shrink_folio_list\n" + folio.dump());
            }
            long nr = folio.nrPages();
            Outcome o = shrinkOne(folio, ignoreReferences, split);
            if (!split.isEmpty()) {
                folioList.addAll(i + 1, split.reversed());
                split.clear();
            }
            if (o == Outcome.ACTIVATE_SPLIT) {
                nr = 1; // activate_locked_split: the folio is order 0 now (or was already)
                o = Outcome.ACTIVATE;
            }
            switch (o) {
                case FREE -> {
                    folio.unlock();
                    reclaimed += nr;
                    free.add(folio);
                }
                case ACTIVATE -> {
                    if (!mm.testFlag(pfn, PG_mlocked)) {
                        folio.setActive();
                        pgactivate += nr;
                    }
                    folio.unlock();
                    ret.add(folio);
                }
                case KEEP -> {
                    folio.unlock();
                    ret.add(folio);
                }
                case KEEP_UNLOCKED -> ret.add(folio); // pageout() unlocked it
            }
        }
        for (Folio f : free) {
            machine.node().freeFrozenFolio(f);
        }
        vmstat.countEvents(VmEventItem.PGACTIVATE, pgactivate);
        folioList.clear();
        folioList.addAll(ret);
        return reclaimed;
    }

    /**
     * Where shrink_folio_list sends a folio: free_it, activate_locked, activate_locked_split (activate,
     * counting one page: a folio whose swap allocation failed after a split), keep_locked, or keep
     * (already unlocked).
     */
    private enum Outcome { FREE, ACTIVATE, ACTIVATE_SPLIT, KEEP, KEEP_UNLOCKED }

    /** pageout_t: what pageout() did with a dirty folio. */
    enum Pageout { PAGE_KEEP, PAGE_ACTIVATE, PAGE_SUCCESS, PAGE_CLEAN }

    /**
     * The body of shrink_folio_list() for one locked, isolated folio (mm/vmscan.c), in 7.2's order:
     * evictability; writeback first (case 2 of the comment there: global reclaim marks the folio for
     * immediate reclaim and activates it without looking at its PTEs); folio_check_references; anon
     * swap-backed folios (a DMA-pinned one is kept, the rest activated: no swap device; a large one is
     * split first, see {@code anonNoSwap}); try_to_unmap;
     * folio_maybe_dma_pinned after the unmap (activate); dirty folios (file-LRU ones, which here are the
     * re-dirtied lazyfree folios, count NR_VMSCAN_IMMEDIATE, get PG_reclaim and are activated;
     * swap-backed ones, i.e. shmem, go through {@link #pageout}); then lazyfree freeing with
     * folio_ref_freeze(1), or __remove_mapping of a page-cache folio ({@link RmapOps#removeMapping}).
     * scan_control is that of reclaim_pages() and of direct reclaim: GFP_KERNEL, may_unmap,
     * may_writepage.
     */
    private Outcome shrinkOne(Folio folio, boolean ignoreReferences, List<Folio> split) {
        long pfn = folio.pfn();
        long nr = folio.nrPages();
        if (!folioEvictable(pfn)) {
            return Outcome.ACTIVATE;
        }
        if (mm.testFlag(pfn, PG_writeback)) {
            // No kswapd (case 1) and no legacy memcg (case 3) in the model: case 2.
            mm.setFlag(pfn, PG_reclaim); // folio_set_reclaim: set_bit, relaxed
            return Outcome.ACTIVATE;
        }
        FolioReferences refs = ignoreReferences ? FolioReferences.FOLIOREF_RECLAIM : folioCheckReferences(folio);
        if (refs == FolioReferences.FOLIOREF_ACTIVATE) {
            return Outcome.ACTIVATE;
        }
        if (refs == FolioReferences.FOLIOREF_KEEP) {
            return Outcome.KEEP;
        }
        boolean anon = folio.isAnon();
        boolean swapbacked = mm.testFlag(pfn, PG_swapbacked);
        if (anon && swapbacked && !mm.testFlag(pfn, PG_swapcache)) {
            if (folio.maybeDmaPinned()) {
                return Outcome.KEEP;
            }
            return anonNoSwap(folio, split);
        }
        if (folio.mapped()) {
            rmapOps.get().tryToUnmap(folio);
            if (folio.mapped()) {
                return Outcome.ACTIVATE; // a VM_LOCKED VMA mlocked it, or a lazyfree folio was re-dirtied
            }
        }
        if (folio.maybeDmaPinned()) {
            return Outcome.ACTIVATE; // unmapped, so it cannot be newly pinned: no point trying
        }
        if (mm.testFlag(pfn, PG_dirty)) {
            if (folio.isFileLru()) {
                vmstat.modNode(NodeStatItem.NR_VMSCAN_IMMEDIATE, nr);
                if (!mm.testFlag(pfn, PG_reclaim)) {
                    mm.setFlag(pfn, PG_reclaim); // folio_set_reclaim: reclaim it as soon as it is written back
                }
                return Outcome.ACTIVATE;
            }
            if (refs == FolioReferences.FOLIOREF_RECLAIM_CLEAN) {
                return Outcome.KEEP;
            }
            switch (pageout(folio)) {
                case PAGE_KEEP:
                    return Outcome.KEEP;
                case PAGE_ACTIVATE:
                    return Outcome.ACTIVATE;
                case PAGE_SUCCESS:
                    if (mm.testFlag(pfn, PG_writeback) || mm.testFlag(pfn, PG_dirty)) {
                        return Outcome.KEEP_UNLOCKED;
                    }
                    // A synchronous write: try to free the folio now.
                    if (!folio.trylock()) { // folio_trylock: test_and_set_bit_lock, acquire
                        return Outcome.KEEP_UNLOCKED;
                    }
                    if (mm.testFlag(pfn, PG_dirty) || mm.testFlag(pfn, PG_writeback)) {
                        return Outcome.KEEP;
                    }
                    break;
                case PAGE_CLEAN:
                    break;
            }
        }
        if (anon && !swapbacked) { // folio_test_lazyfree: follows __remove_mapping
            if (!mm.refFreeze(pfn, 1)) {
                return Outcome.KEEP;
            }
            vmstat.countEvents(VmEventItem.PGLAZYFREED, nr);
            return Outcome.FREE;
        }
        long mapping = anon ? 0 : folio.mapping(); // folio_mapping(): NULL for anon outside the swap cache
        if (mapping == 0 || !rmapOps.get().removeMapping(folio)) {
            return Outcome.KEEP;
        }
        return Outcome.FREE;
    }

    /**
     * shrink_folio_list()'s step for an anonymous swap-backed folio outside the swap cache, with no swap
     * device: folio_alloc_swap() fails. A large folio holding a reference other than its mappings' and
     * the isolation's is activated as it is ("cannot split folio, skip it"); a partially mapped one on
     * the deferred split queue is split first; then, as folio_alloc_swap() fails for the large folio, it
     * is split to order 0 (split_folio_to_list: the other pieces join the reclaim list, see {@code split};
     * pages never written are mapped to the zero page by the split), MTHP_STAT_SWPOUT_FALLBACK is
     * counted, and the swap allocation fails again for the first page's folio: activate_locked_split.
     * A failed split activates the large folio whole. A small folio goes to activate_locked_split at
     * once.
     *
     * <p>Model difference: there is no swap device, so every folio that reaches here is activated (the
     * kernel with swap would write the pieces out); the THP_SWPOUT_FALLBACK event (PMD-sized folios
     * only) does not occur, the model having no PMD-sized folios.
     *
     * @param folio the locked, isolated folio
     * @param split receives the new folios of a split, in pfn order
     */
    private Outcome anonNoSwap(Folio folio, List<Folio> split) {
        if (folio.isLarge()) {
            int order = folio.order();
            // folio_expected_ref_count() != folio_ref_count() - 1: an extra reference (no swap cache or
            // private data in the model, so the expected count is the mapcount).
            if (folio.mapcount() != folio.refCount() - 1) {
                return Outcome.ACTIVATE;
            }
            RmapOps r = rmapOps.get();
            // Split partially mapped folios right away (the kernel's list_empty test is a data race; the
            // model asks the queue).
            if (r.partiallyMappedQueued(folio) && r.splitFolioToList(folio, split) != 0) {
                return Outcome.ACTIVATE;
            }
            if (folio.isLarge()) {
                // folio_alloc_swap() failed for the large folio: fall back to swapping normal pages.
                if (r.splitFolioToList(folio, split) != 0) {
                    return Outcome.ACTIVATE;
                }
                r.countSwpoutFallback(order);
            }
        }
        return Outcome.ACTIVATE_SPLIT; // folio_alloc_swap() fails: the model has no swap device
    }

    /**
     * pageout() (mm/vmscan.c) for a locked, unmapped, dirty, swap-backed folio: PAGE_KEEP unless only the
     * isolation and the page cache hold it (count 1 + nr) and it has a mapping; PAGE_ACTIVATE for a
     * mapping that is not shmem (filesystems write back through the flushers); PAGE_CLEAN if
     * folio_clear_dirty_for_io() finds it clean (shmem's backing device cannot write back, so that is a
     * plain test-and-clear of PG_dirty: PTE dirty bits were moved to the folio by try_to_unmap); else
     * PG_reclaim and {@link RmapOps#shmemWriteout}: AOP_WRITEPAGE_ACTIVATE clears PG_reclaim again and
     * activates; success counts NR_VMSCAN_WRITE and clears PG_reclaim unless the write is in flight.
     *
     * <p>Model difference: a write error (negative result) is not recorded in the mapping
     * (handle_write_error); no swap plug.
     */
    Pageout pageout(Folio folio) {
        long pfn = folio.pfn();
        long nr = folio.nrPages();
        long mapping = folio.isAnon() ? 0 : folio.mapping(); // folio_mapping()
        RmapOps r = rmapOps.get();
        if (mm.refCountRaw(pfn) != 1 + nr || mapping == 0) {
            return Pageout.PAGE_KEEP;
        }
        if (!r.shmemMapping(mapping)) {
            return Pageout.PAGE_ACTIVATE;
        }
        if (!mm.testClearFlag(pfn, PG_dirty)) { // folio_clear_dirty_for_io: !mapping_can_writeback(shmem)
            return Pageout.PAGE_CLEAN;
        }
        mm.setFlag(pfn, PG_reclaim); // folio_set_reclaim: set_bit, relaxed
        int res = r.shmemWriteout(folio);
        if (res == RmapOps.AOP_WRITEPAGE_ACTIVATE) {
            mm.clearFlag(pfn, PG_reclaim); // folio_clear_reclaim: clear_bit, relaxed
            return Pageout.PAGE_ACTIVATE;
        }
        if (!mm.testFlag(pfn, PG_writeback)) {
            mm.clearFlag(pfn, PG_reclaim); // a synchronous write
        }
        vmstat.modNode(NodeStatItem.NR_VMSCAN_WRITE, nr);
        return Pageout.PAGE_SUCCESS;
    }

    /**
     * shrink_inactive_list(): lru_add_drain(), isolate from the tail of an inactive list, shrink the
     * folios, put the survivors back.
     *
     * @param nrToScan the most pages to scan
     * @param lru the LRU list
     * @return pages reclaimed
     */
    public long shrinkInactiveList(long nrToScan, LruList lru) {
        if (lru.isActive() || !lru.isEvictable()) {
            throw new IllegalArgumentException("shrink_inactive_list of " + lru);
        }
        swap().lruAddDrain();
        LruVec lv = lruvec();
        List<Folio> list = new ArrayList<>();
        IsolateResult r;
        NodeStatItem isolated = lru.isFile() ? NodeStatItem.NR_ISOLATED_FILE : NodeStatItem.NR_ISOLATED_ANON;
        lv.lock();
        try {
            r = isolateLruFolios(nrToScan, lru, list, true);
            vmstat.modNode(isolated, r.nrTaken());
            vmstat.modNode(NodeStatItem.PGSCAN_DIRECT, r.nrScanned());
            vmstat.modNode(lru.isFile() ? NodeStatItem.PGSCAN_FILE : NodeStatItem.PGSCAN_ANON, r.nrScanned());
        } finally {
            lv.unlock();
        }
        if (r.nrTaken() == 0) {
            return 0;
        }
        long reclaimed = shrinkFolioList(list, false);
        moveFoliosToLru(list);
        vmstat.modNode(isolated, -r.nrTaken());
        vmstat.modNode(NodeStatItem.PGSTEAL_DIRECT, reclaimed);
        vmstat.modNode(lru.isFile() ? NodeStatItem.PGSTEAL_FILE : NodeStatItem.PGSTEAL_ANON, reclaimed);
        return reclaimed;
    }

    /**
     * shrink_active_list(): isolate from the tail of an active list; unevictable folios are put back (and
     * culled by lru_add); referenced executable file folios stay active; the rest lose PG_active, gain
     * PG_workingset and go to the inactive list (pgdeactivate).
     *
     * @param nrToScan the most pages to scan
     * @param lru the LRU list
     */
    public void shrinkActiveList(long nrToScan, LruList lru) {
        if (!lru.isActive()) {
            throw new IllegalArgumentException("shrink_active_list of " + lru);
        }
        swap().lruAddDrain();
        LruVec lv = lruvec();
        List<Folio> hold = new ArrayList<>();
        IsolateResult r;
        NodeStatItem isolated = lru.isFile() ? NodeStatItem.NR_ISOLATED_FILE : NodeStatItem.NR_ISOLATED_ANON;
        lv.lock();
        try {
            r = isolateLruFolios(nrToScan, lru, hold, true);
            vmstat.modNode(isolated, r.nrTaken());
            vmstat.modNode(NodeStatItem.PGREFILL, r.nrScanned());
        } finally {
            lv.unlock();
        }
        List<Folio> active = new ArrayList<>();
        List<Folio> inactive = new ArrayList<>();
        for (Folio folio : hold) {
            if (!folioEvictable(folio.pfn())) {
                folioPutbackLru(folio);
                continue;
            }
            RmapOps.Referenced ref = folioReferenced(folio, false);
            if (ref.referenced() != 0 && (ref.vmFlags() & VmFlags.VM_EXEC) != 0 && folio.isFileLru()) {
                active.add(folio);
                continue;
            }
            folio.clearActive(); // we are de-activating
            mm.setFlag(folio.pfn(), PG_workingset);
            inactive.add(folio);
        }
        moveFoliosToLru(active);
        long deactivated = moveFoliosToLru(inactive);
        vmstat.countEvents(VmEventItem.PGDEACTIVATE, deactivated);
        vmstat.modNode(isolated, -r.nrTaken());
    }

    /**
     * {@return a simplified shrink_lruvec(): deactivate from each active list, then reclaim from each
     * inactive list, {@code nrToScan} pages per list} Returns pages reclaimed.
     *
     * @param nrToScan the most pages to scan
     */
    public long shrinkLruvec(long nrToScan) {
        shrinkActiveList(nrToScan, LruList.LRU_ACTIVE_ANON);
        shrinkActiveList(nrToScan, LruList.LRU_ACTIVE_FILE);
        return shrinkInactiveList(nrToScan, LruList.LRU_INACTIVE_ANON)
                + shrinkInactiveList(nrToScan, LruList.LRU_INACTIVE_FILE);
    }

    /**
     * check_move_unevictable_folios(): for each folio count unevictable_pgs_scanned; if PG_lru is won,
     * move an evictable folio off the unevictable "list" (unevictable_pgs_rescued) and set PG_lru again.
     *
     * @param fbatch the folio batch
     */
    public void checkMoveUnevictableFolios(FolioBatch fbatch) {
        LruVec lv = lruvec();
        long scanned = 0;
        long rescued = 0;
        boolean locked = false;
        try {
            for (int i = 0; i < fbatch.count(); i++) {
                long pfn = fbatch.pfn(i);
                if (pfn == FolioBatch.NULL_PFN) continue;
                long nr = mm.nrPages(pfn);
                scanned += nr;
                if (!mm.testClearFlag(pfn, PG_lru)) {
                    continue;
                }
                if (!locked) {
                    lv.lock();
                    locked = true;
                }
                if (folioEvictable(pfn) && mm.testFlag(pfn, PG_unevictable)) {
                    lv.delFolio(pfn);
                    mm.clearFlag(pfn, PG_unevictable);
                    lv.addFolio(pfn);
                    rescued += nr;
                }
                mm.setFlag(pfn, PG_lru);
            }
        } finally {
            if (locked) {
                lv.unlock();
            }
        }
        vmstat.countEvents(VmEventItem.UNEVICTABLE_PGRESCUED, rescued);
        vmstat.countEvents(VmEventItem.UNEVICTABLE_PGSCANNED, scanned);
    }

    /**
     * reclaim_pages() (MADV_PAGEOUT): the folios are isolated (PG_lru clear) by the caller. Clear
     * PG_active, shrink them ignoring references, put back what is left.
     *
     * @param folios the folios
     * @return pages reclaimed
     */
    public long reclaimPages(List<Folio> folios) {
        if (folios.isEmpty()) {
            return 0;
        }
        for (Folio f : folios) {
            if (f.testLru() || f.testUnevictable()) {
                throw new VmBugException("reclaim_pages needs isolated, evictable-list folios\n" + f.dump());
            }
        }
        List<Folio> list = new ArrayList<>(folios);
        for (Folio f : list) {
            f.clearActive();
        }
        long reclaimed = shrinkFolioList(list, true);
        for (Folio f : list) {
            folioPutbackLru(f);
        }
        return reclaimed;
    }
}
