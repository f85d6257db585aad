package io.github.foliolab.folio;

import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.folio.api.ZoneType;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.cpu.Cpu;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Per-CPU vmstat deltas: thresholds, folding, exact reads, per-CPU events. */
class VmStatTest {
    private static final NodeStatItem ITEM = NodeStatItem.NR_ISOLATED_ANON;

    @Test
    void thresholdsFollowCalculateNormalThreshold() {
        // 2 * fls(cpus) * (1 + fls(managed >> 15)), at most 125 (mm/vmstat.c).
        assertEquals(4, VmStatPerCpu.calculateNormalThreshold(2, 512)); // 2 CPUs, < 128 MiB
        assertEquals(16, VmStatPerCpu.calculateNormalThreshold(2, 240_000)); // 2 CPUs, ~0.9 GiB
        assertEquals(18, VmStatPerCpu.calculateNormalThreshold(4, 100_000)); // 4 CPUs, 3 x 128 MiB
        assertEquals(125, VmStatPerCpu.calculateNormalThreshold(1024, 3_000_000)); // capped
        Machine m = Machine.boot(2, 1024, 0);
        assertEquals(4, m.vmstat().statThreshold(ZoneType.ZONE_NORMAL));
        assertEquals(0, m.vmstat().statThreshold(ZoneType.ZONE_MOVABLE), "an empty zone has threshold 0");
        assertEquals(4, m.vmstat().nodeStatThreshold(), "the largest populated zone's");
        m.close();
    }

    @Test
    void aCpuDeltaFoldsOnlyPastTheThresholdAndReadsAreExact() {
        Machine m = Machine.boot(2, 1024, 0);
        VmStat vs = m.vmstat();
        long before = vs.node(ITEM);
        long folded = vs.nodeFolded(ITEM);
        m.cpu(0).run(() -> {
            for (int i = 1; i <= 4; i++) {
                vs.modNode(ITEM, 1);
                assertEquals(before + i, vs.node(ITEM), "reads add the CPU deltas");
                assertEquals(folded, vs.nodeFolded(ITEM), "within the threshold (4) nothing is folded");
            }
            vs.modNode(ITEM, 1); // 5 > 4: the whole delta goes to the node's counter
            assertEquals(folded + 5, vs.nodeFolded(ITEM));
            assertEquals(before + 5, vs.node(ITEM));
        });
        m.cpu(1).run(() -> vs.modNode(ITEM, -3)); // another CPU's own delta: -3, not folded
        assertEquals(folded + 5, vs.nodeFolded(ITEM));
        assertEquals(before + 2, vs.node(ITEM));
        assertTrue(vs.procVmstat().contains(ITEM.procName() + " " + (before + 2)));
        m.close();
    }

    @Test
    void aCpuOfAnotherMachineUpdatesTheSharedCounterDirectly() {
        Machine m = Machine.boot(2, 1024, 0);
        Machine other = Machine.boot(2, 1024, 0);
        VmStat vs = m.vmstat();
        long folded = vs.nodeFolded(ITEM);
        other.cpu(0).run(() -> {
            assertEquals(-1, vs.localCpu());
            vs.modNode(ITEM, 1);
        });
        assertEquals(folded + 1, vs.nodeFolded(ITEM), "no delta of m's CPUs was used");
        m.close();
        other.close();
    }

    @Test
    void theLockedVariantFoldsTheSameWay() {
        Machine m = Machine.boot(2, 1024, 0);
        VmStat vs = m.vmstat();
        ZoneStatItem z = ZoneStatItem.NR_ZONE_ACTIVE_FILE;
        long before = vs.zone(ZoneType.ZONE_NORMAL, z);
        vs.modZoneLocked(1, ZoneType.ZONE_NORMAL, z, 4);
        assertEquals(before, vs.zoneFolded(ZoneType.ZONE_NORMAL, z));
        assertEquals(before + 4, vs.zoneSum(z));
        vs.modZoneLocked(1, ZoneType.ZONE_NORMAL, z, -9); // delta -5: folded
        assertEquals(before - 5, vs.zoneFolded(ZoneType.ZONE_NORMAL, z));
        assertEquals(before - 5, vs.zone(ZoneType.ZONE_NORMAL, z));
        vs.modNodeLocked(-1, NodeStatItem.NR_ACTIVE_FILE, 2); // no CPU: straight to the node's counter
        assertEquals(2, vs.nodeFolded(NodeStatItem.NR_ACTIVE_FILE));
        m.close();
    }

