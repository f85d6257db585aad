package io.github.foliolab.gup;

import io.github.foliolab.folio.api.sched.SchedOp;

/**
 * The schedule points of the gup module that are not folio or PTE steps: the edges of GUP-fast's
 * interrupts-off section (id the mm id, arg the start address).
 */
public enum GupOp implements SchedOp {
    /** local_irq_save() in gup_fast(): the lockless walk begins. */
    IRQ_SAVE("local_irq_save"),
    /** local_irq_restore() in gup_fast(): the lockless walk ends. */
    IRQ_RESTORE("local_irq_restore");

    private final String kernelName;

    GupOp(String kernelName) {
        this.kernelName = kernelName;
    }

    @Override
    public String kernelName() {
        return kernelName;
    }

    @Override
    public Kind kind() {
        return this == IRQ_SAVE ? Kind.ACQUIRE : Kind.RELEASE;
    }

    @Override
    public Subject subject() {
        return Subject.NONE;
    }

    /**
     * The CPU's interrupt state, a word of its own for partial-order reduction: the model sends no IPIs
     * (see {@link GupFast}), so disabling interrupts orders nothing against another CPU's steps; without
     * a part this CPU-local point would depend on every step.
     */
    @Override
    public int part(long arg) {
        return SchedOp.word(510);
    }

    /** Only this CPU's interrupts: nothing another CPU touches. */
    @Override
    public boolean shared() {
        return false;
    }
}
