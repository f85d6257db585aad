package io.github.foliolab.folio.cpu;

import io.github.foliolab.folio.api.sched.ObjectIds;

/**
 * A simulated CPU of one machine. Code "runs on" a CPU explicitly: {@link #run(Runnable)} binds the
 * calling thread to it for the duration (smp_processor_id() inside is this CPU, and the locks and lists
 * made inside are numbered by this CPU's machine). Per-CPU state lives in {@link PerCpu} arrays indexed
 * by {@link #id()}, as DEFINE_PER_CPU data does; a CPU of one machine is refused by another machine's
 * per-CPU data.
 */
public final class Cpu {
    private static final ScopedValue<Cpu> CURRENT = ScopedValue.newInstance();

    private final Cpus owner;
    private final int id;

    /**
     * The bindings {@link #run} and {@link #call} install: this CPU and its machine's object registry.
     * A carrier is immutable, so one per CPU serves every call (no carrier allocated per run).
     */
    private final ScopedValue.Carrier bindings;

    Cpu(Cpus owner, int id) {
        this.owner = owner;
        this.id = id;
        this.bindings = ScopedValue.where(CURRENT, this).where(ObjectIds.binding(), owner.objectIds());
    }

    /** {@return the CPU number (smp_processor_id())} */
    public int id() {
        return id;
    }

    /**
     * cpu_to_node(): the node this CPU belongs to (numa_node_id() for code running on it).
     *
     * @return the node id of this CPU
     */
    public int node() {
        return owner.nodeOf(id);
    }

    /**
     * The CPUs of the machine this CPU belongs to.
     *
     * @return the machine's CPU set
     */
    public Cpus owner() {
        return owner;
    }

    /**
     * Run {@code body} on this CPU.
     *
     * @param body the code to run; {@link #current()} is this CPU while it runs
     */
    public void run(Runnable body) {
        bindings.run(body);
    }

    /**
     * Run {@code body} on this CPU and return its result.
     *
     * @param <T> the result type
     * @param body the code to run; {@link #current()} is this CPU while it runs
     * @return what {@code body} returned
     */
    public <T> T call(java.util.function.Supplier<T> body) {
        return bindings.call(body::get);
    }

    /**
     * {@return the CPU the calling code runs on (smp_processor_id())}
     *
     * @throws IllegalStateException if the thread is not running on a simulated CPU
     */
    public static Cpu current() {
        if (!CURRENT.isBound()) {
            throw new IllegalStateException(
                    "not running on a simulated CPU: wrap the call in cpu.run(...) (kernel code always runs on a CPU)");
        }
        return CURRENT.get();
    }

    /** {@return true if the calling code runs on a simulated CPU} */
    public static boolean onCpu() {
        return CURRENT.isBound();
    }

    @Override
    public String toString() {
        return "CPU" + id;
    }
}
