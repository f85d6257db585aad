package io.github.foliolab.explore;

import io.github.foliolab.explore.junit.Experiments;
import io.github.foliolab.explore.scenarios.DrainAll;
import io.github.foliolab.explore.scenarios.LostActivation;
import io.github.foliolab.explore.scenarios.MlockLruAdd;
import io.github.foliolab.explore.scenarios.MunlockPutback;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The verdicts of the kernel scenarios, exhaustive up to preemption bound 3. */
class KernelScenariosTest {
    private static final Options BOUND_3 = Options.dfs(3);

    @Test
    void munlockPutbackStrandsTheFolioWithThe72Code() {
        Result r = Explorer.explore(new MunlockPutback(), MunlockPutback.AS_IS, BOUND_3);
        assertEquals(Result.Verdict.VIOLATION, r.verdict(), Experiments.report(r));
        assertTrue(r.message().startsWith("stranded: F is unevictable"), r.message());
        String table = TraceTable.render(r.trace());
        // The race as the 2023 thread draws it: B's lru_add read PG_mlocked as set, A lost the PG_lru
        // ticket and cleared PG_mlocked without lru_lock, then B set PG_lru on the unevictable folio.
        assertTrue(table.contains("folio_test_clear_lru(F) = false"), table);
        assertTrue(table.contains("folio_test_clear_mlocked(F) = true"), table);
        assertTrue(table.contains("folio_test_mlocked(F) = true"), table);
        assertTrue(table.contains("| CPU A") && table.contains("| CPU B"), table);
        int readMlocked = indexOfStep(r, "B: folio_test_mlocked(F) = true");
        int lostTicket = indexOfStep(r, "A: folio_test_clear_lru(F) = false");
        int cleared = indexOfStep(r, "A: folio_test_clear_mlocked(F) = true");
        int setLru = lastIndexOfStep(r, "B: folio_set_lru(F)");
        assertTrue(readMlocked >= 0 && readMlocked < cleared && lostTicket < setLru && cleared >= 0, r.sharedSteps().toString());
    }

    private static int indexOfStep(Result r, String s) {
        return r.sharedSteps().indexOf(s);
    }

    private static int lastIndexOfStep(Result r, String s) {
        return r.sharedSteps().lastIndexOf(s);
    }

    @Test
    void aLargeFolioIsStrandedWithoutAnyBatching() {
        Result r = Explorer.explore(new MunlockPutback(), MunlockPutback.AS_IS_LARGE, Options.dfs(1));
        assertTrue(r.violated(), Experiments.report(r));
        assertTrue(r.message().contains("counted in nr_unevictable = 4"), r.message());
        // folio_may_be_lru_cached() is false: lru_add runs inside folio_putback_lru itself.
        String table = TraceTable.render(r.trace());
        int putback = table.indexOf("folio_putback_lru(F) {");
        int drain = table.indexOf("lru_add_drain() {");
        int setLru = table.indexOf("folio_set_lru(F)");
        assertTrue(putback >= 0 && setLru > putback && setLru < drain, table);
    }

    @Test
    void theCounterexampleReplaysToTheIdenticalTrace() {
        Result r = Explorer.explore(new MunlockPutback(), MunlockPutback.AS_IS, BOUND_3);
        Result again = Explorer.explore(new MunlockPutback(), MunlockPutback.AS_IS, Options.replay(r.schedule()));
        assertEquals(r.message(), again.message());
        assertEquals(r.trace(), again.trace());
        assertEquals(TraceJson.render(r).replace("\"schedules\": " + r.schedules(), ""),
                TraceJson.render(again).replace("\"schedules\": 1", "").replace(again.strategy(), r.strategy()));
    }

    @Test
    void theReplicaOf72FailsTheSameWay() {
        Result r = Explorer.explore(new MunlockPutback(), MunlockPutback.REPLICA, BOUND_3);
        assertTrue(r.violated());
        assertTrue(r.message().startsWith("stranded"), r.message());
    }

    @Test
    void fixAClearingMlockedFirstDoesNotCloseTheRace() {
        Result r = Explorer.explore(new MunlockPutback(), MunlockPutback.FIX_A, BOUND_3);
        assertTrue(r.violated(), Experiments.report(r));
        assertTrue(r.message().startsWith("stranded"), r.message());
        // lru_add still read PG_mlocked before A cleared it and set PG_lru after A's ticket failed.
        assertTrue(indexOfStep(r, "A: folio_test_clear_mlocked(F) = true") < indexOfStep(r, "A: folio_test_clear_lru(F) = false"));
    }

    @Test
    void fixBSetLruFirstWithTheTicketUnderLruLockDoesNotCloseTheRace() {
        Result r = Explorer.explore(new MunlockPutback(), MunlockPutback.FIX_B, BOUND_3);
        assertTrue(r.violated(), Experiments.report(r));
        assertTrue(r.message().startsWith("stranded"), r.message());
    }

