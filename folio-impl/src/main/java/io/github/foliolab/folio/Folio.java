package io.github.foliolab.folio;

import io.github.foliolab.folio.api.PageFlags;

import static io.github.foliolab.folio.api.PageFlags.PG_active;
import static io.github.foliolab.folio.api.PageFlags.PG_dirty;
import static io.github.foliolab.folio.api.PageFlags.PG_locked;
import static io.github.foliolab.folio.api.PageFlags.PG_lru;
import static io.github.foliolab.folio.api.PageFlags.PG_mlocked;
import static io.github.foliolab.folio.api.PageFlags.PG_referenced;
import static io.github.foliolab.folio.api.PageFlags.PG_swapbacked;
import static io.github.foliolab.folio.api.PageFlags.PG_unevictable;
import static io.github.foliolab.folio.api.PageFlags.PG_workingset;
import static io.github.foliolab.folio.api.PageFlags.PG_writeback;

/**
 * A {@code struct folio *}: a cheap handle (memmap + head pfn) that can be created and dropped freely.
 * All state lives in the off-heap descriptor; two handles for the same pfn are equal. Each method names
 * the kernel helper it models and its ordering (see {@link MemMap} for the mapping to Java).
 */
public final class Folio {
    private final MemMap mm;
    private final long pfn;

    Folio(MemMap mm, long pfn) {
        this.mm = mm;
        this.pfn = pfn;
    }

    public MemMap memMap() {
        return mm;
    }

    /** folio_pfn(). */
    public long pfn() {
        return pfn;
    }

    /** folio_order(). */
    public int order() {
        return mm.order(pfn);
    }

    /** folio_nr_pages(). */
    public long nrPages() {
        return mm.nrPages(pfn);
    }

    /** folio_test_large(). */
    public boolean isLarge() {
        return mm.isLarge(pfn);
    }

    /** is_zero_folio(). */
    public boolean isZero() {
        return mm.isZeroFolio(pfn);
    }

    /** folio_nid(): the node id from the node bits of the flags word. */
    public int nid() {
        return mm.nid(pfn);
    }

    /** folio_pgdat(): the folio's node. */
    public Node pgdat() {
        return mm.nodeOf(pfn);
    }

    /** folio_zone(): the zone from the zone bits of the flags word (page_zonenum). */
    public Zone zone() {
        return mm.node().zoneOf(pfn);
    }

    // ------------------------------------------------------------ generic flag operations

    /**
     * folio_test_X(): relaxed read of bit {@code bit}.
     *
     * @param bit the PG_ flag bit number
     */
    public boolean test(int bit) {
        return mm.testFlag(pfn, bit);
    }

    /**
     * folio_set_X(): atomic set_bit, relaxed.
     *
     * @param bit the PG_ flag bit number
     */
    public void set(int bit) {
        mm.setFlag(pfn, bit);
    }

    /**
     * folio_clear_X(): atomic clear_bit, relaxed.
     *
     * @param bit the PG_ flag bit number
     */
    public void clear(int bit) {
        mm.clearFlag(pfn, bit);
    }

    /**
     * folio_test_set_X(): test_and_set_bit, fully ordered.
     *
     * @param bit the PG_ flag bit number
     */
    public boolean testSet(int bit) {
        return mm.testSetFlag(pfn, bit);
    }

    /**
     * folio_test_clear_X(): test_and_clear_bit, fully ordered.
     *
     * @param bit the PG_ flag bit number
     */
    public boolean testClear(int bit) {
        return mm.testClearFlag(pfn, bit);
    }

    /**
     * __folio_set_X(): non-atomic.
     *
     * @param bit the PG_ flag bit number
     */
    public void nonAtomicSet(int bit) {
        mm.nonAtomicSetFlag(pfn, bit);
    }

    /**
     * __folio_clear_X(): non-atomic.
     *
     * @param bit the PG_ flag bit number
     */
    public void nonAtomicClear(int bit) {
        mm.nonAtomicClearFlag(pfn, bit);
    }

    /** {@return the whole flags word (no schedule point)} */
    public long flags() {
        return mm.flagsWord(pfn);
    }

    // ------------------------------------------------------------ named flags the LRU and mlock code use

    /** folio_test_lru(). */
    public boolean testLru() {
        return test(PG_lru);
    }

    /** folio_set_lru(): relaxed; only under lru_lock after insertion (see the lru module). */
    public void setLru() {
        set(PG_lru);
    }

    /** folio_clear_lru(). */
    public void clearLru() {
        clear(PG_lru);
    }

    /** folio_test_clear_lru(): fully ordered; the isolation ticket. */
    public boolean testClearLru() {
        return testClear(PG_lru);
    }

    /** folio_test_active(). */
    public boolean testActive() {
        return test(PG_active);
    }

    /** folio_set_active(). */
    public void setActive() {
        set(PG_active);
    }

    /** folio_clear_active(). */
    public void clearActive() {
        clear(PG_active);
    }

    /** folio_test_clear_active(). */
    public boolean testClearActive() {
        return testClear(PG_active);
    }

    /** folio_test_unevictable(). */
    public boolean testUnevictable() {
        return test(PG_unevictable);
    }

    /** folio_set_unevictable(). */
    public void setUnevictable() {
        set(PG_unevictable);
    }

    /** folio_clear_unevictable(). */
    public void clearUnevictable() {
        clear(PG_unevictable);
    }

