package io.github.foliolab.examples;

// --- the README's library example starts here ---
import io.github.foliolab.folio.Machine;
import io.github.foliolab.mm.Task;

import static io.github.foliolab.mm.Mman.*;

/** Boot a machine, map, touch, mlock, read flags and vmstat, close: FolioLab used as a library. */
public final class LibraryExample {
    public static void main(String[] args) {
        // Two CPUs and 1 GiB of ZONE_NORMAL; the lru, mm and mlock modules attach themselves.
        try (Machine machine = Machine.builder().cpus(2).zones(262_144, 0).build()) {
            Task task = Task.root(machine); // a root process on CPU 0
            long len = 4 * PAGE_SIZE;
            long addr = task.mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
            for (long a = addr; a < addr + len; a += PAGE_SIZE) {
                task.touch(a, true); // write fault: a new anonymous folio, queued in CPU 0's lru_add batch
            }
            System.out.println("touched:  " + flags(task, addr, 4));
            task.lruAddDrain(); // lru_add_drain() on CPU 0: the folios reach the inactive anon LRU
            System.out.println("drained:  " + flags(task, addr, 4));
            int ret = task.mlock(addr, 2 * PAGE_SIZE); // 0 or -errno, as the system call returns
            System.out.println("mlock = " + ret + ": " + flags(task, addr, 4));
            System.out.println("VmLck " + task.vmLckKb() + " kB, nr_mlock " + task.vmstat().byName("nr_mlock")
                    + ", nr_unevictable " + task.vmstat().byName("nr_unevictable"));
        }
    }

    /** kpageflags letters of {@code n} pages: M mlocked, U unevictable, L on an LRU, A active. */
    static String flags(Task task, long addr, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(task.pageFlags(addr + i * PAGE_SIZE));
        }
        return sb.toString();
    }
}
// --- the README's library example ends here ---
