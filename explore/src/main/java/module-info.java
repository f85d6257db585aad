/** The deterministic interleaving explorer. */
module io.github.foliolab.explore {
    requires transitive io.github.foliolab.mlock;
}
