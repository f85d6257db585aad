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

    /**
     * The machine CPU body {@code body} runs on; by default the body's own number. A per-CPU kworker is
     * a second body on the same machine CPU as the task it serves.
     */
    protected int machineCpu(int body) {
        return body;
    }

    /**
     * True for a body that serves others and may still be waiting when every other body has finished
     * (a kworker waiting for work): the schedule then ends normally instead of being a deadlock.
     */
    protected boolean daemon(int body) {
        return false;
    }

    /** The column title of body {@code body} in traces: {@code CPU A}, or e.g. {@code kworker/0}. */
    public String bodyName(int body) {
        return "CPU " + Trace.cpuName(body);
    }

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

    /**
     * The state at the end of a schedule, as text: two schedules whose end states are equal reached the
     * same outcome. By default each named folio (its page dump and flags) and the machine's
     * /proc/vmstat lines that are not zero; a world with more state (lists, Java-side bookkeeping)
     * adds it. Used to compare strategies ({@link Explorer#outcomes}), not by the verdicts.
     */
    public String endState() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < folios.size(); i++) {
            Folio f = folios.get(i);
            sb.append(names.get(i)).append(": ").append(io.github.foliolab.folio.api.PageFlags.describe(f.flags()))
                    .append(' ').append(machine.memMap().dumpPage(f.pfn()).replace('\n', ' ')).append('\n');
        }
        for (String line : machine.vmstat().procVmstat()) {
            if (!line.endsWith(" 0")) sb.append(line).append('\n');
        }
        return sb.toString();
    }

    /** Release what the world holds off-heap; called once the schedule is done and its trace rendered. */
    protected void close() {
        machine.close();
    }
}
