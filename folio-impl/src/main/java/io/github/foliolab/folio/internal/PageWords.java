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
        void setRefCount(MemMap mm, long pfn, int v);

        void setLruNext(MemMap mm, long pfn, long v);

        void setLruPrev(MemMap mm, long pfn, long v);

        void setMlockCount(MemMap mm, long pfn, int v);

        void setMapping(MemMap mm, long pfn, long v);

        void setIndex(MemMap mm, long pfn, long v);

        void setPrivateWord(MemMap mm, long pfn, long v);

        MemorySegment segment(MemMap mm);
    }

    /** Set once, by MemMap's static initialiser (which runs before any MemMap exists to pass here). */
    private static volatile Access access;

    /**
     * Called once by {@link MemMap}'s static initialiser.
     *
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

    /** folio_set_count() / set_page_count(): atomic_set, relaxed (a SET_COUNT schedule point, no checks). */
    public static void setRefCount(MemMap mm, long pfn, int v) {
        a().setRefCount(mm, pfn, v);
    }

    /** lru.next: plain store; the caller owns the folio's list linkage. */
    public static void setLruNext(MemMap mm, long pfn, long v) {
        a().setLruNext(mm, pfn, v);
    }

    /** lru.prev: plain store; the caller owns the folio's list linkage. */
    public static void setLruPrev(MemMap mm, long pfn, long v) {
        a().setLruPrev(mm, pfn, v);
    }

    /** folio->mlock_count (overlaying lru.prev): plain store, under lru_lock (mm/mlock.c). */
    public static void setMlockCount(MemMap mm, long pfn, int v) {
        a().setMlockCount(mm, pfn, v);
    }

    /** WRITE_ONCE(folio->mapping, v). */
    public static void setMapping(MemMap mm, long pfn, long v) {
        a().setMapping(mm, pfn, v);
    }

    /** folio->index: plain store. */
    public static void setIndex(MemMap mm, long pfn, long v) {
        a().setIndex(mm, pfn, v);
    }

    /** folio->private: plain store. */
    public static void setPrivateWord(MemMap mm, long pfn, long v) {
        a().setPrivateWord(mm, pfn, v);
    }

    /** The memmap's writable segment (benchmarks' bare-atomics floor; snapshots restored in place). */
    public static MemorySegment segment(MemMap mm) {
        return a().segment(mm);
    }
}
