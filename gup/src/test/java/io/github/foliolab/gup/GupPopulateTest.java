package io.github.foliolab.gup;

import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.Pte;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Population through the slow path: MADV_POPULATE_READ / WRITE (madvise_populate, faultin_page_range /
 * __get_user_pages with FOLL_MADV_POPULATE) and MAP_POPULATE (__mm_populate), as Linux 7.2 has them.
 */
class GupPopulateTest {
    static final long P = PAGE_SIZE;
    final GupFixture fx = new GupFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void populateErrnosFollowFaultinPageRange() {
        long none = fx.mmap(1, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS);
        assertEquals(-Errno.EINVAL, fx.task.madvise(none, P, MADV_POPULATE_READ));
        assertFalse(Pte.present(fx.pte(none)));
        long ro = fx.mmap(1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
        assertEquals(-Errno.EINVAL, fx.task.madvise(ro, P, MADV_POPULATE_WRITE));
        assertEquals(0, fx.task.madvise(ro, P, MADV_POPULATE_READ));
        assertTrue(Pte.special(fx.pte(ro)), "a read populate of anonymous memory maps the zero page");
        // A hole: -ENOMEM, and the pages before it stay populated.
        long a = fx.anon(3);
        assertEquals(0, fx.task.munmap(a + 2 * P, P));
        assertEquals(-Errno.ENOMEM, fx.task.madvise(a, 3 * P, MADV_POPULATE_WRITE));
        assertTrue(Pte.present(fx.pte(a)) && Pte.write(fx.pte(a + P)));
    }

    @Test
    void mapPopulateFaultsEveryPageInAndDrains() {
        long a = fx.mmap(3, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE);
        for (int i = 0; i < 3; i++) {
            assertTrue(Pte.present(fx.pte(a + i * P)) && Pte.write(fx.pte(a + i * P)));
            assertTrue(fx.folioAt(a + i * P).testLru(), "populate_vma_page_range drains this CPU's batches");
        }
    }
}
