/**
 * The mlock family of system calls of mm/mlock.c (mlock, mlock2, munlock, mlockall, munlockall). The
 * folio half of mm/mlock.c (mlock batches, mlock_count) lives in the lru module, beside mm/swap.c.
 */
module io.github.foliolab.mlock {
    requires transitive io.github.foliolab.mm;
    // mm/gup.c: mlock's population (__mm_populate) goes through mm's GupOps, which the gup module provides.
    requires io.github.foliolab.gup;

    exports io.github.foliolab.mlock.syscalls;

    provides io.github.foliolab.folio.spi.MachineModule with io.github.foliolab.mlock.syscalls.MlockModule;
}
