package io.github.foliolab.explore;

import java.util.SplittableRandom;

/** Seeded random walk: at every branching decision, a CPU chosen uniformly among those that can run. */
public final class RandomWalk implements Strategy {
    private final SplittableRandom random;

    /**
     * A random walk seeded with {@code seed}: the same seed gives the same schedules.
     *
     * @param seed the random seed
     */
    public RandomWalk(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public boolean nextSchedule() {
        return true;
    }

    @Override
    public int choose(Decision d) {
        return d.enabled()[random.nextInt(d.enabled().length)];
    }

    @Override
    public String describe() {
        return "random walk: uniform choice at each decision (no coverage guarantee)";
    }
}
