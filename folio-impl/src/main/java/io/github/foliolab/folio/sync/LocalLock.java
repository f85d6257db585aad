package io.github.foliolab.folio.sync;

/**
 * A local_lock_t guarding one CPU's per-CPU data (cpu_fbatches.lock, mlock_fbatch.lock).
 *
 * <p>Model difference: on a !PREEMPT_RT kernel local_lock only disables preemption (or interrupts) on
 * the local CPU; here it is a real per-CPU lock, as on PREEMPT_RT, because a per-CPU work item and the
 * task that was running on that CPU are separate Java threads. The exclusion it gives is the same one
 * the kernel relies on: nobody else touches this CPU's batches while it is held.
 */
public final class LocalLock extends SimLock {
    /**
     * An unlocked per-CPU local_lock_t.
     *
     * @param name the lock's name in traces (with its CPU, e.g. {@code "cpu_fbatches.lock/1"})
     */
    public LocalLock(String name) {
        super(name);
    }

    @Override
    protected SyncOp lockOp() {
        return SyncOp.LOCAL_LOCK;
    }

    @Override
    protected SyncOp unlockOp() {
        return SyncOp.LOCAL_UNLOCK;
    }
}
