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
 * Race R1b (docs/kernel-semantics.md section 11, scenario S14): F waits in CPU B's lru_add batch (PG_lru clear) when
 * its VMA becomes VM_LOCKED; CPU A mlocks it (mlock_folio, then the drain's __mlock_folio) while B drains
 * lru_add. If B's lru_add reads PG_mlocked before A sets it, and A's __mlock_folio loses the PG_lru ticket
 * because B has not set PG_lru yet, F ends PG_mlocked on an evictable list. Benign by design: the next
 * reclaim pass that isolates F finds it unevictable and culls it. The scenario shows the schedule and
 * classifies the outcome as accepted; the invariants and the other end checks must still hold.
 */
public final class MlockLruAdd extends Scenario<Variant.Library> {
    /** Instantiated by ServiceLoader ({@code provides io.github.foliolab.explore.Scenario with ...}). */
    public MlockLruAdd() {}

    /** {@code 7.2}: A mlocks F and drains its mlock batch while B drains the lru_add batch holding F; accepted. */
    public static final Variant<Variant.Library> AS_IS = Variant.library("A: mlock_folio(F), mlock_drain_local(); B: lru_add_drain() "
            + "of the lru_add batch holding F", Variant.Expect.ACCEPTED);

    @Override
    public String name() {
        return "mlock-lru-add";
    }

    @Override
    public String summary() {
        return "R1b: mlock vs. lru_add leaves a PG_mlocked folio on an evictable list (benign: reclaim culls it)";
    }

    @Override
    public List<Variant<Variant.Library>> variants() {
        return List.of(AS_IS);
    }

    @Override
    public World build(Variant<Variant.Library> variant) {
        return new MlockWorld(LruWorld.newMachine(2)) {
            final Folio f = name(machine().node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0), "F");

            {
                PageWords.setMapping(f.memMap(), f.pfn(), 0x1000L | 1L); // PAGE_MAPPING_ANON
                f.nonAtomicSet(PageFlags.PG_swapbacked);
                // A new anon folio faulted on CPU B: it waits in B's lru_add batch with a reference.
                machine().cpu(1).run(() -> swap.folioAddLru(f));
            }

            @Override
            protected Runnable saveState() {
                return NO_STATE;
            }

            @Override
            public int nrCpus() {
                return 2;
            }

            @Override
            public int heldReferences(Folio folio) {
                return 1; // the mapping
            }

            @Override
            protected void run(int cpu) {
                if (cpu == 0) {
                    mlockFolioAndDrain(f); // mlock(V) reached F's PTE: mlock_vma_folio -> mlock_folio
                } else {
                    Explore.call("lru_add_drain()", swap::lruAddDrain);
                }
            }

            @Override
            protected void check(Checks checks) {
                long fl = f.flags();
                boolean lru = (fl & (1L << PageFlags.PG_lru)) != 0;
                boolean mlocked = (fl & (1L << PageFlags.PG_mlocked)) != 0;
                boolean unevictable = (fl & (1L << PageFlags.PG_unevictable)) != 0;
                checks.require(lru, "off-lru", "F ended off the LRU: " + PageFlags.describe(fl));
                checks.require(mlocked, "not-mlocked", "F lost PG_mlocked although its VMA is VM_LOCKED: " + PageFlags.describe(fl));
                long nrMlock = machine().vmstat().zoneSum(ZoneStatItem.NR_MLOCK);
                checks.require(nrMlock == 1, "nr_mlock", "nr_mlock is " + nrMlock + " (expected 1)");
                if (lru && mlocked && !unevictable) {
                    checks.accepted("mlocked-on-evictable-list", "F is PG_mlocked but on an evictable list ("
                            + PageFlags.describe(fl) + "): lru_add tested evictability before A set PG_mlocked, and "
                            + "__mlock_folio lost the PG_lru ticket; reclaim culls it on its next pass (R1b, benign by design)");
                }
            }
        };
    }
}
