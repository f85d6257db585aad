package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.lru.RmapOps;
import io.github.foliolab.mlock.Mlock;
import io.github.foliolab.mm.Mm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * folio_referenced's invalid_vma filter (mm/rmap.c:1032-1044, vma_has_recency of
 * include/linux/mm_inline.h) applies to VM_LOCKED VMAs too: a locked VMA advised MADV_RANDOM or
 * MADV_SEQUENTIAL is skipped before folio_referenced_one, so it neither restores the mlock
 * (mlock_vma_folio, rmap.c:935-954) nor reports VM_LOCKED.
 */
class LockedRecencyTest {
    static final long P = PAGE_SIZE;
    final MlockFixture fx = new MlockFixture();
    final RmapOps ops = Mm.of(fx.machine).vmscan().rmapOps();
    final Mlock mlock = Mlock.of(fx.machine);

    @AfterEach
    void invariants() {
        fx.drain();
        fx.checkInvariants();
    }

    private RmapOps.Referenced referenced(Folio f) {
        return fx.machine.cpu(0).call(() -> ops.folioReferenced(f, false));
    }

    @Test
    void lockedRandomReadMappingIsSkipped() {
        long a = fx.task.mmap(0, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, null, 0);
        assertEquals(0, fx.task.madvise(a, P, MADV_RANDOM)); // page 0 only: the VMA splits
        Folio random = fx.folio(a);
        Folio normal = fx.folio(a + P);
        assertEquals(0, mlock.batch(0).count());

        RmapOps.Referenced r = referenced(random);
        assertEquals(new RmapOps.Referenced(0, 0), r, "the VM_RAND_READ VMA is invalid_vma: no VM_LOCKED");
        assertEquals(0, mlock.batch(0).count(), "no mlock_vma_folio");

        r = referenced(normal);
        assertNotEquals(0, r.vmFlags() & VmFlags.VM_LOCKED);
        assertEquals(1, mlock.batch(0).count(), "mlock_vma_folio queued the folio again");
    }
}
