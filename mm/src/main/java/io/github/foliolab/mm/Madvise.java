package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.sync.SpinLock;

import java.util.ArrayList;
import java.util.List;

import static io.github.foliolab.mm.Mman.*;

/**
 * madvise(2) of mm/madvise.c for MADV_DONTNEED, MADV_DONTNEED_LOCKED, MADV_COLD, MADV_PAGEOUT,
 * MADV_WILLNEED, MADV_FREE (anonymous VMAs only; see {@link #freePteRange}) and MADV_POPULATE_READ / MADV_POPULATE_WRITE (madvise_populate over the whole range
 * through faultin_page_range of mm/gup.c, not the VMA walk):
 * madvise_walk_vmas (holes give -ENOMEM after the VMAs are visited; a VMA's error stops the walk),
 * madvise_dontneed_free_valid_vma (VM_PFNMAP, and VM_LOCKED unless MADV_DONTNEED_LOCKED, refused with
 * -EINVAL), can_madv_lru_vma
 * for COLD/PAGEOUT (VM_LOCKED, VM_PFNMAP, VM_HUGETLB refused), the cold/pageout PTE walk, and
 * willneed (no swap in the model: only the lru_add_drain()); and the advices that only change
 * vm_flags through madvise_update_vma (split / merge with the mmap_lock held for writing):
 * MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_DONTFORK, MADV_DOFORK (-EINVAL on VM_SPECIAL),
 * MADV_WIPEONFORK (-EINVAL on a file or shared VMA), MADV_KEEPONFORK, MADV_HUGEPAGE, MADV_NOHUGEPAGE
 * (hugepage_madvise).
 *
 * <p>Model difference: the other advices madvise_behavior_valid() accepts (MADV_REMOVE, MADV_DONTDUMP / DODUMP,
 * MADV_MERGEABLE, MADV_COLLAPSE, MADV_GUARD_*, MADV_HWPOISON, MADV_SOFT_OFFLINE) are -EINVAL here.
 * There is no swap, so MADV_WILLNEED's swap-in walks find nothing to read.
 */
public final class Madvise {
    private final Mm ctx;

    Madvise(Mm ctx) {
        this.ctx = ctx;
    }

    private static boolean behaviorValid(int b) {
        return b == MADV_DONTNEED || b == MADV_DONTNEED_LOCKED || b == MADV_FREE || isPopulate(b) || b == MADV_COLD || b == MADV_PAGEOUT || b == MADV_WILLNEED || updatesFlags(b);
    }

    /** is_madvise_populate(). */
    private static boolean isPopulate(int b) {
        return b == MADV_POPULATE_READ || b == MADV_POPULATE_WRITE;
    }

    /** The advices that only change vm_flags (get_lock_mode(): the mmap_lock for writing). */
    private static boolean updatesFlags(int b) {
        return b == MADV_NORMAL || b == MADV_RANDOM || b == MADV_SEQUENTIAL || b == MADV_DONTFORK
                || b == MADV_DOFORK || b == MADV_WIPEONFORK || b == MADV_KEEPONFORK || b == MADV_HUGEPAGE
                || b == MADV_NOHUGEPAGE;
    }

    /**
     * madvise(2): 0 or -errno.
     *
     * @param mm the calling process's address space
     * @param start the start, a page-aligned user virtual address (bytes)
     * @param lenIn the length in bytes, rounded up to whole pages
     * @param behavior the MADV_* advice ({@link Mman})
     * @return 0, or -errno: -EINVAL (bad alignment, unknown advice, MADV_DONTNEED / MADV_FREE on a VM_LOCKED VMA),
     *         -ENOMEM (a hole in the range; the mapped parts are still advised); MADV_POPULATE_* also returns the
     *         population's -errno
     */
    public int madvise(MmStruct mm, long start, long lenIn, int behavior) {
        if (!behaviorValid(behavior)) return -Errno.EINVAL;
        if ((start & 0xfff) != 0) return -Errno.EINVAL;
        long len = Mman.pageAlign(lenIn);
        if (lenIn != 0 && len == 0) return -Errno.EINVAL;
        long end = start + len;
        if (Long.compareUnsigned(end, start) < 0) return -Errno.EINVAL;
        if (end == start) return 0;
        if (updatesFlags(behavior)) {
            mm.mmapLock().downWrite();
            try {
                return walkVmas(mm, start, end, behavior, null);
            } finally {
                mm.mmapLock().upWrite();
            }
        }
        mm.mmapLock().downRead();
        if (isPopulate(behavior)) {
            try {
                return populate(mm, start, end, behavior == MADV_POPULATE_WRITE);
            } finally {
                mm.mmapLock().upRead();
            }
        }
        MmuGather tlb = behavior == MADV_DONTNEED || behavior == MADV_DONTNEED_LOCKED || behavior == MADV_FREE
                ? MmuGather.gather(ctx) : null;
        try {
            return walkVmas(mm, start, end, behavior, tlb);
        } finally {
            if (tlb != null) tlb.finish();
            mm.mmapLock().upRead();
        }
    }

