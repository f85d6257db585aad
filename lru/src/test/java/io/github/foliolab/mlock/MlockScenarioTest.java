package io.github.foliolab.mlock;

import io.github.foliolab.folio.api.sched.PauseHook;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.FolioOp;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.lru.BatchKind;
import io.github.foliolab.lru.FolioBatch;
import io.github.foliolab.lru.LruList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static io.github.foliolab.folio.api.NodeStatItem.NR_INACTIVE_ANON;
import static io.github.foliolab.folio.api.NodeStatItem.NR_INACTIVE_FILE;
import static io.github.foliolab.folio.api.NodeStatItem.NR_UNEVICTABLE;
import static io.github.foliolab.folio.api.VmEventItem.UNEVICTABLE_PGCULLED;
import static io.github.foliolab.folio.api.VmEventItem.UNEVICTABLE_PGMLOCKED;
import static io.github.foliolab.folio.api.VmEventItem.UNEVICTABLE_PGMUNLOCKED;
import static io.github.foliolab.folio.api.VmEventItem.UNEVICTABLE_PGRESCUED;
import static io.github.foliolab.folio.api.VmEventItem.UNEVICTABLE_PGSCANNED;
import static io.github.foliolab.folio.api.VmEventItem.UNEVICTABLE_PGSTRANDED;
import static io.github.foliolab.mlock.MlockFixture.assertFlags;
import static org.junit.jupiter.api.Assertions.*;

/** Scenarios S6-S13 of docs/kernel-semantics.md section 12 at the folio level. */
class MlockScenarioTest {
    private static final long LOCKED_VMA = VmFlags.VM_LOCKED | VmFlags.VM_READ | VmFlags.VM_WRITE;

    private final MlockFixture fx = new MlockFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    /** mlock of one VMA at folio level: mlock_pte_range's mlock_vma_folio, then the walk's lru_add_drain. */
    private void mlockVma(Folio f, int cpu) {
        fx.on(cpu, () -> {
            fx.mlock.mlockVmaFolio(f, LOCKED_VMA);
            fx.swap.lruAddDrain();
        });
    }

    private void munlockVma(Folio f, int cpu) {
        fx.on(cpu, () -> {
            fx.mlock.munlockVmaFolio(f, LOCKED_VMA);
            fx.swap.lruAddDrain();
        });
    }

    /** S6 end state, returning the folio. */
    private Folio s6() {
        Folio f = fx.onLru(fx.anon());
        MlockFixture.Snap s = fx.snap();
        mlockVma(f, 0);
        assertFlags(f, true, false, true, true);
        assertTrue(f.testSwapbacked());
        assertEquals(1, f.mlockCount());
        assertEquals(1, f.refCount());
        assertNull(fx.linked(f));
        s.assertDeltas(1, NR_INACTIVE_ANON, -1, NR_UNEVICTABLE, 1, UNEVICTABLE_PGMLOCKED, 1, UNEVICTABLE_PGCULLED, 1);
        fx.assertListsConsistent();
        return f;
    }

    @Test
    void s6MlockOfAPresentLruFolio() {
        s6();
    }

    /** S7 end state: file folio, ref 3, mlocked through two VMAs. */
    private Folio s7() {
        Folio f = fx.onLru(fx.file());
        f.get();
        f.get(); // page cache + two mappings
        MlockFixture.Snap s = fx.snap();
        mlockVma(f, 0);
        assertFlags(f, true, false, true, true);
        assertEquals(1, f.mlockCount());
        assertEquals(3, f.refCount());
        assertNull(fx.linked(f));
        s.assertDeltas(1, NR_INACTIVE_FILE, -1, NR_UNEVICTABLE, 1, UNEVICTABLE_PGMLOCKED, 1, UNEVICTABLE_PGCULLED, 1);
        MlockFixture.Snap s2 = fx.snap();
        mlockVma(f, 1);
        assertFlags(f, true, false, true, true);
        assertEquals(2, f.mlockCount());
        assertEquals(3, f.refCount());
        assertNull(fx.linked(f));
        s2.assertDeltas(0);
        return f;
    }

    @Test
    void s7SameFolioMlockedThroughTwoVmas() {
        s7();
    }

