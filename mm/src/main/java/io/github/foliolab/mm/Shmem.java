package io.github.foliolab.mm;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.FolioOp;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.sync.LockWatch;
import io.github.foliolab.lru.FolioBatch;

/**
 * mm/shmem.c for the model: the page cache of a tmpfs file, shmem_get_folio (SGP_CACHE) as shmem_fault
 * uses it, and truncation when an anonymous shared mapping's file is released.
 */
public final class Shmem {
    private final Mm ctx;

    Shmem(Mm ctx) {
        this.ctx = ctx;
    }

    /**
     * shmem_get_folio_gfp(SGP_CACHE): the folio at {@code index}, locked and with a reference, allocated
     * (PG_swapbacked, added to the page cache with one reference and to the LRU through folio_add_lru)
     * if the slot is a hole. Returns null when the allocation fails (-ENOMEM).
     *
     * @param file a tmpfs file
     * @param index the page index in the file, in pages
     * @return the folio, locked and with a reference for the caller, or null when no memory was free
     */
    public Folio shmemGetFolio(AddressSpace file, long index) {
        while (true) {
            long pfn = file.lookup(index);
            if (pfn >= 0) {
                Folio f = ctx.memMap().folio(pfn);
                if (!f.tryGet()) { // filemap_get_entry's folio_try_get
                    continue;
                }
                lockFolio(f);
                if (f.mapping() != file.mappingWord()) { // truncated meanwhile
                    f.unlock(); // folio_unlock: release
                    f.put(); // folio_put: fully ordered atomic_dec_and_test
                    continue;
                }
                return f;
            }
            Folio f = ctx.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
            if (f == null) {
                return null;
            }
            f.nonAtomicSet(PageFlags.PG_locked); // __folio_set_locked: not visible to anybody yet
            f.nonAtomicSet(PageFlags.PG_swapbacked);
            if (!addToPageCache(f, file, index)) {
                f.nonAtomicClear(PageFlags.PG_locked);
                f.nonAtomicClear(PageFlags.PG_swapbacked);
                f.put(); // folio_put: fully ordered atomic_dec_and_test
                continue; // -EEXIST: somebody added it first
            }
            ctx.swap().folioAddLru(f);
            f.set(PageFlags.PG_uptodate); // folio_mark_uptodate after clearing the new folio
            return f;
        }
    }

    /**
     * folio_lock(): retry folio_trylock (each attempt is a schedule point) until the holder unlocks.
     * Model difference: no wait queue or PG_waiters; the waiter spins, yielding its thread.
     */
    private static void lockFolio(Folio f) {
        if (f.trylock()) { // folio_trylock: test_and_set_bit_lock, acquire
            return;
        }
        String what = "folio_lock of pfn 0x" + Long.toHexString(f.pfn());
        LockWatch.beginWait(what); // a hung-task report names the folio this CPU waits for
        try {
            int round = 0;
            while (!f.trylock()) { // folio_trylock: test_and_set_bit_lock, acquire
                // folio_wait_bit_common: under the explorer this CPU sleeps until folio_unlock wakes it.
                SchedPoints.contended(FolioOp.TRYLOCK, f.pfn());
                if (++round % 64 == 0) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
                LockWatch.checkWait(what);
            }
        } finally {
            LockWatch.endWait();
        }
    }

    /** shmem_add_to_page_cache(): a page-cache reference, mapping and index, NR_FILE_PAGES and NR_SHMEM. */
    private boolean addToPageCache(Folio f, AddressSpace file, long index) {
        f.refAdd(1); // folio_ref_add: relaxed
        PageWords.setMapping(ctx.memMap(), f.pfn(), file.mappingWord()); // WRITE_ONCE(folio->mapping): plain store, published by the release of set_pte_at / the xa_lock
        PageWords.setIndex(ctx.memMap(), f.pfn(), index); // plain store: the folio is not visible to anybody else yet
        if (!file.insert(index, f.pfn())) {
            PageWords.setMapping(ctx.memMap(), f.pfn(), 0); // WRITE_ONCE(folio->mapping): plain store, published by the release of set_pte_at / the xa_lock
            PageWords.setIndex(ctx.memMap(), f.pfn(), 0); // plain store: the folio is not visible to anybody else yet
            f.refSub(1); // folio_ref_sub: relaxed
            return false;
        }
        f.pgdat().vmstat().modNode(NodeStatItem.NR_FILE_PAGES, 1);
        f.pgdat().vmstat().modNode(NodeStatItem.NR_SHMEM, 1);
        return true;
    }

