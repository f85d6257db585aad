/** JMH benchmarks (run from the shaded benchmarks.jar on the class path). */
module io.github.foliolab.bench {
    requires io.github.foliolab.explore;
    requires jmh.core;
    requires java.desktop; // LruBenchChart (ImageIO, Graphics2D)
    requires java.management; // LruAddBench: thread CPU time

    exports io.github.foliolab.bench;
    exports io.github.foliolab.bench.jmh_generated;
}
