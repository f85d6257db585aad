package io.github.foliolab.migrate;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.lru.Vmscan;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.DeferredSplit;
import io.github.foliolab.mm.Mm;

import java.util.ArrayList;
import java.util.List;

/**
 * migrate_pages() and its passes (mm/migrate.c): migrate_pages_sync(), migrate_pages_batch() (unmap every
 * folio of the batch, then move each), migrate_folio_unmap(), migrate_folio_move(), the undo paths and
 * migrate_folio_done().
 *
 * <p>Model difference: the anon_vma reference migration holds across the unmap (folio_get_anon_vma) is
 * not taken: the model's anon_vmas are never freed under a folio; the state the kernel keeps in
 * dst->private (was mapped, was mlocked) is kept in {@link Unmapped}.
 */
final class MigratePagesCore {
    /** NR_MAX_BATCHED_MIGRATION (mm/migrate.c): pages per batch (HPAGE_PMD_NR). */
    static final int NR_MAX_BATCHED_MIGRATION = 512;
    /** HPAGE_PMD_ORDER on x86-64: folios of this order and up are "THP" in the thp_migration_* counters. */
    static final int HPAGE_PMD_ORDER = 9;
    /** NR_MAX_MIGRATE_PAGES_RETRY (mm/migrate.c). */
    static final int NR_MAX_MIGRATE_PAGES_RETRY = 10;
    /** NR_MAX_MIGRATE_ASYNC_RETRY (mm/migrate.c). */
    static final int NR_MAX_MIGRATE_ASYNC_RETRY = 3;
    /** NR_MAX_MIGRATE_SYNC_RETRY (mm/migrate.c). */
    static final int NR_MAX_MIGRATE_SYNC_RETRY = NR_MAX_MIGRATE_PAGES_RETRY - NR_MAX_MIGRATE_ASYNC_RETRY;

    /** struct migrate_pages_stats. */
    static final class Stats {
        long nrSucceeded;
        long nrFailedPages;
        long nrThpSucceeded;
        long nrThpFailed;
        long nrThpSplit;
        long nrSplit;
    }

    /** A source folio unmapped and locked, with its locked destination (the kernel's dst->private record). */
    private record Unmapped(Folio src, Folio dst, boolean wasMapped, boolean wasMlocked) {}

    /** migrate_folio_unmap()'s outcome: rc, and the pair when rc is 0. */
    private record UnmapResult(int rc, Unmapped pair) {}

    private final Mm mm;
    private final Vmscan vmscan;
    private final MigrationPtes ptes;
    private final FolioMigrate folios;

    MigratePagesCore(Mm mm, Vmscan vmscan, MigrationPtes ptes, FolioMigrate folios) {
        this.mm = mm;
        this.vmscan = vmscan;
        this.ptes = ptes;
        this.folios = folios;
    }

    FolioMigrate folios() {
        return folios;
    }

