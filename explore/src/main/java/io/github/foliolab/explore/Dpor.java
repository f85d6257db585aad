package io.github.foliolab.explore;

import java.util.Arrays;

/**
 * Dynamic partial-order reduction: source-DPOR with sleep sets (Abdulla, Aronis, Jonsson and Sagonas,
 * POPL 2014, Algorithm 1), over the footprints the schedule points declare ({@link Footprint}). It runs
 * one schedule per class of equivalent interleavings (Mazurkiewicz traces: schedules that differ only in
 * the order of adjacent independent steps) instead of every schedule, re-running each schedule from the
 * start like {@link BoundedDfs}.
 *
 * <p>After each step it finds the earlier steps of other CPUs that race with it (dependent, and not
 * ordered before it by any other dependency), and at the state before each such step it adds a CPU that
 * can start the reversed race (an initial of the steps that do not depend on the earlier one) to the
 * state's backtrack set. A CPU whose next step was explored from a state and is independent of what ran
 * since is asleep and not run again (sleep sets); a schedule in which only sleeping CPUs could run is
 * ended ({@link Strategy#PRUNE}).
 *
 * <p><b>Preemption bound.</b> Bounding a partial-order reduction is subtle: the schedule DPOR would use to
 * reverse a race may need more preemptions than the bound allows even though an equivalent one within the
 * bound exists, so a plainly bounded DPOR can miss states the bounded DFS reaches. This strategy runs
 * only schedules within the bound (switching away from a CPU that could continue costs one preemption,
 * as in {@link BoundedDfs}) and adds, with every backtrack point, the conservative one of Coons,
 * Musuvathi and McKinley (bounded partial-order reduction, OOPSLA 2013): the same CPU also at the state
 * where the racing step's CPU last started running, where the switch costs no more preemptions. Sleep
 * sets are used only without a bound ({@code bound >= }{@link #UNBOUNDED}): with one, a sleeping CPU can
 * stand for a schedule that exists only beyond the bound (munlock-putback at bound 1: CPU A's first step
 * commutes with all of B's, so A slept through B's run, and the one-preemption counterexample B15A was
 * cut while its equivalent with A's first step first needs two preemptions).
 */
public final class Dpor implements Strategy {
    private static final int CPUS = Engine.MAX_CPUS;

    /** A preemption bound at least this large is no bound: the search is plain source-DPOR with sleep sets. */
    public static final int UNBOUNDED = 1000;

    private final int bound;
    /** Sleep sets only without a bound (see the class comment). */
    private final boolean sleepSets;

    // ---- per state of the current path (state s: before step s)
    private int len;
    private int[] enabled = new int[64];
    private int[] current = new int[64];
    private int[] chosen = new int[64];
    private int[] backtrack = new int[64];
    private int[] done = new int[64];
    private int[] skipped = new int[64];
    private int[] sleep = new int[64];
    private int[] preBefore = new int[64];
    private Footprint[][] sleepFp = new Footprint[64][];
    private Footprint[][] doneFp = new Footprint[64][];
    // ---- the step taken from state s
    private Footprint[] stepFp = new Footprint[64];
    private int[] seq = new int[64];
    private int[][] clock = new int[64][];

    // ---- the schedule being run
    private boolean started;
    private int replayTo = -1;
    private int pos;
    private int preemptions;
    private final int[] stepsOf = new int[CPUS];
    private final int[] lastStepOf = new int[CPUS];
    private final int[] acc = new int[CPUS];
    private final int[] firstInV = new int[CPUS];
    private long pruned;

    /**
     * Partial-order reduction within {@code bound} preemptions per schedule.
     *
     * @param bound the preemption bound; {@link #UNBOUNDED} or more turns the bound off and the sleep sets on
     */
    public Dpor(int bound) {
        if (bound < 0) {
            throw new IllegalArgumentException("preemption bound must be >= 0, got " + bound);
        }
        this.bound = bound;
        this.sleepSets = bound >= UNBOUNDED;
    }

    /**
     * Schedules ended early because only sleeping CPUs could go on.
     *
     * @return the number of schedules pruned so far
     */
    public long pruned() {
        return pruned;
    }

    @Override
    public boolean seesEveryStep() {
        return true;
    }