    /**
     * madvise_populate(): faultin_page_range() until the range is done; its errors pass through
     * (-ENOMEM for a hole, -EINVAL for a refused access, -EFAULT for SIGBUS / SIGSEGV). The pages
     * before the failing one stay populated.
     */
    private int populate(MmStruct mm, long start, long end, boolean write) {
        while (Long.compareUnsigned(start, end) < 0) {
            long pages = ctx.gup().faultinPageRange(mm, start, end, write);
            if (pages < 0) return (int) pages;
            start += pages * 4096;
        }
        return 0;
    }

    /** madvise_vma_behavior() for the flag-only advices, then madvise_update_vma(). */
    private int updateVma(Vma vma, long start, long end, int behavior) {
        long f = vma.flags();
        switch (behavior) {
            case MADV_NORMAL -> f &= ~(VmFlags.VM_RAND_READ | VmFlags.VM_SEQ_READ);
            case MADV_SEQUENTIAL -> f = (f & ~VmFlags.VM_RAND_READ) | VmFlags.VM_SEQ_READ;
            case MADV_RANDOM -> f = (f & ~VmFlags.VM_SEQ_READ) | VmFlags.VM_RAND_READ;
            case MADV_DONTFORK -> f |= VmFlags.VM_DONTCOPY;
            case MADV_DOFORK -> {
                if ((f & VmFlags.VM_SPECIAL) != 0) return -Errno.EINVAL;
                f &= ~VmFlags.VM_DONTCOPY;
            }
            case MADV_WIPEONFORK -> {
                if (vma.file() != null || (f & VmFlags.VM_SHARED) != 0) return -Errno.EINVAL; // anonymous only
                f |= VmFlags.VM_WIPEONFORK;
            }
            case MADV_KEEPONFORK -> f &= ~VmFlags.VM_WIPEONFORK; // (VM_DROPPABLE is not modelled)
            case MADV_HUGEPAGE -> f = (f & ~VmFlags.VM_NOHUGEPAGE) | VmFlags.VM_HUGEPAGE;
            case MADV_NOHUGEPAGE -> f = (f & ~VmFlags.VM_HUGEPAGE) | VmFlags.VM_NOHUGEPAGE;
            default -> {
                return -Errno.EINVAL;
            }
        }
        if (f == vma.flags()) return 0; // nothing to change: no split
        ctx.vmaModify().modifyFlags(vma, start, end, f);
        return 0;
    }

    /** madvise_walk_vmas(). */
    private int walkVmas(MmStruct mm, long start, long end, int behavior, MmuGather tlb) {
        int unmappedError = 0;
        Vma vma = mm.findVma(start);
        while (true) {
            if (vma == null) return -Errno.ENOMEM;
            // Unsigned, as the kernel's unsigned long: end may lie at or above 2^63.
            if (start < vma.start) {
                unmappedError = -Errno.ENOMEM;
                start = vma.start;
                if (Long.compareUnsigned(start, end) >= 0) break;
            }
            long tmp = Long.compareUnsigned(vma.end, end) < 0 ? vma.end : end;
            int error = vmaBehavior(vma, start, tmp, behavior, tlb);
            if (error != 0) return error;
            start = tmp;
            if (Long.compareUnsigned(start, end) >= 0) break;
            vma = mm.findVma(start);
        }
        return unmappedError;
    }