    /** migrate_pages(): see {@link Migrate#migratePages}. */
    int migratePages(List<Folio> from, NewFolio getNew, MigrateMode mode, MigrateReason reason) {
        Stats stats = new Stats();
        List<Folio> retFolios = new ArrayList<>();
        List<Folio> splitFolios = new ArrayList<>();
        int rcGather = 0;
        while (!from.isEmpty()) {
            // Cut a batch of fewer than NR_MAX_BATCHED_MIGRATION pages (the folio reaching it included).
            List<Folio> batch = new ArrayList<>();
            long nrPages = 0;
            while (!from.isEmpty() && nrPages < NR_MAX_BATCHED_MIGRATION) {
                Folio f = from.removeFirst();
                nrPages += f.nrPages();
                batch.add(f);
            }
            int rc = mode == MigrateMode.MIGRATE_ASYNC
                    ? migratePagesBatch(batch, getNew, mode, reason, retFolios, splitFolios, stats, NR_MAX_MIGRATE_PAGES_RETRY)
                    : migratePagesSync(batch, getNew, mode, reason, retFolios, splitFolios, stats);
            retFolios.addAll(batch);
            if (rc < 0) {
                rcGather = rc;
                retFolios.addAll(splitFolios);
                retFolios.addAll(from); // not attempted: stays on the caller's list
                from.clear();
                break;
            }
            if (!splitFolios.isEmpty()) {
                // Split folios of a failed large folio: one asynchronous try, failures not counted again.
                migratePagesBatch(splitFolios, getNew, MigrateMode.MIGRATE_ASYNC, reason, retFolios, null, stats, 1);
                retFolios.addAll(splitFolios);
                splitFolios.clear();
            }
            rcGather += rc;
        }
        from.addAll(0, retFolios); // list_splice(&ret_folios, from)
        if (from.isEmpty()) {
            rcGather = 0;
        }
        var vmstat = mm.machine().vmstat(); // count_vm_events: vm events are node 0's in the model
        vmstat.countEvents(VmEventItem.PGMIGRATE_SUCCESS, stats.nrSucceeded);
        vmstat.countEvents(VmEventItem.PGMIGRATE_FAIL, stats.nrFailedPages);
        vmstat.countEvents(VmEventItem.THP_MIGRATION_SUCCESS, stats.nrThpSucceeded);
        vmstat.countEvents(VmEventItem.THP_MIGRATION_FAIL, stats.nrThpFailed);
        vmstat.countEvents(VmEventItem.THP_MIGRATION_SPLIT, stats.nrThpSplit);
        return rcGather;
    }

    /**
     * migrate_pages_sync(): the whole batch in MIGRATE_ASYNC first (its failures not counted), then each
     * folio that failed alone in {@code mode}.
     */
    private int migratePagesSync(List<Folio> from, NewFolio getNew, MigrateMode mode, MigrateReason reason,
            List<Folio> retFolios, List<Folio> splitFolios, Stats stats) {
        Stats astats = new Stats();
        List<Folio> failed = new ArrayList<>();
        int rc = migratePagesBatch(from, getNew, MigrateMode.MIGRATE_ASYNC, reason, failed, splitFolios, astats,
                NR_MAX_MIGRATE_ASYNC_RETRY);
        stats.nrSucceeded += astats.nrSucceeded;
        stats.nrThpSucceeded += astats.nrThpSucceeded;
        stats.nrThpSplit += astats.nrThpSplit;
        stats.nrSplit += astats.nrSplit;
        if (rc < 0) {
            stats.nrFailedPages += astats.nrFailedPages;
            stats.nrThpFailed += astats.nrThpFailed;
            retFolios.addAll(failed);
            return rc;
        }
        stats.nrThpFailed += astats.nrThpSplit;
        int nrFailed = (int) astats.nrSplit;
        from.addAll(failed); // list_splice_tail_init(&folios, from)
        while (!from.isEmpty()) {
            List<Folio> one = new ArrayList<>(List.of(from.removeFirst()));
            rc = migratePagesBatch(one, getNew, mode, reason, retFolios, splitFolios, stats, NR_MAX_MIGRATE_SYNC_RETRY);
            retFolios.addAll(one);
            if (rc < 0) {
                retFolios.addAll(from);
                from.clear();
                return rc;
            }
            nrFailed += rc;
        }
        return nrFailed;
    }

