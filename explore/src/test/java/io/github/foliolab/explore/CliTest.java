package io.github.foliolab.explore;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class CliTest {
    record Run(int status, String out, String err) {}

    static Run cli(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int st = ExploreCli.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(st, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void violationExitsOneWithTheTable() {
        Run r = cli("lru-ticket", "--variant", "test-then-clear");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.out().contains("| # | CPU A"), r.out());
        assertTrue(r.out().contains("folio_test_lru(F) = true"), r.out());
        assertTrue(r.out().contains("sequentially consistent"), r.out());
    }

    @Test
    void noViolationExitsZeroWithTheCount() {
        Run r = cli("explore", "lru-ticket", "--variant", "test-clear", "--bound", "2");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().matches("(?s).*no violation in \\d+ schedules \\(bound exhausted.*"), r.out());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, cli().status());
        assertEquals(2, cli("no-such-scenario").status());
        assertEquals(2, cli("lru-ticket", "--strategy", "bogus").status());
        assertEquals(2, cli("lru-ticket", "--variant", "nope").status());
        assertEquals(2, cli("lru-ticket", "--bound").status());
        assertEquals(2, cli("lru-ticket", "--replay", "A9Z").status());
        assertEquals(2, cli("lru-ticket", "--replay", "C").status());
        assertEquals(2, cli("lru-ticket", "--frobnicate").status());
    }

    @Test
    void sameSeedSameBytes() {
        Run a = cli("refcount-get", "--variant", "read-set", "--strategy", "random", "--seed", "99", "--schedules", "300");
        Run b = cli("refcount-get", "--variant", "read-set", "--strategy", "random", "--seed", "99", "--schedules", "300");
        assertEquals(1, a.status());
        assertEquals(a.out(), b.out());
        Run p1 = cli("lock-order", "--variant", "ordered", "--strategy", "pct", "--seed", "5", "--schedules", "200");
        Run p2 = cli("lock-order", "--variant", "ordered", "--strategy", "pct", "--seed", "5", "--schedules", "200");
        assertEquals(0, p1.status());
        assertEquals(p1.out(), p2.out());
        assertTrue(p1.out().contains("probability >= 1/(n*k^(d-1))"), p1.out());
    }

    @Test
    void replayFromTheCommandLineReproducesTheTrace() {
        Run found = cli("refcount-get", "--variant", "read-set");
        String schedule = found.out().lines().filter(l -> l.startsWith("schedule: ")).findFirst().orElseThrow()
                .substring("schedule: ".length()).split(" ")[0];
        Run again = cli("refcount-get", "--variant", "read-set", "--replay", schedule);
        assertEquals(1, again.status());
        String table1 = found.out().substring(found.out().indexOf("| #"));
        String table2 = again.out().substring(again.out().indexOf("| #"));
        assertEquals(table1, table2);
    }

    @Test
    void traceFilesAreWritten() throws Exception {
        Path dir = Files.createTempDirectory("explore");
        Path perfetto = dir.resolve("t.json");
        Path json = dir.resolve("r.json");
        Run r = cli("lock-order", "--variant", "abba", "--trace-out", perfetto.toString(), "--json-out", json.toString());
        assertEquals(1, r.status());
        String p = Files.readString(perfetto);
        assertTrue(p.contains("\"traceEvents\""));
        assertTrue(p.contains("\"thread_name\""));
        assertTrue(p.contains("\"name\": \"CPU B\""));
        assertTrue(p.contains("\"ph\": \"X\""));
        MiniJson.parse(p);
        String j = Files.readString(json);
        Object parsed = MiniJson.parse(j);
        assertTrue(parsed instanceof java.util.Map<?, ?> m && "VIOLATION".equals(m.get("verdict")), j);
        assertTrue(j.contains("\"kind\": \"blocked\""));
    }

    @Test
    void racesPrintsOneVerdictPerVariant() {
        Run r = cli("races", "--bound", "2");
        long variants = Races.all().stream().mapToLong(s -> s.variants().size()).sum();
        long lines = r.out().lines().filter(l -> l.contains("]: ")).count();
        assertEquals(variants, lines, r.out());
        assertFalse(r.out().contains("UNEXPECTED"), r.out());
        assertEquals(variants, r.out().lines().filter(l -> l.endsWith("[as expected]")).count(), r.out());
        // Known races are found (violations), yet every verdict is the expected one: the main job passes.
        assertTrue(r.out().contains("munlock-putback [7.2]: VIOLATION"), r.out());
        assertTrue(r.out().contains("races: " + variants + " verdicts, all as expected"), r.out());
        assertEquals(0, r.status(), r.out());
        assertTrue(r.err().contains("races: munlock-putback [7.2] ..."), r.err());
    }

    @Test
    void racesFailsOnlyOnAnUnexpectedVerdict() {
        for (Variant.Expect expect : Variant.Expect.values()) {
            for (Result.Verdict verdict : Result.Verdict.values()) {
                boolean same = expect.name().equals(verdict.name())
                        || (expect == Variant.Expect.CLEAN && verdict == Result.Verdict.NO_VIOLATION);
                assertEquals(same, ExploreCli.asExpected(expect, verdict), expect + " vs " + verdict);
            }
        }
        // With a bound too small to reach the known races, their verdicts are unexpected: exit 1, named.
        Run r = cli("races", "--bound", "0", "--schedules", "1");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.out().contains("munlock-putback [7.2]: no violation in 1 schedule (budget reached)   [UNEXPECTED: expected violation]"), r.out());
        assertTrue(r.out().matches("(?s).*races: \\d+ verdicts, \\d+ UNEXPECTED: munlock-putback \\[7.2\\].*"), r.out());
    }

    @Test
    void usageErrorsSayWhatIsWrongOnStderr() {
        Run seed = cli("lru-ticket", "--seed", "abc");
        assertEquals(2, seed.status());
        assertEquals("", seed.out());
        assertTrue(seed.err().startsWith("explore: --seed needs a number, not \"abc\""), seed.err());
        Run bound = cli("lru-ticket", "--bound", "-1");
        assertEquals(2, bound.status(), bound.out());
        assertTrue(bound.err().contains("--bound out of range: -1"), bound.err());
        assertTrue(cli("lru-ticket", "--schedules", "0").err().contains("--schedules must be >= 1"));
        assertTrue(cli("nope").err().contains("no scenario nope"));
        assertTrue(cli("lru-ticket", "--variant", "nope").err().contains("has no variant nope"));
        assertTrue(cli("lru-ticket", "--frobnicate").err().contains("unknown option --frobnicate"));
        assertEquals(2, cli("races", "--frobnicate").status());
        assertEquals(2, cli("races", "--seed", "x").status());
        Run replay = cli("races", "--replay", "A");
        assertEquals(2, replay.status(), replay.out());
        assertTrue(replay.err().contains("apply to explore SCENARIO only"), replay.err());
        assertEquals(2, cli("races", "--variant", "fix-c").status());
    }

    /** Every usage error, from picocli's parser or from the command, is one line "COMMAND: what" on stderr, exit 2. */
    @Test
    void everyUsageErrorIsOneLine() throws Exception {
        String[][] bad = {
                {"explore: --shard 0/3: K must be in 1..3", "lru-ticket", "--shard", "0/3"},
                {"explore: --shard 4/3: K must be in 1..3", "lru-ticket", "--shard", "4/3"},
                {"explore: --shard 1/0: N (the number of shards) must be at least 1", "lru-ticket", "--shard", "1/0"},
                {"explore: --seed needs a number, not \"abc\"", "lru-ticket", "--seed", "abc"},
                {"explore: unknown option --x", "lru-ticket", "--x"},
                {"explore: unknown strategy foo (random, pct, dfs, dpor)", "lru-ticket", "--strategy", "foo"},
                {"explore: no scenario nosuch (explore list shows them)", "nosuch"},
                {"explore: --replay: ", "lru-ticket", "--replay", "A9Z"},
                {"explore: --json-out /nonexistent/dir/x.json: no such directory /nonexistent/dir", "lru-ticket",
                        "--json-out", "/nonexistent/dir/x.json"},
                {"explore races: unknown option --x", "races", "--x"},
                {"explore races: --seed needs a number", "races", "--seed", "abc"},
                {"explore merge: unknown option --x", "merge", "x.json", "--x"},
                {"explore merge: Missing required parameter", "merge"},
                {"explore merge: cannot read nosuch.json: no such file", "merge", "nosuch.json"},
        };
        for (String[] b : bad) {
            Run r = cli(java.util.Arrays.copyOfRange(b, 1, b.length));
            String what = String.join(" ", java.util.Arrays.copyOfRange(b, 1, b.length));
            assertEquals(2, r.status(), what + ": " + r.err());
            assertEquals("", r.out(), what);
            assertEquals(1, r.err().lines().count(), what + ": " + r.err());
            assertTrue(r.err().startsWith(b[0]), what + ": " + r.err());
        }
        Run variant = cli("lru-ticket", "--variant", "nope");
        assertEquals(1, variant.err().lines().count(), variant.err());
        assertTrue(variant.err().startsWith("explore: ") && variant.err().contains("has no variant nope"), variant.err());
        Path dir = Files.createTempDirectory("explore");
        Run isDir = cli("merge", dir.toString());
        assertEquals(2, isDir.status());
        assertEquals("explore merge: cannot read " + dir + ": is a directory\n", isDir.err());
        // The output path is checked before the search: no result lines on stdout.
        Run outDir = cli("lru-ticket", "--trace-out", dir.toString());
        assertEquals(2, outDir.status());
        assertEquals("", outDir.out());
        assertEquals("explore: --trace-out " + dir + ": is a directory\n", outDir.err());
    }

    /** One schedule is "1 schedule"; a replay has no budget to reach. */
    @Test
    void singularAndReplayWording() {
        Run one = cli("lru-ticket", "--variant", "test-clear", "--bound", "0", "--schedules", "1");
        assertEquals(0, one.status(), one.err());
        assertTrue(one.out().contains("no violation in 1 schedule (budget reached)"), one.out());
        Run replay = cli("lru-ticket", "--variant", "test-clear", "--replay", "A");
        assertEquals(0, replay.status(), replay.err());
        assertTrue(replay.out().contains("no violation in the replayed schedule\n"), replay.out());
        assertFalse(replay.out().contains("budget"), replay.out());
        Run shard = cli("lru-ticket", "--variant", "test-clear", "--bound", "0", "--shard", "1/1");
        assertEquals(0, shard.status(), shard.err());
        assertTrue(shard.out().contains(" 1 distinct end state (no --json-out: this shard's result cannot be merged)"), shard.out());
    }
}
