package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.Vma;
import org.junit.jupiter.api.AfterEach;
import io.github.foliolab.folio.api.VmFlags;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.IntSupplier;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The single-process mlock scenarios of the selftest catalog (B.1, B.2, B.6) on the simulator. */
class MlockSyscallTest {
    static final long P = PAGE_SIZE;
    final MlockFixture fx = new MlockFixture();

    @AfterEach
    void invariants() {
        fx.checkInvariants();
    }

    @Test
    void mlockPopulatesAndLocksThenMunlockReleases() { // mlock2-tests test_mlock_lock, mincore03, mlock05
        long a = fx.anon(2);
        assertEquals(". .", fx.tokens(a, 2));
        assertEquals(0, fx.task.mlock2(a, 2 * P, 0));
        assertEquals("2:l", fx.vmas(a, 2));
        assertEquals(8, fx.task.vmLckKb());
        // populate_vma_page_range drained the batches: the pages are culled to the unevictable list.
        assertEquals("MUL MUL", fx.tokens(a, 2));
        assertEquals(1, fx.folio(a).mlockCount());
        assertEquals(0, fx.task.munlock(a, 2 * P));
        assertEquals("2", fx.vmas(a, 2));
        assertEquals(0, fx.task.vmLckKb());
        assertEquals("L L", fx.tokens(a, 2));
    }

    @Test
    void lockOnFaultFaultsOnlyWhatIsTouched() { // test_mlock_onfault
        long a = fx.anon(2);
        assertEquals(0, fx.task.mlock2(a, 2 * P, MLOCK_ONFAULT));
        assertEquals(". .", fx.tokens(a, 2));
        assertEquals(0, fx.task.touch(a, true));
        assertEquals("M .", fx.tokens(a, 2), "mlock_new_folio: PG_mlocked at once, culled at the drain");
        assertEquals("2:lo", fx.vmas(a, 2));
        assertEquals(8, fx.task.vmLckKb(), "VmLck counts the whole range even on fault");
        fx.drain();
        assertEquals("MUL .", fx.tokens(a, 2));
        assertEquals(0, fx.task.munlock(a, 2 * P));
        assertEquals("2", fx.vmas(a, 2));
        assertEquals("L .", fx.tokens(a, 2));
    }

    @Test
    void lockOnFaultOfPresentPages() { // test_lock_onfault_of_present
        long a = fx.anon(2);
        assertEquals(0, fx.task.touch(a, true));
        assertEquals(0, fx.task.mlock2(a, 2 * P, MLOCK_ONFAULT));
        assertEquals("MUL .", fx.tokens(a, 2));
        assertEquals("2:lo", fx.vmas(a, 2));
    }

    @Test
    void vmaSplitAndMergeOnPartialMunlock() { // test_vma_management
        long a = fx.anon(3);
        assertEquals(0, fx.task.mlock2(a, 3 * P, MLOCK_ONFAULT));
        assertEquals("3:lo", fx.vmas(a, 3));
        assertEquals(0, fx.task.munlock(a + P, P));
        assertEquals("1:lo 1 1:lo", fx.vmas(a, 3));
        assertEquals(8, fx.task.vmLckKb());
        assertEquals(0, fx.task.munlock(a, 3 * P));
        assertEquals("3", fx.vmas(a, 3));
        assertEquals(0, fx.task.vmLckKb());
    }

    @Test
    void untouchedPiecesGetDifferentAnonVmasAndDoNotMergeThreeWays() {
        long a = fx.anon(6);
        assertEquals(0, fx.task.mlock(a, 2 * P));
        assertEquals(0, fx.task.mlock(a + 4 * P, 2 * P));
        // Each locked piece was populated alone and got its own anon_vma (its unlocked neighbour had
        // none to reuse), so locking the middle merges it with one neighbour only, as vma_merge does.
        assertEquals(0, fx.task.mlock(a + P, 4 * P));
        assertEquals("4:l 2:l", fx.vmas(a, 6));
    }

