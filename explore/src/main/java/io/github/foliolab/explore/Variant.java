package io.github.foliolab.explore;

import java.util.Objects;

/**
 * One version of a scenario: the library's own 7.2 code, or a proposed fix written as alternative
 * function bodies. A variant carries its {@code behaviour}, the object the scenario's world runs (a
 * body, a record of bodies, a flag of the scenario's own type); the scenario never matches on the
 * name, which is only what the command line and the reports print.
 *
 * @param name      short name used on the command line ({@code 7.2}, {@code fix-a}); a name the
 *                  scenario does not have is a usage error ({@link Scenario#variant})
 * @param summary   one line saying what differs
 * @param expect    what the scenario's author expects the explorer to say ({@code races} marks a verdict
 *                  {@code [as expected]} or {@code [UNEXPECTED]}; the verdict itself is always computed)
 * @param behaviour what this variant runs; never null
 * @param <B>       the scenario's type of behaviour
 */
public record Variant<B>(String name, String summary, Expect expect, B behaviour) {
    /** What a variant is expected to show. */
    public enum Expect {
        /** A violation is expected (the race is open). */
        VIOLATION,
        /** No violation within the bound. */
        CLEAN,
        /** An outcome classified as accepted kernel behaviour is reachable; no violation. */
        ACCEPTED
    }

    /**
     * Checks that no component is null.
     *
     * @param name short name used on the command line
     * @param summary one line saying what differs
     * @param expect what the scenario's author expects the explorer to say
     * @param behaviour what this variant runs
     * @throws NullPointerException naming the component that is null
     */
    public Variant {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(expect, "expect");
        Objects.requireNonNull(behaviour, () -> "variant " + name + " has no behaviour");
    }

    /** The behaviour of a scenario whose only variant is the library's own code: there is nothing to choose. */
    public enum Library {
        /** The library's 7.2 code paths. */
        CODE
    }

    /**
     * The only variant of a scenario that runs the library's 7.2 code paths, unchanged.
     *
     * @param summary one line saying what this variant runs
     * @param expect the expected verdict
     * @return the variant named {@code 7.2}, whose behaviour is {@link Library#CODE}
     */
    public static Variant<Library> library(String summary, Expect expect) {
        return new Variant<>("7.2", summary, expect, Library.CODE);
    }

    /**
     * The library's 7.2 code paths, unchanged ({@code behaviour} says how the scenario runs them).
     *
     * @param <B> the scenario's type of behaviour
     * @param summary one line saying what this variant runs
     * @param expect the expected verdict
     * @param behaviour how the scenario runs the library's code
     * @return the variant named {@code 7.2}
     */
    public static <B> Variant<B> asIs(String summary, Expect expect, B behaviour) {
        return new Variant<>("7.2", summary, expect, behaviour);
    }

    @Override
    public String toString() {
        return name;
    }
}
