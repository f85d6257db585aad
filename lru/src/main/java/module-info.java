/**
 * mm/swap.c, the LRU half of mm/vmscan.c, and the folio half of mm/mlock.c (the mlock batches share
 * mm/swap.c's batch mechanism and are called from it directly).
 */
module io.github.foliolab.lru {
    requires transitive io.github.foliolab.folio.impl;
    requires org.jctools.core;
    requires org.agrona;

    exports io.github.foliolab.lru;
    exports io.github.foliolab.mlock;

    uses io.github.foliolab.lru.LruBatchPolicy;

    provides io.github.foliolab.folio.spi.MachineModule with io.github.foliolab.lru.LruModule;
}
