package io.github.foliolab.conformance;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.Task;

import java.util.ArrayList;
import java.util.List;

/**
 * A machine with the mlock module attached and its processes, for the reliability tests (syscall fuzzing,
 * the multi-CPU load). Every such test boots its machine and makes its processes through
 * {@link #boot} and {@link #newProcess} only, so that a change of how a machine is built is made here once.
 */
final class Rig implements AutoCloseable {
    final Machine machine;
    private final List<Task> processes = new ArrayList<>();

    private Rig(Machine machine) {
        this.machine = machine;
    }

    /** A machine of {@code cpus} CPUs and a node of {@code pages} 4 KiB pages (ZONE_NORMAL only). */
    static Rig boot(int cpus, long pages) {
        Machine m = Machine.boot(cpus, pages, 0);
        MlockSetup.install(m);
        return new Rig(m);
    }

    /**
     * A new process (its own mm) whose system calls run on {@code cpu}, with the given credentials:
     * CAP_IPC_LOCK, CAP_SYS_RAWIO and RLIMIT_MEMLOCK in bytes.
     */
    Task newProcess(int cpu, boolean capIpcLock, boolean capSysRawio, long rlimitMemlock) {
        Task t = new Task(machine, machine.cpu(cpu));
        MmStruct mm = t.mm();
        mm.setCapIpcLock(capIpcLock);
        mm.setCapSysRawio(capSysRawio);
        mm.setRlimitMemlock(rlimitMemlock);
        processes.add(t);
        return t;
    }

    List<Task> processes() {
        return processes;
    }

    /** Power off: stop the kworkers and release the off-heap memmap. */
    @Override
    public void close() {
        Swap.of(machine).close();
        machine.memMap().close();
    }
}
