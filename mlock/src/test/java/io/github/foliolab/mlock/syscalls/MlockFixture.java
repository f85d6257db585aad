package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.mlock.Mlock;
import io.github.foliolab.mlock.MlockBatch;
import io.github.foliolab.mm.MmInvariants;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Task;
import io.github.foliolab.mm.Vma;

import java.util.ArrayList;
import java.util.List;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A machine with the mlock system calls installed and one process. */
final class MlockFixture {
    static final long P = PAGE_SIZE;

    final Machine machine;
    final Task task;
    final MmStruct mm;

    MlockFixture() {
        this(1);
    }

    MlockFixture(int cpus) {
        machine = Machine.boot(cpus, 8192, 0);
        assertTrue(Mm.of(machine).mlockSyscalls() instanceof MlockSys, "the mlock module attached at build");
        task = new Task(machine, machine.cpu(0));
        mm = task.mm();
    }

    long anon(long pages) {
        long a = task.mmap(0, pages * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        assertTrue(a > 0);
        return a;
    }

    void drain() {
        machine.cpu(0).run(() -> Swap.of(machine).lruAddDrain());
    }

    boolean present(long addr) {
        return Pte.present(mm.pageTables().peek(addr));
    }

    Folio folio(long addr) {
        return machine.memMap().folio(Pte.pfn(mm.pageTables().peek(addr)));
    }

    /** The transcript token of a page: Z M U L A letters or '-' or '.'. */
    String token(long addr) {
        return task.pageFlags(addr);
    }

    String tokens(long addr, int pages) {
        List<String> t = new ArrayList<>();
        for (int i = 0; i < pages; i++) t.add(token(addr + i * P));
        return String.join(" ", t);
    }

    /** The VMAs overlapping [addr, addr+pages) as "pages:flags" with l for VM_LOCKED, o for ONFAULT. */
    String vmas(long addr, int pages) {
        List<String> out = new ArrayList<>();
        for (Vma v : mm.vmasSnapshot()) {
            if (v.end() <= addr || v.start() >= addr + pages * P) continue;
            String f = ((v.flags() & VmFlags.VM_LOCKED) != 0 ? "l" : "") + ((v.flags() & VmFlags.VM_LOCKONFAULT) != 0 ? "o" : "");
            out.add(v.pages() + (f.isEmpty() ? "" : ":" + f));
        }
        return String.join(" ", out);
    }

    /** The rmap invariants, counting the mlock batches' references too. */
    void checkInvariants() {
        Mlock mlock = Mlock.of(machine);
        MmInvariants.check(mm, f -> {
            int n = 0;
            for (int cpu = 0; cpu < machine.cpus().nr(); cpu++) {
                MlockBatch b = mlock.batch(cpu);
                for (int i = 0; i < b.count(); i++) if (b.pfn(i) == f.pfn()) n++;
            }
            return n;
        });
    }

    /**
     * VMAs, PTEs (with each mapped folio's refcount, mapcount and mlock_count), locked_vm, def_flags, every
     * vmstat counter and the mlock batches' sizes, for "a rejected call changes nothing".
     */
    String snapshot() {
        StringBuilder sb = new StringBuilder();
        for (Vma v : mm.vmasSnapshot()) {
            sb.append(v).append('\n');
            for (long a = v.start(); a < v.end(); a += P) {
                long pte = mm.pageTables().peek(a);
                sb.append(Pte.toString(pte)).append(token(a));
                if (Pte.present(pte) && !Pte.special(pte)) {
                    Folio f = machine.memMap().folio(Pte.pfn(pte));
                    sb.append(" ref=").append(f.refCount()).append(" map=").append(f.mapcount());
                    if (f.testUnevictable() && f.testLru()) sb.append(" mlock_count=").append(f.mlockCount());
                }
                sb.append(' ');
            }
            sb.append('\n');
        }
        sb.append(mm.lockedVm()).append(' ').append(mm.defFlags()).append(' ').append(machine.vmstat().procVmstat());
        Mlock mlock = Mlock.of(machine);
        for (int cpu = 0; cpu < machine.cpus().nr(); cpu++) sb.append(" mlock_fbatch[").append(cpu).append("]=").append(mlock.batch(cpu).count());
        return sb.toString();
    }
}
