package io.github.foliolab.explore.scenarios;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.explore.Checks;
import io.github.foliolab.explore.Explore;
import io.github.foliolab.explore.Scenario;
import io.github.foliolab.explore.Variant;
import io.github.foliolab.explore.World;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.ZoneStatItem;

import java.util.List;

/**
 * Race R1 (docs/kernel-semantics.md section 11, scenario S13; the July 2023 linux-mm thread on mlock_pte_range and
 * large folios): CPU A munlocks the last VM_LOCKED mapping of F (munlock_folio, then the mlock batch's
 * drain runs __munlock_folio) while CPU B isolates F and puts it back (folio_isolate_lru,
 * folio_putback_lru, lru_add_drain -> lru_add). In 7.2 A can lose the PG_lru ticket to B, take the
 * non-isolated path and clear PG_mlocked without lru_lock after B's lru_add read it as set: F is stranded
 * on the unevictable LRU, no longer mlocked and mapped by no VM_LOCKED VMA.
 *
 * <p>Setup: F, a small anon folio mapped once (the allocation reference stands for the mapping), culled to
 * the unevictable LRU: {lru, unevictable, mlocked, swapbacked}, mlock_count 1. At the folio level the VMA
 * is implicit: once A's body starts, no VM_LOCKED VMA maps F.
 *
 * <p>Variants (fixes are alternative bodies in {@link MlockReplica}, never changes to the library):
 * {@code 7.2} runs the library's own code; {@code replica} runs the scenario's transcription of 7.2 (the
 * baseline the fixes are written against: it must fail the same way); {@code fix-a}, {@code fix-b},
 * {@code fix-b-lru-add}, {@code fix-c} and {@code fix-ab} the fixes.
 */
public final class MunlockPutback extends Scenario<MunlockPutback.Code> {
    /** Instantiated by ServiceLoader ({@code provides io.github.foliolab.explore.Scenario with ...}). */
    public MunlockPutback() {}

    /** One CPU's side of R1 in a variant; runs on that CPU's simulated thread with the schedule's world. */
    @FunctionalInterface
    public interface Side {
        /**
         * Run this side's calls.
         *
         * @param w the schedule's world
         */
        void run(R1World w);
    }

    /**
     * What a variant runs.
     *
     * @param order   F's order (0: a small folio)
     * @param munlock CPU A: munlock_folio and the mlock batch's drain
     * @param putback CPU B, once it has isolated F: folio_putback_lru and the drain that runs lru_add
     */
    public record Code(int order, Side munlock, Side putback) {
        /**
         * Checks that neither side is null.
         *
         * @param order F's order (0: a small folio)
         * @param munlock CPU A's side
         * @param putback CPU B's side
         * @throws NullPointerException naming the side that is null
         */
        public Code {
            java.util.Objects.requireNonNull(munlock, "munlock");
            java.util.Objects.requireNonNull(putback, "putback");
        }
    }

    /** The library's munlock_folio then mlock_drain_local (mm/mlock.c as the library models it). */
    private static final Side LIBRARY_MUNLOCK = w -> w.munlockFolioAndDrain(w.f);

    /** The library's folio_putback_lru then lru_add_drain (mm/vmscan.c, mm/swap.c). */
    private static final Side LIBRARY_PUTBACK = w -> {
        Explore.call("folio_putback_lru(F)", () -> w.vmscan.folioPutbackLru(w.f));
        w.bRefs--;
        Explore.call("lru_add_drain()", w.swap::lruAddDrain);
    };

    /** The replica's putback whose lru_add sets PG_lru before folio_evictable() (fix (b)'s lru_add half). */
    private static final Side SET_LRU_FIRST_PUTBACK = w -> {
        // putbackAndDrain drops the isolation reference inside folio_putback_lru.
        w.replica.putbackAndDrain(MlockReplica.LruAdd.SET_LRU_FIRST);
        w.bRefs--;
    };

    /** A replica body of __munlock_folio (MlockReplica), behind munlock_folio and the batch drain. */
    private static Side replicaMunlock(MlockReplica.Munlock body) {
        return w -> w.replica.munlockFolio(body);
    }

