package io.github.foliolab.gup;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Task;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two CPUs on two nodes, each with a kernel zone and a ZONE_MOVABLE, and a root process on CPU 0. */
final class GupFixture implements AutoCloseable {
    static final long P = PAGE_SIZE;

    final Machine machine;
    final Task task;
    final Gup gup;

    GupFixture() {
        this(Machine.builder());
    }

    GupFixture(Machine.Builder b) {
        machine = b.cpus(2).node(4096, 4096).node(4096, 4096).cpuNodes(0, 1).build();
        task = Task.root(machine);
        gup = Gup.of(machine);
    }

    long mmap(long pages, int prot, int flags) {
        long a = task.mmap(0, pages * P, prot, flags, null, 0);
        assertTrue(a > 0, "mmap failed: " + a);
        return a;
    }

    long anon(long pages) {
        return mmap(pages, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    }

    long shmem(long pages) {
        return mmap(pages, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
    }

    void touch(long addr, long pages) {
        for (long i = 0; i < pages; i++) {
            assertTrue(task.touch(addr + i * P, true) == 0);
        }
    }

    long pte(long addr) {
        return task.mm().pageTables().peek(addr);
    }

    Folio folioAt(long addr) {
        long pte = pte(addr);
        assertTrue(Pte.present(pte), "no page at 0x" + Long.toHexString(addr));
        return machine.memMap().folio(Pte.pfn(pte));
    }

    boolean inMovable(Folio f) {
        return machine.memMap().nodeOf(f.pfn()).isMovableOrCma(f.pfn());
    }

    @Override
    public void close() {
        machine.close();
    }
}
