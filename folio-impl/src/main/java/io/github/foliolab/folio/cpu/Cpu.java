package io.github.foliolab.folio.cpu;

import io.github.foliolab.folio.api.sched.ObjectIds;

/**
 * A simulated CPU of one machine. Code "runs on" a CPU explicitly: {@link #run(Runnable)} binds the
 * calling thread to it for the duration (smp_processor_id() inside is this CPU, and the locks and lists
 * made inside are numbered by this CPU's machine). Per-CPU state lives in {@link PerCpu} arrays indexed
 * by {@link #id()}, as DEFINE_PER_CPU data does; a CPU of one machine is refused by another machine's
 * per-CPU data.
 *
 * <p>A real thread that runs one CPU's code for a long time (a benchmark or load-generator thread) can
 * instead {@link #attach()} itself to the CPU once: {@link #run} binds a {@code ScopedValue} per call,
 * which allocates a small binding record each time, while an attachment costs nothing per call. A
 * {@code run} or {@code call} inside an attachment takes precedence while it runs. The explorer binds its
 * simulated CPUs with {@code run} only.
 */
public final class Cpu {
    private static final ScopedValue<Cpu> CURRENT = ScopedValue.newInstance();
    /**
     * The attachment of a thread ({@link #attach()}), or null. Consulted first by {@link #current()}: a
     * thread-local lookup costs as much as the scoped value's, while a miss of the scoped value (an
     * attached thread outside {@link #run}) costs several times more. A {@code run} inside an attachment
     * points the attachment at its CPU while it runs.
     */
    private static final ThreadLocal<Attachment> ATTACHED = new ThreadLocal<>();

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
        Attachment a = ATTACHED.get();
        if (a == null) {
            bindings.run(body);
            return;
        }
        Cpu outer = a.current;
        a.current = this;
        try {
            bindings.run(body);
        } finally {
            a.current = outer;
        }
    }

    /**
     * Run {@code body} on this CPU and return its result.
     *
     * @param <T> the result type
     * @param body the code to run; {@link #current()} is this CPU while it runs
     * @return what {@code body} returned
     */
    public <T> T call(java.util.function.Supplier<T> body) {
        Attachment a = ATTACHED.get();
        if (a == null) {
            return bindings.call(body::get);
        }
        Cpu outer = a.current;
        a.current = this;
        try {
            return bindings.call(body::get);
        } finally {
            a.current = outer;
        }
    }

    /**
     * Attach the calling thread to this CPU until the returned attachment is closed: from now on, outside
     * any {@link #run} or {@link #call} (which take precedence while they run), the thread's code runs on
     * this CPU ({@link #current()} is this CPU). Unlike {@code run}, it allocates nothing per call, so a
     * thread that makes many short calls on one CPU (a benchmark thread) attaches once. Close the
     * attachment on the same thread (try-with-resources). Objects made on an attached thread outside
     * {@code run} take their schedule-point ids from the registry of objects made outside any machine
     * (ids matter only in the explorer's traces, and the explorer binds its CPUs with {@code run}).
     *
     * @return the attachment; {@link Attachment#close()} detaches the thread
     * @throws IllegalStateException naming the CPU if the thread is already attached to a CPU (nothing
     *         changes)
     */
    public Attachment attach() {
        Attachment old = ATTACHED.get();
        if (old != null) {
            throw new IllegalStateException(Thread.currentThread().getName() + " is already attached to " + old.cpu
                    + ": close that attachment first");
        }
        Attachment a = new Attachment(this, Thread.currentThread());
        ATTACHED.set(a);
        return a;
    }

    /** A thread's attachment to a CPU ({@link #attach()}); closing it detaches the thread. */
    public static final class Attachment implements AutoCloseable {
        private final Cpu cpu;
        private final Thread thread;
        /** The CPU the thread runs on now: {@link #cpu}, or that of a {@code run} inside the attachment. */
        private Cpu current;

        private Attachment(Cpu cpu, Thread thread) {
            this.cpu = cpu;
            this.thread = thread;
            this.current = cpu;
        }

        /** {@return the CPU the thread is attached to} */
        public Cpu cpu() {
            return cpu;
        }

        /**
         * Detach the thread from the CPU (nothing happens if it is already detached).
         *
         * @throws IllegalStateException if called on another thread than the attached one (nothing changes)
         */
        @Override
        public void close() {
            if (Thread.currentThread() != thread) {
                throw new IllegalStateException("the attachment of " + thread.getName() + " to " + cpu
                        + " must be closed on that thread, not on " + Thread.currentThread().getName());
            }
            if (ATTACHED.get() == this) {
                ATTACHED.remove();
            }
        }
    }

    /**
     * {@return the CPU the calling code runs on (smp_processor_id())}: the innermost {@link #run} or
     * {@link #call}, else the thread's {@link #attach() attachment}
     *
     * @throws IllegalStateException if the thread is not running on a simulated CPU
     */
    public static Cpu current() {
        Attachment a = ATTACHED.get();
        if (a != null) {
            return a.current;
        }
        if (!CURRENT.isBound()) {
            throw new IllegalStateException("not running on a simulated CPU: wrap the call in cpu.run(...) or attach"
                    + " the thread with cpu.attach() (kernel code always runs on a CPU)");
        }
        return CURRENT.get();
    }

    /** {@return true if the calling code runs on a simulated CPU (in a {@link #run} or attached)} */
    public static boolean onCpu() {
        return ATTACHED.get() != null || CURRENT.isBound();
    }

    @Override
    public String toString() {
        return "CPU" + id;
    }
}
