package io.github.foliolab.migrate;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.lru.LruModule;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.MigrateSyscalls;
import io.github.foliolab.mm.MmModule;
import io.github.foliolab.mm.Task;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.*;

/** move_pages(2) errnos and queries, migrate_pages(2), and -ENOSYS without the migrate module. */
class MovePagesSyscallTest {
    @Test
    void statusErrnosAsTheRealKernelReportsThem() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(6);
            fx.touch(a, 1, false); // the zero page
            fx.touch(a + PAGE_SIZE, 1, true);
            assertEquals(0, fx.task.munmap(a + 2 * PAGE_SIZE, PAGE_SIZE)); // a hole
            // page 3.. unpopulated
            int[] status = new int[4];
            assertEquals(0, fx.move(a, 4, 1, status));
            assertArrayEquals(new int[] {-Errno.EFAULT, 1, -Errno.EFAULT, -Errno.ENOENT}, status);
        }
    }

    @Test
    void fileFolioMappedTwiceIsEacces() {
        try (MigrateFixture fx = new MigrateFixture()) {
            var file = fx.task.ctx().newShmemFile("f", 2);
            long a1 = fx.task.mmap(0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
            long a2 = fx.task.mmap(0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
            fx.touch(a1, 2, true);
            fx.touch(a2, 1, false);
            int[] status = new int[2];
            assertEquals(0, fx.move(a1, 2, 1, status));
            assertArrayEquals(new int[] {-Errno.EACCES, 1}, status);
            assertEquals(0, fx.folioAt(a2).nid());
        }
    }

    @Test
    void badNodeIsEnodevAndNothingMoves() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(2);
            fx.touch(a, 2, true);
            for (int node : new int[] {2, 7, -1}) {
                int[] status = new int[2];
                assertEquals(-Errno.ENODEV, fx.move(a, 2, node, status));
                assertEquals(Integer.MIN_VALUE, status[0]);
                assertEquals(0, fx.folioAt(a).nid());
            }
            assertEquals(0, fx.vm("pgmigrate_success"));
        }
    }

    @Test
    void badFlagsAreEinval() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(1);
            fx.touch(a, 1, true);
            int[] status = {Integer.MIN_VALUE};
            assertEquals(-Errno.EINVAL, fx.task.movePages(new long[] {a}, new int[] {1}, status, 1 << 5));
            assertEquals(Integer.MIN_VALUE, status[0]);
        }
    }

    @Test
    void queryWithoutNodesReportsEachPagesNode() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(4);
            fx.touch(a, 1, true);
            fx.task.on(fx.machine.cpu(1)).touch(a + PAGE_SIZE, true); // faulted on CPU 1: node 1
            fx.touch(a + 2 * PAGE_SIZE, 1, false);
            int[] status = new int[5];
            long[] pages = {a, a + PAGE_SIZE, a + 2 * PAGE_SIZE, a + 3 * PAGE_SIZE, a + 16 * PAGE_SIZE};
            assertEquals(0, fx.task.movePages(pages, null, status, 0));
            assertArrayEquals(new int[] {0, 1, -Errno.EFAULT, -Errno.ENOENT, -Errno.EFAULT}, status);
        }
    }

    @Test
    void migratePagesMovesAWholeProcess() {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(3);
            long s = fx.mmapShmem(2);
            fx.touch(a, 3, true);
            fx.touch(s, 2, true);
            assertEquals(0, fx.task.migratePages(0b01, 0b10));
            for (int i = 0; i < 3; i++) assertEquals(1, fx.folioAt(a + i * PAGE_SIZE).nid());
            for (int i = 0; i < 2; i++) assertEquals(1, fx.folioAt(s + i * PAGE_SIZE).nid());
            assertEquals(5, fx.vm("pgmigrate_success"));
            assertEquals(0, fx.task.migratePages(0b10, 0b01));
            assertEquals(0, fx.folioAt(a).nid());
            assertEquals(-Errno.EINVAL, fx.task.migratePages(0b01, 0b100)); // no such node
            assertEquals(0, fx.folioAt(a).nid());
        }
    }

    @Test
    void nodeRemapFollowsTheBitmapOrder() {
        assertEquals(1, MovePages.nodeRemap(0, 0b01, 0b10));
        assertEquals(1, MovePages.nodeRemap(1, 0b11, 0b11));
        assertEquals(3, MovePages.nodeRemap(3, 0b01, 0b10), "a node outside from is itself");
    }

    @Test
    void withoutTheMigrateModuleTheCallsAreEnosysAndChangeNothing() {
        try (Machine m = Machine.builder().cpus(2).node(8192, 8192).node(8192, 8192)
                .modules(List.of(new LruModule(), new MmModule())).build()) {
            Task t = Task.root(m);
            long a = t.mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
            assertEquals(0, t.touch(a, true));
            int[] status = {Integer.MIN_VALUE};
            assertEquals(-Errno.ENOSYS, t.movePages(new long[] {a}, new int[] {1}, status, MigrateSyscalls.MPOL_MF_MOVE));
            assertEquals(Integer.MIN_VALUE, status[0]);
            assertEquals(-Errno.ENOSYS, t.migratePages(1, 2));
            assertFalse(m.modules().contains("migrate"));
        }
    }
}
