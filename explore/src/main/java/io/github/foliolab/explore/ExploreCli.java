package io.github.foliolab.explore;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code explore} command:
 *
 * <pre>
 * explore SCENARIO [--variant V] [--strategy random|pct|dfs|dpor] [--seed N] [--schedules N] [--bound K]
 *                  [--replay S] [--trace-out FILE] [--json-out FILE] [--no-invariants] [--stats]
 * explore races [same options]
 * explore list
 * </pre>
 *
 * Exit status: 1 when a violation was found (the trace is printed on {@code out}), 0 when none was
 * found within the budget, 2 on a usage error (a message on {@code err}). {@code races} exits 0 when every
 * verdict is the one its variant expects (known races found, fixes judged as documented, accepted
 * behaviour reached), 1 when some verdict is unexpected, 2 on a usage error. The examples module's command line calls {@link #run};
 * running it with {@code -Djdk.virtualThreadScheduler.parallelism=1} keeps every hand-off between the
 * simulated CPUs' virtual threads on one carrier thread (faster; the results are the same). Output on {@code out} depends only on the arguments
 * (same seed, same bytes); {@code --stats} prints the schedules per second on {@code err}.
 */
public final class ExploreCli {
    private ExploreCli() {}

    static final String USAGE = """
            usage: explore SCENARIO [--variant V] [--strategy random|pct|dfs|dpor] [--seed N] [--schedules N]
                                    [--bound K] [--replay S] [--trace-out FILE] [--json-out FILE]
                                    [--no-invariants] [--stats]
                   explore races [--strategy ...] [--bound K] [--schedules N] [--seed N]
                   explore list
              --strategy   dfs (default): every schedule with at most K preemptions (--bound, default 3)
                           dpor: partial-order reduction, one schedule per class of equivalent
                           interleavings with at most K preemptions (--bound, default 3)
                           pct: probabilistic concurrency testing of depth K (--bound, default 3)
                           random: seeded random walk
              --schedules  the most schedules to run (dfs default 1000000, others 10000)
              --replay S   run the schedule string S once (as printed with a violation)
              --trace-out  write the trace as Chrome/Perfetto trace event JSON (open in ui.perfetto.dev)
              --json-out   write the result and trace as JSON
            exit status: 1 violation found, 0 none found within the budget, 2 usage error
            races: 0 every verdict as the variant expects, 1 some verdict UNEXPECTED, 2 usage error""";

