package io.github.foliolab.explore;

/**
 * What an {@link Invariant} may ask the explorer about the simulated CPUs at the point it is checked:
 * kernel invariants hold only where no CPU is in the middle of the update they describe.
 */
public interface View {
    /**
     * {@return true if some CPU holds the lock (or rwsem) with this schedule-point id}
     *
     * @param lockId a lock's schedule-point object id ({@code SimLock.id()})
     */
    boolean held(long lockId);

    /** {@return true if some CPU holds any lock} */
    boolean anyHeld();

    /**
     * {@return true between kernel functions: no CPU holds a lock and none is inside an {@link
     * Explore#call} marker} Invariants about counters that a function updates in several steps hold only
     * here.
     */
    boolean quiescent();

    /** {@return true for the final check after every CPU has finished} */
    boolean atEnd();

    /**
     * Identifies the state being checked: a number that differs from one check to the next, also across the
     * schedules of an exploration (a restored world is checked again from step 0). Invariants that derive
     * the same data (an LRU list walk) may cache it per round.
     *
     * @return the check's round number
     */
    int round();
}
