package io.github.foliolab.explore;

/**
 * One scheduling choice: which of the {@link #enabled} CPUs takes the next step.
 *
 * @param index    the number of this branching decision in the schedule (0-based)
 * @param step     the number of shared steps taken so far
 * @param previous the CPU that took the last step (-1 before the first)
 * @param current  {@code previous} if it can take the next step too, else -1: choosing another CPU
 *                 while {@code current >= 0} is a preemption
 * @param enabled  the CPUs that may take the next step, ascending; at least two, except for a strategy that
 *                 {@link Strategy#seesEveryStep()}
 */
public record Decision(int index, int step, int previous, int current, int[] enabled) {
    /** {@return the choice a non-preemptive scheduler makes: keep running {@code current}, else the lowest} */
    public int defaultChoice() {
        return current >= 0 ? current : enabled[0];
    }

    /**
     * {@return whether {@code cpu} can take the next step}
     *
     * @param cpu a CPU (body) number
     */
    public boolean isEnabled(int cpu) {
        for (int e : enabled) {
            if (e == cpu) return true;
        }
        return false;
    }
}
