package io.github.foliolab.bench.harness;

import java.time.Duration;
import java.util.List;

/**
 * What {@link LruPolicyBench#run(BenchSettings)} measures and how long.
 *
 * @param policies the policies, each a name {@code LruBatchPolicies.byName} accepts (a shipped policy such as
 *        {@code kernel}, a {@code name()} registered through ServiceLoader, or the fully qualified name of a
 *        class with a public no-argument constructor); rows come in this order
 * @param threads the thread counts, each run separately (one simulated CPU per thread)
 * @param warmupIterations JMH warmup iterations per fork (0 or more)
 * @param iterations JMH measurement iterations per fork (1 or more)
 * @param iterationTime the length of each warmup and measurement iteration (positive)
 * @param forks JMH forks per policy and thread count: 0 runs in this JVM (quick, less isolated), 1 or more
 *        in fresh JVMs on this JVM's class path
 * @param quiet true to silence JMH's progress output
 * @param ignoreJmhLock true to run even while another JMH run on the machine holds JMH's lock file (the
 *        figures may then be disturbed); false waits for nothing and fails
 */
public record BenchSettings(List<String> policies, List<Integer> threads, int warmupIterations, int iterations,
                            Duration iterationTime, int forks, boolean quiet, boolean ignoreJmhLock) {
    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException if a list is empty, a thread count is below 1, or a count or the
     *         time is out of range
     */
    public BenchSettings {
        policies = List.copyOf(policies);
        threads = List.copyOf(threads);
        if (policies.isEmpty()) {
            throw new IllegalArgumentException("no policy to benchmark");
        }
        if (threads.isEmpty() || threads.stream().anyMatch(t -> t < 1)) {
            throw new IllegalArgumentException("thread counts must be >= 1, got " + threads);
        }
        if (warmupIterations < 0 || iterations < 1 || forks < 0) {
            throw new IllegalArgumentException("need warmup iterations >= 0, iterations >= 1, forks >= 0; got "
                    + warmupIterations + ", " + iterations + ", " + forks);
        }
        if (iterationTime.isNegative() || iterationTime.isZero()) {
            throw new IllegalArgumentException("iteration time must be positive, got " + iterationTime);
        }
    }

    /**
     * The defaults of the command line for these policies: 1 and 2 threads, 3 warmup and 5 measurement
     * iterations of 1 s, one fork, JMH's progress shown, JMH's lock respected.
     *
     * @param policies the policies, as for the record's component
     * @return the settings
     */
    public static BenchSettings of(List<String> policies) {
        return new BenchSettings(policies, List.of(1, 2), 3, 5, Duration.ofSeconds(1), 1, false, false);
    }
}
