package io.github.foliolab.explore;

import io.github.foliolab.explore.junit.Experiments;
import io.github.foliolab.explore.scenarios.ThpSplitMlock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The 2023 split race: P's munlock against the deferred split shrinker splitting a large folio F that P's
 * VMA maps only in part, under 7.2's mlock rule, with R1's fix (c), and with the patch under review.
 */
class ThpSplitMlockTest {
    private final ThpSplitMlock s = new ThpSplitMlock();

    @AfterEach
    void noThreadLeft() {
        assertEquals(0, Engine.LIVE_WORKERS.get(), "worker threads outlived their explorer");
    }

    @Test
    void underThePatchTheSplitLeavesThePieceCMapsMlockedAndUnevictable() {
        Result r = Explorer.explore(s, ThpSplitMlock.MLOCK_WITHIN_RANGE, Options.dfs(s.racesBound()));
        assertEquals(Result.Verdict.VIOLATION, r.verdict(), Experiments.report(r));
        // F[2], the piece only C (not VM_LOCKED) maps, keeps the PG_mlocked and PG_unevictable F had.
        assertTrue(r.message().startsWith("stranded: F[2] ("), r.message());
        assertTrue(r.message().contains("unevictable|mlocked") && r.message().contains("mlock_count 0, mapped by C)"),
                r.message());
        // P's pieces F[0] and F[1] are reached by A's munlock walk after the remap: not stranded.
        assertFalse(r.message().contains("F[0]") || r.message().contains("F[1]"), r.message());
        List<String> steps = r.sharedSteps();
        // A takes mmap_lock (and clears VM_LOCKED) before B unmaps F: B's unmap does not munlock F, the
        // split copies PG_mlocked to every piece, and A's walk finds only P's pieces afterwards.
        int aLocks = steps.indexOf("A: down_write(mmap_lock#21)");
        int bFreezes = steps.indexOf("B: folio_ref_freeze(F[0], 1) = true");
        int remapF2 = steps.indexOf("B: folio_test_mlocked(F[2]) = true");
        int aWalks = steps.indexOf("A: spin_lock(ptl@0x200000000)");
        assertTrue(aLocks >= 0 && aLocks < bFreezes && bFreezes < remapF2 && remapF2 < aWalks, steps.toString());
        assertTrue(steps.stream().noneMatch(x -> x.startsWith("B: folio_test_clear_mlocked")), steps.toString());
        assertTrue(steps.contains("A: folio_test_clear_mlocked(F[0]) = true") && steps.contains("A: folio_test_clear_mlocked(F[1]) = true"),
                steps.toString());
        String table = TraceTable.render(r.trace());
        assertTrue(table.contains("| CPU A") && table.contains("| CPU B") && table.contains("deferred_split_scan(node 0) {"), table);
        Result replay = Explorer.explore(s, ThpSplitMlock.MLOCK_WITHIN_RANGE, Options.replay(r.schedule()));
        assertEquals(r.message(), replay.message());
    }

    @Test
    void underThePatchEitherOrderWithoutPreemptionIsClean() {
        // A's munlock first: it munlocks F whole. B's split first: its unmap of P's PTEs munlocks F
        // (munlock_vma_folio in a VM_LOCKED VMA) and its remap mlocks P's pieces, which A then munlocks.
        for (String schedule : List.of("-", "B")) {
            Result r = Explorer.explore(s, ThpSplitMlock.MLOCK_WITHIN_RANGE, Options.replay(schedule));
            assertEquals(Result.Verdict.NO_VIOLATION, r.verdict(), schedule + ": " + Experiments.report(r));
        }
    }

    @Test
    void fixCWithThe72RuleIsCleanOnEveryScheduleWithinTheBound() {
        Result r = Explorer.explore(s, ThpSplitMlock.FIX_C_ONLY, Options.dfs(s.racesBound()));
        assertEquals(Result.Verdict.NO_VIOLATION, r.verdict(), Experiments.report(r));
        assertTrue(r.exhausted(), r.verdictLine());
    }

    @Test
    void the72CodeReachesR1ThroughTheSplitsRemap() {
        Result r = Explorer.explore(s, ThpSplitMlock.AS_IS, Options.dfs(s.racesBound()));
        assertEquals(Result.Verdict.VIOLATION, r.verdict(), Experiments.report(r));
        // Not this thread's stranding: F[0] is unevictable without PG_mlocked (munlock-putback's R1).
        assertTrue(r.message().startsWith("stranded: F[0] (") && r.message().contains("unevictable|zone"), r.message());
        assertFalse(r.message().contains("mlocked"), r.message());
        List<String> steps = r.sharedSteps();
        // B's remap mlocks P's piece F[0] (VM_LOCKED still set) and its mlock batch takes the PG_lru
        // ticket; A's munlock loses it and clears PG_mlocked; B's __mlock_folio culls F[0] all the same.
        int aLoses = steps.indexOf("A: folio_test_clear_lru(F[0]) = false");
        int aClears = steps.indexOf("A: folio_test_clear_mlocked(F[0]) = true");
        assertTrue(aLoses >= 0 && aLoses < aClears, steps.toString());
        List<String> before = steps.subList(0, aLoses);
        int bMlocks = before.lastIndexOf("B: folio_test_set_mlocked(F[0]) = false");
        int bTakes = before.lastIndexOf("B: folio_test_clear_lru(F[0]) = true");
        int bPutsBack = steps.subList(aClears, steps.size()).indexOf("B: folio_set_lru(F[0])");
        assertTrue(bMlocks >= 0 && bMlocks < bTakes && bPutsBack > 0, steps.toString());
    }
}
