/** The deterministic interleaving explorer. */
module io.github.foliolab.explore {
    requires transitive io.github.foliolab.mlock;
    requires transitive io.github.foliolab.gup;
    requires io.github.foliolab.migrate; // the 2022 migration race's CPU B
    requires static org.junit.jupiter.api;
    requires transitive info.picocli; // ExploreCli.exploreCommand() returns a picocli CommandLine
    requires com.fasterxml.jackson.core; // ShardJson reads the shards' outputs back for explore merge

    exports io.github.foliolab.explore;
    exports io.github.foliolab.explore.scenarios;
    exports io.github.foliolab.explore.junit;

    // Scenarios are found with ServiceLoader: the library's own (also listed in
    // META-INF/services for the class path) and any module's that provides one.
    uses io.github.foliolab.explore.Scenario;
    provides io.github.foliolab.explore.Scenario with
            io.github.foliolab.explore.scenarios.MunlockPutback,
            io.github.foliolab.explore.scenarios.MlockLruAdd,
            io.github.foliolab.explore.scenarios.LostActivation,
            io.github.foliolab.explore.scenarios.DrainAll,
            io.github.foliolab.explore.scenarios.LockOrder,
            io.github.foliolab.explore.scenarios.RefcountGet,
            io.github.foliolab.explore.scenarios.LruTicket,
            io.github.foliolab.explore.scenarios.MigrationMlock,
            io.github.foliolab.explore.scenarios.MlockOvercount,
            io.github.foliolab.explore.scenarios.ForkIsolate,
            io.github.foliolab.explore.scenarios.GupFastMigration,
            io.github.foliolab.explore.scenarios.ThpSplitMlock;
    // ExploreCli's command classes: picocli fills their annotated fields reflectively.
    opens io.github.foliolab.explore to info.picocli;
}
