package io.github.foliolab.lru;

import io.github.foliolab.folio.api.sched.PauseHook;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.sync.SyncOp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/**
 * R-LRU-2 (docs/kernel-semantics.md section 4.6), by hand: reclaim's move_folios_to_lru sets PG_lru before dropping
 * its isolation reference, so a concurrent final folio_put sees PG_lru, waits for lru_lock and unlinks
 * the folio itself. Nothing is left on a list, nothing is freed twice.
 */
class ReleaseRaceTest {
    @Test
    void finalPutWhilePutbackHoldsLruLock() throws Exception {
        try (LruFixture fx = new LruFixture(2)) {
            Folio f = fx.anon();
            fx.on(0, () -> {
                fx.swap.folioAddLru(f);
                fx.swap.lruAddDrain();
            });
            List<Folio> isolated = new ArrayList<>();
            fx.lruvec.lock();
            try {
                assertEquals(1, fx.vmscan.isolateLruFolios(32, LruList.LRU_INACTIVE_ANON, isolated, true).nrTaken());
            } finally {
                fx.lruvec.unlock();
            }
            assertEquals(2, f.refCount()); // owner + isolation
            long free0 = fx.machine.node().freePages();
            Thread a = Thread.ofPlatform().unstarted(() -> fx.on(0, () -> fx.vmscan.moveFoliosToLru(isolated)));
            // Park A just before it releases lru_lock: F is back on the list, PG_lru set, count 1.
            PauseHook hook = new PauseHook(a, SyncOp.SPIN_UNLOCK, fx.lruvec.lruLock().id(), 0);
            SchedPoints.install(hook);
            AtomicBoolean freed = new AtomicBoolean();
            Thread b;
            try {
                a.start();
                assertTrue(hook.awaitReached());
                assertTrue(f.testLru());
                assertEquals(1, f.refCount());
                b = Thread.ofPlatform().start(() -> fx.on(1, () -> freed.set(f.put()))); // the last reference
                Thread.sleep(50);
                assertTrue(b.isAlive(), "the final put must wait for lru_lock to unlink the folio");
                hook.release();
                a.join(10_000);
                b.join(10_000);
            } finally {
                SchedPoints.uninstall(hook);
            }
            assertFalse(a.isAlive());
            assertFalse(b.isAlive());
            assertTrue(freed.get());
            assertEquals(free0 + 1, fx.machine.node().freePages());
            assertEquals(0, fx.node(NodeStatItem.NR_INACTIVE_ANON));
            assertEquals(0, fx.lruvec.listPfns(LruList.LRU_INACTIVE_ANON).length);
            fx.assertListsConsistent();
        }
    }
}