    @Test
    void s8AndS9MunlockOneThenTheLast() {
        Folio f = s7();
        MlockFixture.Snap s = fx.snap();
        munlockVma(f, 0);
        assertEquals(1, f.mlockCount());
        assertFlags(f, true, false, true, true);
        assertEquals(3, f.refCount());
        assertNull(fx.linked(f));
        s.assertDeltas(0);
        MlockFixture.Snap s9 = fx.snap();
        munlockVma(f, 2);
        // mlock_count went to 0 and the folio was rescued: now linked, its lru words are list links
        // (mlock_count is only maintained while PG_unevictable).
        assertFlags(f, true, false, false, false);
        assertEquals(LruList.LRU_INACTIVE_FILE, fx.linked(f));
        assertEquals(3, f.refCount());
        s9.assertDeltas(-1, NR_UNEVICTABLE, -1, NR_INACTIVE_FILE, 1, UNEVICTABLE_PGMUNLOCKED, 1, UNEVICTABLE_PGRESCUED, 1);
        fx.assertListsConsistent();
    }

    @Test
    void s10FaultInALockedVmaTakesTheNewFolioPath() {
        Folio f = fx.anon();
        MlockFixture.Snap s = fx.snap();
        fx.on(0, () -> fx.swap.folioAddLruVma(f, LOCKED_VMA | VmFlags.VM_LOCKONFAULT));
        assertFlags(f, false, false, false, true);
        assertEquals(2, f.refCount());
        assertEquals(0, fx.swap.batchCount(0, BatchKind.LRU_ADD));
        MlockBatch mb = fx.mlock.batch(0);
        assertEquals(1, mb.count());
        assertEquals(f.pfn(), mb.pfn(0));
        assertEquals(MlockBatch.NEW_FOLIO, mb.tag(0));
        assertTrue(fx.mlock.needMlockDrain(0));
        s.assertDeltas(1, UNEVICTABLE_PGMLOCKED, 1);
        fx.on(0, fx.swap::lruAddDrain); // lru_add_drain() ends with mlock_drain_local()
        assertFlags(f, true, false, true, true);
        assertEquals(1, f.mlockCount());
        assertEquals(1, f.refCount());
        assertEquals(0, mb.count());
        assertNull(fx.linked(f));
        s.assertDeltas(1, UNEVICTABLE_PGMLOCKED, 1, NR_UNEVICTABLE, 1, UNEVICTABLE_PGCULLED, 1);
        fx.assertListsConsistent();
    }

    @Test
    void vmSpecialOrUnlockedVmaTakesTheLruAddPath() {
        Folio f = fx.anon();
        fx.on(0, () -> fx.swap.folioAddLruVma(f, LOCKED_VMA | VmFlags.VM_IO));
        assertFalse(f.testMlocked());
        assertEquals(1, fx.swap.batchCount(0, BatchKind.LRU_ADD));
        assertEquals(0, fx.mlock.batch(0).count());
        Folio g = fx.onLru(fx.anon());
        MlockFixture.Snap s = fx.snap();
        fx.on(0, () -> fx.mlock.mlockVmaFolio(g, LOCKED_VMA | VmFlags.VM_IO)); // the VM_IO trick (S17)
        fx.on(0, () -> fx.mlock.munlockVmaFolio(g, VmFlags.VM_READ));
        assertEquals(0, fx.mlock.batch(0).count());
        s.assertDeltas(0);
    }

    @Test
    void s11MlockAndMunlockQueuedInTheSameBatch() {
        Folio f = fx.onLru(fx.anon());
        MlockFixture.Snap s = fx.snap();
        fx.on(0, () -> {
            fx.mlock.mlockFolio(f);
            fx.mlock.munlockFolio(f);
        });
        assertFlags(f, true, false, false, true); // queued only: still on the inactive list
        assertEquals(LruList.LRU_INACTIVE_ANON, fx.linked(f));
        assertEquals(3, f.refCount());
        MlockBatch mb = fx.mlock.batch(0);
        assertEquals(2, mb.count());
        assertEquals(MlockBatch.LRU_FOLIO, mb.tag(0));
        assertEquals(MlockBatch.MUNLOCK, mb.tag(1));
        s.assertDeltas(1, UNEVICTABLE_PGMLOCKED, 1);
        fx.on(0, fx.mlock::mlockDrainLocal);
        assertFlags(f, true, false, false, false); // culled with count 1, decremented to 0, rescued
        assertEquals(1, f.refCount());
        assertEquals(LruList.LRU_INACTIVE_ANON, fx.linked(f));
        s.assertDeltas(0, UNEVICTABLE_PGMLOCKED, 1, UNEVICTABLE_PGCULLED, 1, UNEVICTABLE_PGMUNLOCKED, 1,
                UNEVICTABLE_PGRESCUED, 1);
        fx.assertListsConsistent();
    }

