package io.github.foliolab.folio.sync;

import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.sched.SchedPoints;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * An exclusive lock whose acquire and release are schedule points. Under the explorer a contended
 * acquire blocks the simulated CPU until the holder releases ({@link SchedPoints#contended}); on real
 * threads it spins. Not reentrant, like the kernel's locks: taking a lock the caller already holds is
 * reported as a self-deadlock.
 */
public abstract class SimLock {
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SimLock.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long id;
    private final String name;
    @SuppressWarnings("unused") // accessed through STATE
    private volatile int state;
    /** The holder, for lockdep-style assertions; written only by the holder, after acquiring. */
    private Thread owner;

    protected SimLock(String name) {
        this.name = name;
        this.id = SchedPoints.newObjectId(name);
    }

    protected abstract SyncOp lockOp();

    protected abstract SyncOp unlockOp();

    /** The schedule-point id of this lock. */
    public final long id() {
        return id;
    }

    public final String name() {
        return name;
    }

    /** Acquire; acquire ordering (the CAS that takes the lock). */
    public final void lock() {
        SchedPoints.before(lockOp(), id, 0);
        if (owner == Thread.currentThread()) {
            throw new VmBugException("BUG: " + lockOp().kernelName() + " recursion on " + name
                    + " (already held by this thread): deadlock");
        }
        // Acquire: everything the previous holder wrote before its release is visible after this CAS.
        if (!STATE.weakCompareAndSetAcquire(this, 0, 1)) {
            LockWatch.waiting(this); // the slow path: a hung-task report can say who waits for whom
            try {
                int round = 0;
                do {
                    SchedPoints.contended(lockOp(), id);
                    Spin.pause(round++);
                    LockWatch.stillWaiting(this);
                } while (!STATE.weakCompareAndSetAcquire(this, 0, 1));
            } finally {
                LockWatch.doneWaiting();
            }
        }
        owner = Thread.currentThread();
        LockWatch.acquired(this);
    }

    /** Try once; acquire ordering on success. */
    public final boolean tryLock() {
        SchedPoints.before(lockOp(), id, 1);
        boolean ok = STATE.compareAndSet(this, 0, 1);
        if (ok) {
            owner = Thread.currentThread();
            LockWatch.acquired(this);
        }
        SchedPoints.after(lockOp(), id, ok);
        return ok;
    }

    /** Release; release ordering (the holder's writes happen-before the next acquire). */
    public final void unlock() {
        if (owner != Thread.currentThread()) {
            throw new VmBugException("BUG: " + unlockOp().kernelName() + " of " + name
                    + " by a thread that does not hold it (holder: " + owner + ")");
        }
        if (LockWatch.skipThisUnlock(name)) {
            return; // the test-only injected fault: this release never happens
        }
        SchedPoints.before(unlockOp(), id, 0);
        LockWatch.released(this);
        owner = null;
        STATE.setRelease(this, 0);
        SchedPoints.released(unlockOp(), id);
    }

    /** True while some thread holds the lock (racy outside the holder, like spin_is_locked). */
    public final boolean isLocked() {
        return (int) STATE.getOpaque(this) != 0;
    }

    /** The holding thread, or null (racy outside the holder; for reports). */
    final Thread owner() {
        return owner;
    }

    /** True if the calling thread holds the lock. */
    public final boolean heldByCurrentThread() {
        return owner == Thread.currentThread();
    }

    /** lockdep_assert_held(): a misuse of the API if the caller does not hold the lock. */
    public final void assertHeld() {
        if (owner != Thread.currentThread()) {
            throw new VmBugException("lockdep: " + name + " must be held here");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