    @Test
    void restoringOnlyLruAddsOrderDoesNotCloseTheRace() {
        Result r = Explorer.explore(new MunlockPutback(), MunlockPutback.FIX_B_LRU_ADD_ONLY, BOUND_3);
        assertTrue(r.violated(), Experiments.report(r));
        // B set PG_lru first, yet A's ticket test came before it and A cleared PG_mlocked after B's read.
        assertTrue(indexOfStep(r, "A: folio_test_clear_lru(F) = false") < indexOfStep(r, "B: folio_set_lru(F)"));
        assertTrue(indexOfStep(r, "B: folio_test_mlocked(F) = true") < indexOfStep(r, "A: folio_test_clear_mlocked(F) = true"));
    }

    @Test
    void fixCRecheckUnderLruLockClosesTheRaceWithinBound3() {
        Result r = Explorer.explore(new MunlockPutback(), MunlockPutback.FIX_C, BOUND_3);
        assertEquals(Result.Verdict.NO_VIOLATION, r.verdict(), Experiments.report(r));
        assertTrue(r.exhausted());
        assertTrue(r.schedules() > 500, "only " + r.schedules() + " schedules");
    }

    @Test
    void bothHalvesOfThePre518ProtocolCloseTheRaceWithinBound3() {
        Result r = Explorer.explore(new MunlockPutback(), MunlockPutback.FIX_AB, BOUND_3);
        assertEquals(Result.Verdict.NO_VIOLATION, r.verdict(), Experiments.report(r));
        assertTrue(r.exhausted());
    }

    @Test
    void randomAndPctFindTheStrandingToo() {
        assertTrue(Explorer.explore(new MunlockPutback(), MunlockPutback.AS_IS, Options.random(1, 20_000)).violated());
        Result pct = Explorer.explore(new MunlockPutback(), MunlockPutback.AS_IS, Options.pct(1, 20_000, 3));
        assertTrue(pct.violated());
        assertTrue(pct.strategy().startsWith("PCT depth 3"), pct.strategy());
    }

    @Test
    void mlockVsLruAddIsAcceptedBehaviourNotABug() {
        Result r = Explorer.explore(new MlockLruAdd(), MlockLruAdd.AS_IS, BOUND_3);
        assertEquals(Result.Verdict.ACCEPTED, r.verdict(), Experiments.report(r));
        assertTrue(r.message().startsWith("mlocked-on-evictable-list"), r.message());
        assertTrue(r.exhausted());
    }

    @Test
    void aLostActivationIsAcceptedBehaviourNotABug() {
        Result r = Explorer.explore(new LostActivation(), LostActivation.AS_IS, BOUND_3);
        assertEquals(Result.Verdict.ACCEPTED, r.verdict(), Experiments.report(r));
        assertTrue(r.message().startsWith("lost-activation"), r.message());
        assertTrue(TraceTable.render(r.trace()).contains("folio_test_clear_lru(F) = false"));
    }

    @Test
    void sameSeedSameOutputOnTheKernelScenario() {
        CliTest.Run a = CliTest.cli("munlock-putback", "--strategy", "random", "--seed", "11", "--schedules", "5000");
        CliTest.Run b = CliTest.cli("munlock-putback", "--strategy", "random", "--seed", "11", "--schedules", "5000");
        assertEquals(1, a.status());
        assertEquals(a.out(), b.out());
    }

    @Test
    void drainAllDrainsWhatWasAddedBeforeItThroughTheKworker() {
        Result r = Explorer.explore(new DrainAll(), DrainAll.AS_IS, BOUND_3);
        assertEquals(Result.Verdict.NO_VIOLATION, r.verdict(), Experiments.report(r));
        assertTrue(r.exhausted());
        // The default schedule: A adds F, B's drain queues work on CPU 0 and waits; kworker/0 drains.
        Result replay = Explorer.explore(new DrainAll(), DrainAll.AS_IS, Options.replay("-"));
        String table = TraceTable.render(replay.trace());
        assertTrue(table.contains("| kworker/0"), table);
        assertTrue(table.contains("queue_work_on(lru_add_drain_work/0)"), table);
        assertTrue(table.contains("wait_for_completion(lru_add_drain_work-done/0) ... waits"), table);
        assertTrue(replay.sharedSteps().contains("C: folio_set_lru(F)"), replay.sharedSteps().toString());
    }

    /** The JUnit 5 integration: one dynamic test per variant, each checking its expected verdict. */
    @TestFactory
    Stream<DynamicTest> everyRegisteredVariantGivesItsExpectedVerdict() {
        return Races.all().stream().flatMap(s -> Experiments.verdicts(s, BOUND_3));
    }
}
