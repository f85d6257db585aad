package io.github.foliolab.explore;

import io.github.foliolab.explore.scenarios.LruWorld;
import io.github.foliolab.explore.scenarios.MlockWorld;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.Node;
import io.github.foliolab.folio.Zone;
import io.github.foliolab.folio.api.PageLayout;
import io.github.foliolab.folio.api.ZoneType;
import io.github.foliolab.folio.api.sched.ObjectIds;
import io.github.foliolab.lru.BatchKind;
import io.github.foliolab.lru.LruList;
import io.github.foliolab.mlock.Mlock;
import io.github.foliolab.mlock.MlockBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Cheap restarts: every registered scenario's world can be restored, a restored world is indistinguishable
 * from a freshly built one (byte-identical memmap, the same lists, batches, counters, locks and object
 * names), and explorations give the same verdicts, schedule counts, traces and end-state sets with
 * restarts on and off.
 */
class RestartTest {
    /** DporTest covers bound 3 (with restarts); bound 2 keeps this comparison with fresh worlds short. */
    static final int BOUND = 2;
    /**
     * Library scenarios whose worlds hold tasks (address spaces, VMAs, page tables: state outside the
     * machine's modules that no checkpoint covers yet): built fresh for every schedule. thp-split-mlock
     * also changes the mm module's large-folio state (the deferred split queue, the mTHP statistics), which
     * the mm module's checkpoint does not cover yet.
     */
    static final java.util.Set<String> HOLD_TASKS = java.util.Set.of("mlock-overcount", "fork-isolate", "thp-split-mlock");

    @AfterEach
    void noThreadLeft() {
        assertEquals(0, Engine.LIVE_WORKERS.get(), "worker threads outlived their explorer");
    }

    private static List<DynamicTest> perVariant(String what, VariantTest test) {
        List<DynamicTest> tests = new ArrayList<>();
        for (Scenario<?> s : Races.all()) {
            for (int i = 0; i < s.variants().size(); i++) {
                int index = i;
                tests.add(DynamicTest.dynamicTest(what + ": " + s.name() + " [" + s.variants().get(i).name() + "]",
                        () -> test.run(s, index)));
            }
        }
        return tests;
    }

    private interface VariantTest {
        void run(Scenario<?> s, int index) throws Exception;
    }

    @TestFactory
    Stream<DynamicTest> aRestoredWorldEqualsAFreshOne() {
        return perVariant("restored = fresh", RestartTest::restoredEqualsFresh).stream();
    }

    @TestFactory
    Stream<DynamicTest> resultsAreTheSameWithRestartsOnAndOff() {
        return perVariant("restarts on = off", RestartTest::sameResults).stream();
    }

    /**
     * Run 40 random schedules (violations, deadlocks and aborted CPUs included: they leave locks held and
     * batches half full) on one world, restoring it before each; then restore it once more and compare it
     * with a world built fresh.
     */
    private static <B> void restoredEqualsFresh(Scenario<B> s, int index) {
        Variant<B> v = s.variants().get(index);
        ObjectIds ids = new ObjectIds(true);
        World reused = ScopedValue.where(ObjectIds.forNewMachines(), ids).call(() -> s.build(v));
        World fresh = ScopedValue.where(ObjectIds.forNewMachines(), new ObjectIds(true)).call(() -> s.build(v));
        try {
            Runnable restore = reused.checkpoint();
            if (!s.getClass().getPackageName().equals(LruWorld.class.getPackageName()) || HOLD_TASKS.contains(s.name())) {
                // A user's scenario (the test's ticket-locks), or one holding tasks, that does not implement
                // World.saveState: built fresh for every schedule (resultsAreTheSameWithRestartsOnAndOff checks
                // that this works).
                assertNull(restore, s.name());
                return;
            }
            assertNotNull(restore, s.name() + ": the library's scenarios can all be restored (modules without a "
                    + "checkpoint: " + reused.machine().modulesWithoutCheckpoint() + ")");
            String afterSetup = dump(reused);
            assertEquals(dump(fresh), afterSetup, "two fresh builds differ: the dump is not deterministic");
            int changed = 0;
            try (Engine engine = new Engine()) {
                for (int seed = 0; seed < 40; seed++) {
                    restore.run();
                    engine.runSchedule(reused, new RandomWalk(seed), true, 10_000);
                    if (!dump(reused).equals(afterSetup)) changed++;
                }
            }
            // lock-order's state is its world's own two locks, which the dump does not see (a deadlock that
            // left them held and was not restored would change the next schedules' verdicts: the other test).
            assertTrue(changed > 0 || !(reused instanceof LruWorld) && s.name().equals("lock-order"),
                    "the schedules changed nothing: the comparison below would prove nothing");
            restore.run();
            assertEquals(afterSetup, dump(reused));
        } finally {
            reused.close();
            fresh.close();
        }
    }

