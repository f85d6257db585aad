package io.github.foliolab.folio.cpu;

import java.util.function.IntFunction;

/**
 * DEFINE_PER_CPU data of one machine: one instance per CPU, reached with this_cpu_ptr / per_cpu_ptr.
 * Reaching it with another machine's CPU is an error, never another machine's instance.
 *
 * @param <T> the type of each CPU's instance
 */
public final class PerCpu<T> {
    private final Cpus cpus;
    private final Object[] slots;

    /**
     * One instance per CPU of {@code cpus}, made by {@code init} with the CPU id (the per-CPU area's initial
     * content).
     *
     * @param cpus the machine's CPUs
     * @param init makes CPU i's instance from i
     */
    public PerCpu(Cpus cpus, IntFunction<T> init) {
        this.cpus = cpus;
        slots = new Object[cpus.nr()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = init.apply(i);
        }
    }

    /**
     * per_cpu_ptr(ptr, cpu).
     *
     * @param cpu a CPU of this machine
     * @return that CPU's instance
     * @throws IllegalArgumentException if {@code cpu} belongs to another machine
     */
    @SuppressWarnings("unchecked")
    public T of(Cpu cpu) {
        if (cpu.owner() != cpus) {
            cpus.check(cpu);
        }
        return (T) slots[cpu.id()];
    }

    /**
     * per_cpu_ptr(ptr, cpu) by number.
     *
     * @param cpu the CPU id
     * @return that CPU's instance
     * @throws IllegalArgumentException if there is no CPU {@code cpu}
     */
    @SuppressWarnings("unchecked")
    public T of(int cpu) {
        if (cpu < 0 || cpu >= slots.length) {
            throw new IllegalArgumentException("no CPU " + cpu + " (nr_cpu_ids " + slots.length + ")");
        }
        return (T) slots[cpu];
    }

    /**
     * this_cpu_ptr(ptr): the calling CPU's instance.
     *
     * @return the calling CPU's instance
     */
    public T local() {
        return of(Cpu.current());
    }

    /**
     * The number of instances: one per CPU (nr_cpu_ids).
     *
     * @return the number of CPUs
     */
    public int size() {
        return slots.length;
    }
}
