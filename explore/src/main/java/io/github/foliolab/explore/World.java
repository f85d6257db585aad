package io.github.foliolab.explore;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;

import java.util.ArrayList;
import java.util.List;

/**
 * One schedule's simulated machine, built by {@link Scenario#build}: the state after setup, one body per
 * CPU, the end checks and the invariants. A world that can say what its bodies change outside the machine
 * ({@link #saveState()}) is built once and restored before every schedule; any other is built fresh for
 * every schedule.
 */
public abstract class World {
    private final Machine machine;
    private final List<Folio> folios = new ArrayList<>();
    private final List<String> names = new ArrayList<>();

    /**
     * A world on {@code machine}; the subclass sets up its folios, tasks and state.
     *
     * @param machine the machine the world's bodies run on
     */
    protected World(Machine machine) {
        this.machine = machine;
    }

    /** {@return the machine the world's bodies run on} */
    public final Machine machine() {
        return machine;
    }

    /** {@return the number of simulated CPUs that run a body (at most the machine's CPUs)} */
    public abstract int nrCpus();

    /**
     * The body of {@code cpu}; runs on the machine's CPU {@code cpu} in its own simulated thread.
     *
     * @param cpu the simulated CPU number
     */
    protected abstract void run(int cpu);

    /**
     * {@return the machine CPU body {@code body} runs on; by default the body's own number} A per-CPU
     * kworker is a second body on the same machine CPU as the task it serves.
     *
     * @param body the body's number (0 runs as CPU A)
     */
    protected int machineCpu(int body) {
        return body;
    }

    /**
     * {@return true for a body that serves others and may still be waiting when every other body has
     * finished (a kworker waiting for work): the schedule then ends normally instead of being a deadlock}
     *
     * @param body the body's number (0 runs as CPU A)
     */
    protected boolean daemon(int body) {
        return false;
    }

    /**
     * The column title of body {@code body} in traces: {@code CPU A}, or e.g. {@code kworker/0}.
     *
     * @param body the body's number (0 runs as CPU A)
     * @return the column title
     */
    public String bodyName(int body) {
        return "CPU " + Trace.cpuName(body);
    }

    /**
     * The end checks, after every CPU has finished.
     *
     * @param checks where failed checks are recorded ({@link Checks#violation}, {@link Checks#accepted})
     */
    protected void check(Checks checks) {}

    /** {@return the invariants checked after every step; by default none} */
    public List<Invariant> invariants() {
        return List.of();
    }

    /**
     * Give a folio the name traces print for it, and include it in invariant checks.
     *
     * @param folio the folio
     * @param name the name
     * @return {@code folio}, for chaining
     */
    public final Folio name(Folio folio, String name) {
        folios.add(folio);
        names.add(name);
        return folio;
    }

    /**
     * {@return the folios the invariants check: by default the named ones} A world whose bodies make new
     * folios (a split's pieces) returns those too.
     */
    public List<Folio> folios() {
        return folios;
    }

    /**
     * {@return the name of the folio with this pfn, or {@code pfn:0x...}}
     *
     * @param pfn the page frame number
     */
    public String folioName(long pfn) {
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
     *
     * @return the end state's text, equal for equal outcomes
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

    /** {@link #saveState()} of a world that keeps no state of its own outside its machine. */
    protected static final Runnable NO_STATE = () -> {};

    /**
     * Save what this world's bodies change outside the machine's modules (its own fields, locks it made
     * itself, tasks and their address spaces), for cheap restarts: the explorer then builds the world once,
     * takes a checkpoint of its machine ({@link Machine#checkpoint()}) and this state after setup, and puts
     * both back before every schedule instead of building it again. Called once, after setup, on the
     * explorer's thread.
     *
     * @return the action that puts the saved state back ({@link #NO_STATE} if there is none), or null
     *     (the default) if this world cannot be restored: it is then built fresh for every schedule
     */
    protected Runnable saveState() {
        return null;
    }

    /**
     * A checkpoint of this world after setup: the machine's and {@link #saveState()}, or null if either
     * cannot be taken (the world must then be built per schedule).
     */
    final Runnable checkpoint() {
        Runnable own = saveState();
        if (own == null || !machine.modulesWithoutCheckpoint().isEmpty()) {
            return null;
        }
        Machine.Checkpoint saved = machine.checkpoint();
        return () -> {
            saved.restore();
            own.run();
        };
    }

    /** Release what the world holds off-heap; called once the schedule is done and its trace rendered. */
    protected void close() {
        machine.close();
    }
}