    @Test
    void mlockOfEndsAndAcrossTwoVmas() {
        long a = fx.anon(6);
        for (int i = 0; i < 6; i++) assertEquals(0, fx.task.touch(a + i * P, true));
        assertEquals(0, fx.task.mlock(a, 2 * P));
        assertEquals("2:l 4", fx.vmas(a, 6));
        assertEquals(0, fx.task.mlock(a + 4 * P, 2 * P));
        assertEquals("2:l 2 2:l", fx.vmas(a, 6));
        assertEquals(0, fx.task.mlock(a + P, 4 * P));
        assertEquals("6:l", fx.vmas(a, 6), "locking the middle merges all three");
        assertEquals(24, fx.task.vmLckKb());
        assertEquals("MUL MUL MUL MUL MUL MUL", fx.tokens(a, 6));
    }

    @Test
    void mlockallFutureLocksNewMappingsAndMunlockallUndoes() { // test_mlockall, munlockall01
        assertEquals(0, fx.task.mlockall(MCL_FUTURE));
        long a = fx.anon(3);
        assertEquals("3:l", fx.vmas(a, 3));
        assertEquals("MUL MUL MUL", fx.tokens(a, 3), "a VM_LOCKED mmap populates");
        assertEquals(12, fx.task.vmLckKb());
        assertEquals(0, fx.task.munlockall());
        assertEquals(0, fx.mm.defFlags());
        assertEquals("3", fx.vmas(a, 3));
        assertEquals(0, fx.task.vmLckKb());
        long b = fx.anon(1);
        assertEquals(".", fx.tokens(b, 1), "MCL_FUTURE is gone");
    }

    @Test
    void mlockallCurrentOnfaultThenCurrentFuture() { // test_munlockall1
        long a = fx.anon(2);
        assertEquals(0, fx.task.mlockall(MCL_CURRENT | MCL_ONFAULT));
        assertEquals(0, fx.task.touch(a, true));
        assertEquals("2:lo", fx.vmas(a, 2));
        assertFalse(fx.present(a + P));
        assertEquals(0, fx.task.munlockall());
        assertEquals("2", fx.vmas(a, 2));
        assertEquals(0, fx.task.mlockall(MCL_CURRENT | MCL_FUTURE));
        assertEquals("2:l", fx.vmas(a, 2));
        assertTrue(fx.present(a + P), "MCL_CURRENT populates");
        assertEquals(0, fx.task.munlockall());
    }

    @Test
    void mlockallCurrentPopulatesUntouchedPagesThenMunlockall() { // test_munlockall0
        long a = fx.anon(2);
        assertEquals(". .", fx.tokens(a, 2));
        assertEquals(0, fx.task.mlockall(MCL_CURRENT));
        assertEquals("2:l", fx.vmas(a, 2));
        assertEquals("MUL MUL", fx.tokens(a, 2), "mm_populate of the whole address space");
        assertEquals(0, fx.mm.defFlags() & VmFlags.VM_LOCKED_MASK, "no MCL_FUTURE");
        assertEquals(0, fx.task.munlockall());
        assertEquals("2", fx.vmas(a, 2));
        assertEquals("L L", fx.tokens(a, 2));
        assertEquals(0, fx.task.vmLckKb());
    }

    @Test
    void mlockallFutureOnfaultThenVmaManagement() { // test_mlockall: test_vma_management(call_mlock = false)
        assertEquals(0, fx.task.mlockall(MCL_CURRENT | MCL_ONFAULT | MCL_FUTURE));
        long a = fx.anon(3);
        assertEquals("3:lo", fx.vmas(a, 3), "def_flags gives the new mapping VM_LOCKED|VM_LOCKONFAULT");
        assertEquals(". . .", fx.tokens(a, 3), "on fault: nothing populated");
        assertEquals(0, fx.task.munlock(a + P, P));
        assertEquals("1:lo 1 1:lo", fx.vmas(a, 3));
        assertEquals(0, fx.task.munlock(a, 3 * P));
        assertEquals("3", fx.vmas(a, 3), "neighbours with identical flags merge");
        assertEquals(0, fx.task.munlockall());
        assertEquals(0, fx.mm.defFlags() & VmFlags.VM_LOCKED_MASK);
    }

