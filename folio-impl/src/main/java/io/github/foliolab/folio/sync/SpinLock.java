package io.github.foliolab.folio.sync;

/** A spinlock_t (lru_lock, zone->lock, a page-table lock): spin_lock / spin_unlock as schedule points. */
public final class SpinLock extends SimLock {
    public SpinLock(String name) {
        super(name);
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
