package io.github.foliolab.conformance;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.Task;

/**
 * The simulated counterpart of the real runner's machine: for v1 one CPU and a node of 1 GiB as the
 * QEMU guest has (-m 1024M); for v2 two CPUs on two nodes of 512 MiB; the mlock system calls installed,
 * and a root process (CAP_IPC_LOCK, CAP_SYS_RAWIO) on CPU 0.
 */
final class Simulator {
    private Simulator() {}

    /** 1 GiB of 4 KiB pages. */
    static final long NODE_PAGES = 262_144;

    static Machine bootMachine() {
        Machine m = Machine.boot(1, NODE_PAGES, 0);
        MlockSetup.install(m);
        return m;
    }

    /**
     * A v2 node as the qemu guest's: 512 MiB, of which ZONE_MOVABLE takes 40% (movablecore=40%, rounded
     * down to whole 4 MiB blocks) and the kernel zone the rest.
     */
    static final long V2_NODE_PAGES = 131_072;
    static final long V2_MOVABLE_PAGES = (V2_NODE_PAGES * 40 / 100) & ~1023L;

    /** The v2 machine: two CPUs, CPU i on node i, each node with a kernel zone and a ZONE_MOVABLE. */
    static Machine bootMachineV2() {
        Machine m = Machine.builder().cpus(2)
                .node(V2_NODE_PAGES - V2_MOVABLE_PAGES, V2_MOVABLE_PAGES)
                .node(V2_NODE_PAGES - V2_MOVABLE_PAGES, V2_MOVABLE_PAGES)
                .cpuNodes(0, 1)
                .build();
        MlockSetup.install(m);
        return m;
    }

    static Task rootTask(Machine m) {
        return Task.root(m); // the runner is PID 1, root: CAP_IPC_LOCK, CAP_SYS_RAWIO
    }

    static Mm mm(Machine m) {
        return Mm.of(m);
    }
}
