package io.github.foliolab.explore;

import java.util.List;

/**
 * A race written as an experiment: a setup, one body per CPU, end checks and invariants (all in the
 * {@link World} that {@link #build} returns for each schedule), and named variants. Variants that model
 * proposed fixes are alternative function bodies inside the scenario; the library's own code is never
 * changed for them.
 */
public abstract class Scenario {
    /** The name used on the command line, e.g. {@code munlock-putback}. */
    public abstract String name();

    /** {@return one line: what race this is and where it comes from} */
    public abstract String summary();

    /**
     * {@return the variants; the first is the default (normally the library's 7.2 code, {@link
     * Variant#asIs})}
     */
    public abstract List<Variant> variants();

    /**
     * {@return a fresh world for one schedule} Called on the explorer's (unmanaged) thread after {@code
     * SchedPoints.resetObjects()}, so lock ids and names are the same for every schedule.
     *
     * @param variant the variant to run
     */
    public abstract World build(Variant variant);

    /**
     * {@return the variant with this name}
     *
     * @param name the name
     */
    public final Variant variant(String name) {
        for (Variant v : variants()) {
            if (v.name().equals(name)) return v;
        }
        throw new IllegalArgumentException("scenario " + name() + " has no variant " + name + "; it has "
                + variants().stream().map(Variant::name).toList());
    }

    @Override
    public String toString() {
        return name();
    }
}
