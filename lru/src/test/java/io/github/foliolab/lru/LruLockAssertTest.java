package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.VmBugException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The lruvec list mutators check lru_lock like lockdep_assert_held, before changing anything. */
class LruLockAssertTest {
    @Test
    void listMutatorsWithoutLruLockAreRefusedAndChangeNothing() {
        try (LruFixture fx = new LruFixture(1)) {
            Folio f = fx.anon();
            fx.on(0, () -> {
                fx.swap.folioAddLru(f);
                fx.swap.lruAddDrain();
            });
            long sizeBefore = fx.lruvec.size(LruList.LRU_INACTIVE_ANON);
            long next = f.memMap().lruNext(f.pfn());
            long prev = f.memMap().lruPrev(f.pfn());
            VmBugException e = assertThrows(VmBugException.class, () -> fx.lruvec.delFolio(f.pfn()));
            assertTrue(e.getMessage().contains("lruvec_del_folio"), e.getMessage());
            assertTrue(e.getMessage().contains("pfn"), "the message dumps the folio: " + e.getMessage());
            assertThrows(VmBugException.class, () -> fx.lruvec.addFolio(f.pfn()));
            assertThrows(VmBugException.class, () -> fx.lruvec.addFolioTail(f.pfn()));
            assertEquals(sizeBefore, fx.lruvec.size(LruList.LRU_INACTIVE_ANON));
            assertEquals(next, f.memMap().lruNext(f.pfn()));
            assertEquals(prev, f.memMap().lruPrev(f.pfn()));
            assertTrue(fx.lruvec.isOnList(f, LruList.LRU_INACTIVE_ANON));
            // Under the lock the same call is fine.
            fx.on(0, () -> {
                fx.lruvec.lock();
                try {
                    fx.lruvec.delFolio(f.pfn());
                    fx.lruvec.addFolio(f.pfn());
                } finally {
                    fx.lruvec.unlock();
                }
            });
            assertEquals(sizeBefore, fx.lruvec.size(LruList.LRU_INACTIVE_ANON));
        }
    }
}
