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
public final class RwSem {
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

    public RwSem(String name) {
        this.name = name;
        this.id = SchedPoints.newObjectId(name);
    }

    public long id() {
        return id;
    }

    /** down_read(): acquire ordering. */
    public void downRead() {
        SchedPoints.before(SyncOp.DOWN_READ, id, 0);
        int round = 0;
        while (true) {
            int c = (int) COUNT.getOpaque(this);
            if (c >= 0 && COUNT.weakCompareAndSetAcquire(this, c, c + 1)) {
                return;
            }
            if (c < 0) {
                SchedPoints.contended(SyncOp.DOWN_READ, id);
            }
            Spin.pause(round++);
        }
    }

    /** up_read(): release ordering. */
    public void upRead() {
        SchedPoints.before(SyncOp.UP_READ, id, 0);
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
        int round = 0;
        while (!COUNT.weakCompareAndSetAcquire(this, 0, WRITER)) {
            SchedPoints.contended(SyncOp.DOWN_WRITE, id);
            Spin.pause(round++);
        }
        writer = Thread.currentThread();
    }

    /** up_write(): release ordering. */
    public void upWrite() {
        if (writer != Thread.currentThread()) {
            throw new VmBugException("BUG: up_write of " + name + " by a thread that does not hold it");
        }
        SchedPoints.before(SyncOp.UP_WRITE, id, 0);
        writer = null;
        COUNT.setRelease(this, 0);
        SchedPoints.released(SyncOp.UP_WRITE, id);
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
}
