package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.lru.LruVec;

import java.util.ArrayList;
import java.util.List;

/**
 * Splitting a large anonymous folio (mm/huge_memory.c): split_folio_to_order() / __folio_split() with
 * unmap_folio() (try_to_migrate: every PTE becomes a migration entry), the refcount freeze, the deferred
 * split dequeue, __split_unmapped_folio() / __split_folio_to_order() (a uniform split), the LRU placement
 * of the new folios (lru_add_split_folio), the statistics, and remap_page() (remove_migration_ptes, with
 * try_to_map_unused_to_zeropage: a page never written is mapped to the shared zero page instead and
 * freed, unless the folio is mlocked or the VMA VM_LOCKED).
 *
 * <p>Model difference: anonymous folios only (a page-cache folio is refused with -EINVAL); no swap
 * cache; the anon_vma lock is the model's spinlock.
 */
public final class FolioSplit {
    /** The PG_* bits __split_folio_to_order copies from the old head to every new folio. */
    static final long COPY_FLAGS = (1L << PageFlags.PG_referenced) | (1L << PageFlags.PG_swapbacked)
            | (1L << PageFlags.PG_swapcache) | (1L << PageFlags.PG_mlocked) | (1L << PageFlags.PG_uptodate)
            | (1L << PageFlags.PG_active) | (1L << PageFlags.PG_workingset) | (1L << PageFlags.PG_locked)
            | (1L << PageFlags.PG_unevictable) | (1L << PageFlags.PG_dirty);

    private static final int EINVAL = 22;
    private static final int EAGAIN = 11;
    private static final int EBUSY = 16;

    private final Mm ctx;
    private final MemMap memMap;

    FolioSplit(Mm ctx) {
        this.ctx = ctx;
        this.memMap = ctx.memMap();
    }

    /** One PTE that mapped a page of the folio: where, and the bits its migration entry keeps. */
    private record Mapped(Vma vma, PageTable pt, long addr, long pfn, boolean write, boolean dirty,
                          boolean young, boolean exclusive) {}

    /**
     * split_folio_to_order() (mm/huge_memory.c, __folio_split with a uniform split): split the locked
     * large anonymous folio {@code folio} into folios of order {@code newOrder}, the caller keeping its
     * reference and the lock on the new folio that contains the old head page (the old {@code folio}'s
     * pfn); the other new folios are unlocked and their split reference dropped (freed if no PTE maps
     * them any more). On success the old head's pfn names an order-{@code newOrder} folio.
     *
     * <p>Preconditions (VmBugException when broken): the caller holds the folio lock and a reference.
     * On a refused split the folio is as before, mapped the same.
     *
     * @param folio a large folio (its head), locked, with the caller's reference
     * @param newOrder the order of the new folios (0, or 2 up to the folio's order minus 1)
     * @return 0; -EINVAL for a small or page-cache folio or an order anonymous folios cannot be split to
     *     (1, or not below the folio's order); -EBUSY when the folio has no anon_vma (not mapped since
     *     it was made); -EAGAIN when a reference other than its mappings' and the caller's is held (a
     *     GUP pin, an LRU batch, an isolation)
     */
    public int splitFolioToOrder(Folio folio, int newOrder) {
        return split(folio, newOrder, null);
    }

    /**
     * split_folio_to_list() (include/linux/huge_mm.h, __folio_split with a list): split the locked, isolated
     * (not on an LRU) large anonymous folio {@code folio} to order 0 as {@link #splitFolioToOrder} does,
     * except that lru_add_split_folio() puts each new folio other than the caller's on {@code list}
     * (appended in pfn order) with a reference of its own (folio_get) instead of on an LRU. That
     * reference keeps a piece mapped to the zero page, or not mapped at all, alive until the list's owner
     * (reclaim, migration) drops it. The caller keeps its reference and the lock on the first page's folio.
     *
     * @param folio a large folio (its head), locked, isolated, with the caller's reference
     * @param list where the new folios other than the caller's are appended
     * @return as {@link #splitFolioToOrder}; on an error nothing is added to {@code list}
     * @throws VmBugException if the folio is not locked, is a tail page, or is on an LRU
     */
    public int splitFolioToList(Folio folio, List<Folio> list) {
        if (folio.testLru()) {
            throw new VmBugException("VM_WARN_ON(folio_test_lru(folio)): split_folio_to_list of a folio on an LRU\n" + folio.dump());
        }
        return split(folio, 0, list);
    }