    @Test
    void onfaultToFullLockDoesNotDoubleCount() { // mlock203
        long a = fx.anon(1);
        assertEquals(0, fx.task.mlock2(a, P, MLOCK_ONFAULT));
        assertEquals(4, fx.task.vmLckKb());
        assertEquals(0, fx.task.mlock2(a, P, 0));
        assertEquals(4, fx.task.vmLckKb());
        assertEquals("1:l", fx.vmas(a, 1));
    }

    @Test
    void mlockOfProtNoneFailsWithEnomemButLocks() {
        long a = fx.anon(2);
        assertEquals(0, fx.task.mprotect(a, 2 * P, PROT_NONE));
        // apply_vma_lock_flags succeeds, population fails with -EFAULT -> -ENOMEM; the VMA stays locked.
        assertEquals(-Errno.ENOMEM, fx.task.mlock(a, 2 * P));
        assertEquals("2:l", fx.vmas(a, 2));
        assertEquals(8, fx.task.vmLckKb());
    }

    private void rejected(int errno, IntSupplier call) {
        String before = fx.snapshot();
        assertEquals(-errno, call.getAsInt());
        assertEquals(before, fx.snapshot(), "a rejected call changed the process");
    }

    @Test
    void errnos() { // mlock02, mlock202, mlockall02/03, munlock02, E.5
        long a = fx.anon(8);
        assertEquals(0, fx.task.touch(a, true));
        rejected(Errno.EINVAL, () -> fx.task.mlock2(a, P, -1));
        rejected(Errno.EINVAL, () -> fx.task.mlock2(a, P, 2));
        rejected(Errno.ENOMEM, () -> fx.task.mlock(a - 16 * P, P)); // unmapped
        rejected(Errno.EINVAL, () -> fx.task.mlockall(0));
        rejected(Errno.EINVAL, () -> fx.task.mlockall(MCL_ONFAULT));
        rejected(Errno.EINVAL, () -> fx.task.mlockall(8));
        rejected(Errno.ENOMEM, () -> fx.task.munlock(a - 16 * P, 2 * P));
        assertEquals(0, fx.task.munmap(a + 2 * P, 4 * P));
        rejected(Errno.ENOMEM, () -> fx.task.munlock(a + 3 * P, P)); // inside the hole
        rejected(Errno.ENOMEM, () -> fx.task.mlock(a + 3 * P, P));
        // Limits: RLIMIT_MEMLOCK of P-1 rounds to 0 pages; 0 means no mlock at all.
        fx.mm.setRlimitMemlock(P - 1);
        rejected(Errno.ENOMEM, () -> fx.task.mlock(a, P));
        rejected(Errno.ENOMEM, () -> fx.task.mlockall(MCL_CURRENT));
        fx.mm.setRlimitMemlock(0);
        rejected(Errno.EPERM, () -> fx.task.mlock(a, P));
        rejected(Errno.EPERM, () -> fx.task.mlock2(a, P, MLOCK_ONFAULT));
        rejected(Errno.EPERM, () -> fx.task.mlockall(MCL_FUTURE));
        rejected(Errno.EPERM, () -> (int) fx.task.mmap(0, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, null, 0));
        fx.mm.setCapIpcLock(true);
        assertEquals(0, fx.task.mlock(a, P), "CAP_IPC_LOCK ignores the limit");
        assertEquals(0, fx.task.munlockall());
    }

    @Test
    void munlockWithHoleAppliesUpToTheHole() { // munlock02
        long a = fx.anon(8);
        assertEquals(0, fx.task.mlock(a, 8 * P));
        assertEquals(0, fx.task.munmap(a + 2 * P, 4 * P));
        assertEquals(-Errno.ENOMEM, fx.task.munlock(a + 2 * P, 8 * P));
        assertEquals(16, fx.task.vmLckKb());
        assertEquals(-Errno.ENOMEM, fx.task.munlock(a, 8 * P), "the hole is found after the first VMA");
        assertEquals(8, fx.task.vmLckKb(), "the VMA before the hole was unlocked");
    }

