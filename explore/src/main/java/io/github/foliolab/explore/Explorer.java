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

    public static Result explore(Scenario scenario, Variant variant, Options options) {
        return explore(scenario, variant, options, null);
    }

    /**
     * Explore; {@code progress} (may be null) is told the number of schedules run every 10,000
     * schedules.
     *
     * @param scenario the scenario
     * @param variant the variant to run
     * @param options how to explore
     * @param progress called with the number of schedules run so far, or null
     */
    public static Result explore(Scenario scenario, Variant variant, Options options, LongConsumer progress) {
        if (Thread.currentThread().isVirtual() || !Engine.VIRTUAL) {
            return run(scenario, variant, options, progress);
        }
        // Drive the exploration from a virtual thread too: every hand-off is then between virtual threads
        // (a continuation switch on a carrier) instead of an OS wake-up of the caller's thread.
        Object[] box = new Object[1];
        Thread t = Thread.ofVirtual().name("explore-main").start(() -> {
            try {
                box[0] = run(scenario, variant, options, progress);
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
        return (Result) box[0];
    }

    private static Result run(Scenario scenario, Variant variant, Options options, LongConsumer progress) {
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
