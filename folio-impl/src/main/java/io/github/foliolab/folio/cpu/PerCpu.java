package io.github.foliolab.folio.cpu;

import java.util.function.IntFunction;

/**
 * DEFINE_PER_CPU data: one instance per CPU, reached with this_cpu_ptr / per_cpu_ptr.
 *
 * @param <T> the type
 */
public final class PerCpu<T> {
    private final Object[] slots;

    public PerCpu(Cpus cpus, IntFunction<T> init) {
        slots = new Object[cpus.nr()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = init.apply(i);
        }
    }

    /**
     * per_cpu_ptr(ptr, cpu).
     *
     * @param cpu the simulated CPU
     */
    @SuppressWarnings("unchecked")
    public T of(Cpu cpu) {
        return (T) slots[cpu.id()];
    }

    /**
     * per_cpu_ptr(ptr, cpu) by number.
     *
     * @param cpu the simulated CPU number
     */
    @SuppressWarnings("unchecked")
    public T of(int cpu) {
        return (T) slots[cpu];
    }

    /** this_cpu_ptr(ptr): the calling CPU's instance. */
    public T local() {
        return of(Cpu.current());
    }

    public int size() {
        return slots.length;
    }
}
