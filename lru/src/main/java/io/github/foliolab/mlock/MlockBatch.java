package io.github.foliolab.mlock;

import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.sync.LocalLock;
import io.github.foliolab.lru.FolioBatch;

/**
 * struct mlock_fbatch of one CPU (mm/mlock.c): a local lock and one folio batch whose entries carry the
 * operation in their low bits, as the kernel tags folio pointers: {@link #LRU_FOLIO} (mlock a folio
 * that is probably on the LRU), {@link #NEW_FOLIO} (mlock a new folio not yet on the LRU), or no tag
 * (munlock). An entry is stored as {@code pfn << 2 | tag}; mlock_folio_batch() strips the tag and stores
 * the plain pfn back before folios_put(). Each entry owns one folio reference.
 */
public final class MlockBatch {
    /** LRU_FOLIO tag (0x1). */
    public static final int LRU_FOLIO = 0x1;
    /** NEW_FOLIO tag (0x2). */
    public static final int NEW_FOLIO = 0x2;
    /** No tag: munlock. */
    public static final int MUNLOCK = 0x0;
    static final int TAG_MASK = LRU_FOLIO | NEW_FOLIO;

    final int cpu;
    /** The schedule-point object of this batch's count (read remotely by need_mlock_drain). */
    final long id;
    /** mlock_fbatch.lock: protects {@link #fbatch}. */
    final LocalLock lock;
    final FolioBatch fbatch;

    MlockBatch(MemMap mm, int cpu, int capacity) {
        this.cpu = cpu;
        this.id = io.github.foliolab.folio.api.sched.SchedPoints.newObjectId("mlock_fbatch/" + cpu);
        this.lock = new LocalLock("mlock_fbatch.lock/" + cpu);
        this.fbatch = new FolioBatch(mm, capacity);
    }

    /** mlock_lru() / mlock_new(): the tagged entry. */
    static long encode(long pfn, int tag) {
        return (pfn << 2) | tag;
    }

    static long pfnOf(long entry) {
        return entry >> 2;
    }

    static int tagOf(long entry) {
        return (int) (entry & TAG_MASK);
    }

    /** {@return the batch's slots (the policy's {@code mlockBatchCapacity()}, 31 for the kernel's)} */
    public int capacity() {
        return fbatch.capacity();
    }

    /** {@return folio_batch_count(): the entries queued (racy unless the lock is held)} */
    public int count() {
        return fbatch.count();
    }

    /**
     * {@return the pfn of entry i (tag stripped)}
     *
     * @param i the entry's index, below {@link #count()}
     */
    public long pfn(int i) {
        return pfnOf(fbatch.pfn(i));
    }

    /**
     * {@return the tag of entry i: {@link #LRU_FOLIO}, {@link #NEW_FOLIO} or {@link #MUNLOCK}}
     *
     * @param i the entry's index, below {@link #count()}
     */
    public int tag(int i) {
        return tagOf(fbatch.pfn(i));
    }

    /** {@return mlock_fbatch.lock, the per-CPU local lock that guards this batch} */
    public LocalLock lock() {
        return lock;
    }

    /** Save the batch and its local lock (a machine checkpoint). */
    Runnable save() {
        return io.github.foliolab.folio.Restorable.saveAll(fbatch::save, lock);
    }
}
