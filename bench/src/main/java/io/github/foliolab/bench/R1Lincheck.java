package io.github.foliolab.bench;

import org.jetbrains.lincheck.Lincheck;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs {@link R1LincheckModel} under Lincheck's general-purpose model checker
 * ({@code Lincheck.runConcurrentTest}) and reports whether it found the stranding, after how many
 * invocations (interleavings run) and how long. {@code java -cp bench/target/benchmarks.jar
 * io.github.foliolab.bench.R1Lincheck [invocations]} runs it once; {@link ExploreBench} runs it in JMH.
 */
public final class R1Lincheck {
    private R1Lincheck() {}

    /**
     * What one check found.
     *
     * @param found       true if Lincheck reported the stranding
     * @param invocations interleavings run until then (or all of them)
     * @param nanos       wall-clock time
     * @param report      Lincheck's first report line, or null
     */
    public record Outcome(boolean found, long invocations, long nanos, String report) {}

    /** Explore up to {@code invocations} interleavings. */
    public static Outcome check(int invocations) {
        // Counted in an object the block captures, not in a static field: Lincheck restores static
        // state between invocations.
        AtomicLong runs = new AtomicLong();
        long before = 0;
        long t0 = System.nanoTime();
        try {
            Lincheck.runConcurrentTest(invocations, () -> {
                runs.incrementAndGet();
                R1LincheckModel.run();
            });
        } catch (AssertionError e) {
            String m = String.valueOf(e.getMessage());
            int nl = m.indexOf('\n', m.indexOf("stranded") >= 0 ? m.indexOf("stranded") : 0);
            String line = m.indexOf("stranded") >= 0 ? m.substring(m.indexOf("stranded"), nl > 0 ? nl : m.length()) : m;
            if (Boolean.getBoolean("foliolab.lincheck.verbose")) {
                System.out.println(m);
            }
            return new Outcome(true, runs.get() - before, System.nanoTime() - t0, line);
        }
        return new Outcome(false, runs.get() - before, System.nanoTime() - t0, null);
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Outcome o = check(n);
        System.out.println("lincheck R1: " + (o.found() ? "violation found (" + o.report() + ")" : "no violation")
                + " after " + o.invocations() + " invocations in " + o.nanos() / 1_000_000 + " ms");
    }
}