    @Test
    void eventsArePerCpuAndSummed() {
        Machine m = Machine.boot(3, 1024, 0);
        VmStat vs = m.vmstat();
        long before = vs.event(VmEventItem.PGACTIVATE);
        m.cpu(0).run(() -> vs.countEvents(VmEventItem.PGACTIVATE, 7));
        m.cpu(2).run(() -> vs.countEvent(VmEventItem.PGACTIVATE));
        vs.countEvents(VmEventItem.PGACTIVATE, 2); // on no CPU
        assertEquals(before + 10, vs.event(VmEventItem.PGACTIVATE));
        assertEquals(before + 10, vs.byName(VmEventItem.PGACTIVATE.procName()));
        m.close();
    }

    @Test
    void eventsCountedBeforeTheCpusComeOnlineAreKept() {
        Node node = Node.boot(1024, 0);
        Machine other = Machine.boot(2, 1024, 0); // only for a set of CPUs
        node.vmstat().countEvents(VmEventItem.PGROTATED, 3);
        node.vmstat().attachCpus(other.cpus(), node);
        assertEquals(3, node.vmstat().event(VmEventItem.PGROTATED));
        other.cpu(1).run(() -> node.vmstat().countEvent(VmEventItem.PGROTATED));
        assertEquals(4, node.vmstat().event(VmEventItem.PGROTATED));
        assertThrows(IllegalStateException.class, () -> node.vmstat().attachCpus(other.cpus(), node));
        node.memMap().close();
        other.close();
    }

    @Test
    void onlyTheFoldIsASchedulePoint() {
        Machine m = Machine.boot(2, 1024, 0);
        VmStat vs = m.vmstat();
        List<String> points = new ArrayList<>();
        SchedPointsTest.Recorder r = new SchedPointsTest.Recorder();
        SchedPoints.install(r);
        try {
            m.cpu(0).run(() -> {
                for (int i = 0; i < 5; i++) {
                    vs.modNode(ITEM, 1);
                }
                vs.countEvent(VmEventItem.PGACTIVATE);
            });
            points.addAll(r.events);
        } finally {
            SchedPoints.uninstall(r);
        }
        assertEquals(List.of("node_page_state_add(nr_isolated_anon)(5)"), points);
        m.close();
    }

    @Test
    void concurrentUpdatesFromTwoThreadsOnOneCpuAndAnotherCpuLoseNothing() throws Exception {
        Machine m = Machine.boot(2, 1024, 0);
        VmStat vs = m.vmstat();
        int n = 20_000;
        Cpu[] on = {m.cpu(0), m.cpu(0), m.cpu(1)}; // a task and a kworker share CPU 0
        Thread[] ts = new Thread[on.length];
        for (int t = 0; t < ts.length; t++) {
            Cpu c = on[t];
            long sign = t == 1 ? -1 : 1;
            ts[t] = Thread.ofPlatform().start(() -> c.run(() -> {
                for (int i = 0; i < n; i++) {
                    vs.modZone(ZoneType.ZONE_NORMAL, ZoneStatItem.NR_MLOCK, sign * (1 + (i % 3)));
                    vs.countEvent(VmEventItem.PGLAZYFREE);
                }
            }));
        }
        for (Thread t : ts) {
            assertTrue(t.join(java.time.Duration.ofSeconds(60)), "updater did not finish");
        }
        long one = 0;
        for (int i = 0; i < n; i++) one += 1 + (i % 3);
        assertEquals(one, vs.zoneSum(ZoneStatItem.NR_MLOCK), "+one -one +one");
        assertEquals(3L * n, vs.event(VmEventItem.PGLAZYFREE));
        m.close();
    }

    @Test
    void aFoldIsNamedByItsCounterAndZone() {
        int items = ZoneStatItem.values().length;
        assertEquals("zone_page_state_add(nr_mlock)", VmStatOp.ZONE_PAGE_STATE_ADD.callName(ZoneStatItem.NR_MLOCK.ordinal()));
        assertEquals("zone_page_state_add(nr_mlock, Movable)",
                VmStatOp.ZONE_PAGE_STATE_ADD.callName(ZoneType.ZONE_MOVABLE.ordinal() * items + ZoneStatItem.NR_MLOCK.ordinal()));
        assertEquals("node_page_state_add(" + NodeStatItem.NR_SHMEM.procName() + ")",
                VmStatOp.NODE_PAGE_STATE_ADD.callName(NodeStatItem.NR_SHMEM.ordinal()));
    }
}
