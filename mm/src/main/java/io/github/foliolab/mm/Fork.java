package io.github.foliolab.mm;

import io.github.foliolab.folio.api.VmFlags;

/**
 * fork()'s address-space half: dup_mm() and dup_mmap() (kernel/fork.c, mm/mmap.c) with anon_vma_fork()
 * (mm/rmap.c). The child gets a copy of every VMA but those marked VM_DONTCOPY (MADV_DONTFORK), with
 * VM_LOCKED and VM_LOCKONFAULT cleared (mlock is not inherited), locked_vm 0 and def_flags cleared but
 * for VM_NOHUGEPAGE (mlockall(MCL_FUTURE) is not inherited either). A VM_WIPEONFORK VMA
 * (MADV_WIPEONFORK) starts empty in the child: no anon_vma, no page tables. Every other VMA is chained
 * to its parent VMA's anon_vmas and gets its own, and its page tables are copied by
 * {@link CopyPageRange} when the parent VMA has an anon_vma (vma_needs_copy: other shared and file
 * mappings fill in on fault).
 *
 * <p>Locking: the parent's mmap_lock is held for writing for the whole copy (the child's too, nested,
 * as dup_mmap takes it although nobody else can see the child yet); each anon_vma chain is linked under
 * its root's lock, each file VMA under the file's i_mmap lock.
 *
 * <p>Model difference: the child mm has the parent's RLIMIT_MEMLOCK and capabilities (the creds and
 * rlimits the kernel copies with the task); no maple tree duplication (VMAs are inserted one by one);
 * copy_page_range never fails (no -ENOMEM, no prealloc retry).
 */
public final class Fork {
    private final Mm ctx;
    private final CopyPageRange copy;

    Fork(Mm ctx) {
        this.ctx = ctx;
        this.copy = new CopyPageRange(ctx);
    }

    /**
     * dup_mm(): a new address space, a copy of {@code oldmm} as fork() makes it for the child.
     *
     * @param oldmm the parent's address space (mm_struct)
     * @return the child's address space
     */
    public MmStruct dupMm(MmStruct oldmm) {
        MmStruct mm = ctx.newMm();
        // mm_init(): def_flags inherited only for VM_INIT_DEF_MASK (VM_NOHUGEPAGE); locked_vm starts at 0.
        mm.defFlags = oldmm.defFlags & VmFlags.VM_NOHUGEPAGE;
        mm.lockedVm = 0;
        mm.setRlimitMemlock(oldmm.rlimitMemlock());
        mm.setCapIpcLock(oldmm.capIpcLock());
        mm.setCapSysRawio(oldmm.capSysRawio());
        oldmm.mmapLock().downWrite();
        try {
            mm.mmapLock().downWrite(); // mmap_write_lock_nested: not linked in yet, no deadlock
            try {
                dupMmap(mm, oldmm);
            } finally {
                mm.mmapLock().upWrite();
            }
        } finally {
            oldmm.mmapLock().upWrite();
        }
        return mm;
    }

    /** dup_mmap(): copy the VMAs (both mmap_locks held for writing). */
    private void dupMmap(MmStruct mm, MmStruct oldmm) {
        mm.totalVm = oldmm.totalVm;
        for (Vma mpnt : oldmm.vmas()) {
            long flags = mpnt.flags();
            if ((flags & VmFlags.VM_DONTCOPY) != 0) {
                mm.totalVm -= mpnt.pages(); // vm_stat_account(mm, flags, -pages)
                continue;
            }
            Vma tmp = new Vma(mm, mpnt.start, mpnt.end, flags & ~VmFlags.VM_LOCKED_MASK, mpnt.pgoff, mpnt.file);
            boolean wipe = (flags & VmFlags.VM_WIPEONFORK) != 0;
            if (!wipe) {
                anonVmaFork(tmp, mpnt); // a VM_WIPEONFORK VMA prepares its anon_vma at its first fault
            }
            ctx.vmaModify().link(tmp); // the tree, and the file's i_mmap next to the parent's VMA
            if (!wipe && vmaNeedsCopy(tmp, mpnt)) {
                copy.copyPageRange(tmp, mpnt);
            }
        }
    }

    /**
     * vma_needs_copy(): page tables a fault could not rebuild (VM_PFNMAP / VM_MIXEDMAP, or anonymous
     * pages: the source VMA has an anon_vma) are copied; the others are left to fault.
     */
    static boolean vmaNeedsCopy(Vma dst, Vma src) {
        if ((dst.flags() & (VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP)) != 0) return true;
        return src.anonVma != null;
    }

    /**
     * anon_vma_fork(): chain {@code vma} to every anon_vma {@code pvma} is chained to (so that rmap finds
     * the folios the two still share in the child), then give it a new anon_vma whose parent is
     * {@code pvma}'s, where its own copy-on-write folios will point.
     */
    private void anonVmaFork(Vma vma, Vma pvma) {
        AnonVma parent = pvma.anonVma;
        if (parent == null) {
            return; // the parent has no anonymous pages here: nothing to chain
        }
        AnonVma.cloneChain(vma, pvma); // anon_vma_clone(vma, pvma, VMA_OP_FORK)
        AnonVma own = ctx.newAnonVma(parent);
        vma.anonVma = own;
        own.link(vma);
    }
}