    /**
     * migrate_pages_batch(): up to {@code nrPass} passes unmapping every folio of {@code from} (a folio
     * whose only reference is the isolation's was freed meanwhile and counts as migrated), then up to
     * {@code nrPass} passes moving the unmapped ones; what is still unmapped is restored. Folios that
     * failed for good go to {@code retFolios}; those still -EAGAIN stay on {@code from}.
     *
     * <p>Large folios (x86-64 supports THP migration) migrate whole, except that a partially mapped one
     * on the deferred split queue is split first (try_split_folio; counted as one failure, its pieces
     * go to {@code splitFolios} for migrate_pages() to move), and one whose destination cannot be
     * allocated is split and its pieces tried later (not for MR_NUMA_MISPLACED; for MR_LONGTERM_PIN a
     * split that fails with -EAGAIN is retried). Pages are counted in {@code nrSucceeded} /
     * {@code nrFailedPages}; the thp_* counters only count PMD-sized folios (order 9), which the
     * model does not make.
     *
     * @return the number of folios not migrated, or -ENOMEM
     */
    private int migratePagesBatch(List<Folio> from, NewFolio getNew, MigrateMode mode, MigrateReason reason,
            List<Folio> retFolios, List<Folio> splitFolios, Stats stats, int nrPass) {
        int retry = 1;
        int thpRetry = 0;
        int nrFailed = 0;
        long nrRetryPages = 0;
        int rcSaved = 0;
        boolean skipMove = false;
        boolean nosplit = reason == MigrateReason.MR_NUMA_MISPLACED;
        List<Unmapped> unmapped = new ArrayList<>();
        outer:
        for (int pass = 0; pass < nrPass && retry > 0; pass++) {
            retry = 0;
            thpRetry = 0;
            nrRetryPages = 0;
            for (Folio folio : List.copyOf(from)) {
                long nrPages = folio.nrPages();
                boolean isLarge = folio.isLarge();
                int isThp = isThp(folio);
                // The rare folio on the deferred split list is split now: one failure, its pieces retried.
                if (nrPages > 2 && splitFolios != null && deferredSplit().queued(folio)
                        && deferredSplit().partiallyMapped(folio)) {
                    if (trySplitFolio(folio, splitFolios, mode) == 0) {
                        from.remove(folio);
                        nrFailed++;
                        stats.nrThpFailed += isThp;
                        stats.nrThpSplit += isThp;
                        stats.nrSplit++;
                        continue;
                    }
                }
                // Holding the last reference: the folio was freed from under us.
                if (folio.refCount() == 1) {
                    folio.clearActive(); // folio_clear_active: clear_bit, relaxed
                    folio.clearUnevictable(); // folio_clear_unevictable: clear_bit, relaxed
                    from.remove(folio);
                    migrateFolioDone(folio, reason);
                    stats.nrSucceeded += nrPages;
                    stats.nrThpSucceeded += isThp;
                    continue;
                }
                UnmapResult r = migrateFolioUnmap(getNew, folio, mode);
                switch (r.rc()) {
                    case 0 -> {
                        from.remove(folio);
                        unmapped.add(r.pair());
                    }
                    case -Errno.EAGAIN -> {
                        retry++;
                        thpRetry += isThp;
                        nrRetryPages += nrPages;
                    }
                    case -Errno.ENOMEM -> {
                        nrFailed++;
                        stats.nrThpFailed += isThp;
                        // No destination of this order: split the large folio and try its pieces.
                        if (isLarge && !nosplit && splitFolios != null) {
                            int ret = trySplitFolio(folio, splitFolios, mode);
                            if (ret == 0) {
                                from.remove(folio);
                                stats.nrThpSplit += isThp;
                                stats.nrSplit++;
                                continue;
                            }
                            if (reason == MigrateReason.MR_LONGTERM_PIN && ret == -Errno.EAGAIN) {
                                // Try the split again, to help the long-term pin.
                                retry++;
                                thpRetry += isThp;
                                nrRetryPages += nrPages;
                                nrFailed--;
                                stats.nrThpFailed -= isThp;
                                continue;
                            }
                        }
                        // Low memory: stop unmapping, move what is unmapped, then return -ENOMEM.
                        stats.nrFailedPages += nrPages + nrRetryPages;
                        stats.nrThpFailed += thpRetry;
                        rcSaved = r.rc();
                        skipMove = unmapped.isEmpty();
                        retry = 0;
                        thpRetry = 0;
                        nrRetryPages = 0;
                        break outer;
                    }
                    default -> {
                        // A permanent failure (-EBUSY ...): off the list, not retried.
                        nrFailed++;
                        stats.nrThpFailed += isThp;
                        stats.nrFailedPages += nrPages;
                        from.remove(folio);
                        retFolios.add(folio);
                    }
                }
            }
        }
        nrFailed += retry;
        stats.nrThpFailed += thpRetry;
        stats.nrFailedPages += nrRetryPages;
        if (!skipMove) {
            // try_to_unmap_flush(): the model has no TLB to flush.
            retry = 1;
            thpRetry = 0;
            for (int pass = 0; pass < nrPass && retry > 0; pass++) {
                retry = 0;
                thpRetry = 0;
                nrRetryPages = 0;
                for (Unmapped u : List.copyOf(unmapped)) {
                    // Read before the move: a migrated source is freed, its pages no longer one folio.
                    int isThp = isThp(u.src());
                    long nrPages = u.src().nrPages();
                    int rc = migrateFolioMove(u, reason);
                    switch (rc) {
                        case -Errno.EAGAIN -> {
                            retry++;
                            thpRetry += isThp;
                            nrRetryPages += nrPages;
                        }
                        case 0 -> {
                            unmapped.remove(u);
                            stats.nrSucceeded += nrPages;
                            stats.nrThpSucceeded += isThp;
                        }
                        default -> {
                            unmapped.remove(u);
                            retFolios.add(u.src());
                            nrFailed++;
                            stats.nrThpFailed += isThp;
                            stats.nrFailedPages += nrPages;
                        }
                    }
                }
            }
            nrFailed += retry;
            stats.nrThpFailed += thpRetry;
            stats.nrFailedPages += nrRetryPages;
        }
        int rc = rcSaved != 0 ? rcSaved : nrFailed;
        // migrate_folios_undo(): what is still unmapped gets its PTEs back and returns to retFolios.
        for (Unmapped u : unmapped) {
            migrateFolioUndoSrc(u.src(), u.wasMapped(), true);
            retFolios.add(u.src());
            migrateFolioUndoDst(u.dst(), true);
        }
        return rc;
    }

