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
     * @throws IllegalArgumentException if {@code variant} is not one of {@code scenario}'s variants
     */
    public static <B> Result explore(Scenario<B> scenario, Variant<B> variant, Options options, LongConsumer progress) {
        if (scenario.variants().stream().noneMatch(v -> v.name().equals(variant.name()))) {
            throw new IllegalArgumentException("variant " + variant.name() + " is not one of scenario " + scenario.name()
                    + "'s variants " + scenario.variants().stream().map(Variant::name).toList());
        }
        // Drive the exploration from a virtual thread too: every hand-off is then between virtual threads
        // (a continuation switch on a carrier) instead of an OS wake-up of the caller's thread.
        return runDriven(() -> run(scenario, variant, options, progress));
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
        java.util.SortedSet<String> states = new java.util.TreeSet<>();
        Searched s = runDriven(() -> search(scenario, variant, options, null, (engine, world) -> {
            if (engine.violation() != null) {
                states.add("violation: " + engine.violation().replaceAll(" after step \\d+", ""));
            } else if (!engine.pruned()) {
                states.add(world.endState() + String.join("\n", engine.accepted()));
            }
            return false;
        }));
        return new Outcomes(s.schedules(), s.exhausted(), states);
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

    /** What the search loop does with each schedule just run (before its world is closed); true to stop. */
    private interface AfterSchedule {
        boolean stop(Engine engine, World world);
    }

    /** How a search ended: schedules run, and whether the strategy ran out of schedules. */
    private record Searched(long schedules, boolean exhausted, Strategy strategy) {}

    /**
     * The search loop: a world restored (or built fresh) per schedule, run under the strategy, handed to
     * {@code after}. The worlds' machines take a name-keeping object registry bound here
     * ({@link ObjectIds#forNewMachines()}), restarted before every build and restored with the machine, so
     * every schedule numbers and names its objects alike and its traces can name them.
     */
    private static <B> Searched search(Scenario<B> scenario, Variant<B> variant, Options options, LongConsumer progress,
                                       AfterSchedule after) {
        ObjectIds ids = new ObjectIds(true);
        return ScopedValue.where(ObjectIds.forNewMachines(), ids)
                .call(() -> searchInScope(ids, scenario, variant, options, progress, after));
    }

    private static <B> Searched searchInScope(ObjectIds ids, Scenario<B> scenario, Variant<B> variant, Options options,
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
        Strategy strategy = options.newStrategy(nrCpus);
        long n = 0;
        try (Engine engine = new Engine()) {
            while (n < options.schedules()) {
                if (!strategy.nextSchedule()) {
                    return new Searched(n, strategy.exhaustive(), strategy);
                }
                if (restore != null) {
                    restore.run();
                } else {
                    ids.reset();
                    world = scenario.build(variant);
                }
                try {
                    engine.runSchedule(world, strategy, options.invariants(), options.maxSteps());
                    n++;
                    strategy.scheduleDone(engine.steps());
                    if (engine.strategyError() != null) {
                        throw engine.strategyError();
                    }
                    if (after.stop(engine, world)) {
                        return new Searched(n, false, strategy);
                    }
                } finally {
                    if (restore == null) {
                        world.close();
                    }
                }
                if (progress != null && n % 10_000 == 0) {
                    progress.accept(n);
                }
            }
        } finally {
            if (restore != null) {
                world.close();
            }
        }
        return new Searched(n, false, strategy);
    }

    private static <B> Result run(Scenario<B> scenario, Variant<B> variant, Options options, LongConsumer progress) {
        // What the search found, filled in by the loop's callback (traces are rendered before the world closes).
        String[] violation = new String[2]; // schedule, message
        String[] accepted = new String[2]; // schedule, message
        Trace[] traces = new Trace[3]; // violation, accepted, replayed
        int[] steps = new int[3]; // violation, accepted, last
        Searched s = search(scenario, variant, options, progress, (engine, world) -> {
            steps[2] = engine.steps();
            if (engine.violation() != null) {
                violation[0] = engine.schedule();
                violation[1] = engine.violation();
                traces[0] = engine.trace();
                steps[0] = engine.steps();
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
            }
            return false;
        });
        if (violation[1] != null) {
            return new Result(scenario.name(), variant.name(), Result.Verdict.VIOLATION, s.schedules(), false,
                    s.strategy().describe(), violation[0], violation[1], traces[0], steps[0]);
        }
        if (accepted[0] != null) {
            return new Result(scenario.name(), variant.name(), Result.Verdict.ACCEPTED, s.schedules(), s.exhausted(),
                    s.strategy().describe(), accepted[0], accepted[1], traces[1], steps[1]);
        }
        return new Result(scenario.name(), variant.name(), Result.Verdict.NO_VIOLATION, s.schedules(), s.exhausted(),
                s.strategy().describe(), options.replay(), null, traces[2], steps[2]);
    }
}
