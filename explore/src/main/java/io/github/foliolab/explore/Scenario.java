package io.github.foliolab.explore;

import java.util.List;

/**
 * A race written as an experiment: a setup, one body per CPU, end checks and invariants (all in the
 * {@link World} that {@link #build} returns for each schedule), and its variants. Variants that model
 * proposed fixes carry alternative function bodies ({@link Variant#behaviour}); the library's own code is
 * never changed for them.
 *
 * <p>Scenarios are found with {@link java.util.ServiceLoader}: a subclass with a public no-argument
 * constructor, declared with {@code provides io.github.foliolab.explore.Scenario with ...} in its
 * module-info (or listed in {@code META-INF/services/io.github.foliolab.explore.Scenario} on the class
 * path), is listed by {@code explore list} and {@code races} and runs with {@code explore NAME}
 * ({@link Races}).
 *
 * @param <B> the type of the variants' behaviour
 */
public abstract class Scenario<B> {
    /** For subclasses; ServiceLoader instantiates them through their public no-argument constructor. */
    protected Scenario() {}

    /**
     * The name used on the command line, e.g. {@code munlock-putback}.
     *
     * @return the scenario's name, lower case with dashes
     */
    public abstract String name();

    /** {@return one line: what race this is and where it comes from} */
    public abstract String summary();

    /**
     * The variants; the first is the default (normally the library's 7.2 code, {@link Variant#asIs}).
     *
     * @return the variants, at least one
     */
    public abstract List<Variant<B>> variants();

    /**
     * A fresh world for one schedule running {@code variant}'s behaviour. Called on the explorer's
     * (unmanaged) thread with a fresh object registry bound for the machines it builds, so lock ids and
     * names are the same for every schedule.
     *
     * @param variant one of {@link #variants()}
     * @return a new world: setup done, ready to run its CPU bodies
     */
    public abstract World build(Variant<B> variant);

    /**
     * The variant with this name.
     *
     * @param name the variant's name, e.g. {@code fix-a}
     * @return the variant
     * @throws IllegalArgumentException naming the variants there are, if none has this name
     */
    public final Variant<B> variant(String name) {
        for (Variant<B> v : variants()) {
            if (v.name().equals(name)) return v;
        }
        throw new IllegalArgumentException("scenario " + name() + " has no variant " + name + "; it has "
                + variants().stream().map(Variant::name).toList());
    }

    /**
     * {@return the largest preemption bound {@code races} (and the test suite's every-scenario checks) use
     * for this scenario with {@code dfs} or {@code dpor}} By default none: the requested bound. A
     * system-call-level scenario, whose bounded search at the default bound would take minutes, sets a lower
     * one; {@code explore SCENARIO --bound K} and {@link Explorer#explore} honour any bound they are given.
     */
    public int racesBound() {
        return Integer.MAX_VALUE;
    }

    /**
     * {@return {@code options} with its bound lowered to {@link #racesBound()} for dfs and dpor}
     *
     * @param options the options given on the command line or by a test
     */
    public final Options racesOptions(Options options) {
        boolean bounded = Options.DFS.equals(options.strategy()) || Options.DPOR.equals(options.strategy());
        return bounded && options.replay() == null && options.bound() > racesBound() ? options.withBound(racesBound()) : options;
    }

    @Override
    public String toString() {
        return name();
    }
}
