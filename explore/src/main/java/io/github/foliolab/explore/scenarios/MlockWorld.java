package io.github.foliolab.explore.scenarios;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;

/**
 * An {@link LruWorld} that also uses the mlock module's folio functions (mlock_folio, munlock_folio,
 * mlock_drain_local) and counts the mlock batches' entries in the refcount invariant.
 */
public abstract class MlockWorld extends LruWorld {
    protected MlockWorld(Machine machine) {
        super(machine);
    }

    /** mlock_folio(F) then mlock_drain_local(): F ends culled and mlocked. Runs on the calling CPU. */
    protected void mlockFolioAndDrain(Folio f) {
        new MlockReplica(f, lruvec, vmscan).mlockFolioNow();
    }

    /** munlock_folio(F) then mlock_drain_local() (the library's mm/mlock.c). Runs on the calling CPU. */
    protected void munlockFolioAndDrain(Folio f) {
        new MlockReplica(f, lruvec, vmscan).munlockFolio(MlockReplica.Munlock.V72);
    }
}
