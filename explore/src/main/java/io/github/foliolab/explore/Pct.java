package io.github.foliolab.explore;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010):
 * each CPU gets a random distinct priority above {@code d}, and {@code d - 1} change points are drawn
 * among the {@code k} steps; the highest-priority CPU that can run always runs, and when the schedule
 * passes the i-th change point the CPU that just ran drops to priority i. A bug of depth {@code d} is
 * then found by each schedule with probability at least {@code 1/(n * k^(d-1))}.
 *
 * <p>{@code k} is the number of shared steps of the longest schedule seen so far (the first one runs
 * with the default priorities to measure it).
 */
public final class Pct implements Strategy {
    private final SplittableRandom random;
    private final int depth;
    private final int nrCpus;
    private int k;
    private int[] priority;
    private int[] changes;
    private int applied;
    private boolean first = true;

    /**
     * PCT of depth {@code depth} for {@code nrCpus} CPUs, seeded.
     *
     * @param seed the random seed; the same seed gives the same schedules
     * @param depth the depth d, at least 1: d - 1 priority change points per schedule
     * @param nrCpus the number of CPUs (bodies) of the scenario
     * @throws IllegalArgumentException if {@code depth} is below 1
     */
    public Pct(long seed, int depth, int nrCpus) {
        if (depth < 1) {
            throw new IllegalArgumentException("PCT depth must be >= 1, got " + depth);
        }
        this.random = new SplittableRandom(seed);
        this.depth = depth;
        this.nrCpus = nrCpus;
    }

    @Override
    public boolean nextSchedule() {
        priority = new int[nrCpus];
        for (int i = 0; i < nrCpus; i++) {
            priority[i] = depth + i;
        }
        if (!first) {
            for (int i = nrCpus - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = priority[i];
                priority[i] = priority[j];
                priority[j] = t;
            }
        }
        changes = new int[Math.max(0, depth - 1)];
        for (int i = 0; i < changes.length; i++) {
            changes[i] = first ? Integer.MAX_VALUE : 1 + random.nextInt(Math.max(1, k));
        }
        first = false;
        applied = 0;
        return true;
    }

    @Override
    public int choose(Decision d) {
        // Change points passed since the last decision lower the CPU that was running then.
        for (int i = 0; i < changes.length; i++) {
            if ((applied & (1 << i)) == 0 && changes[i] <= d.step() && d.previous() >= 0) {
                priority[d.previous()] = i;
                applied |= 1 << i;
            }
        }
        int best = d.enabled()[0];
        for (int c : d.enabled()) {
            if (priority[c] > priority[best]) best = c;
        }
        return best;
    }

    @Override
    public void scheduleDone(int steps) {
        k = Math.max(k, steps);
    }

    /**
     * 1/(n * k^(d-1)) for the current k.
     *
     * @return the lower bound, from 0 to 1, on the probability that one schedule finds a given bug of depth d
     */
    public double bound() {
        return 1.0 / (nrCpus * Math.pow(Math.max(1, k), depth - 1));
    }

    @Override
    public String describe() {
        long inv = Math.round(nrCpus * Math.pow(Math.max(1, k), depth - 1));
        return "PCT depth " + depth + ": each schedule finds a bug of depth <= " + depth
                + " with probability >= 1/(n*k^(d-1)) = 1/" + inv + " (n = " + nrCpus + " CPUs, k = " + k
                + " steps)";
    }

    @Override
    public String toString() {
        return "Pct" + Arrays.toString(priority);
    }
}
