package io.github.foliolab.explore;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** {@code explore --shard K/N} and {@code explore merge}: N shards are exactly one unsharded search. */
class ShardTest {
    private static final int[] SHARD_COUNTS = {1, 2, 3, 7};

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ShardResult shard(Scenario s, String variant, Options o, Shard k) {
        return Explorer.exploreShard(s, s.variant(variant), o, k, null);
    }

    /**
     * For N = 1, 2, 3, 7 the merged shards give one search's verdict, schedule count, exhaustion and first
     * violation (or accepted outcome) with its schedule; their subtrees are disjoint and cover the split;
     * the union of their outcomes, going on after violations, is the unsharded search's, schedule for
     * schedule; and the JSON a shard writes merges to the same.
     */
    @ParameterizedTest(name = "{0} [{1}] bound {2}")
    @CsvSource({
            "munlock-putback, fix-c, 2",        // clean, bound exhausted
            "munlock-putback, 7.2, 2",          // the stranding race: a violation
            "mlock-lru-add, 7.2, 1",            // accepted behaviour reached
            "lru-ticket, test-then-clear, 3",   // a violation in a tiny tree (fewer schedules than subtrees wanted)
    })
    @SuppressWarnings({"unchecked", "rawtypes"})
    void shardsAreOneSearch(String scenario, String variant, int bound) throws Exception {
        Scenario s = Races.byName(scenario);
        Variant v = s.variant(variant);
        Options o = Options.dfs(bound);
        Result one = Explorer.explore(s, v, o);
        Explorer.Outcomes all = Explorer.outcomes(s, v, o);
        SortedSet<String> oneStates = null;
        for (int n : SHARD_COUNTS) {
            List<ShardResult> parts = new ArrayList<>();
            List<ShardResult> fromJson = new ArrayList<>();
            long outcomeSchedules = 0;
            SortedSet<String> outcomeStates = new TreeSet<>();
            SortedSet<Long> subtrees = new TreeSet<>();
            for (int k = n; k >= 1; k--) { // any order
                ShardResult p = shard(s, variant, o, new Shard(k, n));
                parts.add(p);
                fromJson.add(ShardJson.read(new StringReader(ShardJson.render(p))));
                for (ShardResult.Subtree t : p.ran()) {
                    assertTrue(subtrees.add(t.index()), "subtree " + t.index() + " run twice");
                    assertEquals(k - 1, t.index() % n, "subtree in the wrong shard");
                }
                Explorer.Outcomes part = Explorer.outcomes(s, v, o, new Shard(k, n));
                outcomeSchedules += part.schedules();
                outcomeStates.addAll(part.endStates());
                assertTrue(part.exhausted());
            }
            String where = scenario + " [" + variant + "] in " + n + " shards";
            // Going on after violations: the shards run every schedule of the search exactly once.
            assertEquals(all.schedules(), outcomeSchedules, where);
            assertEquals(all.endStates(), outcomeStates, where);
            ShardMerge.Merged m = ShardMerge.merge(parts);
            Result r = m.result();
            assertEquals(one.verdict(), r.verdict(), where);
            assertEquals(one.schedules(), r.schedules(), where);
            assertEquals(one.exhausted(), r.exhausted(), where);
            assertEquals(one.schedule(), r.schedule(), where);
            assertEquals(one.message(), r.message(), where);
            assertFalse(m.budgetReached());
            if (one.verdict() != Result.Verdict.VIOLATION) {
                assertEquals(all.endStates(), m.endStates(), where); // no violation: every schedule was run
                assertEquals(LongStreamRange.of(parts.get(0).subtrees()), subtrees, where);
            }
            if (oneStates == null) {
                oneStates = m.endStates(); // N = 1: one job
            } else {
                assertEquals(oneStates, m.endStates(), where);
            }
            ShardMerge.Merged j = ShardMerge.merge(fromJson);
            assertEquals(r.verdict(), j.result().verdict());
            assertEquals(r.schedules(), j.result().schedules());
            assertEquals(r.schedule(), j.result().schedule());
            assertEquals(r.message(), j.result().message());
            assertEquals(m.endStates(), j.endStates());
        }
    }

    /** The subtree numbers 0..n-1, as a set. */
    private static final class LongStreamRange {
        static SortedSet<Long> of(long n) {
            SortedSet<Long> s = new TreeSet<>();
            for (long i = 0; i < n; i++) s.add(i);
            return s;
        }
    }

    /** A shard is the same job wherever and whenever it runs: the same bytes of JSON, run twice. */
    @Test
    void theSplitIsStable() {
        Scenario<?> s = Races.byName("munlock-putback");
        ShardResult a = shard(s, "fix-c", Options.dfs(2), new Shard(2, 3));
        ShardResult b = shard(s, "fix-c", Options.dfs(2), new Shard(2, 3));
        assertEquals(ShardJson.render(a), ShardJson.render(b));
        assertTrue(a.splitDepth() > 0 && a.subtrees() >= 3, a.splitDepth() + " " + a.subtrees());
    }

