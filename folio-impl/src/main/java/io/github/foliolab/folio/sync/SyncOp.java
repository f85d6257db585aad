package io.github.foliolab.folio.sync;

import io.github.foliolab.folio.api.sched.SchedOp;

/** Schedule points of the locks and completions (include/linux/spinlock.h, mutex.h, rwsem.h, completion.h). */
public enum SyncOp implements SchedOp {
    SPIN_LOCK("spin_lock"),
    SPIN_UNLOCK("spin_unlock"),
    MUTEX_LOCK("mutex_lock"),
    MUTEX_UNLOCK("mutex_unlock"),
    LOCAL_LOCK("local_lock", false),
    LOCAL_UNLOCK("local_unlock", false),
    DOWN_READ("down_read"),
    UP_READ("up_read"),
    DOWN_WRITE("down_write"),
    UP_WRITE("up_write"),
    COMPLETE("complete"),
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
