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
 * the kernel helper it models and its ordering (see {@link MemMap} for the mapping to Java): the flag
 * helpers are include/linux/page-flags.h's, the reference helpers include/linux/page_ref.h's and
 * include/linux/mm.h's, the pin helpers mm/gup.c's. A tail page's pfn is never a folio (a VM_BUG).
 */
public final class Folio {
    private final MemMap mm;
    private final long pfn;

    Folio(MemMap mm, long pfn) {
        this.mm = mm;
        this.pfn = pfn;
    }

    /**
     * The memmap this folio's descriptors live in (one per machine, shared by every node).
     *
     * @return the memmap holding this folio's {@code struct page} descriptors
     */
    public MemMap memMap() {
        return mm;
    }

    /**
     * folio_pfn().
     *
     * @return the page frame number of the folio's head page
     */
    public long pfn() {
        return pfn;
    }

    /**
     * folio_order().
     *
     * @return the order: log2 of the number of pages, 0 for a small folio
     */
    public int order() {
        return mm.order(pfn);
    }

    /**
     * folio_nr_pages().
     *
     * @return the number of 4 KiB pages, {@code 1 << order()}
     */
    public long nrPages() {
        return mm.nrPages(pfn);
    }

    /**
     * folio_test_large().
     *
     * @return true if the folio has more than one page (PG_head set on its first page)
     */
    public boolean isLarge() {
        return mm.isLarge(pfn);
    }

    /**
     * is_zero_folio().
     *
     * @return true if this is the node's shared zero page
     */
    public boolean isZero() {
        return mm.isZeroFolio(pfn);
    }

    /**
     * folio_nid(): the node id from the node bits of the flags word.
     *
     * @return the NUMA node id the folio's memory belongs to
     */
    public int nid() {
        return mm.nid(pfn);
    }

    /**
     * folio_pgdat(): the folio's node.
     *
     * @return the node ({@code pg_data_t}) the folio's memory belongs to
     */
    public Node pgdat() {
        return mm.nodeOf(pfn);
    }

    /**
     * folio_zone(): the zone from the zone bits of the flags word (page_zonenum).
     *
     * @return the zone the folio's head page belongs to
     */
    public Zone zone() {
        return mm.node().zoneOf(pfn);
    }

    // ------------------------------------------------------------ generic flag operations

    /**
     * folio_test_X(): relaxed read of bit {@code bit}.
     *
     * @param bit the PG_ flag bit number
     * @return true if the bit is set
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
     * @return the bit's old value
     */
    public boolean testSet(int bit) {
        return mm.testSetFlag(pfn, bit);
    }

    /**
     * folio_test_clear_X(): test_and_clear_bit, fully ordered.
     *
     * @param bit the PG_ flag bit number
     * @return the bit's old value
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

    /**
     * folio_test_lru().
     *
     * @return true if PG_lru is set (the folio is on an LRU list, not isolated)
     */
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

    /**
     * folio_test_clear_lru(): fully ordered; the isolation ticket.
     *
     * @return true if this call cleared PG_lru (the caller now owns the isolation), false if it was already clear
     */
    public boolean testClearLru() {
        return testClear(PG_lru);
    }

    /**
     * folio_test_active().
     *
     * @return true if PG_active is set
     */
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

    /**
     * folio_test_clear_active().
     *
     * @return true if PG_active was set (and is now clear)
     */
    public boolean testClearActive() {
        return testClear(PG_active);
    }

    /**
     * folio_test_unevictable().
     *
     * @return true if PG_unevictable is set
     */
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

    /**
     * folio_test_clear_unevictable().
     *
     * @return true if PG_unevictable was set (and is now clear)
     */
    public boolean testClearUnevictable() {
        return testClear(PG_unevictable);
    }

    /**
     * folio_test_mlocked().
     *
     * @return true if PG_mlocked is set
     */
    public boolean testMlocked() {
        return test(PG_mlocked);
    }

    /**
     * folio_test_set_mlocked(): fully ordered.
     *
     * @return the old PG_mlocked: false if this call set it
     */
    public boolean testSetMlocked() {
        return testSet(PG_mlocked);
    }

    /**
     * folio_test_clear_mlocked(): fully ordered.
     *
     * @return the old PG_mlocked: true if this call cleared it
     */
    public boolean testClearMlocked() {
        return testClear(PG_mlocked);
    }

    /**
     * folio_test_referenced().
     *
     * @return true if PG_referenced is set
     */
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

    /**
     * folio_test_clear_referenced().
     *
     * @return true if PG_referenced was set (and is now clear)
     */
    public boolean testClearReferenced() {
        return testClear(PG_referenced);
    }

    /**
     * folio_test_workingset().
     *
     * @return true if PG_workingset is set
     */
    public boolean testWorkingset() {
        return test(PG_workingset);
    }

