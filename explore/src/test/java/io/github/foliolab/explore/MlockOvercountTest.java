package io.github.foliolab.explore;

import io.github.foliolab.explore.junit.Experiments;
import io.github.foliolab.explore.scenarios.MlockOvercount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The mlock_count overcount from the system-call level, and the candidate fixes' exhaustive verdicts. */
class MlockOvercountTest {
    private final MlockOvercount s = new MlockOvercount();

    @AfterEach
    void noThreadLeft() {
        assertEquals(0, Engine.LIVE_WORKERS.get(), "worker threads outlived their explorer");
    }

    @Test
    void the72CodeOvercountsWithoutAnyPreemption() {
        Result r = Explorer.explore(s, MlockOvercount.AS_IS, Options.dfs(0));
        assertEquals(Result.Verdict.VIOLATION, r.verdict(), Experiments.report(r));
        assertTrue(r.message().startsWith("overcount: F is "), r.message());
        assertTrue(r.message().contains("mlocked") && r.message().contains("mlock_count 1, mapped by 0 VM_LOCKED VMAs"), r.message());
        List<String> steps = r.sharedSteps();
        // B's fault sets PG_mlocked and leaves its entry queued; A's munlock clears PG_mlocked of the
        // not yet culled folio; A's mlock culls it with mlock_count 1; kworker/1's drain counts it again.
        int faultMlocks = steps.indexOf("B: folio_test_set_mlocked(F) = false");
        int munlockClears = steps.indexOf("A: folio_test_clear_mlocked(F) = true");
        int mlockCulls = steps.indexOf("A: folio_set_unevictable(F)");
        int kworkerCounts = steps.indexOf("C: folio_test_unevictable(F) = true");
        assertTrue(faultMlocks >= 0 && faultMlocks < munlockClears && munlockClears < mlockCulls && mlockCulls < kworkerCounts,
                steps.toString());
        String table = TraceTable.render(r.trace());
        assertTrue(table.contains("| CPU A") && table.contains("| CPU B") && table.contains("| kworker/1"), table);
        Result replay = Explorer.explore(s, MlockOvercount.AS_IS, Options.replay(r.schedule()));
        assertEquals(r.message(), replay.message());
    }

    @Test
    void r1sFixCAloneLeavesTheOvercount() {
        Result r = Explorer.explore(s, MlockOvercount.FIX_C_ONLY, Options.dfs(1));
        assertEquals(Result.Verdict.VIOLATION, r.verdict(), Experiments.report(r));
        assertTrue(r.message().startsWith("overcount: "), r.message());
    }

    @Test
    void theCandidateFixesHoldOnEverySchedule() {
        for (var v : List.of(MlockOvercount.FIX_NO_INCREMENT, MlockOvercount.FIX_DRAIN_ALL,
                MlockOvercount.TWO_LOCKED, MlockOvercount.TWO_LOCKED_DRAIN_ALL)) {
            Result r = Explorer.explore(s, v, Options.dpor(1));
            assertEquals(Result.Verdict.NO_VIOLATION, r.verdict(), Experiments.report(r));
            assertTrue(r.exhausted(), r.verdictLine());
        }
    }

    @Test
    void noIncrementUndercountsAFolioWithTwoLockedMappings() {
        Result r = Explorer.explore(s, MlockOvercount.TWO_LOCKED_NO_INCREMENT, Options.dpor(1));
        assertEquals(Result.Verdict.ACCEPTED, r.verdict(), Experiments.report(r));
        assertTrue(r.message().startsWith("undercount: ") && r.message().contains("mlock_count 1, mapped by 2 VM_LOCKED VMAs"),
                r.message());
        assertTrue(r.exhausted(), r.verdictLine());
    }

    @Test
    void racesExploreItWithAtMostOnePreemption() {
        assertEquals(1, s.racesOptions(Options.dfs(3)).bound());
        assertEquals(0, s.racesOptions(Options.dfs(0)).bound());
        assertEquals(Options.pct(1, 10, 3), s.racesOptions(Options.pct(1, 10, 3)));
        assertEquals(3, new io.github.foliolab.explore.scenarios.MunlockPutback().racesOptions(Options.dfs(3)).bound());
    }
}
