/** mm/swap.c and the LRU half of mm/vmscan.c. */
module io.github.foliolab.lru {
    requires transitive io.github.foliolab.folio.impl;
    requires org.jctools.core;
    requires org.agrona;

    exports io.github.foliolab.lru;

    uses io.github.foliolab.lru.LruExtension;
}
