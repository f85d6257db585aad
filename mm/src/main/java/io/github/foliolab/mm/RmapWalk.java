package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.sync.SimLock;
import io.github.foliolab.lru.RmapOps;

import java.util.List;

/**
 * rmap_walk() over a folio's mappings (anon_vma VMAs or the file's i_mmap) and the two users reclaim
 * needs, installed into lru's Vmscan: folio_referenced() and try_to_unmap().
 *
 * <p>Model difference: without swap, try_to_unmap() refuses anonymous swap-backed folios (reclaim never
 * gets there for them: folio_alloc_swap fails first). The walk never contends (rmap_walk's try_lock
 * never gives up), so folio_referenced never returns -1.
 */
public final class RmapWalk implements RmapOps {
    /** One mapping found by the walk: the VMA, the page table and address, with the PTL held. */
    @FunctionalInterface
    public interface Visitor {
        /**
         * Return false to stop the walk.
         *
         * @param vma the VMA
         * @param pt the page table
         * @param addr a user virtual address (bytes)
         * @param pte the page-table entry
         * @return true to go on with the next mapping, false to stop the walk
         */
        boolean visit(Vma vma, PageTable pt, long addr, long pte);
    }

    private final Mm ctx;

    RmapWalk(Mm ctx) {
        this.ctx = ctx;
    }

    /**
     * rmap_walk(): call {@code visitor} for every PTE mapping {@code folio}, holding the anon_vma or
     * i_mmap lock and that PTE's lock.
     *
     * @param folio the folio
     * @param visitor called for each entry
     */
    public void walk(Folio folio, Visitor visitor) {
        long pfn = folio.pfn();
        // Model difference: of a large folio only the first page's PTEs are visited (docs/thp.md).
        walkPages(folio, 1, (pte, i) -> Pte.present(pte) && !Pte.special(pte) && Pte.pfn(pte) == pfn, visitor);
    }

    /**
     * rmap_walk() with remove_migration_pte's page_vma_mapped_walk(PVMW_MIGRATION): call {@code visitor}
     * for every migration entry of {@code srcPfn} at {@code folio}'s mapping and index (remove_migration_ptes
     * walks the destination folio, which already carries the source's mapping and index), holding the
     * anon_vma or i_mmap lock and that entry's PTL.
     *
     * @param folio the folio whose mapping and index are walked
     * @param srcPfn the pfn the migration entries name
     * @param visitor called for each entry
     */
    public void walkMigrationEntries(Folio folio, long srcPfn, Visitor visitor) {
        walkPages(folio, folio.nrPages(), (pte, i) -> Pte.isMigrationEntry(pte) && Pte.pfn(pte) == srcPfn + i, visitor);
    }

    /**
     * rmap_walk() with page_vma_mapped_walk() over every page of the folio: call {@code visitor} for each
     * present PTE mapping any page of {@code folio} (a large folio's PTEs one by one, in address order
     * within each VMA), holding the anon_vma or i_mmap lock and that PTE's lock. The PTE passed names the
     * page it maps. For a small folio this is {@link #walk(Folio, Visitor)}.
     *
     * @param folio the folio (its head)
     * @param visitor called for each PTE; returning false stops the walk
     */
    public void walkPages(Folio folio, Visitor visitor) {
        long pfn = folio.pfn();
        walkPages(folio, folio.nrPages(), (pte, i) -> Pte.present(pte) && !Pte.special(pte) && Pte.pfn(pte) == pfn + i, visitor);
    }

    /** A test of the PTE found at the address of the folio's page {@code i}. */
    @FunctionalInterface
    private interface PagePredicate {
        boolean test(long pte, long i);
    }

