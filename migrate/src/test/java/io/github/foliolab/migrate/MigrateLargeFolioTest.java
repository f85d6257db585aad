package io.github.foliolab.migrate;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MthpStats;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.ThpSettings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Migration of anonymous mTHP folios: whole when a destination of the same order exists (the new folio
 * requeued for a deferred split as the source was, pages counted in pgmigrate_success), split first when
 * partially mapped, split and migrated piece by piece when no destination of that order can be allocated
 * (-ENOMEM), except for MR_NUMA_MISPLACED, which does not split.
 */
class MigrateLargeFolioTest {
    static final int ORDER = 4;
    static final long HINT = 0x2_0000_0000L;

    private static long mmapLarge(MigrateFixture fx) {
        Mm.of(fx.machine).thp().settings().setEnabled(ORDER, ThpSettings.Mode.ALWAYS);
        long a = fx.task.mmap(HINT, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        assertEquals(HINT, a);
        fx.touch(a, 16, true);
        assertEquals(ORDER, fx.folioAt(a).order());
        return a;
    }

    private static long mthp(MigrateFixture fx, MthpStats.Item item) {
        return Mm.of(fx.machine).thp().stats().get(ORDER, item);
    }

    @Test
    void movePagesMigratesAWholeLargeFolio() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = mmapLarge(fx);
            Folio src = fx.folioAt(a);
            int[] status = new int[1];
            assertEquals(0, fx.move(a + 5 * PAGE_SIZE, 1, 1, status));
            assertEquals(1, status[0]);
            Folio dst = fx.folioAt(a);
            assertNotEquals(src.pfn(), dst.pfn());
            assertEquals(1, dst.nid());
            assertEquals(ORDER, dst.order(), "migrated whole");
            for (int i = 0; i < 16; i++) {
                assertEquals(dst.pfn() + i, Pte.pfn(fx.pte(a + i * PAGE_SIZE)));
                assertTrue(fx.machine.memMap().testFlag(dst.pfn() + i, PageFlags.PG_anon_exclusive));
            }
            assertEquals(16, dst.mapcount());
            assertEquals(16, dst.refCount(), "one reference per PTE: the allocation's and the LRU's are gone");
            assertTrue(dst.testLru());
            assertEquals(0, src.refCount(), "the source was freed");
            assertEquals(16, fx.vm("pgmigrate_success"), "pages, not folios");
            assertEquals(0, fx.vm("thp_migration_success"), "an mTHP is not PMD-sized");
            var ds = Mm.of(fx.machine).thp().deferredSplit();
            assertTrue(ds.queued(dst) && ds.partiallyMapped(dst),
                    "requeued as the source was after try_to_migrate unmapped it PTE by PTE");
            assertEquals(2, mthp(fx, MthpStats.Item.SPLIT_DEFERRED));
            assertEquals(1, mthp(fx, MthpStats.Item.NR_ANON));
            assertEquals(1, mthp(fx, MthpStats.Item.NR_ANON_PARTIALLY_MAPPED));
            assertEquals(0, fx.vm("nr_isolated_anon"));
        }
    }

    @Test
    void noDestinationOfTheOrderSplitsAndMigratesThePieces() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = mmapLarge(fx);
            fx.touch(a + PAGE_SIZE, 15, true);
            Folio src = fx.folioAt(a);
            Migrate m = Migrate.of(fx.machine);
            MigrationTargetControl node1 = new MigrationTargetControl(1, Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_THISNODE,
                    MigrateReason.MR_SYSCALL);
            List<Folio> list = new ArrayList<>();
            int rc = fx.task.cpu().call(() -> {
                assertTrue(m.isolateFolioToList(src, list));
                assertEquals(16, fx.vm("nr_isolated_anon"));
                // A large destination cannot be had; order 0 can.
                return m.migratePages(list, s -> s.isLarge() ? null : m.allocMigrationTarget(s, node1),
                        MigrateMode.MIGRATE_SYNC, MigrateReason.MR_SYSCALL);
            });
            assertEquals(0, rc, "every piece migrated: the split large folio does not count as failed");
            assertTrue(list.isEmpty());
            for (int i = 0; i < 16; i++) {
                Folio f = fx.folioAt(a + i * PAGE_SIZE);
                assertFalse(f.isLarge());
                assertEquals(1, f.nid(), "page " + i);
            }
            assertEquals(1, mthp(fx, MthpStats.Item.SPLIT));
            assertEquals(0, mthp(fx, MthpStats.Item.NR_ANON));
            assertEquals(16, fx.vm("pgmigrate_success"));
            assertEquals(0, fx.vm("pgmigrate_fail"));
            assertEquals(0, fx.vm("nr_isolated_anon"));
        }
    }

    @Test
    void numaMisplacedDoesNotSplitOnNoMemory() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = mmapLarge(fx);
            Folio src = fx.folioAt(a);
            long pte = fx.pte(a);
            Migrate m = Migrate.of(fx.machine);
            List<Folio> list = new ArrayList<>();
            int rc = fx.task.cpu().call(() -> {
                assertTrue(m.isolateFolioToList(src, list));
                return m.migratePages(list, s -> null, MigrateMode.MIGRATE_SYNC, MigrateReason.MR_NUMA_MISPLACED);
            });
            assertEquals(-12, rc, "-ENOMEM");
            assertEquals(List.of(src), list, "still whole and isolated on the caller's list");
            assertEquals(ORDER, src.order());
            assertEquals(pte, fx.pte(a));
            assertEquals(16, fx.vm("pgmigrate_fail"));
            assertEquals(0, mthp(fx, MthpStats.Item.SPLIT));
            fx.task.cpu().run(() -> m.putbackMovablePages(list));
            assertEquals(16, src.refCount());
        }
    }
}
