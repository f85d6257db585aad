package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.folio.sync.SpinLock;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.mm.Task;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.*;

/** Two machines in one JVM never see each other's state, and one machine's CPU is refused by the other. */
class TwoMachinesTest {
    @Test
    void workOnOneMachineLeavesTheOtherUntouched() {
        try (Machine a = Machine.builder().cpus(2).zones(1024, 0).build();
                Machine b = Machine.builder().cpus(2).zones(1024, 0).build()) {
            long freeB = b.node().freePages();
            String vmstatB = String.join("\n", b.vmstat().procVmstat());
            Task ta = new Task(a, a.cpu(0));
            long addr = ta.mmap(0, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
            for (int i = 0; i < 8; i++) assertEquals(0, ta.touch(addr + i * PAGE_SIZE, true));
            assertEquals(0, ta.mlock(addr, 8 * PAGE_SIZE));
            a.cpu(0).run(() -> Swap.of(a).lruAddDrain());
            assertEquals(8, a.vmstat().zoneSum(ZoneStatItem.NR_MLOCK));
            assertEquals(8, a.vmstat().node(NodeStatItem.NR_UNEVICTABLE));
            assertEquals(freeB, b.node().freePages());
            assertEquals(vmstatB, String.join("\n", b.vmstat().procVmstat()));
            assertEquals(0, Swap.of(b).batchCount(0, io.github.foliolab.lru.BatchKind.LRU_ADD));
        }
    }

    @Test
    void oneMachinesCpuIsRefusedByAnother() {
        try (Machine a = Machine.builder().cpus(4).zones(1024, 0).build();
                Machine b = Machine.builder().cpus(4).zones(1024, 0).build()) {
            Swap swapB = Swap.of(b);
            String before = String.join("\n", b.vmstat().procVmstat());
            for (int cpu : new int[] {2, 3}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> a.cpu(cpu).run(swapB::lruAddDrain));
                assertTrue(e.getMessage().contains("CPU" + cpu + " belongs to another machine"), e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> new Task(b, a.cpu(0)));
            assertEquals(before, String.join("\n", b.vmstat().procVmstat()), "nothing changed on b");
        }
    }

    @Test
    void objectNamesBelongToTheirMachine() {
        try (Machine a = Machine.builder().zones(1024, 0).build();
                Machine b = Machine.builder().zones(1024, 0).build()) {
            long idA = a.cpu(0).call(() -> new SpinLock("only-on-a").id());
            assertEquals("only-on-a", a.objectIds().name(idA));
            assertNotEquals("only-on-a", b.objectIds().name(idA));
            int keptA = a.objectIds().namesKept();
            Task t = new Task(b, b.cpu(0));
            for (int i = 0; i < 200; i++) {
                long addr = t.mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
                assertEquals(0, t.touch(addr, true));
                assertEquals(0, t.munmap(addr, PAGE_SIZE));
            }
            assertEquals(keptA, a.objectIds().namesKept(), "b's objects are named on b only");
        }
    }
}
