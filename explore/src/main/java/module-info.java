/** The deterministic interleaving explorer. */
module io.github.foliolab.explore {
    requires transitive io.github.foliolab.mlock;
    requires static org.junit.jupiter.api;
    requires transitive info.picocli; // ExploreCli.exploreCommand() returns a picocli CommandLine

    exports io.github.foliolab.explore;
    exports io.github.foliolab.explore.scenarios;
    exports io.github.foliolab.explore.junit;
    // ExploreCli's command classes: picocli fills their annotated fields reflectively.
    opens io.github.foliolab.explore to info.picocli;
}