    /** rmap_walk() over the first {@code nr} pages of the folio, each VMA in turn. */
    private void walkPages(Folio folio, long nr, PagePredicate match, Visitor visitor) {
        long mapping = folio.mapping();
        AnonVma av = ctx.anonVmaOf(mapping);
        AddressSpace file = av == null ? ctx.fileOf(mapping) : null;
        if (av == null && file == null) return;
        SimLock lock = av != null ? av.lock : file.iMmapLock;
        lock.lock(); // anon_vma_lock_read / i_mmap_lock_read: the VMA list stays as it is
        try {
            List<Vma> vmas = av != null ? av.snapshotLocked() : file.vmasLocked();
            long index = folio.index();
            for (Vma vma : vmas) {
                for (long i = 0; i < nr; i++) {
                    long addr = vma.addressOf(index + i);
                    if (addr < 0) continue;
                    PageTable pt = vma.mm().pageTables().lookup(addr);
                    if (pt == null) continue;
                    pt.ptl().lock();
                    boolean go;
                    try {
                        long pte = pt.ptepGet(addr);
                        if (!match.test(pte, i)) continue;
                        go = visitor.visit(vma, pt, addr, pte);
                    } finally {
                        pt.ptl().unlock();
                    }
                    if (!go) return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * vma_has_recency() (include/linux/mm_inline.h): false for VM_SEQ_READ / VM_RAND_READ VMAs, whose
     * accesses say nothing about reuse (the model's files are never opened FMODE_NOREUSE).
     */
    static boolean vmaHasRecency(Vma vma) {
        return (vma.flags() & (VmFlags.VM_SEQ_READ | VmFlags.VM_RAND_READ)) == 0;
    }

    /**
     * folio_referenced() (mm/rmap.c): 0 for an unmapped folio or one without a mapping; unless the caller
     * holds the folio lock, folio_trylock() any folio, anon or not, and report 1 without walking when it
     * is busy; then walk with invalid_folio_referenced_vma(), which skips the VMAs without recency (also
     * for VM_LOCKED: such a VMA does not restore the mlock here), and folio_referenced_one(): a VM_LOCKED
     * VMA mlocks the folio and stops the walk with VM_LOCKED reported; otherwise each young PTE counts
     * one reference and adds its VMA's flags.
     */
    @Override
    public Referenced folioReferenced(Folio folio, boolean isLocked) {
        if (!folio.mapped() || folio.mapping() == 0) return new Referenced(0, 0);
        boolean weLocked = false;
        if (!isLocked) {
            weLocked = folio.trylock(); // folio_trylock: test_and_set_bit_lock, acquire
            if (!weLocked) return new Referenced(1, 0);
        }
        int[] referenced = {0};
        long[] flags = {0};
        try {
            walk(folio, (vma, pt, addr, pte) -> {
                if (!vmaHasRecency(vma)) {
                    return true; // invalid_vma: ignore references from this mapping
                }
                long vf = vma.flags();
                if ((vf & VmFlags.VM_LOCKED) != 0) {
                    ctx.mlock().mlockVmaFolio(folio, vf);
                    flags[0] |= VmFlags.VM_LOCKED;
                    return false;
                }
                if (pt.ptepTestAndClearYoung(addr)) {
                    referenced[0]++;
                    flags[0] |= vf & ~VmFlags.VM_LOCKED;
                }
                return true;
            });
        } finally {
            if (weLocked) folio.unlock(); // folio_unlock: release
        }
        return new Referenced(referenced[0], flags[0]);
    }

    /**
     * try_to_unmap() (mm/rmap.c) of a locked folio: a VM_LOCKED VMA restores the mlock and stops the
     * walk; otherwise each PTE is cleared, its dirty bit moved to the folio (folio_mark_dirty), the rmap
     * removed and the PTE's reference dropped. An anon swap-backed folio cannot be unmapped (no swap
     * entry can be made). A lazyfree folio (anon, !PG_swapbacked) is discarded only if it is clean and
     * nobody but the isolation and its mappings holds it: if it was re-dirtied (through the PTE, or
     * earlier through a GUP reference) the PTE is restored and PG_swapbacked set again, so that the
     * data written after MADV_FREE survives; an extra reference restores the PTE too.
     */
    @Override
    public boolean tryToUnmap(Folio folio) {
        if (folio.isAnon() && folio.testSwapbacked()) {
            return !folio.mapped(); // no swap entry can be made
        }
        walk(folio, (vma, pt, addr, pte) -> {
            long vf = vma.flags();
            if ((vf & VmFlags.VM_LOCKED) != 0) {
                ctx.mlock().mlockVmaFolio(folio, vf); // restore the mlock, fail
                return false;
            }
            long old = pt.ptepGetAndClear(addr); // ptep_clear_flush
            if (Pte.dirty(old) && !folio.testDirty()) {
                folio.set(PageFlags.PG_dirty); // folio_mark_dirty: set_bit, relaxed
            }
            if (folio.isAnon()) { // lazyfree: swapbacked was excluded above
                // smp_mb() then the reads: the PTE clear is ordered before reading the count against
                // GUP-fast, which raises the count before it reads the PTE (both are SC here).
                int refCount = folio.refCount();
                int mapCount = folio.mapcount();
                if (folio.testDirty()) { // (VM_DROPPABLE, which would discard anyway, is not modelled)
                    pt.setPteAt(addr, old); // set_ptes(pteval): put the mapping back
                    folio.set(PageFlags.PG_swapbacked); // folio_set_swapbacked: set_bit, relaxed
                    return false; // walk_abort
                }
                if (refCount != 1 + mapCount) {
                    pt.setPteAt(addr, old); // an extra (GUP or speculative) reference: come back later
                    return false;
                }
            }
            ctx.rmap().folioRemoveRmapPte(folio, vma);
            if ((vf & VmFlags.VM_LOCKED) != 0) ctx.mlock().mlockDrainLocal();
            folio.put(); // folio_put: fully ordered atomic_dec_and_test
            return true;
        });
        return !folio.mapped();
    }

    /**
     * __remove_mapping(mapping, folio, true) (mm/vmscan.c) for a page-cache (shmem) folio: under the
     * i_pages lock, folio_ref_freeze(1 + nr) (the isolation's and the page cache's references; it
     * fails while anybody else holds one), then a dirty folio is unfrozen and kept (the count is
     * tested before the flag, so a GUP user that dirtied and dropped its reference is seen), else
     * __filemap_remove_folio(): the xarray slot emptied, folio->mapping cleared, NR_FILE_PAGES (and
     * NR_SHMEM for a swap-backed folio) lowered. True if the folio is frozen at 0, ready to free.
     *
     * <p>Model difference: no shadow entry is left (shmem folios are not file-LRU, so 7.2 leaves none
     * either), and the shmem inode's block accounting is not modelled.
     */
    @Override
    public boolean removeMapping(Folio folio) {
        if (!folio.testLocked()) {
            throw new VmBugException("BUG_ON(!folio_test_locked(folio)) in __remove_mapping\n" + folio.dump());
        }
        AddressSpace file = ctx.fileOf(folio.mapping());
        if (file == null) {
            return false;
        }
        return ctx.shmem().removeMappingLocked(file, folio);
    }

    @Override
    public boolean shmemMapping(long mapping) {
        return ctx.fileOf(mapping) != null; // every file of the model is on tmpfs
    }

    @Override
    public int shmemWriteout(Folio folio) {
        return ctx.shmem().shmemWriteout(folio);
    }

    // split_folio_to_list for reclaim: FolioSplit.splitFolioToList.
    @Override
    public int splitFolioToList(Folio folio, List<Folio> list) {
        return ctx.thp().split().splitFolioToList(folio, list);
    }

    // count_mthp_stat(order, MTHP_STAT_SWPOUT_FALLBACK).
    @Override
    public void countSwpoutFallback(int order) {
        ctx.thp().stats().mod(order, MthpStats.Item.SWPOUT_FALLBACK, 1);
    }

    // The deferred split queue test of shrink_folio_list.
    @Override
    public boolean partiallyMappedQueued(Folio folio) {
        DeferredSplit ds = ctx.thp().deferredSplit();
        return ds.partiallyMapped(folio) && ds.queued(folio);
    }
}
