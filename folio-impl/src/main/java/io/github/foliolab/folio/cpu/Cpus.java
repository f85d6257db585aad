package io.github.foliolab.folio.cpu;

import java.util.Arrays;
import java.util.List;

/** The machine's possible (and online) CPUs: cpu_possible_mask / cpu_online_mask, all online. */
public final class Cpus {
    private final Cpu[] cpus;

    public Cpus(int nr) {
        if (nr < 1 || nr > 1024) {
            throw new IllegalArgumentException("nr_cpu_ids must be 1..1024, got " + nr);
        }
        cpus = new Cpu[nr];
        for (int i = 0; i < nr; i++) {
            cpus[i] = new Cpu(i);
        }
    }

    /** nr_cpu_ids. */
    public int nr() {
        return cpus.length;
    }

    public Cpu get(int id) {
        if (id < 0 || id >= cpus.length) {
            throw new IllegalArgumentException("no CPU " + id + " (nr_cpu_ids " + cpus.length + ")");
        }
        return cpus[id];
    }

    /** for_each_online_cpu(). */
    public List<Cpu> online() {
        return Arrays.asList(cpus);
    }
}
