package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.sync.SpinLock;

/**
 * copy_page_range() of mm/memory.c for fork: copy_pte_range() / copy_present_ptes() /
 * copy_nonpresent_pte() for PTE-mapped small folios. Each present PTE's folio gets a reference
 * (folio_get) and one more mapping: an anonymous folio through folio_try_dup_anon_rmap_pte (which clears
 * PG_anon_exclusive: from now on a write in either process must copy or prove it is alone), a file folio
 * through folio_dup_file_rmap_pte. In a copy-on-write mapping a writable PTE is write-protected in both
 * the parent and the child; a shared mapping's child PTE is made clean; every child PTE is made old.
 * Neither dup function mlocks: the child's VMA is never VM_LOCKED.
 *
 * <p>An exclusive anonymous folio that may be DMA-pinned (folio_needs_cow_for_dma: the parent mm has
 * MMF_HAS_PINNED, see {@link MmStruct#setHasPinned}, and folio_maybe_dma_pinned) is not shared but
 * copied into a new exclusive folio of the child at once (copy_present_page), so that the pinned page
 * stays the parent's.
 *
 * <p>A migration entry is copied; a writable one in a copy-on-write mapping becomes a readable one in
 * both (the folio is not mapped while migrating, so no mapcount changes: remove_migration_ptes maps it
 * again in both processes through the anon_vma chain).
 *
 * <p>Model difference: the copy of a pinned folio is allocated under the page-table locks (the kernel
 * drops them, preallocates and retries); allocation failure is not modelled there (the model's
 * allocator does not sleep or fail for a 4 KiB user page while memory remains).
 */
final class CopyPageRange {
    private final Mm ctx;

    CopyPageRange(Mm ctx) {
        this.ctx = ctx;
    }

    /** is_cow_mapping(): private and may be written. */
    static boolean isCowMapping(long flags) {
        return (flags & (VmFlags.VM_SHARED | VmFlags.VM_MAYWRITE)) == VmFlags.VM_MAYWRITE;
    }

    /**
     * folio_needs_cow_for_dma(): a copy-on-write mapping in an mm that has pinned pages
     * (MMF_HAS_PINNED) and a folio that may be pinned (folio_maybe_dma_pinned).
     */
    static boolean folioNeedsCowForDma(Vma vma, Folio folio) {
        if (!isCowMapping(vma.flags())) return false;
        if (!vma.mm().hasPinned()) return false;
        return folio.maybeDmaPinned();
    }

    /** copy_page_range(): copy {@code src}'s page tables into {@code dst} (same range, the child's mm). */
    void copyPageRange(Vma dst, Vma src) {
        PageTables spts = src.mm().pageTables();
        long addr = src.start;
        while (addr < src.end) {
            long tableEnd = Math.min(src.end, PageTables.pmdBase(addr) + (1L << PageTable.PMD_SHIFT));
            PageTable spt = spts.lookup(addr);
            if (spt != null) {
                copyPteRange(dst, src, dst.mm().pageTables().alloc(addr), spt, addr, tableEnd);
            }
            addr = tableEnd;
        }
    }

    /** copy_pte_range(): the child's PTL, then the parent's (spin_lock_nested), for one table. */
    private void copyPteRange(Vma dst, Vma src, PageTable dpt, PageTable spt, long start, long end) {
        SpinLock dptl = dpt.ptl();
        SpinLock sptl = spt.ptl();
        dptl.lock();
        sptl.lock();
        try {
            for (long addr = start; addr < end; addr += 4096) {
                long pte = spt.ptepGet(addr);
                if (Pte.none(pte)) continue;
                if (!Pte.present(pte)) {
                    copyNonpresentPte(dpt, spt, src, addr, pte);
                    continue;
                }
                copyPresentPte(dst, src, dpt, spt, addr, pte);
            }
        } finally {
            sptl.unlock();
            dptl.unlock();
        }
    }

    /** copy_nonpresent_pte() for the entries the model makes (migration entries; swap entries copied). */
    private static void copyNonpresentPte(PageTable dpt, PageTable spt, Vma src, long addr, long pte) {
        if (Pte.isMigrationEntry(pte) && Pte.swapType(pte) != Pte.SWP_MIGRATION_READ
                && isCowMapping(src.flags())) {
            // make_readable_migration_entry() in the parent too: both must fault to copy later.
            pte = Pte.mkSwapEntry(Pte.SWP_MIGRATION_READ, Pte.pfn(pte));
            spt.setPteAt(addr, pte);
        }
        dpt.setPteAt(addr, pte);
    }

    /**
     * copy_present_ptes() with nr = 1 (model difference: a PTE-mapped large folio is copied page by page,
     * where the kernel batches its PTEs; the counts come out the same); the zero page is copied without a
     * reference.
     */
    private void copyPresentPte(Vma dst, Vma src, PageTable dpt, PageTable spt, long addr, long pte) {
        if (!Pte.special(pte)) {
            Folio folio = ctx.memMap().pageFolio(Pte.pfn(pte));
            folio.get(); // folio_get: relaxed atomic_inc (the PTL orders it against zap)
            if (folio.isAnon()) {
                long page = Pte.pfn(pte);
                if (ctx.memMap().testFlag(page, PageFlags.PG_anon_exclusive) && folioNeedsCowForDma(src, folio)) {
                    folio.put(); // folio_put: fully ordered atomic_dec_and_test (never the last here)
                    copyPresentPage(dst, dpt, addr);
                    return;
                }
                ctx.rmap().folioTryDupAnonRmapPte(folio, page, dst);
            } else {
                ctx.rmap().folioDupFileRmapPte(folio);
            }
        }
        // __copy_present_ptes().
        if (isCowMapping(src.flags()) && Pte.write(pte)) {
            pte = Pte.wrprotect(pte);
            spt.modifyProt(addr, pte); // ptep_set_wrprotect: atomic clear_bit, under the PTL here
        }
        if ((src.flags() & VmFlags.VM_SHARED) != 0) {
            pte = Pte.mkClean(pte);
        }
        dpt.setPteAt(addr, Pte.mkOld(pte));
    }

    /**
     * copy_present_page(): the child gets its own exclusive copy of a page the parent may have pinned:
     * a new anonymous folio, on the LRU through folio_add_lru_vma, mapped dirty and writable if the VMA is.
     */
    private void copyPresentPage(Vma dst, PageTable dpt, long addr) {
        Folio fresh = ctx.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        if (fresh == null) {
            throw new IllegalStateException("out of memory copying a pinned page at fork (not modelled)");
        }
        fresh.nonAtomicSet(PageFlags.PG_uptodate); // copy_mc_user_highpage + __folio_mark_uptodate
        ctx.rmap().folioAddNewAnonRmap(fresh, dst, addr, true);
        ctx.swap().folioAddLruVma(fresh, dst.flags());
        boolean writable = (dst.flags() & VmFlags.VM_WRITE) != 0;
        dpt.setPteAt(addr, Pte.mk(fresh.pfn(), writable, true, true));
    }
}
