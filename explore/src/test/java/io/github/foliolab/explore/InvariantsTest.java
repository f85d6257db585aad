package io.github.foliolab.explore;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.explore.scenarios.CoreInvariants;
import io.github.foliolab.explore.scenarios.LruInvariants;
import io.github.foliolab.explore.scenarios.LruWorld;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.folio.api.ZoneType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Each invariant holds on a sane state and catches the broken state it is about. */
class InvariantsTest {
    /** Between functions, nothing held. */
    static final View QUIESCENT = new View() {
        @Override
        public boolean held(long lockId) {
            return false;
        }

        @Override
        public boolean anyHeld() {
            return false;
        }

        @Override
        public boolean quiescent() {
            return true;
        }

        @Override
        public boolean atEnd() {
            return true;
        }

        @Override
        public int round() {
            return counter++;
        }

        private int counter;
    };

    /** F on the inactive anon list, referenced once (by its mapping). */
    static final class Sane extends LruWorld {
        final Folio f;

        Sane() {
            super(LruWorld.newMachine(2));
            f = name(machine().node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0), "F");
            f.nonAtomicSet(PageFlags.PG_swapbacked);
            machine().cpu(0).run(() -> {
                swap.folioAddLru(f);
                swap.lruAddDrain();
            });
        }

        @Override
        public int nrCpus() {
            return 1;
        }

        @Override
        protected void run(int cpu) {}

