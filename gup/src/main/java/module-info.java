/**
 * mm/gup.c: FOLL_* flags, try_grab_folio and unpinning, the GUP slow path and population (which mm and
 * mlock reach through mm's {@code GupOps}), GUP-fast, FOLL_LONGTERM pins, and io_uring's fixed-buffer
 * registration as the userspace way to a long-term pin.
 */
module io.github.foliolab.gup {
    requires transitive io.github.foliolab.mm;

    exports io.github.foliolab.gup;

    provides io.github.foliolab.folio.spi.MachineModule with io.github.foliolab.gup.GupModule;
}
