/** The deterministic interleaving explorer. */
module io.github.foliolab.explore {
    requires transitive io.github.foliolab.mlock;
    requires static org.junit.jupiter.api;

    exports io.github.foliolab.explore;
    exports io.github.foliolab.explore.scenarios;
    exports io.github.foliolab.explore.junit;
}
