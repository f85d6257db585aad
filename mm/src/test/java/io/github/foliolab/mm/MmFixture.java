package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;

import java.util.ArrayList;
import java.util.List;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A small machine with one process, plus the invariant checks and state snapshots the tests use. */
final class MmFixture {
    static final long P = PAGE_SIZE;

    final Machine machine;
    final Task task;
    final MmStruct mm;

    MmFixture() {
        this(1);
    }

    MmFixture(int cpus) {
        machine = Machine.boot(cpus, 8192, 0);
        task = new Task(machine, machine.cpu(0));
        mm = task.mm();
    }

    long mmapAnon(long pages, int prot) {
        long a = task.mmap(0, pages * P, prot, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        assertTrue(a > 0, "mmap failed: " + a);
        return a;
    }

    long mmapShmem(long pages, int prot) {
        long a = task.mmap(0, pages * P, prot, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        assertTrue(a > 0, "mmap failed: " + a);
        return a;
    }

    long mmapFile(AddressSpace file, long pages, int prot, boolean shared) {
        long a = task.mmap(0, pages * P, prot, shared ? MAP_SHARED : MAP_PRIVATE, file, 0);
        assertTrue(a > 0, "mmap failed: " + a);
        return a;
    }

    long pte(long addr) {
        return mm.pageTables().peek(addr);
    }

    Folio folioAt(long addr) {
        long pte = pte(addr);
        assertTrue(Pte.present(pte), "no page at 0x" + Long.toHexString(addr));
        return machine.memMap().folio(Pte.pfn(pte));
    }

    /** The VMAs as [start, end, flags, pgoff] rows. */
    List<List<Long>> vmaTable() {
        List<List<Long>> out = new ArrayList<>();
        for (Vma v : mm.vmasSnapshot()) {
            out.add(List.of(v.start(), v.end(), v.flags(), v.pgoff()));
        }
        return out;
    }

    /** Everything a rejected call must leave unchanged: VMAs, PTEs, counters, vmstat. */
    String snapshot() {
        StringBuilder sb = new StringBuilder();
        sb.append(vmaTable()).append('\n');
        for (Vma v : mm.vmasSnapshot()) {
            for (long a = v.start(); a < v.end(); a += P) {
                long pte = pte(a);
                if (pte != 0) {
                    sb.append(Long.toHexString(a)).append('=').append(Pte.toString(pte));
                    if (Pte.present(pte)) {
                        Folio f = machine.memMap().folio(Pte.pfn(pte));
                        sb.append(" ref ").append(f.refCount()).append(" map ").append(f.mapcount())
                                .append(" flags ").append(Long.toHexString(f.flags()));
                    }
                    sb.append('\n');
                }
            }
        }
        sb.append("locked_vm ").append(mm.lockedVm()).append(" total_vm ").append(mm.totalVm())
                .append(" def_flags ").append(mm.defFlags()).append('\n');
        sb.append(machine.vmstat().procVmstat());
        return sb.toString();
    }

    /**
     * The rmap invariants: each folio's mapcount equals the PTEs mapping it, its refcount is at least
     * mapcount + page-cache reference, and no PTE points at a free folio or the zero page without
     * the special bit.
     */
    void checkInvariants() {
        MmInvariants.check(mm, f -> 0);
    }
}
