package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;

/**
 * How folios are batched on their way to the LRU: the per-CPU batch capacity, the may-be-cached test,
 * where lru_add entries wait (per-CPU batch or one shared buffer), and how lru_add_drain_all() reaches
 * other CPUs. The kernel's choice is {@link LruBatchPolicies#kernel()}; implement this interface to try
 * another without touching the library, and install it with {@link Swap#configure}.
 */
public interface LruBatchPolicy {
    /** How lru_add_drain_all() gets another CPU's batches drained. */
    enum RemoteDrain {
        /** The kernel's: queue lru_add_drain_per_cpu work on the CPU and flush_work() it. */
        WORK_QUEUE,
        /** PREEMPT_RT style: drain the remote CPU's batches from the caller, under that CPU's local locks. */
        REMOTE_LOCAL_LOCK
    }

    /** {@return a short name for reports and benchmark parameters} */
    String name();

    /** {@return the capacity of each per-CPU folio batch (FOLIO_BATCH_SIZE = 31 in the kernel); at least 1} */
    int batchCapacity();

    /**
     * folio_may_be_lru_cached(): may this folio be left sitting in a batch after the add returns? The
     * kernel says {@code !folio_test_large(folio)}.
     *
     * @param folio the folio
     */
    default boolean mayBeLruCached(Folio folio) {
        return !folio.isLarge();
    }

    /** {@return the remote drain mechanism of lru_add_drain_all()} */
    default RemoteDrain remoteDrain() {
        return RemoteDrain.WORK_QUEUE;
    }

    /**
     * If positive, lru_add entries do not go to the per-CPU batch but to one machine-wide multi-producer
     * buffer of this many slots, drained under lru_lock by whichever CPU gets the lock (Caffeine's read
     * buffer scheme). 0 (the kernel) uses the per-CPU lru_add batch.
     */
    default int sharedAddBufferSize() {
        return 0;
    }
}