    @Test
    void limitCreditsAlreadyLockedPages() { // mlock-intersect
        fx.mm.setRlimitMemlock(16 * P);
        long a = fx.anon(16);
        assertEquals(0, fx.task.mlock(a, 8 * P));
        for (int i = 0; i < 10; i++) assertEquals(0, fx.task.mlock(a, 10 * P));
        for (int i = 0; i < 10; i++) assertEquals(0, fx.task.mlock2(a, 10 * P, MLOCK_ONFAULT));
        assertEquals(40, fx.task.vmLckKb());
        String before = fx.snapshot();
        assertEquals(-Errno.ENOMEM, fx.task.mlock(a, 17 * P - 1 + P)); // 18 pages > 16
        assertEquals(before, fx.snapshot());
    }

    @Test
    void randomMlocksWithinTheLimitAllSucceed() { // mlock-random-test
        fx.mm.setRlimitMemlock(64 * P);
        long a = fx.anon(32);
        Random r = new Random(42);
        for (int i = 0; i < 100; i++) {
            long len = r.nextInt((int) (32 * P));
            long off = r.nextInt((int) (32 * P - len));
            int ret = r.nextBoolean() ? fx.task.mlock(a + off, len) : fx.task.mlock2(a + off, len, MLOCK_ONFAULT);
            assertEquals(0, ret);
            assertTrue(fx.task.vmLckKb() <= 32 * 4);
        }
        for (int i = 0; i < 20; i++) {
            String before = fx.snapshot();
            assertEquals(-Errno.ENOMEM, fx.task.mlock(a, 65 * P + r.nextInt(4096)));
            assertEquals(before, fx.snapshot());
        }
        assertEquals(0, fx.task.munlock(a, 32 * P));
        assertEquals(0, fx.task.vmLckKb());
    }

    @Test
    void mapLockedAccountsVmLck() { // mmap14, on-fault-limit
        long a = fx.task.mmap(0, 256 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, null, 0);
        assertTrue(a > 0);
        assertEquals(1024, fx.task.vmLckKb());
        fx.mm.setRlimitMemlock(4 * P);
        assertEquals(0, fx.task.mlockall(MCL_FUTURE | MCL_ONFAULT));
        assertEquals(-Errno.EAGAIN, fx.task.mmap(0, 8 * P, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, null, 0));
    }

