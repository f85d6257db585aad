package io.github.foliolab.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bin/foliolab's command line: the same usage errors and help for every subcommand, exit codes 0/1/2. */
class FolioLabTest {
    record Run(int status, String out, String err) {}

    static Run cli(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int st = FolioLab.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(st, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noSubcommandIsAUsageError() {
        Run r = cli();
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("foliolab: a subcommand is needed"), r.err());
        Run bogus = cli("bogus");
        assertEquals(2, bogus.status());
        assertTrue(bogus.err().startsWith("foliolab: unexpected argument bogus"), bogus.err());
    }

    @Test
    void everySubcommandRejectsAnUnknownOptionTheSameWay() {
        for (String sub : new String[] {"races", "explore", "script", "vmstat"}) {
            Run r = sub.equals("script") ? cli(sub, "x.script", "--bogus") : cli(sub, "--bogus");
            assertEquals(2, r.status(), sub + ": " + r.err());
            assertEquals("", r.out(), sub);
            assertEquals("foliolab " + sub + ": unknown option --bogus\n", r.err(), sub);
        }
    }

    @Test
    void helpListsEveryOptionOfEverySubcommand() {
        Run r = cli("--help");
        assertEquals(0, r.status(), r.err());
        for (String s : new String[] {"foliolab races", "foliolab explore list", "foliolab script", "foliolab vmstat",
                "--stats", "--no-invariants", "--variant=V", "--replay=S", "--trace-out=FILE", "--json-out=FILE",
                "--strategy=random|pct|dfs", "--seed=N", "--schedules=N", "--bound=K", "--pages=N", "--movable=N"}) {
            assertTrue(r.out().contains(s), s + " missing from\n" + r.out());
        }
        Run races = cli("races", "--help");
        assertEquals(0, races.status());
        assertTrue(races.out().contains("--no-invariants") && races.out().contains("--stats"), races.out());
    }

    @Test
    void scriptSaysWhyAFileCannotBeRead() {
        Run r = cli("script", "/nonexistent/foliolab-test.script");
        assertEquals(2, r.status());
        assertEquals("foliolab script: cannot read /nonexistent/foliolab-test.script: no such file\n", r.err());
        assertEquals(2, cli("script").status());
    }

    @Test
    void aV2ScriptWithForkRunsOnTheSimulator() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("foliolab-v2", ".script");
        try {
            java.nio.file.Files.writeString(f, "format 2\nmmap A 4 anon rw\ntouch A 0 4 write\nfork\nchild touch A 0 1 write\nexit\n");
            Run r = cli("script", f.toString());
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("fork = 0\n") && r.out().contains("exit = 0\n"), r.out());
            assertFalse(r.err().contains("at io.github"), "no stack trace: " + r.err());
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }

    @Test
    void vmstatNamesTheFlagThatIsOutOfRange() {
        Run big = cli("vmstat", "--pages", "99999999999");
        assertEquals(2, big.status());
        assertTrue(big.err().startsWith("foliolab vmstat: --pages 99999999999 out of range"), big.err());
        Run small = cli("vmstat", "--movable", "100");
        assertEquals(2, small.status());
        assertTrue(small.err().startsWith("foliolab vmstat: --movable 100 out of range: ZONE_MOVABLE is 0 or at least one pageblock (512 pages)"), small.err());
        Run word = cli("vmstat", "--pages", "many");
        assertEquals(2, word.status());
        assertTrue(word.err().contains("'--pages'"), word.err());
    }

    @Test
    void vmstatPrintsNameValueLines() {
        Run r = cli("vmstat", "--pages", "1024", "--movable", "512");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().lines().allMatch(l -> l.matches("[a-z_0-9]+ -?\\d+")), r.out());
        // nr_free_pages: every page but the zero page is free right after boot.
        assertTrue(r.out().lines().anyMatch(l -> l.equals("nr_free_pages 1535")), r.out());
    }

    @Test
    void replayLongerThanTheRunIsAnError() {
        Run r = cli("explore", "lru-ticket", "--replay", "A40");
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().contains("longer than the run"), r.err());
        assertFalse(r.out().contains("no violation"), r.out());
    }

    @Test
    void racesRejectsOptionsOfASingleScenario() {
        Run r = cli("races", "--variant", "7.2");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("foliolab races: races runs every variant with one strategy"), r.err());
    }
}