    /** folio_test_clear_unevictable(). */
    public boolean testClearUnevictable() {
        return testClear(PG_unevictable);
    }

    /** folio_test_mlocked(). */
    public boolean testMlocked() {
        return test(PG_mlocked);
    }

    /** folio_test_set_mlocked(): fully ordered. */
    public boolean testSetMlocked() {
        return testSet(PG_mlocked);
    }

    /** folio_test_clear_mlocked(): fully ordered. */
    public boolean testClearMlocked() {
        return testClear(PG_mlocked);
    }

    /** folio_test_referenced(). */
    public boolean testReferenced() {
        return test(PG_referenced);
    }

    /** folio_set_referenced(). */
    public void setReferenced() {
        set(PG_referenced);
    }

    /** folio_clear_referenced(). */
    public void clearReferenced() {
        clear(PG_referenced);
    }

    /** folio_test_clear_referenced(). */
    public boolean testClearReferenced() {
        return testClear(PG_referenced);
    }

    /** folio_test_workingset(). */
    public boolean testWorkingset() {
        return test(PG_workingset);
    }

    /** folio_test_swapbacked(). */
    public boolean testSwapbacked() {
        return test(PG_swapbacked);
    }

    /** folio_is_file_lru(): !PG_swapbacked. */
    public boolean isFileLru() {
        return !testSwapbacked();
    }

    /** folio_test_dirty(). */
    public boolean testDirty() {
        return test(PG_dirty);
    }

    /** folio_test_writeback(). */
    public boolean testWriteback() {
        return test(PG_writeback);
    }

    /** folio_test_locked(). */
    public boolean testLocked() {
        return test(PG_locked);
    }

    /** folio_trylock(): acquire. */
    public boolean trylock() {
        return mm.trylock(pfn);
    }

    /** folio_unlock(): release. */
    public void unlock() {
        mm.unlock(pfn);
    }

    // ------------------------------------------------------------ references

    /** folio_ref_count(). */
    public int refCount() {
        return mm.refCount(pfn);
    }

    /** folio_get(). */
    public void get() {
        mm.get(pfn);
    }

    /** folio_try_get(). */
    public boolean tryGet() {
        return mm.tryGet(pfn);
    }

    /** folio_put(); true if it freed the folio. */
    public boolean put() {
        return mm.put(pfn);
    }

    /**
     * folio_put_refs().
     *
     * @param refs the number of references
     */
    public boolean putRefs(int refs) {
        return mm.putRefs(pfn, refs);
    }

    /** folio_ref_add(). */
    public void refAdd(int n) {
        mm.refAdd(pfn, n);
    }

    /** folio_ref_sub(). */
    public void refSub(int n) {
        mm.refSub(pfn, n);
    }

    /** folio_ref_sub_and_test(). */
    public boolean refSubAndTest(int n) {
        return mm.refSubAndTest(pfn, n);
    }

    /**
     * folio_ref_freeze().
     *
     * @param count the count
     */
    public boolean refFreeze(int count) {
        return mm.refFreeze(pfn, count);
    }

    /**
     * folio_ref_unfreeze().
     *
     * @param count the count
     */
    public void refUnfreeze(int count) {
        mm.refUnfreeze(pfn, count);
    }

    /**
     * try_grab_folio() (mm/gup.c).
     *
     * @param refs the number of references
     * @param gupFlags the FOLL_* flags
     */
    public int tryGrabFolio(int refs, int gupFlags) {
        return mm.tryGrabFolio(pfn, refs, gupFlags);
    }

    /**
     * gup_put_folio() (mm/gup.c).
     *
     * @param refs the number of references
     * @param gupFlags the FOLL_* flags
     */
    public void gupPutFolio(int refs, int gupFlags) {
        mm.gupPutFolio(pfn, refs, gupFlags);
    }

    /** unpin_folio() (mm/gup.c): drop one FOLL_PIN pin. */
    public void unpinFolio() {
        mm.gupPutFolio(pfn, 1, MemMap.FOLL_PIN);
    }

    /** folio_maybe_dma_pinned(). */
    public boolean maybeDmaPinned() {
        return mm.maybeDmaPinned(pfn);
    }

    /** _pincount (large folios). */
    public int pincount() {
        return mm.pincount(pfn);
    }

    // ------------------------------------------------------------ mapcount and other fields

    /** folio_mapcount(). */
    public int mapcount() {
        return mm.folioMapcount(pfn);
    }

    /** folio_mapped(). */
    public boolean mapped() {
        return mm.folioMapcount(pfn) > 0;
    }

    /** folio->mlock_count (valid while PG_unevictable and PG_lru); plain, under lru_lock. */
    public int mlockCount() {
        return mm.mlockCount(pfn);
    }

    /** folio->mapping. */
    public long mapping() {
        return mm.mapping(pfn);
    }

    /** folio->index. */
    public long index() {
        return mm.index(pfn);
    }

    /** folio_test_anon(): bit 0 of mapping (PAGE_MAPPING_ANON). */
    public boolean isAnon() {
        return (mm.mapping(pfn) & 1L) != 0;
    }

    /** dump_page(). */
    public String dump() {
        return mm.dumpPage(pfn);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Folio f && f.pfn == pfn && f.mm == mm;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(pfn);
    }

    @Override
    public String toString() {
        return "folio(pfn 0x" + Long.toHexString(pfn) + ", " + PageFlags.describe(mm.flagsWord(pfn)) + ")";
    }
}
