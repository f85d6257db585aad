package io.github.foliolab.bench;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Race R1 (munlock-putback, the 7.2 code) written for Lincheck's model checker over the same steps as
 * the explorer's scenario: Lincheck sees only the JVM's own atomics and monitors, so F's flags word is an
 * {@link AtomicLong}, its refcount an {@link AtomicInteger}, lru_lock a monitor, and the unevictable list
 * a counter under it. CPU A munlocks F (munlock_folio's batch reference, then __munlock_folio of Linux
 * 7.2: the PG_lru ticket first, PG_mlocked cleared without lru_lock when the ticket is lost); CPU B
 * isolates F and puts it back (folio_try_get, folio_isolate_lru, folio_putback_lru, lru_add under
 * lru_lock). {@link #stranded} is the scenario's end check.
 */
final class R1LincheckModel {
    static final long LRU = 1;
    static final long MLOCKED = 2;
    static final long UNEVICTABLE = 4;
    static final long ACTIVE = 8;

    /** F's flags; starts culled: {lru, mlocked, unevictable}. */
    private final AtomicLong flags = new AtomicLong(LRU | MLOCKED | UNEVICTABLE);
    /** F's refcount: the mapping's reference. */
    private final AtomicInteger refcount = new AtomicInteger(1);
    /** lru_lock: protects mlockCount and the list counters. */
    private final Object lruLock = new Object();
    private int mlockCount = 1;
    private int nrUnevictable = 1;
    private int nrEvictable;

    private boolean test(long bit) {
        return (flags.get() & bit) != 0;
    }

    private void set(long bit) {
        long f;
        do {
            f = flags.get();
        } while (!flags.compareAndSet(f, f | bit));
    }

    private void clear(long bit) {
        long f;
        do {
            f = flags.get();
        } while (!flags.compareAndSet(f, f & ~bit));
    }

    private boolean testClear(long bit) {
        long f;
        do {
            f = flags.get();
        } while (!flags.compareAndSet(f, f & ~bit));
        return (f & bit) != 0;
    }

    /** CPU A: munlock_folio(F), then the mlock batch drains: __munlock_folio (7.2). */
    void cpuA() {
        refcount.incrementAndGet(); // the mlock batch's reference
        if (testClear(LRU)) {
            synchronized (lruLock) { // folio_lruvec_relock_irq
                munlockIsolated();
            }
        } else {
            testClear(MLOCKED); // the non-isolated path: no lru_lock (R1's window)
        }
        refcount.decrementAndGet(); // folios_put
    }

    private void munlockIsolated() {
        if (test(UNEVICTABLE)) {
            int c = mlockCount;
            if (c > 0) {
                mlockCount = --c;
            }
            if (c > 0) {
                set(LRU);
                return;
            }
        }
        testClear(MLOCKED);
        if (test(UNEVICTABLE) && !test(MLOCKED)) { // folio_evictable, after clearing PG_mlocked
            nrUnevictable--;
            clear(UNEVICTABLE);
            nrEvictable++;
        }
        set(LRU);
    }

    /** CPU B: folio_try_get, folio_isolate_lru, folio_putback_lru, lru_add_drain (lru_add), folio_put. */
    void cpuB() {
        int r;
        do {
            r = refcount.get();
            if (r == 0) {
                return;
            }
        } while (!refcount.compareAndSet(r, r + 1)); // folio_try_get
        if (testClear(LRU)) { // folio_isolate_lru
            refcount.incrementAndGet(); // the isolation reference
            synchronized (lruLock) {
                if (test(UNEVICTABLE)) nrUnevictable--; else nrEvictable--;
            }
            refcount.incrementAndGet(); // folio_add_lru: the lru_add batch's reference
            refcount.decrementAndGet(); // the isolation reference
            synchronized (lruLock) { // lru_add_drain -> folio_batch_move_lru -> lru_add
                if (test(UNEVICTABLE)) {
                    clear(UNEVICTABLE);
                }
                if (!test(MLOCKED)) { // folio_evictable
                    nrEvictable++;
                } else {
                    clear(ACTIVE);
                    set(UNEVICTABLE);
                    mlockCount = 0;
                    nrUnevictable++;
                }
                set(LRU);
            }
            refcount.decrementAndGet(); // folios_put of the batch
        }
        refcount.decrementAndGet(); // folio_put
    }

    /** The scenario's end check: unevictable but not mlocked, and no VM_LOCKED VMA maps F. */
    boolean stranded() {
        return test(UNEVICTABLE) && !test(MLOCKED);
    }

    /** One run of both CPUs on threads of their own; throws if F ends stranded. */
    static void run() {
        R1LincheckModel m = new R1LincheckModel();
        Thread a = new Thread(m::cpuA);
        Thread b = new Thread(m::cpuB);
        a.start();
        b.start();
        try {
            a.join();
            b.join();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        if (m.stranded()) {
            throw new IllegalStateException("stranded: F is unevictable but not mlocked");
        }
    }
}
