package io.github.foliolab.folio.internal;

import io.github.foliolab.folio.MemMap;

import java.lang.foreign.MemorySegment;

/**
 * Raw stores into struct page / struct folio words, for the modules that own those words (the buddy
 * allocator, the LRU lists, mlock_count, the page cache and rmap). Only setRefCount is a schedule point; none
 * checks anything, and each is only correct under the lock or ownership rule its caller documents. This
 * package is exported only to the library's own modules; users change folios through the checked,
 * scheduled operations of {@link MemMap} and {@link io.github.foliolab.folio.Folio}.
 */
public final class PageWords {
    private PageWords() {}

    /** What {@link MemMap} hands this class when it is initialised (the raw stores it keeps private). */
    public interface Access {
        /**
         * Store a reference count.
         *
         * @param mm the memmap
         * @param pfn the folio's head page frame number
         * @param v the new count
         */
        void setRefCount(MemMap mm, long pfn, int v);

        /**
         * Store lru.next.
         *
         * @param mm the memmap
         * @param pfn the page frame number
         * @param v the next entry's pfn or list-head id
         */
        void setLruNext(MemMap mm, long pfn, long v);

        /**
         * Store lru.prev.
         *
         * @param mm the memmap
         * @param pfn the page frame number
         * @param v the previous entry's pfn or list-head id
         */
        void setLruPrev(MemMap mm, long pfn, long v);

        /**
         * Store folio->mlock_count.
         *
         * @param mm the memmap
         * @param pfn the folio's head page frame number
         * @param v the new mlock count
         */
        void setMlockCount(MemMap mm, long pfn, int v);

        /**
         * Store folio->mapping (WRITE_ONCE).
         *
         * @param mm the memmap
         * @param pfn the folio's head page frame number
         * @param v the mapping handle with its tag bits, 0 for none
         */
        void setMapping(MemMap mm, long pfn, long v);

        /**
         * Store folio->index.
         *
         * @param mm the memmap
         * @param pfn the folio's head page frame number
         * @param v the index, in pages
         */
        void setIndex(MemMap mm, long pfn, long v);

        /**
         * Store the private word.
         *
         * @param mm the memmap
         * @param pfn the page frame number
         * @param v the new private word
         */
        void setPrivateWord(MemMap mm, long pfn, long v);

        /**
         * The memmap's writable segment.
         *
         * @param mm the memmap
         * @return the segment of 64-byte descriptors, indexed by pfn
         */
        MemorySegment segment(MemMap mm);
    }

    /** Set once, by MemMap's static initialiser (which runs before any MemMap exists to pass here). */
    private static volatile Access access;

    /**
     * Called once by {@link MemMap}'s static initialiser.
     *
     * @param a MemMap's raw stores
     * @throws IllegalStateException on a second call
     */
    public static void install(Access a) {
        if (access != null) {
            throw new IllegalStateException("PageWords access already installed");
        }
        access = a;
    }

    private static Access a() {
        return access;
    }

    /**
     * folio_set_count() / set_page_count(): atomic_set, relaxed (a SET_COUNT schedule point, no checks).
     *
     * @param mm the memmap
     * @param pfn the folio's head page frame number
     * @param v the new count (0 frees or freezes; no check is made)
     */
    public static void setRefCount(MemMap mm, long pfn, int v) {
        a().setRefCount(mm, pfn, v);
    }

    /**
     * lru.next: plain store; the caller owns the folio's list linkage.
     *
     * @param mm the memmap
     * @param pfn the page frame number
     * @param v the next entry's pfn or list-head id
     */
    public static void setLruNext(MemMap mm, long pfn, long v) {
        a().setLruNext(mm, pfn, v);
    }

    /**
     * lru.prev: plain store; the caller owns the folio's list linkage.
     *
     * @param mm the memmap
     * @param pfn the page frame number
     * @param v the previous entry's pfn or list-head id
     */
    public static void setLruPrev(MemMap mm, long pfn, long v) {
        a().setLruPrev(mm, pfn, v);
    }

    /**
     * folio->mlock_count (overlaying lru.prev): plain store, under lru_lock (mm/mlock.c).
     *
     * @param mm the memmap
     * @param pfn the folio's head page frame number
     * @param v the new mlock count, in VM_LOCKED mappings
     */
    public static void setMlockCount(MemMap mm, long pfn, int v) {
        a().setMlockCount(mm, pfn, v);
    }

    /**
     * WRITE_ONCE(folio->mapping, v).
     *
     * @param mm the memmap
     * @param pfn the folio's head page frame number
     * @param v the mapping handle with its tag bits (bit 0: anon_vma), 0 for none
     */
    public static void setMapping(MemMap mm, long pfn, long v) {
        a().setMapping(mm, pfn, v);
    }

    /**
     * folio->index: plain store.
     *
     * @param mm the memmap
     * @param pfn the folio's head page frame number
     * @param v the index, in pages
     */
    public static void setIndex(MemMap mm, long pfn, long v) {
        a().setIndex(mm, pfn, v);
    }

    /**
     * folio->private: plain store.
     *
     * @param mm the memmap
     * @param pfn the page frame number
     * @param v the new private word
     */
    public static void setPrivateWord(MemMap mm, long pfn, long v) {
        a().setPrivateWord(mm, pfn, v);
    }

    /**
     * The memmap's writable segment (benchmarks' bare-atomics floor; snapshots restored in place).
     *
     * @param mm the memmap
     * @return the writable segment, 64 bytes per pfn in struct page layout
     */
    public static MemorySegment segment(MemMap mm) {
        return a().segment(mm);
    }
}
