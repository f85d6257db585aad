package io.github.foliolab.explore;

import io.github.foliolab.explore.junit.Experiments;
import io.github.foliolab.explore.scenarios.MigrationMlock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** R9, the 2022 thread: remove_migration_pte against mlock()'s walk, with and without the VM_IO guard. */
class MigrationMlockTest {
    @Test
    void theVmIoGuardNeverDoubleCountsOnlyTheAcceptedUndercountIsReachable() {
        Result r = Explorer.explore(new MigrationMlock(), MigrationMlock.AS_IS, Options.dfs(3));
        System.out.println(r.verdictLine());
        assertEquals(Result.Verdict.ACCEPTED, r.verdict(), Experiments.report(r));
        assertTrue(r.message().startsWith("undercount"), r.message());
        assertTrue(r.exhausted(), "every schedule within the bound ran");
    }

    @Test
    void withoutTheGuardMunlockLeavesTheFolioMlockedAndUnevictable() {
        Result r = Explorer.explore(new MigrationMlock(), MigrationMlock.NO_GUARD, Options.dfs(3));
        assertEquals(Result.Verdict.VIOLATION, r.verdict(), Experiments.report(r));
        assertTrue(r.message().startsWith("double-count: mlock_count was 2"), r.message());
        String table = TraceTable.render(r.trace());
        System.out.println(r.verdictLine());
        System.out.print(table);
        assertTrue(table.contains("| CPU A") && table.contains("| CPU B"), table);
        assertTrue(table.contains("mlock_folio(F)"), table);
        assertTrue(table.contains("remove_migration_ptes(old, F)"), table);
    }
}
