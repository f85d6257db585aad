package io.github.foliolab.folio.cpu;

/**
 * A simulated CPU. Code "runs on" a CPU explicitly: {@link #run(Runnable)} binds the calling thread to it
 * for the duration (smp_processor_id() inside is this CPU). Per-CPU state lives in {@link PerCpu}
 * arrays indexed by {@link #id()}, as DEFINE_PER_CPU data does.
 */
public final class Cpu {
    private static final ScopedValue<Cpu> CURRENT = ScopedValue.newInstance();

    private final int id;

    Cpu(int id) {
        this.id = id;
    }

    /** {@return the CPU number (smp_processor_id())} */
    public int id() {
        return id;
    }

    /** Run {@code body} on this CPU. */
    public void run(Runnable body) {
        ScopedValue.where(CURRENT, this).run(body);
    }

    /** Run {@code body} on this CPU and return its result. */
    public <T> T call(java.util.function.Supplier<T> body) {
        return ScopedValue.where(CURRENT, this).call(body::get);
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
