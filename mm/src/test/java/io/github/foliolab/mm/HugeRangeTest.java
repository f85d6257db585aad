package io.github.foliolab.mm;

import io.github.foliolab.folio.api.VmFlags;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ranges whose end lies at or above 2^63 (found by the syscall fuzzer): the kernel's unsigned long
 * comparisons walk every VMA from the start and answer -ENOMEM for the hole at the end; signed Java
 * comparisons used to see such an end below the start and modified a VMA outside its bounds.
 */
class HugeRangeTest {
    static final long P = PAGE_SIZE;
    /** PAGE_ALIGN of it does not wrap, and start + it stays above start (unsigned). */
    static final long HUGE = Long.MAX_VALUE - 0xfffL;

    final MmFixture fx = new MmFixture();

    @Test
    void madviseAppliesToTheVmasThenReportsTheHole() {
        long a = fx.mmapAnon(2, PROT_READ | PROT_WRITE);
        assertTrue(Long.compareUnsigned(a + HUGE, a) > 0 && a + HUGE < 0, "end at or above 2^63");
        assertEquals(-Errno.ENOMEM, fx.task.madvise(a, HUGE, MADV_RANDOM));
        assertTrue((fx.mm.vmasSnapshot().get(0).flags() & VmFlags.VM_RAND_READ) != 0);
        fx.checkInvariants();
    }

    @Test
    void mprotectAppliesToTheVmasThenReportsTheHole() {
        long a = fx.mmapAnon(2, PROT_READ | PROT_WRITE);
        assertEquals(-Errno.ENOMEM, fx.task.mprotect(a, HUGE, PROT_READ));
        assertEquals(0, fx.mm.vmasSnapshot().get(0).flags() & VmFlags.VM_WRITE);
        fx.checkInvariants();
    }

    @Test
    void addressesAtOrAbove2To63LieAboveEveryVma() {
        fx.mmapAnon(1, PROT_READ);
        fx.mm.mmapLock().downRead();
        try {
            assertEquals(null, fx.mm.findVma(Long.MIN_VALUE));
            assertEquals(null, fx.mm.vmaLookup(-P));
        } finally {
            fx.mm.mmapLock().upRead();
        }
        assertEquals(-Errno.ENOMEM, fx.task.madvise(Long.MIN_VALUE, P, MADV_DONTNEED));
        assertEquals(-Errno.ENOMEM, fx.task.mprotect(Long.MIN_VALUE, P, PROT_READ));
    }
}
