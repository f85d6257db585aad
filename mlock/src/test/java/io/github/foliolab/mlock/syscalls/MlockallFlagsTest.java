package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.mm.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.function.IntSupplier;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * mlockall's flag rules and the RLIMIT_MEMLOCK / CAP_IPC_LOCK rules of mm/mlock.c (7.2): EINVAL for 0,
 * for any bit outside MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT and for MCL_ONFAULT alone, checked before
 * can_do_mlock's EPERM (rlimit 0 without CAP_IPC_LOCK); the total_vm limit applies only with MCL_CURRENT.
 */
class MlockallFlagsTest {
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
    }

    static boolean kernelSaysEinval(int flags) {
        return flags == 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) != 0 || flags == MCL_ONFAULT;
    }

    /** Every combination of the three flags plus one unknown bit (0x8) and the sign bit. */
    @ParameterizedTest(name = "mlockall(0x{0})")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0x10, 0x80000001})
    void everyFlagCombination(int flags) {
        long a = fx.anon(2);
        assertEquals(0, fx.task.touch(a, true));
        if (kernelSaysEinval(flags)) {
            rejected(Errno.EINVAL, () -> fx.task.mlockall(flags));
            fx.mm.setRlimitMemlock(0); // EINVAL comes before can_do_mlock's EPERM
            rejected(Errno.EINVAL, () -> fx.task.mlockall(flags));
            return;
        }
        assertEquals(0, fx.task.mlockall(flags));
        boolean current = (flags & MCL_CURRENT) != 0;
        boolean future = (flags & MCL_FUTURE) != 0;
        boolean onfault = (flags & MCL_ONFAULT) != 0;
        // def_flags: VM_LOCKED for MCL_FUTURE, plus VM_LOCKONFAULT with MCL_ONFAULT.
        long def = (future ? VmFlags.VM_LOCKED : 0) | (future && onfault ? VmFlags.VM_LOCKONFAULT : 0);
        assertEquals(def, fx.mm.defFlags() & VmFlags.VM_LOCKED_MASK);
        // Existing VMAs: locked only with MCL_CURRENT; on-fault with MCL_CURRENT|MCL_ONFAULT.
        assertEquals(current ? (onfault ? "2:lo" : "2:l") : "2", fx.vmas(a, 2));
        assertEquals(current ? (onfault ? "." : "MUL") : ".", fx.token(a + P), "MCL_CURRENT without ONFAULT populates");
        assertEquals(lockedPages(), fx.mm.lockedVm(), "locked_vm = pages of VM_LOCKED VMAs");
        assertEquals(current, fx.mm.lockedVm() >= 2);
        // A new mapping follows def_flags (it may merge with a neighbour of the same flags).
        long b = fx.anon(1);
        assertEquals(def, vmaFlags(b) & VmFlags.VM_LOCKED_MASK);
        assertEquals(future && !onfault ? "MUL" : ".", fx.token(b));
        assertEquals(0, fx.task.munlockall());
        assertEquals(0, fx.mm.defFlags() & VmFlags.VM_LOCKED_MASK);
        assertEquals(0, vmaFlags(a) & VmFlags.VM_LOCKED_MASK); // b may have merged into a's VMA again
        assertEquals(0, vmaFlags(b) & VmFlags.VM_LOCKED_MASK);
        assertEquals(0, fx.mm.lockedVm());
    }

    private long lockedPages() {
        long n = 0;
        for (io.github.foliolab.mm.Vma v : fx.mm.vmasSnapshot()) if ((v.flags() & VmFlags.VM_LOCKED) != 0) n += v.pages();
        return n;
    }

    private long vmaFlags(long addr) {
        fx.mm.mmapLock().downRead();
        try {
            return fx.mm.vmaLookup(addr).flags();
        } finally {
            fx.mm.mmapLock().upRead();
        }
    }

    @Test
    void rlimitZeroWithoutCapIpcLockIsEpermForEveryLockingCall() {
        long a = fx.anon(2);
        fx.mm.setRlimitMemlock(0);
        rejected(Errno.EPERM, () -> fx.task.mlock(a, P));
        rejected(Errno.EPERM, () -> fx.task.mlock2(a, P, 0));
        rejected(Errno.EPERM, () -> fx.task.mlock2(a, P, MLOCK_ONFAULT));
        rejected(Errno.EINVAL, () -> fx.task.mlock2(a, P, 2)); // flags checked before can_do_mlock
        rejected(Errno.EPERM, () -> fx.task.mlockall(MCL_CURRENT));
        rejected(Errno.EPERM, () -> fx.task.mlockall(MCL_FUTURE));
        rejected(Errno.EPERM, () -> fx.task.mlockall(MCL_CURRENT | MCL_ONFAULT));
        // Unlocking needs no permission.
        assertEquals(0, fx.task.munlock(a, 2 * P));
        assertEquals(0, fx.task.munlockall());
        // CAP_IPC_LOCK makes can_do_mlock true with a zero limit and lifts the limit itself.
        fx.mm.setCapIpcLock(true);
        assertEquals(0, fx.task.mlock(a, 2 * P));
        assertEquals(2, fx.mm.lockedVm());
        assertEquals(0, fx.task.mlockall(MCL_CURRENT));
        assertEquals("2:l", fx.vmas(a, 2));
    }

    @Test
    void rlimitBelowOnePageIsEnomemNotEperm() {
        long a = fx.anon(2);
        fx.mm.setRlimitMemlock(P - 1); // non-zero: can_do_mlock passes; 0 pages after the shift
        rejected(Errno.ENOMEM, () -> fx.task.mlock(a, P));
        rejected(Errno.ENOMEM, () -> fx.task.mlock2(a, P, MLOCK_ONFAULT));
        rejected(Errno.ENOMEM, () -> fx.task.mlockall(MCL_CURRENT));
        rejected(Errno.ENOMEM, () -> fx.task.mlockall(MCL_CURRENT | MCL_FUTURE));
        // A wrapping length fails the limit check first (ENOMEM); only with CAP_IPC_LOCK does it reach
        // apply_vma_lock_flags' end < start test (EINVAL, see LockedAreaSyscallTest).
        rejected(Errno.ENOMEM, () -> fx.task.mlock(a, -P));
        // Without MCL_CURRENT there is no total_vm check: MCL_FUTURE alone succeeds.
        assertEquals(0, fx.task.mlockall(MCL_FUTURE | MCL_ONFAULT));
        assertEquals(VmFlags.VM_LOCKED | VmFlags.VM_LOCKONFAULT, fx.mm.defFlags() & VmFlags.VM_LOCKED_MASK);
        assertEquals("2", fx.vmas(a, 2));
        assertEquals(0, fx.task.munlockall());
    }

    @Test
    void mlockLimitCountsLockedVmPlusTheRequestMinusWhatIsAlreadyLocked() {
        long a = fx.anon(8);
        fx.mm.setRlimitMemlock(4 * P);
        assertEquals(0, fx.task.mlock(a, 4 * P)); // exactly the limit: locked <= lock_limit
        assertEquals(4, fx.mm.lockedVm());
        rejected(Errno.ENOMEM, () -> fx.task.mlock(a + 4 * P, P)); // 5 > 4
        assertEquals(0, fx.task.mlock(a + P, 3 * P), "already locked pages are credited");
        rejected(Errno.ENOMEM, () -> fx.task.mlock(a + 2 * P, 3 * P)); // 4 + 3 - 2 = 5 > 4
        rejected(Errno.ENOMEM, () -> fx.task.mlockall(MCL_CURRENT)); // total_vm 8 > 4
        assertEquals(0, fx.task.munlock(a, P));
        assertEquals(0, fx.task.mlock(a + 4 * P, P), "room again after munlock");
        assertEquals(4, fx.mm.lockedVm());
        assertEquals("1 4:l 3", fx.vmas(a, 8));
    }
}
