package io.github.foliolab.explore;

/**
 * A named version of a scenario: the library's own 7.2 code, or a proposed fix written as alternative
 * function bodies inside the scenario.
 *
 * @param name    short name used on the command line ({@code 7.2}, {@code fix-a})
 * @param summary one line saying what differs
 * @param expect  what the scenario's author expects the explorer to say (documentation only; the
 *                verdict is always computed)
 */
public record Variant(String name, String summary, Expect expect) {
    /** What a variant is expected to show. */
    public enum Expect {
        /** A violation is expected (the race is open). */
        VIOLATION,
        /** No violation within the bound. */
        CLEAN,
        /** An outcome classified as accepted kernel behaviour is reachable; no violation. */
        ACCEPTED
    }

    /** {@return the library's 7.2 code paths, unchanged} */
    public static Variant asIs(String summary, Expect expect) {
        return new Variant("7.2", summary, expect);
    }

    @Override
    public String toString() {
        return name;
    }
}
