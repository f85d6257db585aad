/** JMH benchmarks (run from the shaded benchmarks.jar on the class path). */
module io.github.foliolab.bench {
    requires io.github.foliolab.explore;
    requires io.github.foliolab.conformance;
    requires jmh.core;
    requires lincheck; // R1Lincheck: the peer model checker (automatic module)
    requires java.management; // MemMapFootprint (heap in use), LruAddBench (thread CPU time)
    requires java.desktop; // LruBenchChart (ImageIO, Graphics2D)

    exports io.github.foliolab.bench;
    exports io.github.foliolab.bench.jmh_generated;
}
