/** Conformance scripts run on the simulator (shared/conformance/FORMAT.md). */
module io.github.foliolab.conformance {
    requires transitive io.github.foliolab.mlock;

    exports io.github.foliolab.conformance;
}
