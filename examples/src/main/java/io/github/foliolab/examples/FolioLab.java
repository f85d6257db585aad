package io.github.foliolab.examples;

import io.github.foliolab.conformance.ScriptException;
import io.github.foliolab.conformance.ScriptRunner;
import io.github.foliolab.explore.ExploreCli;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.api.PageLayout;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The {@code bin/foliolab} command-line tool: {@code races}, {@code explore}, {@code script} and
 * {@code vmstat}, parsed with picocli so that every subcommand has the same usage errors (the command, what
 * is wrong, then its usage, on stderr) and help ({@code --help}). Exit status: 0 ok, 1 an unexpected
 * verdict or a violation found, 2 a usage error.
 */
public final class FolioLab {
    private FolioLab() {}

    /** One pageblock (pageblock_nr_pages): the smallest zone the simulated node accepts. */
    static final long PAGEBLOCK_PAGES = 1L << PageLayout.PAGEBLOCK_ORDER;
    /** The most pages a simulated node holds (the memmap's limit). */
    static final long MAX_PAGES = 1L << 36;

    /**
     * Runs the tool and exits with its status.
     *
     * @param args the command line, as documented by {@code bin/foliolab --help}
     */
    public static void main(String[] args) {
        if (System.getProperty("jdk.virtualThreadScheduler.parallelism") == null) {
            // The explorer runs one simulated CPU at a time: one carrier thread is enough.
            System.setProperty("jdk.virtualThreadScheduler.parallelism", "1");
        }
        int rc = run(args, System.out, System.err);
        System.out.flush();
        System.exit(rc);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new Top(out));
        cl.addSubcommand("races", ExploreCli.racesCommand(out, err));
        cl.addSubcommand("explore", ExploreCli.exploreCommand(out, err));
        cl.addSubcommand("script", new CommandLine(new Script(out, err)));
        cl.addSubcommand("vmstat", new CommandLine(new Vmstat(out, err)));
        cl.addSubcommand("help", new CommandLine(new CommandLine.HelpCommand()));
        return ExploreCli.execute(cl, args, out, err);
    }

    @Command(name = "foliolab", usageHelpAutoWidth = true,
            description = "FolioLab: Linux 7.2 memory-management primitives, simulated faithfully.",
            footerHeading = "%n",
            footer = {"Exit status: 0 ok, 1 a violation found or a verdict UNEXPECTED, 2 usage error.",
                    "bin/foliolab SUBCOMMAND --help prints one subcommand's usage; bin/foliolab --help prints all of them."})
    static final class Top implements Callable<Integer> {
        private final PrintStream out;

        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, description = "this text, then every subcommand's usage and options")
        boolean help;

        Top(PrintStream out) {
            this.out = out;
        }

        @Override
        public Integer call() {
            if (!help) {
                throw new ParameterException(spec.commandLine(), "a subcommand is needed");
            }
            CommandLine cl = spec.commandLine();
            PrintWriter w = cl.getOut();
            cl.usage(w);
            for (CommandLine sub : cl.getSubcommands().values()) {
                if (sub.getCommandName().equals("help")) {
                    continue;
                }
                usageTree(sub, w);
            }
            w.flush();
            out.flush();
            return 0;
        }

        private static void usageTree(CommandLine cl, PrintWriter w) {
            w.println();
            w.println("---- " + cl.getCommandSpec().qualifiedName());
            cl.usage(w);
            for (CommandLine sub : cl.getSubcommands().values()) {
                usageTree(sub, w);
            }
        }
    }

    @Command(name = "script", usageHelpAutoWidth = true,
            description = {"Run a conformance script (the FolioLab conformance format, v1 or v2; a v2 command the simulator "
                    + "does not model yet is reported as FILE:LINE with exit 2) on a fresh simulated machine "
                    + "and print its transcript: for a corpus script it equals NAME.expected, recorded on a real Linux 7.2 kernel."},
            footerHeading = "%n",
            footer = "Exit status: 0 ok; 2 a usage error, an unreadable FILE, or a script error (FILE:LINE: message).")
    static final class Script implements Callable<Integer> {
        private final PrintStream out;
        private final PrintStream err;

        @Parameters(index = "0", paramLabel = "FILE", description = "the script, e.g. conformance/scripts/NAME.script")
        Path file;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        Script(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            byte[] text;
            try {
                if (Files.isDirectory(file)) {
                    throw new IOException("it is a directory");
                }
                text = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                return cannotRead("no such file");
            } catch (AccessDeniedException e) {
                return cannotRead("permission denied");
            } catch (IOException e) {
                return cannotRead(e.getMessage() != null ? e.getMessage() : e.toString());
            }
            try {
                ScriptRunner.run(file.toString(), text, out); // streamed: memory does not grow with the transcript
            } catch (ScriptException e) {
                out.flush();
                err.println(e.getMessage());
                return ExploreCli.USAGE_ERROR;
            } catch (UnsupportedOperationException e) {
                // A format v2 command the simulator does not model yet (FILE:LINE: which, and whose work).
                out.println();
                out.flush();
                err.println(e.getMessage());
                return ExploreCli.USAGE_ERROR;
            }
            out.flush();
            return 0;
        }

        private int cannotRead(String why) {
            err.println("foliolab script: cannot read " + file + ": " + why);
            return ExploreCli.USAGE_ERROR;
        }
    }

    @Command(name = "vmstat", usageHelpAutoWidth = true,
            description = {"Boot a simulated machine (one CPU, one node) and print its vmstat counters as \"name value\" "
                    + "lines, in the order of /proc/vmstat: only the counters FolioLab models (a subset of the kernel's "
                    + "/proc/vmstat; zone items summed over the zones)."},
            footerHeading = "%n",
            footer = "Exit status: 0 ok, 2 usage error.")
    static final class Vmstat implements Callable<Integer> {
        private final PrintStream out;
        private final PrintStream err;

        @Spec
        CommandSpec spec;

        @Option(names = "--pages", paramLabel = "N", defaultValue = "65536",
                description = "pages of ZONE_NORMAL (4 KiB each; at least one pageblock, 512; default ${DEFAULT-VALUE})")
        long pages;

        @Option(names = "--movable", paramLabel = "N", defaultValue = "0",
                description = "pages of ZONE_MOVABLE (0, the default, or at least one pageblock, 512)")
        long movable;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
        boolean help;

        Vmstat(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            if (pages < PAGEBLOCK_PAGES || pages > MAX_PAGES) {
                throw new ParameterException(spec.commandLine(), "--pages " + pages + " out of range: ZONE_NORMAL needs "
                        + PAGEBLOCK_PAGES + " to " + MAX_PAGES + " pages");
            }
            if (movable != 0 && (movable < PAGEBLOCK_PAGES || movable > MAX_PAGES - pages)) {
                throw new ParameterException(spec.commandLine(), "--movable " + movable + " out of range: ZONE_MOVABLE is 0"
                        + " or at least one pageblock (" + PAGEBLOCK_PAGES + " pages), and --pages + --movable at most "
                        + MAX_PAGES + " pages");
            }
            Machine m;
            try {
                m = Machine.boot(1, pages, movable);
            } catch (OutOfMemoryError e) {
                err.println("foliolab vmstat: cannot allocate the memmap for " + (pages + movable) + " pages ("
                        + PageLayout.PAGE_DESC_SIZE + " bytes each): " + e.getMessage());
                return ExploreCli.USAGE_ERROR;
            }
            try {
                m.vmstat().procVmstat().forEach(out::println);
            } finally {
                m.close();
            }
            return 0;
        }
    }
}