    /** folio_test_pmd_mappable() as a count: 1 for a PMD-sized folio (order 9 and up), else 0. */
    private static int isThp(Folio folio) {
        return folio.order() >= HPAGE_PMD_ORDER ? 1 : 0;
    }

    private DeferredSplit deferredSplit() {
        return mm.thp().deferredSplit();
    }

    /**
     * try_split_folio() (mm/migrate.c): lock the isolated large folio (MIGRATE_ASYNC only tries: -EAGAIN),
     * split it to order 0 with split_folio_to_list() (the new folios other than the first join
     * {@code splitFolios}, each with a reference), unlock it and, on success, append it after its pieces.
     *
     * @return 0, or the split's -errno (the folio unchanged, still on its list)
     */
    private int trySplitFolio(Folio folio, List<Folio> splitFolios, MigrateMode mode) {
        if (mode == MigrateMode.MIGRATE_ASYNC) {
            if (!folio.trylock()) { // folio_trylock: acquire
                return -Errno.EAGAIN;
            }
        } else {
            FolioWait.lock(folio);
        }
        int rc = mm.thp().split().splitFolioToList(folio, splitFolios);
        folio.unlock(); // folio_unlock: release
        if (rc == 0) {
            splitFolios.add(folio); // list_move_tail(&folio->lru, split_folios)
        }
        return rc;
    }

    /**
     * migrate_folio_unmap(): allocate the destination, lock the source (MIGRATE_ASYNC only tries; SYNC_LIGHT
     * does not wait for a folio that is not uptodate), refuse writeback unless MIGRATE_SYNC (-EBUSY) or
     * wait for it, lock the destination, and replace the source's PTEs by migration entries. 0 with the
     * pair when the source is no longer mapped; else everything is undone: -EAGAIN (retry), -ENOMEM (no
     * destination) or -EBUSY.
     */
    private UnmapResult migrateFolioUnmap(NewFolio getNew, Folio src, MigrateMode mode) {
        Folio dst = getNew.get(src);
        if (dst == null) {
            return new UnmapResult(-Errno.ENOMEM, null);
        }
        int rc = -Errno.EAGAIN;
        boolean locked = false;
        boolean dstLocked = false;
        boolean wasMapped = false;
        boolean wasMlocked = false;
        out:
        {
            if (!src.trylock()) { // folio_trylock: acquire
                if (mode == MigrateMode.MIGRATE_ASYNC) break out;
                if (mode == MigrateMode.MIGRATE_SYNC_LIGHT && !src.test(PageFlags.PG_uptodate)) break out;
                FolioWait.lock(src);
            }
            locked = true;
            wasMlocked = src.testMlocked();
            if (src.testWriteback()) {
                if (mode != MigrateMode.MIGRATE_SYNC) {
                    rc = -Errno.EBUSY;
                    break out;
                }
                FolioWait.waitWriteback(src);
            }
            if (!dst.trylock()) break out; // folio_trylock: acquire; a new folio is normally ours alone
            dstLocked = true;
            if (src.mapping() == 0) {
                if (src.test(PageFlags.PG_private)) break out; // try_to_free_buffers: no buffers in the model
            } else if (src.mapped()) {
                ptes.tryToMigrate(src);
                wasMapped = true;
            }
            if (!src.mapped()) {
                return new UnmapResult(0, new Unmapped(src, dst, wasMapped, wasMlocked));
            }
        }
        migrateFolioUndoSrc(src, wasMapped, locked);
        migrateFolioUndoDst(dst, dstLocked);
        return new UnmapResult(rc, null);
    }

