package io.github.foliolab.explore;

import io.github.foliolab.folio.api.sched.ObjectIds;

import java.util.function.LongConsumer;

/**
 * Explores a scenario's interleavings: builds the scenario's world once and restores it before every
 * schedule (or, for a world that cannot be restored, builds a fresh one per schedule), runs its CPUs under
 * the chosen {@link Strategy}, and stops at the first violation.
 *
 * <p>The model is sequentially consistent: one CPU runs at a time and every write is visible to the
 * next step of any CPU. A race that needs a store buffer or a reordering (a missing smp_mb()) cannot be
 * found, and a fix that only adds a barrier cannot be judged (see docs/explore.md).
 */
public final class Explorer {
    private Explorer() {}

    /** The sentence every report carries. */
    public static final String MODEL_NOTE = "model: sequentially consistent interleavings of the schedule points "
            + "(no store buffering or reordering: barrier-only fixes cannot be judged)";

    /**
     * Remove the explorer's schedule-point hook, which stays installed after the first exploration (a
     * call and a volatile read per schedule point, instead of relinking and deoptimising the library
     * at every exploration). Call it when the JVM goes on to measure the library without the explorer.
     */
    public static void unlink() {
        Dispatcher.unlink();
    }

    /**
     * Explore {@code variant} of {@code scenario} as {@code options} say, without progress reports.
     *
     * @param <B> the scenario's type of behaviour
     * @param scenario the scenario
     * @param variant one of its variants
     * @param options how to explore
     * @return the verdict, with the first violating schedule and its trace if there is one
     * @throws IllegalArgumentException if {@code variant} is not one of {@code scenario}'s variants
     */
    public static <B> Result explore(Scenario<B> scenario, Variant<B> variant, Options options) {
        return explore(scenario, variant, options, null);
    }

    /**
     * Explore; {@code progress} (may be null) is told the number of schedules run every 10,000
     * schedules.
     *
     * @param <B> the scenario's type of behaviour
     * @param scenario the scenario
     * @param variant one of its variants
     * @param options how to explore
     * @param progress told the number of schedules run so far, or null
     * @return the verdict, with the first violating schedule and its trace if there is one
     * @throws IllegalArgumentException if {@code variant} is not one of {@code scenario}'s variants, or
     *                                  {@code options} ask for more than one job where that cannot be
     *                                  ({@link #whyNotParallel})
     */
    public static <B> Result explore(Scenario<B> scenario, Variant<B> variant, Options options, LongConsumer progress) {
        checkVariant(scenario, variant);
        if (options.jobs() > 1) {
            checkParallel(options);
            return runDriven(() -> ParallelDfs.explore(scenario, variant, options, progress));
        }
        // Drive the exploration from a virtual thread too: every hand-off is then between virtual threads
        // (a continuation switch on a carrier) instead of an OS wake-up of the caller's thread.
        return runDriven(() -> run(scenario, variant, options, null, progress)).result();
    }

    /**
     * The one-line reason {@code options} cannot run in more than one job ({@link Options#jobs()}), or null
     * if they can (or ask for one job).
     *
     * @param options the options to check
     * @return the reason, or null
     */
    public static String whyNotParallel(Options options) {
        if (options.jobs() == 1) {
            return null;
        }
        if (options.replay() != null) {
            return "--jobs and --replay do not go together: a replay runs one schedule";
        }
        if (!options.strategy().equals(Options.DFS)) {
            return "--jobs works with --strategy dfs only" + (options.strategy().equals(Options.DPOR)
                    ? ": dpor's backtrack points above a subtree come from races found inside other subtrees"
                    : ": " + options.strategy() + "'s schedules follow one another from one seed");
        }
        return null;
    }

    private static void checkParallel(Options options) {
        String why = whyNotParallel(options);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
    }

