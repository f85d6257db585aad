/** The bin/foliolab command-line tool and runnable experiments. */
module io.github.foliolab.examples {
    requires io.github.foliolab.explore;
    requires io.github.foliolab.conformance;
    requires info.picocli;

    exports io.github.foliolab.examples;
    // FolioLab's command classes: picocli fills their annotated fields reflectively.
    opens io.github.foliolab.examples to info.picocli;
}
