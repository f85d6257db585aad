package io.github.foliolab.mm;

import io.github.foliolab.folio.api.sched.SchedOp;

/**
 * The VMA accesses the mm module declares to a scheduler without making them steps of their own
 * ({@link io.github.foliolab.folio.api.sched.SchedPoints#access}): reads and writes of vm_flags, which
 * rmap walkers and mlock_vma_folio() read without the mmap_lock (READ_ONCE / WRITE_ONCE in the kernel).
 * Partial-order reduction then orders a walker's step only with the steps that write vm_flags of the
 * same address space, instead of treating a vm_flags write as dependent on every step. The point's id
 * is the mm's object id ({@link MmStruct#id()}, which no other step names as an object): the VMAs of one
 * mm share the key, which orders more steps than needed (two VMAs of one mm), never fewer.
 */
public enum VmaOp implements SchedOp {
    /** READ_ONCE(vma->vm_flags). */
    VM_FLAGS_READ("READ_ONCE(vma->vm_flags)", Kind.READ),
    /** WRITE_ONCE(vma->vm_flags) (vm_flags_reset and friends, under the mmap_lock held for writing). */
    VM_FLAGS_WRITE("WRITE_ONCE(vma->vm_flags)", Kind.WRITE);

    private final String kernelName;
    private final Kind kind;

    VmaOp(String kernelName, Kind kind) {
        this.kernelName = kernelName;
        this.kind = kind;
    }

    @Override
    public String kernelName() {
        return kernelName;
    }

    /** The id is the mm's object id: one key for the vm_flags of the mm's VMAs. */
    @Override
    public Subject subject() {
        return Subject.OBJECT;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public boolean shared() {
        return false;
    }
}
