package io.github.foliolab.explore;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The {@code explore} command (parsed with picocli; {@code explore --help} prints the full usage):
 *
 * <pre>
 * explore SCENARIO [--variant V] [--strategy random|pct|dfs|dpor] [--seed N] [--schedules N] [--bound K]
 *                  [--jobs N] [--replay S] [--shard K/N] [--trace-out FILE] [--json-out FILE] [--no-invariants] [--stats]
 * explore races [--strategy ...] [--seed N] [--schedules N] [--bound K] [--jobs N] [--no-invariants] [--stats]
 * explore merge FILE...
 * explore list
 * </pre>
 *
 * Exit status: 1 when a violation was found (the trace is printed on {@code out}), 0 when none was
 * found within the budget, 2 on a usage error (one line {@code COMMAND: what is wrong} on {@code err}). {@code races}
 * exits 0 when every verdict is the one its variant expects (known races found, fixes judged as
 * documented, accepted behaviour reached), 1 when some verdict is unexpected, 2 on a usage error. The
 * examples module's command line embeds {@link #exploreCommand} and {@link #racesCommand}; they ask for one
 * virtual-thread carrier per job before the first virtual thread starts ({@link #requestCarriers}), which
 * keeps a job's hand-offs between its simulated CPUs on one core. Output on {@code out}
 * depends only on the arguments (same seed, same bytes); {@code --stats} prints the schedules per second
 * on {@code err}.
 */
public final class ExploreCli {
    private ExploreCli() {}

    /** Exit status of a usage error. */
    public static final int USAGE_ERROR = 2;

    /**
     * Run the command; returns the exit status.
     *
     * @param args the arguments, optionally starting with {@code explore}
     * @param out  where results and {@code --help} go
     * @param err  where progress, statistics and errors go
     * @return 0, 1 or 2 as the class comment says
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        String[] a = args.length > 0 && args[0].equals("explore") ? Arrays.copyOfRange(args, 1, args.length) : args;
        return execute(exploreCommand(out, err), a, out, err);
    }

    /**
     * The {@code explore} command (with its {@code races} and {@code list} subcommands), to run with
     * {@link #execute} or to add to another picocli command line.
     *
     * @param out where results and {@code --help} go
     * @param err where progress, statistics and errors go
     * @return a new command line
     */
    public static CommandLine exploreCommand(PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new ExploreCommand(out, err));
        cl.addSubcommand("races", racesCommand(out, err));
        cl.addSubcommand("merge", new CommandLine(new MergeCommand(out)));
        cl.addSubcommand("list", new CommandLine(new ListCommand(out)));
        return cl;
    }

    /**
     * The {@code races} command: every registered scenario and variant, one verdict each.
     *
     * @param out where the verdicts and {@code --help} go
     * @param err where progress, statistics and errors go
     * @return a new command line
     */
    public static CommandLine racesCommand(PrintStream out, PrintStream err) {
        return new CommandLine(new RacesCommand(out, err));
    }

    /**
     * Parses and runs {@code args} on {@code cl} the way every FolioLab command does: a usage error (a
     * {@link ParameterException} from parsing or from the command) prints one line {@code COMMAND: what is
     * wrong} on {@code err} ({@code COMMAND} is the command's qualified name, such as {@code explore merge})
     * and returns {@link #USAGE_ERROR}; {@code --help} prints the usage on {@code out} and returns 0.
     *
     * @param cl   the command line (its subcommands get the same streams and error handling)
     * @param args the arguments
     * @param out  standard output
     * @param err  standard error
     * @return the command's exit status
     */
    public static int execute(CommandLine cl, String[] args, PrintStream out, PrintStream err) {
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setParameterExceptionHandler(ExploreCli::usageError);
        int rc = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        return rc;
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String first = u.getUnmatched().get(0);
            message = (first.startsWith("-") ? "unknown option " : "unexpected argument ") + first;
        }
        // One line: the usage is one --help away, and a script's log keeps only what went wrong.
        err.println(cl.getCommandSpec().qualifiedName() + ": " + message);
        return USAGE_ERROR;
    }

    /** The most {@code --jobs}: each job holds a machine and a thread per simulated CPU. */
    static final int MAX_JOBS = 256;

    /** The options {@code explore SCENARIO} and {@code races} share. */
    static final class StrategyOptions {
        @Option(names = "--strategy", paramLabel = "random|pct|dfs|dpor", defaultValue = Options.DFS,
                description = {"dfs (default): every schedule with at most K preemptions (--bound);",
                        "dpor: partial-order reduction, one schedule per class of equivalent interleavings",
                        "  with at most K preemptions (--bound);",
                        "pct: probabilistic concurrency testing of depth K (--bound);",
                        "random: seeded random walk"})
        String strategy;

        @Option(names = "--seed", paramLabel = "N", description = "the seed of random and pct (default 1)")
        String seed;

        @Option(names = "--schedules", paramLabel = "N",
                description = "the most schedules to run (dfs and dpor default 1000000, others 10000)")
        String schedules;

        @Option(names = "--bound", paramLabel = "K", description = "dfs, dpor: the preemption bound; pct: the depth (default 3)")
        String bound;

        @Option(names = "--jobs", paramLabel = "N", description = "dfs: search with N parallel jobs in this JVM, each on its "
                + "own machine (default 1); the results are those of one job")
        String jobs;

        @Option(names = "--no-invariants", description = "skip the kernel invariants checked after every step "
                + "(end checks and BUGs still count)")
        boolean noInvariants;

        @Option(names = "--stats", description = "print schedules per second (wall clock and CPU time) on stderr")
        boolean stats;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        /** The options, or a usage error naming the flag. */
        Options options(CommandSpec spec, String replay) {
            String s = strategy.toLowerCase(Locale.ROOT);
            if (!s.equals(Options.DFS) && !s.equals(Options.DPOR) && !s.equals(Options.PCT) && !s.equals(Options.RANDOM)) {
                throw new ParameterException(spec.commandLine(), "unknown strategy " + strategy + " (random, pct, dfs, dpor)");
            }
            long seedValue = seed == null ? 1 : number(spec, seed, "--seed");
            Long n = schedules == null ? null : number(spec, schedules, "--schedules");
            if (n != null && n < 1) {
                throw new ParameterException(spec.commandLine(), "--schedules must be >= 1");
            }
            long k = bound == null ? 3 : number(spec, bound, "--bound");
            if (k < 0 || k > Integer.MAX_VALUE || (s.equals(Options.PCT) && k < 1)) {
                throw new ParameterException(spec.commandLine(), "--bound out of range: " + k);
            }
            long budget = n != null ? n : s.equals(Options.DFS) || s.equals(Options.DPOR) ? 1_000_000 : 10_000;
            long j = jobs == null ? 1 : number(spec, jobs, "--jobs");
            if (j < 1 || j > MAX_JOBS) {
                throw new ParameterException(spec.commandLine(), "--jobs must be in 1.." + MAX_JOBS + ", not " + j);
            }
            Options o = new Options(s, seedValue, budget, (int) k, replay, !noInvariants, 10_000).withJobs((int) j);
            String why = Explorer.whyNotParallel(o);
            if (why != null) {
                throw new ParameterException(spec.commandLine(), why);
            }
            requestCarriers(o.jobs());
            return o;
        }
    }

    /** The JDK's system property that sets the virtual-thread scheduler's number of carrier threads. */
    static final String CARRIERS = "jdk.virtualThreadScheduler.parallelism";

    /**
     * Ask for one carrier thread per job (at most one per core) unless the user set {@value #CARRIERS}: a job's
     * simulated CPUs take turns, so on one carrier every hand-off stays on one core, while with a spare
     * carrier the next CPU's continuation is often taken by the other carrier and the turn crosses cores
     * (about twice the CPU time per schedule). The JDK reads the property when the first virtual thread
     * starts, so this takes effect in the command line's JVM (nothing has started one before the options
     * are parsed) and changes nothing where virtual threads already ran (a test JVM, an embedding program).
     */
    static void requestCarriers(int jobs) {
        if (System.getProperty(CARRIERS) == null) {
            System.setProperty(CARRIERS, Integer.toString(Math.min(jobs, Runtime.getRuntime().availableProcessors())));
        }
    }

    private static long number(CommandSpec spec, String v, String option) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), option + " needs a number, not \"" + v + "\"");
        }
    }

    @Command(name = "explore", sortOptions = false, usageHelpAutoWidth = true,
            description = "Explore one race scenario's interleavings on simulated CPUs; print the CPU A / CPU B "
                    + "table of a violation.",
            footerHeading = "%n",
            footer = {"Exit status: 1 violation found, 0 none found within the budget, 2 usage error.",
                    "explore races: 0 every verdict as the variant expects, 1 some verdict UNEXPECTED, 2 usage error.",
                    "explore merge FILE...: the combined verdict of the --shard outputs (1 violation, 0 none, 2 bad input).",
                    "explore list: the scenarios and their variants."})
    static final class ExploreCommand implements Callable<Integer> {
        private final PrintStream out;
        private final PrintStream err;

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO", description = "a scenario (explore list shows them)")
        String scenario;

        @Option(names = "--variant", paramLabel = "V", description = "the variant (default: the scenario's first)")
        String variant;

        @Mixin
        StrategyOptions strategy;

        @Option(names = "--replay", paramLabel = "S", description = "run the schedule string S once (as printed with a violation)")
        String replay;

        @Option(names = "--shard", paramLabel = "K/N",
                description = "run shard K of N (1 <= K <= N) of a dfs search, an independent job (the same scenario, "
                        + "variant and options in every shard); write each with --json-out and combine them with explore merge")
        String shard;

        @Option(names = "--trace-out", paramLabel = "FILE",
                description = "write the trace as Chrome/Perfetto trace event JSON (open in ui.perfetto.dev)")
        String traceOut;

        @Option(names = "--json-out", paramLabel = "FILE",
                description = "write the result and trace as JSON (with --shard: the shard's output, for explore merge)")
        String jsonOut;

        ExploreCommand(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            if (scenario == null) {
                throw new ParameterException(spec.commandLine(), "a SCENARIO, races or list is needed");
            }
            if (replay != null) {
                try {
                    Schedule.decode(replay);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "--replay: " + e.getMessage());
                }
            }
            Options options = strategy.options(spec, replay);
            Shard part = null;
            if (shard != null) {
                try {
                    part = Shard.parse(shard);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "--shard " + shard + ": " + shardProblem(shard, e));
                }
                String why = Explorer.whyNotShardable(options);
                if (why != null) {
                    throw new ParameterException(spec.commandLine(), why);
                }
            }
            checkWritable(spec, "--trace-out", traceOut);
            checkWritable(spec, "--json-out", jsonOut);
            return explore(spec.commandLine(), scenario, variant, options, part, traceOut, jsonOut, strategy.stats, out, err);
        }
    }

    /** What is wrong with a {@code --shard} value {@link Shard#parse} rejected, said in terms of K and N. */
    private static String shardProblem(String value, IllegalArgumentException e) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,9})/([0-9]{1,9})").matcher(value);
        if (!m.matches()) {
            return e.getMessage();
        }
        int n = Integer.parseInt(m.group(2));
        return n < 1 ? "N (the number of shards) must be at least 1" : "K must be in 1.." + n;
    }

    /** A usage error if {@code file} (given with {@code option}, may be null) cannot be written, checked before the search. */
    private static void checkWritable(CommandSpec spec, String option, String file) {
        if (file == null) {
            return;
        }
        Path p = Path.of(file).toAbsolutePath();
        Path dir = p.getParent();
        String why = Files.isDirectory(p) ? "is a directory"
                : dir == null || !Files.isDirectory(dir) ? "no such directory " + dir
                : !Files.isWritable(Files.exists(p) ? p : dir) ? "permission denied"
                : null;
        if (why != null) {
            throw new ParameterException(spec.commandLine(), option + " " + file + ": " + why);
        }
    }

    /** The reason of an I/O error in a few words (the JDK's messages of these exceptions are only the file name). */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) return "no such file";
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
        return e.getMessage();
    }

    @Command(name = "races", sortOptions = false, usageHelpAutoWidth = true,
            description = "Run every registered race scenario and fix variant; one verdict line each (the main job).",
            footerHeading = "%n",
            footer = "Exit status: 0 every verdict as the variant expects, 1 some verdict UNEXPECTED, 2 usage error.")
    static final class RacesCommand implements Callable<Integer> {
        private final PrintStream out;
        private final PrintStream err;

        @Spec
        CommandSpec spec;

        @Mixin
        StrategyOptions strategy;

        // Accepted only to say why they do not apply here.
        @Option(names = {"--variant", "--replay", "--shard", "--trace-out", "--json-out"}, hidden = true)
        List<String> singleScenarioOnly;

        RacesCommand(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            if (singleScenarioOnly != null) {
                throw new ParameterException(spec.commandLine(), "races runs every variant with one strategy: "
                        + "--variant, --replay, --shard, --trace-out and --json-out apply to explore SCENARIO only");
            }
            return races(strategy.options(spec, null), out, err, strategy.stats);
        }
    }

    @Command(name = "merge", sortOptions = false, usageHelpAutoWidth = true,
            description = {"Combine the JSON outputs of shards 1..N of one search (explore SCENARIO --shard K/N --json-out FILE)",
                    "into one verdict: total schedules, distinct end states, the first violation with its replayable schedule,",
                    "exactly as one unsharded search reports them."},
            footerHeading = "%n",
            footer = "Exit status: 1 violation found, 0 none, 2 bad input (unreadable file, shards of different searches, "
                    + "a shard missing or given twice).")
    static final class MergeCommand implements Callable<Integer> {
        private final PrintStream out;

        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "the shards' --json-out files, one per shard, any order")
        List<Path> files;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        MergeCommand(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() {
            List<ShardResult> shards = new ArrayList<>();
            java.util.Map<String, Path> seen = new java.util.HashMap<>();
            for (Path f : files) {
                ShardResult s;
                if (Files.isDirectory(f)) {
                    throw new ParameterException(spec.commandLine(), "cannot read " + f + ": is a directory");
                }
                try (java.io.Reader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                    s = ShardJson.read(in);
                } catch (IOException e) {
                    throw new ParameterException(spec.commandLine(), "cannot read " + f + ": " + reason(e));
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), f + ": " + e.getMessage());
                }
                Path other = seen.putIfAbsent(s.shard().toString(), f);
                if (other != null) {
                    throw new ParameterException(spec.commandLine(), "shard " + s.shard() + " is given twice ("
                            + other + " and " + f + ")");
                }
                shards.add(s);
            }
            ShardMerge.Merged m;
            try {
                m = ShardMerge.merge(shards);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            ShardMerge.print(m, out);
            return m.result().violated() ? 1 : 0;
        }
    }

    @Command(name = "list", usageHelpAutoWidth = true, description = "List the scenarios and their variants (with the verdict each expects).")
    static final class ListCommand implements Callable<Integer> {
        private final PrintStream out;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        ListCommand(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() {
            for (Scenario<?> s : Races.all()) {
                out.println(s.name() + ": " + s.summary());
                for (Variant<?> v : s.variants()) {
                    out.println("  --variant " + v.name() + ": " + v.summary() + " [expect " + v.expect().name().toLowerCase(Locale.ROOT) + "]");
                }
            }
            return 0;
        }
    }

    private static int explore(CommandLine cl, String command, String variant, Options options, Shard shard, String traceOut,
                               String jsonOut, boolean stats, PrintStream out, PrintStream err) {
        Scenario<?> scenario;
        try {
            scenario = Races.byName(command);
        } catch (IllegalStateException | java.util.ServiceConfigurationError e) {
            throw new ParameterException(cl, e.getMessage());
        }
        if (scenario == null) {
            throw new ParameterException(cl, "no scenario " + command + " (explore list shows them)");
        }
        return explore(cl, scenario, variant, options, shard, traceOut, jsonOut, stats, out, err);
    }

    private static <B> int explore(CommandLine cl, Scenario<B> scenario, String variant, Options options, Shard shard,
                                   String traceOut, String jsonOut, boolean stats, PrintStream out, PrintStream err) {
        Variant<B> v;
        try {
            v = variant == null ? scenario.variants().get(0) : scenario.variant(variant);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        Result r;
        ShardResult part = null;
        try {
            java.util.function.LongConsumer progress = n -> err.println("explore: " + n + " schedules ...");
            if (shard != null) {
                part = Explorer.exploreShard(scenario, v, options, shard, progress);
                r = part.result();
            } else {
                r = Explorer.explore(scenario, v, options, progress);
            }
        } catch (Replay.ScheduleMismatchException e) {
            throw new ParameterException(cl, "--replay: " + e.getMessage());
        }
        long t1 = System.nanoTime();
        long c1 = cpuNanos();
        print(scenario, v, r, out);
        if (part != null) {
            out.println("shard " + shard + ": " + part.ran().size() + " of the " + part.subtrees() + " subtrees below decision depth "
                    + part.splitDepth() + " (subtree i runs in shard i mod " + shard.count() + " + 1), "
                    + part.endStates().size() + " distinct end state" + (part.endStates().size() == 1 ? "" : "s")
                    + (jsonOut != null ? "; explore merge combines the shards' --json-out files"
                    : " (no --json-out: this shard's result cannot be merged)"));
        }
        if (stats) {
            printStats(err, r.schedules(), t1 - t0, c1 - c0);
        }
        if (traceOut != null) {
            write(cl, "--trace-out", traceOut, PerfettoTrace.render(r));
        }
        if (jsonOut != null) {
            write(cl, "--json-out", jsonOut, part != null ? ShardJson.render(part) : TraceJson.render(r));
        }
        return r.violated() ? 1 : 0;
    }

    /** Writes {@code text} to {@code file} (given with {@code option}), or a usage error saying why it cannot. */
    private static void write(CommandLine cl, String option, String file, String text) {
        try {
            Files.writeString(Path.of(file), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ParameterException(cl, "cannot write the " + option + " file " + file + ": " + reason(e));
        }
    }

    /**
     * The report of one exploration, as {@code explore SCENARIO} prints it.
     *
     * @param s the scenario
     * @param v the variant explored
     * @param r the exploration's result
     * @param out where the report goes
     */
    public static void print(Scenario<?> s, Variant<?> v, Result r, PrintStream out) {
        out.println("scenario: " + s.name() + " -- " + s.summary());
        out.println("variant:  " + v.name() + " -- " + v.summary());
        if (r.strategy() != null) {
            out.println("strategy: " + r.strategy());
        }
        out.println(Explorer.MODEL_NOTE);
        switch (r.verdict()) {
            case VIOLATION -> {
                out.println("VIOLATION after " + schedules(r.schedules()) + ":");
                out.println("  " + r.message().replace("\n", "\n  "));
                out.println("schedule: " + r.schedule() + "   (replay: explore " + s.name() + " --variant " + v.name()
                        + " --replay " + r.schedule() + ")");
                out.println();
                out.print(TraceTable.render(r.trace()));
            }
            case ACCEPTED -> {
                out.println("ACCEPTED (kernel behaviour by design, not a bug): " + r.message().replace("\n", "; "));
                out.println("reached by schedule " + r.schedule() + "; " + (replayed(r) ? "no violation in the replayed schedule"
                        : "no violation in " + schedules(r.schedules()) + (r.exhausted() ? " (bound exhausted)" : " (budget reached)")));
                out.println();
                out.print(TraceTable.render(r.trace()));
            }
            case NO_VIOLATION -> {
                out.println(replayed(r) ? "no violation in the replayed schedule" : "no violation in " + schedules(r.schedules())
                        + (r.exhausted() ? " (bound exhausted: every schedule within the bound was run)" : " (budget reached)"));
                if (r.trace() != null) {
                    out.println("schedule: " + r.schedule());
                    out.println();
                    out.print(TraceTable.render(r.trace()));
                }
            }
        }
    }

    /** {@code "1 schedule"}, {@code "n schedules"}. */
    static String schedules(long n) {
        return n + (n == 1 ? " schedule" : " schedules");
    }

    /** True if {@code r} is the run of one {@code --replay} schedule (which has no budget or bound). */
    private static boolean replayed(Result r) {
        return r.strategy() != null && r.strategy().startsWith(Replay.DESCRIPTION);
    }

    /**
     * Every registered scenario and variant, one verdict line each, marked {@code [as expected]} or
     * {@code [UNEXPECTED: expected ...]} against the variant's {@link Variant#expect()}, then a summary
     * line. Exit status 0 when every verdict is the expected one (a 7.2 variant finding its known race,
     * a fix judged as documented, accepted behaviour reached), 1 when at least one is unexpected.
     */
    private static int races(Options options, PrintStream out, PrintStream err, boolean stats) {
        out.println(Explorer.MODEL_NOTE);
        int verdicts = 0;
        List<String> unexpected = new ArrayList<>();
        long total = 0;
        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        List<Scenario<?>> scenarios;
        try {
            scenarios = Races.all();
        } catch (IllegalStateException | java.util.ServiceConfigurationError e) {
            err.println("races: " + e.getMessage());
            return 2;
        }
        for (Scenario<?> s : scenarios) {
            for (Variant<?> v : s.variants()) {
                err.println("races: " + s.name() + " [" + v.name() + "] ...");
                Result r = exploreOne(s, v.name(), s.racesOptions(options.withSchedules(options.replay() != null ? 1 : options.schedules())),
                        n -> err.println("races: " + s.name() + " [" + v.name() + "] " + n + " schedules ..."));
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

    private static <B> Result exploreOne(Scenario<B> s, String variant, Options options, java.util.function.LongConsumer progress) {
        return Explorer.explore(s, s.variant(variant), options, progress);
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