    @Test
    void s12MunlockWhileAnotherPartyHoldsTheFolioIsolated() {
        Folio f = s6();
        MlockFixture.Snap s = fx.snap();
        assertTrue(fx.on(1, () -> fx.vmscan.folioIsolateLru(f)));
        assertEquals(2, f.refCount());
        assertFlags(f, false, false, true, true);
        s.assertDeltas(0, NR_UNEVICTABLE, -1);
        munlockVma(f, 0);
        assertFlags(f, false, false, true, false);
        assertEquals(2, f.refCount());
        assertNull(fx.linked(f));
        s.assertDeltas(-1, NR_UNEVICTABLE, -1, UNEVICTABLE_PGSTRANDED, 1);
        fx.on(1, () -> {
            fx.vmscan.folioPutbackLru(f);
            fx.swap.lruAddDrain();
        });
        assertFlags(f, true, false, false, false);
        assertEquals(1, f.refCount());
        assertEquals(LruList.LRU_INACTIVE_ANON, fx.linked(f));
        s.assertDeltas(-1, NR_UNEVICTABLE, -1, UNEVICTABLE_PGSTRANDED, 1, UNEVICTABLE_PGRESCUED, 1, NR_INACTIVE_ANON, 1);
        fx.assertListsConsistent();
    }

    /**
     * S13, race R1: CPU B isolated F and puts it back; B's lru_add finds F unevictable (still PG_mlocked)
     * and is parked before folio_set_lru(F) (variant a) or before folio_set_unevictable(F) (variant b);
     * CPU A's munlock drain then loses PG_lru and clears PG_mlocked; B resumes.
     */
    private void s13(boolean stopBeforeSetUnevictable) throws Exception {
        Folio f = s6();
        assertTrue(fx.on(1, () -> fx.vmscan.folioIsolateLru(f)));
        fx.on(1, () -> fx.vmscan.folioPutbackLru(f)); // into CPU 1's lru_add batch
        MlockFixture.Snap s = fx.snap();
        AtomicReference<Throwable> bFailed = new AtomicReference<>();
        Thread b = Thread.ofPlatform().name("cpu1-lru_add").unstarted(() -> {
            try {
                fx.on(1, fx.swap::lruAddDrain);
            } catch (Throwable e) {
                bFailed.set(e);
            }
        });
        int bit = stopBeforeSetUnevictable ? PageFlags.PG_unevictable : PageFlags.PG_lru;
        PauseHook hook = new PauseHook(b, FolioOp.SET_FLAG, f.pfn(), bit);
        SchedPoints.install(hook);
        try {
            b.start();
            assertTrue(hook.awaitReached(), "CPU 1 never reached folio_set_" + PageFlags.name(bit));
            // CPU 1 has evaluated folio_evictable(F) = false (PG_mlocked still set).
            assertFalse(f.testLru());
            munlockVma(f, 0); // CPU 0: __munlock_folio loses PG_lru: isolated = false
            assertFalse(f.testMlocked());
            hook.release();
            b.join(20_000);
        } finally {
            SchedPoints.uninstall(hook);
        }
        assertFalse(b.isAlive());
        assertNull(bFailed.get());
        // Kernel-faithful outcome: stranded on the unevictable "list" without PG_mlocked.
        assertFlags(f, true, false, true, false);
        assertEquals(0, f.mlockCount());
        assertEquals(1, f.refCount());
        assertNull(fx.linked(f));
        VmEventItem counted = stopBeforeSetUnevictable ? UNEVICTABLE_PGMUNLOCKED : UNEVICTABLE_PGSTRANDED;
        // The putback went from isolated to unevictable: NR_UNEVICTABLE +1 from the isolated state.
        s.assertDeltas(-1, NR_UNEVICTABLE, 1, counted, 1);
        fx.assertListsConsistent();
        // Reclaim never scans the unevictable list: F stays stranded.
        MlockFixture.Snap r = fx.snap();
        fx.on(0, () -> fx.vmscan.shrinkLruvec(32));
        assertFlags(f, true, false, true, false);
        assertEquals(r.ev.get(UNEVICTABLE_PGRESCUED), fx.vmstat.event(UNEVICTABLE_PGRESCUED));
        // check_move_unevictable_folios rescues it.
        MlockFixture.Snap c = fx.snap();
        FolioBatch fb = new FolioBatch(fx.mm);
        fb.add(f);
        fx.on(0, () -> fx.vmscan.checkMoveUnevictableFolios(fb));
        assertFlags(f, true, false, false, false);
        assertEquals(LruList.LRU_INACTIVE_ANON, fx.linked(f));
        c.assertDeltas(0, UNEVICTABLE_PGSCANNED, 1, UNEVICTABLE_PGRESCUED, 1, NR_UNEVICTABLE, -1, NR_INACTIVE_ANON, 1);
        fx.assertListsConsistent();
    }

