package io.github.foliolab.folio.sync;

import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.sched.SchedPoints;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A struct rw_semaphore (mmap_lock): many readers or one writer. down_* are acquire operations and up_*
 * release operations, each a schedule point. Writers are not given priority over new readers (a
 * simplification: the kernel's rwsem hands off to a waiting writer); no caller of the model depends on
 * that fairness.
 */
public final class RwSem implements io.github.foliolab.folio.Restorable {
    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(RwSem.class, "count", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int WRITER = -1;

    private final long id;
    private final String name;
    /** Number of readers, or WRITER. */
    @SuppressWarnings("unused")
    private volatile int count;
    private Thread writer;

    /**
     * An unlocked rw_semaphore (init_rwsem()).
     *
     * @param name the semaphore's name in traces and hung-task reports (e.g. {@code "mmap_lock"})
     */
    public RwSem(String name) {
        this.name = name;
        this.id = SchedPoints.newObjectId(name);
    }

    /**
     * The schedule-point object id of this semaphore.
     *
     * @return the object id, unique in the machine
     */
    public long id() {
        return id;
    }

    /** down_read(): acquire ordering. */
    public void downRead() {
        SchedPoints.before(SyncOp.DOWN_READ, id, 0);
        int round = 0;
        boolean waiting = false;
        try {
            while (true) {
                int c = (int) COUNT.getOpaque(this);
                if (c >= 0 && COUNT.weakCompareAndSetAcquire(this, c, c + 1)) {
                    LockWatch.acquired(this);
                    return;
                }
                if (c < 0) {
                    if (!waiting) {
                        LockWatch.waiting(this); // slow path only
                        waiting = true;
                    }
                    SchedPoints.contended(SyncOp.DOWN_READ, id);
                }
                Spin.pause(round++);
                if (waiting) LockWatch.stillWaiting(this);
            }
        } finally {
            if (waiting) LockWatch.doneWaiting();
        }
    }

    /** up_read(): release ordering. */
    public void upRead() {
        SchedPoints.before(SyncOp.UP_READ, id, 0);
        LockWatch.released(this);
        int c = (int) COUNT.getAndAddRelease(this, -1);
        if (c <= 0) {
            COUNT.getAndAdd(this, 1);
            throw new VmBugException("BUG: up_read of " + name + " not held for reading");
        }
        SchedPoints.released(SyncOp.UP_READ, id);
    }

    /** down_write(): acquire ordering. */
    public void downWrite() {
        SchedPoints.before(SyncOp.DOWN_WRITE, id, 0);
        if (writer == Thread.currentThread()) {
            throw new VmBugException("BUG: down_write recursion on " + name + ": deadlock");
        }
        if (!COUNT.weakCompareAndSetAcquire(this, 0, WRITER)) {
            LockWatch.waiting(this); // slow path only
            try {
                int round = 0;
                do {
                    SchedPoints.contended(SyncOp.DOWN_WRITE, id);
                    Spin.pause(round++);
                    LockWatch.stillWaiting(this);
                } while (!COUNT.weakCompareAndSetAcquire(this, 0, WRITER));
            } finally {
                LockWatch.doneWaiting();
            }
        }
        writer = Thread.currentThread();
        LockWatch.acquired(this);
    }

    /** up_write(): release ordering. */
    public void upWrite() {
        if (writer != Thread.currentThread()) {
            throw new VmBugException("BUG: up_write of " + name + " by a thread that does not hold it");
        }
        SchedPoints.before(SyncOp.UP_WRITE, id, 0);
        LockWatch.released(this);
        writer = null;
        COUNT.setRelease(this, 0);
        SchedPoints.released(SyncOp.UP_WRITE, id);
    }

    /** Who holds it, for hung-task reports (racy). */
    String describeHolders() {
        int c = (int) COUNT.getOpaque(this);
        Thread w = writer;
        if (c == WRITER) return name + " held for writing by " + (w == null ? "a writer still entering" : w.getName());
        return name + (c == 0 ? " (free now)" : " held for reading by " + c + " reader(s)");
    }

    /** {@return true if the calling thread holds it for writing} */
    public boolean writeHeldByCurrentThread() {
        return writer == Thread.currentThread();
    }

    /** {@return true if held for reading or writing by anybody (racy, like rwsem_is_locked)} */
    public boolean isLocked() {
        return (int) COUNT.getOpaque(this) != 0;
    }

    /** mmap_assert_locked(): held for reading or writing. */
    public void assertLocked() {
        if ((int) COUNT.getOpaque(this) == 0) {
            throw new VmBugException("lockdep: " + name + " must be held here");
        }
    }

    /** mmap_assert_write_locked(). */
    public void assertWriteLocked() {
        if (writer != Thread.currentThread()) {
            throw new VmBugException("lockdep: " + name + " must be held for writing here");
        }
    }

    @Override
    public String toString() {
        return name;
    }

    /** Save its count and writer (a machine checkpoint: a schedule may end with it held). */
    @Override
    public Runnable save() {
        int c = count;
        Thread w = writer;
        return () -> {
            writer = w;
            count = c;
        };
    }
}
