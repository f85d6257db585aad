package io.github.foliolab.examples;

import io.github.foliolab.conformance.ScriptException;
import io.github.foliolab.conformance.ScriptRunner;
import io.github.foliolab.explore.ExploreCli;
import io.github.foliolab.folio.Machine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code bin/foliolab} command-line tool. */
public final class FolioLab {
    private FolioLab() {}

    /** A subcommand: runs with its arguments, returns the exit status. */
    interface Command {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    private record Entry(String usage, String help, Command command) {}

    private static Map<String, Entry> commands() {
        Map<String, Entry> m = new LinkedHashMap<>();
        m.put("races", new Entry("races",
                "run every registered race scenario and fix variant; one verdict line each (the main job);"
                        + "\n      exit 0 when every verdict is the expected one, 1 when one is UNEXPECTED",
                (a, out, err) -> ExploreCli.run(prepend("races", a), out, err)));
        m.put("explore", new Entry("explore SCENARIO [--variant V] [--strategy random|pct|dfs|dpor] [--seed N]\n"
                + "          [--schedules N] [--bound K] [--replay S] [--trace-out FILE] [--json-out FILE]",
                "explore one scenario's interleavings; exit 1 with the CPU A / CPU B trace on a violation,"
                        + "\n      0 when none was found within the budget, 2 on a usage error",
                (a, out, err) -> ExploreCli.run(prepend("explore", a), out, err)));
        m.put("script", new Entry("script FILE",
                "run a conformance script (format v1, docs/conformance-format.md) on a fresh simulated machine\n"
                        + "      and print its transcript; a script error is FILE:LINE: message with exit 2",
                FolioLab::script));
        m.put("vmstat", new Entry("vmstat [--pages N] [--movable N]",
                "boot a simulated machine and print its /proc/vmstat", FolioLab::vmstat));
        return m;
    }

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
        Map<String, Entry> cmds = commands();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            usage(cmds, args.length == 0 ? err : out);
            return args.length == 0 ? 2 : 0;
        }
        Entry e = cmds.get(args[0]);
        if (e == null) {
            err.println("foliolab: unknown subcommand '" + args[0] + "'");
            usage(cmds, err);
            return 2;
        }
        return e.command().run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }

    private static void usage(Map<String, Entry> cmds, PrintStream s) {
        s.println("usage: bin/foliolab SUBCOMMAND [ARGS]");
        s.println();
        s.println("FolioLab: Linux 7.2 memory-management primitives, simulated faithfully.");
        s.println();
        s.println("subcommands:");
        for (Entry e : cmds.values()) {
            s.printf("  %s%n      %s%n", e.usage(), e.help());
        }
        s.println("  --help");
        s.println("      this text");
    }

    private static String[] prepend(String first, String[] rest) {
        String[] a = new String[rest.length + 1];
        a[0] = first;
        System.arraycopy(rest, 0, a, 1, rest.length);
        return a;
    }

    private static int script(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 1) {
            err.println("usage: bin/foliolab script FILE");
            return 2;
        }
        byte[] text;
        try {
            text = Files.readAllBytes(Path.of(args[0]));
        } catch (IOException e) {
            err.println("foliolab script: cannot read " + args[0] + ": " + e.getMessage());
            return 2;
        }
        try {
            ScriptRunner.run(args[0], text, out); // streamed: memory does not grow with the transcript
        } catch (ScriptException e) {
            out.flush();
            err.println(e.getMessage());
            return 2;
        }
        out.flush();
        return 0;
    }

    private static int vmstat(String[] args, PrintStream out, PrintStream err) {
        long pages = 1 << 16;
        long movable = 0;
        for (int i = 0; i < args.length; i++) {
            try {
                switch (args[i]) {
                    case "--pages" -> pages = Long.parseLong(args[++i]);
                    case "--movable" -> movable = Long.parseLong(args[++i]);
                    default -> {
                        err.println("foliolab vmstat: unknown option " + args[i]);
                        return 2;
                    }
                }
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException ex) {
                err.println("foliolab vmstat: " + args[i - 1] + " needs a number");
                return 2;
            }
        }
        try {
            try (Machine m = Machine.boot(1, pages, movable)) {
                m.vmstat().procVmstat().forEach(out::println);
            }
            return 0;
        } catch (IllegalArgumentException ex) {
            err.println("foliolab vmstat: " + ex.getMessage());
            return 2;
        }
    }
}
