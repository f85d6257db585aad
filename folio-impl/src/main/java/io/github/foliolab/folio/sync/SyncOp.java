package io.github.foliolab.folio.sync;

import io.github.foliolab.folio.api.sched.SchedOp;

/** Schedule points of the locks and completions (include/linux/spinlock.h, mutex.h, rwsem.h, completion.h). */
public enum SyncOp implements SchedOp {
    /** {@code spin_lock}. */
    SPIN_LOCK("spin_lock"),
    /** {@code spin_unlock}. */
    SPIN_UNLOCK("spin_unlock"),
    /** {@code mutex_lock}. */
    MUTEX_LOCK("mutex_lock"),
    /** {@code mutex_unlock}. */
    MUTEX_UNLOCK("mutex_unlock"),
    /** {@code local_lock}. */
    LOCAL_LOCK("local_lock", false),
    /** {@code local_unlock}. */
    LOCAL_UNLOCK("local_unlock", false),
    /** {@code down_read}. */
    DOWN_READ("down_read"),
    /** {@code up_read}. */
    UP_READ("up_read"),
    /** {@code down_write}. */
    DOWN_WRITE("down_write"),
    /** {@code up_write}. */
    UP_WRITE("up_write"),
    /** {@code complete}. */
    COMPLETE("complete"),
    /** {@code wait_for_completion}. */
    WAIT_FOR_COMPLETION("wait_for_completion");

    private final String kernelName;
    private final boolean shared;

    SyncOp(String kernelName) {
        this(kernelName, true);
    }

    SyncOp(String kernelName, boolean shared) {
        this.kernelName = kernelName;
        this.shared = shared;
    }

    @Override
    public String kernelName() {
        return kernelName;
    }

    @Override
    public Subject subject() {
        return Subject.OBJECT;
    }

    @Override
    public boolean shared() {
        return shared;
    }
}
