package io.github.foliolab.folio.sync;

import io.github.foliolab.folio.api.sched.SchedOp;

/** Schedule points of the locks and completions (include/linux/spinlock.h, mutex.h, rwsem.h, completion.h). */
public enum SyncOp implements SchedOp {
    /** arg 1: spin_trylock. */
    SPIN_LOCK("spin_lock", Kind.ACQUIRE),
    /** spin_unlock() (include/linux/spinlock.h): release. */
    SPIN_UNLOCK("spin_unlock", Kind.RELEASE),
    /** arg 1: mutex_trylock. */
    MUTEX_LOCK("mutex_lock", Kind.ACQUIRE),
    /** mutex_unlock() (kernel/locking/mutex.c): release. */
    MUTEX_UNLOCK("mutex_unlock", Kind.RELEASE),
    /** arg 1: local_trylock. */
    LOCAL_LOCK("local_lock", Kind.ACQUIRE, false),
    /** local_unlock() (include/linux/local_lock.h): release of a per-CPU lock. */
    LOCAL_UNLOCK("local_unlock", Kind.RELEASE, false),
    /** down_read() (kernel/locking/rwsem.c): shared acquire. */
    DOWN_READ("down_read", Kind.ACQUIRE),
    /** up_read() (kernel/locking/rwsem.c): shared release. */
    UP_READ("up_read", Kind.RELEASE),
    /** down_write() (kernel/locking/rwsem.c): exclusive acquire. */
    DOWN_WRITE("down_write", Kind.ACQUIRE),
    /** up_write() (kernel/locking/rwsem.c): exclusive release. */
    UP_WRITE("up_write", Kind.RELEASE),
    /** complete() (kernel/sched/completion.c): signals the completion's waiters. */
    COMPLETE("complete", Kind.SIGNAL),
    /** wait_for_completion() (kernel/sched/completion.c): waits until complete() was called. */
    WAIT_FOR_COMPLETION("wait_for_completion", Kind.WAIT);

    private final String kernelName;
    private final Kind kind;
    private final boolean shared;

    SyncOp(String kernelName, Kind kind) {
        this(kernelName, kind, true);
    }

    SyncOp(String kernelName, Kind kind, boolean shared) {
        this.kernelName = kernelName;
        this.kind = kind;
        this.shared = shared;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    /** The exclusive locks' acquire op with arg 1 is their trylock form ({@code SimLock.tryLock}). */
    @Override
    public Kind kind(long arg) {
        return arg == 1 && (this == SPIN_LOCK || this == MUTEX_LOCK || this == LOCAL_LOCK) ? Kind.TRY_ACQUIRE : kind;
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
