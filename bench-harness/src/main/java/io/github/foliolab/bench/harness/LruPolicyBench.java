package io.github.foliolab.bench.harness;

import io.github.foliolab.lru.LruBatchPolicies;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * Benchmarks LRU batching policies, a user's own among them, against the kernel's: runs {@link PolicyBench}
 * through JMH for each policy and thread count and reports throughput (folios per microsecond), thread CPU
 * ns per folio, lru_lock acquisitions per folio and bytes allocated per folio, as a Markdown table
 * ({@code report.md}, also printed) and a PNG chart ({@code chart.png}).
 *
 * <p>From a project that depends on {@code io.github.foliolab:foliolab-bench-harness}, with the policy's class
 * on the class path: {@code java -cp CLASSPATH io.github.foliolab.bench.harness.LruPolicyBench
 * com.example.MyPolicy} (the kernel's policy is added first as the baseline unless {@code --no-baseline}).
 * From Java: {@link #run(BenchSettings)}.
 */
@Command(name = "lru-policy-bench", mixinStandardHelpOptions = true,
        description = "Benchmark LRU batching policies (folio_add_lru + lru_add_drain) against the kernel's.")
public final class LruPolicyBench implements Callable<Integer> {
    @Parameters(paramLabel = "POLICY", arity = "1..*",
            description = "A shipped policy (kernel, unbatched, batch-N, shared-mpsc-N), a name registered through"
                    + " ServiceLoader, or a class name.")
    private List<String> policies;

    @Option(names = "--no-baseline", description = "Do not add the kernel's policy as the first row.")
    private boolean noBaseline;

    @Option(names = {"-t", "--threads"}, split = ",", paramLabel = "N", defaultValue = "1,2",
            description = "Thread counts, each on its own simulated CPU (default: ${DEFAULT-VALUE}).")
    private List<Integer> threads;

    @Option(names = {"-wi", "--warmup-iterations"}, defaultValue = "3", description = "Warmup iterations (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = {"-i", "--iterations"}, defaultValue = "5", description = "Measurement iterations (default: ${DEFAULT-VALUE}).")
    private int iterations;

    @Option(names = {"-r", "--time-ms"}, defaultValue = "1000", description = "Milliseconds per iteration (default: ${DEFAULT-VALUE}).")
    private long timeMs;

    @Option(names = {"-f", "--forks"}, defaultValue = "1", description = "JVM forks; 0 runs in this JVM (default: ${DEFAULT-VALUE}).")
    private int forks;

    @Option(names = {"-o", "--out"}, defaultValue = "target/lru-policy-bench", paramLabel = "DIR",
            description = "Where report.md and chart.png go (default: ${DEFAULT-VALUE}).")
    private Path out;

    @Option(names = {"-q", "--quiet"}, description = "No JMH progress output.")
    private boolean quiet;

    @Option(names = "--ignore-jmh-lock", description = "Run even while another JMH run holds JMH's lock file.")
    private boolean ignoreLock;

    /** Used by picocli. */
    public LruPolicyBench() {}

    /**
     * The command line; exits 0 after writing the report, 1 if a benchmark failed, 2 on a usage error
     * (an unknown policy among them).
     *
     * @param args the command line ({@code --help} lists the options)
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new LruPolicyBench()).execute(args));
    }

    /**
     * Runs the benchmark for the parsed command line and writes the report.
     *
     * @return the exit status
     * @throws Exception if JMH or writing the report fails
     */
    @Override
    public Integer call() throws Exception {
        List<String> all = new ArrayList<>();
        if (!noBaseline && !policies.contains("kernel")) {
            all.add("kernel");
        }
        all.addAll(policies);
        BenchSettings settings;
        try {
            settings = new BenchSettings(all, threads, warmup, iterations, Duration.ofMillis(timeMs), forks, quiet,
                    ignoreLock);
            checkPolicies(all);
        } catch (IllegalArgumentException e) {
            System.err.println("lru-policy-bench: " + e.getMessage());
            return 2;
        }
        List<PolicyResult> results = run(settings);
        String table = write(results, out);
        System.out.print(table);
        System.out.println("report: " + out.resolve("report.md") + ", chart: " + out.resolve("chart.png"));
        return 0;
    }

    /**
     * Writes {@code report.md} (the table) and {@code chart.png} into {@code dir}, creating it.
     *
     * @param results the rows
     * @param dir the output directory
     * @return the table written
     * @throws IOException if a file cannot be written
     */
    public static String write(List<PolicyResult> results, Path dir) throws IOException {
        Files.createDirectories(dir);
        String table = PolicyReport.table(results);
        Files.writeString(dir.resolve("report.md"), table);
        PolicyReport.chart(results, dir.resolve("chart.png"));
        return table;
    }

    /**
     * Instantiates each policy once ({@code LruBatchPolicies.byName}), so that a bad name fails here and not
     * inside a forked JVM.
     *
     * @param policies the names
     * @throws IllegalArgumentException naming the first policy that cannot be found or instantiated
     */
    public static void checkPolicies(List<String> policies) {
        for (String p : policies) {
            LruBatchPolicies.byName(p);
        }
    }

    /**
     * Runs {@link PolicyBench} for every policy and thread count of the settings.
     *
     * @param settings what to run
     * @return one row per thread count and policy, thread counts in the settings' order and policies in
     *         theirs within each
     * @throws IllegalArgumentException if a policy cannot be found or instantiated
     * @throws IllegalStateException if JMH fails (a benchmark threw, or JMH's lock is held by another run)
     */
    public static List<PolicyResult> run(BenchSettings settings) {
        checkPolicies(settings.policies());
        if (settings.ignoreJmhLock()) {
            System.setProperty("jmh.ignoreLock", "true");
        }
        List<PolicyResult> rows = new ArrayList<>();
        for (int t : settings.threads()) {
            ChainedOptionsBuilder ob = new OptionsBuilder()
                    .include("^" + Pattern.quote(PolicyBench.class.getName() + ".addAndDrain") + "$")
                    .param("policy", settings.policies().toArray(String[]::new))
                    .threads(t)
                    .forks(settings.forks())
                    .warmupIterations(settings.warmupIterations())
                    .measurementIterations(settings.iterations())
                    .warmupTime(TimeValue.milliseconds(settings.iterationTime().toMillis()))
                    .measurementTime(TimeValue.milliseconds(settings.iterationTime().toMillis()))
                    .shouldFailOnError(true)
                    .verbosity(settings.quiet() ? VerboseMode.SILENT : VerboseMode.NORMAL);
            Collection<RunResult> results;
            try {
                results = new Runner(ob.build()).run();
            } catch (RunnerException e) {
                throw new IllegalStateException("JMH run of " + settings.policies() + " at " + t + " thread(s) failed: "
                        + e.getMessage(), e);
            }
            for (String p : settings.policies()) {
                RunResult r = results.stream().filter(x -> p.equals(x.getParams().getParam("policy"))).findFirst()
                        .orElseThrow(() -> new IllegalStateException("JMH gave no result for policy " + p));
                rows.add(row(p, t, r));
            }
        }
        return rows;
    }

    private static PolicyResult row(String policy, int threads, RunResult r) {
        Result<?> primary = r.getPrimaryResult();
        double folios = secondary(r, "foliosAdded");
        return new PolicyResult(policy, threads, primary.getScore(), primary.getScoreError(),
                secondary(r, "cpuNanos") / folios, secondary(r, "lruLockAcquisitions") / folios,
                secondary(r, "allocatedBytes") / folios);
    }

    private static double secondary(RunResult r, String counter) {
        Result<?> s = r.getSecondaryResults().get(counter);
        if (s == null) {
            throw new IllegalStateException("JMH result has no counter " + counter + ": " + r.getSecondaryResults().keySet());
        }
        return s.getScore();
    }
}
