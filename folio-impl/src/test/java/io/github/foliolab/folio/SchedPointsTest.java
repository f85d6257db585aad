package io.github.foliolab.folio;

import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.sched.SchedHook;
import io.github.foliolab.folio.api.sched.SchedOp;
import io.github.foliolab.folio.api.sched.ObjectIds;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.sync.SpinLock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class SchedPointsTest {
    static final class Recorder implements SchedHook {
        final List<String> events = new ArrayList<>();

        @Override
        public void before(SchedOp op, long id, long arg) {
            events.add(op.callName(arg) + "(" + id + ")");
        }

        @Override
        public void after(SchedOp op, long id, long result) {
            events.add(" = " + result);
        }

        @Override
        public void contended(SchedOp op, long waitId) {
            events.add("contended " + SchedPoints.objectName(waitId));
        }

        @Override
        public void released(SchedOp op, long waitId) {
            events.add("released " + SchedPoints.objectName(waitId));
        }
    }

    @Test
    void everyPrimitiveCallsItsPointAndUninstallSilencesThem() {
        Node node = Node.boot(1024, 0);
        Folio f = node.folioAlloc(Gfp.GFP_KERNEL, 0);
        SpinLock lock = new SpinLock("lru_lock");
        Recorder r = new Recorder();
        SchedPoints.install(r);
        try {
            f.setLru();
            assertTrue(f.testClearLru());
            f.get();
            f.put();
            lock.lock();
            lock.unlock();
        } finally {
            SchedPoints.uninstall(r);
        }
        long p = f.pfn();
        assertEquals(List.of(
                "folio_set_lru(" + p + ")",
                "folio_test_clear_lru(" + p + ")", " = 1",
                "folio_get(" + p + ")",
                "folio_put(" + p + ")", " = 0",
                "spin_lock(" + lock.id() + ")",
                "spin_unlock(" + lock.id() + ")", "released lru_lock"), r.events);
        int n = r.events.size();
        f.set(PageFlags.PG_referenced);
        lock.lock();
        lock.unlock();
        assertEquals(n, r.events.size(), "no hook, no calls");
        assertNull(SchedPoints.installed());
    }

    @Test
    void oneHookAtATime() {
        Recorder a = new Recorder();
        SchedPoints.install(a);
        try {
            assertThrows(IllegalStateException.class, () -> SchedPoints.install(new Recorder()));
        } finally {
            SchedPoints.uninstall(a);
        }
    }

    @Test
    void objectIdsRestartAfterReset() {
        ObjectIds ids = new ObjectIds(true);
        long[] got = ScopedValue.where(ObjectIds.forNewMachines(), ids).call(() -> {
            long a = new SpinLock("a").id();
            ids.reset();
            long b = new SpinLock("b").id();
            return new long[] {a, b, SchedPoints.objectName(b).equals("b") ? 1 : 0};
        });
        assertEquals(got[0], got[1]);
        assertEquals(1, got[2], "the bound registry names b");
        assertEquals("b", ids.name(got[1]));
    }

    @Test
    void eachMachineNumbersAndNamesItsOwnObjects() {
        try (Machine a = Machine.boot(1, 512, 0); Machine b = Machine.boot(1, 512, 0)) {
            long la = a.cpu(0).call(() -> new SpinLock("x").id());
            long lb = b.cpu(0).call(() -> new SpinLock("y").id());
            assertEquals(la, lb, "both machines number from the same base");
            assertEquals("x", a.objectIds().name(la));
            assertEquals("y", b.objectIds().name(lb));
            assertEquals("x", a.cpu(0).call(() -> SchedPoints.objectName(la)), "names resolve on the machine's CPU");
        }
    }
}
