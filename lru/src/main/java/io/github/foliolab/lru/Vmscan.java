package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;

import java.util.List;

/**
 * The LRU half of mm/vmscan.c of Linux 7.2 for one machine: isolation and putback, reclaim of a list,
 * culling to the unevictable list, check_move_unevictable_folios.
 *
 * <p>CONTRACT STUB: these signatures are what the mm module calls; the lru work fills in the bodies.
 */
public final class Vmscan {
    private static final Machine.Key<Vmscan> KEY = new Machine.Key<>("vmscan", Vmscan::new);

    private final Machine machine;
    private volatile RmapOps rmapOps;

    private Vmscan(Machine machine) {
        this.machine = machine;
    }

    public static Vmscan of(Machine machine) {
        return machine.state(KEY);
    }

    public Machine machine() {
        return machine;
    }

    /** Install the rmap operations reclaim uses (the mm module does this). */
    public void setRmapOps(RmapOps ops) {
        this.rmapOps = ops;
    }

    public RmapOps rmapOps() {
        return rmapOps;
    }

    /** folio_isolate_lru(): take the folio off its LRU (the PG_lru ticket), with a reference. */
    public boolean folioIsolateLru(Folio folio) {
        throw new UnsupportedOperationException("folio_isolate_lru: implemented by the lru work");
    }

    /** folio_putback_lru(): folio_add_lru() then drop the isolation reference. */
    public void folioPutbackLru(Folio folio) {
        throw new UnsupportedOperationException("folio_putback_lru: implemented by the lru work");
    }

    /** reclaim_pages() (MADV_PAGEOUT): reclaim isolated folios; returns the number of pages reclaimed. */
    public long reclaimPages(List<Folio> folios) {
        throw new UnsupportedOperationException("reclaim_pages: implemented by the lru work");
    }
}