    /** Run the command; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        int a = 0;
        if (args.length > 0 && args[0].equals("explore")) {
            a = 1;
        }
        if (args.length <= a) {
            err.println(USAGE);
            return 2;
        }
        String command = args[a++];
        String variant = null;
        String strategy = Options.DFS;
        long seed = 1;
        Long schedules = null;
        Integer bound = null;
        String replay = null;
        String traceOut = null;
        String jsonOut = null;
        boolean invariants = true;
        boolean stats = false;
        try {
            for (; a < args.length; a++) {
                String o = args[a];
                switch (o) {
                    case "--variant" -> variant = value(args, ++a, o);
                    case "--strategy" -> strategy = value(args, ++a, o).toLowerCase(Locale.ROOT);
                    case "--seed" -> seed = number(value(args, ++a, o), o);
                    case "--schedules" -> schedules = number(value(args, ++a, o), o);
                    case "--bound" -> bound = Math.clamp(number(value(args, ++a, o), o), Integer.MIN_VALUE, Integer.MAX_VALUE);
                    case "--replay" -> replay = value(args, ++a, o);
                    case "--trace-out" -> traceOut = value(args, ++a, o);
                    case "--json-out" -> jsonOut = value(args, ++a, o);
                    case "--no-invariants" -> invariants = false;
                    case "--stats" -> stats = true;
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + o);
                }
            }
            if (!strategy.equals(Options.DFS) && !strategy.equals(Options.DPOR) && !strategy.equals(Options.PCT)
                    && !strategy.equals(Options.RANDOM)) {
                throw new IllegalArgumentException("unknown strategy " + strategy + " (random, pct, dfs, dpor)");
            }
            if (schedules != null && schedules < 1) {
                throw new IllegalArgumentException("--schedules must be >= 1");
            }
            if (bound != null && (bound < 0 || (strategy.equals(Options.PCT) && bound < 1))) {
                throw new IllegalArgumentException("--bound out of range: " + bound);
            }
            if (replay != null) {
                Schedule.decode(replay);
            }
            if (command.equals("races") && (variant != null || replay != null || traceOut != null || jsonOut != null)) {
                throw new IllegalArgumentException("races runs every variant with one strategy: --variant, --replay, "
                        + "--trace-out and --json-out apply to explore SCENARIO only");
            }
        } catch (IllegalArgumentException e) {
            err.println("explore: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        long budget = schedules != null ? schedules
                : strategy.equals(Options.DFS) || strategy.equals(Options.DPOR) ? 1_000_000 : 10_000;
        int k = bound != null ? bound : 3;
        Options options = new Options(strategy, seed, budget, k, replay, invariants, 10_000);

        List<Scenario<?>> scenarios;
        try {
            scenarios = Races.all();
        } catch (IllegalStateException | java.util.ServiceConfigurationError e) {
            err.println("explore: " + e.getMessage());
            return 2;
        }
        if (command.equals("list")) {
            for (Scenario<?> s : scenarios) {
                out.println(s.name() + ": " + s.summary());
                for (Variant<?> v : s.variants()) {
                    out.println("  --variant " + v.name() + ": " + v.summary() + " [expect " + v.expect().name().toLowerCase(Locale.ROOT) + "]");
                }
            }
            return 0;
        }
        if (command.equals("races")) {
            return races(scenarios, options, out, err, stats);
        }
        Scenario<?> scenario = null;
        for (Scenario<?> s : scenarios) {
            if (s.name().equals(command)) scenario = s;
        }
        if (scenario == null) {
            err.println("explore: no scenario " + command + " (explore list shows them)");
            return 2;
        }
        return exploreOne(scenario, variant, options, stats, traceOut, jsonOut, out, err);
    }

    /** {@code explore SCENARIO}: the variant named {@code variantName} (null: the first). */
    private static <B> int exploreOne(Scenario<B> scenario, String variantName, Options options, boolean stats,
                                      String traceOut, String jsonOut, PrintStream out, PrintStream err) {
        Variant<B> v;
        try {
            v = variantName == null ? scenario.variants().get(0) : scenario.variant(variantName);
        } catch (IllegalArgumentException e) {
            err.println("explore: " + e.getMessage());
            return 2;
        }
        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        Result r;
        try {
            r = Explorer.explore(scenario, v, options, n -> err.println("explore: " + n + " schedules ..."));
        } catch (Replay.ScheduleMismatchException e) {
            err.println("explore: " + e.getMessage());
            return 2;
        }
        long t1 = System.nanoTime();
        long c1 = cpuNanos();
        print(scenario, v, r, out);
        if (stats) {
            printStats(err, r.schedules(), t1 - t0, c1 - c0);
        }
        try {
            if (traceOut != null) {
                Files.writeString(Path.of(traceOut), PerfettoTrace.render(r), StandardCharsets.UTF_8);
            }
            if (jsonOut != null) {
                Files.writeString(Path.of(jsonOut), TraceJson.render(r), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            err.println("explore: cannot write trace: " + e.getMessage());
            return 2;
        }
        return r.violated() ? 1 : 0;
    }

    private static long number(String v, String option) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, not \"" + v + "\"");
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    /** The report of one exploration, as {@code explore SCENARIO} prints it. */
    public static void print(Scenario<?> s, Variant<?> v, Result r, PrintStream out) {
        out.println("scenario: " + s.name() + " -- " + s.summary());
        out.println("variant:  " + v.name() + " -- " + v.summary());
        if (r.strategy() != null) {
            out.println("strategy: " + r.strategy());
        }
        out.println(Explorer.MODEL_NOTE);
        switch (r.verdict()) {
            case VIOLATION -> {
                out.println("VIOLATION after " + r.schedules() + " schedule" + (r.schedules() == 1 ? "" : "s") + ":");
                out.println("  " + r.message().replace("\n", "\n  "));
                out.println("schedule: " + r.schedule() + "   (replay: explore " + s.name() + " --variant " + v.name()
                        + " --replay " + r.schedule() + ")");
                out.println();
                out.print(TraceTable.render(r.trace()));
            }
            case ACCEPTED -> {
                out.println("ACCEPTED (kernel behaviour by design, not a bug): " + r.message().replace("\n", "; "));
                out.println("reached by schedule " + r.schedule() + "; no violation in " + r.schedules() + " schedules"
                        + (r.exhausted() ? " (bound exhausted)" : " (budget reached)"));
                out.println();
                out.print(TraceTable.render(r.trace()));
            }
            case NO_VIOLATION -> {
                out.println("no violation in " + r.schedules() + " schedule" + (r.schedules() == 1 ? "" : "s")
                        + (r.exhausted() ? " (bound exhausted: every schedule within the bound was run)" : " (budget reached)"));
                if (r.trace() != null) {
                    out.println("schedule: " + r.schedule());
                    out.println();
                    out.print(TraceTable.render(r.trace()));
                }
            }
        }
    }

    /**
     * Every registered scenario and variant, one verdict line each, marked {@code [as expected]} or
     * {@code [UNEXPECTED: expected ...]} against the variant's {@link Variant#expect()}, then a summary
     * line. Exit status 0 when every verdict is the expected one (a 7.2 variant finding its known race,
     * a fix judged as documented, accepted behaviour reached), 1 when at least one is unexpected.
     */
    private static int races(List<Scenario<?>> scenarios, Options options, PrintStream out, PrintStream err, boolean stats) {
        out.println(Explorer.MODEL_NOTE);
        int verdicts = 0;
        List<String> unexpected = new ArrayList<>();
        long total = 0;
        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        for (Scenario<?> s : scenarios) {
            for (int i = 0; i < s.variants().size(); i++) {
                Variant<?> v = s.variants().get(i);
                Result r = raceOf(s, i, options, err);
                total += r.schedules();
                verdicts++;
                boolean expected = asExpected(v.expect(), r.verdict());
                out.println(r.verdictLine() + (expected ? "   [as expected]"
                        : "   [UNEXPECTED: expected " + v.expect().name().toLowerCase(Locale.ROOT) + "]"));
                if (!expected) {
                    unexpected.add(s.name() + " [" + v.name() + "]");
                }
            }
        }
        out.println(unexpected.isEmpty()
                ? "races: " + verdicts + " verdicts, all as expected"
                : "races: " + verdicts + " verdicts, " + unexpected.size() + " UNEXPECTED: " + String.join(", ", unexpected));
        if (stats) {
            printStats(err, total, System.nanoTime() - t0, cpuNanos() - c0);
        }
        return unexpected.isEmpty() ? 0 : 1;
    }

    /** Variant {@code index} of {@code s} explored, with a progress line on {@code err}. */
    private static <B> Result raceOf(Scenario<B> s, int index, Options options, PrintStream err) {
        Variant<B> v = s.variants().get(index);
        err.println("races: " + s.name() + " [" + v.name() + "] ...");
        return Explorer.explore(s, v, options.withSchedules(options.replay() != null ? 1 : options.schedules()),
                n -> err.println("races: " + s.name() + " [" + v.name() + "] " + n + " schedules ..."));
    }

    /** True if {@code verdict} is what a variant that expects {@code expect} should get. */
    static boolean asExpected(Variant.Expect expect, Result.Verdict verdict) {
        return switch (expect) {
            case VIOLATION -> verdict == Result.Verdict.VIOLATION;
            case CLEAN -> verdict == Result.Verdict.NO_VIOLATION;
            case ACCEPTED -> verdict == Result.Verdict.ACCEPTED;
        };
    }

    private static void printStats(PrintStream err, long schedules, long nanos, long cpu) {
        double s = nanos / 1e9;
        double c = cpu / 1e9;
        err.printf(Locale.ROOT, "explore: %d schedules in %.3f s = %.0f schedules/s (process CPU time %.3f s = %.0f schedules per CPU-second)%n",
                schedules, s, schedules / Math.max(s, 1e-9), c, schedules / Math.max(c, 1e-9));
    }

    /** The CPU time of the whole process (all threads, JIT and GC included), or 0 if unknown. */
    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }
}
