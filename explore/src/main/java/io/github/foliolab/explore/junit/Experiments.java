package io.github.foliolab.explore.junit;

import io.github.foliolab.explore.Explorer;
import io.github.foliolab.explore.Options;
import io.github.foliolab.explore.Result;
import io.github.foliolab.explore.Scenario;
import io.github.foliolab.explore.TraceTable;
import io.github.foliolab.explore.Variant;
import org.junit.jupiter.api.DynamicTest;

import java.util.stream.Stream;

/**
 * JUnit 5 integration: an experiment is a test.
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> munlockPutback() {
 *     return Experiments.verdicts(new MunlockPutback(), Options.dfs(3));
 * }
 *
 * @Test
 * void fixAClosesTheRace() {
 *     Experiments.assertNoViolation(new MunlockPutback(), "fix-a", Options.dfs(3));
 * }
 * }</pre>
 *
 * A failed assertion carries the verdict and, for a counterexample, the CPU table.
 */
public final class Experiments {
    private Experiments() {}

    /**
     * {@return one dynamic test per variant, each asserting the verdict the variant expects} (JUnit is an
     * optional dependency of this module: callers of this class have it on their test path.)
     *
     * @param scenario the scenario
     * @param options how to explore
     * @param <B> the type of the variants' behaviour
     */
    @SuppressWarnings("exports")
    public static <B> Stream<DynamicTest> verdicts(Scenario<B> scenario, Options options) {
        return scenario.variants().stream().map(v -> DynamicTest.dynamicTest(scenario.name() + " [" + v.name() + "] "
                + v.expect().name().toLowerCase(java.util.Locale.ROOT), () -> assertExpected(scenario, v, scenario.racesOptions(options))));
    }

    /**
     * Explore {@code variant} and check the verdict is the one it expects.
     *
     * @param <B> the type of the variants' behaviour
     * @param scenario the scenario
     * @param variant one of its variants
     * @param options how to explore
     * @return the exploration's result
     * @throws AssertionError with the verdict line and trace table if the verdict is not {@code variant.expect()}
     */
    public static <B> Result assertExpected(Scenario<B> scenario, Variant<B> variant, Options options) {
        Result r = Explorer.explore(scenario, variant, options);
        Result.Verdict want = switch (variant.expect()) {
            case VIOLATION -> Result.Verdict.VIOLATION;
            case CLEAN -> Result.Verdict.NO_VIOLATION;
            case ACCEPTED -> Result.Verdict.ACCEPTED;
        };
        if (r.verdict() != want) {
            throw new AssertionError("expected " + want + " but the explorer says:\n" + report(r));
        }
        return r;
    }

    /**
     * The explorer must find a violation.
     *
     * @param <B> the type of the variants' behaviour
     * @param scenario the scenario
     * @param variant the variant's name
     * @param options how to explore
     * @return the exploration's result, with the violating schedule and its trace
     * @throws AssertionError with the verdict line if no violation was found
     */
    public static <B> Result assertViolation(Scenario<B> scenario, String variant, Options options) {
        Result r = Explorer.explore(scenario, scenario.variant(variant), options);
        if (!r.violated()) {
            throw new AssertionError("expected a violation but the explorer says:\n" + report(r));
        }
        return r;
    }

    /**
     * The explorer must find no violation within the budget.
     *
     * @param <B> the type of the variants' behaviour
     * @param scenario the scenario
     * @param variant the variant's name
     * @param options how to explore
     * @return the exploration's result
     * @throws AssertionError with the verdict line and trace table if a violation was found
     */
    public static <B> Result assertNoViolation(Scenario<B> scenario, String variant, Options options) {
        Result r = Explorer.explore(scenario, scenario.variant(variant), options);
        if (r.violated()) {
            throw new AssertionError("expected no violation but the explorer found one:\n" + report(r));
        }
        return r;
    }

    /**
     * {@return the verdict line and, if there is one, the trace table}
     *
     * @param r an exploration's result
     */
    public static String report(Result r) {
        String s = r.verdictLine() + "\n" + Explorer.MODEL_NOTE;
        if (r.trace() != null) {
            s += "\n" + (r.message() != null ? r.message() + "\n" : "") + TraceTable.render(r.trace());
        }
        return s;
    }
}
