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

    /** A batch of the kernel's size. */
    public FolioBatch(MemMap mm) {
        this(mm, FOLIO_BATCH_SIZE);
    }

    /** A batch of another capacity (batching policies); at least 1. */
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

    /** folio_batch_add(): append; returns the space left (0 means the caller must flush). */
    public int add(Folio folio) {
        if (nr == pfns.length) {
            throw new IllegalStateException("folio_batch_add on a full batch (" + nr + " entries): " + folio);
        }
        pfns[nr++] = folio.pfn();
        return pfns.length - nr;
    }

    /** folio_batch_add() of a pfn (no handle); returns the space left. */
    public int addPfn(long pfn) {
        if (nr == pfns.length) {
            throw new IllegalStateException("folio_batch_add on a full batch (" + nr + " entries): pfn " + pfn);
        }
        pfns[nr++] = pfn;
        return pfns.length - nr;
    }

    /** fbatch->folios[i] = NULL (an entry removed in place, as the lru_add drain does for dead folios). */
    public void clearSlot(int i) {
        if (i < 0 || i >= nr) {
            throw new IndexOutOfBoundsException("folio batch index " + i + " of " + nr);
        }
        pfns[i] = NULL_PFN;
    }

    /** True if entry i was cleared to NULL. */
    public boolean isNull(int i) {
        return pfn(i) == NULL_PFN;
    }

    /** fbatch->folios[i]; a VM_BUG-free IllegalStateException if the slot is NULL. */
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

    /** Overwrite entry i with a pfn. */
    public void setPfn(int i, long pfn) {
        if (i < 0 || i >= nr) {
            throw new IndexOutOfBoundsException("folio batch index " + i + " of " + nr);
        }
        pfns[i] = pfn;
    }

    /** Overwrite entry i (compaction of a batch in place, as folios_put_refs does). */
    public void set(int i, Folio folio) {
        if (i < 0 || i >= nr) {
            throw new IndexOutOfBoundsException("folio batch index " + i + " of " + nr);
        }
        pfns[i] = folio.pfn();
    }

    /** Shrink the batch to {@code n} entries. */
    public void truncate(int n) {
        if (n < 0 || n > nr) {
            throw new IndexOutOfBoundsException("truncate to " + n + " of " + nr);
        }
        nr = n;
    }

    /** True if entry pfn is in the batch. */
    public boolean contains(long pfn) {
        for (int i = 0; i < nr; i++) {
            if (pfns[i] == pfn) return true;
        }
        return false;
    }

    public boolean percpuPvecDrained() {
        return percpuPvecDrained;
    }

    public void setPercpuPvecDrained(boolean v) {
        percpuPvecDrained = v;
    }

    public MemMap memMap() {
        return mm;
    }
}