    /**
     * shmem_truncate_range(0, -1) as evict of an unlinked shmem inode runs it: every cached folio is
     * found with a speculative reference and locked (find_lock_entries), removed from the page cache
     * (its mapping cleared, NR_FILE_PAGES and NR_SHMEM decreased, the page cache's reference dropped),
     * and the lookup's reference dropped through folio_batch_release(), which runs lru_add_drain() first.
     * A folio reclaim is removing concurrently (frozen by __remove_mapping) is skipped.
     * The folios must no longer be mapped (the last VMA is gone).
     */
    void truncateAll(AddressSpace file) {
        FolioBatch batch = new FolioBatch(ctx.memMap());
        for (long pfn : file.cachedPfns()) {
            Folio f = ctx.memMap().folio(pfn);
            if (f.mapped()) {
                throw new VmBugException("shmem truncate of a mapped folio\n" + f.dump());
            }
        }
        for (long pfn : file.cachedPfns()) {
            Folio f = ctx.memMap().folio(pfn);
            // find_lock_entries(): a speculative reference first. It fails on a folio that reclaim's
            // __remove_mapping froze (the folio is leaving the page cache and will be freed), and once
            // it is held, that freeze cannot succeed. Then the folio lock, and the re-check that the
            // folio still belongs to this file (reclaim may have removed it, and the pfn been reused,
            // between the snapshot and the reference).
            if (!f.tryGet()) { // folio_try_get: atomic_add_unless(0), fully ordered when it succeeds
                continue;
            }
            lockFolio(f);
            if (f.mapping() != file.mappingWord()) {
                f.unlock(); // folio_unlock: release
                f.put(); // our speculative reference
                continue;
            }
            long index = f.index();
            file.remove(index, pfn);
            PageWords.setMapping(ctx.memMap(), pfn, 0); // WRITE_ONCE(folio->mapping): plain store, published by the release of set_pte_at / the xa_lock
            f.pgdat().vmstat().modNode(NodeStatItem.NR_FILE_PAGES, -1);
            f.pgdat().vmstat().modNode(NodeStatItem.NR_SHMEM, -1);
            // folio_cancel_dirty() -> folio_clear_dirty(): an atomic clear_bit (relaxed); the folio is on
            // the LRU, where other CPUs change its flags word concurrently, so no __folio_clear_dirty.
            f.clear(PageFlags.PG_dirty);
            f.unlock(); // folio_unlock: release
            // filemap_free_folio(): the page cache's reference; ours (in the batch) keeps it alive.
            f.refSub(1); // folio_put_refs of a count that stays positive: atomic_sub, relaxed
            if (batch.add(f) == 0) {
                batchRelease(batch);
            }
        }
        if (batch.count() > 0) {
            batchRelease(batch);
        }
        ctx.forgetFile(file);
    }

    /**
     * folio_batch_release(): lru_add_drain() before the first batch of the pass only (folios_put's
     * folio_batch_reinit keeps percpu_pvec_drained), then folios_put().
     */
    private void batchRelease(FolioBatch batch) {
        ctx.swap().folioBatchRelease(batch);
    }

    /**
     * The page-cache half of __remove_mapping() (mm/vmscan.c) for a locked, isolated, unmapped folio of
     * {@code file}: under the i_pages lock (xa_lock_irq), folio_ref_freeze(1 + nr) and, unless the folio
     * turns out dirty (then folio_ref_unfreeze, false), __filemap_remove_folio(): slot emptied,
     * folio->mapping cleared, NR_FILE_PAGES and NR_SHMEM lowered. The freeze succeeds only when no one
     * else holds a reference (a PTE, a batch entry, GUP). True if the folio is frozen at 0.
     */
    boolean removeMappingLocked(AddressSpace file, Folio folio) {
        long pfn = folio.pfn();
        int nr = (int) folio.nrPages();
        file.iPagesLock.lock();
        try {
            if (folio.mapping() != file.mappingWord()) {
                throw new VmBugException("BUG_ON(mapping != folio_mapping(folio)) in __remove_mapping\n" + folio.dump());
            }
            // folio_ref_freeze: an atomic cmpxchg, which also orders the dirty test after it (smp_rmb).
            if (!folio.refFreeze(1 + nr)) {
                return false;
            }
            if (folio.testDirty()) {
                folio.refUnfreeze(1 + nr); // folio_ref_unfreeze: release
                return false;
            }
            file.removeLocked(folio.index(), pfn); // page_cache_delete
            PageWords.setMapping(ctx.memMap(), pfn, 0); // folio->mapping = NULL: plain store under the xa_lock
            folio.pgdat().vmstat().modNode(NodeStatItem.NR_FILE_PAGES, -nr);
            if (folio.testSwapbacked()) {
                folio.pgdat().vmstat().modNode(NodeStatItem.NR_SHMEM, -nr);
            }
            return true;
        } finally {
            file.iPagesLock.unlock();
        }
    }

    /**
     * shmem_writeout() (mm/shmem.c) as pageout() calls it on a locked, unmapped shmem folio whose
     * PG_dirty was just cleared: without a swap device (total_swap_pages == 0) it goes to redirty:
     * folio_mark_dirty() (noop_dirty_folio: PG_dirty only) and AOP_WRITEPAGE_ACTIVATE, the folio still
     * locked, so reclaim activates it and it stays in the page cache.
     *
     * <p>Model difference: there is no swap device, so the swap-out half (folio_alloc_swap, moving the
     * folio to the swap cache, swap_writeout) is never reached and not modelled.
     */
    int shmemWriteout(Folio folio) {
        if (!folio.testDirty()) {
            folio.set(PageFlags.PG_dirty); // noop_dirty_folio: test-and-set, relaxed
        }
        return io.github.foliolab.lru.RmapOps.AOP_WRITEPAGE_ACTIVATE;
    }
}
