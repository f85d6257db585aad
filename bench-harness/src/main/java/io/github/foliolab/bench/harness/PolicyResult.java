package io.github.foliolab.bench.harness;

/**
 * One row of the report: a batching policy at one thread count.
 *
 * @param policy the policy as it was named to the harness (a shipped name, a ServiceLoader name or a
 *        class name)
 * @param threads benchmark threads, each on its own simulated CPU
 * @param foliosPerUs throughput: folios added and drained per microsecond, summed over the threads
 * @param foliosPerUsError JMH's 99.9% confidence half-width of {@code foliosPerUs} (NaN with a single
 *        iteration)
 * @param cpuNsPerFolio thread CPU time per folio, in nanoseconds (spinning on a contended lock counts)
 * @param lruLockPerFolio lru_lock acquisitions per folio (1/31 for the kernel's batches of 31)
 * @param bytesPerFolio bytes allocated on the Java heap per folio (0 for the kernel's policy)
 */
public record PolicyResult(String policy, int threads, double foliosPerUs, double foliosPerUsError,
                           double cpuNsPerFolio, double lruLockPerFolio, double bytesPerFolio) {
}
