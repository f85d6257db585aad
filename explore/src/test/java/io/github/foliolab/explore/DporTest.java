package io.github.foliolab.explore;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Partial-order reduction against the plain bounded DFS on every registered scenario and variant, at
 * preemption bounds 0 to 3: the same verdict, the same set of distinct end states (violations included),
 * and never more schedules.
 */
class DporTest {
    static final int BOUND = 3;

    @AfterEach
    void noThreadLeft() {
        assertEquals(0, Engine.LIVE_WORKERS.get(), "worker threads outlived their explorer");
    }

    @TestFactory
    Stream<DynamicTest> dporReachesWhatDfsReachesOnEveryScenario() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int bound = 0; bound <= BOUND; bound++) {
            int b = bound;
            for (Scenario<?> s : Races.all()) {
                if (b > s.racesBound()) continue; // the same search as at its racesBound
                for (int i = 0; i < s.variants().size(); i++) {
                    int index = i;
                    tests.add(DynamicTest.dynamicTest(s.name() + " [" + s.variants().get(i).name() + "] bound " + b,
                            () -> compare(s, index, b)));
                }
            }
        }
        return tests.stream();
    }

    @Test
    void theFixesAtBoundFiveToo() {
        var s = new io.github.foliolab.explore.scenarios.MunlockPutback();
        compare(s, s.variants().indexOf(io.github.foliolab.explore.scenarios.MunlockPutback.FIX_C), 5);
        compare(s, s.variants().indexOf(io.github.foliolab.explore.scenarios.MunlockPutback.AS_IS), 5);
    }

    /**
     * Issue 18's target on the scenarios added with it: partial-order reduction runs at most a tenth of
     * the schedules of the plain DFS, with the same end states (violations included): gup-fast-migration at its
     * racesBound (2), thp-split-mlock at bound 2 (at its racesBound 1 the interleavings of its lock steps
     * leave a fifth, see docs/explore.md), longterm-pin-mlock-batch at bound 1.
     */
    @TestFactory
    Stream<DynamicTest> aTenthOfTheSchedulesOnTheNewScenarios() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Scenario<?> s : Races.all()) {
            int bound = switch (s.name()) {
                case "gup-fast-migration", "thp-split-mlock" -> 2;
                case "longterm-pin-mlock-batch" -> 1;
                default -> -1;
            };
            if (bound < 0) continue;
            for (int i = 0; i < s.variants().size(); i++) {
                int index = i;
                tests.add(DynamicTest.dynamicTest(s.name() + " [" + s.variants().get(i).name() + "] bound " + bound, () -> {
                    long[] n = sameOutcomes(s, index, bound);
                    assertTrue(n[1] * 10 <= n[0], "dpor " + n[1] + " schedules, dfs " + n[0]);
                }));
            }
        }
        assertEquals(10, tests.size(), "five, three and two variants");
        return tests.stream();
    }

    /**
     * Without a bound DPOR runs every interleaving of gup-fast-migration (sleep sets on): it finds every
     * end state the bounded DFS finds at bound 3, in less than a tenth of its schedules.
     */
    @Test
    void withoutABoundDporCoversTheBoundedDfsOnGupFastMigration() {
        var s = new io.github.foliolab.explore.scenarios.GupFastMigration();
        for (var v : s.variants()) {
            Explorer.Outcomes all = Explorer.outcomes(s, v, Options.dfs(3));
            Explorer.Outcomes every = Explorer.outcomes(s, v, Options.dpor(Dpor.UNBOUNDED));
            assertTrue(all.exhausted() && every.exhausted(), all + " " + every);
            assertTrue(every.endStates().containsAll(all.endStates()), v.name() + ": only dfs: " + diff(all, every));
            assertTrue(every.schedules() * 10 < all.schedules(), v.name() + ": " + every + " " + all);
        }
    }

    private static <B> void compare(Scenario<B> s, int index, int bound) {
        Variant<B> v = s.variants().get(index);
        Result dfs = Explorer.explore(s, v, Options.dfs(bound));
        Result dpor = Explorer.explore(s, v, Options.dpor(bound));
        assertEquals(dfs.verdict(), dpor.verdict(), () -> "dfs: " + dfs.verdictLine() + "\ndpor: " + dpor.verdictLine());
        sameOutcomes(s, index, bound);
    }

    /** Every outcome of both searches: the same end states (violations included); the schedules each ran, {dfs, dpor}. */
    private static <B> long[] sameOutcomes(Scenario<B> s, int index, int bound) {
        Variant<B> v = s.variants().get(index);
        Explorer.Outcomes all = Explorer.outcomes(s, v, Options.dfs(bound));
        Explorer.Outcomes reduced = Explorer.outcomes(s, v, Options.dpor(bound));
        assertTrue(all.exhausted() && reduced.exhausted(), all + " " + reduced);
        System.out.println("dpor-vs-dfs bound " + bound + " " + s.name() + " [" + v.name() + "]: dfs " + all.schedules() + " schedules, dpor "
                + reduced.schedules() + ", " + all.endStates().size() + " distinct end states");
        assertEquals(all.endStates(), reduced.endStates(), () -> s.name() + " [" + v.name() + "]: only dfs: "
                + diff(all, reduced) + "\nonly dpor: " + diff(reduced, all));
        assertTrue(reduced.schedules() <= all.schedules(), reduced.schedules() + " > " + all.schedules());
        return new long[] {all.schedules(), reduced.schedules()};
    }

    private static String diff(Explorer.Outcomes a, Explorer.Outcomes b) {
        List<String> l = new ArrayList<>(a.endStates());
        l.removeAll(b.endStates());
        return l.toString();
    }

    @Test
    void withoutABoundDporExhaustsEveryInterleavingOfTheFix() {
        var s = new io.github.foliolab.explore.scenarios.MunlockPutback();
        Result r = Explorer.explore(s, io.github.foliolab.explore.scenarios.MunlockPutback.FIX_C, Options.dpor(Dpor.UNBOUNDED));
        assertEquals(Result.Verdict.NO_VIOLATION, r.verdict(), r.verdictLine());
        assertTrue(r.exhausted());
        assertTrue(r.strategy().contains("no preemption bound"), r.strategy());
        Result found = Explorer.explore(s, io.github.foliolab.explore.scenarios.MunlockPutback.AS_IS, Options.dpor(Dpor.UNBOUNDED));
        assertTrue(found.violated(), found.verdictLine());
    }

    @Test
    void theCommandLineRunsDporAndItsCounterexampleReplays() {
        // Bound 1 is where bounded DPOR with sleep sets lost the one-preemption counterexample.
        CliTest.Run r = CliTest.cli("munlock-putback", "--strategy", "dpor", "--bound", "1");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.out().contains("strategy: partial-order reduction (source-DPOR, bounded"), r.out());
        String schedule = r.out().lines().filter(l -> l.startsWith("schedule: ")).findFirst().orElseThrow()
                .substring("schedule: ".length()).split(" ")[0];
        CliTest.Run again = CliTest.cli("munlock-putback", "--replay", schedule);
        assertEquals(1, again.status(), again.out());
        assertTrue(again.out().contains("stranded"), again.out());
        CliTest.Run bad = CliTest.cli("munlock-putback", "--strategy", "por");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("unknown strategy por (random, pct, dfs, dpor)"), bad.err());
    }

    @Test
    void replayOfADporCounterexampleGivesTheSameTable() {
        var s = new io.github.foliolab.explore.scenarios.MunlockPutback();
        Result found = Explorer.explore(s, io.github.foliolab.explore.scenarios.MunlockPutback.AS_IS, Options.dpor(BOUND));
        assertTrue(found.violated(), found.verdictLine());
        Result again = Explorer.explore(s, io.github.foliolab.explore.scenarios.MunlockPutback.AS_IS,
                Options.replay(found.schedule()));
        assertTrue(again.violated());
        assertEquals(TraceTable.render(found.trace()), TraceTable.render(again.trace()));
    }
}
