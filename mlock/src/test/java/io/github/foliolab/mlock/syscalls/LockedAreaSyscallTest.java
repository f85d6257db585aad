package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.mm.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.function.IntSupplier;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mm's system calls on VM_LOCKED areas with mlocked folios: munmap of partial ranges (splitting the
 * locked VMA, locked_vm, munlock through the rmap removal), mprotect (VM_LOCKED kept; a private locked
 * area made writable is populated, breaking COW of the zero page), madvise's VM_LOCKED refusals
 * (madvise_dontneed_free_valid_vma, can_madv_lru_vma) leaving everything as before, and the mlock
 * family's own argument errnos.
 */
class LockedAreaSyscallTest {
    static final long P = PAGE_SIZE;
    final MlockFixture fx = new MlockFixture();

    @AfterEach
    void invariants() {
        fx.checkInvariants();
    }

    private void rejected(int errno, IntSupplier call) {
        String before = fx.snapshot();
        assertEquals(-errno, call.getAsInt());
        assertEquals(before, fx.snapshot(), "a rejected call changed the process");
        fx.checkInvariants();
    }

    private long munlocked() {
        return fx.machine.vmstat().event(VmEventItem.UNEVICTABLE_PGMUNLOCKED);
    }

    @Test
    void munmapOfPartialLockedRangesSplitsAndUnaccounts() {
        long a = fx.anon(8);
        assertEquals(0, fx.task.mlock(a, 8 * P));
        fx.drain();
        assertEquals("8:l", fx.vmas(a, 8));
        assertEquals(32, fx.task.vmLckKb());
        long free0 = fx.machine.node().freePages();
        long m0 = munlocked();
        // The middle: two locked VMAs remain, locked_vm drops by the pages unmapped.
        assertEquals(0, fx.task.munmap(a + 3 * P, 2 * P));
        assertEquals("3:l 3:l", fx.vmas(a, 8));
        assertEquals(24, fx.task.vmLckKb());
        fx.drain(); // munmap does not drain in 7.2: the munlocks wait in the mlock batch until here
        assertEquals(m0 + 2, munlocked(), "folio_remove_rmap_ptes -> munlock_vma_folio for each page");
        // An end of each piece.
        assertEquals(0, fx.task.munmap(a, P));
        assertEquals(0, fx.task.munmap(a + 7 * P, P));
        assertEquals("2:l 2:l", fx.vmas(a, 8));
        assertEquals(16, fx.task.vmLckKb());
        // A range covering the rest of one piece, the hole and part of the other.
        assertEquals(0, fx.task.munmap(a + P, 5 * P));
        assertEquals("1:l", fx.vmas(a, 8));
        assertEquals(4, fx.task.vmLckKb());
        assertEquals(". . . . . . MUL .", fx.tokens(a, 8));
        fx.drain();
        assertEquals(free0 + 7, fx.machine.node().freePages(), "seven munlocked folios went back to the buddy allocator");
        assertEquals(1, fx.machine.vmstat().byName("nr_mlock"));
    }

    @Test
    void munmapOfPartlyLockedMappingUnaccountsOnlyTheLockedPart() {
        long a = fx.anon(8);
        assertEquals(0, fx.task.mlock(a + 2 * P, 4 * P));
        assertEquals("2 4:l 2", fx.vmas(a, 8));
        assertEquals(0, fx.task.munmap(a + P, 6 * P));
        assertEquals(0, fx.task.vmLckKb());
        assertEquals("1 1", fx.vmas(a, 8));
    }

