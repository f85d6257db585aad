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

import java.util.List;

/**
 * lru_add_drain_all() with per-CPU work (mm/swap.c __lru_add_drain_all; docs/kernel-semantics.md section 5.6): CPU A
 * adds a new folio F to its lru_add batch while CPU B runs lru_add_drain_all(), which queues
 * lru_add_drain_per_cpu work on every CPU that needs a drain and waits for it with flush_work(). The
 * work runs on A's kworker, a third simulated thread bound to machine CPU 0 (a daemon: it may still be
 * waiting for work when the others finish). The promise checked: if A's folio_add_lru returned before B
 * called lru_add_drain_all(), F is on the LRU when lru_add_drain_all() returns.
 */
public final class DrainAll extends Scenario<Variant.Library> {
    /** Instantiated by ServiceLoader ({@code provides io.github.foliolab.explore.Scenario with ...}). */
    public DrainAll() {}

    /**
     * {@code 7.2}: A adds F to its lru_add batch, B runs lru_add_drain_all(), kworker/0 drains A's batch; clean.
     */
    public static final Variant<Variant.Library> AS_IS = Variant.library("A: folio_add_lru(F); B: lru_add_drain_all(); kworker/0 runs "
            + "A's queued drain work", Variant.Expect.CLEAN);

    @Override
    public String name() {
        return "drain-all";
    }

    @Override
    public String summary() {
        return "lru_add_drain_all() drains a folio added before it started, through per-CPU work and flush_work";
    }

    @Override
    public List<Variant<Variant.Library>> variants() {
        return List.of(AS_IS);
    }

    @Override
    public World build(Variant<Variant.Library> variant) {
        return new MlockWorld(LruWorld.newMachine(2)) {
            final Folio f = name(machine().node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0), "F");
            /** A's folio_add_lru returned (plain: the explorer runs one CPU at a time). */
            boolean added;
            /** B saw that before it called lru_add_drain_all(). */
            boolean addedBeforeDrain;
            boolean drained;

            {
                f.nonAtomicSet(PageFlags.PG_swapbacked);
                PageWords.setMapping(f.memMap(), f.pfn(), 0x1000L | 1L);
            }

            @Override
            protected Runnable saveState() {
                boolean a = added, before = addedBeforeDrain, d = drained;
                return () -> {
                    added = a;
                    addedBeforeDrain = before;
                    drained = d;
                };
            }

            @Override
            public int nrCpus() {
                return 3;
            }

            @Override
            protected int machineCpu(int body) {
                return body == 2 ? 0 : body;
            }

            @Override
            protected boolean daemon(int body) {
                return body == 2;
            }

            @Override
            public String bodyName(int body) {
                return body == 2 ? "kworker/0" : super.bodyName(body);
            }

            @Override
            public int heldReferences(Folio folio) {
                return 1;
            }

            @Override
            protected void run(int body) {
                switch (body) {
                    case 0 -> {
                        Explore.call("folio_add_lru(F)", () -> swap.folioAddLru(f));
                        Explore.write("added");
                        added = true;
                    }
                    case 1 -> {
                        Explore.read("added");
                        addedBeforeDrain = added;
                        Explore.call("lru_add_drain_all()", swap::lruAddDrainAll);
                        Explore.read(f);
                        drained = (f.flags() & (1L << PageFlags.PG_lru)) != 0;
                    }
                    default -> {
                        while (true) {
                            Explore.call("worker_thread()", () -> swap.workqueue().waitAndRunPending(0));
                        }
                    }
                }
            }

            @Override
            protected void check(Checks checks) {
                if (addedBeforeDrain) {
                    checks.require(drained, "not-drained", "A's folio_add_lru(F) returned before B called "
                            + "lru_add_drain_all(), but F was still off the LRU when it returned: "
                            + PageFlags.describe(f.flags()));
                }
            }
        };
    }
}
