package io.github.foliolab.folio.sync;

/** A spinlock_t (lru_lock, zone->lock, a page-table lock): spin_lock / spin_unlock as schedule points. */
public final class SpinLock extends SimLock {
    /**
     * An unlocked spinlock (spin_lock_init()).
     *
     * @param name the lock's name in traces and hung-task reports
     */
    public SpinLock(String name) {
        super(name);
    }

    /** {@code spin_lock_irq()}: as {@link #lock()} (no interrupts in the model), named so in traces. */
    public void lockIrq() {
        lock(FORM_IRQ);
    }

    /** {@code spin_unlock_irq()}: as {@link #unlock()}, named so in traces. */
    public void unlockIrq() {
        unlock(FORM_IRQ);
    }

    /** {@code spin_lock_irqsave()}: as {@link #lock()} (no interrupts in the model), named so in traces. */
    public void lockIrqsave() {
        lock(FORM_IRQSAVE);
    }

    /** {@code spin_unlock_irqrestore()}: as {@link #unlock()}, named so in traces. */
    public void unlockIrqrestore() {
        unlock(FORM_IRQSAVE);
    }

    @Override
    protected SyncOp lockOp() {
        return SyncOp.SPIN_LOCK;
    }

    @Override
    protected SyncOp unlockOp() {
        return SyncOp.SPIN_UNLOCK;
    }
}
