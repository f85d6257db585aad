package io.github.foliolab.migrate;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.mm.AddressSpace;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Vma;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.github.foliolab.mm.Mman.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Migration of each kind of folio with move_pages(2): the new folio is on the target node with the same
 * references, mappings and flags, the old one is freed, the counters move as Linux 7.2's do.
 */
class MigrateFolioKindsTest {
    /** What must survive migration: refcount, mapcount, the flag letters and PTE bits. */
    private record Shape(int ref, int map, String letters, boolean pteWrite, boolean pteDirty) {}

    private static Shape shape(MigrateFixture fx, long addr) {
        Folio f = fx.folioAt(addr);
        long pte = fx.pte(addr);
        return new Shape(f.refCount(), f.mapcount(), fx.task.pageFlags(addr), Pte.write(pte), Pte.dirty(pte));
    }

    private static long[] pfns(MigrateFixture fx, long addr, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = fx.folioAt(addr + i * PAGE_SIZE).pfn();
        return out;
    }

    private static void assertMigrated(MigrateFixture fx, long addr, int n, long[] oldPfns, Shape[] before) {
        for (int i = 0; i < n; i++) {
            long a = addr + i * PAGE_SIZE;
            Folio now = fx.folioAt(a);
            assertEquals(1, now.nid(), "page " + i + " on node 1");
            assertNotEquals(oldPfns[i], now.pfn());
            assertEquals(before[i], shape(fx, a), "page " + i + " keeps its refs, mapcount and flags");
            assertEquals(0, fx.machine.memMap().folio(oldPfns[i]).refCount(), "old folio freed");
        }
        assertEquals(0, fx.vm("nr_isolated_anon") + fx.vm("nr_isolated_file"));
    }

