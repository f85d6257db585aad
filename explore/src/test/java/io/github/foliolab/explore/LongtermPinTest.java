package io.github.foliolab.explore;

import io.github.foliolab.explore.junit.Experiments;
import io.github.foliolab.explore.scenarios.LongtermPinMlockBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The 2025 race from the system-call level: an io_uring long-term pin on CPU B against CPU A's fault
 * that leaves the folio in A's mlock batch, with 6.15's and 7.2's drain logic.
 */
class LongtermPinTest {
    private final LongtermPinMlockBatch s = new LongtermPinMlockBatch();

    @AfterEach
    void noThreadLeft() {
        assertEquals(0, Engine.LIVE_WORKERS.get(), "worker threads outlived their explorer");
    }

    @Test
    void the615DrainLogicFailsThePinWithoutAnyPreemption() {
        Result r = Explorer.explore(s, LongtermPinMlockBatch.V6_15, Options.dfs(0));
        assertEquals(Result.Verdict.VIOLATION, r.verdict(), Experiments.report(r));
        assertEquals("-", r.schedule(), "A's fault returns, then B pins: no preemption");
        assertTrue(r.message().startsWith("spurious-enomem: the long-term pin of S returned -12")
                && r.message().contains("the mlock batch of CPU A"), r.message());
        List<String> steps = r.sharedSteps();
        // A's fault queues S in its mlock batch (PG_lru stays set); B isolates S without draining it and
        // every migration pass fails: the kworker never runs, nothing queued work for it.
        int mlocked = steps.indexOf("A: folio_test_set_mlocked(S) = false");
        int isolated = steps.indexOf("B: folio_test_clear_lru(S) = true");
        assertTrue(mlocked >= 0 && mlocked < isolated, steps.toString());
        assertFalse(steps.stream().anyMatch(x -> x.startsWith("B: queue_work_on")), steps.toString());
        String table = TraceTable.render(r.trace());
        assertTrue(table.contains("| CPU A") && table.contains("| CPU B") && table.contains("| kworker/0"), table);
        Result replay = Explorer.explore(s, LongtermPinMlockBatch.V6_15, Options.replay(r.schedule()));
        assertEquals(r.message(), replay.message());
    }

    @Test
    void the72DrainLogicPinsOnEveryScheduleWithoutPreemption() {
        Result r = Explorer.explore(s, LongtermPinMlockBatch.V7_2, Options.dfs(0));
        assertEquals(Result.Verdict.NO_VIOLATION, r.verdict(), Experiments.report(r));
        assertTrue(r.exhausted(), r.verdictLine());
        // The default schedule: B's lru_add_drain_all() queues work on CPU A and kworker/0 empties A's mlock batch.
        Result replay = Explorer.explore(s, LongtermPinMlockBatch.V7_2, Options.replay("-"));
        List<String> steps = replay.sharedSteps();
        int queued = steps.indexOf("B: queue_work_on(lru_add_drain_work/0)");
        int culled = steps.indexOf("C: folio_set_unevictable(S)");
        int isolated = steps.lastIndexOf("B: folio_test_clear_lru(S) = true");
        assertTrue(queued >= 0 && queued < culled && culled < isolated, steps.toString());
    }

    /**
     * The 7.2 search with one preemption: no batch holds S when a pin fails; the only failure is a
     * reference that CPU A's fault holds across all of migration's passes (accepted).
     */
    @Test
    void the72SearchWithOnePreemptionFindsOnlyTheTransientReference() {
        Result r = Explorer.explore(s, LongtermPinMlockBatch.V7_2, Options.dpor(1));
        assertEquals(Result.Verdict.ACCEPTED, r.verdict(), Experiments.report(r));
        assertTrue(r.exhausted(), r.verdictLine());
        assertTrue(r.verdictLine().contains("transient-reference: the long-term pin of S returned -12"), r.verdictLine());
    }

    @Test
    void racesExploreItWithoutPreemption() {
        assertEquals(0, s.racesOptions(Options.dfs(3)).bound());
        assertEquals(List.of("7.2", "6.15"), s.variants().stream().map(Variant::name).toList());
    }
}
