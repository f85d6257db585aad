/** The bin/foliolab command-line tool and runnable experiments. */
module io.github.foliolab.examples {
    requires io.github.foliolab.explore;
    requires io.github.foliolab.conformance;

    exports io.github.foliolab.examples;
}