    /** {@code 7.2}: the library's own mm/mlock.c, mm/vmscan.c and mm/swap.c; the race is open (a violation). */
    public static final Variant<Code> AS_IS = Variant.asIs("the library's munlock_folio/__munlock_folio and "
            + "folio_isolate_lru/folio_putback_lru/lru_add of Linux 7.2", Variant.Expect.VIOLATION,
            new Code(0, LIBRARY_MUNLOCK, LIBRARY_PUTBACK));
    /**
     * {@code 7.2-large}: the library's code with F an order-2 (16 KiB) folio, whose batches drain at once; a
     * violation.
     */
    public static final Variant<Code> AS_IS_LARGE = new Variant<>("7.2-large", "the library's 7.2 code with F an order-2 "
            + "(16 KiB) large folio: its batches drain at once (folio_may_be_lru_cached is false)", Variant.Expect.VIOLATION,
            new Code(2, LIBRARY_MUNLOCK, LIBRARY_PUTBACK));
    /**
     * {@code replica}: the scenario's transcription of 7.2's __munlock_folio and lru_add; must fail as {@link
     * #AS_IS} does.
     */
    public static final Variant<Code> REPLICA = new Variant<>("replica", "the scenario's transcription of 7.2's "
            + "__munlock_folio and lru_add (the baseline of the fixes)", Variant.Expect.VIOLATION,
            new Code(0, replicaMunlock(MlockReplica.Munlock.V72), LIBRARY_PUTBACK));
    /** {@code fix-a}: __munlock_folio clears PG_mlocked before its folio_test_clear_lru; still a violation. */
    public static final Variant<Code> FIX_A = new Variant<>("fix-a", "__munlock_folio clears PG_mlocked before it tries "
            + "folio_test_clear_lru; lru_add as 7.2", Variant.Expect.VIOLATION,
            new Code(0, replicaMunlock(MlockReplica.Munlock.CLEAR_MLOCKED_FIRST), LIBRARY_PUTBACK));
    /**
     * {@code fix-b}: lru_add sets PG_lru before folio_evictable(), __munlock_folio tests PG_lru under lru_lock; a
     * violation.
     */
    public static final Variant<Code> FIX_B = new Variant<>("fix-b", "lru_add sets PG_lru before folio_evictable(); "
            + "__munlock_folio does folio_test_clear_lru under lru_lock", Variant.Expect.VIOLATION,
            new Code(0, replicaMunlock(MlockReplica.Munlock.TEST_CLEAR_LRU_LOCKED), SET_LRU_FIRST_PUTBACK));
    /** {@code fix-b-lru-add}: only lru_add's half of fix (b); a violation. */
    public static final Variant<Code> FIX_B_LRU_ADD_ONLY = new Variant<>("fix-b-lru-add", "only lru_add's half of fix (b): "
            + "PG_lru set before folio_evictable(); __munlock_folio as 7.2", Variant.Expect.VIOLATION,
            new Code(0, replicaMunlock(MlockReplica.Munlock.V72), SET_LRU_FIRST_PUTBACK));
    /** {@code fix-c}: __munlock_folio re-tests PG_lru under lru_lock when it lost the ticket; clean. */
    public static final Variant<Code> FIX_C = new Variant<>("fix-c", "__munlock_folio re-tests PG_lru under lru_lock when "
            + "it lost the ticket, and clears PG_mlocked under lru_lock; lru_add as 7.2", Variant.Expect.CLEAN,
            new Code(0, replicaMunlock(MlockReplica.Munlock.RECHECK_UNDER_LOCK), LIBRARY_PUTBACK));
    /**
     * {@code fix-ab}: both halves of the pre-5.18 protocol (PG_mlocked cleared first, PG_lru set first); clean.
     */
    public static final Variant<Code> FIX_AB = new Variant<>("fix-ab", "both halves of the pre-5.18 protocol: PG_mlocked "
            + "cleared before folio_test_clear_lru, PG_lru set before folio_evictable()", Variant.Expect.CLEAN,
            new Code(0, replicaMunlock(MlockReplica.Munlock.DEKKER), SET_LRU_FIRST_PUTBACK));

