package io.github.foliolab.explore;

import io.github.foliolab.explore.scenarios.CoreInvariants;
import io.github.foliolab.explore.scenarios.LockOrder;
import io.github.foliolab.explore.scenarios.LruTicket;
import io.github.foliolab.explore.scenarios.RefcountGet;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.FolioOp;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.sync.SpinLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.*;

class EngineTest {
    @AfterEach
    void noThreadLeft() {
        assertEquals(0, Engine.LIVE_WORKERS.get(), "worker threads outlived their explorer");
        assertTrue(Dispatcher.idle(), "the exploration stayed attached to the hook");
    }

    /** A two-CPU scenario from a body; F is a fresh folio, L a spinlock. */
    static Scenario<Variant.Library> twoCpus(String name, BiConsumer<Integer, Object[]> body) {
        return new Scenario<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String summary() {
                return name;
            }

            @Override
            public List<Variant<Variant.Library>> variants() {
                return List.of(Variant.library(name, Variant.Expect.CLEAN));
            }

            @Override
            public World build(Variant<Variant.Library> v) {
                Machine m = Machine.bootGcManaged(2, 512, 0);
                Folio f = m.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
                SpinLock l = new SpinLock("L");
                Object[] st = {f, l};
                return new World(m) {
                    {
                        name(f, "F");
                    }

                    @Override
                    public int nrCpus() {
                        return 2;
                    }

                    @Override
                    protected void run(int cpu) {
                        body.accept(cpu, st);
                    }

                    @Override
                    public List<Invariant> invariants() {
                        return CoreInvariants.all();
                    }
                };
            }
        };
    }

    /**
     * The watchdog ends a schedule whose CPU runs too long between schedule points (the main thread waits
     * for each schedule without a timed park, so only the watchdog can wake it).
     */
    @Test
    void aCpuThatNeverReachesASchedulePointFailsTheSchedule() {
        long saved = Engine.scheduleTimeoutNanos;
        Engine.scheduleTimeoutNanos = 300_000_000L;
        try {
            Scenario<Variant.Library> s = twoCpus("runaway", (cpu, st) -> {
                if (cpu == 0) {
                    // Stuck outside the model for 2 s (bounded: the worker ends on its own), parked so that
                    // its carrier is free for the woken main thread (this module's tests run virtual
                    // threads on one carrier).
                    long end = System.nanoTime() + 2_000_000_000L;
                    while (System.nanoTime() - end < 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(end - System.nanoTime());
                    }
                }
            });
            long t0 = System.nanoTime();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Explorer.explore(s, s.variants().get(0), Options.dfs(0)));
            assertTrue(e.getMessage().contains("without reaching a schedule point"), e.getMessage());
            assertTrue(System.nanoTime() - t0 < 30_000_000_000L, "the watchdog woke the main thread");
        } finally {
            Engine.scheduleTimeoutNanos = saved;
        }
    }

    @Test
    void optionsWithKeepEveryOtherField() {
        Options off = Options.dfs(3).withRestarts(false).withInvariants(false);
        Options bounded = off.withBound(1);
        assertEquals(1, bounded.bound());
        assertFalse(bounded.restarts(), "withBound must not turn restarts back on");
        assertFalse(bounded.invariants());
        assertEquals(off.withSchedules(7).restarts(), false);
    }

    @Test
    void abbaDeadlockIsReportedAsACycle() {
        LockOrder s = new LockOrder();
        Result r = Explorer.explore(s, LockOrder.ABBA, Options.dfs(2));
        assertEquals(Result.Verdict.VIOLATION, r.verdict());
        assertTrue(r.message().startsWith("deadlock:"), r.message());
        assertTrue(r.message().contains("a cycle of blocked CPUs"), r.message());
        String table = TraceTable.render(r.trace());
        assertTrue(table.contains("spin_lock(L1) ... waits") || table.contains("spin_lock(L2) ... waits"), table);
        // The attempt that finds the lock held is one numbered row, not a step followed by a wait.
        assertTrue(table.matches("(?s).*\\| +\\d+ \\|[^\\n]*spin_lock\\(L[12]\\) \\.\\.\\. waits.*"), table);
        assertFalse(table.matches("(?s).*spin_lock\\((L[12])\\) +\\|[^\\n]*\\n[^\\n]*spin_lock\\(\\1\\) \\.\\.\\. waits.*"), table);
    }

    @Test
    void orderedLocksExhaustTheBoundWithoutViolation() {
        Result r = Explorer.explore(new LockOrder(), LockOrder.ORDERED, Options.dfs(3));
        assertEquals(Result.Verdict.NO_VIOLATION, r.verdict());
        assertTrue(r.exhausted());
        assertTrue(r.schedules() > 1);
    }

    @Test
    void dfsRunsEachScheduleOnceAndMoreWithAHigherBound() {
        long b0 = Explorer.explore(new LockOrder(), LockOrder.ORDERED, Options.dfs(0)).schedules();
        long b1 = Explorer.explore(new LockOrder(), LockOrder.ORDERED, Options.dfs(1)).schedules();
        long b3 = Explorer.explore(new LockOrder(), LockOrder.ORDERED, Options.dfs(3)).schedules();
        // Bound 0: only the choice of who starts first, and switches when a CPU blocks or ends.
        assertTrue(b0 >= 2 && b0 < b1 && b1 < b3, b0 + " " + b1 + " " + b3);
    }

    @Test
    void replayGivesTheIdenticalTrace() {
        RefcountGet s = new RefcountGet();
        Result found = Explorer.explore(s, RefcountGet.READ_SET, Options.random(42, 1000));
        assertTrue(found.violated());
        Result again = Explorer.explore(s, RefcountGet.READ_SET, Options.replay(found.schedule()));
        assertTrue(again.violated());
        assertEquals(1, again.schedules());
        assertEquals(found.message(), again.message());
        assertEquals(TraceTable.render(found.trace()), TraceTable.render(again.trace()));
        assertEquals(found.trace(), again.trace());
    }

    @Test
    void theDefaultScheduleOfTheRacyGetIsFine() {
        Result r = Explorer.explore(new RefcountGet(), RefcountGet.READ_SET, Options.replay("-"));
        assertEquals(Result.Verdict.NO_VIOLATION, r.verdict());
    }

    @Test
    void aScheduleThatDoesNotFitIsRefused() {
        assertThrows(Replay.ScheduleMismatchException.class,
                () -> Explorer.explore(new RefcountGet(), RefcountGet.READ_SET, Options.replay("A2C")));
        assertThrows(IllegalArgumentException.class, () -> Schedule.decode("A2x"));
    }

    @Test
    void sameSeedSameResult() {
        Result a = Explorer.explore(new LruTicket(), LruTicket.TEST_THEN_CLEAR, Options.random(7, 500));
        Result b = Explorer.explore(new LruTicket(), LruTicket.TEST_THEN_CLEAR, Options.random(7, 500));
        assertEquals(a, b);
    }

    @Test
    void pctFindsTheLostUpdateAndStatesItsBound() {
        Result r = Explorer.explore(new RefcountGet(), RefcountGet.READ_SET, Options.pct(3, 2000, 2));
        assertTrue(r.violated());
        assertTrue(r.strategy().contains("1/(n*k^(d-1))"), r.strategy());
    }

    @Test
    void aBugOnOneCpuUnwindsTheOtherWhileItWaitsForALock() {
        Scenario<Variant.Library> s = twoCpus("bug-while-blocked", (cpu, st) -> {
            Folio f = (Folio) st[0];
            SpinLock l = (SpinLock) st[1];
            if (cpu == 0) {
                l.lock();
                f.testLru();
                f.testLru();
                throw new VmBugException("VM_BUG_ON_FOLIO(test)\n" + f.dump());
            }
            l.lock();
            l.unlock();
        });
        Result r = Explorer.explore(s, s.variants().get(0), Options.dfs(2));
        assertTrue(r.violated());
        assertTrue(r.message().contains("VM_BUG_ON_FOLIO(test)"), r.message());
        assertTrue(r.trace().rows().stream().anyMatch(x -> x.kind() == Trace.Kind.EXCEPTION));
    }

    @Test
    void returningWithALockHeldIsAViolation() {
        Scenario<Variant.Library> s = twoCpus("lock-leak", (cpu, st) -> {
            if (cpu == 0) ((SpinLock) st[1]).lock();
        });
        Result r = Explorer.explore(s, s.variants().get(0), Options.dfs(1));
        assertTrue(r.violated());
        assertTrue(r.message().contains("returned with L held"), r.message());
    }

    @Test
    void aCpuSpinningWithoutAWaitPointIsReportedAsNoProgress() {
        Scenario<Variant.Library> s = twoCpus("spin", (cpu, st) -> {
            Folio f = (Folio) st[0];
            if (cpu == 0) {
                while (!f.testLru()) {
                    Thread.onSpinWait();
                }
            } else {
                f.setLru();
            }
        });
        Result r = Explorer.explore(s, s.variants().get(0), new Options(Options.DFS, 0, 100, 1, null, true, 200));
        assertTrue(r.violated());
        assertTrue(r.message().startsWith("no progress"), r.message());
    }

    @Test
    void aDaemonLeftWaitingEndsTheScheduleButABlockedTaskIsADeadlock() {
        // Body 1 waits on a completion nobody completes. As a daemon that is the end of the schedule; as
        // a task it is a deadlock.
        for (boolean daemon : new boolean[] {true, false}) {
            Scenario<Variant.Library> s = new Scenario<>() {
                @Override
                public String name() {
                    return "waiter";
                }

                @Override
                public String summary() {
                    return "waiter";
                }

                @Override
                public List<Variant<Variant.Library>> variants() {
                    return List.of(Variant.library("x", Variant.Expect.CLEAN));
                }

                @Override
                public World build(Variant<Variant.Library> v) {
                    Machine m = Machine.bootGcManaged(1, 512, 0);
                    io.github.foliolab.folio.sync.Completion c = new io.github.foliolab.folio.sync.Completion("never");
                    return new World(m) {
                        @Override
                        public int nrCpus() {
                            return 2;
                        }

                        @Override
                        protected int machineCpu(int body) {
                            return 0;
                        }

                        @Override
                        protected boolean daemon(int body) {
                            return daemon && body == 1;
                        }

                        @Override
                        protected void run(int body) {
                            if (body == 1) c.waitForCompletion();
                        }
                    };
                }
            };
            Result r = Explorer.explore(s, s.variants().get(0), Options.dfs(2));
            if (daemon) {
                assertEquals(Result.Verdict.NO_VIOLATION, r.verdict(), String.valueOf(r.message()));
            } else {
                assertTrue(r.violated());
                assertTrue(r.message().contains("CPU B waits for never (nobody will release it)"), r.message());
            }
        }
    }

    @Test
    void unmanagedThreadsPassThroughTheHook() throws Exception {
        try (Engine _ = new Engine()) {
            assertNotNull(SchedPoints.installed());
            Machine m = Machine.bootGcManaged(1, 512, 0);
            Folio f = m.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
            Thread t = Thread.ofPlatform().start(() -> {
                f.get();
                f.setLru();
                SchedPoints.before(FolioOp.GET, f.pfn(), 1);
                SchedPoints.contended(FolioOp.GET, 1);
            });
            t.join(5_000);
            assertFalse(t.isAlive());
            assertEquals(2, f.refCount());
        }
    }

    @Test
    void unlinkRemovesTheHookAndTheNextExplorationInstallsItAgain() {
        Explorer.explore(new LockOrder(), LockOrder.ORDERED, Options.dfs(0));
        assertNotNull(SchedPoints.installed());
        Explorer.unlink();
        assertNull(SchedPoints.installed());
        assertTrue(Explorer.explore(new LockOrder(), LockOrder.ABBA, Options.dfs(2)).violated());
    }

    @Test
    void invariantsAreCheckedAfterEveryStep() {
        // CPU A makes the folio active and unevictable for one step, then repairs it.
        Scenario<Variant.Library> s = twoCpus("transient", (cpu, st) -> {
            Folio f = (Folio) st[0];
            if (cpu == 0) {
                f.setActive();
                f.setUnevictable();
                f.clearActive();
            }
        });
        Result r = Explorer.explore(s, s.variants().get(0), Options.dfs(0));
        assertTrue(r.violated());
        assertTrue(r.message().startsWith("invariant active-xor-unevictable broken after step"), r.message());
        Result off = Explorer.explore(s, s.variants().get(0), Options.dfs(0).withInvariants(false));
        assertFalse(off.violated());
    }
}
