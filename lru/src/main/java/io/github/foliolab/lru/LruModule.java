package io.github.foliolab.lru;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.spi.MachineModule;

/**
 * Attaches mm/swap.c, the LRU half of mm/vmscan.c and the folio half of mm/mlock.c to every machine:
 * the lruvec, reclaim, the per-CPU folio batches and kworkers, the mlock batches. Provides __folio_put()'s
 * call into page_cache_release(); takes reclaim's link up into rmap.
 */
public final class LruModule implements MachineModule {
    /** Instantiated by ServiceLoader ({@code provides ... MachineModule}). */
    public LruModule() {}

    @Override
    public String name() {
        return "lru";
    }

    @Override
    public void attach(Machine.Assembly a) {
        LruVec lruvec = LruVec.attach(a);
        Vmscan vmscan = Vmscan.attach(a);
        Swap swap = Swap.attach(a, lruvec, vmscan);
        a.restorable(lruvec::saveAll, swap::save); // vmscan keeps no state of its own
    }
}
