package io.github.foliolab.explore;

/**
 * How the explorer picks the next CPU at each branching decision, and which schedules it tries.
 * Implementations are deterministic functions of their seed and the decisions they were shown.
 */
public interface Strategy {
    /** Prepare the next schedule; false when the strategy has nothing more to try. */
    boolean nextSchedule();

    /** {@return the CPU (one of {@code d.enabled()}) that takes the next step} */
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

    /** {@return true if running out of schedules means the whole bounded space was covered} */
    default boolean exhaustive() {
        return false;
    }
}
