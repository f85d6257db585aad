package io.github.foliolab.explore;

import io.github.foliolab.folio.api.sched.SchedPoints;

import java.util.function.LongConsumer;

/**
 * Explores a scenario's interleavings: builds a fresh world per schedule, runs its CPUs under the
 * chosen {@link Strategy}, and stops at the first violation.
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

    public static <B> Result explore(Scenario<B> scenario, Variant<B> variant, Options options) {
        return explore(scenario, variant, options, null);
    }

    /**
     * Explore; {@code progress} (may be null) is told the number of schedules run every 10,000
     * schedules.
     *
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
     */
    public static <B> Outcomes outcomes(Scenario<B> scenario, Variant<B> variant, Options options) {
        java.util.SortedSet<String> states = new java.util.TreeSet<>();
        long[] n = new long[1];
        boolean exhausted = runDriven(() -> {
            SchedPoints.resetObjects();
            World probe = scenario.build(variant);
            int nrCpus = probe.nrCpus();
            probe.close();
            Strategy strategy = options.newStrategy(nrCpus);
            try (Engine engine = new Engine()) {
                while (n[0] < options.schedules()) {
                    if (!strategy.nextSchedule()) {
                        return strategy.exhaustive();
                    }
                    SchedPoints.resetObjects();
                    World world = scenario.build(variant);
                    try {
                        engine.runSchedule(world, strategy, options.invariants(), options.maxSteps());
                        n[0]++;
                        strategy.scheduleDone(engine.steps());
                        if (engine.strategyError() != null) {
                            throw engine.strategyError();
                        }
                        if (engine.violation() != null) {
                            states.add("violation: " + engine.violation().replaceAll(" after step \\d+", ""));
                        } else if (!engine.pruned()) {
                            states.add(world.endState() + String.join("\n", engine.accepted()));
                        }
                    } finally {
                        world.close();
                    }
                }
            }
            return false;
        });
        return new Outcomes(n[0], exhausted, states);
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

    private static <B> Result run(Scenario<B> scenario, Variant<B> variant, Options options, LongConsumer progress) {
        SchedPoints.resetObjects();
        World probe = scenario.build(variant);
        int nrCpus = probe.nrCpus();
        probe.close();
        Strategy strategy = options.newStrategy(nrCpus);
        long n = 0;
        String acceptedSchedule = null;
        String acceptedMessage = null;
        Trace acceptedTrace = null;
        int acceptedSteps = 0;
        int lastSteps = 0;
        Trace replayTrace = null;
        boolean exhausted = false;
        try (Engine engine = new Engine()) {
            while (true) {
                if (n >= options.schedules()) {
                    break;
                }
                if (!strategy.nextSchedule()) {
                    exhausted = strategy.exhaustive();
                    break;
                }
                SchedPoints.resetObjects();
                World world = scenario.build(variant);
                try {
                    engine.runSchedule(world, strategy, options.invariants(), options.maxSteps());
                    n++;
                    lastSteps = engine.steps();
                    strategy.scheduleDone(engine.steps());
                    if (engine.strategyError() != null) {
                        throw engine.strategyError();
                    }
                    if (engine.violation() != null) {
                        return new Result(scenario.name(), variant.name(), Result.Verdict.VIOLATION, n, false,
                                strategy.describe(), engine.schedule(), engine.violation(), engine.trace(),
                                engine.steps());
                    }
                    if (options.replay() != null) {
                        replayTrace = engine.trace(); // a replayed schedule is shown whatever its verdict
                    }
                    if (acceptedSchedule == null && !engine.accepted().isEmpty()) {
                        acceptedSchedule = engine.schedule();
                        acceptedMessage = String.join("\n", engine.accepted());
                        acceptedTrace = engine.trace();
                        acceptedSteps = engine.steps();
                    }
                } finally {
                    world.close();
                }
                if (progress != null && n % 10_000 == 0) {
                    progress.accept(n);
                }
            }
        }
        if (acceptedSchedule != null) {
            return new Result(scenario.name(), variant.name(), Result.Verdict.ACCEPTED, n, exhausted,
                    strategy.describe(), acceptedSchedule, acceptedMessage, acceptedTrace, acceptedSteps);
        }
        return new Result(scenario.name(), variant.name(), Result.Verdict.NO_VIOLATION, n, exhausted,
                strategy.describe(), options.replay(), null, replayTrace, lastSteps);
    }
}
