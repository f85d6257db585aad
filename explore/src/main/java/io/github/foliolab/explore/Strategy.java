package io.github.foliolab.explore;

/**
 * How the explorer picks the next CPU at each branching decision, and which schedules it tries.
 * Implementations are deterministic functions of their seed and the decisions they were shown.
 */
public interface Strategy {
    /**
     * What {@link #choose} returns to end the schedule at this point without a verdict: a partial-order
     * reduction that knows every continuation is covered by schedules it runs anyway (sleep-set blocked).
     * The schedule's CPUs are unwound and no end check runs. A sharded {@link BoundedDfs} returns it too, to
     * cut a schedule of another shard's subtree.
     */
    int PRUNE = -1;

    /**
     * Prepare the next schedule; false when the strategy has nothing more to try.
     *
     * @return true if there is a schedule to run
     */
    boolean nextSchedule();

    /**
     * {@return the CPU (one of {@code d.enabled()}) that takes the next step}
     *
     * @param d the decision: the CPUs that can run and the one that ran last
     */
    int choose(Decision d);

    /**
     * The schedule just run took {@code steps} shared steps (PCT uses it to size its change points).
     *
     * @param steps the number of shared steps
     */
    default void scheduleDone(int steps) {}

    /** {@return a line saying what the strategy guarantees, printed before the verdict; null for none} */
    default String describe() {
        return null;
    }

    /**
     * True if {@link #choose} is asked at every step, also where only one CPU can run (the
     * {@link Decision} then has one enabled CPU and the same index as the next branching decision), and
     * {@link #executed} is told every step's footprint. Partial-order reduction needs both.
     *
     * @return true if the strategy must see every step
     */
    default boolean seesEveryStep() {
        return false;
    }

    /**
     * The step just taken by {@code cpu} (chosen at the last {@link #choose}) touched {@code footprint};
     * only for a strategy that {@link #seesEveryStep}. The strategy may keep the object.
     *
     * @param cpu the CPU that took the step
     * @param footprint the objects the step touched
     */
    default void executed(int cpu, Footprint footprint) {}

    /**
     * True if running out of schedules means the whole bounded space was covered.
     *
     * @return true if the strategy is exhaustive within its bound
     */
    default boolean exhaustive() {
        return false;
    }
}