    @Test
    void anonFoliosMoveWithTheirMappingsAndCounters() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(4);
            fx.touch(a, 4, true);
            fx.task.lruAddDrain();
            Shape[] before = new Shape[4];
            for (int i = 0; i < 4; i++) before[i] = shape(fx, a + i * PAGE_SIZE);
            long[] old = pfns(fx, a, 4);
            long anon0 = fx.machine.node(0).vmstat().node(NodeStatItem.NR_ANON_MAPPED);
            long success = fx.vm("pgmigrate_success");
            int[] status = new int[4];
            assertEquals(0, fx.move(a, 4, 1, status));
            assertArrayEquals(new int[] {1, 1, 1, 1}, status);
            assertMigrated(fx, a, 4, old, before);
            assertEquals(4, fx.vm("pgmigrate_success") - success);
            assertEquals(0, fx.vm("pgmigrate_fail"));
            assertEquals(anon0 - 4, fx.machine.node(0).vmstat().node(NodeStatItem.NR_ANON_MAPPED));
            for (int i = 0; i < 4; i++) {
                Folio f = fx.folioAt(a + i * PAGE_SIZE);
                assertTrue(f.isAnon() && f.test(PageFlags.PG_anon_exclusive), "exclusive anon again");
                assertEquals(a / PAGE_SIZE + i, f.index());
            }
        }
    }

    @Test
    void shmemFolioReplacesItsPageCacheSlotAndMovesDirty() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapShmem(2);
            fx.touch(a, 2, true);
            fx.task.lruAddDrain();
            Shape[] before = {shape(fx, a), shape(fx, a + PAGE_SIZE)};
            long[] old = pfns(fx, a, 2);
            assertTrue(fx.folioAt(a).testDirty());
            fx.task.mm().mmapLock().downRead();
            Vma vma = fx.task.mm().vmaLookup(a);
            fx.task.mm().mmapLock().upRead();
            AddressSpace file = vma.file();
            long shmem0 = fx.machine.node(0).vmstat().node(NodeStatItem.NR_SHMEM);
            long shmem1 = fx.machine.node(1).vmstat().node(NodeStatItem.NR_SHMEM);
            int[] status = new int[2];
            assertEquals(0, fx.move(a, 2, 1, status));
            assertArrayEquals(new int[] {1, 1}, status);
            assertMigrated(fx, a, 2, old, before);
            for (int i = 0; i < 2; i++) {
                Folio now = fx.folioAt(a + i * PAGE_SIZE);
                assertEquals(now.pfn(), file.lookup(i), "the page cache holds the new folio");
                assertTrue(now.testDirty(), "PG_dirty moved");
                assertEquals(file.mappingWord(), now.mapping());
            }
            assertEquals(2, file.nrPages());
            assertEquals(shmem0 - 2, fx.machine.node(0).vmstat().node(NodeStatItem.NR_SHMEM));
            assertEquals(shmem1 + 2, fx.machine.node(1).vmstat().node(NodeStatItem.NR_SHMEM));
        }
    }

    @Test
    void mlockedFolioIsMunlockedThenMlockedAgainAsTheKernelCounts() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(4);
            assertEquals(0, fx.task.mlock(a, 4 * PAGE_SIZE));
            fx.task.lruAddDrain();
            Shape[] before = new Shape[4];
            for (int i = 0; i < 4; i++) before[i] = shape(fx, a + i * PAGE_SIZE);
            assertEquals("MUL", before[0].letters());
            long[] old = pfns(fx, a, 4);
            String[] names = {"nr_mlock", "unevictable_pgs_stranded", "unevictable_pgs_rescued",
                "unevictable_pgs_culled", "unevictable_pgs_mlocked", "unevictable_pgs_munlocked"};
            long[] v0 = Arrays.stream(names).mapToLong(fx::vm).toArray();
            int[] status = new int[4];
            assertEquals(0, fx.move(a, 4, 1, status));
            assertMigrated(fx, a, 4, old, before);
            long[] d = new long[names.length];
            for (int i = 0; i < names.length; i++) d[i] = fx.vm(names[i]) - v0[i];
            // try_to_migrate munlocks the isolated (unevictable) old folio: stranded; the new folio
            // inherits PG_unevictable, is rescued by the drain in migrate_folio_move, then
            // remove_migration_pte mlocks it (mlocked) and the mlock drain culls it.
            assertArrayEquals(new long[] {0, 4, 4, 4, 4, 0}, d, String.join(" ", names));
            for (int i = 0; i < 4; i++) assertEquals(1, fx.folioAt(a + i * PAGE_SIZE).mlockCount());
            assertEquals(16, fx.task.vmLckKb());
        }
    }

    @Test
    void activeFolioStaysActive() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(1);
            fx.touch(a, 1, true);
            fx.task.lruAddDrain();
            Folio f = fx.folioAt(a);
            fx.task.cpu().run(() -> io.github.foliolab.lru.Swap.of(fx.machine).folioActivate(f));
            fx.task.lruAddDrain();
            Shape before = shape(fx, a);
            assertTrue(before.letters().contains("A"), before.letters());
            int[] status = new int[1];
            assertEquals(0, fx.move(a, 1, 1, status));
            assertMigrated(fx, a, 1, new long[] {f.pfn()}, new Shape[] {before});
            assertFalse(f.testActive(), "PG_active was moved off the old folio");
        }
    }

    @Test
    void dirtyAnonKeepsDirtyPteAndFolio() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(2);
            fx.touch(a, 2, true); // written: dirty, writable PTEs
            fx.task.lruAddDrain();
            Shape[] before = {shape(fx, a), shape(fx, a + PAGE_SIZE)};
            assertTrue(before[0].pteDirty() && before[0].pteWrite());
            long[] old = pfns(fx, a, 2);
            int[] status = new int[2];
            assertEquals(0, fx.move(a, 2, 1, status));
            assertMigrated(fx, a, 2, old, before);
            assertTrue(fx.folioAt(a).testDirty(), "try_to_migrate moved the PTE's dirty bit to the folio");
        }
    }
}