    /**
     * folio_test_swapbacked().
     *
     * @return true if PG_swapbacked is set (anon or shmem: the anon LRU lists)
     */
    public boolean testSwapbacked() {
        return test(PG_swapbacked);
    }

    /**
     * folio_is_file_lru(): !PG_swapbacked.
     *
     * @return true if the folio belongs on the file LRU lists
     */
    public boolean isFileLru() {
        return !testSwapbacked();
    }

    /**
     * folio_test_dirty().
     *
     * @return true if PG_dirty is set
     */
    public boolean testDirty() {
        return test(PG_dirty);
    }

    /**
     * folio_test_writeback().
     *
     * @return true if PG_writeback is set
     */
    public boolean testWriteback() {
        return test(PG_writeback);
    }

    /**
     * folio_test_locked().
     *
     * @return true if PG_locked is set (by anyone)
     */
    public boolean testLocked() {
        return test(PG_locked);
    }

    /**
     * folio_trylock(): acquire.
     *
     * @return true if this call took the folio lock, false if somebody holds it
     */
    public boolean trylock() {
        return mm.trylock(pfn);
    }

    /** folio_unlock(): release. */
    public void unlock() {
        mm.unlock(pfn);
    }

    // ------------------------------------------------------------ references

    /**
     * folio_ref_count().
     *
     * @return the reference count (0 for a free or frozen folio)
     */
    public int refCount() {
        return mm.refCount(pfn);
    }

    /** folio_get(). */
    public void get() {
        mm.get(pfn);
    }

    /**
     * folio_try_get().
     *
     * @return true if a reference was taken, false if the count was 0 (free or frozen: nothing changed)
     */
    public boolean tryGet() {
        return mm.tryGet(pfn);
    }

    /**
     * folio_put(); true if it freed the folio.
     *
     * @return true if this put dropped the last reference and freed the folio
     */
    public boolean put() {
        return mm.put(pfn);
    }

    /**
     * folio_put_refs().
     *
     * @param refs the number of references
     * @return true if the count reached 0 and the folio was freed
     */
    public boolean putRefs(int refs) {
        return mm.putRefs(pfn, refs);
    }

    /**
     * folio_ref_add().
     *
     * @param n the number of references to add, positive
     */
    public void refAdd(int n) {
        mm.refAdd(pfn, n);
    }

    /**
     * folio_ref_sub().
     *
     * @param n the number of references to drop, positive; the count must stay above 0
     */
    public void refSub(int n) {
        mm.refSub(pfn, n);
    }

    /**
     * folio_ref_sub_and_test().
     *
     * @param n the number of references to drop, positive
     * @return true if the count reached 0 (the folio is not freed by this call)
     */
    public boolean refSubAndTest(int n) {
        return mm.refSubAndTest(pfn, n);
    }

    /**
     * folio_ref_freeze().
     *
     * @param count the count
     * @return true if the count was exactly {@code count} and is now 0 (frozen); false with nothing changed
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
     * @return 0, or -ENOMEM when the count is not positive (nothing changed)
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

    /**
     * folio_maybe_dma_pinned().
     *
     * @return true if the folio may be pinned for DMA (exact for a large folio, a heuristic for a small one)
     */
    public boolean maybeDmaPinned() {
        return mm.maybeDmaPinned(pfn);
    }

    /**
     * _pincount (large folios).
     *
     * @return the folio's _pincount: the number of FOLL_PIN pins of a large folio, 0 for a small folio
     */
    public int pincount() {
        return mm.pincount(pfn);
    }

    // ------------------------------------------------------------ mapcount and other fields

    /**
     * folio_mapcount().
     *
     * @return the number of page-table mappings of the folio's pages, 0 when unmapped
     */
    public int mapcount() {
        return mm.folioMapcount(pfn);
    }

    /**
     * folio_mapped().
     *
     * @return true if any page of the folio is mapped by a page table
     */
    public boolean mapped() {
        return mm.folioMapcount(pfn) > 0;
    }

    /**
     * folio->mlock_count (valid while PG_unevictable and PG_lru); plain, under lru_lock.
     *
     * @return the mlock count: how many VM_LOCKED VMAs are believed to map the folio
     */
    public int mlockCount() {
        return mm.mlockCount(pfn);
    }

    /**
     * folio->mapping.
     *
     * @return the mapping handle with its low tag bits (bit 0 set for anon: an anon_vma), 0 for none
     */
    public long mapping() {
        return mm.mapping(pfn);
    }

    /**
     * folio->index.
     *
     * @return the page offset in the mapping (file) or the linear page index in the VMA (anon), in pages
     */
    public long index() {
        return mm.index(pfn);
    }

    /**
     * folio_test_anon(): bit 0 of mapping (PAGE_MAPPING_ANON).
     *
     * @return true if the folio is anonymous
     */
    public boolean isAnon() {
        return (mm.mapping(pfn) & 1L) != 0;
    }

    /**
     * dump_page().
     *
     * @return the descriptor as dump_page() prints it, several lines
     */
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