    /** The CLI end to end: shards to files, merge, and the merged violation's schedule replays to the violation. */
    @Test
    void cliShardsMergeAndReplay(@TempDir Path dir) throws Exception {
        List<String> files = new ArrayList<>(List.of("merge"));
        for (int k = 1; k <= 3; k++) {
            Path f = dir.resolve("shard-" + k + ".json");
            CliTest.Run r = CliTest.cli("munlock-putback", "--variant", "7.2", "--bound", "2", "--shard", k + "/3",
                    "--json-out", f.toString());
            assertTrue(r.status() == 0 || r.status() == 1, r.err());
            assertTrue(r.out().contains("shard " + k + "/3: "), r.out());
            files.add(f.toString());
        }
        CliTest.Run m = CliTest.cli(files.toArray(String[]::new));
        assertEquals(1, m.status(), m.err() + m.out());
        Result one = Explorer.explore(new io.github.foliolab.explore.scenarios.MunlockPutback(),
                io.github.foliolab.explore.scenarios.MunlockPutback.AS_IS, Options.dfs(2));
        assertTrue(m.out().contains("VIOLATION after " + one.schedules() + " schedules (schedule " + one.schedule() + ")"), m.out());
        assertTrue(m.out().contains("distinct end states: "), m.out());
        Matcher sched = Pattern.compile("--replay (\\S+)\\)").matcher(m.out());
        assertTrue(sched.find(), m.out());
        CliTest.Run replay = CliTest.cli("munlock-putback", "--variant", "7.2", "--replay", sched.group(1));
        assertEquals(1, replay.status(), replay.out());
        assertTrue(replay.out().contains(one.message().lines().findFirst().orElseThrow()), replay.out());
        assertTrue(replay.out().contains("| CPU A "), replay.out());
    }

    /** Bad --shard values and bad merges: a one-line message and exit status 2. */
    @Test
    void badInputExitsTwo(@TempDir Path dir) throws Exception {
        String[][] bad = {{"0/3", "--shard 0/3: K must be in 1..3"}, {"4/3", "--shard 4/3: K must be in 1..3"}, {"1/0", "at least 1"}, {"x", "needs K/N"},
                {"1/2/3", "needs K/N"}, {"-1/2", "needs K/N"}, {"/2", "needs K/N"}};
        for (String[] b : bad) {
            CliTest.Run r = CliTest.cli("lru-ticket", "--shard", b[0]);
            assertEquals(2, r.status(), b[0]);
            assertTrue(r.err().contains(b[1]), b[0] + ": " + r.err());
            assertEquals(1, r.err().lines().count(), b[0] + ": " + r.err());
        }
        CliTest.Run dpor = CliTest.cli("lru-ticket", "--shard", "1/2", "--strategy", "dpor");
        assertEquals(2, dpor.status());
        assertTrue(dpor.err().lines().findFirst().orElseThrow().contains("--shard works with --strategy dfs only"), dpor.err());
        assertEquals(2, CliTest.cli("lru-ticket", "--shard", "1/2", "--strategy", "random").status());
        assertEquals(2, CliTest.cli("lru-ticket", "--shard", "1/2", "--replay", "B").status());
        assertEquals(2, CliTest.cli("races", "--shard", "1/2").status());
        assertThrows(IllegalArgumentException.class, () -> Explorer.exploreShard(new io.github.foliolab.explore.scenarios.LruTicket(),
                io.github.foliolab.explore.scenarios.LruTicket.TEST_CLEAR, Options.dpor(2), new Shard(1, 2), null));

        Path a1 = write(dir, "a1", "lru-ticket", "test-clear", "2", "1/2");
        Path a2 = write(dir, "a2", "lru-ticket", "test-clear", "2", "2/2");
        Path b2 = write(dir, "b2", "lru-ticket", "test-clear", "1", "2/2");
        Path c2 = write(dir, "c2", "refcount-get", "folio_get", "2", "2/2");
        Path d3 = write(dir, "d3", "lru-ticket", "test-clear", "2", "3/3");
        assertEquals(0, CliTest.cli("merge", a1.toString(), a2.toString()).status());
        assertMergeError("not shards of one search", a1, b2);
        assertMergeError("not shards of one search", a1, c2);
        assertMergeError("shard 2 of 2 missing", a1);
        assertMergeError("is given twice", a1, a2, a1);
        assertMergeError("one of 3 shards", a1, d3);
        Path junk = Files.writeString(dir.resolve("junk.json"), "{ not json");
        assertMergeError("not valid JSON", a1, junk);
        Path plain = dir.resolve("plain.json");
        assertEquals(0, CliTest.cli("lru-ticket", "--variant", "test-clear", "--json-out", plain.toString()).status());
        assertMergeError("not the output of explore --shard", a1, plain);
        assertMergeError("cannot read " + dir.resolve("absent.json") + ": no such file", a1, dir.resolve("absent.json"));
        assertEquals(2, CliTest.cli("merge").status());
    }

    /** The help lists --shard and the merge subcommand with its arguments. */
    @Test
    void helpListsShardAndMerge() {
        CliTest.Run r = CliTest.cli("--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("--shard=K/N") && r.out().contains("explore merge"), r.out());
        CliTest.Run m = CliTest.cli("merge", "--help");
        assertEquals(0, m.status());
        assertTrue(m.out().contains("FILE...") && m.out().contains("--help"), m.out());
    }

    private static Path write(Path dir, String name, String scenario, String variant, String bound, String shard) {
        Path f = dir.resolve(name + ".json");
        CliTest.Run r = CliTest.cli(scenario, "--variant", variant, "--bound", bound, "--shard", shard, "--json-out", f.toString());
        assertTrue(r.status() == 0 || r.status() == 1, r.err());
        return f;
    }

    private static void assertMergeError(String what, Path... files) {
        List<String> args = new ArrayList<>(List.of("merge"));
        for (Path f : files) args.add(f.toString());
        CliTest.Run r = CliTest.cli(args.toArray(String[]::new));
        assertEquals(2, r.status(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(what), what + ": " + r.err());
    }
}
