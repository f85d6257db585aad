package io.github.foliolab.explore.scenarios;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.explore.Explore;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.lru.LruVec;
import io.github.foliolab.lru.Vmscan;

/**
 * The scenario-level transcription of the mm/mlock.c and mm/swap.c functions that race R1 runs through,
 * written against the library's public primitives (folio flag atomics, lru_lock, lruvec_add/del_folio,
 * folio_evictable), so that proposed fixes can be written as alternative bodies of the same functions
 * without touching the library's 7.2 code paths. {@link Munlock#V72} and {@link LruAdd#V72} follow
 * Linux 7.2 step for step; the others are the fixes discussed for R1.
 *
 * <p>Model difference: the mlock batch is drained right after the folio is queued (as with
 * lru_cache_disabled() or a batch of one), so munlock_folio's batch steps are folded into
 * {@link #munlockFolio}; they touch only CPU-local state and do not change which interleavings exist.
 */
public final class MlockReplica {
    private final Folio f;
    private final LruVec lruvec;
    private final Vmscan vmscan;

    /**
     * A replica working on {@code f} of the machine whose lruvec and vmscan state are given.
     *
     * @param f the scenario's folio
     * @param lruvec the machine's lruvec
     * @param vmscan the machine's vmscan state
     */
    public MlockReplica(Folio f, LruVec lruvec, Vmscan vmscan) {
        this.f = f;
        this.lruvec = lruvec;
        this.vmscan = vmscan;
    }

    /** Which __munlock_folio body runs. */
    public enum Munlock {
        /** Linux 7.2: folio_test_clear_lru first; the non-isolated path clears PG_mlocked without lru_lock. */
        V72,
        /** Fix (a): clear PG_mlocked (keeping the count's decision) before trying to clear PG_lru. */
        CLEAR_MLOCKED_FIRST,
        /** Fix (b), munlock half: folio_test_clear_lru under lru_lock; the rest as 7.2. */
        TEST_CLEAR_LRU_LOCKED,
        /**
         * Fix (c): when folio_test_clear_lru fails, take lru_lock and test again; if it still fails, clear
         * PG_mlocked under lru_lock (lru_add, which runs under lru_lock, then sees it), else take the
         * isolated path.
         */
        RECHECK_UNDER_LOCK,
        /** Fix (a)+(b): the pre-5.18 Dekker protocol: clear PG_mlocked first, then folio_test_clear_lru. */
        DEKKER
    }

    /** Which lru_add body the putback's drain runs. */
    public enum LruAdd {
        /** Linux 7.2: evictability tested first, folio_set_lru after the insertion (by the caller). */
        V72,
        /** Fix (b), lru_add half: folio_set_lru before folio_evictable() (the removed smp_mb() ordering). */
        SET_LRU_FIRST
    }

    private void modMlock(long delta) {
        f.memMap().node().vmstat().modZone(f.zone().type(), ZoneStatItem.NR_MLOCK, delta);
    }

    private void count(VmEventItem e) {
        f.memMap().node().vmstat().countEvents(e, f.nrPages());
    }

    /**
     * munlock_folio(F) followed by the drain of the mlock batch (mlock_folio_batch -> __munlock_folio):
     * the batch's reference is taken, the chosen body runs, lru_lock is released if it was taken, and
     * folios_put() drops the batch's reference.
     *
     * @param body which __munlock_folio body runs: 7.2's or one of the fixes
     */
    public void munlockFolio(Munlock body) {
        Explore.call("munlock_folio(F)", () -> f.get()); // folio_get: the mlock batch's reference
        Explore.call("mlock_folio_batch()", () -> {
            boolean locked = Explore.test("__munlock_folio(F)", () -> switch (body) {
                case V72 -> munlock72(false);
                case TEST_CLEAR_LRU_LOCKED -> munlock72(true);
                case CLEAR_MLOCKED_FIRST, DEKKER -> munlockMlockedFirst();
                case RECHECK_UNDER_LOCK -> munlockRecheck();
            });
            if (locked) {
                lruvec.unlock(); // lruvec_unlock_irq
            }
            f.put(); // folios_put(fbatch)
        });
    }

    /** 7.2's __munlock_folio; returns true if it leaves lru_lock held (the caller unlocks). */
    private boolean munlock72(boolean testClearUnderLock) {
        boolean isolated;
        boolean locked = false;
        if (testClearUnderLock) {
            lruvec.lock();
            locked = true;
            isolated = f.testClearLru();
            if (!isolated) {
                lruvec.unlock();
                locked = false;
            }
        } else {
            isolated = f.testClearLru();
            if (isolated) {
                lruvec.lock(); // folio_lruvec_relock_irq
                locked = true;
            }
        }
        if (!decrementMlockCount(isolated)) {
            munlockTail(isolated);
        }
        return locked;
    }

    /**
     * The mlock_count step of __munlock_folio: an isolated unevictable folio loses one count; if some
     * remain, PG_lru is set back and the folio stays mlocked (true). False when the tail must run.
     */
    private boolean decrementMlockCount(boolean isolated) {
        if (isolated && f.testUnevictable()) {
            int c = f.mlockCount();
            if (c > 0) {
                PageWords.setMlockCount(f.memMap(), f.pfn(), --c);
            }
            if (c > 0) {
                f.setLru();
                return true;
            }
        }
        return false;
    }