    /** Verdicts, first-violation schedules and tables, schedule counts and end-state sets, both strategies. */
    private static <B> void sameResults(Scenario<B> s, int index) {
        Variant<B> v = s.variants().get(index);
        for (Options o : List.of(Options.dfs(BOUND), Options.dpor(BOUND))) {
            Result on = Explorer.explore(s, v, o);
            Result off = Explorer.explore(s, v, o.withRestarts(false));
            assertEquals(off.verdictLine(), on.verdictLine());
            assertEquals(off.schedule(), on.schedule());
            assertEquals(off.trace() == null ? null : TraceTable.render(off.trace()),
                    on.trace() == null ? null : TraceTable.render(on.trace()));
            Explorer.Outcomes all = Explorer.outcomes(s, v, o);
            Explorer.Outcomes fresh = Explorer.outcomes(s, v, o.withRestarts(false));
            assertEquals(fresh, all, o.strategy() + ": with restarts (right) vs fresh worlds (left)");
        }
    }

    @Test
    void replayWithAndWithoutRestarts() {
        var s = new io.github.foliolab.explore.scenarios.MunlockPutback();
        Options replay = Options.replay("B14A");
        Result on = Explorer.explore(s, s.variants().get(0), replay);
        Result off = Explorer.explore(s, s.variants().get(0), replay.withRestarts(false));
        assertEquals(Result.Verdict.VIOLATION, on.verdict());
        assertEquals(TraceTable.render(off.trace()), TraceTable.render(on.trace()));
    }

    @Test
    void aMachineWithAModuleThatDeclaresNoStateCannotBeCheckpointed() {
        io.github.foliolab.folio.spi.MachineModule silent = new io.github.foliolab.folio.spi.MachineModule() {
            @Override
            public String name() {
                return "silent";
            }

            @Override
            public void attach(Machine.Assembly a) {}
        };
        try (Machine m = Machine.builder().cpus(1).zones(512, 0).gcManaged(true).withModule(silent).build()) {
            assertEquals(List.of("silent"), m.modulesWithoutCheckpoint());
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, m::checkpoint);
            assertTrue(e.getMessage().contains("silent"), e.getMessage());
        }
    }

    /** Everything a schedule can change, as text. */
    static String dump(World w) {
        Machine m = w.machine();
        StringBuilder sb = new StringBuilder();
        byte[] memmap = m.memMap().segment().toArray(ValueLayout.JAVA_BYTE);
        sb.append("memmap ").append(memmap.length).append(" bytes, hash ").append(Arrays.hashCode(memmap)).append('\n');
        sb.append(w.endState());
        m.vmstat().procVmstat().forEach(l -> sb.append(l).append('\n'));
        for (Node n : m.nodes()) {
            for (ZoneType t : ZoneType.values()) {
                Zone z = n.zone(t);
                sb.append(t).append(" lock ").append(z.lock().isLocked()).append(" free");
                for (int o = 0; o <= PageLayout.MAX_PAGE_ORDER; o++) sb.append(' ').append(z.nrFree(o));
                sb.append('\n');
            }
        }
        ObjectIds ids = m.objectIds();
        sb.append("ids ").append(ids.namesKept()).append(' ').append(ids.name(ids.newId("probe"))).append('\n');
        if (w instanceof LruWorld lw) {
            sb.append("lru_lock ").append(lw.lruvec().lruLock().isLocked()).append('\n');
            for (LruList l : LruList.values()) {
                sb.append(l).append(' ').append(lw.lruvec().size(l)).append(' ')
                        .append(Arrays.toString(lw.lruvec().listPfnsLocked(l))).append('\n');
            }
            for (int cpu = 0; cpu < m.cpus().nr(); cpu++) {
                sb.append("cpu").append(cpu).append(" fbatches lock ").append(lw.swap().cpuFbatchesLock(cpu).isLocked());
                for (BatchKind k : BatchKind.values()) sb.append(' ').append(lw.swap().batchCount(cpu, k));
                sb.append('\n');
            }
        }
        if (w instanceof MlockWorld) {
            Mlock mlock = Mlock.of(m);
            for (int cpu = 0; cpu < m.cpus().nr(); cpu++) {
                MlockBatch b = mlock.batch(cpu);
                sb.append("cpu").append(cpu).append(" mlock batch lock ").append(b.lock().isLocked());
                for (int i = 0; i < b.count(); i++) sb.append(' ').append(b.pfn(i)).append('/').append(b.tag(i));
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