    /**
     * migrate_folio_move(): move_to_new_folio(); on success the destination joins the LRU at once
     * (folio_add_lru, drained at once when the source was mlocked, so that remove_migration_ptes' mlock
     * finds it on the LRU and builds its mlock_count), gets the source's PTEs, is unlocked and loses the
     * allocation reference; the source is unlocked and released (migrate_folio_done). -EAGAIN keeps the
     * pair for another pass; another error restores the source.
     */
    private int migrateFolioMove(Unmapped u, MigrateReason reason) {
        Folio src = u.src();
        Folio dst = u.dst();
        // The source's deferred split state, read before __folio_migrate_mapping unqueues it (the
        // kernel's list_empty test is a data race; the model asks the queue).
        boolean srcDeferredSplit = src.order() > 1 && deferredSplit().queued(src);
        boolean srcPartiallyMapped = srcDeferredSplit && deferredSplit().partiallyMapped(src);
        int rc = folios.moveToNewFolio(dst, src);
        if (rc == -Errno.EAGAIN) {
            return rc;
        }
        if (rc != 0) {
            migrateFolioUndoSrc(src, u.wasMapped(), true);
            migrateFolioUndoDst(dst, true);
            return rc;
        }
        if (srcDeferredSplit) {
            // Requeue the destination as the source was: a folio that try_to_migrate left partly mapped
            // on the way is queued again as partially mapped although the new folio is mapped whole.
            deferredSplit().deferredSplitFolio(dst, srcPartiallyMapped);
        }
        mm.swap().folioAddLru(dst);
        if (u.wasMlocked()) {
            mm.swap().lruAddDrain();
        }
        if (u.wasMapped()) {
            ptes.removeMigrationPtes(src, dst);
        }
        dst.unlock(); // folio_unlock: release
        dst.put(); // folio_put: the allocation's reference (the PTEs and the LRU hold theirs)
        src.unlock(); // folio_unlock: release
        migrateFolioDone(src, reason);
        return 0;
    }

    /** migrate_folio_undo_src(): PTEs back to the source, source unlocked. */
    private void migrateFolioUndoSrc(Folio src, boolean wasMapped, boolean locked) {
        if (wasMapped) {
            ptes.removeMigrationPtes(src, src);
        }
        if (locked) {
            src.unlock(); // folio_unlock: release
        }
    }

    /** migrate_folio_undo_dst(): destination unlocked and freed (put_new_folio is NULL: folio_put). */
    private static void migrateFolioUndoDst(Folio dst, boolean locked) {
        if (locked) {
            dst.unlock(); // folio_unlock: release
        }
        dst.put(); // folio_put: fully ordered atomic_dec_and_test; frees it
    }

    /** migrate_folio_done(): NR_ISOLATED_* lowered (not for MR_DEMOTION), the isolation reference dropped. */
    private void migrateFolioDone(Folio src, MigrateReason reason) {
        if (reason != MigrateReason.MR_DEMOTION) {
            vmscan.modIsolated(src, -1);
        }
        if (reason != MigrateReason.MR_MEMORY_FAILURE) {
            src.put(); // folio_put: fully ordered atomic_dec_and_test; frees the source
        }
    }
}
