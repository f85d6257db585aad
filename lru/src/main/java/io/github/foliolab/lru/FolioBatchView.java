package io.github.foliolab.lru;

/**
 * A read-only view of one per-CPU folio batch (struct folio_batch), for a {@link LruBatchPolicy}'s flush
 * rule: how many entries it holds, its capacity, and which folios (by pfn).
 */
public interface FolioBatchView {
    /** {@return folio_batch_count(): entries held} */
    int count();

    /** {@return the number of slots (FOLIO_BATCH_SIZE = 31 in the kernel, or the policy's capacity)} */
    int capacity();

    /** {@return folio_batch_space(): slots left; 0 means full} */
    int space();

    /**
     * The pfn of entry {@code i}.
     *
     * @param i the entry's index, 0 &lt;= i &lt; count()
     * @return its head page's pfn, or -1 for a slot cleared by a move
     */
    long pfn(int i);
}