    @Override
    public boolean nextSchedule() {
        pos = 0;
        preemptions = 0;
        Arrays.fill(stepsOf, 0);
        Arrays.fill(lastStepOf, -1);
        if (!started) {
            started = true;
            return true;
        }
        for (int s = len - 1; s >= 0; s--) {
            int cand = backtrack[s] & enabled[s] & ~done[s] & ~sleep[s] & ~skipped[s];
            while (cand != 0) {
                int q = Integer.numberOfTrailingZeros(cand);
                cand &= cand - 1;
                if (preBefore[s] + cost(s, q) <= bound) {
                    chosen[s] = q;
                    done[s] |= 1 << q; // done even if the step never completes (a violation ends the schedule)
                    doneFp[s][q] = null;
                    len = s + 1;
                    replayTo = s;
                    return true;
                }
                skipped[s] |= 1 << q; // needs more preemptions than the bound allows
            }
        }
        return false;
    }

    private int cost(int s, int cpu) {
        return current[s] >= 0 && cpu != current[s] ? 1 : 0;
    }

    @Override
    public int choose(Decision d) {
        int s = pos;
        int mask = 0;
        for (int c : d.enabled()) {
            mask |= 1 << c;
        }
        if (s < len) { // replaying the prefix, or the branch state with its new choice
            if (enabled[s] != mask) {
                throw new IllegalStateException("scenario is not deterministic: step " + s + " could be taken by "
                        + Integer.toBinaryString(enabled[s]) + " on an earlier run, now by " + Integer.toBinaryString(mask));
            }
            preemptions += cost(s, chosen[s]);
            return chosen[s];
        }
        ensure(s);
        len = s + 1;
        enabled[s] = mask;
        current[s] = d.current();
        preBefore[s] = preemptions;
        backtrack[s] = 0;
        done[s] = 0;
        skipped[s] = 0;
        if (s == 0) {
            sleep[s] = 0;
        } // else: set by executed() of step s-1
        int awake = mask & ~sleep[s];
        int c;
        if (d.current() >= 0 && (awake & (1 << d.current())) != 0) {
            c = d.current();
        } else if (awake != 0) {
            c = Integer.numberOfTrailingZeros(awake);
        } else {
            len = s; // sleep-set blocked: every continuation is covered by another schedule
            pruned++;
            return PRUNE;
        }
        if (preBefore[s] + cost(s, c) > bound) {
            len = s; // the only way on needs a preemption the bound does not allow
            pruned++;
            return PRUNE;
        }
        preemptions += cost(s, c);
        chosen[s] = c;
        backtrack[s] |= 1 << c;
        done[s] |= 1 << c;
        doneFp[s][c] = null;
        return c;
    }

    @Override
    public void executed(int cpu, Footprint fp) {
        int k = pos++;
        seq[k] = ++stepsOf[cpu];
        int prev = lastStepOf[cpu];
        lastStepOf[cpu] = k;
        if (k < replayTo) {
            return; // the same step as on the run that made this prefix: its races are recorded
        }
        stepFp[k] = fp;
        doneFp[k][cpu] = fp;
        // The child's sleep set: CPUs asleep here or explored from here before, whose step commutes with this one.
        int nextSleep = 0;
        ensure(k + 1);
        Footprint[] nextFp = sleepFp[k + 1];
        for (int rest = sleepSets ? (sleep[k] | done[k]) & ~(1 << cpu) : 0; rest != 0; rest &= rest - 1) {
            int q = Integer.numberOfTrailingZeros(rest);
            Footprint f = (sleep[k] & (1 << q)) != 0 ? sleepFp[k][q] : doneFp[k][q];
            if (f != null && !f.dependent(fp)) { // null: that step ended in a violation
                nextSleep |= 1 << q;
                nextFp[q] = f;
            }
        }
        sleep[k + 1] = nextSleep; // always 0 under a bound
        // Vector clock and races (the earlier steps of other CPUs this one depends on directly).
        if (prev >= 0) {
            System.arraycopy(clock[prev], 0, acc, 0, CPUS);
        } else {
            Arrays.fill(acc, 0);
        }
        for (int j = k - 1; j >= 0; j--) {
            int cj = chosen[j];
            // Ordered before k through another dependency (then clock[j] <= acc already): no race, and
            // cheaper to test than the footprints, so first.
            if (cj == cpu || seq[j] <= acc[cj]) continue;
            if (!stepFp[j].dependent(fp)) continue;
            race(j, k, cpu);
            int[] cl = clock[j];
            for (int c = 0; c < CPUS; c++) {
                if (cl[c] > acc[c]) acc[c] = cl[c];
            }
        }
        acc[cpu] = seq[k];
        if (clock[k] == null) clock[k] = new int[CPUS];
        System.arraycopy(acc, 0, clock[k], 0, CPUS);
    }