    /**
     * Explore one shard of a bounded exhaustive search ({@code explore SCENARIO --shard K/N}): only the
     * schedules of the subtrees {@code shard} owns (see {@link Shard} for the split), stopping at the
     * shard's first violation like {@link #explore}. The shards 1..N of one scenario, variant and options
     * are independent jobs (any order, any machines); {@link ShardMerge#merge} combines their results into
     * exactly what one unsharded {@link #explore} reports (verdict, schedule count, first violation) plus
     * the distinct end states. The shard first enumerates the tree down to the split depth (schedules cut
     * there, not counted), which every shard repeats.
     *
     * <p>Only {@code dfs} can be sharded. {@code dpor} cannot: its backtrack sets grow at states above the
     * split depth from races found deeper, in subtrees another shard owns, so no shard knows which
     * subtrees exist without exploring them all.
     *
     * @param scenario the scenario
     * @param variant  one of its variants
     * @param options  a {@code dfs} search ({@link Options#dfs}) with no replay; the schedule budget applies
     *                 to each shard
     * @param shard    which shard
     * @param progress told the number of schedules run every 10,000 schedules, or null
     * @param <B> the scenario's type of behaviour
     * @return the shard's result, with what a merge needs
     * @throws IllegalArgumentException if the strategy is not {@code dfs}, {@code options} replays a schedule,
     *                                  or {@code variant} is not one of {@code scenario}'s variants
     */
    public static <B> ShardResult exploreShard(Scenario<B> scenario, Variant<B> variant, Options options, Shard shard,
                                               LongConsumer progress) {
        checkShardable(scenario, variant, options, shard);
        return runDriven(() -> run(scenario, variant, options, shard, progress));
    }

    /**
     * The one-line reason {@code options} cannot be sharded, or null if they can.
     *
     * @param options the options to check
     * @return the reason, or null when {@code options} can be sharded
     */
    public static String whyNotShardable(Options options) {
        if (options.jobs() > 1) {
            return "--shard and --jobs do not go together: a shard is one job";
        }
        if (options.replay() != null) {
            return "--shard and --replay do not go together: a replay runs one schedule";
        }
        if (!options.strategy().equals(Options.DFS)) {
            return "--shard works with --strategy dfs only" + (options.strategy().equals(Options.DPOR)
                    ? ": dpor's backtrack points above the split come from races found in other shards' subtrees"
                    : ": " + options.strategy() + " is not an exhaustive search");
        }
        return null;
    }

    private static void checkShardable(Scenario<?> scenario, Variant<?> variant, Options options, Shard shard) {
        java.util.Objects.requireNonNull(shard, "shard");
        String why = whyNotShardable(options);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        checkVariant(scenario, variant);
    }

    private static void checkVariant(Scenario<?> scenario, Variant<?> variant) {
        if (scenario.variants().stream().noneMatch(v -> v.name().equals(variant.name()))) {
            throw new IllegalArgumentException("variant " + variant.name() + " is not one of scenario " + scenario.name()
                    + "'s variants " + scenario.variants().stream().map(Variant::name).toList());
        }
    }

    /**
     * Everything the search reaches, for comparing strategies: the number of schedules, whether the
     * bounded space was exhausted, and the distinct outcomes — each schedule's {@link World#endState()}
     * with the accepted-behaviour messages, or its violation (with step numbers removed, since equivalent
     * schedules reach a broken invariant at different step numbers).
     *
     * @param schedules  schedules run (pruned ones included)
     * @param exhausted  true if the strategy ran out of schedules
     * @param endStates  the distinct outcomes, sorted
     */
    public record Outcomes(long schedules, boolean exhausted, java.util.SortedSet<String> endStates) {}

    /**
     * Explore like {@link #explore} but go on after violations, collecting every distinct outcome
     * ({@link Outcomes}); for tests that compare strategies.
     *
     * @param <B> the scenario's type of behaviour
     * @param scenario the scenario
     * @param variant one of its variants
     * @param options how to explore
     * @return every distinct outcome found within the budget
     */
    public static <B> Outcomes outcomes(Scenario<B> scenario, Variant<B> variant, Options options) {
        return outcomes(scenario, variant, options, null);
    }

