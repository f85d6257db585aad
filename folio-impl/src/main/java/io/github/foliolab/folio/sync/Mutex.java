package io.github.foliolab.folio.sync;

/**
 * A struct mutex (the lock of lru_add_drain_all, for instance). Sleeping is modelled as waiting: under
 * the explorer the caller blocks until the holder releases.
 */
public final class Mutex extends SimLock {
    /**
     * An unlocked mutex (mutex_init()).
     *
     * @param name the lock's name in traces and hung-task reports
     */
    public Mutex(String name) {
        super(name);
    }

    @Override
    protected SyncOp lockOp() {
        return SyncOp.MUTEX_LOCK;
    }

    @Override
    protected SyncOp unlockOp() {
        return SyncOp.MUTEX_UNLOCK;
    }
}
