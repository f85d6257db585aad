package io.github.foliolab.gup;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.Pte;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.gup.GupFolios.GUP_PIN_COUNTING_BIAS;
import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.*;

/** io_uring fixed-buffer registration: long-term pins from userspace, their errors and accounting. */
class IoUringBuffersTest {
    static final long P = PAGE_SIZE;
    final GupFixture fx = new GupFixture();

    @AfterEach
    void close() {
        fx.close();
    }

    @Test
    void unpopulatedPagesAreFaultedStraightIntoAKernelZoneAndPinned() {
        long a = fx.anon(4);
        IoUringBuffers ring = IoUringBuffers.setup(fx.task);
        assertEquals(0, ring.registerBuffers(a, 4 * P));
        for (int i = 0; i < 4; i++) {
            Folio f = fx.folioAt(a + i * P);
            assertFalse(fx.inMovable(f), "memalloc_pin_save: no __GFP_MOVABLE while pinning");
            // the mapping, the lru_add batch, and the pin
            assertEquals(1 + 1 + GUP_PIN_COUNTING_BIAS, f.refCount());
        }
        assertEquals(0, fx.task.mm().pinnedVm(), "CAP_IPC_LOCK: no accounting");
        assertEquals(0, ring.unregisterBuffers());
        for (int i = 0; i < 4; i++) {
            assertEquals(2, fx.folioAt(a + i * P).refCount());
        }
        assertEquals(IoUringBuffers.ENXIO, -ring.unregisterBuffers());
    }

    @Test
    void errorsChangeNothing() {
        long ro = fx.mmap(2, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS);
        fx.task.touch(ro, false);
        IoUringBuffers ring = IoUringBuffers.setup(fx.task);
        assertEquals(-Errno.EFAULT, ring.registerBuffers(ro, 2 * P), "FOLL_WRITE on a read-only VMA");
        assertEquals(-Errno.EFAULT, ring.registerBuffers(ro, 0), "a zero length");
        long none = fx.mmap(1, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS);
        assertEquals(-Errno.EFAULT, ring.registerBuffers(none, P));
        // a range whose second page is read-only: the first is faulted in and pinned, then released
        long a = fx.anon(2);
        assertEquals(0, fx.task.mprotect(a + P, P, PROT_READ));
        assertEquals(-Errno.EFAULT, ring.registerBuffers(a, 2 * P));
        assertEquals(0, ring.pinnedPfns().length);
        Folio f = fx.folioAt(a);
        assertEquals(2, f.refCount(), "mapped and in the lru_add batch, no pin left");
        assertFalse(fx.gup.folios().folioMaybeDmaPinned(f));
        assertFalse(Pte.present(fx.pte(a + P)));
    }

    @Test
    void aSecondRegistrationIsBusy() {
        long a = fx.anon(1);
        IoUringBuffers ring = IoUringBuffers.setup(fx.task);
        assertEquals(0, ring.registerBuffers(a, P));
        assertEquals(-Errno.EBUSY, ring.registerBuffers(a, P));
        assertEquals(0, ring.unregisterBuffers());
    }

    @Test
    void withoutCapIpcLockPinsAreChargedToPinnedVmUpToTheMemlockLimit() {
        long a = fx.anon(4);
        fx.task.mm().setCapIpcLock(false);
        fx.task.mm().setRlimitMemlock(4 * P);
        IoUringBuffers r1 = IoUringBuffers.setup(fx.task);
        assertEquals(0, r1.registerBuffers(a, 3 * P));
        assertEquals(3, fx.task.mm().pinnedVm());
        assertEquals(12, fx.task.mm().vmPinKb());
        IoUringBuffers r2 = IoUringBuffers.setup(fx.task);
        assertEquals(-Errno.ENOMEM, r2.registerBuffers(a + 2 * P, 2 * P), "3 + 2 pages > 4");
        assertEquals(3, fx.task.mm().pinnedVm(), "unchanged after the refusal");
        // the pins r2 took before its accounting failed were dropped: page 2 has r1's pin only
        assertEquals(1 + 1 + GUP_PIN_COUNTING_BIAS, fx.folioAt(a + 2 * P).refCount());
        assertEquals(2, fx.folioAt(a + 3 * P).refCount(), "faulted in by r2, no pin left");
        assertEquals(0, r1.unregisterBuffers());
        assertEquals(0, fx.task.mm().pinnedVm());
        assertEquals(0, r2.registerBuffers(a, 4 * P), "4 pages fit once the first ring let go");
        assertEquals(0, r2.unregisterBuffers());
    }
}
