package io.github.foliolab.explore;

import io.github.foliolab.explore.scenarios.MunlockPutback;
import io.github.foliolab.folio.api.PageFlags;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Trace tables show kernel signatures: void calls without results, no-argument calls, the real lock forms. */
class KernelSignaturesTest {
    private static String r1Table() {
        Result r = Explorer.explore(new MunlockPutback(), MunlockPutback.AS_IS, Options.dfs(3));
        assertTrue(r.violated(), r.verdictLine());
        return TraceTable.render(r.trace());
    }

    @Test
    void voidAndNoArgumentFunctionsAreShownAsDeclared() {
        String table = r1Table();
        assertTrue(table.contains("| folio_put(F) "), table); // void folio_put(struct folio *)
        assertFalse(table.contains("folio_put(F) ="), table);
        assertTrue(table.contains("lru_cache_disabled() = false"), table); // bool lru_cache_disabled(void)
        assertFalse(table.contains("lru_disable_count"), table);
    }

    @Test
    void lruLockIsTakenInTheFormsOf72() {
        String table = r1Table();
        // folio_isolate_lru: folio_lruvec_lock_irq; folio_batch_move_lru: folio_lruvec_relock_irqsave.
        assertTrue(table.contains("spin_lock_irq(&lruvec->lru_lock)"), table);
        assertTrue(table.contains("spin_unlock_irq(&lruvec->lru_lock)"), table);
        assertTrue(table.contains("spin_lock_irqsave(&lruvec->lru_lock)"), table);
        assertTrue(table.contains("spin_unlock_irqrestore(&lruvec->lru_lock)"), table);
        assertFalse(table.contains("spin_lock(&lruvec"), table);
    }

    @Test
    void lruAddClearsUnevictableInOneStep() {
        List<String> cells = r1Table().lines()
                .flatMap(l -> java.util.Arrays.stream(l.split("\\|")).map(String::strip))
                .filter(c -> !c.isEmpty()).toList();
        int clear = cells.indexOf("folio_test_clear_unevictable(F) = true");
        assertTrue(clear > 0, String.join("\n", cells));
        // lru_add() starts with folio_test_clear_unevictable(): no separate test of the bit before it.
        assertFalse(cells.get(clear - 2).startsWith("folio_test_unevictable(F)") && cells.get(clear - 1).matches("\\d+"),
                String.join("\n", cells));
    }

    @Test
    void flagDumpsPrintTheKernelsZoneNumber() {
        long normal = 1L << PageFlags.PG_lru;
        long movable = normal | (1L << PageFlags.ZONES_PGSHIFT);
        assertEquals("0x20(lru|zone=2)", PageFlags.describe(normal)); // ZONE_NORMAL on x86_64
        assertTrue(PageFlags.describe(movable).endsWith("(lru|zone=3)"), PageFlags.describe(movable)); // ZONE_MOVABLE
    }
}