    @Test
    void s13StrandingRaceR1() throws Exception {
        s13(false);
    }

    @Test
    void s13StrandingRaceR1MunlockSeesUnevictableCleared() throws Exception {
        s13(true);
    }

    /**
     * The deliberate undercount (docs/kernel-semantics.md 6.5, 7.2): __mlock_folio loses the PG_lru race to an
     * isolating CPU and does nothing ("nothing more we can do while it's off LRU"); the putback's lru_add
     * culls the folio with mlock_count 0, not 1, although one VMA holds it mlocked. Reclaim corrects this
     * later; a munlock now would clear PG_mlocked at once.
     */
    @Test
    void mlockLosingPgLruIsSkippedAndLruAddResetsTheCount() {
        Folio f = fx.onLru(fx.anon());
        MlockFixture.Snap s = fx.snap();
        assertTrue(fx.on(1, () -> fx.vmscan.folioIsolateLru(f)));
        mlockVma(f, 0);
        assertFlags(f, false, false, false, true); // PG_mlocked set, nothing else: the worker skipped it
        assertEquals(2, f.refCount(), "ours + the isolation's; the batch's reference was put");
        assertNull(fx.linked(f));
        s.assertDeltas(1, NR_INACTIVE_ANON, -1, UNEVICTABLE_PGMLOCKED, 1);
        fx.on(1, () -> {
            fx.vmscan.folioPutbackLru(f);
            fx.swap.lruAddDrain();
        });
        assertFlags(f, true, false, true, true);
        assertEquals(0, f.mlockCount(), "lru_add resets mlock_count: one mlock is not counted");
        assertEquals(1, f.refCount());
        assertNull(fx.linked(f));
        s.assertDeltas(1, NR_INACTIVE_ANON, -1, NR_UNEVICTABLE, 1, UNEVICTABLE_PGMLOCKED, 1, UNEVICTABLE_PGCULLED, 1);
        // S16: the munlock of that VMA finds count 0 and treats it as the last mlock.
        MlockFixture.Snap m = fx.snap();
        munlockVma(f, 0);
        assertFlags(f, true, false, false, false);
        assertEquals(LruList.LRU_INACTIVE_ANON, fx.linked(f));
        m.assertDeltas(-1, NR_UNEVICTABLE, -1, NR_INACTIVE_ANON, 1, UNEVICTABLE_PGMUNLOCKED, 1, UNEVICTABLE_PGRESCUED, 1);
        fx.assertListsConsistent();
    }

    @Test
    void largeFolioIsDrainedImmediately() {
        Folio l = fx.onLru(fx.anon(4));
        MlockFixture.Snap s = fx.snap();
        fx.on(0, () -> fx.mlock.mlockFolio(l));
        assertEquals(0, fx.mlock.batch(0).count());
        assertFlags(l, true, false, true, true);
        assertEquals(1, l.mlockCount());
        assertEquals(1, l.refCount());
        s.assertDeltas(16, NR_INACTIVE_ANON, -16, NR_UNEVICTABLE, 16, UNEVICTABLE_PGMLOCKED, 16, UNEVICTABLE_PGCULLED, 16);
    }

