package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MthpStats;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Thp;
import io.github.foliolab.mm.ThpSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mlock of faulted mTHP folios as 7.2 does it: mlock_pte_range mlocks a large folio only when the range
 * and the PTE run cover it whole; a partial unmap in a VM_LOCKED VMA munlocks the whole folio
 * (munlock_vma_folio) and queues it for deferred split; a fault into a VM_LOCKED VMA makes a large folio
 * that mlock_new_folio puts on the unevictable list at once (large folios skip the mlock batch).
 */
class ThpMlockTest {
    static final long P = PAGE_SIZE;
    static final long HINT = 0x2_0000_0000L;
    final MlockFixture fx = new MlockFixture();
    final Thp thp = Mm.of(fx.machine).thp();

    @AfterEach
    void invariants() {
        fx.drain();
        fx.checkInvariants();
    }

    private long aligned(long pages) {
        long a = fx.task.mmap(HINT, pages * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        assertEquals(HINT, a);
        thp.settings().setEnabled(4, ThpSettings.Mode.ALWAYS);
        return a;
    }

    private Folio head(long addr) {
        return fx.machine.memMap().pageFolio(Pte.pfn(fx.mm.pageTables().peek(addr)));
    }

    private long vmstat(String name) {
        return fx.machine.vmstatSum(name);
    }

    @Test
    void mlockOfTheWholeFolioMlocksItAtOnce() {
        long a = aligned(16);
        assertEquals(0, fx.task.touch(a, true));
        assertEquals(0, fx.task.mlock(a, 16 * P));
        Folio f = head(a);
        assertTrue(f.testMlocked());
        assertTrue(f.testUnevictable());
        assertTrue(f.testLru());
        assertEquals(1, f.mlockCount());
        assertEquals(16, f.refCount(), "no reference left in the mlock batch: large folios are not cached");
        assertEquals(16, vmstat("nr_mlock"));
        assertEquals(16, vmstat("unevictable_pgs_mlocked"));
    }

    @Test
    void mlockOfPartOfTheFolioLeavesItEvictable() {
        long a = aligned(16);
        assertEquals(0, fx.task.touch(a, true));
        assertEquals(0, fx.task.mlock(a, 8 * P));
        assertEquals(0, fx.task.mlock(a + 8 * P, 8 * P)); // two VMAs, each maps half
        Folio f = head(a);
        assertFalse(f.testMlocked());
        assertFalse(f.testUnevictable());
        assertEquals(0, vmstat("nr_mlock"));
        assertEquals(64, fx.task.vmLckKb(), "VmLck counts the locked VMAs");
    }

    @Test
    void partialUnmapOfAnMlockedFolioMunlocksItAndQueuesIt() {
        long a = aligned(16);
        assertEquals(0, fx.task.touch(a, true));
        assertEquals(0, fx.task.mlock(a, 16 * P));
        Folio f = head(a);
        assertEquals(0, fx.task.munmap(a + 4 * P, P));
        assertFalse(f.testMlocked(), "munlock_vma_folio munlocks the whole folio");
        assertFalse(f.testUnevictable());
        assertTrue(f.testLru());
        assertEquals(0, vmstat("nr_mlock"));
        assertEquals(16, vmstat("unevictable_pgs_munlocked"));
        assertTrue(thp.deferredSplit().partiallyMapped(f));
        assertEquals(1, thp.stats().get(4, MthpStats.Item.SPLIT_DEFERRED));
        assertEquals(0, fx.task.mlock(a, 4 * P));
        assertFalse(f.testMlocked(), "a folio no longer mapped whole is never mlocked again");
    }

    @Test
    void faultIntoALockedVmaMlocksTheNewLargeFolio() {
        long a = aligned(16);
        assertEquals(0, fx.task.mlock2(a, 16 * P, MLOCK_ONFAULT));
        assertEquals(0, fx.task.touch(a + 2 * P, true));
        Folio f = head(a);
        assertEquals(4, f.order());
        assertTrue(f.testMlocked());
        assertTrue(f.testUnevictable(), "mlock_new_folio of a large folio drains its batch at once");
        assertTrue(f.testLru());
        assertEquals(16, vmstat("nr_mlock"));
        assertEquals(16, vmstat("unevictable_pgs_culled"));
    }
}
