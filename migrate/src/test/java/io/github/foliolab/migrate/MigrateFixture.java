package io.github.foliolab.migrate;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.mm.MigrateSyscalls;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Task;

import static io.github.foliolab.mm.Mman.*;

/** A two-node machine (CPU i on node i, each node a kernel zone and a ZONE_MOVABLE) and a root task on CPU 0. */
final class MigrateFixture implements AutoCloseable {
    final Machine machine;
    final Task task;

    MigrateFixture() {
        machine = Machine.builder().cpus(2).node(8192, 8192).node(8192, 8192).cpuNodes(0, 1).build();
        task = Task.root(machine);
    }

    long mmapAnon(int pages) {
        return task.mmap(0, pages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    }

    long mmapShmem(int pages) {
        return task.mmap(0, pages * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, null, 0);
    }

    void touch(long addr, int pages, boolean write) {
        for (int i = 0; i < pages; i++) {
            if (task.touch(addr + i * PAGE_SIZE, write) != 0) throw new AssertionError("touch failed");
        }
    }

    long pte(long addr) {
        return task.mm().pageTables().peek(addr);
    }

    /** The folio mapped at addr (a present PTE required). */
    Folio folioAt(long addr) {
        long pte = pte(addr);
        if (!Pte.present(pte)) throw new AssertionError("no present PTE at 0x" + Long.toHexString(addr));
        return machine.memMap().pageFolio(Pte.pfn(pte));
    }

    /** move_pages(2) of n pages from addr to node; status filled with Integer.MIN_VALUE first. */
    int move(long addr, int n, int node, int[] status) {
        long[] pages = new long[n];
        int[] nodes = new int[n];
        for (int i = 0; i < n; i++) {
            pages[i] = addr + i * PAGE_SIZE;
            nodes[i] = node;
            status[i] = Integer.MIN_VALUE;
        }
        return task.movePages(pages, nodes, status, MigrateSyscalls.MPOL_MF_MOVE);
    }

    long vm(String name) {
        return machine.vmstatSum(name);
    }

    @Override
    public void close() {
        machine.close();
    }
}
