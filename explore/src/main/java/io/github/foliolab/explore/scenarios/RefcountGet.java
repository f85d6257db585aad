package io.github.foliolab.explore.scenarios;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.explore.Checks;
import io.github.foliolab.explore.Explore;
import io.github.foliolab.explore.Invariant;
import io.github.foliolab.explore.Scenario;
import io.github.foliolab.explore.Variant;
import io.github.foliolab.explore.World;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.api.Gfp;

import java.util.List;
import java.util.function.Consumer;

/**
 * Two CPUs take a reference on F at once. {@code folio_get} is one atomic add; the {@code read-set}
 * variant open-codes it as {@code folio_ref_count} then {@code folio_set_count(count + 1)} and loses an
 * update, which the end check (ref = 1 + 2) catches.
 */
public final class RefcountGet extends Scenario<Consumer<Folio>> {
    /** Instantiated by ServiceLoader ({@code provides io.github.foliolab.explore.Scenario with ...}). */
    public RefcountGet() {}

    /** {@code folio_get}: each CPU calls folio_get(F); clean. */
    public static final Variant<Consumer<Folio>> ATOMIC = new Variant<>("folio_get", "each CPU calls folio_get(F)",
            Variant.Expect.CLEAN, f -> Explore.call("folio_get(F)", f::get));
    /** {@code read-set}: each CPU reads the count and stores count + 1; a lost update (a violation). */
    public static final Variant<Consumer<Folio>> READ_SET = new Variant<>("read-set",
            "each CPU reads the count and sets count + 1 (not atomic)", Variant.Expect.VIOLATION,
            f -> Explore.call("open_coded_get(F)", () -> {
                int c = f.refCount();
                PageWords.setRefCount(f.memMap(), f.pfn(), c + 1);
            }));

    @Override
    public String name() {
        return "refcount-get";
    }

    @Override
    public String summary() {
        return "two concurrent references: atomic folio_get vs. a read-then-set open-coded get";
    }

    @Override
    public List<Variant<Consumer<Folio>>> variants() {
        return List.of(ATOMIC, READ_SET);
    }

    @Override
    public World build(Variant<Consumer<Folio>> variant) {
        Machine m = Machine.bootGcManaged(2, 512, 0);
        Consumer<Folio> get = variant.behaviour();
        return new World(m) {
            final Folio f = name(m.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0), "F");

            @Override
            protected Runnable saveState() {
                return NO_STATE;
            }

            @Override
            public int nrCpus() {
                return 2;
            }

            @Override
            protected void run(int cpu) {
                get.accept(f);
            }

            @Override
            public List<Invariant> invariants() {
                return CoreInvariants.all();
            }

            @Override
            protected void check(Checks checks) {
                int ref = f.memMap().refCountRaw(f.pfn());
                checks.require(ref == 3, "lost-reference", "F has refcount " + ref + " after two gets from 1 (expected 3)");
            }
        };
    }
}