    /** The common tail: clear PG_mlocked, account, rescue if isolated, set PG_lru back. */
    private void munlockTail(boolean isolated) {
        if (f.testClearMlocked()) {
            modMlock(-f.nrPages());
            if (isolated || !f.testUnevictable()) {
                count(VmEventItem.UNEVICTABLE_PGMUNLOCKED);
            } else {
                count(VmEventItem.UNEVICTABLE_PGSTRANDED);
            }
        }
        // folio_evictable() has to be checked *after* clearing Mlocked
        if (isolated && f.testUnevictable() && vmscan.folioEvictable(f)) {
            lruvec.delFolio(f.pfn());
            f.clearUnevictable();
            lruvec.addFolio(f.pfn());
            count(VmEventItem.UNEVICTABLE_PGRESCUED);
        }
        if (isolated) {
            f.setLru();
        }
    }

    /** Fixes (a) and Dekker: PG_mlocked cleared before the PG_lru ticket is tried. */
    private boolean munlockMlockedFirst() {
        boolean wasMlocked = f.testClearMlocked();
        if (wasMlocked) {
            modMlock(-f.nrPages());
        }
        boolean isolated = f.testClearLru();
        if (!isolated) {
            if (wasMlocked) {
                count(f.testUnevictable() ? VmEventItem.UNEVICTABLE_PGSTRANDED : VmEventItem.UNEVICTABLE_PGMUNLOCKED);
            }
            return false;
        }
        lruvec.lock();
        if (f.testUnevictable()) {
            int c = f.mlockCount();
            if (c > 0) {
                PageWords.setMlockCount(f.memMap(), f.pfn(), --c);
            }
            if (c > 0) {
                // Still mlocked through another VMA: give the flag back.
                if (wasMlocked && !f.testSetMlocked()) {
                    modMlock(f.nrPages());
                }
                f.setLru();
                return true;
            }
        }
        if (wasMlocked) {
            count(VmEventItem.UNEVICTABLE_PGMUNLOCKED);
        }
        if (f.testUnevictable() && vmscan.folioEvictable(f)) {
            lruvec.delFolio(f.pfn());
            f.clearUnevictable();
            lruvec.addFolio(f.pfn());
            count(VmEventItem.UNEVICTABLE_PGRESCUED);
        }
        f.setLru();
        return true;
    }

    /** Fix (c): recheck PG_lru under lru_lock before taking the non-isolated path. */
    private boolean munlockRecheck() {
        boolean isolated = f.testClearLru();
        lruvec.lock();
        if (!isolated) {
            isolated = f.testClearLru(); // under lru_lock: lru_add is either all before or all after
        }
        if (!decrementMlockCount(isolated)) {
            munlockTail(isolated);
        }
        return true;
    }

    /**
     * The putback path with a chosen lru_add: folio_putback_lru (folio_get for the lru_add batch, drop the
     * isolation reference), then lru_add_drain's folio_batch_move_lru for F: under lru_lock, lru_add and
     * folio_set_lru, then folios_put of the batch's reference.
     *
     * @param body which lru_add body runs: 7.2's or fix (b)'s
     */
    public void putbackAndDrain(LruAdd body) {
        Explore.call("folio_putback_lru(F)", () -> {
            f.get(); // folio_add_lru: the lru_add batch's reference
            f.put(); // the isolation reference
        });
        Explore.call("lru_add_drain()", () -> {
            lruvec.lock();
            Explore.call("lru_add(F)", () -> lruAdd(body));
            if (body == LruAdd.V72) {
                f.setLru(); // folio_set_lru after the insertion, under lru_lock
            }
            lruvec.unlock();
            f.put(); // folios_put(fbatch)
        });
    }

    private void lruAdd(LruAdd body) {
        if (body == LruAdd.SET_LRU_FIRST) {
            f.setLru(); // SetPageLRU(); smp_mb() (the model is sequentially consistent)
        }
        boolean wasUnevictable = f.testUnevictable() && f.testClearUnevictable();
        if (vmscan.folioEvictable(f)) {
            if (wasUnevictable) {
                count(VmEventItem.UNEVICTABLE_PGRESCUED);
            }
        } else {
            f.clearActive();
            f.setUnevictable();
            PageWords.setMlockCount(f.memMap(), f.pfn(), 0);
            if (!wasUnevictable) {
                count(VmEventItem.UNEVICTABLE_PGCULLED);
            }
        }
        lruvec.addFolio(f.pfn());
    }

    /** mlock_folio(F) and its drain (__mlock_folio), for setting a scenario up: cull F to the unevictable LRU. */
    public void mlockFolioNow() {
        if (!f.testSetMlocked()) {
            modMlock(f.nrPages());
            count(VmEventItem.UNEVICTABLE_PGMLOCKED);
        }
        if (!f.testClearLru()) {
            return;
        }
        lruvec.lock();
        if (vmscan.folioEvictable(f)) {
            throw new IllegalStateException("mlocked folio evictable");
        }
        if (f.testUnevictable()) {
            PageWords.setMlockCount(f.memMap(), f.pfn(), f.mlockCount() + 1);
        } else {
            lruvec.delFolio(f.pfn());
            f.clearActive();
            f.setUnevictable();
            PageWords.setMlockCount(f.memMap(), f.pfn(), 1);
            lruvec.addFolio(f.pfn());
            count(VmEventItem.UNEVICTABLE_PGCULLED);
        }
        f.setLru();
        lruvec.unlock();
    }
}
