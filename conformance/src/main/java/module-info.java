/** Conformance scripts run on the simulator (format: docs/conformance-format.md). */
module io.github.foliolab.conformance {
    requires transitive io.github.foliolab.mlock;
    requires transitive io.github.foliolab.gup;
    requires io.github.foliolab.migrate; // the `move` command's machine has page migration

    exports io.github.foliolab.conformance;
}
