package io.github.foliolab.conformance;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.Task;

/**
 * The simulated counterpart of the real runner's machine: one CPU, a node of 1 GiB as the QEMU guest
 * has (-m 1024M), the mlock system calls installed, and a root process (CAP_IPC_LOCK, CAP_SYS_RAWIO)
 * on CPU 0.
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

    static Task rootTask(Machine m) {
        return Task.root(m); // the runner is PID 1, root: CAP_IPC_LOCK, CAP_SYS_RAWIO
    }

    static Mm mm(Machine m) {
        return Mm.of(m);
    }
}
