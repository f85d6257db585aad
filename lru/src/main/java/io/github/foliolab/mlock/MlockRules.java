package io.github.foliolab.mlock;

import io.github.foliolab.folio.Machine;

/**
 * Which rules of mm/mlock.c a machine runs: Linux 7.2's ({@link #LINUX_7_2}, the default) or a candidate
 * change proposed against the mlock_count overcount (a stale LRU_FOLIO entry in another CPU's mlock batch
 * counts a mapping whose munlock has already been done), or the 2023 patch that mlocked large folios mapped
 * only in part. Chosen with the {@link Mlock#RULES} build option so that the explorer can judge a candidate
 * change from the system-call level; nothing else in the library reads it, and a user who does not set it
 * runs 7.2.
 *
 * @param munlockRecheckUnderLruLock false (7.2): __munlock_folio that loses the PG_lru ticket clears
 *        PG_mlocked without lru_lock. True (R1's fix (c), scenario munlock-putback): it takes lru_lock, tests
 *        PG_lru again, and takes the isolated path if it wins it now, else clears PG_mlocked under lru_lock
 * @param countBatchedMlock true (7.2): __mlock_folio of an LRU_FOLIO entry that finds the folio already
 *        PG_unevictable and PG_mlocked increments mlock_count. False (candidate "no increment"): it leaves
 *        mlock_count alone, so the count is only ever 0 or 1 (set when the folio is culled) and every
 *        munlock of a folio mapped by several VM_LOCKED VMAs is an undercount that reclaim corrects
 * @param drainAllBeforeMunlockWalk false (7.2): mlock_vma_pages_range drains only the local CPU's batches
 *        before its walk. True (candidate "drain all"): a munlock's walk (VM_LOCKED being cleared) is
 *        preceded by lru_add_drain_all(), under the mmap_lock held for writing, so that no mlock entry
 *        queued by an earlier fault of this mm is still waiting on another CPU when the munlock entries
 *        are processed
 * @param mlockOnlyMappedWhole true (7.2): mlock_pte_range (allow_mlock_munlock, mm/mlock.c) mlocks a large
 *        folio only when it lies within the range (folio_within_range) and the walked PTEs map all of its
 *        pages. False (candidate "within range", the 2023 patch under review, scenario thp-split-mlock): a
 *        large folio within the range is mlocked even when the range maps only part of it
 */
public record MlockRules(boolean munlockRecheckUnderLruLock, boolean countBatchedMlock, boolean drainAllBeforeMunlockWalk,
                         boolean mlockOnlyMappedWhole) {
    /** Linux 7.2's rules. */
    public static final MlockRules LINUX_7_2 = new MlockRules(false, true, false, true);

    /**
     * Rules that differ from 7.2 only in the first three choices; large folios are mlocked as 7.2 does.
     *
     * @param munlockRecheckUnderLruLock see the record
     * @param countBatchedMlock see the record
     * @param drainAllBeforeMunlockWalk see the record
     */
    public MlockRules(boolean munlockRecheckUnderLruLock, boolean countBatchedMlock, boolean drainAllBeforeMunlockWalk) {
        this(munlockRecheckUnderLruLock, countBatchedMlock, drainAllBeforeMunlockWalk, true);
    }

    /** The build option's value for a machine: {@code Machine.builder().with(Mlock.RULES, rules)}. */
    static Machine.Option<MlockRules> option() {
        return new Machine.Option<>("mm/mlock.c rules", LINUX_7_2);
    }
}
