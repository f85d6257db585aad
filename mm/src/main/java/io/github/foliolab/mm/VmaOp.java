package io.github.foliolab.mm;

import io.github.foliolab.folio.api.sched.SchedOp;

/**
 * The VMA accesses the mm module declares to a scheduler without making them steps of their own
 * ({@link io.github.foliolab.folio.api.sched.SchedPoints#access}): reads and writes of vm_flags, which
 * rmap walkers and mlock_vma_folio() read without the mmap_lock (READ_ONCE / WRITE_ONCE in the kernel).
 * Partial-order reduction then orders a walker's step only with the steps that write vm_flags, instead
 * of treating a vm_flags write as dependent on every step.
 */
public enum VmaOp implements SchedOp {
    /** READ_ONCE(vma->vm_flags). */
    VM_FLAGS_READ("READ_ONCE(vma->vm_flags)", Kind.READ),
    /** WRITE_ONCE(vma->vm_flags) (vm_flags_reset and friends, under the mmap_lock held for writing). */
    VM_FLAGS_WRITE("WRITE_ONCE(vma->vm_flags)", Kind.WRITE);

    /**
     * The machine-wide word ({@link SchedOp#part}) that stands for every VMA's vm_flags: the VMAs of all
     * address spaces share it, which orders more steps than needed, never fewer.
     */
    public static final int VM_FLAGS_PART = SchedOp.word(511);

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

    @Override
    public Subject subject() {
        return Subject.NONE;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public int part(long arg) {
        return VM_FLAGS_PART;
    }

    @Override
    public boolean shared() {
        return false;
    }
}
