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

    public static Result explore(Scenario scenario, Variant variant, Options options) {
        return explore(scenario, variant, options, null);
    }

    /**
     * Explore; {@code progress} (may be null) is told the number of schedules run every 10,000
     * schedules.
     */
    public static Result explore(Scenario scenario, Variant variant, Options options, LongConsumer progress) {
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
                strategy.describe(), null, null, null, lastSteps);
    }
}