    @Test
    void mprotectKeepsTheLockAndPopulatesAPrivateAreaMadeWritable() {
        long a = fx.task.mmap(0, 4 * P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        assertTrue(a > 0);
        assertEquals(0, fx.task.mlock(a, 4 * P));
        assertEquals("Z Z Z Z", fx.tokens(a, 4), "a read-only private area is populated with the zero page");
        assertEquals(0, fx.task.mprotect(a + P, 2 * P, PROT_READ | PROT_WRITE));
        assertEquals("1:l 2:l 1:l", fx.vmas(a, 4));
        assertEquals(16, fx.task.vmLckKb(), "mprotect does not change locked_vm");
        fx.drain();
        assertEquals("Z MUL MUL Z", fx.tokens(a, 4), "populate_vma_page_range broke COW: new mlocked folios");
        assertEquals(0, fx.task.mprotect(a, 4 * P, PROT_NONE));
        // The middle became writable and got an anon_vma, so it keeps VM_ACCOUNT and cannot merge with
        // its never-charged neighbours (is_mergeable_vma compares VM_ACCOUNT too).
        assertEquals("1:l 2:l 1:l", fx.vmas(a, 4));
        assertEquals("Z MUL MUL Z", fx.tokens(a, 4), "PROT_NONE keeps the pages mapped and mlocked");
    }

    @Test
    void mprotectOfALockOnFaultAreaDoesNotPopulate() {
        long a = fx.task.mmap(0, 4 * P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        assertEquals(0, fx.task.mlock2(a, 4 * P, MLOCK_ONFAULT));
        assertEquals(0, fx.task.mprotect(a, 4 * P, PROT_READ | PROT_WRITE));
        assertEquals(". . . .", fx.tokens(a, 4));
        assertEquals("4:lo", fx.vmas(a, 4));
    }

    @Test
    void madviseRefusesLockedAreasAndChangesNothing() {
        long a = fx.anon(8);
        for (int i = 0; i < 8; i++) assertEquals(0, fx.task.touch(a + i * P, true));
        assertEquals(0, fx.task.mlock(a, 4 * P)); // [0,4) locked (drained by mlock), [4,8) on the LRU
        assertEquals(0, fx.task.mlock2(a + 4 * P, 2 * P, MLOCK_ONFAULT));
        for (int adv : new int[] {MADV_DONTNEED, MADV_COLD, MADV_PAGEOUT}) {
            rejected(Errno.EINVAL, () -> fx.task.madvise(a, 4 * P, adv));
            rejected(Errno.EINVAL, () -> fx.task.madvise(a + 4 * P, 2 * P, adv)); // VM_LOCKONFAULT too
            rejected(Errno.EINVAL, () -> fx.task.madvise(a + 3 * P, 3 * P, adv)); // the first VMA refuses
        }
        assertEquals(0, fx.task.madvise(a, 6 * P, MADV_WILLNEED), "WILLNEED is allowed on locked areas");
        assertEquals(0, fx.task.madvise(a + 6 * P, 2 * P, MADV_DONTNEED), "the unlocked tail is zapped");
        assertEquals("MUL MUL MUL MUL MUL MUL . .", fx.tokens(a, 8));
        assertEquals(24, fx.task.vmLckKb());
    }

    @Test
    void mlockFamilyArgumentErrnos() {
        long a = fx.anon(4);
        fx.mm.setCapIpcLock(true);
        rejected(Errno.EINVAL, () -> fx.task.mlock(a, -P)); // end wraps (apply_vma_lock_flags)
        rejected(Errno.EINVAL, () -> fx.task.munlock(a, -P));
        rejected(Errno.EINVAL, () -> fx.task.mlock2(a, -P, MLOCK_ONFAULT));
        rejected(Errno.EINVAL, () -> fx.task.mlock2(a, P, 0x100)); // unknown flag before anything else
        rejected(Errno.EINVAL, () -> fx.task.mlockall(MCL_ONFAULT)); // MCL_ONFAULT alone
        rejected(Errno.EINVAL, () -> fx.task.mlockall(MCL_FUTURE | 0x10));
        String before = fx.snapshot();
        assertEquals(0, fx.task.mlock(a, 0), "zero length: nothing to do");
        assertEquals(0, fx.task.munlock(a, 0));
        assertEquals(before, fx.snapshot());
        // An unaligned start locks the whole page it is in (len + offset_in_page rounded up).
        assertEquals(0, fx.task.mlock(a + 5, 1));
        assertEquals("1:l 3", fx.vmas(a, 4));
    }
}