    private int vmaBehavior(Vma vma, long start, long end, int behavior, MmuGather tlb) {
        if (updatesFlags(behavior)) {
            return updateVma(vma, start, end, behavior);
        }
        switch (behavior) {
            case MADV_WILLNEED:
                // Anonymous: swapin walk; shmem (tmpfs files too): shmem_swapin_range. No swap here.
                ctx.swap().lruAddDrain();
                return 0;
            case MADV_DONTNEED:
            case MADV_DONTNEED_LOCKED:
                // madvise_dontneed_free_valid_vma: MADV_DONTNEED_LOCKED allows VM_LOCKED.
                long forbidden = VmFlags.VM_PFNMAP | (behavior == MADV_DONTNEED ? VmFlags.VM_LOCKED : 0);
                if ((vma.flags() & forbidden) != 0) return -Errno.EINVAL;
                ctx.zap().zapRange(tlb, vma, start, end);
                return 0;
            case MADV_FREE:
                // madvise_dontneed_free_valid_vma, then madvise_free_single_vma: anonymous VMAs only.
                if ((vma.flags() & (VmFlags.VM_LOCKED | VmFlags.VM_PFNMAP)) != 0) return -Errno.EINVAL;
                if (!vma.isAnonymous()) return -Errno.EINVAL;
                ctx.swap().lruAddDrain();
                free(vma, start, end);
                return 0;
            case MADV_COLD:
            case MADV_PAGEOUT:
                if ((vma.flags() & (VmFlags.VM_LOCKED | VmFlags.VM_PFNMAP | VmFlags.VM_HUGETLB)) != 0) {
                    return -Errno.EINVAL;
                }
                ctx.swap().lruAddDrain();
                coldOrPageout(vma, start, end, behavior == MADV_PAGEOUT);
                return 0;
            default:
                return -Errno.EINVAL;
        }
    }

    /** madvise_free_single_vma(): madvise_free_pte_range() over each page table of [start, end). */
    private void free(Vma vma, long start, long end) {
        long addr = start;
        while (addr < end) {
            long tableEnd = Math.min(end, PageTables.pmdBase(addr) + (1L << PageTable.PMD_SHIFT));
            PageTable pt = vma.mm().pageTables().lookup(addr);
            if (pt != null) {
                freePteRange(vma, pt, addr, tableEnd);
            }
            addr = tableEnd;
        }
    }

    /**
     * madvise_free_pte_range(): a dirty, exclusively mapped folio is cleaned under its
     * folio lock (skipped if the trylock fails), a young or dirty PTE is made old and clean
     * (clear_young_dirty_ptes with CYDP_CLEAR_YOUNG | CYDP_CLEAR_DIRTY: get-and-clear, then set), and
     * the folio goes to folio_mark_lazyfree(), which queues it on this CPU's lru_lazyfree batch.
     *
     * <p>Model difference: there is no swap, so swap entries never occur and no folio is in the swap
     * cache. A large folio mapped whole inside the range is marked lazyfree as one folio; one only
     * partly covered is split first (split_folio) and its pieces handled one by one.
     */
    private void freePteRange(Vma vma, PageTable pt, long start, long end) {
        SpinLock ptl = pt.ptl();
        ptl.lock();
        try {
            int nr;
            for (long addr = start; addr < end; addr += (long) nr << 12) {
                nr = 1;
                long pte = pt.ptepGet(addr);
                if (!Pte.present(pte) || Pte.special(pte)) continue; // vm_normal_folio: none for the zero page
                Folio folio = ctx.memMap().pageFolio(Pte.pfn(pte));
                if (folio.isLarge()) {
                    // Split a large folio not mapped whole inside the range (then look at the same PTE
                    // again); one mapped whole is marked lazyfree as one folio.
                    nr = Zap.folioPteBatch(pt, folio, Pte.pfn(pte), addr, end);
                    if (nr < folio.nrPages()) {
                        nr = splitPartlyMapped(folio, ptl, nr);
                        continue;
                    }
                }
                if (folio.testDirty()) {
                    if (!folio.trylock()) continue;
                    if (folio.mapcount() != folio.nrPages()) {
                        folio.unlock();
                        continue;
                    }
                    folio.clear(PageFlags.PG_dirty); // folio_clear_dirty: clear_bit, relaxed (under the folio lock)
                    folio.unlock();
                }
                for (int i = 0; i < nr; i++) {
                    long a = addr + ((long) i << 12);
                    long p = pt.ptepGet(a);
                    if (Pte.young(p) || Pte.dirty(p)) {
                        long old = pt.ptepGetAndClear(a);
                        pt.setPteAt(a, Pte.mkClean(Pte.mkOld(old)));
                    }
                }
                ctx.swap().folioMarkLazyfree(folio);
            }
        } finally {
            ptl.unlock();
        }
    }

