package io.github.foliolab.explore;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;

import java.util.ArrayList;
import java.util.List;

/**
 * One schedule's simulated machine, built fresh by {@link Scenario#build} for every schedule: the state
 * after setup, one body per CPU, the end checks and the invariants.
 */
public abstract class World {
    private final Machine machine;
    private final List<Folio> folios = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    protected World(Machine machine) {
        this.machine = machine;
    }

    public final Machine machine() {
        return machine;
    }

    /** The number of simulated CPUs that run a body (at most the machine's CPUs). */
    public abstract int nrCpus();

    /** The body of {@code cpu}; runs on the machine's CPU {@code cpu} in its own simulated thread. */
    protected abstract void run(int cpu);

    /** The end checks, after every CPU has finished. */
    protected void check(Checks checks) {}

    /** The invariants checked after every step; by default none. */
    public List<Invariant> invariants() {
        return List.of();
    }

    /** Give a folio the name traces print for it, and include it in invariant checks. */
    public final Folio name(Folio folio, String name) {
        folios.add(folio);
        names.add(name);
        return folio;
    }

    /** The named folios. */
    public final List<Folio> folios() {
        return folios;
    }

    /** The name of the folio with this pfn, or {@code pfn:0x...}. */
    public final String folioName(long pfn) {
        for (int i = 0; i < folios.size(); i++) {
            if (folios.get(i).pfn() == pfn) return names.get(i);
        }
        return "pfn:0x" + Long.toHexString(pfn);
    }

    /** Release what the world holds off-heap; called once the schedule is done and its trace rendered. */
    protected void close() {
        machine.memMap().close();
    }
}
