package io.github.foliolab.explore.scenarios;

import io.github.foliolab.explore.Explore;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.mlock.Mlock;
import io.github.foliolab.mlock.MlockBatch;

/**
 * An {@link LruWorld} that also uses the mlock module's folio functions (mlock_folio, munlock_folio,
 * mlock_drain_local) and counts the mlock batches' entries in the refcount invariant.
 */
public abstract class MlockWorld extends LruWorld {
    /** The machine's mlock state: the per-CPU mlock batches and mlock_folio / munlock_folio. */
    protected final Mlock mlock;

    /**
     * A world on {@code machine}, which must have the lru module (its mlock half) attached.
     *
     * @param machine the world's machine
     */
    protected MlockWorld(Machine machine) {
        super(machine);
        this.mlock = Mlock.of(machine);
    }

    /**
     * mlock_folio(F) then mlock_drain_local(): F ends culled and mlocked. Runs on the calling CPU.
     *
     * @param f the folio, mapped by a VM_LOCKED VMA of the scenario
     */
    protected void mlockFolioAndDrain(Folio f) {
        Explore.call("mlock_folio(" + folioName(f.pfn()) + ")", () -> mlock.mlockFolio(f));
        Explore.call("mlock_drain_local()", mlock::mlockDrainLocal);
    }

    /**
     * munlock_folio(F) then mlock_drain_local() (the library's mm/mlock.c). Runs on the calling CPU.
     *
     * @param f the folio, mlocked
     */
    protected void munlockFolioAndDrain(Folio f) {
        Explore.call("munlock_folio(" + folioName(f.pfn()) + ")", () -> mlock.munlockFolio(f));
        Explore.call("mlock_drain_local()", mlock::mlockDrainLocal);
    }

    @Override
    public int otherBatchEntries(Folio f) {
        int n = 0;
        for (int cpu = 0; cpu < machine().cpus().nr(); cpu++) {
            MlockBatch b = mlock.batch(cpu);
            for (int i = 0; i < b.count(); i++) {
                if (b.pfn(i) == f.pfn()) n++;
            }
        }
        return n;
    }
}
