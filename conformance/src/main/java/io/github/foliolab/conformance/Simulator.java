package io.github.foliolab.conformance;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MmStruct;
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
        Task t = new Task(m, m.cpu(0));
        MmStruct mm = t.mm();
        mm.setCapIpcLock(true); // the runner is PID 1, root
        mm.setCapSysRawio(true); // root: cap_mmap_addr allows addresses below mmap_min_addr
        mm.setRlimitMemlock(MmStruct.DEFAULT_RLIMIT_MEMLOCK);
        return t;
    }

    static Mm mm(Machine m) {
        return Mm.of(m);
    }
}
