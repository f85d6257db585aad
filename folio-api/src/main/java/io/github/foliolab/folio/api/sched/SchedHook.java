package io.github.foliolab.folio.api.sched;

/**
 * What a scheduler (the explorer) plugs into the library's schedule points. All methods are called on
 * the thread that performs the step; an implementation may park that thread to let another simulated CPU
 * run. Threads the hook does not control must be let through untouched.
 */
public interface SchedHook {
    /**
     * Called before an atomic step acts.
     *
     * @param op the step
     * @param id its object: a pfn, an object id or a user address, as {@code op.subject()} says
     * @param arg the step's argument (a flag bit, a delta, a trylock marker; 0 when none)
     */
    void before(SchedOp op, long id, long arg);

    /**
     * Called after a step that returns a value, with that value (booleans as 0/1), for traces.
     *
     * @param op the step
     * @param id its object, as in {@link #before}
     * @param result the value the step returned
     */
    void after(SchedOp op, long id, long result);

    /**
     * The caller found {@code waitId} (a lock, a completion) unavailable and cannot make progress until
     * somebody calls {@link #released}; a scheduler should not run it again before then. Returns when the
     * caller should retry.
     *
     * @param op the kind of step
     * @param waitId the object id waited for
     */
    void contended(SchedOp op, long waitId);

    /**
     * {@code waitId} was released: waiters on it may run again.
     *
     * @param op the kind of step
     * @param waitId the object id waited for
     */
    void released(SchedOp op, long waitId);

    /**
     * A plain access that is not a step of its own (a READ_ONCE or WRITE_ONCE between two schedule
     * points, such as a vm_flags read by an rmap walker): part of the caller's current step for
     * partial-order reduction, never a place where the scheduler switches CPUs. By default ignored.
     *
     * @param op what is accessed: its {@link SchedOp#subject}, {@link SchedOp#kind} and {@link SchedOp#part}
     * @param id its object, as in {@link #before}
     * @param arg the argument {@code op.part(arg)} and {@code op.kind(arg)} read
     */
    default void access(SchedOp op, long id, long arg) {}
}
