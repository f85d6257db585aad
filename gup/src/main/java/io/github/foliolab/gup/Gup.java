package io.github.foliolab.gup;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.lru.Vmscan;
import io.github.foliolab.mm.GupOps;
import io.github.foliolab.mm.LongtermMigration;
import io.github.foliolab.mm.Mm;

/**
 * The gup module's per-machine state (mm/gup.c): the folio reference and pin arithmetic
 * ({@link #folios()}), the slow path and population ({@link #slow()}, which mm reaches as
 * {@link GupOps}), GUP-fast ({@link #fast()}) and FOLL_LONGTERM pins ({@link #longterm()}).
 */
public final class Gup {
    private static final Machine.Key<Gup> KEY = new Machine.Key<>("gup");

    /** How a long-term pin drains the per-CPU caches before migrating: 7.2's (the default) or 6.15's. */
    public static final Machine.Option<LongtermDrain> LONGTERM_DRAIN =
            new Machine.Option<>("long-term pin drain logic", LongtermDrain.V7_2);

    /**
     * Whether gup_fast_pte_range() re-reads the PTE after taking its reference and drops the folio if the
     * PTE changed: true (the default) as in Linux 7.2; false only for experiments (the explorer's
     * {@code gup-fast-migration} scenario shows what the re-check prevents).
     */
    public static final Machine.Option<Boolean> FAST_PTE_RECHECK = new Machine.Option<>("GUP-fast PTE re-check", Boolean.TRUE);

    private final GupFolios folios;
    private final GupSlow slow;
    private final Longterm longterm;
    private final GupFast fast;

    private Gup(Machine.Assembly a) {
        Machine machine = a.machine();
        Mm mm = Mm.of(machine);
        this.folios = new GupFolios(machine.memMap());
        this.slow = new GupSlow(mm, folios);
        this.longterm = new Longterm(machine.memMap(), Swap.of(machine), Vmscan.of(machine), slow, folios,
                a.option(LONGTERM_DRAIN), a.link(LongtermMigration.class, LongtermMigration.NONE));
        this.fast = new GupFast(machine.memMap(), folios, longterm, a.option(FAST_PTE_RECHECK));
    }

    /** Create the machine's gup state and provide mm's population call; called by {@link GupModule}. */
    static Gup attach(Machine.Assembly a) {
        Gup g = new Gup(a);
        a.put(KEY, g);
        a.provide(GupOps.class, g.slow);
        return g;
    }

    /**
     * The machine's gup state.
     *
     * @param machine the machine
     * @return its state
     * @throws IllegalStateException if the gup module is not attached to the machine
     */
    public static Gup of(Machine machine) {
        return machine.state(KEY);
    }

    /** {@return try_grab_folio, unpin_user_page(s), folio_maybe_dma_pinned and friends} */
    public GupFolios folios() {
        return folios;
    }

    /** {@return the slow path (__get_user_pages) and population} */
    public GupSlow slow() {
        return slow;
    }

    /** {@return GUP-fast: get_user_pages_fast, pin_user_pages_fast} */
    public GupFast fast() {
        return fast;
    }

    /** {@return FOLL_LONGTERM pins: __gup_longterm_locked and the migration before the pin} */
    public Longterm longterm() {
        return longterm;
    }
}