        @Override
        public int heldReferences(Folio folio) {
            return 1;
        }
    }

    static String check(Invariant inv, World w) {
        return inv.check(w, QUIESCENT);
    }

    @Test
    void thereAreAtLeastTwentyAndAllHoldOnASaneState() {
        Sane w = new Sane();
        List<Invariant> all = w.invariants();
        assertTrue(all.size() >= 20, "only " + all.size() + " invariants");
        assertEquals(all.size(), all.stream().map(Invariant::name).distinct().count(), "duplicate names");
        for (Invariant inv : all) {
            assertNull(check(inv, w), inv.name());
        }
    }

    @Test
    void activeAndUnevictableTogether() {
        Sane w = new Sane();
        w.f.setActive();
        w.f.setUnevictable();
        assertNotNull(check(CoreInvariants.ACTIVE_XOR_UNEVICTABLE, w));
    }

    @Test
    void flagsThatDisagreeWithTheList() {
        Sane w = new Sane();
        w.f.setActive(); // linked on the inactive list
        assertTrue(check(LruInvariants.LINKED_ON_ITS_LIST, w).contains("LRU_INACTIVE_ANON"));
    }

    @Test
    void pgLruOnAFolioThatIsOnNoList() {
        Sane w = new Sane();
        w.machine().cpu(0).run(() -> assertTrue(w.vmscan().folioIsolateLru(w.f)));
        assertNull(check(LruInvariants.LRU_FLAG_LISTED, w));
        w.f.setLru();
        assertNotNull(check(LruInvariants.LRU_FLAG_LISTED, w));
    }

    @Test
    void linkedWithoutPgLru() {
        Sane w = new Sane();
        w.f.clearLru();
        assertNotNull(check(LruInvariants.OFF_LRU_UNLINKED, w));
    }

    @Test
    void countersThatDisagreeWithTheLists() {
        Sane w = new Sane();
        w.machine().vmstat().modNode(io.github.foliolab.folio.api.NodeStatItem.NR_INACTIVE_ANON, 1);
        assertNotNull(check(LruInvariants.SIZES_MATCH_VMSTAT, w));
    }

    @Test
    void aReferenceMissingForAHolder() {
        Sane w = new Sane();
        w.f.get(); // 2 references, 1 held: fine
        assertNull(check(LruInvariants.REFCOUNT_COVERS_HOLDERS, w));
        PageWords.setRefCount(w.f.memMap(), w.f.pfn(), 0);
        assertNotNull(check(LruInvariants.REFCOUNT_COVERS_HOLDERS, w));
        assertNotNull(check(CoreInvariants.LRU_IMPLIES_REFERENCED, w));
    }

    @Test
    void nrMlockThatDisagreesWithTheFlags() {
        Sane w = new Sane();
        w.f.testSetMlocked();
        assertNotNull(check(CoreInvariants.NR_MLOCK_MATCHES, w));
        w.machine().vmstat().modZone(ZoneType.ZONE_MOVABLE, ZoneStatItem.NR_MLOCK, 1);
        assertNull(check(CoreInvariants.NR_MLOCK_MATCHES, w));
    }

    @Test
    void anEvictableFolioOnTheUnevictableLru() {
        Sane w = new Sane();
        w.machine().cpu(0).run(() -> {
            assertTrue(w.vmscan().folioIsolateLru(w.f));
            w.f.setUnevictable();
            w.lruvec().lock();
            w.lruvec().addFolio(w.f.pfn());
            w.f.setLru();
            w.lruvec().unlock();
            w.f.put();
        });
        assertNull(check(LruInvariants.UNEVICTABLE_ACCOUNTED, w));
        assertNotNull(check(LruInvariants.UNEVICTABLE_REALLY_UNEVICTABLE, w));
    }

    @Test
    void anUnevictableFolioLinkedOnAList() {
        Sane w = new Sane();
        w.f.setUnevictable(); // still linked on the inactive list
        assertNotNull(check(LruInvariants.MLOCK_COUNT_ONLY_UNEVICTABLE, w));
    }

    @Test
    void aFolioLeftLocked() {
        Sane w = new Sane();
        assertTrue(w.f.trylock());
        assertNotNull(check(CoreInvariants.NO_FOLIO_LOCK_AT_END, w));
    }

    @Test
    void guardedInvariantsWaitForTheLockToBeFree() {
        Sane w = new Sane();
        w.machine().vmstat().modNode(io.github.foliolab.folio.api.NodeStatItem.NR_INACTIVE_ANON, 1);
        View locked = new View() {
            @Override
            public boolean held(long lockId) {
                return true;
            }

            @Override
            public boolean anyHeld() {
                return true;
            }

            @Override
            public boolean quiescent() {
                return false;
            }

            @Override
            public boolean atEnd() {
                return false;
            }

            @Override
            public int round() {
                return 0;
            }
        };
        assertNull(LruInvariants.SIZES_MATCH_VMSTAT.check(w, locked));
    }

    @Test
    void aFreeFolioWithFlagsOrReferences() {
        Sane w = new Sane();
        Folio g = w.name(w.machine().node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0), "G");
        assertTrue(g.put(), "the last reference frees G");
        assertNull(check(CoreInvariants.FREE_FOLIO_CLEAN, w));
        assertNull(check(LruInvariants.FREE_NOT_ON_LRU, w));
        g.memMap().nonAtomicSetFlag(g.pfn(), PageFlags.PG_active);
        assertTrue(check(CoreInvariants.FREE_FOLIO_CLEAN, w).startsWith("free G still has flags"),
                check(CoreInvariants.FREE_FOLIO_CLEAN, w));
    }

    @Test
    void aNegativeRefcountOrCounter() {
        Sane w = new Sane();
        PageWords.setRefCount(w.f.memMap(), w.f.pfn(), -1);
        assertTrue(check(CoreInvariants.REFCOUNT_NONNEGATIVE, w).contains("F has refcount -1"));
        PageWords.setRefCount(w.f.memMap(), w.f.pfn(), 1);
        assertNull(check(CoreInvariants.REFCOUNT_NONNEGATIVE, w));
        assertNull(check(LruInvariants.COUNTERS_NONNEGATIVE, w));
        w.machine().vmstat().modNode(io.github.foliolab.folio.api.NodeStatItem.NR_ISOLATED_ANON, -1);
        assertTrue(check(LruInvariants.COUNTERS_NONNEGATIVE, w).contains("nr_isolated_anon is -1"),
                check(LruInvariants.COUNTERS_NONNEGATIVE, w));
    }

    @Test
    void pgLruOnAFolioWaitingInAnLruAddBatch() {
        Sane w = new Sane();
        w.machine().cpu(0).run(() -> {
            assertTrue(w.vmscan().folioIsolateLru(w.f));
            w.swap().folioAddLru(w.f); // queued in CPU 0's lru_add batch, PG_lru clear
        });
        assertNull(check(LruInvariants.BATCHED_OFF_LRU, w));
        w.f.setLru();
        assertTrue(check(LruInvariants.BATCHED_OFF_LRU, w).contains("lru_add batch with PG_lru set"),
                check(LruInvariants.BATCHED_OFF_LRU, w));
    }
}
