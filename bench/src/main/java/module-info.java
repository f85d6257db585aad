/** JMH benchmarks (run from the shaded jar on the class path). */
module io.github.foliolab.bench {
    requires io.github.foliolab.explore;
    requires jmh.core;
}
