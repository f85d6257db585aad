package io.github.foliolab.explore;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.*;

/** {@code explore --jobs N}: a dfs search in N parallel jobs is exactly the one-job search. */
class ParallelTest {
    @AfterEach
    void noWorkerLeft() {
        assertEquals(0, Engine.LIVE_WORKERS.get(), "worker threads outlived their explorer");
        assertTrue(Dispatcher.idle(), "a job's engine stayed attached to the hook");
    }

    /**
     * For 2 and 3 jobs: the same result as one job, record for record (verdict, schedule count, exhaustion,
     * the first violation or accepted outcome with its schedule, message and trace), and the same outcomes
     * when the search goes on after violations; also with a budget that ends the search inside the tree,
     * and with restarts off.
     */
    @ParameterizedTest(name = "{0} [{1}] bound {2}")
    @CsvSource({
            "munlock-putback, fix-c, 3",        // clean, bound exhausted
            "munlock-putback, 7.2, 3",          // the stranding race: a violation
            "munlock-putback, fix-a, 2",        // a violation of a fix
            "mlock-lru-add, 7.2, 1",            // accepted behaviour reached
            "lost-activation, 7.2, 2",
            "lru-ticket, test-then-clear, 3",   // a violation in a tiny tree (fewer schedules than subtrees wanted)
            "migration-mlock, no-guard, 1",     // tasks and system calls: each job restores its own address spaces
            "fork-isolate, 7.2-cow, 0",
    })
    @SuppressWarnings({"unchecked", "rawtypes"})
    void jobsAreOneSearch(String scenario, String variant, int bound) {
        Scenario s = Races.byName(scenario);
        Variant v = s.variant(variant);
        Options o = Options.dfs(bound);
        Result one = Explorer.explore(s, v, o);
        Explorer.Outcomes all = Explorer.outcomes(s, v, o);
        // Budgets that end the one-job search early: before, at and after its first violation or accepted outcome.
        long[] budgets = {1, Math.max(1, one.schedules() / 2), one.schedules(), one.schedules() + 1};
        for (int jobs : new int[] {2, 3}) {
            String where = scenario + " [" + variant + "] with " + jobs + " jobs";
            Options p = o.withJobs(jobs);
            assertEquals(one, Explorer.explore(s, v, p), where);
            assertEquals(all, Explorer.outcomes(s, v, p), where);
            for (long b : budgets) {
                assertEquals(Explorer.explore(s, v, o.withSchedules(b)), Explorer.explore(s, v, p.withSchedules(b)),
                        where + ", budget " + b);
                assertEquals(Explorer.outcomes(s, v, o.withSchedules(b)), Explorer.outcomes(s, v, p.withSchedules(b)),
                        where + ", budget " + b);
            }
        }
        assertEquals(one, Explorer.explore(s, v, o.withJobs(2).withRestarts(false)), "restarts off");
    }

    /** The same result on every run, whatever the jobs' timing (several runs of a search with a violation). */
    @Test
    void resultDoesNotDependOnTiming() {
        Scenario<?> s = Races.byName("munlock-putback");
        Result one = explore(s, "7.2", Options.dfs(4));
        for (int run = 0; run < 5; run++) {
            assertEquals(one, explore(s, "7.2", Options.dfs(4).withJobs(2)), "run " + run);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Result explore(Scenario s, String variant, Options o) {
        return Explorer.explore(s, s.variant(variant), o);
    }

    /** Two parallel searches of different scenarios at once in one JVM: each is its own. */
    @Test
    void explorationsOnTwoThreadsAtOnce() throws Exception {
        Scenario<?> a = Races.byName("munlock-putback");
        Scenario<?> b = Races.byName("lost-activation");
        Result ra = explore(a, "7.2", Options.dfs(3));
        Result rb = explore(b, "7.2", Options.dfs(2));
        Result[] got = new Result[2];
        Thread ta = Thread.ofPlatform().start(() -> got[0] = explore(a, "7.2", Options.dfs(3).withJobs(2)));
        Thread tb = Thread.ofPlatform().start(() -> got[1] = explore(b, "7.2", Options.dfs(2)));
        ta.join(120_000);
        tb.join(120_000);
        assertFalse(ta.isAlive() || tb.isAlive(), "an exploration did not finish");
        assertEquals(ra, got[0]);
        assertEquals(rb, got[1]);
    }

    /** What cannot run in parallel says why; bad --jobs values are one line and exit status 2. */
    @Test
    void badJobsExitTwo() {
        assertThrows(IllegalArgumentException.class, () -> Options.dfs(2).withJobs(0));
        assertThrows(IllegalArgumentException.class, () -> Options.dfs(2).withJobs(-1));
        Scenario<?> s = Races.byName("lru-ticket");
        IllegalArgumentException dpor = assertThrows(IllegalArgumentException.class,
                () -> explore(s, "test-then-clear", Options.dpor(2).withJobs(2)));
        assertTrue(dpor.getMessage().contains("dfs only"), dpor.getMessage());
        assertThrows(IllegalArgumentException.class, () -> explore(s, "test-then-clear", Options.replay("B").withJobs(2)));
        String[][] bad = {
                {"--jobs", "0"}, {"--jobs", "-1"}, {"--jobs", "x"}, {"--jobs", "100000"},
                {"--jobs", "2", "--strategy", "dpor"}, {"--jobs", "2", "--strategy", "random"},
                {"--jobs", "2", "--replay", "B"}, {"--jobs", "2", "--shard", "1/2"},
        };
        String[] why = {"--jobs must be in 1..", "--jobs must be in 1..", "--jobs needs a number", "--jobs must be in 1..",
                "--jobs works with --strategy dfs only", "--jobs works with --strategy dfs only",
                "--jobs and --replay do not go together", "--shard and --jobs do not go together"};
        for (int i = 0; i < bad.length; i++) {
            String[] args = new String[bad[i].length + 1];
            args[0] = "lru-ticket";
            System.arraycopy(bad[i], 0, args, 1, bad[i].length);
            CliTest.Run r = CliTest.cli(args);
            String what = String.join(" ", bad[i]);
            assertEquals(2, r.status(), what + ": " + r.err());
            assertEquals(1, r.err().lines().count(), what + ": " + r.err());
            assertTrue(r.err().startsWith("explore: ") && r.err().contains(why[i]), what + ": " + r.err());
        }
        assertEquals(2, CliTest.cli("races", "--jobs", "0").status());
    }

    /** The CLI with --jobs prints what one job prints, and --help lists the option. */
    @Test
    void cliJobsPrintsOneJobsResult() {
        CliTest.Run one = CliTest.cli("munlock-putback", "--variant", "7.2", "--bound", "2");
        CliTest.Run two = CliTest.cli("munlock-putback", "--variant", "7.2", "--bound", "2", "--jobs", "2");
        assertEquals(1, one.status(), one.err());
        assertEquals(one.status(), two.status());
        assertEquals(one.out(), two.out());
        assertTrue(CliTest.cli("--help").out().contains("--jobs=N"));
    }
}