    /**
     * {@link #outcomes(Scenario, Variant, Options)} of one shard (all of the search if {@code shard} is
     * null): the union of the shards' end states, and the sum of their schedules, are those of the whole
     * search.
     *
     * @param <B> the scenario's type of behaviour
     * @param scenario the scenario
     * @param variant one of its variants
     * @param options a {@code dfs} search with no replay
     * @param shard which shard, or null for the whole search
     * @return every distinct outcome the shard reached, and its schedule count
     * @throws IllegalArgumentException as {@link #exploreShard} does
     */
    public static <B> Outcomes outcomes(Scenario<B> scenario, Variant<B> variant, Options options, Shard shard) {
        if (shard != null) {
            checkShardable(scenario, variant, options, shard);
        } else if (options.jobs() > 1) {
            checkVariant(scenario, variant);
            checkParallel(options);
            return runDriven(() -> ParallelDfs.outcomes(scenario, variant, options));
        }
        java.util.SortedSet<String> states = new java.util.TreeSet<>();
        Searched s = runDriven(() -> search(scenario, variant, options, shard, null, (engine, world, subtree) -> {
            String outcome = outcome(engine, world);
            if (outcome != null) {
                states.add(outcome);
            }
            return false;
        }));
        return new Outcomes(s.schedules(), s.exhausted(), states);
    }

    /** The outcome of the schedule just run, as {@link Outcomes} lists it; null for a pruned one. */
    static String outcome(Engine engine, World world) {
        if (engine.violation() != null) {
            return "violation: " + engine.violation().replaceAll(" after step \\d+", "");
        }
        return engine.pruned() ? null : world.endState() + String.join("\n", engine.accepted());
    }

