package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.sync.SpinLock;

import java.util.ArrayList;
import java.util.List;

import static io.github.foliolab.mm.Mman.*;

/**
 * madvise(2) of mm/madvise.c for MADV_DONTNEED, MADV_COLD, MADV_PAGEOUT and MADV_WILLNEED:
 * madvise_walk_vmas (holes give -ENOMEM after the VMAs are visited; a VMA's error stops the walk),
 * madvise_dontneed_free_valid_vma (VM_LOCKED and VM_PFNMAP refused with -EINVAL), can_madv_lru_vma
 * for COLD/PAGEOUT (VM_LOCKED, VM_PFNMAP, VM_HUGETLB refused), the cold/pageout PTE walk, and
 * willneed (no swap in the model: only the lru_add_drain()); and the advices that only change
 * vm_flags through madvise_update_vma (split / merge with the mmap_lock held for writing):
 * MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_DONTFORK, MADV_DOFORK (-EINVAL on VM_SPECIAL),
 * MADV_HUGEPAGE, MADV_NOHUGEPAGE (hugepage_madvise).
 *
 * <p>Model difference: the other advices madvise_behavior_valid() accepts (MADV_FREE, MADV_REMOVE,
 * MADV_DONTNEED_LOCKED, MADV_POPULATE_*, MADV_DONTDUMP / DODUMP, MADV_WIPEONFORK / KEEPONFORK,
 * MADV_MERGEABLE, MADV_COLLAPSE, MADV_GUARD_*, MADV_HWPOISON, MADV_SOFT_OFFLINE) are -EINVAL here.
 * There is no swap, so MADV_WILLNEED's swap-in walks find nothing to read.
 */
public final class Madvise {
    private final Mm ctx;

    Madvise(Mm ctx) {
        this.ctx = ctx;
    }

    private static boolean behaviorValid(int b) {
        return b == MADV_DONTNEED || b == MADV_COLD || b == MADV_PAGEOUT || b == MADV_WILLNEED || updatesFlags(b);
    }

    /** The advices that only change vm_flags (get_lock_mode(): the mmap_lock for writing). */
    private static boolean updatesFlags(int b) {
        return b == MADV_NORMAL || b == MADV_RANDOM || b == MADV_SEQUENTIAL || b == MADV_DONTFORK
                || b == MADV_DOFORK || b == MADV_HUGEPAGE || b == MADV_NOHUGEPAGE;
    }

    /** madvise(2): 0 or -errno. */
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
        MmuGather tlb = behavior == MADV_DONTNEED ? MmuGather.gather(ctx) : null;
        try {
            return walkVmas(mm, start, end, behavior, tlb);
        } finally {
            if (tlb != null) tlb.finish();
            mm.mmapLock().upRead();
        }
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
                if ((vma.flags() & (VmFlags.VM_LOCKED | VmFlags.VM_PFNMAP)) != 0) return -Errno.EINVAL;
                ctx.zap().zapRange(tlb, vma, start, end);
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
            for (long addr = start; addr < end; addr += 4096) {
                long pte = pt.ptepGet(addr);
                if (!Pte.present(pte) || Pte.special(pte)) continue; // vm_normal_folio: none for the zero page
                Folio folio = ctx.memMap().folio(Pte.pfn(pte));
                if (!folio.testLru() || folio.mapcount() != folio.nrPages()) continue;
                if (!pageout && Pte.young(pte)) {
                    pt.ptepTestAndClearYoung(addr); // clear_young_dirty_ptes(CYDP_CLEAR_YOUNG)
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
}
