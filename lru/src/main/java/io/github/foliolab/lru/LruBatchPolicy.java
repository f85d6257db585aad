package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;

/**
 * How folios are batched on their way to the LRU (mm/swap.c's cpu_fbatches): the capacity of each kind
 * of per-CPU batch and of the mlock batch, the flush rule that decides after each add whether the batch
 * moves to the LRU now, the may-be-cached test, where lru_add entries wait (per-CPU batch or one shared
 * buffer), and how lru_add_drain_all() reaches other CPUs. The kernel's choice is {@link LruBatchPolicies#kernel()}; implement this interface to try
 * another without touching the library, and build a machine with it:
 * {@code Machine.builder().with(Swap.POLICY, policy).build()}.
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

    /**
     * The capacity, in folios, of each CPU's batch of {@code kind} (FOLIO_BATCH_SIZE = 31 for every kind
     * in the kernel).
     *
     * @param kind the batch kind
     * @return the capacity, at least 1
     */
    int batchCapacity(BatchKind kind);

    /**
     * The capacity, in folios, of each CPU's mlock batch (mm/mlock.c's mlock_fbatch; 31 in the kernel),
     * set apart from the LRU batches.
     *
     * @return the capacity, at least 1
     */
    default int mlockBatchCapacity() {
        return FolioBatch.FOLIO_BATCH_SIZE;
    }

    /**
     * The flush rule of __folio_batch_add_and_move(): {@code folio} has just been added to this CPU's
     * batch of {@code kind} (under its local lock); move the whole batch to the LRU now? The kernel's rule
     * is "the batch is full, or the folio may not be cached, or the LRU caches are disabled", evaluated in
     * that order and stopping at the first true (each test a step the explorer sees; {@code
     * swap.lruCacheDisabled()} reads lru_disable_count).
     *
     * @param kind the batch's kind
     * @param batch the batch after the add (read-only)
     * @param folio the folio just added
     * @param swap the machine's mm/swap.c state, for lru_cache_disabled()
     * @return true to move the batch to the LRU now (folio_batch_move_lru under lru_lock), false to leave it
     */
    default boolean moveNow(BatchKind kind, FolioBatchView batch, Folio folio, Swap swap) {
        return batch.space() == 0 || !mayBeLruCached(folio) || swap.lruCacheDisabled();
    }

    /**
     * folio_may_be_lru_cached(): may this folio be left sitting in a batch after the add returns? The
     * kernel says {@code !folio_test_large(folio)}.
     *
     * @param folio the folio
     * @return true if it may wait in a per-CPU batch
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
     *
     * @return the shared buffer's size in folios, or 0 for per-CPU lru_add batches
     */
    default int sharedAddBufferSize() {
        return 0;
    }
}
