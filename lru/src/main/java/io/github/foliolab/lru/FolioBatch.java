package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.MemMap;

/**
 * struct folio_batch (include/linux/folio_batch.h): up to {@link #FOLIO_BATCH_SIZE} folios. Holds pfns,
 * not Java references; the batch does not itself own references (the callers that queue into per-CPU
 * batches take one per entry, as the kernel does).
 */
public final class FolioBatch implements FolioBatchView {
    /** FOLIO_BATCH_SIZE in Linux 7.2. */
    public static final int FOLIO_BATCH_SIZE = 31;

    /** The pfn a NULL slot holds. */
    public static final long NULL_PFN = -1L;

    private final MemMap mm;
    private final long[] pfns;
    private int nr;
    /** percpu_pvec_drained: lru_add_drain() was already done for this batch's owner. */
    private boolean percpuPvecDrained;

    /**
     * A batch of the kernel's size, {@link #FOLIO_BATCH_SIZE} entries.
     *
     * @param mm the memmap whose folios the batch holds (by pfn)
     */
    public FolioBatch(MemMap mm) {
        this(mm, FOLIO_BATCH_SIZE);
    }

    /**
     * A batch of another capacity (batching policies).
     *
     * @param mm       the memmap whose folios the batch holds (by pfn)
     * @param capacity the most entries, at least 1
     * @throws IllegalArgumentException if {@code capacity} is below 1
     */
    public FolioBatch(MemMap mm, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("folio batch capacity must be >= 1, got " + capacity);
        }
        this.mm = mm;
        this.pfns = new long[capacity];
    }

    /** folio_batch_init() (include/linux/folio_batch.h): empty, and not yet drained. */
    public void init() {
        nr = 0;
        percpuPvecDrained = false;
    }

    /**
     * folio_batch_reinit() (include/linux/folio_batch.h): empty, but percpu_pvec_drained is kept, so a
     * pass that releases many batches (truncation) drains the per-CPU batches only before its first.
     */
    public void reinit() {
        nr = 0;
    }

    /** folio_batch_count(). */
    @Override
    public int count() {
        return nr;
    }

    /** folio_batch_space(). */
    @Override
    public int space() {
        return pfns.length - nr;
    }

    @Override
    public int capacity() {
        return pfns.length;
    }

    /**
     * folio_batch_add(): append.
     *
     * @param folio the folio
     * @return the space left (0 means the caller must flush)
     * @throws IllegalStateException if the batch is full
     */
    public int add(Folio folio) {
        if (nr == pfns.length) {
            throw new IllegalStateException("folio_batch_add on a full batch (" + nr + " entries): " + folio);
        }
        pfns[nr++] = folio.pfn();
        return pfns.length - nr;
    }

    /**
     * folio_batch_add() of a pfn (no handle).
     *
     * @param pfn the page frame number
     * @return the space left (0 means the caller must flush)
     * @throws IllegalStateException if the batch is full
     */
    public int addPfn(long pfn) {
        if (nr == pfns.length) {
            throw new IllegalStateException("folio_batch_add on a full batch (" + nr + " entries): pfn " + pfn);
        }
        pfns[nr++] = pfn;
        return pfns.length - nr;
    }

    /**
     * fbatch->folios[i] = NULL (an entry removed in place, as the lru_add drain does for dead folios).
     *
     * @param i the entry, 0 to {@code count() - 1}
     */
    public void clearSlot(int i) {
        if (i < 0 || i >= nr) {
            throw new IndexOutOfBoundsException("folio batch index " + i + " of " + nr);
        }
        pfns[i] = NULL_PFN;
    }

    /**
     * {@return true if entry i was cleared to NULL}
     *
     * @param i the entry, 0 to {@code count() - 1}
     */
    public boolean isNull(int i) {
        return pfn(i) == NULL_PFN;
    }

    /**
     * fbatch->folios[i].
     *
     * @param i the entry, 0 to {@code count() - 1}
     * @return the folio of entry i
     * @throws IllegalStateException if the slot is NULL
     */
    public Folio get(int i) {
        if (i < 0 || i >= nr) {
            throw new IndexOutOfBoundsException("folio batch index " + i + " of " + nr);
        }
        if (pfns[i] == NULL_PFN) {
            throw new IllegalStateException("folio batch slot " + i + " is NULL");
        }
        return mm.folio(pfns[i]);
    }

    /** The pfn of entry i, without making a handle. */
    @Override
    public long pfn(int i) {
        if (i < 0 || i >= nr) {
            throw new IndexOutOfBoundsException("folio batch index " + i + " of " + nr);
        }
        return pfns[i];
    }

    /**
     * Overwrite entry i with a pfn.
     *
     * @param i   the entry, 0 to {@code count() - 1}
     * @param pfn the page frame number
     */
    public void setPfn(int i, long pfn) {
        if (i < 0 || i >= nr) {
            throw new IndexOutOfBoundsException("folio batch index " + i + " of " + nr);
        }
        pfns[i] = pfn;
    }

    /**
     * Overwrite entry i (compaction of a batch in place, as folios_put_refs does).
     *
     * @param i     the entry, 0 to {@code count() - 1}
     * @param folio the folio
     */
    public void set(int i, Folio folio) {
        if (i < 0 || i >= nr) {
            throw new IndexOutOfBoundsException("folio batch index " + i + " of " + nr);
        }
        pfns[i] = folio.pfn();
    }

    /**
     * Shrink the batch to {@code n} entries.
     *
     * @param n the entries to keep, 0 to {@code count()}
     */
    public void truncate(int n) {
        if (n < 0 || n > nr) {
            throw new IndexOutOfBoundsException("truncate to " + n + " of " + nr);
        }
        nr = n;
    }

    /**
     * {@return true if the batch holds the folio at {@code pfn}}
     *
     * @param pfn the page frame number
     */
    public boolean contains(long pfn) {
        for (int i = 0; i < nr; i++) {
            if (pfns[i] == pfn) return true;
        }
        return false;
    }

    /** {@return percpu_pvec_drained: lru_add_drain() was already done for this batch's owner} */
    public boolean percpuPvecDrained() {
        return percpuPvecDrained;
    }

    /**
     * Set percpu_pvec_drained.
     *
     * @param v true once lru_add_drain() was done for this batch's owner
     */
    public void setPercpuPvecDrained(boolean v) {
        percpuPvecDrained = v;
    }

    /** {@return the memmap whose folios the batch holds} */
    public MemMap memMap() {
        return mm;
    }

    /**
     * Save the entries, their count and percpu_pvec_drained (a machine checkpoint).
     *
     * @return the action that puts them back
     */
    public Runnable save() {
        long[] saved = pfns.clone();
        int n = nr;
        boolean drained = percpuPvecDrained;
        return () -> {
            System.arraycopy(saved, 0, pfns, 0, saved.length);
            nr = n;
            percpuPvecDrained = drained;
        };
    }
}
