package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.sync.SpinLock;

/**
 * __zap_vma_range() / zap_pte_range() of mm/memory.c: clear the PTEs of a range, transfer dirty and
 * young bits of file PTEs to their folios (folio_mark_dirty; folio_mark_accessed only if the VMA has
 * recency, vma_has_recency(): not after MADV_RANDOM / MADV_SEQUENTIAL), remove the rmaps
 * (delayed for dirty file PTEs until after the TLB flush) and queue the references in the mmu_gather.
 */
public final class Zap {
    private final Mm ctx;

    Zap(Mm ctx) {
        this.ctx = ctx;
    }

    /**
     * __zap_vma_range() over [start, end) of {@code vma}: zap_pte_range() for each page table.
     *
     * @param tlb the gather that receives the folios of the cleared PTEs
     * @param vma the VMA whose pages are zapped
     * @param start the start, a page-aligned user virtual address (bytes) inside the VMA
     * @param end the end (exclusive), a page-aligned user virtual address (bytes)
     */
    public void zapRange(MmuGather tlb, Vma vma, long start, long end) {
        PageTables pts = vma.mm().pageTables();
        long addr = start;
        while (addr < end) {
            long tableEnd = Math.min(end, PageTables.pmdBase(addr) + (1L << PageTable.PMD_SHIFT));
            PageTable pt = pts.lookup(addr);
            if (pt != null) {
                zapPteRange(tlb, vma, pt, addr, tableEnd);
            }
            addr = tableEnd;
        }
    }

    /**
     * zap_pte_range(): under the page table's lock, clear each PTE of [start, end) and hand its folio to
     * the mmu_gather; the delayed rmaps are removed before the lock is dropped, the TLB flushed after.
     */
    private void zapPteRange(MmuGather tlb, Vma vma, PageTable pt, long start, long end) {
        SpinLock ptl = pt.ptl();
        boolean forceFlush = false;
        ptl.lock();
        for (long addr = start; addr < end; addr += 4096) {
            long pte = pt.ptepGet(addr);
            if (Pte.none(pte)) {
                continue;
            }
            if (!Pte.present(pte)) {
                pt.ptepGetAndClear(addr); // swap or migration entry: just clear it
                continue;
            }
            if (Pte.special(pte)) {
                pt.ptepGetAndClear(addr); // the zero page: no folio, no reference
                continue;
            }
            Folio folio = ctx.memMap().pageFolio(Pte.pfn(pte));
            if (folio.isLarge()) {
                // zap_present_folio_ptes(): one batch of the PTEs mapping consecutive pages of the folio.
                int nr = folioPteBatch(pt, folio, Pte.pfn(pte), addr, end);
                for (int i = 0; i < nr; i++) {
                    pt.ptepGetAndClear(addr + ((long) i << 12));
                }
                ctx.rmap().folioRemoveRmapPtes(folio, Pte.pfn(pte), nr, vma);
                for (int i = 0; i < nr; i++) {
                    tlb.removeFolio(folio, false);
                }
                addr += ((long) nr - 1) << 12;
                continue;
            }
            boolean delayRmap = false;
            if (!folio.isAnon()) {
                long old = pt.ptepGetAndClear(addr);
                if (Pte.dirty(old)) {
                    if (!folio.testDirty()) {
                        folio.set(PageFlags.PG_dirty); // folio_mark_dirty (shmem: noop_dirty_folio)
                    }
                    delayRmap = true; // tlb_delay_rmap(): x86 SMP
                    forceFlush = true;
                }
                if (Pte.young(old) && RmapWalk.vmaHasRecency(vma)) {
                    ctx.swap().folioMarkAccessed(folio); // not for VM_SEQ_READ / VM_RAND_READ VMAs
                }
            } else {
                pt.ptepGetAndClear(addr);
            }
            if (!delayRmap) {
                ctx.rmap().folioRemoveRmapPte(folio, vma);
            }
            tlb.removeFolio(folio, delayRmap);
        }
        if (forceFlush) {
            tlb.flushRmaps(vma); // before dropping the PTL, after the TLB flush
        }
        ptl.unlock();
        if (forceFlush) {
            tlb.flushMmu();
        }
    }

    /**
     * folio_pte_batch() (mm/internal.h): how many PTEs from {@code addr} (below {@code end}) map the
     * consecutive pages of {@code folio} starting at {@code pfn}; at least 1.
     *
     * @param pt the page table (its lock held)
     * @param folio a large folio
     * @param pfn the page the PTE at {@code addr} maps
     * @param addr a user virtual address (bytes)
     * @param end the end of the range (bytes, exclusive)
     */
    static int folioPteBatch(PageTable pt, Folio folio, long pfn, long addr, long end) {
        long folioEnd = folio.pfn() + folio.nrPages();
        long tableEnd = PageTables.pmdBase(addr) + (1L << PageTable.PMD_SHIFT);
        int nr = 1;
        while (pfn + nr < folioEnd && addr + ((long) nr << 12) < Math.min(end, tableEnd)) {
            long next = pt.ptepGet(addr + ((long) nr << 12));
            if (!Pte.present(next) || Pte.special(next) || Pte.pfn(next) != pfn + nr) break;
            nr++;
        }
        return nr;
    }
}