    @Test
    void folioWithinRangeOfALargeFolio() {
        long a = fx.anon(8);
        Folio big = fx.machine.cpu(0).call(() -> fx.machine.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_COMP, 2));
        fx.mm.mmapLock().downRead();
        try {
            Vma v = fx.mm.vmaLookup(a);
            PageWords.setIndex(fx.machine.memMap(), big.pfn(), v.pgoff() + 2);
            assertTrue(MlockSys.folioWithinRange(big, v, a, a + 8 * P));
            assertTrue(MlockSys.folioWithinRange(big, v, a + 2 * P, a + 6 * P));
            assertFalse(MlockSys.folioWithinRange(big, v, a + 3 * P, a + 8 * P));
            assertFalse(MlockSys.folioWithinRange(big, v, a, a + 5 * P));
            assertTrue(MlockSys.folioWithinRange(big, v, a - 4 * P, a + 16 * P), "range clamped to the VMA");
            assertFalse(MlockSys.folioWithinRange(big, v, a + 4 * P, a + 2 * P), "start > end");
            PageWords.setIndex(fx.machine.memMap(), big.pfn(), v.pgoff() + 6);
            assertFalse(MlockSys.folioWithinRange(big, v, a, a + 8 * P), "pages 6..9 pass the VMA end");
            // The kernel's unsigned end - addr: a folio starting beyond end wraps and passes (7.2 as is).
            assertTrue(MlockSys.folioWithinRange(big, v, a, a + 4 * P));
            PageWords.setIndex(fx.machine.memMap(), big.pfn(), v.pgoff() + 8);
            assertFalse(MlockSys.folioWithinRange(big, v, a, a + 8 * P), "index past the VMA: in_range fails");
            if (v.pgoff() > 0) {
                PageWords.setIndex(fx.machine.memMap(), big.pfn(), v.pgoff() - 1);
                assertFalse(MlockSys.folioWithinRange(big, v, a, a + 8 * P), "index below the VMA");
            }
        } finally {
            fx.mm.mmapLock().upRead();
            PageWords.setIndex(fx.machine.memMap(), big.pfn(), 0);
            big.put();
        }
    }

    @Test
    void folioReferencedOfALockedMappingMlocksAndReportsVmLocked() {
        long a = fx.anon(1);
        assertEquals(0, fx.task.touch(a, true));
        fx.drain();
        // Lock the VMA behind mlock's back (as if mlock_vma_pages_range had lost a race).
        fx.mm.mmapLock().downWrite();
        try {
            Vma v = fx.mm.vmaLookup(a);
            v.setFlags(v.flags() | VmFlags.VM_LOCKED);
            fx.mm.addLockedVm(1);
        } finally {
            fx.mm.mmapLock().upWrite();
        }
        Folio f = fx.folio(a);
        io.github.foliolab.lru.RmapOps ops = io.github.foliolab.mm.Mm.of(fx.machine).vmscan().rmapOps();
        io.github.foliolab.lru.RmapOps.Referenced r = fx.machine.cpu(0).call(() -> ops.folioReferenced(f, true));
        assertTrue((r.vmFlags() & VmFlags.VM_LOCKED) != 0);
        assertTrue(f.testMlocked(), "mlock_vma_folio ran from the walk");
        assertFalse(fx.machine.cpu(0).call(() -> ops.tryToUnmap(f)), "try_to_unmap refuses a VM_LOCKED mapping");
        fx.drain();
        assertEquals("MUL", fx.tokens(a, 1));
        assertEquals(0, fx.task.munlock(a, P));
        assertEquals("L", fx.tokens(a, 1));
    }

    @Test
    void specialMappingsAreNeverLocked() {
        long dev = fx.task.mmapSpecial(4 * P, PROT_READ | PROT_WRITE, VmFlags.VM_IO
                | VmFlags.VM_PFNMAP);
        assertTrue(dev > 0);
        // mlock_fixup skips VM_SPECIAL silently; populate skips VM_IO | VM_PFNMAP.
        assertEquals(0, fx.task.mlock(dev, 4 * P));
        assertEquals("4", fx.vmas(dev, 4));
        assertEquals(0, fx.task.vmLckKb());
        assertEquals(0, fx.task.mlockall(MCL_CURRENT | MCL_FUTURE));
        assertEquals("4", fx.vmas(dev, 4));
        long dev2 = fx.task.mmapSpecial(P, PROT_READ, VmFlags.VM_IO);
        assertEquals("1", fx.vmas(dev2, 1), "def_flags' VM_LOCKED is dropped for VM_SPECIAL");
        assertEquals(0, fx.task.vmLckKb());
        assertEquals(0, fx.task.munlockall());
    }

    /** mlock of [from, from+n) of an 8-page populated area, then munlock of the same range. */
    @org.junit.jupiter.params.ParameterizedTest(name = "mlock [{0},+{1}) -> {2}")
    @org.junit.jupiter.params.provider.CsvSource({
        "0, 8, '8:l'",
        "0, 3, '3:l 5'",
        "5, 3, '5 3:l'",
        "2, 3, '2 3:l 3'",
        "7, 1, '7 1:l'",
    })
    void mlockSplitTable(long from, long n, String layout) {
        long a = fx.anon(8);
        for (int i = 0; i < 8; i++) assertEquals(0, fx.task.touch(a + i * P, true));
        assertEquals(0, fx.task.mlock(a + from * P, n * P));
        assertEquals(layout, fx.vmas(a, 8));
        assertEquals(n * 4, fx.task.vmLckKb());
        StringBuilder want = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i > 0) want.append(' ');
            want.append(i >= from && i < from + n ? "MUL" : "L");
        }
        assertEquals(want.toString(), fx.tokens(a, 8));
        assertEquals(0, fx.task.munlock(a + from * P, n * P));
        assertEquals("8", fx.vmas(a, 8));
        assertEquals(0, fx.task.vmLckKb());
    }
}
