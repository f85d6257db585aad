package io.github.foliolab.migrate;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.mm.MigrateSyscalls;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Task;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Migrate#REF_CHECK}: run alone (no concurrent reference), every choice moves a shmem folio with
 * the same reference arithmetic as 7.2 and refuses one that somebody else holds. What differs between the
 * choices is only visible to a concurrent reference: the explorer's {@code gup-fast-migration}.
 */
class MigrateRefCheckTest {
    @Test
    void everyChoiceMovesAShmemFolioWithItsReferencesAndRefusesOneWithAnExtraReference() {
        assertEquals(MigrateRefCheck.V7_2, Migrate.REF_CHECK.defaultValue());
        for (MigrateRefCheck check : MigrateRefCheck.values()) {
            try (Machine m = Machine.builder().cpus(2).node(8192, 8192).node(8192, 8192).cpuNodes(0, 1)
                    .with(Migrate.REF_CHECK, check).build()) {
                Task t = Task.root(m);
                long a = t.mmap(0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, null, 0);
                assertEquals(0, t.touch(a, true));
                assertEquals(0, t.touch(a + PAGE_SIZE, true));
                t.lruAddDrain();
                Folio kept = folioAt(t, a + PAGE_SIZE);
                int baseline = kept.refCount(); // the page cache's and the PTE's
                assertEquals(2, baseline, check.name());
                kept.get(); // somebody else's reference

                int[] status = {Integer.MIN_VALUE};
                assertEquals(0, t.movePages(new long[] {a}, new int[] {1}, status, MigrateSyscalls.MPOL_MF_MOVE), check.name());
                assertEquals(1, status[0], check.name());
                t.lruAddDrain();
                Folio moved = folioAt(t, a);
                assertEquals(1, moved.nid(), check.name());
                assertEquals(baseline, moved.refCount(), check.name() + ": the page cache's and the PTE's references moved");

                status[0] = Integer.MIN_VALUE;
                assertEquals(1, t.movePages(new long[] {a + PAGE_SIZE}, new int[] {1}, status, MigrateSyscalls.MPOL_MF_MOVE),
                        check.name());
                assertEquals(kept, folioAt(t, a + PAGE_SIZE), check.name() + ": the referenced folio stayed");
                kept.put();
                assertEquals(baseline, kept.refCount(), check.name());
            }
        }
    }

    private static Folio folioAt(Task t, long addr) {
        long pte = t.mm().pageTables().peek(addr);
        assertTrue(Pte.present(pte));
        return t.machine().memMap().pageFolio(Pte.pfn(pte));
    }
}
