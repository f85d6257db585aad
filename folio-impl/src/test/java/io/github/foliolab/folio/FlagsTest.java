package io.github.foliolab.folio;

import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmBugException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CyclicBarrier;

import static io.github.foliolab.folio.api.PageFlags.*;
import static org.junit.jupiter.api.Assertions.*;

class FlagsTest {
    private final Node node = Node.boot(2048, 0);
    private final Folio f = node.folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);

    @Test
    void bitNumbersAreLinux72() {
        assertEquals(0, PG_locked);
        assertEquals(5, PG_lru);
        assertEquals(6, PG_head);
        assertEquals(7, PG_waiters);
        assertEquals(8, PG_active);
        assertEquals(17, PG_swapbacked);
        assertEquals(18, PG_unevictable);
        assertEquals(19, PG_dropbehind);
        assertEquals(20, PG_mlocked);
        assertEquals(PG_reclaim, PG_readahead);
        assertEquals(PG_owner_priv_1, PG_swapcache);
        assertEquals(PG_owner_2, PG_anon_exclusive);
    }

    @Test
    void setClearTestAndReturnOldValues() {
        assertFalse(f.testLru());
        f.setLru();
        assertTrue(f.testLru());
        assertTrue(f.testClearLru(), "test_and_clear returns the old bit");
        assertFalse(f.testClearLru());
        assertFalse(f.testSetMlocked());
        assertTrue(f.testSetMlocked());
        assertTrue(f.testMlocked());
        f.clear(PG_mlocked);
        assertFalse(f.testMlocked());
        f.nonAtomicSet(PG_swapbacked);
        assertTrue(f.testSwapbacked());
        f.nonAtomicClear(PG_swapbacked);
        assertTrue(f.isFileLru());
    }

    @Test
    void flagsDoNotDisturbTheZoneBits() {
        Zone before = f.zone();
        for (int bit = 0; bit < PageFlags.NR_PAGEFLAGS; bit++) {
            f.set(bit);
            f.clear(bit);
        }
        assertSame(before, f.zone());
    }

    @Test
    void lockIsExclusiveAndUnlockOfUnlockedIsABug() {
        assertTrue(f.trylock());
        assertFalse(f.trylock());
        assertTrue(f.testLocked());
        f.unlock();
        assertFalse(f.testLocked());
        Snapshot s = Snapshot.of(node);
        VmBugException e = assertThrows(VmBugException.class, f::unlock);
        assertTrue(e.getMessage().contains("pfn:0x" + Long.toHexString(f.pfn())), e.getMessage());
        assertTrue(s.sameAs(Snapshot.of(node)));
    }

    @Test
    void dumpNamesFlags() {
        f.setLru();
        f.setActive();
        String d = f.dump();
        assertTrue(d.contains("flags: 0x"), d);
        assertTrue(d.contains("lru|active"), d);
        assertTrue(d.contains("refcount:1"), d);
        f.clearLru();
        f.clearActive();
    }

    /** Two real threads setting and clearing different bits of one word 10^6 times lose no update. */
    @Test
    void concurrentSetClearOfDifferentBitsLosesNothing() throws Exception {
        int iterations = 1_000_000;
        CyclicBarrier start = new CyclicBarrier(2);
        Thread a = new Thread(() -> hammer(start, PG_referenced, iterations));
        Thread b = new Thread(() -> hammer(start, PG_workingset, iterations));
        long base = f.flags();
        a.start();
        b.start();
        a.join(60_000);
        b.join(60_000);
        assertFalse(a.isAlive() || b.isAlive(), "a hammer thread did not finish in 60 s");
        // Each thread ends with its bit set after an odd final set; both bits must be there.
        assertEquals(base | 1L << PG_referenced | 1L << PG_workingset, f.flags());
    }

    private void hammer(CyclicBarrier start, int bit, int n) {
        try {
            start.await();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
        for (int i = 0; i < n; i++) {
            f.set(bit);
            if (!f.test(bit)) throw new AssertionError("lost set of bit " + bit + " at " + i);
            f.clear(bit);
            if (f.test(bit)) throw new AssertionError("lost clear of bit " + bit + " at " + i);
        }
        f.set(bit);
    }
}
