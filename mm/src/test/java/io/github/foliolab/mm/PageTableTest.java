package io.github.foliolab.mm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The page tables: PTE encodings (present/write/dirty/young/special, swap and migration entries), the
 * lockless read a GUP-fast walker uses, a fault on a migration entry (retry, nothing changed) and the
 * zap of non-present entries.
 */
class PageTableTest {
    static final long P = PAGE_SIZE;
    final MmFixture fx = new MmFixture();

    @AfterEach
    void invariants() {
        fx.checkInvariants();
    }

    @Test
    void encodings() {
        long pte = Pte.mk(0x1234, true, false, true);
        assertTrue(Pte.present(pte) && Pte.write(pte) && Pte.young(pte) && !Pte.dirty(pte) && !Pte.special(pte));
        assertEquals(0x1234, Pte.pfn(pte));
        assertFalse(Pte.write(Pte.wrprotect(pte)));
        assertTrue(Pte.dirty(Pte.mkDirty(pte)));
        long zero = Pte.mkSpecial(7);
        assertTrue(Pte.present(zero) && Pte.special(zero) && !Pte.write(zero));
        long swap = Pte.mkSwapEntry(Pte.SWP_SWAPFILE, 99);
        assertTrue(Pte.isSwapEntry(swap) && !Pte.present(swap) && !Pte.none(swap) && !Pte.isMigrationEntry(swap));
        assertEquals(99, Pte.pfn(swap));
        long mig = Pte.mkSwapEntry(Pte.SWP_MIGRATION_WRITE, 0x55);
        assertTrue(Pte.isMigrationEntry(mig) && !Pte.present(mig));
        assertEquals(Pte.SWP_MIGRATION_WRITE, Pte.swapType(mig));
        assertEquals(0x55, Pte.pfn(mig));
    }

    @Test
    void locklessReadSeesWhatTheLockedReadSees() {
        long a = fx.mmapAnon(2, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.touch(a, true));
        PageTable pt = fx.mm.pageTables().lookup(a);
        long locked = fx.machine.cpu(0).call(() -> {
            pt.ptl().lock();
            try {
                return pt.ptepGet(a);
            } finally {
                pt.ptl().unlock();
            }
        });
        assertEquals(locked, (long) fx.machine.cpu(0).call(() -> pt.ptepGetLockless(a)));
        assertEquals(0L, (long) fx.machine.cpu(0).call(() -> pt.ptepGetLockless(a + P)));
    }

    @Test
    void aFaultOnAMigrationEntryRetriesAndTheZapClearsIt() {
        long a = fx.mmapAnon(2, PROT_READ | PROT_WRITE);
        long mig = Pte.mkSwapEntry(Pte.SWP_MIGRATION_READ, 0x42);
        fx.machine.cpu(0).run(() -> {
            PageTable pt = fx.mm.pageTables().alloc(a);
            pt.ptl().lock();
            try {
                pt.setPteAt(a, mig);
            } finally {
                pt.ptl().unlock();
            }
        });
        int ret = fx.machine.cpu(0).call(() -> {
            fx.mm.mmapLock().downRead();
            try {
                return fx.task.ctx().fault().handleMmFault(fx.mm.vmaLookup(a), a, true);
            } finally {
                fx.mm.mmapLock().upRead();
            }
        });
        assertEquals(Fault.VM_FAULT_RETRY, ret, "migration_entry_wait, then retry");
        assertEquals(mig, fx.pte(a), "the entry is left for the migration to finish");
        assertEquals(-1, fx.task.kpageflags(a), "not present");
        assertEquals(0, fx.task.munmap(a, 2 * P));
        assertEquals(0, fx.pte(a), "zap_pte_range clears non-present entries");
    }

    @Test
    void theInvariantCheckFindsAPresentPteOutsideEveryVma() {
        long a = fx.mmapAnon(1, PROT_READ | PROT_WRITE);
        long stray = a + 8 * P; // no VMA there
        long zeroPte = Pte.mkSpecial(fx.machine.node().zeroPfn());
        PageTable pt = fx.machine.cpu(0).call(() -> fx.mm.pageTables().alloc(stray));
        fx.machine.cpu(0).run(() -> {
            pt.ptl().lock();
            try {
                pt.setPteAt(stray, zeroPte);
            } finally {
                pt.ptl().unlock();
            }
        });
        io.github.foliolab.folio.api.VmBugException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.github.foliolab.folio.api.VmBugException.class, fx::checkInvariants);
        assertTrue(e.getMessage().contains("outside every VMA"), e.getMessage());
        fx.machine.cpu(0).run(() -> {
            pt.ptl().lock();
            try {
                pt.ptepGetAndClear(stray);
            } finally {
                pt.ptl().unlock();
            }
        });
    }
}
