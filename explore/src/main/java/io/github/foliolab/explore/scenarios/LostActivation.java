package io.github.foliolab.explore.scenarios;

import io.github.foliolab.explore.Checks;
import io.github.foliolab.explore.Explore;
import io.github.foliolab.explore.Scenario;
import io.github.foliolab.explore.Variant;
import io.github.foliolab.explore.World;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageFlags;

import java.util.List;

/**
 * Race R11 (docs/kernel-semantics.md section 11, scenario S20): CPU A marks F accessed twice, which queues it in A's
 * lru_activate batch with PG_lru still set; CPU B isolates F and puts it back before A drains. A's drain
 * loses the folio_test_clear_lru and silently drops the activation. The kernel accepts this (an
 * activation is a hint); the scenario shows the schedule and classifies it as accepted behaviour, while
 * the invariants check that nothing else goes wrong (lists, counters, references).
 */
public final class LostActivation extends Scenario<Variant.Library> {
    /** Instantiated by ServiceLoader ({@code provides io.github.foliolab.explore.Scenario with ...}). */
    public LostActivation() {}

    /**
     * {@code 7.2}: A marks F accessed while B isolates and puts it back; the lost activation is accepted kernel
     * behaviour.
     */
    public static final Variant<Variant.Library> AS_IS = Variant.library(
            "A: folio_mark_accessed(F), lru_add_drain(); B: isolate F, putback, lru_add_drain()", Variant.Expect.ACCEPTED);

    @Override
    public String name() {
        return "lost-activation";
    }

    @Override
    public String summary() {
        return "R11: a queued activation is dropped because the folio was isolated before the drain (accepted)";
    }

    @Override
    public List<Variant<Variant.Library>> variants() {
        return List.of(AS_IS);
    }

    @Override
    public World build(Variant<Variant.Library> variant) {
        return new LruWorld(LruWorld.newMachine(2)) {
            final Folio f = name(machine().node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0), "F");
            /** References B holds: its lookup reference and the isolation reference. */
            int bRefs;
            boolean queued;

            {
                // A page-cache folio on the inactive file list, already referenced once. The allocation
                // reference stands for the page cache's.
                machine().cpu(0).run(() -> {
                    swap.folioAddLru(f);
                    swap.lruAddDrain();
                });
                f.setReferenced();
            }

            @Override
            protected Runnable saveState() {
                int refs = bRefs;
                boolean q = queued;
                return () -> {
                    bRefs = refs;
                    queued = q;
                };
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
                    Explore.call("folio_mark_accessed(F)", () -> swap.folioMarkAccessed(f));
                    queued = swap.batchContains(0, io.github.foliolab.lru.BatchKind.LRU_ACTIVATE, f);
                    Explore.call("lru_add_drain()", swap::lruAddDrain);
                } else {
                    if (!Explore.test("folio_try_get(F)", f::tryGet)) {
                        return;
                    }
                    bRefs++;
                    if (Explore.test("folio_isolate_lru(F)", () -> vmscan.folioIsolateLru(f))) {
                        bRefs++;
                        Explore.call("folio_putback_lru(F)", () -> vmscan.folioPutbackLru(f));
                        bRefs--;
                        Explore.call("lru_add_drain()", swap::lruAddDrain);
                    }
                    bRefs--;
                    Explore.call("folio_put(F)", () -> {
                        f.put();
                    });
                }
            }

            @Override
            protected void check(Checks checks) {
                long fl = f.flags();
                checks.require((fl & (1L << PageFlags.PG_lru)) != 0, "off-lru", "F ended off the LRU: " + PageFlags.describe(fl));
                checks.require(f.memMap().refCountRaw(f.pfn()) == 1, "refcount", "F ended with refcount "
                        + f.memMap().refCountRaw(f.pfn()) + " (expected the page cache's 1)");
                if (queued && (fl & (1L << PageFlags.PG_active)) == 0) {
                    checks.accepted("lost-activation", "A queued F in lru_activate, but B had isolated it when A drained: "
                            + "folio_test_clear_lru failed and the activation was dropped (R11, accepted: activation is a hint)");
                }
            }
        };
    }
}
