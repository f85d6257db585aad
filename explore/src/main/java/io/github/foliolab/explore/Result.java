package io.github.foliolab.explore;

import java.util.List;

/**
 * What an exploration found.
 *
 * @param scenario   the scenario's name
 * @param variant    the variant's name
 * @param verdict    the verdict
 * @param schedules  how many schedules ran
 * @param exhausted  true if the strategy covered its whole space (bounded exhaustive search ran out)
 * @param strategy   what the strategy guarantees, one line
 * @param schedule   the counterexample's (or the accepted outcome's, or the replayed) schedule string, or null
 * @param message    the violation, or the accepted outcome, or null
 * @param trace      the trace of {@code schedule} (always present for a replay), or null
 * @param steps      the number of shared steps of {@code schedule} (or of the last schedule run)
 */
public record Result(String scenario, String variant, Verdict verdict, long schedules, boolean exhausted,
                     String strategy, String schedule, String message, Trace trace, int steps) {
    /** The verdict of an exploration. */
    public enum Verdict {
        /** A schedule broke an invariant or an end check, deadlocked, or a CPU hit a BUG. */
        VIOLATION,
        /** Every schedule tried was fine, and none reached an outcome classified as accepted. */
        NO_VIOLATION,
        /** No violation, but a schedule reached an outcome the kernel accepts by design (shown). */
        ACCEPTED
    }

    /** {@return whether the verdict is {@link Verdict#VIOLATION}} */
    public boolean violated() {
        return verdict == Verdict.VIOLATION;
    }

    /** {@return the one-line verdict the {@code races} command prints} */
    public String verdictLine() {
        String where = scenario + " [" + variant + "]";
        return switch (verdict) {
            case VIOLATION -> where + ": VIOLATION after " + schedules + " schedule" + (schedules == 1 ? "" : "s")
                    + " (schedule " + schedule + "): " + firstLine(message);
            case ACCEPTED -> where + ": ACCEPTED kernel behaviour reachable (schedule " + schedule + "): "
                    + firstLine(message) + "; no violation in " + schedules + (schedules == 1 ? " schedule" : " schedules")
                    + (exhausted ? " (bound exhausted)" : "");
            case NO_VIOLATION -> where + ": no violation in " + schedules + (schedules == 1 ? " schedule" : " schedules")
                    + (exhausted ? " (bound exhausted)" : " (budget reached)");
        };
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) + " ..." : s;
    }

    /**
     * For tests: the list of the trace's shared step texts (folded rows removed).
     *
     * @return the text of each shared step, in schedule order
     */
    public List<String> sharedSteps() {
        return trace == null ? List.of() : trace.rows().stream()
                .filter(r -> r.kind() == Trace.Kind.STEP && r.shared())
                .map(r -> Trace.cpuName(r.cpu()) + ": " + r.text().strip()).toList();
    }
}
