package io.github.foliolab.explore;

import io.github.foliolab.explore.junit.Experiments;
import io.github.foliolab.explore.scenarios.GupFastMigration;
import io.github.foliolab.migrate.MigrateRefCheck;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The 2021 thread: GUP-fast against migration's count check and freeze. The verdict of every variant
 * within its races bound, and the schedules that show which step catches GUP-fast's reference.
 */
class GupFastMigrationTest {
    private static final GupFastMigration S = new GupFastMigration();

    private static Result explore(Variant<GupFastMigration.Code> v) {
        Result r = Explorer.explore(S, v, Options.dfs(S.racesBound()));
        System.out.println(r.verdictLine());
        return r;
    }

    @Test
    void theCheckBeforeOrUnderTheLockAndWithoutTheFreezeNeverLetGupFastKeepAMigratedFolio() {
        for (Variant<GupFastMigration.Code> v : List.of(GupFastMigration.AS_IS, GupFastMigration.UNDER_XA_LOCK,
                GupFastMigration.NO_FREEZE, GupFastMigration.ANON)) {
            Result r = explore(v);
            assertEquals(Result.Verdict.NO_VIOLATION, r.verdict(), v.name() + ": " + Experiments.report(r));
            assertTrue(r.exhausted(), v.name() + ": every schedule within the bound ran");
            assertTrue(r.schedules() > 100, v.name() + ": " + r.schedules() + " schedules");
        }
    }

    @Test
    void withoutThePteRecheckGupFastReturnsTheReplacedFolio() {
        Result r = explore(GupFastMigration.NO_PTE_RECHECK);
        assertEquals(Result.Verdict.VIOLATION, r.verdict(), Experiments.report(r));
        assertTrue(r.message().startsWith("stale-folio: GUP-fast returned F"), r.message());
        String table = TraceTable.render(r.trace());
        System.out.print(table);
        // A read the PTE before B's unmap, took its reference after B's unfreeze, and kept it.
        assertBefore(table, "ptep_get_and_clear", "folio_ref_try_add(F, 1) = true");
        assertBefore(table, "folio_ref_unfreeze(F, 1)", "folio_ref_try_add(F, 1) = true");
        assertTrue(table.contains("get_user_pages_fast_only(addr)") && table.contains("migrate_pages(F)"), table);
    }

    /**
     * A reads the PTE, B runs k steps, A takes its reference, then B and A finish: for some k, A's
     * reference lands between B's count read and its freeze, and the freeze (not the read) refuses it.
     */
    @Test
    void theFreezeCatchesAReferenceTakenAfterTheCountWasRead() {
        for (Variant<GupFastMigration.Code> v : List.of(GupFastMigration.AS_IS, GupFastMigration.UNDER_XA_LOCK)) {
            List<String> tables = grabAfterEveryStepOfB(v);
            String caught = tables.stream().filter(t -> t.contains("folio_ref_freeze(F, 2) = false")).findFirst().orElse(null);
            assertNotNull(caught, v.name() + ": no schedule where the freeze refused GUP-fast's reference");
            assertBefore(caught, "folio_ref_count(F) = 2", "folio_ref_try_add(F, 1) = true");
            assertBefore(caught, "folio_ref_try_add(F, 1) = true", "folio_ref_freeze(F, 2) = false");
        }
        assertEquals(MigrateRefCheck.V7_2, GupFastMigration.AS_IS.behaviour().refCheck(), "7.2 is the library's default");
    }

    /**
     * Without the freeze, migration moves F while A holds a reference it took after the count was read;
     * A's PTE re-check sees the migration entry (or N) and drops it, so no check fails.
     */
    @Test
    void withoutTheFreezeThePteRecheckAloneDropsAReferenceTakenAfterTheRead() {
        List<String> tables = grabAfterEveryStepOfB(GupFastMigration.NO_FREEZE);
        String moved = tables.stream()
                .filter(t -> t.contains("folio_ref_try_add(F, 1) = true") && t.contains("folio_ref_sub(F, 1)")
                        && t.indexOf("folio_ref_try_add(F, 1) = true") < t.indexOf("folio_ref_sub(F, 1)")
                        && t.indexOf("folio_ref_count(F) = 2") < t.indexOf("folio_ref_try_add(F, 1) = true"))
                .findFirst().orElse(null);
        assertNotNull(moved, "no schedule where F moved while A held a reference taken after the count read");
        assertTrue(moved.contains("gup_put_folio(F, 1)"), "A's re-check did not drop F:\n" + moved);
    }

    /** 7.2 freezes no small anon folio: the same transient reference, and the same drop by the re-check. */
    @Test
    void anAnonFolioMovesUnderAReferenceTakenAfterTheReadAndThePteRecheckDropsIt() {
        List<String> tables = grabAfterEveryStepOfB(GupFastMigration.ANON);
        String moved = tables.stream()
                .filter(t -> !t.contains("folio_ref_freeze") && t.contains("free_frozen_pages(F)")
                        && t.indexOf("folio_ref_count(F) = 1") >= 0
                        && t.indexOf("folio_ref_count(F) = 1") < t.indexOf("folio_ref_try_add(F, 1) = true")
                        && t.contains("gup_put_folio(F, 1)"))
                .findFirst().orElse(null);
        assertNotNull(moved, "no schedule where anon F moved while A held a reference taken after the count read");
    }

    /** The two replays docs/findings.md names show what it says they show. */
    @Test
    void theSchedulesTheFindingsNameShowTheFreezeAndTheRecheck() {
        String caught = TraceTable.render(Explorer.explore(S, GupFastMigration.AS_IS, Options.replay("A2B25A1B")).trace());
        assertBefore(caught, "folio_ref_count(F) = 2", "folio_ref_try_add(F, 1) = true");
        assertBefore(caught, "folio_ref_try_add(F, 1) = true", "folio_ref_freeze(F, 2) = false");
        assertTrue(caught.contains("putback_movable_pages(F)"), caught);
        String moved = TraceTable.render(Explorer.explore(S, GupFastMigration.NO_FREEZE, Options.replay("A2B26A1B")).trace());
        assertBefore(moved, "folio_ref_count(F) = 2", "folio_ref_try_add(F, 1) = true");
        assertBefore(moved, "folio_ref_try_add(F, 1) = true", "folio_ref_sub(F, 1)");
        assertBefore(moved, "folio_ref_sub(F, 1)", "gup_put_folio(F, 1)");
    }

    /**
     * The tables of the schedules A2 B(k) A1 B... (A reads the PTE, B runs k steps, A takes its reference)
     * for every k up to the end of B's migration, each without a violation.
     */
    private static List<String> grabAfterEveryStepOfB(Variant<GupFastMigration.Code> v) {
        List<String> tables = new ArrayList<>();
        for (int k = 1; k <= 120; k++) {
            Result r;
            try {
                r = Explorer.explore(S, v, Options.replay("A2B" + k + "A1B"));
            } catch (Replay.ScheduleMismatchException e) {
                break; // B has fewer than k steps before A's reference
            }
            assertNotEquals(Result.Verdict.VIOLATION, r.verdict(), v.name() + " k=" + k + ": " + Experiments.report(r));
            tables.add(TraceTable.render(r.trace()));
        }
        assertFalse(tables.isEmpty(), v.name());
        return tables;
    }

    private static void assertBefore(String table, String first, String then) {
        int a = table.indexOf(first);
        int b = table.indexOf(then);
        assertTrue(a >= 0 && b >= 0 && a < b, "expected " + first + " before " + then + ":\n" + table);
    }
}
