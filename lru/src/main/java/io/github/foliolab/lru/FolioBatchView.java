package io.github.foliolab.lru;

/**
 * A read-only view of one per-CPU folio batch (struct folio_batch), for a {@link LruBatchPolicy}'s flush
 * rule: how many entries it holds, its capacity, and which folios (by pfn).
 */
public interface FolioBatchView {
    /** folio_batch_count(): entries held. */
    int count();

    /** The number of slots (FOLIO_BATCH_SIZE = 31 in the kernel, or the policy's capacity). */
    int capacity();

    /** folio_batch_space(): slots left; 0 means full. */
    int space();

    /** The pfn of entry {@code i} (0 &lt;= i &lt; count()), -1 for a slot cleared by a move. */
    long pfn(int i);
}
