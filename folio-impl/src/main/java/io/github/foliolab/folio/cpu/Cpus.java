package io.github.foliolab.folio.cpu;

import io.github.foliolab.folio.api.sched.ObjectIds;

import java.util.Arrays;
import java.util.List;

/** One machine's possible (and online) CPUs: cpu_possible_mask / cpu_online_mask, all online. */
public final class Cpus {
    private final Cpu[] cpus;
    private final int[] cpuToNode;
    private final ObjectIds objectIds;

    /**
     * {@code nr} CPUs of a machine whose locks and lists are numbered by {@code objectIds}.
     *
     * @param objectIds the machine's registry of lock and list ids
     * @param nr the number of CPUs (nr_cpu_ids), all on node 0
     * @throws IllegalArgumentException unless 1 &lt;= nr &lt;= 1024
     */
    public Cpus(ObjectIds objectIds, int nr) {
        this(objectIds, nr, new int[nr]);
    }

    /**
     * {@code nr} CPUs, CPU i on node {@code cpuToNode[i]} (the arch topology's cpu_to_node()).
     *
     * @param objectIds the machine's registry of lock and list ids
     * @param nr the number of CPUs (nr_cpu_ids)
     * @param cpuToNode the node id of each CPU, {@code nr} entries
     * @throws IllegalArgumentException unless 1 &lt;= nr &lt;= 1024 and every CPU has a node id &gt;= 0
     */
    public Cpus(ObjectIds objectIds, int nr, int[] cpuToNode) {
        if (nr < 1 || nr > 1024) {
            throw new IllegalArgumentException("nr_cpu_ids must be 1..1024, got " + nr);
        }
        if (cpuToNode.length != nr) {
            throw new IllegalArgumentException(nr + " CPUs but " + cpuToNode.length + " node ids");
        }
        for (int i = 0; i < nr; i++) {
            if (cpuToNode[i] < 0) {
                throw new IllegalArgumentException("CPU " + i + " on node " + cpuToNode[i]);
            }
        }
        this.cpuToNode = cpuToNode.clone();
        this.objectIds = objectIds;
        cpus = new Cpu[nr];
        for (int i = 0; i < nr; i++) {
            cpus[i] = new Cpu(this, i);
        }
    }

    /**
     * cpu_to_node().
     *
     * @param cpu the CPU id
     * @return the node id of that CPU
     */
    public int nodeOf(int cpu) {
        return cpuToNode[cpu];
    }

    /**
     * nr_cpu_ids.
     *
     * @return the number of CPUs, 1 to 1024
     */
    public int nr() {
        return cpus.length;
    }

    /**
     * The CPU numbered {@code id}.
     *
     * @param id the CPU id, 0 to {@code nr() - 1}
     * @return that CPU
     * @throws IllegalArgumentException if there is no such CPU
     */
    public Cpu get(int id) {
        if (id < 0 || id >= cpus.length) {
            throw new IllegalArgumentException("no CPU " + id + " (nr_cpu_ids " + cpus.length + ")");
        }
        return cpus[id];
    }

    /**
     * for_each_online_cpu().
     *
     * @return every CPU, in id order (all are online)
     */
    public List<Cpu> online() {
        return Arrays.asList(cpus);
    }

    /** The registry that numbers the objects of this machine (bound while code runs on its CPUs). */
    ObjectIds objectIds() {
        return objectIds;
    }

    /**
     * Check that {@code cpu} is one of these CPUs.
     *
     * @param cpu the CPU to check
     * @return {@code cpu}, for chaining
     * @throws IllegalArgumentException naming the CPU if it belongs to another machine
     */
    public Cpu check(Cpu cpu) {
        if (cpu.owner() != this) {
            throw new IllegalArgumentException(cpu + " belongs to another machine: a CPU runs only its own"
                    + " machine's code (bind with that machine's cpu(" + cpu.id() + ").run(...))");
        }
        return cpu;
    }
}