    /** Run {@code body} on a virtual thread (see {@link #explore}) unless already on one. */
    private static <T> T runDriven(java.util.function.Supplier<T> body) {
        if (Thread.currentThread().isVirtual() || !Engine.VIRTUAL) {
            return body.get();
        }
        Object[] box = new Object[1];
        Thread t = Thread.ofVirtual().name("explore-main").start(() -> {
            try {
                box[0] = body.get();
            } catch (Throwable e) {
                box[0] = e;
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while exploring", e);
        }
        if (box[0] instanceof RuntimeException e) {
            throw e;
        }
        if (box[0] instanceof Error e) {
            throw e;
        }
        @SuppressWarnings("unchecked")
        T r = (T) box[0];
        return r;
    }

    /**
     * What the search loop does with each schedule just run (before its world is closed), of subtree
     * {@code subtree} (0 unless sharded); true to stop.
     */
    interface AfterSchedule {
        boolean stop(Engine engine, World world, long subtree);
    }

    /**
     * How a search ended: schedules run, whether the strategy ran out of schedules, and the split of a
     * sharded one (null otherwise).
     */
    record Searched(long schedules, boolean exhausted, Strategy strategy, Split split) {}

    /** Where a sharded search is split: {@code subtrees} subtrees below {@code depth} decisions. */
    private record Split(int depth, long subtrees) {}

    /**
     * The search loop: a world restored (or built fresh) per schedule, run under the strategy, handed to
     * {@code after}. The worlds' machines take a name-keeping object registry bound here
     * ({@link ObjectIds#forNewMachines()}), restarted before every build and restored with the machine, so
     * every schedule numbers and names its objects alike and its traces can name them.
     */
    private static <B> Searched search(Scenario<B> scenario, Variant<B> variant, Options options, Shard shard,
                                       LongConsumer progress, AfterSchedule after) {
        ObjectIds ids = new ObjectIds(true);
        return ScopedValue.where(ObjectIds.forNewMachines(), ids).call(() -> {
            if (shard == null) {
                return searchInScope(ids, scenario, variant, options, options::newStrategy, progress, after);
            }
            Split split = split(ids, scenario, variant, options, shard.count());
            Searched s = searchInScope(ids, scenario, variant, options,
                    cpus -> new BoundedDfs(options.bound(), split.depth(), shard), progress, after);
            return new Searched(s.schedules(), s.exhausted(), s.strategy(), split);
        });
    }

    /**
     * The split depth of a search in {@code shards} shards: the smallest depth with at least
     * {@link Shard#SUBTREES_PER_SHARD} subtrees per shard, or the depth of the whole tree if it has fewer
     * (no schedule was cut). Found by enumerating the tree down to depth 1, 2, ... with every schedule cut
     * there: a pure function of the scenario, variant and options, so every shard finds the same.
     */
    private static <B> Split split(ObjectIds ids, Scenario<B> scenario, Variant<B> variant, Options options, int shards) {
        if (shards == 1) {
            return new Split(0, 1);
        }
        BoundedDfs probe = probe(ids, scenario, variant, options, (long) Shard.SUBTREES_PER_SHARD * shards);
        return new Split(probe.splitDepth(), probe.subtree() + 1);
    }

    /**
     * The probe at the smallest split depth that cuts the tree into at least {@code wanted} subtrees, or
     * at the depth that cuts no schedule (the whole tree is fewer): the tree enumerated down to depth 1, 2,
     * ... with every schedule cut there. Shared by {@code --shard} (which needs the depth) and
     * {@code --jobs} (which needs the subtrees' prefixes, {@link BoundedDfs#probed()}).
     */
    static <B> BoundedDfs probe(ObjectIds ids, Scenario<B> scenario, Variant<B> variant, Options options, long wanted) {
        for (int depth = 1; ; depth++) {
            int d = depth;
            BoundedDfs probe = (BoundedDfs) searchInScope(ids, scenario, variant, options,
                    cpus -> new BoundedDfs(options.bound(), d, null), null, (engine, world, subtree) -> false).strategy();
            if (probe.subtree() + 1 >= wanted || probe.cuts() == 0) {
                return probe;
            }
        }
    }

    static <B> Searched searchInScope(ObjectIds ids, Scenario<B> scenario, Variant<B> variant, Options options,
                                              java.util.function.IntFunction<Strategy> newStrategy,
                                              LongConsumer progress, AfterSchedule after) {
        World world = scenario.build(variant);
        int nrCpus = world.nrCpus();
        // Cheap restarts: a world that can be restored is built once and put back to its state after setup
        // before every schedule; any other is built fresh per schedule (from a reset object registry).
        Runnable restore = options.restarts() ? world.checkpoint() : null;
        if (restore == null) {
            world.close();
            world = null;
        }
        Strategy strategy = newStrategy.apply(nrCpus);
        BoundedDfs sharded = strategy instanceof BoundedDfs b ? b : null;
        long n = 0;
        try (Engine engine = new Engine()) {
            while (n < options.schedules()) {
                if (!strategy.nextSchedule()) {
                    return new Searched(n, strategy.exhaustive(), strategy, null);
                }
                if (restore != null) {
                    restore.run();
                } else {
                    ids.reset();
                    world = scenario.build(variant);
                }
                boolean counted;
                try {
                    engine.runSchedule(world, strategy, options.invariants(), options.maxSteps());
                    // A schedule of another shard's subtree, cut at the split depth: neither counted nor judged.
                    counted = sharded == null || !sharded.outsideShard();
                    if (counted) {
                        n++;
                    }
                    strategy.scheduleDone(engine.steps());
                    if (engine.strategyError() != null) {
                        throw engine.strategyError();
                    }
                    if (counted && after.stop(engine, world, sharded == null ? 0 : sharded.subtree())) {
                        return new Searched(n, false, strategy, null);
                    }
                } finally {
                    if (restore == null) {
                        world.close();
                    }
                }
                if (counted && progress != null && n % 10_000 == 0) {
                    progress.accept(n);
                }
            }
        } finally {
            if (restore != null) {
                world.close();
            }
        }
        return new Searched(n, false, strategy, null);
    }

    /**
     * The search behind {@link #explore} and {@link #exploreShard}. With a shard it also keeps, per subtree
     * run, the number of schedules and the distinct outcomes (what {@link ShardMerge} needs to give one
     * unsharded search's counts); unsharded, those stay empty (no end state is rendered per schedule).
     */
    private static <B> ShardResult run(Scenario<B> scenario, Variant<B> variant, Options options, Shard shard,
                                       LongConsumer progress) {
        // What the search found, filled in by the loop's callback (traces are rendered before the world closes).
        String[] violation = new String[2]; // schedule, message
        String[] accepted = new String[2]; // schedule, message
        Trace[] traces = new Trace[3]; // violation, accepted, replayed
        int[] steps = new int[3]; // violation, accepted, last
        long[] found = {-1, -1}; // the subtrees of the violation and of the first accepted outcome
        ShardTally tally = shard == null ? null : new ShardTally();
        Searched s = search(scenario, variant, options, shard, progress, (engine, world, subtree) -> {
            steps[2] = engine.steps();
            if (tally != null) {
                tally.add(subtree, outcome(engine, world));
            }
            if (engine.violation() != null) {
                violation[0] = engine.schedule();
                violation[1] = engine.violation();
                traces[0] = engine.trace();
                steps[0] = engine.steps();
                found[0] = subtree;
                return true;
            }
            if (options.replay() != null) {
                traces[2] = engine.trace(); // a replayed schedule is shown whatever its verdict
            }
            if (accepted[0] == null && !engine.accepted().isEmpty()) {
                accepted[0] = engine.schedule();
                accepted[1] = String.join("\n", engine.accepted());
                traces[1] = engine.trace();
                steps[1] = engine.steps();
                found[1] = subtree;
            }
            return false;
        });
        Result r;
        if (violation[1] != null) {
            r = new Result(scenario.name(), variant.name(), Result.Verdict.VIOLATION, s.schedules(), false,
                    s.strategy().describe(), violation[0], violation[1], traces[0], steps[0]);
        } else if (accepted[0] != null) {
            r = new Result(scenario.name(), variant.name(), Result.Verdict.ACCEPTED, s.schedules(), s.exhausted(),
                    s.strategy().describe(), accepted[0], accepted[1], traces[1], steps[1]);
        } else {
            r = new Result(scenario.name(), variant.name(), Result.Verdict.NO_VIOLATION, s.schedules(), s.exhausted(),
                    s.strategy().describe(), options.replay(), null, traces[2], steps[2]);
        }
        if (tally == null) {
            return new ShardResult(r, null, options, 0, 1, java.util.List.of(), java.util.List.of(), -1, -1);
        }
        return new ShardResult(r, shard, options, s.split().depth(), s.split().subtrees(), tally.subtrees(),
                tally.states(), found[0], found[1]);
    }

    /** A shard's schedules and distinct outcomes per subtree, in the order they were run. */
    private static final class ShardTally {
        private final java.util.Map<String, Integer> ids = new java.util.HashMap<>();
        private final java.util.List<String> states = new java.util.ArrayList<>();
        private final java.util.List<ShardResult.Subtree> done = new java.util.ArrayList<>();
        private long current = -1;
        private long schedules;
        private final java.util.SortedSet<Integer> seen = new java.util.TreeSet<>();

        void add(long subtree, String outcome) {
            if (subtree != current) {
                flush();
                current = subtree;
            }
            schedules++;
            if (outcome != null) {
                seen.add(ids.computeIfAbsent(outcome, o -> {
                    states.add(o);
                    return states.size() - 1;
                }));
            }
        }

        private void flush() {
            if (current >= 0) {
                done.add(new ShardResult.Subtree(current, schedules, java.util.List.copyOf(seen)));
            }
            schedules = 0;
            seen.clear();
        }

        java.util.List<ShardResult.Subtree> subtrees() {
            flush();
            current = -1;
            return java.util.List.copyOf(done);
        }

        java.util.List<String> states() {
            return java.util.List.copyOf(states);
        }
    }
}
