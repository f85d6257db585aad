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
public abstract class SimLock implements io.github.foliolab.folio.Restorable {
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(Object[].class);
    /**
     * The lock word sits alone in the middle of {@link #word}: {@value} references (at least 128 bytes,
     * two cache lines with the adjacent-line prefetch, with compressed or full references) on each side,
     * so that a waiter reading it never takes the line of anything the holder writes (the data the lock
     * protects, or another lock).
     */
    private static final int PAD = 32;

    private final long id;
    private final String name;
    /**
     * At index {@link #PAD}: null while the lock is free, else the holding thread (so the word is its own
     * owner field for lockdep-style assertions: the holder writes no other line to take or drop the lock,
     * and a waiter spinning on the word reads no line the holder writes while it holds). The other
     * elements are padding and never accessed.
     */
    private final Object[] word = new Object[2 * PAD + 1];

    /**
     * An unlocked lock, registered as a schedule-point object under {@code name}.
     *
     * @param name the lock's name in traces and hung-task reports
     */
    protected SimLock(String name) {
        this.name = name;
        this.id = SchedPoints.newObjectId(name);
    }

    /**
     * The schedule point of an acquire of this kind of lock.
     *
     * @return spin_lock, mutex_lock or local_lock
     */
    protected abstract SyncOp lockOp();

    /**
     * The schedule point of a release of this kind of lock.
     *
     * @return spin_unlock, mutex_unlock or local_unlock
     */
    protected abstract SyncOp unlockOp();

    /** {@return the schedule-point id of this lock} */
    public final long id() {
        return id;
    }

    /**
     * The name given at creation.
     *
     * @return the lock's name in traces and hung-task reports
     */
    public final String name() {
        return name;
    }

    /** The schedule point's {@code arg} of a plain acquire or release. */
    public static final long FORM_PLAIN = 0;
    /** The point's {@code arg} of a try-acquire ({@code spin_trylock}). */
    public static final long FORM_TRY = 1;
    /** The point's {@code arg} of {@code spin_lock_irq} / {@code spin_unlock_irq}. */
    public static final long FORM_IRQ = 2;
    /** The point's {@code arg} of {@code spin_lock_irqsave} / {@code spin_unlock_irqrestore}. */
    public static final long FORM_IRQSAVE = 3;

    /** Acquire; acquire ordering (the CAS that takes the lock). */
    public final void lock() {
        lock(FORM_PLAIN);
    }

    /**
     * Acquire in the given form (a trace shows {@code spin_lock_irq} for {@link #FORM_IRQ}); there are no
     * interrupts in the model, so the forms differ only in name.
     *
     * @param form {@link #FORM_PLAIN}, {@link #FORM_IRQ} or {@link #FORM_IRQSAVE}
     */
    protected final void lock(long form) {
        SchedPoints.before(lockOp(), id, form);
        Thread me = Thread.currentThread();
        Object[] w = word;
        if (WORD.getOpaque(w, PAD) == me) {
            throw new VmBugException("BUG: " + lockOp().kernelName() + " recursion on " + name
                    + " (already held by this thread): deadlock");
        }
        // Acquire: everything the previous holder wrote before its release is visible after this CAS.
        if (!WORD.weakCompareAndSetAcquire(w, PAD, null, me)) {
            LockWatch.waiting(this); // the slow path: a hung-task report can say who waits for whom
            try {
                long lockId = id;
                int round = 0;
                // Test and test-and-set: a waiter reads the word (sharing its line with the holder) and
                // tries the CAS only once it reads free, as the kernel's qspinlock waiter spins on a read.
                // A CAS in every round would take the line exclusively, again and again. (The word and
                // the id are in locals: the waiter reads no other field of this object while it spins.)
                do {
                    SchedPoints.contended(lockOp(), lockId);
                    Spin.pause(round++);
                    LockWatch.stillWaiting(this);
                } while (WORD.getOpaque(w, PAD) != null || !WORD.weakCompareAndSetAcquire(w, PAD, null, me));
            } finally {
                LockWatch.doneWaiting();
            }
        }
        LockWatch.acquired(this);
    }

    /**
     * Try once; acquire ordering on success.
     *
     * @return true if this call took the lock; false (nothing changed) if somebody holds it
     */
    public final boolean tryLock() {
        SchedPoints.before(lockOp(), id, FORM_TRY);
        boolean ok = WORD.compareAndSet(word, PAD, null, Thread.currentThread());
        if (ok) {
            LockWatch.acquired(this);
        }
        SchedPoints.after(lockOp(), id, ok);
        return ok;
    }

    /** Release; release ordering (the holder's writes happen-before the next acquire). */
    public final void unlock() {
        unlock(FORM_PLAIN);
    }

    /**
     * Release in the given form (the acquire's: {@code spin_unlock_irq} after {@code spin_lock_irq}).
     *
     * @param form {@link #FORM_PLAIN}, {@link #FORM_IRQ} or {@link #FORM_IRQSAVE}
     */
    protected final void unlock(long form) {
        Thread owner = owner();
        if (owner != Thread.currentThread()) {
            throw new VmBugException("BUG: " + unlockOp().kernelName() + " of " + name
                    + " by a thread that does not hold it (holder: " + owner + ")");
        }
        if (LockWatch.skipThisUnlock(name)) {
            return; // the test-only injected fault: this release never happens
        }
        SchedPoints.before(unlockOp(), id, form);
        LockWatch.released(this);
        WORD.setRelease(word, PAD, null);
        SchedPoints.released(unlockOp(), id);
    }

    /** {@return true while some thread holds the lock (racy outside the holder, like spin_is_locked)} */
    public final boolean isLocked() {
        return WORD.getOpaque(word, PAD) != null;
    }

    /** The holding thread, or null (racy outside the holder; for reports). */
    final Thread owner() {
        return (Thread) WORD.getOpaque(word, PAD);
    }

    /** {@return true if the calling thread holds the lock} */
    public final boolean heldByCurrentThread() {
        return WORD.getOpaque(word, PAD) == Thread.currentThread();
    }

    /** lockdep_assert_held(): a misuse of the API if the caller does not hold the lock. */
    public final void assertHeld() {
        if (!heldByCurrentThread()) {
            throw new VmBugException("lockdep: " + name + " must be held here");
        }
    }

    @Override
    public String toString() {
        return name;
    }

    /** Save whether the lock is held and by whom (a machine checkpoint: a schedule may end with it held). */
    @Override
    public final Runnable save() {
        Object o = WORD.getOpaque(word, PAD);
        return () -> WORD.setOpaque(word, PAD, o);
    }
}