    /** madvise_cold_or_pageout_pte_range(), one page table at a time. */
    private void coldOrPageout(Vma vma, long start, long end, boolean pageout) {
        long addr = start;
        while (addr < end) {
            long tableEnd = Math.min(end, PageTables.pmdBase(addr) + (1L << PageTable.PMD_SHIFT));
            PageTable pt = vma.mm().pageTables().lookup(addr);
            if (pt != null) {
                coldPteRange(vma, pt, addr, tableEnd, pageout);
            }
            addr = tableEnd;
        }
    }

    private void coldPteRange(Vma vma, PageTable pt, long start, long end, boolean pageout) {
        List<Folio> folioList = new ArrayList<>();
        SpinLock ptl = pt.ptl();
        ptl.lock();
        try {
            int nr;
            for (long addr = start; addr < end; addr += (long) nr << 12) {
                nr = 1;
                long pte = pt.ptepGet(addr);
                if (!Pte.present(pte) || Pte.special(pte)) continue; // vm_normal_folio: none for the zero page
                Folio folio = ctx.memMap().pageFolio(Pte.pfn(pte));
                if (folio.isLarge()) {
                    // A large folio not mapped whole inside the range is split first (and the walk
                    // looks at the same PTE again); one mapped whole is handled as one folio.
                    nr = Zap.folioPteBatch(pt, folio, Pte.pfn(pte), addr, end);
                    if (nr < folio.nrPages()) {
                        nr = splitPartlyMapped(folio, ptl, nr);
                        continue;
                    }
                }
                if (!folio.testLru() || folio.mapcount() != folio.nrPages()) continue;
                if (!pageout && Pte.young(pte)) {
                    for (int i = 0; i < nr; i++) {
                        pt.ptepTestAndClearYoung(addr + ((long) i << 12)); // clear_young_dirty_ptes(CYDP_CLEAR_YOUNG)
                    }
                }
                folio.clearReferenced(); // folio_clear_referenced: clear_bit, relaxed; folio_set_workingset: set_bit, relaxed
                if (folio.testActive()) folio.set(PageFlags.PG_workingset);
                if (pageout) {
                    if (ctx.vmscan().folioIsolateLru(folio)) {
                        if (folio.testUnevictable()) {
                            ctx.vmscan().folioPutbackLru(folio);
                        } else {
                            folioList.add(folio);
                        }
                    }
                } else {
                    ctx.swap().folioDeactivate(folio);
                }
            }
        } finally {
            ptl.unlock();
        }
        if (pageout) {
            ctx.vmscan().reclaimPages(folioList);
        }
    }

    /**
     * A large folio the advice's range maps only in part is split to order 0 before the walk goes on (as
     * madvise_free_pte_range and madvise_cold_or_pageout_pte_range do): folio_trylock, a reference, the
     * PTL dropped around split_folio.
     *
     * @param folio the large folio (its head)
     * @param ptl the page table's lock, held on entry and on return
     * @param nr the folio's PTEs inside the range
     * @return 0 after a split (the walk looks at the same PTE again), else {@code nr} (the walk skips
     *     the folio's PTEs: it was locked by someone else, or the split failed)
     */
    private int splitPartlyMapped(Folio folio, SpinLock ptl, int nr) {
        if (!folio.trylock()) return nr; // folio_trylock: acquire
        folio.get(); // folio_get: relaxed
        ptl.unlock();
        int err = ctx.thp().split().splitFolioToOrder(folio, 0);
        folio.unlock(); // folio_unlock: release
        folio.put(); // folio_put: fully ordered
        ptl.lock();
        return err == 0 ? 0 : nr;
    }
}