    private int split(Folio folio, int newOrder, List<Folio> list) {
        if (!folio.testLocked()) {
            throw new VmBugException("VM_BUG_ON_FOLIO(!folio_test_locked(folio)) in __folio_split\n" + folio.dump());
        }
        if (memMap.isTail(folio.pfn())) {
            throw new VmBugException("__folio_split of a tail page\n" + folio.dump());
        }
        if (!folio.isLarge() || !folio.isAnon()) return -EINVAL;
        int oldOrder = folio.order();
        if (newOrder < 0 || newOrder >= oldOrder || newOrder == 1) return -EINVAL; // folio_split_supported
        AnonVma av = ctx.anonVmaOf(folio.mapping());
        if (av == null) return -EBUSY; // folio_get_anon_vma() failed
        // can_split_folio(): only the mappings' references and the caller's.
        if (folio.refCount() != folio.mapcount() + 1) {
            fail(oldOrder);
            return -EAGAIN;
        }
        av.lock.lock(); // anon_vma_lock_write: excludes rmap walkers during the split
        try {
            List<Mapped> mapped = unmapFolio(folio, av);
            if (!folio.refFreeze(1)) { // folio_ref_freeze(folio, 1): cmpxchg, fully ordered
                remap(mapped, false);
                fail(oldOrder);
                return -EAGAIN;
            }
            splitUnmapped(folio, oldOrder, newOrder, list);
            remap(mapped, true);
        } finally {
            av.lock.unlock();
        }
        // The new folios other than the caller's: folio_unlock, then drop the split's reference.
        long step = 1L << newOrder;
        for (long j = step; j < (1L << oldOrder); j += step) {
            Folio piece = memMap.folio(folio.pfn() + j);
            piece.unlock(); // folio_unlock: release
            piece.put(); // free_folio_and_swap_cache -> folio_put: fully ordered atomic_dec_and_test
        }
        return 0;
    }

    private void fail(int order) {
        ctx.thp().stats().mod(order, MthpStats.Item.SPLIT_FAILED, 1);
    }

    /**
     * unmap_folio() / try_to_migrate(): every PTE mapping a page of the folio becomes a migration entry
     * (write / read-exclusive / read, keeping young and dirty); each removal goes through
     * folio_remove_rmap_pte (so a folio mapped whole becomes partially mapped on the way and is
     * queued, and a VM_LOCKED VMA munlocks it) and drops that PTE's reference.
     */
    private List<Mapped> unmapFolio(Folio folio, AnonVma av) {
        List<Mapped> out = new ArrayList<>();
        long nr = folio.nrPages();
        long index = folio.index();
        for (Vma vma : av.snapshotLocked()) {
            for (long i = 0; i < nr; i++) {
                long addr = vma.addressOf(index + i);
                if (addr < 0) continue;
                PageTable pt = vma.mm().pageTables().lookup(addr);
                if (pt == null) continue;
                long pfn = folio.pfn() + i;
                pt.ptl().lock();
                try {
                    long pte = pt.ptepGet(addr);
                    if (!Pte.present(pte) || Pte.special(pte) || Pte.pfn(pte) != pfn) continue;
                    boolean exclusive = memMap.testFlag(pfn, PageFlags.PG_anon_exclusive);
                    pt.ptepGetAndClear(addr); // ptep_clear_flush
                    int type = Pte.write(pte) ? Pte.SWP_MIGRATION_WRITE
                            : exclusive ? Pte.SWP_MIGRATION_READ_EXCLUSIVE : Pte.SWP_MIGRATION_READ;
                    pt.setPteAt(addr, Pte.mkSwapEntry(type, pfn)); // set_pte_at(migration entry)
                    if (exclusive) {
                        memMap.clearFlag(pfn, PageFlags.PG_anon_exclusive); // kept in the entry instead
                    }
                    if (Pte.dirty(pte) && !folio.testDirty()) {
                        folio.set(PageFlags.PG_dirty); // folio_mark_dirty: set_bit, relaxed
                    }
                    ctx.rmap().folioRemoveRmapPtes(folio, pfn, 1, vma);
                    if ((vma.flags() & VmFlags.VM_LOCKED) != 0) ctx.mlock().mlockDrainLocal();
                    folio.put(); // the PTE's reference: folio_put, fully ordered
                    out.add(new Mapped(vma, pt, addr, pfn, Pte.write(pte), Pte.dirty(pte), Pte.young(pte), exclusive));
                } finally {
                    pt.ptl().unlock();
                }
            }
        }
        return out;
    }

