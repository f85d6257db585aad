package io.github.foliolab.lru;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.VmStat;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.VmEventItem;

import static io.github.foliolab.folio.api.PageFlags.PG_active;
import static io.github.foliolab.folio.api.PageFlags.PG_dirty;
import static io.github.foliolab.folio.api.PageFlags.PG_lru;
import static io.github.foliolab.folio.api.PageFlags.PG_reclaim;
import static io.github.foliolab.folio.api.PageFlags.PG_referenced;
import static io.github.foliolab.folio.api.PageFlags.PG_swapbacked;
import static io.github.foliolab.folio.api.PageFlags.PG_swapcache;
import static io.github.foliolab.folio.api.PageFlags.PG_unevictable;
import static io.github.foliolab.folio.api.PageFlags.PG_writeback;

/**
 * The move functions of mm/swap.c (move_fn_t): lru_add, lru_move_tail, lru_deactivate_file,
 * lru_deactivate, lru_lazyfree, lru_activate. Each runs with lru_lock held and the folio owned by the
 * caller (PG_lru clear); the caller sets PG_lru afterwards.
 */
final class LruMoves {
    private final MemMap mm;
    /** Node 0's lruvec; each move works on the folio's own node's ({@link LruVec#forPfn}), whose lru_lock the caller holds. */
    private final LruVec lruvec;
    private final VmStat vmstat;
    private final Vmscan vmscan;

    LruMoves(MemMap mm, LruVec lruvec, VmStat vmstat, Vmscan vmscan) {
        this.mm = mm;
        this.lruvec = lruvec;
        this.vmstat = vmstat;
        this.vmscan = vmscan;
    }

    void move(BatchKind kind, long pfn) {
        switch (kind) {
            case LRU_ADD -> lruAdd(pfn);
            case LRU_MOVE_TAIL -> lruMoveTail(pfn);
            case LRU_DEACTIVATE_FILE -> lruDeactivateFile(pfn);
            case LRU_DEACTIVATE -> lruDeactivate(pfn);
            case LRU_LAZYFREE -> lruLazyfree(pfn);
            case LRU_ACTIVATE -> lruActivate(pfn);
        }
    }

    /**
     * lru_add(): re-derive evictability. PG_unevictable is test-and-cleared; an evictable folio that was
     * unevictable counts unevictable_pgs_rescued; an unevictable one loses PG_active, gains
     * PG_unevictable, gets mlock_count 0 (the deliberate undercount) and counts unevictable_pgs_culled
     * if it was not unevictable before. Then lruvec_add_folio(). No barrier between the flag operations
     * and folio_evictable(), as in 7.2 (race R1 lives here).
     */
    void lruAdd(long pfn) {
        if ((mm.flagsWord(pfn) & (1L << PG_lru)) != 0) { // VM_BUG_ON_FOLIO(folio_test_lru(folio)), before any change
            throw new VmBugException("VM_BUG_ON_FOLIO(folio_test_lru(folio)) in lru_add\n" + mm.dumpPage(pfn));
        }
        // folio_test_clear_unevictable(): the generic test_and_clear_bit returns early when a relaxed
        // read finds the bit clear (include/asm-generic/bitops/atomic.h); the RMW only when it is set.
        boolean wasUnevictable = mm.testClearFlagIfSet(pfn, PG_unevictable);
        long nr = mm.nrPages(pfn);
        if (vmscan.folioEvictable(pfn)) {
            if (wasUnevictable) {
                vmstat.countEvents(VmEventItem.UNEVICTABLE_PGRESCUED, nr);
            }
        } else {
            mm.clearFlag(pfn, PG_active);
            mm.setFlag(pfn, PG_unevictable);
            PageWords.setMlockCount(mm, pfn, 0); // folio->mlock_count = 0: undercount rather than overcount
            if (!wasUnevictable) {
                vmstat.countEvents(VmEventItem.UNEVICTABLE_PGCULLED, nr);
            }
        }
        lruvec.forPfn(pfn).addFolio(pfn);
    }

    /** lru_move_tail(): rotate a reclaimable folio to the tail of its (inactive) list; pgrotated. */
    void lruMoveTail(long pfn) {
        if (mm.testFlag(pfn, PG_unevictable)) {
            return;
        }
        lruvec.forPfn(pfn).delFolio(pfn);
        mm.clearFlag(pfn, PG_active);
        lruvec.forPfn(pfn).addFolioTail(pfn);
        vmstat.countEvents(VmEventItem.PGROTATED, mm.nrPages(pfn));
    }

    /** lru_deactivate_file(): unmapped file folio to the inactive list (head + PG_reclaim if dirty). */
    void lruDeactivateFile(long pfn) {
        boolean active = mm.testFlag(pfn, PG_active);
        long nr = mm.nrPages(pfn);
        if (mm.testFlag(pfn, PG_unevictable)) {
            return;
        }
        if (mm.folioMapcount(pfn) > 0) { // folio_mapped(): some processes are using it
            return;
        }
        lruvec.forPfn(pfn).delFolio(pfn);
        mm.clearFlag(pfn, PG_active);
        mm.clearFlag(pfn, PG_referenced);
        if (mm.testFlag(pfn, PG_writeback) || mm.testFlag(pfn, PG_dirty)) {
            lruvec.forPfn(pfn).addFolio(pfn);
            mm.setFlag(pfn, PG_reclaim);
        } else {
            lruvec.forPfn(pfn).addFolioTail(pfn);
            vmstat.countEvents(VmEventItem.PGROTATED, nr);
        }
        if (active) {
            vmstat.countEvents(VmEventItem.PGDEACTIVATE, nr);
        }
    }

    /** lru_deactivate(): active, evictable folio to the inactive list; pgdeactivate. */
    void lruDeactivate(long pfn) {
        if (mm.testFlag(pfn, PG_unevictable) || !mm.testFlag(pfn, PG_active)) {
            return;
        }
        lruvec.forPfn(pfn).delFolio(pfn);
        mm.clearFlag(pfn, PG_active);
        mm.clearFlag(pfn, PG_referenced);
        lruvec.forPfn(pfn).addFolio(pfn);
        vmstat.countEvents(VmEventItem.PGDEACTIVATE, mm.nrPages(pfn));
    }

    /** lru_lazyfree(): clean anon folio to the inactive file list (PG_swapbacked cleared); pglazyfree. */
    void lruLazyfree(long pfn) {
        if ((mm.mapping(pfn) & 1L) == 0 || !mm.testFlag(pfn, PG_swapbacked)
                || mm.testFlag(pfn, PG_swapcache) || mm.testFlag(pfn, PG_unevictable)) {
            return;
        }
        lruvec.forPfn(pfn).delFolio(pfn);
        mm.clearFlag(pfn, PG_active);
        mm.clearFlag(pfn, PG_referenced);
        mm.clearFlag(pfn, PG_swapbacked);
        lruvec.forPfn(pfn).addFolio(pfn);
        vmstat.countEvents(VmEventItem.PGLAZYFREE, mm.nrPages(pfn));
    }

    /** lru_activate(): inactive evictable folio to the active list; pgactivate. */
    void lruActivate(long pfn) {
        if (mm.testFlag(pfn, PG_active) || mm.testFlag(pfn, PG_unevictable)) {
            return;
        }
        lruvec.forPfn(pfn).delFolio(pfn);
        mm.setFlag(pfn, PG_active);
        lruvec.forPfn(pfn).addFolio(pfn);
        vmstat.countEvents(VmEventItem.PGACTIVATE, mm.nrPages(pfn));
    }
}
