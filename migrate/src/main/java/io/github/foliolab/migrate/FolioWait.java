package io.github.foliolab.migrate;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.FolioOp;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.sync.LockWatch;

/**
 * The sleeping waits migration makes on a folio: folio_lock(), folio_wait_writeback() and the wait of
 * migration_entry_wait_on_locked() for PG_locked to clear (mm/filemap.c).
 *
 * <p>Model difference: there are no wait queues or PG_waiters; the waiter re-tests the bit (each test
 * a schedule point), yielding its thread now and then, and a hung-task report names the folio.
 */
final class FolioWait {
    private FolioWait() {}

    /** folio_lock(): folio_trylock until it succeeds. */
    static void lock(Folio f) {
        if (f.trylock()) { // folio_trylock: test_and_set_bit_lock, acquire
            return;
        }
        waitUntil(f, "folio_lock", true, () -> f.trylock()); // folio_trylock: acquire
    }

    /** folio_wait_writeback(): until PG_writeback is clear. */
    static void waitWriteback(Folio f) {
        waitUntil(f, "folio_wait_writeback", false, () -> !f.testWriteback());
    }

    /** The wait of migration_entry_wait_on_locked(): until PG_locked is clear (without taking it). */
    static void waitUnlocked(Folio f) {
        waitUntil(f, "migration_entry_wait", true, () -> !f.testLocked());
    }

    /**
     * Re-test {@code done} until it holds. {@code wokenByUnlock}: the wait ends only through a
     * folio_unlock() (folio_wake_bit), so under the explorer this CPU sleeps until then instead of spinning.
     */
    private static void waitUntil(Folio f, String fn, boolean wokenByUnlock, java.util.function.BooleanSupplier done) {
        String what = fn + " of pfn 0x" + Long.toHexString(f.pfn());
        LockWatch.beginWait(what);
        try {
            int round = 0;
            while (!done.getAsBoolean()) {
                if (wokenByUnlock) {
                    SchedPoints.contended(FolioOp.TRYLOCK, f.pfn()); // folio_wait_bit_common: sleep until folio_unlock wakes us
                }
                if (++round % 64 == 0) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
                LockWatch.checkWait(what);
            }
        } finally {
            LockWatch.endWait();
        }
    }
}
