package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.Folio;

/**
 * The folio side of mm/mlock.c the system calls drive: mlock_folio() and munlock_folio() (queue into
 * this CPU's mlock batch), and mlock_drain_local(). Implemented by the mlock module's folio code.
 */
public interface FolioMlock {
    /**
     * mlock_folio().
     *
     * @param folio the folio
     */
    void mlockFolio(Folio folio);

    /**
     * munlock_folio().
     *
     * @param folio the folio
     */
    void munlockFolio(Folio folio);

    /** mlock_drain_local(). */
    void mlockDrainLocal();
}
