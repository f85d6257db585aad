package io.github.foliolab.explore;

import io.github.foliolab.folio.api.sched.ObjectIds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A bounded exhaustive search ({@code dfs}) run by {@link Options#jobs()} jobs in one JVM. A probe cuts the
 * tree of scheduling choices into subtrees as {@code explore --shard} does ({@link Shard}: the split depth
 * is the first with at least {@link Shard#SUBTREES_PER_SHARD} subtrees per job), recording the decisions
 * that lead to each; then each job, on its own thread with its own {@link Engine} and its own world (its
 * own machine and object registry), takes the next subtree not yet taken and runs every schedule of it in
 * depth-first order ({@link BoundedDfs#BoundedDfs(int, BoundedDfs.Prefix)}).
 *
 * <p>The subtrees in their index order are the one-job search's schedules in its order, so the results are
 * combined in that order and equal one job's whatever the timing: the first violation is the one in the
 * lowest subtree that has one, and the count is every schedule of the subtrees before it plus those of
 * that subtree up to it. A violation in subtree i stops only the subtrees after i (a job running one
 * abandons it; none is started), those before i are finished. A schedule budget is applied the same way: a
 * subtree runs at most the budget, and the combination counts schedules in order up to it.
 */
final class ParallelDfs {
    private ParallelDfs() {}

    /** What one job found in one subtree, in the order it ran the subtree's schedules. */
    private static final class Subtree {
        long schedules;
        int[] steps = new int[16];
        /** 1-based position of the violation that ended the subtree (0: none), with its report. */
        long violationAt;
        long acceptedAt;
        String[] violation;
        String[] accepted;
        Trace violationTrace;
        Trace acceptedTrace;
        int violationSteps;
        int acceptedSteps;
        /** Outcomes mode: each distinct outcome with the 1-based position of its first schedule. */
        final Map<String, Long> outcomes = new LinkedHashMap<>();

        void ran(int s) {
            if (schedules == steps.length) {
                steps = Arrays.copyOf(steps, steps.length * 2);
            }
            steps[(int) schedules++] = s;
        }
    }

    /** The search of {@link Explorer#explore} with {@code options.jobs()} jobs. */
    static <B> Result explore(Scenario<B> scenario, Variant<B> variant, Options options, LongConsumer progress) {
        Subtree[] done = search(scenario, variant, options, false, progress);
        long budget = options.schedules();
        long n = 0;
        int lastSteps = 0;
        Subtree accepted = null;
        String strategy = new BoundedDfs(options.bound()).describe();
        for (Subtree t : done) {
            long left = budget - n;
            if (t.violationAt > 0 && t.violationAt <= left) {
                return new Result(scenario.name(), variant.name(), Result.Verdict.VIOLATION, n + t.violationAt, false,
                        strategy, t.violation[0], t.violation[1], t.violationTrace, t.violationSteps);
            }
            boolean budgetHere = t.schedules >= left;
            if (accepted == null && t.acceptedAt > 0 && t.acceptedAt <= left) {
                accepted = t;
            }
            if (budgetHere) {
                lastSteps = left > 0 ? t.steps[(int) left - 1] : lastSteps;
                return result(scenario, variant, strategy, budget, false, accepted, lastSteps);
            }
            n += t.schedules;
            if (t.schedules > 0) {
                lastSteps = t.steps[(int) t.schedules - 1];
            }
        }
        return result(scenario, variant, strategy, n, true, accepted, lastSteps);
    }

    private static Result result(Scenario<?> scenario, Variant<?> variant, String strategy, long n, boolean exhausted,
                                 Subtree accepted, int lastSteps) {
        return accepted != null
                ? new Result(scenario.name(), variant.name(), Result.Verdict.ACCEPTED, n, exhausted, strategy,
                accepted.accepted[0], accepted.accepted[1], accepted.acceptedTrace, accepted.acceptedSteps)
                : new Result(scenario.name(), variant.name(), Result.Verdict.NO_VIOLATION, n, exhausted, strategy,
                null, null, null, lastSteps);
    }

    /** The search of {@link Explorer#outcomes} with {@code options.jobs()} jobs. */
    static <B> Explorer.Outcomes outcomes(Scenario<B> scenario, Variant<B> variant, Options options) {
        Subtree[] done = search(scenario, variant, options, true, null);
        long budget = options.schedules();
        long n = 0;
        SortedSet<String> states = new TreeSet<>();
        for (Subtree t : done) {
            long left = budget - n;
            t.outcomes.forEach((o, at) -> {
                if (at <= left) states.add(o);
            });
            if (t.schedules >= left) {
                return new Explorer.Outcomes(budget, false, states);
            }
            n += t.schedules;
        }
        return new Explorer.Outcomes(n, true, states);
    }

    /**
     * Runs the subtrees on {@code options.jobs()} threads; returns those the result needs, in order: every
     * subtree up to the first that has a violation ({@code all} false) or in which the budget runs out.
     */
    private static <B> Subtree[] search(Scenario<B> scenario, Variant<B> variant, Options options, boolean all,
                                        LongConsumer progress) {
        List<BoundedDfs.Prefix> roots = split(scenario, variant, options, (long) Shard.SUBTREES_PER_SHARD * options.jobs());
        int k = roots.size();
        Subtree[] done = new Subtree[k];
        Coordination c = new Coordination(done, options.schedules());
        Thread[] jobs = new Thread[Math.min(options.jobs(), k)];
        Throwable[] failed = new Throwable[1];
        for (int j = 0; j < jobs.length; j++) {
            Runnable job = () -> {
                try {
                    ScopedValue.where(ObjectIds.forNewMachines(), new ObjectIds(true))
                            .run(() -> runJob(scenario, variant, options, roots, all, c, progress));
                } catch (Throwable e) {
                    synchronized (failed) {
                        if (failed[0] == null) failed[0] = e;
                    }
                    c.stopAfter(-1);
                }
            };
            String name = "explore-job-" + (j + 1);
            jobs[j] = Engine.VIRTUAL ? Thread.ofVirtual().name(name).start(job) : Thread.ofPlatform().name(name).start(job);
        }
        for (Thread t : jobs) {
            try {
                t.join();
            } catch (InterruptedException e) {
                c.stopAfter(-1);
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while exploring", e);
            }
        }
        if (failed[0] instanceof RuntimeException e) {
            throw e;
        }
        if (failed[0] instanceof Error e) {
            throw e;
        }
        int needed = (int) Math.min(c.stopAfter.get(), k - 1) + 1;
        return Arrays.copyOf(done, needed);
    }

    /** What the jobs share: the next subtree to take, the subtrees done, and where the result stops. */
    private static final class Coordination {
        final AtomicInteger next = new AtomicInteger();
        /** No subtree after this index is needed (a violation or the budget ended the search there). */
        final AtomicLong stopAfter = new AtomicLong(Long.MAX_VALUE);
        final AtomicLong schedules = new AtomicLong();
        final Subtree[] done;
        final long budget;
        /** The subtrees 0 .. contiguous - 1 are done and hold {@code counted} schedules (guarded by this). */
        private int contiguous;
        private long counted;

        Coordination(Subtree[] done, long budget) {
            this.done = done;
            this.budget = budget;
        }

        void stopAfter(long i) {
            stopAfter.accumulateAndGet(i, Math::min);
        }

        boolean needed(int i) {
            return i <= stopAfter.get();
        }

        /** Subtree i is done: publish it, and stop the search after the subtree where the budget runs out. */
        synchronized void done(int i, Subtree t) {
            done[i] = t;
            while (contiguous < done.length && done[contiguous] != null) {
                counted += done[contiguous].schedules;
                if (counted >= budget) {
                    stopAfter(contiguous);
                }
                contiguous++;
            }
        }
    }

    /** One job: its own world and engine; takes subtrees until none is left or needed. */
    private static <B> void runJob(Scenario<B> scenario, Variant<B> variant, Options options, List<BoundedDfs.Prefix> roots,
                                   boolean all, Coordination c, LongConsumer progress) {
        ObjectIds ids = ObjectIds.forNewMachines().get();
        World world = scenario.build(variant);
        Runnable restore = options.restarts() ? world.checkpoint() : null;
        if (restore == null) {
            world.close();
            world = null;
        }
        try (Engine engine = new Engine()) {
            for (int i = c.next.getAndIncrement(); i < roots.size() && c.needed(i); i = c.next.getAndIncrement()) {
                BoundedDfs dfs = new BoundedDfs(options.bound(), roots.get(i));
                Subtree t = new Subtree();
                while (t.schedules < c.budget && c.needed(i) && dfs.nextSchedule()) {
                    if (restore != null) {
                        restore.run();
                    } else {
                        ids.reset();
                        world = scenario.build(variant);
                    }
                    try {
                        engine.runSchedule(world, dfs, options.invariants(), options.maxSteps());
                        if (engine.strategyError() != null) {
                            throw engine.strategyError();
                        }
                        t.ran(engine.steps());
                        if (record(t, engine, world, all)) {
                            c.stopAfter(i);
                            break;
                        }
                    } finally {
                        if (restore == null) {
                            world.close();
                        }
                    }
                    long total = c.schedules.incrementAndGet();
                    if (progress != null && total % 10_000 == 0) {
                        synchronized (progress) {
                            progress.accept(total);
                        }
                    }
                }
                if (c.needed(i)) {
                    c.done(i, t);
                }
            }
        } finally {
            if (restore != null) {
                world.close();
            }
        }
    }

    /** Note the schedule just run; true if it ends the subtree (a violation, unless all outcomes are wanted). */
    private static boolean record(Subtree t, Engine engine, World world, boolean all) {
        if (all) {
            String outcome = Explorer.outcome(engine, world);
            if (outcome != null) {
                t.outcomes.putIfAbsent(outcome, t.schedules);
            }
            return false;
        }
        if (engine.violation() != null) {
            t.violationAt = t.schedules;
            t.violation = new String[] {engine.schedule(), engine.violation()};
            t.violationTrace = engine.trace();
            t.violationSteps = engine.steps();
            return true;
        }
        if (t.acceptedAt == 0 && !engine.accepted().isEmpty()) {
            t.acceptedAt = t.schedules;
            t.accepted = new String[] {engine.schedule(), String.join("\n", engine.accepted())};
            t.acceptedTrace = engine.trace();
            t.acceptedSteps = engine.steps();
        }
        return false;
    }

    /**
     * The subtrees of the search: a probe enumerates the tree down to the cut at split depth 1, 2, ... (every
     * schedule cut there) until there are at least {@code wanted} subtrees or none was cut (the whole tree,
     * each schedule its own subtree). A pure function of the scenario, variant and options.
     */
    private static <B> List<BoundedDfs.Prefix> split(Scenario<B> scenario, Variant<B> variant, Options options, long wanted) {
        ObjectIds ids = new ObjectIds(true);
        return ScopedValue.where(ObjectIds.forNewMachines(), ids)
                .call(() -> new ArrayList<>(Explorer.probe(ids, scenario, variant, options, wanted).probed()));
    }
}
