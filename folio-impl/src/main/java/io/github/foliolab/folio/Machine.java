package io.github.foliolab.folio;

import io.github.foliolab.folio.cpu.Cpu;
import io.github.foliolab.folio.cpu.Cpus;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A simulated machine: its CPUs and its one memory node. Other modules hang their per-machine state on
 * it with {@link #state} (the lruvec and per-CPU batches of the lru module, the mlock batches, ...), the
 * way the kernel's subsystems own static per-node and per-CPU data.
 */
public final class Machine {
    /**
     * A typed key for a module's per-machine state.
     *
     * @param <T> the type
     */
    public static final class Key<T> {
        private final String name;
        private final Function<Machine, T> init;

        public Key(String name, Function<Machine, T> init) {
            this.name = name;
            this.init = init;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final Cpus cpus;
    private final Node node;
    private final Map<Key<?>, Object> state = new ConcurrentHashMap<>();

    public Machine(Cpus cpus, Node node) {
        this.cpus = cpus;
        this.node = node;
    }

    /**
     * {@return a machine with {@code nrCpus} CPUs and a node of {@code normalPages} + {@code
     * movablePages}}
     *
     * @param nrCpus the number of simulated CPUs
     * @param normalPages pages of ZONE_NORMAL (at least one pageblock, 512)
     * @param movablePages pages of ZONE_MOVABLE (0 or at least one pageblock)
     */
    public static Machine boot(int nrCpus, long normalPages, long movablePages) {
        return new Machine(new Cpus(nrCpus), Node.boot(normalPages, movablePages));
    }

    /**
     * Like {@link #boot}, with a node whose memmap the garbage collector frees
     * ({@link Node#bootGcManaged}): for short-lived machines, one per explored schedule.
     *
     * @param nrCpus the number of simulated CPUs
     * @param normalPages pages of ZONE_NORMAL (at least one pageblock, 512)
     * @param movablePages pages of ZONE_MOVABLE (0 or at least one pageblock)
     */
    public static Machine bootGcManaged(int nrCpus, long normalPages, long movablePages) {
        return new Machine(new Cpus(nrCpus), Node.bootGcManaged(normalPages, movablePages));
    }

    public Cpus cpus() {
        return cpus;
    }

    public Cpu cpu(int id) {
        return cpus.get(id);
    }

    public Node node() {
        return node;
    }

    public MemMap memMap() {
        return node.memMap();
    }

    public VmStat vmstat() {
        return node.vmstat();
    }

    /** {@return the state for {@code key}, created on first use by the key's initialiser} */
    @SuppressWarnings("unchecked")
    public <T> T state(Key<T> key) {
        Object v = state.get(key);
        if (v == null) {
            // Not computeIfAbsent: an initialiser may itself ask for other modules' state.
            T created = key.init.apply(this);
            Object prev = state.putIfAbsent(key, created);
            v = prev != null ? prev : created;
        }
        return (T) v;
    }
}