    /** Step j races with step k (of {@code cpu}): make sure the reversal is explored from state j. */
    private void race(int j, int k, int cpu) {
        int cj = chosen[j];
        int b = j; // Coons et al.: also where cj started its current run of steps (no extra preemption there)
        while (b > 0 && chosen[b - 1] == cj) b--;
        if ((backtrack[j] & enabled[j]) == enabled[j] && (backtrack[b] & enabled[b]) == enabled[b]) {
            return; // every CPU that can run there is already to be tried
        }
        // v = the steps after j that do not depend on j, then k. Its initials: CPUs whose first step in v
        // depends on no earlier step of v. A step of v depends on an earlier one of CPU c exactly when it
        // depends on c's first step in v, so one seq per CPU is enough. (acc: what happens before k.)
        int initials = 0;
        int seen = 0;
        Arrays.fill(firstInV, 0);
        for (int m = j + 1; m <= k; m++) {
            int cm = m == k ? cpu : chosen[m];
            if ((seen & (1 << cm)) != 0 || (m != k && clock[m][cj] >= seq[j])) {
                continue; // not cm's first step in v, or not in v (it depends on j)
            }
            int[] cl = m == k ? acc : clock[m];
            boolean initial = true;
            for (int c = 0; c < CPUS && initial; c++) {
                if (firstInV[c] != 0 && firstInV[c] <= cl[c]) initial = false;
            }
            if (initial) initials |= 1 << cm;
            seen |= 1 << cm;
            firstInV[cm] = seq[m];
        }
        addBacktrack(j, initials, cpu);
        if (b != j) {
            addBacktrack(b, initials, cpu);
        }
    }

    private void addBacktrack(int s, int initials, int prefer) {
        int usable = initials & enabled[s];
        if ((usable & backtrack[s]) != 0) {
            return;
        }
        if (usable == 0) {
            backtrack[s] |= enabled[s]; // no initial can start here: try every CPU (conservative)
        } else if ((usable & (1 << prefer)) != 0) {
            backtrack[s] |= 1 << prefer;
        } else {
            backtrack[s] |= Integer.lowestOneBit(usable);
        }
    }

    /** Room for state s. */
    private void ensure(int s) {
        if (s >= enabled.length) {
            int cap = Math.max(s + 1, enabled.length * 2);
            enabled = Arrays.copyOf(enabled, cap);
            current = Arrays.copyOf(current, cap);
            chosen = Arrays.copyOf(chosen, cap);
            backtrack = Arrays.copyOf(backtrack, cap);
            done = Arrays.copyOf(done, cap);
            skipped = Arrays.copyOf(skipped, cap);
            sleep = Arrays.copyOf(sleep, cap);
            preBefore = Arrays.copyOf(preBefore, cap);
            sleepFp = Arrays.copyOf(sleepFp, cap);
            doneFp = Arrays.copyOf(doneFp, cap);
            stepFp = Arrays.copyOf(stepFp, cap);
            seq = Arrays.copyOf(seq, cap);
            clock = Arrays.copyOf(clock, cap);
        }
        if (sleepFp[s] == null) {
            sleepFp[s] = new Footprint[CPUS];
            doneFp[s] = new Footprint[CPUS];
        }
    }

    @Override
    public String describe() {
        return sleepSets ? "partial-order reduction (source-DPOR with sleep sets): one schedule per class of equivalent "
                + "interleavings, no preemption bound"
                : "partial-order reduction (source-DPOR, bounded with conservative backtrack points): every class of "
                + "equivalent interleavings with at most " + bound + " preemption" + (bound == 1 ? "" : "s");
    }

    @Override
    public boolean exhaustive() {
        return true;
    }
}