    /**
     * __folio_freeze_and_split_unmapped() after the freeze: dequeue from the deferred split queue,
     * __split_folio_to_order under the lruvec lock, lru_add_split_folio for each new folio, the
     * statistics, then unfreeze every new folio with one reference (the old head last).
     */
    private void splitUnmapped(Folio folio, int oldOrder, int newOrder, List<Folio> list) {
        long pfn = folio.pfn();
        if (oldOrder > 1) ctx.thp().deferredSplit().dequeueForSplit(folio);
        boolean onLru = folio.testLru();
        LruVec lruvec = onLru ? LruVec.of(ctx.machine()).forPfn(pfn) : null;
        if (lruvec != null) lruvec.lock(); // folio_lruvec_lock: the LRU links and PageCompound
        try {
            memMap.splitCompound(pfn, oldOrder, newOrder, COPY_FLAGS);
            long step = 1L << newOrder;
            for (long j = step; j < (1L << oldOrder); j += step) {
                memMap.refUnfreeze(pfn + j, 1); // folio_ref_unfreeze(new_folio, 1): release
                if (list != null) {
                    // lru_add_split_folio with a list (reclaim, migration): the piece is isolated too.
                    Folio piece = memMap.folio(pfn + j);
                    piece.get(); // folio_get: relaxed atomic_inc
                    list.add(piece); // list_add_tail(&new_folio->lru, list)
                } else if (lruvec != null) {
                    lruvec.addSplitFolio(pfn, pfn + j);
                }
            }
        } finally {
            if (lruvec != null) lruvec.unlock();
        }
        MthpStats stats = ctx.thp().stats();
        stats.mod(oldOrder, MthpStats.Item.NR_ANON, -1);
        stats.mod(newOrder, MthpStats.Item.NR_ANON, 1L << (oldOrder - newOrder));
        stats.mod(oldOrder, MthpStats.Item.SPLIT, 1);
        folio.refUnfreeze(1); // the caller's reference: folio_ref_unfreeze, release
    }

    /**
     * remap_page() / remove_migration_ptes(): each migration entry becomes a PTE of the page's (new)
     * folio again, with a reference and folio_add_anon_rmap_pte (which mlocks a new small folio in a
     * VM_LOCKED VMA). After a successful split, a page never written, of an unlocked folio outside
     * VM_LOCKED VMAs, is mapped to the shared zero page instead (try_to_map_unused_to_zeropage).
     */
    private void remap(List<Mapped> mapped, boolean useZeroPage) {
        for (Mapped m : mapped) {
            Folio piece = memMap.pageFolio(m.pfn());
            m.pt().ptl().lock();
            try {
                if (useZeroPage && !piece.isLarge() && !piece.testMlocked()
                        && (m.vma().flags() & VmFlags.VM_LOCKED) == 0 && !ctx.thp().contents().written(m.pfn())) {
                    m.pt().setPteAt(m.addr(), Pte.mkSpecial(ctx.node().zeroPfn()));
                    continue;
                }
                piece.get(); // folio_get: relaxed atomic_inc
                m.pt().setPteAt(m.addr(), Pte.mk(m.pfn(), m.write(), m.dirty(), m.young()));
                ctx.rmap().folioAddAnonRmapPtes(piece, m.pfn(), 1, m.vma(), m.exclusive());
            } finally {
                m.pt().ptl().unlock();
            }
            if ((m.vma().flags() & VmFlags.VM_LOCKED) != 0) ctx.mlock().mlockDrainLocal();
        }
    }
}
