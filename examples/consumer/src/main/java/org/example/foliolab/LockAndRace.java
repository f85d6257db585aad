package org.example.foliolab;

import io.github.foliolab.explore.Explorer;
import io.github.foliolab.explore.Options;
import io.github.foliolab.explore.Result;
import io.github.foliolab.explore.scenarios.MunlockPutback;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.mm.Task;

import java.io.PrintStream;

import static io.github.foliolab.mm.Mman.MAP_ANONYMOUS;
import static io.github.foliolab.mm.Mman.MAP_PRIVATE;
import static io.github.foliolab.mm.Mman.PROT_READ;
import static io.github.foliolab.mm.Mman.PROT_WRITE;

/**
 * A user's program on FolioLab's published artifacts: mmap and mlock four pages of a simulated process
 * and print VmLck, then run the munlock-vs-putback race (R1) through the explorer and print its verdict.
 */
public final class LockAndRace {
    private LockAndRace() {}

    public static void main(String[] args) {
        run(System.out);
    }

    /** Runs both parts, printing on {@code out}; returns VmLck in kB after mlock. */
    static long run(PrintStream out) {
        Machine machine = Machine.boot(1, 8192, 0);
        Task task = new Task(machine, machine.cpu(0));
        long len = 4 * 4096;
        long addr = task.mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        int rc = task.mlock(addr, len);
        long vmLck = task.vmLckKb();
        out.println("mmap = 0x" + Long.toHexString(addr) + ", mlock = " + rc + ", VmLck: " + vmLck + " kB");

        Result r = Explorer.explore(new MunlockPutback(), MunlockPutback.AS_IS, Options.dfs(3));
        out.println(r.verdictLine());
        return vmLck;
    }
}
