package io.github.foliolab.mm;

import java.util.List;

/**
 * exit_mmap() (mm/mmap.c): the last user of an address space has gone. Every VMA is unmapped through one
 * full-mm mmu_gather (unmap_vmas: each PTE's rmap is removed, which munlocks a folio mapped by a
 * VM_LOCKED VMA through munlock_vma_folio, as at munmap), the page tables are freed (free_pgtables),
 * the gathered folios are released (tlb_finish_mmu), and the VMAs are torn down (tear_down_vmas: off
 * their file's i_mmap and their anon_vma chains; an anonymous shmem file that loses its last mapping is
 * released). As at munmap, 7.2 drains no per-CPU batch here: a folio the exit freed from a locked VMA
 * waits in this CPU's mlock batch until the next drain.
 *
 * <p>Model difference: the kernel walks the VMAs under the mmap_lock held for reading and takes it for
 * writing only to free page tables and VMAs; the model holds it for writing throughout (nobody else can
 * reach a dying mm's tree).
 */
public final class ExitMmap {
    private final Mm ctx;

    ExitMmap(Mm ctx) {
        this.ctx = ctx;
    }

    /**
     * exit_mmap(): tear down {@code mm}. Afterwards it has no VMA, no page table, locked_vm and
     * total_vm 0, and no longer counts among {@link Mm#liveMms()}.
     *
     * @param mm the address space (mm_struct)
     */
    public void exitMmap(MmStruct mm) {
        mm.mmapLock().downWrite();
        try {
            List<Vma> all = mm.vmas();
            MmuGather tlb = MmuGather.gather(ctx); // tlb_gather_mmu_fullmm
            for (Vma v : all) {
                ctx.zap().zapRange(tlb, v, v.start, v.end); // unmap_vmas
            }
            mm.pageTables().freeAll(); // free_pgtables
            tlb.finish(); // tlb_finish_mmu
            for (Vma v : all) { // tear_down_vmas -> remove_vma
                ctx.vmaModify().unlink(v);
                ctx.mmap().releaseIfUnmapped(v);
            }
            mm.lockedVm = 0;
            mm.totalVm = 0;
        } finally {
            mm.mmapLock().upWrite();
        }
        ctx.mmap().releaseFiles(mm);
        ctx.forgetMm(mm);
    }
}
