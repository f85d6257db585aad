package io.github.foliolab.migrate;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.mm.Pte;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.foliolab.mm.Mman.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * migrate_pages()' failure paths: a folio with an unexpected reference is -EAGAIN on every try of the
 * asynchronous and then the synchronous pass, is restored (PTE, rmap, lock) and put back unchanged;
 * a folio freed while isolated counts as migrated; no destination is -ENOMEM.
 */
class MigrateFailureTest {
    private static MigrationTargetControl toNode1() {
        return new MigrationTargetControl(1, Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_THISNODE, MigrateReason.MR_SYSCALL);
    }

    @Test
    void extraReferenceFailsEveryTryThenIsPutBackUnchanged() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(1);
            fx.touch(a, 1, true);
            fx.task.lruAddDrain();
            Folio f = fx.folioAt(a);
            long pteBefore = fx.pte(a);
            String lettersBefore = fx.task.pageFlags(a);
            int refBefore = f.refCount();
            f.get(); // somebody else's reference (a GUP pin would look the same to migration)
            Migrate m = Migrate.of(fx.machine);
            List<Folio> list = new ArrayList<>();
            AtomicInteger allocations = new AtomicInteger();
            long fail = fx.vm("pgmigrate_fail");
            int rc = fx.task.cpu().call(() -> {
                assertTrue(m.isolateFolioToList(f, list));
                assertEquals(1, fx.vm("nr_isolated_anon"));
                return m.migratePages(list, src -> {
                    allocations.incrementAndGet();
                    return m.allocMigrationTarget(src, toNode1());
                }, MigrateMode.MIGRATE_SYNC, MigrateReason.MR_SYSCALL);
            });
            assertEquals(1, rc, "one folio not migrated");
            // One destination for the asynchronous batch (unmapped once, 3 move tries), one for the
            // synchronous retry of the folio alone (7 move tries): each try was -EAGAIN.
            assertEquals(2, allocations.get());
            assertEquals(List.of(f), list, "the failed folio is back on the caller's list, still isolated");
            assertEquals(1, fx.vm("pgmigrate_fail") - fail, "only the synchronous pass's failure counts");
            assertEquals(pteBefore, fx.pte(a), "the PTE is restored exactly");
            assertFalse(f.testLocked());
            fx.task.cpu().run(() -> m.putbackMovablePages(list));
            assertTrue(list.isEmpty());
            fx.task.lruAddDrain();
            f.put();
            assertEquals(refBefore, f.refCount());
            assertEquals(1, f.mapcount());
            assertEquals(lettersBefore, fx.task.pageFlags(a));
            assertEquals(0, f.nid());
            assertEquals(0, fx.vm("nr_isolated_anon"));
        }
    }

    @Test
    void movePagesReportsTheFolioThatKeptAReference() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(2);
            fx.touch(a, 2, true);
            fx.task.lruAddDrain();
            Folio pinned = fx.folioAt(a + PAGE_SIZE);
            pinned.get();
            int[] status = new int[2];
            // The run of both pages fails as one migrate_pages call: 1 not migrated, no status written.
            assertEquals(1, fx.move(a, 2, 1, status));
            assertEquals(Integer.MIN_VALUE, status[0]);
            assertEquals(Integer.MIN_VALUE, status[1]);
            assertEquals(1, fx.folioAt(a).nid(), "the other page moved");
            assertEquals(pinned, fx.folioAt(a + PAGE_SIZE), "the referenced page stayed");
            assertTrue(pinned.testLru(), "put back on the LRU (lru_cache_disable: no batch)");
            pinned.put();
        }
    }

    @Test
    void asyncModeTriesOneBatchWithoutSyncFallback() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(1);
            fx.touch(a, 1, true);
            fx.task.lruAddDrain();
            Folio f = fx.folioAt(a);
            f.get();
            Migrate m = Migrate.of(fx.machine);
            List<Folio> list = new ArrayList<>();
            AtomicInteger allocations = new AtomicInteger();
            int rc = fx.task.cpu().call(() -> {
                m.isolateFolioToList(f, list);
                int r = m.migratePages(list, src -> {
                    allocations.incrementAndGet();
                    return m.allocMigrationTarget(src, toNode1());
                }, MigrateMode.MIGRATE_ASYNC, MigrateReason.MR_COMPACTION);
                m.putbackMovablePages(list);
                return r;
            });
            assertEquals(1, rc);
            assertEquals(1, allocations.get(), "unmapped once, then NR_MAX_MIGRATE_PAGES_RETRY move tries");
            assertTrue(Pte.present(fx.pte(a)));
            f.put();
        }
    }

    @Test
    void folioFreedWhileIsolatedCountsAsMigrated() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(1);
            fx.touch(a, 1, true);
            fx.task.lruAddDrain();
            Folio f = fx.folioAt(a);
            Migrate m = Migrate.of(fx.machine);
            List<Folio> list = new ArrayList<>();
            fx.task.cpu().run(() -> assertTrue(m.isolateFolioToList(f, list)));
            assertEquals(0, fx.task.munmap(a, PAGE_SIZE)); // the mapping's reference goes: only ours is left
            assertEquals(1, f.refCount());
            long success = fx.vm("pgmigrate_success");
            AtomicInteger allocations = new AtomicInteger();
            int rc = fx.task.cpu().call(() -> m.migratePages(list, src -> {
                allocations.incrementAndGet();
                return null;
            }, MigrateMode.MIGRATE_SYNC, MigrateReason.MR_SYSCALL));
            assertEquals(0, rc);
            assertEquals(0, allocations.get());
            assertEquals(1, fx.vm("pgmigrate_success") - success);
            assertEquals(0, f.refCount(), "freed");
            assertEquals(0, fx.vm("nr_isolated_anon"));
        }
    }

    @Test
    void noDestinationIsEnomemAndTheFolioStaysOnTheList() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(1);
            fx.touch(a, 1, true);
            fx.task.lruAddDrain();
            Folio f = fx.folioAt(a);
            long pte = fx.pte(a);
            Migrate m = Migrate.of(fx.machine);
            List<Folio> list = new ArrayList<>();
            int rc = fx.task.cpu().call(() -> {
                m.isolateFolioToList(f, list);
                return m.migratePages(list, src -> null, MigrateMode.MIGRATE_SYNC, MigrateReason.MR_SYSCALL);
            });
            assertEquals(-12, rc);
            assertEquals(List.of(f), list);
            assertEquals(pte, fx.pte(a), "never unmapped");
            fx.task.cpu().run(() -> m.putbackMovablePages(list));
        }
    }

    @Test
    void aFolioStillOnTheLruIsRefused() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(1);
            fx.touch(a, 1, true);
            fx.task.lruAddDrain();
            Folio f = fx.folioAt(a);
            List<Folio> list = new ArrayList<>(List.of(f));
            assertThrows(io.github.foliolab.folio.api.VmBugException.class,
                    () -> Migrate.of(fx.machine).migratePages(list, src -> null, MigrateMode.MIGRATE_SYNC, MigrateReason.MR_SYSCALL));
            assertTrue(f.testLru());
            assertEquals(List.of(f), list);
        }
    }
}