    @Test
    void lruCacheDisabledDrainsTheMlockBatchAtOnce() {
        Folio f = fx.onLru(fx.anon());
        fx.on(0, fx.swap::lruCacheDisable);
        try {
            fx.on(0, () -> fx.mlock.mlockFolio(f));
            assertEquals(0, fx.mlock.batch(0).count());
            assertFlags(f, true, false, true, true);
        } finally {
            fx.swap.lruCacheEnable();
        }
    }

    @Test
    void drainAllReachesAnotherCpusMlockBatch() {
        Folio f = fx.onLru(fx.anon());
        fx.on(2, () -> fx.mlock.mlockFolio(f));
        assertTrue(fx.mlock.needMlockDrain(2));
        assertTrue(fx.swap.cpuNeedsDrain(2));
        fx.on(0, fx.swap::lruAddDrainAll);
        assertFalse(fx.mlock.needMlockDrain(2));
        assertFlags(f, true, false, true, true);
        assertEquals(1, f.refCount());
        fx.on(1, () -> fx.mlock.munlockFolio(f));
        fx.on(0, () -> fx.mlock.mlockDrainRemote(1));
        assertFlags(f, true, false, false, false);
    }

    @Test
    void mlockOfAnUnreferencedFolioIsAVmBugWithNoChange() {
        Folio f = fx.anon();
        assertTrue(f.refFreeze(1)); // count 0: nobody may take a reference
        MlockFixture.Snap s = fx.snap();
        assertThrows(VmBugException.class, () -> fx.on(0, () -> fx.mlock.mlockFolio(f)));
        assertThrows(VmBugException.class, () -> fx.on(0, () -> fx.mlock.munlockFolio(f)));
        assertThrows(VmBugException.class, () -> fx.on(0, () -> fx.mlock.mlockNewFolio(f)));
        assertFalse(f.testMlocked());
        assertEquals(0, f.refCount());
        assertEquals(0, fx.mlock.batch(0).count());
        s.assertDeltas(0);
        f.refUnfreeze(1);
    }

    @Test
    void newFolioEntryFoundOnTheLruIsAVmBugBeforeAnyEntryIsProcessed() {
        Folio g = fx.onLru(fx.anon());
        Folio f = fx.anon();
        fx.on(0, () -> {
            fx.mlock.mlockFolio(g); // an LRU_FOLIO entry first: must not be processed either
            fx.mlock.mlockNewFolio(f);
        });
        fx.onLruNoMlockDrain(f); // a broken caller puts the "new" folio on the LRU behind mlock's back
        MlockFixture.Snap s = fx.snap();
        assertThrows(VmBugException.class, () -> fx.on(0, fx.mlock::mlockDrainLocal));
        MlockBatch mb = fx.mlock.batch(0);
        assertEquals(2, mb.count(), "nothing processed");
        assertEquals(MlockBatch.LRU_FOLIO, mb.tag(0));
        assertEquals(MlockBatch.NEW_FOLIO, mb.tag(1));
        assertFlags(g, true, false, false, true);
        assertEquals(LruList.LRU_INACTIVE_ANON, fx.linked(g));
        assertEquals(2, g.refCount(), "the batch still holds its reference");
        assertEquals(2, f.refCount());
        s.assertDeltas(0);
        assertFalse(fx.mlock.batch(0).lock().heldByCurrentThread());
    }

    @Test
    void freeingAnMlockedFolioClearsTheStrayFlag() {
        Folio f = s6();
        MlockFixture.Snap s = fx.snap();
        assertTrue(f.put()); // last reference (truncation raced with munlock): S18
        s.assertDeltas(-1, NR_UNEVICTABLE, -1, VmEventItem.UNEVICTABLE_PGCLEARED, 1);
        fx.assertListsConsistent();
        assertEquals(0, fx.vmstat.node(NodeStatItem.NR_ISOLATED_ANON));
    }
}
