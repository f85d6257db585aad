package io.github.foliolab.gup;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Task;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * fork of a process with pinned anonymous pages: a page that may be DMA-pinned is copied into the child
 * at fork (copy_present_page, folio_needs_cow_for_dma with MMF_HAS_PINNED, which pinning sets), the
 * others are shared write-protected as usual.
 */
class ForkPinnedTest {
    static final long P = PAGE_SIZE;
    final GupFixture fx = new GupFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void aPinnedAnonymousPageIsCopiedAtForkAnUnpinnedOneIsShared() {
        long a = fx.anon(2);
        fx.touch(a + P, 1); // the second page: populated, never pinned
        assertFalse(fx.task.mm().hasPinned(), "nothing pinned yet");
        IoUringBuffers ring = IoUringBuffers.setup(fx.task);
        // The first page is unpopulated: the long-term pin faults it straight into a kernel zone (no
        // migration needed, so this test runs without the migrate module).
        assertEquals(0, ring.registerBuffers(a, P), "pin the first page only");
        assertTrue(fx.task.mm().hasPinned(), "FOLL_PIN sets MMF_HAS_PINNED");
        Folio pinned = fx.folioAt(a);
        Folio plain = fx.folioAt(a + P);
        int plainMapcount = plain.mapcount();

        Task child = fx.task.fork();
        long cpinned = child.mm().pageTables().peek(a);
        long cplain = child.mm().pageTables().peek(a + P);
        assertTrue(Pte.present(cpinned) && Pte.present(cplain), "both pages present in the child");
        assertNotEquals(pinned.pfn(), Pte.pfn(cpinned), "the pinned page is copied for the child");
        assertTrue(pinned.test(PageFlags.PG_anon_exclusive) || fx.machine.memMap().testFlag(pinned.pfn(),
                PageFlags.PG_anon_exclusive), "the parent keeps its pinned page exclusive");
        assertEquals(1, pinned.mapcount(), "only the parent maps the pinned page");
        assertEquals(plain.pfn(), Pte.pfn(cplain), "the unpinned page is shared");
        assertEquals(plainMapcount + 1, plain.mapcount());
        assertTrue(Pte.present(fx.pte(a)) && Pte.pfn(fx.pte(a)) == pinned.pfn(), "the parent still maps what it pinned");

        child.exit();
        assertEquals(0, ring.unregisterBuffers());
    }
}