    @Override
    public String name() {
        return "munlock-putback";
    }

    @Override
    public String summary() {
        return "R1: munlock of the last VM_LOCKED mapping vs. isolation + putback strands F on the unevictable LRU";
    }

    @Override
    public List<Variant<Code>> variants() {
        return List.of(AS_IS, AS_IS_LARGE, REPLICA, FIX_A, FIX_B, FIX_B_LRU_ADD_ONLY, FIX_C, FIX_AB);
    }

    @Override
    public World build(Variant<Code> variant) {
        return new R1World(variant.behaviour());
    }

    /** One schedule's machine for R1. */
    public static final class R1World extends MlockWorld {
        final Folio f;
        final MlockReplica replica;
        final Code code;
        /** References B holds: its lookup reference and the isolation reference. */
        int bRefs;

        R1World(Code code) {
            super(LruWorld.newMachine(2));
            this.code = code;
            this.f = name(machine().node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_COMP, code.order()), "F");
            this.replica = new MlockReplica(f, lruvec, vmscan);
            PageWords.setMapping(f.memMap(), f.pfn(), 0x1000L | 1L); // PAGE_MAPPING_ANON: an anon_vma
            f.nonAtomicSet(PageFlags.PG_swapbacked);
            machine().cpu(0).run(() -> {
                swap.folioAddLru(f);
                swap.lruAddDrain();
                mlockFolioAndDrain(f);
            });
        }

        @Override
        protected Runnable saveState() {
            int refs = bRefs;
            return () -> bRefs = refs;
        }

        @Override
        public int nrCpus() {
            return 2;
        }

        @Override
        public int heldReferences(Folio folio) {
            return 1 + bRefs;
        }

        @Override
        protected void run(int cpu) {
            if (cpu == 0) {
                cpuA();
            } else {
                cpuB();
            }
        }

        /** CPU A: munlock(V) reaches F: munlock_folio, then the mlock batch drains (__munlock_folio). */
        private void cpuA() {
            code.munlock().run(this);
        }

        /** CPU B: an isolator (reclaim, compaction, migration) takes F off the LRU and puts it back. */
        private void cpuB() {
            if (!Explore.test("folio_try_get(F)", f::tryGet)) {
                return;
            }
            bRefs++;
            if (Explore.test("folio_isolate_lru(F)", () -> vmscan.folioIsolateLru(f))) {
                bRefs++;
                code.putback().run(this);
            }
            bRefs--;
            Explore.call("folio_put(F)", () -> {
                f.put();
            });
        }

        @Override
        protected void check(Checks checks) {
            long fl = f.flags();
            boolean lru = (fl & (1L << PageFlags.PG_lru)) != 0;
            boolean unevictable = (fl & (1L << PageFlags.PG_unevictable)) != 0;
            boolean mlocked = (fl & (1L << PageFlags.PG_mlocked)) != 0;
            if (unevictable && !mlocked) {
                checks.violation("stranded", "F is unevictable (" + PageFlags.describe(fl) + ", counted in nr_unevictable = "
                        + lruvec.size(io.github.foliolab.lru.LruList.LRU_UNEVICTABLE) + ") but not mlocked, and no "
                        + "VM_LOCKED VMA maps it: reclaim never scans it again");
            }
            // The messages are built only for a failed check: this runs at the end of every schedule.
            if (mlocked) {
                checks.violation("still-mlocked", "F kept PG_mlocked after its last VM_LOCKED mapping was munlocked: "
                        + PageFlags.describe(fl));
            }
            if (!lru) {
                checks.violation("off-lru", "F ended off the LRU: " + PageFlags.describe(fl));
            }
            long nrMlock = machine().vmstat().zoneSum(ZoneStatItem.NR_MLOCK);
            if (nrMlock != 0) {
                checks.violation("nr_mlock", "nr_mlock is " + nrMlock + " at the end (expected 0)");
            }
        }
    }
}
