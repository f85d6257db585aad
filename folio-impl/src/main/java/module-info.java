/**
 * The off-heap memmap of struct page / struct folio descriptors with the kernel's flag, refcount,
 * mapcount and pin atomics; zones and the buddy allocator; vmstat counters; simulated CPUs and the
 * locks every other module uses (each lock acquire and release is a schedule point); the machine and
 * the service interface through which modules attach to it.
 */
module io.github.foliolab.folio.impl {
    requires transitive io.github.foliolab.folio.api;

    exports io.github.foliolab.folio;
    exports io.github.foliolab.folio.cpu;
    exports io.github.foliolab.folio.sync;
    exports io.github.foliolab.folio.spi;
    // Raw descriptor stores: only for the library's modules that own those words (and its benchmarks).
    exports io.github.foliolab.folio.internal to
            io.github.foliolab.lru, io.github.foliolab.mm, io.github.foliolab.mlock,
            io.github.foliolab.migrate,
            io.github.foliolab.explore, io.github.foliolab.bench;

    uses io.github.foliolab.folio.spi.MachineModule;
}
