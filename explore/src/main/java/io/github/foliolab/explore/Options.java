package io.github.foliolab.explore;

/**
 * How to explore.
 *
 * @param strategy   {@code random}, {@code pct}, {@code dfs} or {@code dpor}
 * @param seed       the seed of random and pct
 * @param schedules  the most schedules to run
 * @param bound      dfs and dpor: the preemption bound; pct: the depth d
 * @param replay     a schedule string to run once instead of searching, or null
 * @param invariants check the invariants after every step
 * @param maxSteps   a schedule longer than this is reported as a CPU making no progress
 * @param restarts   cheap restarts: build a restorable world once and restore it before every schedule
 *                   (the default); false builds a fresh world per schedule. The results are the same.
 * @param jobs       how many searches run in parallel in this JVM, each on its own machine, taking subtrees of
 *                   the {@code dfs} tree ({@link #withJobs}); 1 (the default) searches on one thread. The
 *                   results are the same.
 */
public record Options(String strategy, long seed, long schedules, int bound, String replay, boolean invariants,
                      int maxSteps, boolean restarts, int jobs) {
    /**
     * Checks the number of jobs.
     *
     * @throws IllegalArgumentException if {@code jobs} is less than 1
     */
    public Options {
        if (jobs < 1) {
            throw new IllegalArgumentException("the number of jobs must be at least 1, got " + jobs);
        }
    }

    /** {@link #strategy()} of a seeded random walk ({@link #random}). */
    public static final String RANDOM = "random";
    /** {@link #strategy()} of probabilistic concurrency testing ({@link #pct}). */
    public static final String PCT = "pct";
    /** {@link #strategy()} of bounded exhaustive search ({@link #dfs}). */
    public static final String DFS = "dfs";
    /** {@link #strategy()} of partial-order reduction ({@link #dpor}). */
    public static final String DPOR = "dpor";

    /**
     * Options with cheap restarts on.
     *
     * @param strategy {@link #RANDOM}, {@link #PCT}, {@link #DFS} or {@link #DPOR}
     * @param seed the seed of random and pct
     * @param schedules the most schedules to run
     * @param bound dfs and dpor: the preemption bound; pct: the depth d
     * @param replay a schedule string to run once instead of searching, or null
     * @param invariants check the invariants after every step
     * @param maxSteps a schedule longer than this, in schedule points, is reported as a CPU making no progress
     */
    public Options(String strategy, long seed, long schedules, int bound, String replay, boolean invariants, int maxSteps) {
        this(strategy, seed, schedules, bound, replay, invariants, maxSteps, true, 1);
    }

    /**
     * Options searching on one thread (one job).
     *
     * @param strategy {@link #RANDOM}, {@link #PCT}, {@link #DFS} or {@link #DPOR}
     * @param seed the seed of random and pct
     * @param schedules the most schedules to run
     * @param bound dfs and dpor: the preemption bound; pct: the depth d
     * @param replay a schedule string to run once instead of searching, or null
     * @param invariants check the invariants after every step
     * @param maxSteps a schedule longer than this, in schedule points, is reported as a CPU making no progress
     * @param restarts cheap restarts on (true) or a fresh world per schedule
     */
    public Options(String strategy, long seed, long schedules, int bound, String replay, boolean invariants, int maxSteps,
                   boolean restarts) {
        this(strategy, seed, schedules, bound, replay, invariants, maxSteps, restarts, 1);
    }

    /**
     * Bounded exhaustive search with preemption bound {@code bound}, up to a million schedules, invariants on.
     *
     * @param bound the preemption bound: the most preemptions of a running CPU per schedule
     * @return the options
     */
    public static Options dfs(int bound) {
        return new Options(DFS, 0, 1_000_000, bound, null, true, 10_000);
    }

    /**
     * Partial-order reduction (source-DPOR with sleep sets, {@link Dpor}) within preemption bound
     * {@code bound}, up to a million schedules, invariants on.
     *
     * @param bound the preemption bound
     * @return the options
     */
    public static Options dpor(int bound) {
        return new Options(DPOR, 0, 1_000_000, bound, null, true, 10_000);
    }

    /**
     * Seeded random walk of {@code schedules} schedules, invariants on.
     *
     * @param seed the random seed; the same seed gives the same schedules
     * @param schedules the number of schedules to run
     * @return the options
     */
    public static Options random(long seed, long schedules) {
        return new Options(RANDOM, seed, schedules, 0, null, true, 10_000);
    }

    /**
     * PCT of depth {@code depth}, {@code schedules} schedules, invariants on.
     *
     * @param seed the random seed
     * @param schedules the number of schedules to run
     * @param depth the PCT depth d: d - 1 priority change points per schedule
     * @return the options
     */
    public static Options pct(long seed, long schedules, int depth) {
        return new Options(PCT, seed, schedules, depth, null, true, 10_000);
    }

    /**
     * Run one schedule string once (the trace is kept whatever the verdict).
     *
     * @param schedule the schedule string
     * @return the options
     */
    public static Options replay(String schedule) {
        return new Options(DFS, 0, 1, 0, schedule, true, 10_000);
    }

    /**
     * These options with another schedule budget.
     *
     * @param n the most schedules to run
     * @return the new options
     */
    public Options withSchedules(long n) {
        return new Options(strategy, seed, n, bound, replay, invariants, maxSteps, restarts, jobs);
    }

    /**
     * These options with another preemption bound (dfs, dpor) or depth (pct); everything else, restarts included, kept.
     *
     * @param k the bound or depth
     * @return the new options
     */
    public Options withBound(int k) {
        return new Options(strategy, seed, schedules, k, replay, invariants, maxSteps, restarts, jobs);
    }

    /**
     * These options with the invariant checks on or off.
     *
     * @param on true to check the invariants after every step
     * @return the new options
     */
    public Options withInvariants(boolean on) {
        return new Options(strategy, seed, schedules, bound, replay, on, maxSteps, restarts, jobs);
    }

    /**
     * With cheap restarts on (the default) or off ({@link #restarts()}).
     *
     * @param on true for cheap restarts, false for a fresh world per schedule
     * @return the new options
     */
    public Options withRestarts(boolean on) {
        return new Options(strategy, seed, schedules, bound, replay, invariants, maxSteps, on, jobs);
    }

    /**
     * With {@code n} parallel jobs: a {@code dfs} search is cut into subtrees that {@code n} searches, each on
     * its own machine and threads, take in turn; the verdict, schedule count, exhaustion, first violation
     * (with its schedule and trace) and end states are those of one job, whatever the timing
     * ({@link Explorer#whyNotParallel} says which options cannot).
     *
     * @param n the number of jobs, at least 1
     * @return the new options
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    public Options withJobs(int n) {
        return new Options(strategy, seed, schedules, bound, replay, invariants, maxSteps, restarts, n);
    }

    Strategy newStrategy(int nrCpus) {
        if (replay != null) {
            return new Replay(replay);
        }
        return switch (strategy) {
            case RANDOM -> new RandomWalk(seed);
            case PCT -> new Pct(seed, bound, nrCpus);
            case DFS -> new BoundedDfs(bound);
            case DPOR -> new Dpor(bound);
            default -> throw new IllegalArgumentException("unknown strategy " + strategy + " (random, pct, dfs, dpor)");
        };
    }
}
