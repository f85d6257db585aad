package io.github.foliolab.folio;

import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.PageLayout;
import io.github.foliolab.folio.api.PageType;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.sched.SchedPoints;

import io.github.foliolab.folio.internal.PageWords;

import java.lang.foreign.Arena;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.List;

import static io.github.foliolab.folio.api.PageFlags.PG_head;
import static io.github.foliolab.folio.api.PageFlags.PG_locked;
import static io.github.foliolab.folio.api.PageLayout.FOLIO;
import static io.github.foliolab.folio.api.PageLayout.PAGE;
import static io.github.foliolab.folio.api.PageLayout.PAGE_DESC_SIZE;
import static io.github.foliolab.folio.api.PageLayout.groups;

/**
 * The memmap: one 64-byte {@code struct page} descriptor per simulated 4 KiB page in a single off-heap
 * {@link MemorySegment}, with every field reached through a {@link VarHandle} derived from
 * {@link PageLayout}. No Java object exists per page; {@link Folio} is a throwaway handle.
 *
 * <p>Every atomic operation calls a schedule point first ({@link SchedPoints#before}), and the
 * value-returning ones report their result ({@link SchedPoints#after}).
 *
 * <p>Memory ordering. Each method says which kernel ordering it models. Java has no relaxed
 * read-modify-write; where the kernel's operation is relaxed (set_bit, atomic_add, atomic_inc) this class
 * uses {@code weakCompareAndSetPlain} loops, which are atomic and impose no ordering, i.e. exactly
 * relaxed. Fully ordered kernel RMWs (value-returning atomics, test_and_set_bit) use the volatile
 * ({@code compareAndSet}/{@code getAndBitwiseOr}) forms, which are sequentially consistent.
 * {@code READ_ONCE}/{@code atomic_read} are {@code getOpaque}; {@code atomic_set_release} is
 * {@code setRelease}. Non-atomic {@code __set_bit} is a plain read and write.
 *
 * <p>DEBUG_VM: misuse (refcount underflow, put of a free folio, unfreeze of a count that is not frozen, a
 * tail page used as a folio, a pfn out of range) throws {@link VmBugException} with a dump_page-style
 * message, and is detected before anything is written, so the memmap is unchanged afterwards.
 */
public final class MemMap {
    /** GUP_PIN_COUNTING_BIAS (include/linux/mm.h). */
    public static final int GUP_PIN_COUNTING_BIAS = 1 << 10;
    /** FOLL_GET (include/linux/mm_types.h, enum gup_flags): take a plain reference. */
    public static final int FOLL_GET = 1 << 1;
    /**
     * FOLL_PIN as this class's reference primitives take it ({@link #tryGrabFolio}, {@link #gupPutFolio}). The
     * kernel's FOLL_PIN is the mm-internal 1 &lt;&lt; 19 (mm/internal.h); the gup module's {@code Foll} translates
     * its flags to these two bits.
     */
    public static final int FOLL_PIN = 1 << 10;

    private static final VarHandle FLAGS = PAGE.varHandle(groups("flags"));
    private static final VarHandle LRU_NEXT = PAGE.varHandle(groups("u", "lru", "next"));
    private static final VarHandle LRU_PREV = PAGE.varHandle(groups("u", "lru", "prev"));
    private static final VarHandle MLOCK_COUNT = PAGE.varHandle(groups("u", "mlock", "mlock_count"));
    private static final VarHandle COMPOUND_INFO = PAGE.varHandle(groups("u", "compound_info"));
    private static final VarHandle MAPPING = PAGE.varHandle(groups("mapping"));
    private static final VarHandle INDEX = PAGE.varHandle(groups("index"));
    private static final VarHandle PRIVATE = PAGE.varHandle(groups("private"));
    private static final VarHandle MAPCOUNT = PAGE.varHandle(groups("_mapcount"));
    private static final VarHandle REFCOUNT = PAGE.varHandle(groups("_refcount"));
    private static final VarHandle MEMCG_DATA = PAGE.varHandle(groups("memcg_data"));
    private static final VarHandle FLAGS_1 = FOLIO.varHandle(groups("page1", "_flags_1"));
    private static final VarHandle LARGE_MAPCOUNT = FOLIO.varHandle(groups("page1", "u1", "m", "_large_mapcount"));
    private static final VarHandle NR_PAGES_MAPPED = FOLIO.varHandle(groups("page1", "u1", "m", "_nr_pages_mapped"));
    private static final VarHandle ENTIRE_MAPCOUNT = FOLIO.varHandle(groups("page1", "u1", "m", "_entire_mapcount"));
    private static final VarHandle PINCOUNT = FOLIO.varHandle(groups("page1", "u1", "m", "_pincount"));
    private static final VarHandle MM_ID_MAPCOUNT = FOLIO.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("page1"),
            java.lang.foreign.MemoryLayout.PathElement.groupElement("u1"),
            java.lang.foreign.MemoryLayout.PathElement.groupElement("m"),
            java.lang.foreign.MemoryLayout.PathElement.groupElement("_mm_id_mapcount"),
            java.lang.foreign.MemoryLayout.PathElement.sequenceElement());
    private static final VarHandle NR_PAGES = FOLIO.varHandle(groups("page1", "_nr_pages"));
    /**
     * folio->_mm_ids: the unsigned long over _mm_id[0] and _mm_id[1] (little-endian: slot 0 in the low
     * half), read and written at the head descriptor's offset plus {@code OFF_MM_ID}.
     */
    private static final VarHandle MM_IDS = java.lang.foreign.ValueLayout.JAVA_LONG.varHandle();

    private final Arena arena;
    private final boolean gcManaged;
    /** A gcManaged memmap was closed (its segment went back to the pool); guards a second close. */
    private boolean closed;
    private final MemorySegment seg;
    private final long nrPages;
    private Node node;
    private List<Node> nodes = List.of();

    /**
     * A memmap of {@code nrPages} descriptors, all zero except {@code _mapcount = -1}; the node that owns
     * it initialises zones and hands the pages to the allocator.
     */
    MemMap(long nrPages) {
        this(nrPages, false);
    }

    /**
     * As {@link #MemMap(long)}; with {@code gcManaged} the descriptors come from a small pool of recycled
     * segments ({@link #close} zeroes nothing and returns the segment to the pool; a segment that is never
     * returned lives in an automatic arena and is freed by the garbage collector). The explorer builds a
     * machine per schedule: closing a shared arena costs a handshake with every thread, allocating from
     * automatic arenas hits the direct-memory limit and forces full collections, and heap segments pay
     * an alignment check on every access.
     */
    MemMap(long nrPages, boolean gcManaged) {
        if (nrPages <= 0 || nrPages > (1L << 36)) {
            throw new IllegalArgumentException("nrPages out of range: " + nrPages);
        }
        this.nrPages = nrPages;
        this.gcManaged = gcManaged;
        if (gcManaged) {
            this.arena = null;
            // A recycled or new segment, initialised by copying the fresh-memmap image of this size.
            this.seg = SegmentPool.take(nrPages * PAGE_DESC_SIZE, PAGE_DESC_SIZE, MemMap::initFresh);
        } else {
            this.arena = Arena.ofShared();
            this.seg = arena.allocate(nrPages * PAGE_DESC_SIZE, PAGE_DESC_SIZE);
            initFresh(seg);
        }
    }

    /** A fresh memmap: all zero except {@code _mapcount = -1} in every descriptor. */
    private static void initFresh(MemorySegment seg) {
        for (long pfn = 0, n = seg.byteSize() / PAGE_DESC_SIZE; pfn < n; pfn++) {
            MAPCOUNT.set(seg, off(pfn), -1);
        }
    }

    void attach(Node[] owners) {
        this.nodes = List.of(owners);
        this.node = owners[0];
    }

    /**
     * Node 0 (on a one-node machine, the node whose memory this is).
     *
     * @return node 0 of the machine
     */
    public Node node() {
        return node;
    }

    /**
     * The nodes whose memory this is, by node id.
     *
     * @return the nodes, indexed by node id (an immutable list)
     */
    public List<Node> nodes() {
        return nodes;
    }

    /**
     * page_pgdat() / folio_pgdat(): the node of {@code pfn}, from the node bits of its flags word.
     *
     * @param pfn the page frame number (any page, head or tail)
     * @return the node that owns {@code pfn}
     */
    public Node nodeOf(long pfn) {
        return nodes.get(nid(pfn));
    }

    /**
     * page_to_nid() / folio_nid(): the node id in the flags word.
     *
     * @param pfn the page frame number (any page, head or tail)
     * @return the node id stored in the page's flags word
     */
    public int nid(long pfn) {
        return (int) ((flagsWord(pfn) >>> PageFlags.NODES_PGSHIFT) & PageFlags.NODES_MASK);
    }

    /** {@return number of page descriptors (max_pfn)} */
    public long nrPages() {
        return nrPages;
    }

    /**
     * A read-only view of the descriptors (64 bytes per pfn, in struct page layout): for digests and dumps.
     *
     * @return a read-only segment of {@code nrPages() * 64} bytes, the descriptor of pfn {@code p} at byte offset
     *         {@code p * 64}
     */
    public MemorySegment segment() {
        return seg.asReadOnly();
    }

    static {
        PageWords.install(new PageWords.Access() {
            @Override
            public void setRefCount(MemMap mm, long pfn, int v) {
                mm.setRefCount(pfn, v);
            }

            @Override
            public void setLruNext(MemMap mm, long pfn, long v) {
                mm.setLruNext(pfn, v);
            }

            @Override
            public void setLruPrev(MemMap mm, long pfn, long v) {
                mm.setLruPrev(pfn, v);
            }

            @Override
            public void setMlockCount(MemMap mm, long pfn, int v) {
                mm.setMlockCount(pfn, v);
            }

            @Override
            public void setMapping(MemMap mm, long pfn, long v) {
                mm.setMapping(pfn, v);
            }

            @Override
            public void setIndex(MemMap mm, long pfn, long v) {
                mm.setIndex(pfn, v);
            }

            @Override
            public void setPrivateWord(MemMap mm, long pfn, long v) {
                mm.setPrivateWord(pfn, v);
            }

            @Override
            public MemorySegment segment(MemMap mm) {
                return mm.seg;
            }
        });
    }

    /** Release the off-heap memory. The memmap must not be used afterwards. */
    public void close() {
        if (gcManaged) {
            if (!closed) {
                closed = true;
                SegmentPool.give(seg); // reused (zeroed) by the next gcManaged memmap of the same size
            }
            return;
        }
        arena.close();
    }

    private static long off(long pfn) {
        return pfn * PAGE_DESC_SIZE;
    }

    /**
     * pfn_valid(): a VM_BUG if the pfn is outside the memmap.
     *
     * @param pfn the page frame number
     */
    public void checkPfn(long pfn) {
        if (pfn < 0 || pfn >= nrPages) {
            throw new VmBugException("BUG: pfn " + pfn + " out of range (max_pfn " + nrPages + ")");
        }
    }

    /**
     * {@return a folio handle for the folio whose head is {@code pfn}; a VM_BUG for a tail page or bad
     * pfn}
     *
     * @param pfn the page frame number
     */
    public Folio folio(long pfn) {
        checkPfn(pfn);
        if (isTail(pfn)) {
            throw new VmBugException("VM_BUG_ON_PAGE(PageTail(page)): tail page used as a folio\n" + dumpPage(pfn));
        }
        return new Folio(this, pfn);
    }

    /**
     * page_folio(): the folio a page belongs to (its head).
     *
     * @param pfn the page frame number
     * @return a handle for the folio containing {@code pfn} (never null)
     */
    public Folio pageFolio(long pfn) {
        checkPfn(pfn);
        return new Folio(this, compoundHead(pfn));
    }

    // ---------------------------------------------------------------- compound pages

    /**
     * PageTail(): bit 0 of compound_info. READ_ONCE (relaxed).
     *
     * @param pfn the page frame number
     * @return true if {@code pfn} is a tail page of a large folio
     */
    public boolean isTail(long pfn) {
        return ((long) COMPOUND_INFO.getOpaque(seg, off(pfn)) & 1L) != 0;
    }

    /**
     * compound_head(): the head pfn of a tail, or the pfn itself. READ_ONCE (relaxed).
     *
     * @param pfn the page frame number
     * @return the head page's pfn
     */
    public long compoundHead(long pfn) {
        long info = (long) COMPOUND_INFO.getOpaque(seg, off(pfn));
        return (info & 1L) != 0 ? info >>> 1 : pfn;
    }

    /**
     * folio_test_large(): PG_head on the head page.
     *
     * @param pfn the page frame number
     * @return true if the folio at head {@code pfn} spans more than one page
     */
    public boolean isLarge(long pfn) {
        return (flagsWord(pfn) & (1L << PG_head)) != 0;
    }

    /**
     * folio_order(): 0 for small folios, else the low byte of _flags_1.
     *
     * @param pfn the page frame number
     * @return the folio's order (log2 of its page count)
     */
    public int order(long pfn) {
        if (!isLarge(pfn)) {
            return 0;
        }
        return (int) ((long) FLAGS_1.get(seg, off(pfn)) & 0xff);
    }

    /**
     * folio_nr_pages(): 1, or _nr_pages of a large folio.
     *
     * @param pfn the page frame number
     * @return the folio's page count, in 4 KiB pages
     */
    public long nrPages(long pfn) {
        return isLarge(pfn) ? Integer.toUnsignedLong((int) NR_PAGES.get(seg, off(pfn))) : 1L;
    }

    /**
     * prep_compound_page(): make {@code [pfn, pfn + 2^order)} one large folio. Non-atomic: the folio is
     * not visible to anybody else yet (allocator path).
     */
    void prepCompound(long pfn, int order) {
        long nr = 1L << order;
        long o = off(pfn);
        FLAGS.set(seg, o, (long) FLAGS.get(seg, o) | (1L << PG_head));
        for (long i = 1; i < nr; i++) {
            COMPOUND_INFO.set(seg, off(pfn + i), (pfn << 1) | 1L);
        }
        long f1 = (long) FLAGS_1.get(seg, o);
        FLAGS_1.set(seg, o, (f1 & ~0xffL) | order);
        NR_PAGES.set(seg, o, (int) nr);
        LARGE_MAPCOUNT.set(seg, o, -1);
        NR_PAGES_MAPPED.set(seg, o, 0);
        ENTIRE_MAPCOUNT.set(seg, o, -1);
        PINCOUNT.set(seg, o, 0);
        MM_ID_MAPCOUNT.set(seg, o, 0L, -1);
        MM_ID_MAPCOUNT.set(seg, o, 1L, -1);
        MM_IDS.set(seg, o + PageLayout.OFF_MM_ID, 0L); // prep_compound_head: _mm_ids = 0
    }

    /** Undo {@link #prepCompound} on the free path; the caller checked the tail fields. */
    void clearCompound(long pfn, int order) {
        long nr = 1L << order;
        long o = off(pfn);
        for (long i = 1; i < nr; i++) {
            long to = off(pfn + i);
            COMPOUND_INFO.set(seg, to, 0L);
            // Page 1's and 2's descriptors held folio fields; a freed page is a plain page again.
            FLAGS.set(seg, to, (long) FLAGS.get(seg, to) & ~PageFlags.PAGE_FLAGS_CHECK_AT_PREP);
            MAPCOUNT.set(seg, to, -1);
            MAPPING.set(seg, to, 0L);
            INDEX.set(seg, to, 0L);
            PRIVATE.set(seg, to, 0L);
            REFCOUNT.set(seg, to, 0);
        }
        FLAGS.set(seg, o, (long) FLAGS.get(seg, o) & ~(1L << PG_head));
    }

    /**
     * __split_folio_to_order() (mm/huge_memory.c), the descriptor part of a split: with the folio's count
     * frozen at 0 and every mapping removed, make the large folio at {@code pfn} (order {@code oldOrder})
     * into 2^(oldOrder - newOrder) folios of order {@code newOrder}. Each new folio's head page gets the
     * old head's flags selected by {@code copyFlags} (after its own PAGE_FLAGS_CHECK_AT_PREP are
     * cleared), the old head's mapping and index + its offset; the counts stay 0 (frozen) for the
     * caller to unfreeze. Plain stores: nobody can take a reference to a frozen folio's pages.
     *
     * @param pfn the head pfn of the folio being split
     * @param oldOrder its order (at least 1)
     * @param newOrder the order of the new folios, below {@code oldOrder}
     * @param copyFlags the mask of PG_* bits copied from the old head to each new folio
     */
    public void splitCompound(long pfn, int oldOrder, int newOrder, long copyFlags) {
        if (!isLarge(pfn) || order(pfn) != oldOrder || newOrder < 0 || newOrder >= oldOrder) {
            throw new IllegalArgumentException("split of order " + oldOrder + " to " + newOrder + "\n" + dumpPage(pfn));
        }
        long o = off(pfn);
        long headFlags = (long) FLAGS.get(seg, o);
        long mapping = (long) MAPPING.get(seg, o);
        long index = (long) INDEX.get(seg, o);
        clearCompound(pfn, oldOrder);
        long step = 1L << newOrder;
        for (long j = 0; j < (1L << oldOrder); j += step) {
            long p = pfn + j;
            if (j > 0) {
                long to = off(p);
                FLAGS.set(seg, to, ((long) FLAGS.get(seg, to) & ~PageFlags.PAGE_FLAGS_CHECK_AT_PREP) | (headFlags & copyFlags));
                MAPPING.set(seg, to, mapping);
                INDEX.set(seg, to, index + j);
            }
            if (newOrder > 0) {
                prepCompound(p, newOrder);
            }
        }
    }

    // ---------------------------------------------------------------- flags

    /**
     * {@return the whole flags word} READ_ONCE (relaxed), no schedule point (used by dumps and checks).
     *
     * @param pfn the page frame number
     */
    public long flagsWord(long pfn) {
        return (long) FLAGS.getOpaque(seg, off(pfn));
    }

    /** Non-atomic write of the whole flags word; only for memmap init and the free path. */
    void setFlagsWordPlain(long pfn, long flags) {
        FLAGS.set(seg, off(pfn), flags);
    }

    /**
     * folio_test_X() / test_bit(): relaxed read.
     *
     * @param pfn the page frame number
     * @param bit the PG_ flag bit number
     * @return true if the bit is set
     */
    public boolean testFlag(long pfn, int bit) {
        SchedPoints.before(FolioOp.TEST_FLAG, pfn, bit);
        boolean r = ((long) FLAGS.getOpaque(seg, off(pfn)) & (1L << bit)) != 0;
        return SchedPoints.after(FolioOp.TEST_FLAG, pfn, r);
    }

    /**
     * folio_set_X() / set_bit(): atomic, relaxed (no ordering).
     *
     * @param pfn the page frame number
     * @param bit the PG_ flag bit number
     */
    public void setFlag(long pfn, int bit) {
        SchedPoints.before(FolioOp.SET_FLAG, pfn, bit);
        long o = off(pfn);
        long m = 1L << bit;
        long old;
        do {
            old = (long) FLAGS.getOpaque(seg, o);
        } while (!FLAGS.weakCompareAndSetPlain(seg, o, old, old | m)); // relaxed RMW
    }

    /**
     * folio_clear_X() / clear_bit(): atomic, relaxed (no ordering).
     *
     * @param pfn the page frame number
     * @param bit the PG_ flag bit number
     */
    public void clearFlag(long pfn, int bit) {
        SchedPoints.before(FolioOp.CLEAR_FLAG, pfn, bit);
        long o = off(pfn);
        long m = 1L << bit;
        long old;
        do {
            old = (long) FLAGS.getOpaque(seg, o);
        } while (!FLAGS.weakCompareAndSetPlain(seg, o, old, old & ~m)); // relaxed RMW
    }

    /**
     * folio_test_set_X() / test_and_set_bit(): atomic, fully ordered; returns the old bit.
     *
     * @param pfn the page frame number
     * @param bit the PG_ flag bit number
     * @return the bit's old value
     */
    public boolean testSetFlag(long pfn, int bit) {
        SchedPoints.before(FolioOp.TEST_SET_FLAG, pfn, bit);
        long m = 1L << bit;
        // Full barrier: volatile RMW is sequentially consistent, like a value-returning kernel atomic.
        boolean r = ((long) FLAGS.getAndBitwiseOr(seg, off(pfn), m) & m) != 0;
        return SchedPoints.after(FolioOp.TEST_SET_FLAG, pfn, r);
    }

    /**
     * folio_test_clear_X() / test_and_clear_bit(): atomic, fully ordered; returns the old bit.
     *
     * @param pfn the page frame number
     * @param bit the PG_ flag bit number
     * @return the bit's old value
     */
    public boolean testClearFlag(long pfn, int bit) {
        SchedPoints.before(FolioOp.TEST_CLEAR_FLAG, pfn, bit);
        long m = 1L << bit;
        // Full barrier (see testSetFlag).
        boolean r = ((long) FLAGS.getAndBitwiseAnd(seg, off(pfn), ~m) & m) != 0;
        return SchedPoints.after(FolioOp.TEST_CLEAR_FLAG, pfn, r);
    }

    /**
     * folio_test_clear_X() as the generic test_and_clear_bit() (include/asm-generic/bitops/atomic.h) does
     * it: a relaxed read returns false at once when the bit is clear, and only a set bit pays the fully
     * ordered RMW. One schedule point, shown as the kernel's single call.
     *
     * @param pfn the folio's page frame number
     * @param bit the PG_ bit number
     * @return true if the bit was set (and is now clear)
     */
    public boolean testClearFlagIfSet(long pfn, int bit) {
        SchedPoints.before(FolioOp.TEST_CLEAR_FLAG, pfn, bit);
        long m = 1L << bit;
        long o = off(pfn);
        // READ_ONCE first (relaxed): a clear bit gives the outcome a failed RMW would, without the RMW;
        // a set bit is cleared with a full barrier, as in testClearFlag.
        boolean r = ((long) FLAGS.getOpaque(seg, o) & m) != 0 && ((long) FLAGS.getAndBitwiseAnd(seg, o, ~m) & m) != 0;
        return SchedPoints.after(FolioOp.TEST_CLEAR_FLAG, pfn, r);
    }

    /**
     * __folio_set_X() / __set_bit(): non-atomic; only while nobody else can see the folio.
     *
     * @param pfn the page frame number
     * @param bit the PG_ flag bit number
     */
    public void nonAtomicSetFlag(long pfn, int bit) {
        SchedPoints.before(FolioOp.NONATOMIC_SET_FLAG, pfn, bit);
        long o = off(pfn);
        FLAGS.set(seg, o, (long) FLAGS.get(seg, o) | (1L << bit));
    }

    /**
     * __folio_clear_X() / __clear_bit(): non-atomic; only while nobody else can see the folio.
     *
     * @param pfn the page frame number
     * @param bit the PG_ flag bit number
     */
    public void nonAtomicClearFlag(long pfn, int bit) {
        SchedPoints.before(FolioOp.NONATOMIC_CLEAR_FLAG, pfn, bit);
        long o = off(pfn);
        FLAGS.set(seg, o, (long) FLAGS.get(seg, o) & ~(1L << bit));
    }

    /**
     * folio_trylock(): test_and_set_bit_lock(PG_locked), acquire ordering.
     *
     * @param pfn the page frame number
     * @return true if this call took the lock, false if it was already held
     */
    public boolean trylock(long pfn) {
        SchedPoints.before(FolioOp.TRYLOCK, pfn, PG_locked);
        long m = 1L << PG_locked;
        // Acquire: the critical section cannot move above the lock.
        boolean r = ((long) FLAGS.getAndBitwiseOrAcquire(seg, off(pfn), m) & m) == 0;
        return SchedPoints.after(FolioOp.TRYLOCK, pfn, r);
    }

    /**
     * folio_unlock(): clear_bit_unlock_is_negative_byte(PG_locked), release ordering. There are no wait
     * queues in the model, so PG_waiters is never set; a VM_BUG if the folio is not locked.
     *
     * @param pfn the page frame number
     */
    public void unlock(long pfn) {
        if ((flagsWord(pfn) & (1L << PG_locked)) == 0) {
            throw new VmBugException("VM_BUG_ON_FOLIO(!folio_test_locked(folio))\n" + dumpPage(pfn));
        }
        SchedPoints.before(FolioOp.UNLOCK, pfn, PG_locked);
        // Release: the critical section's writes are visible before the lock bit clears.
        FLAGS.getAndBitwiseAndRelease(seg, off(pfn), ~(1L << PG_locked));
        SchedPoints.released(FolioOp.UNLOCK, pfn); // folio_wake_bit: a folio_lock waiter may retry
    }

    // ---------------------------------------------------------------- refcount (page_ref.h)

    /**
     * folio_ref_count(): atomic_read, relaxed.
     *
     * @param pfn the page frame number
     * @return the reference count (0 for a free or frozen folio)
     */
    public int refCount(long pfn) {
        SchedPoints.before(FolioOp.REF_COUNT, pfn, 0);
        int r = (int) REFCOUNT.getOpaque(seg, off(pfn));
        SchedPoints.after(FolioOp.REF_COUNT, pfn, r);
        return r;
    }

    /**
     * {@return the refcount without a schedule point (dumps, invariant checks)}
     *
     * @param pfn the page frame number
     */
    public int refCountRaw(long pfn) {
        return (int) REFCOUNT.getOpaque(seg, off(pfn));
    }

    /** folio_set_count() / set_page_count(): atomic_set, relaxed. */
    void setRefCount(long pfn, int v) {
        SchedPoints.before(FolioOp.SET_COUNT, pfn, v);
        REFCOUNT.setOpaque(seg, off(pfn), v);
    }

    /**
     * Relaxed add of {@code delta} with the DEBUG_VM checks: the count must be positive before (no
     * resurrection of a free or frozen folio) and must not go below {@code floor} after.
     */
    private int refAddChecked(long pfn, int delta, int floor, String what) {
        long o = off(pfn);
        int old;
        do {
            old = (int) REFCOUNT.getOpaque(seg, o);
            if (old <= 0 || old + delta < floor) {
                throw refBug(pfn, what, old, delta);
            }
        } while (!REFCOUNT.weakCompareAndSetPlain(seg, o, old, old + delta)); // relaxed RMW
        return old + delta;
    }

    /** Fully ordered add with the same checks; returns the new count. */
    private int refAddReturnChecked(long pfn, int delta, String what) {
        long o = off(pfn);
        int old;
        do {
            old = (int) REFCOUNT.getOpaque(seg, o);
            if (old <= 0 || old + delta < 0) {
                throw refBug(pfn, what, old, delta);
            }
        } while (!REFCOUNT.compareAndSet(seg, o, old, old + delta)); // full barrier (value-returning atomic)
        return old + delta;
    }

    private VmBugException refBug(long pfn, String what, int old, int delta) {
        String why;
        if (old == 0 && isBuddy(pfn)) {
            why = "put of a free folio";
        } else if (old == 0) {
            why = "refcount is zero (free or frozen folio)";
        } else if (old < 0) {
            why = "refcount is negative";
        } else {
            why = "refcount underflow";
        }
        return new VmBugException("VM_BUG_ON_FOLIO: " + what + ": " + why + " (count " + old + ", delta "
                + delta + ")\n" + dumpPage(pfn));
    }

    /**
     * folio_ref_add(): atomic_add, relaxed.
     *
     * @param pfn the folio's head page frame number
     * @param n the number of references to add, positive
     * @throws VmBugException if the count is not positive (free or frozen folio); nothing changed then
     */
    public void refAdd(long pfn, int n) {
        SchedPoints.before(FolioOp.REF_ADD, pfn, n);
        refAddChecked(pfn, n, 1, "folio_ref_add");
    }

    /**
     * folio_ref_sub(): atomic_sub, relaxed; the count may not reach zero this way.
     *
     * @param pfn the folio's head page frame number
     * @param n the number of references to drop, positive
     * @throws VmBugException if the count would drop below 1 or is not positive; nothing changed then
     */
    public void refSub(long pfn, int n) {
        SchedPoints.before(FolioOp.REF_SUB, pfn, n);
        refAddChecked(pfn, -n, 1, "folio_ref_sub");
    }

    /**
     * folio_ref_sub_and_test(): atomic_sub_and_test, fully ordered; true if the count reached zero.
     *
     * @param pfn the folio's head page frame number
     * @param n the number of references to drop, positive
     * @return true if the count reached zero (the folio is not freed here)
     * @throws VmBugException if the count would go negative or is not positive; nothing changed then
     */
    public boolean refSubAndTest(long pfn, int n) {
        SchedPoints.before(FolioOp.REF_SUB_AND_TEST, pfn, n);
        boolean r = refAddReturnChecked(pfn, -n, "folio_ref_sub_and_test") == 0;
        return SchedPoints.after(FolioOp.REF_SUB_AND_TEST, pfn, r);
    }

    /**
     * folio_get(): VM_BUG on a zero count, then atomic_inc, relaxed.
     *
     * @param pfn the page frame number
     */
    public void get(long pfn) {
        SchedPoints.before(FolioOp.GET, pfn, 1);
        refAddChecked(pfn, 1, 1, "folio_get");
    }

    /**
     * folio_try_get() / folio_ref_add_unless_zero(folio, 1): take a reference unless the count is zero
     * (free or frozen). Fully ordered on success, as atomic_add_unless is.
     *
     * @param pfn the page frame number
     * @return true if a reference was taken, false (nothing changed) if the count was zero
     */
    public boolean tryGet(long pfn) {
        return refTryAdd(pfn, 1, FolioOp.TRY_GET);
    }

    /**
     * folio_ref_try_add(): add {@code n} unless the count is zero; fully ordered on success.
     *
     * @param pfn the folio's head page frame number
     * @param n the number of references to add, positive
     * @return true if the references were added, false (nothing changed) if the count was zero
     */
    public boolean refTryAdd(long pfn, int n) {
        return refTryAdd(pfn, n, FolioOp.REF_TRY_ADD);
    }

    private boolean refTryAdd(long pfn, int n, FolioOp op) {
        SchedPoints.before(op, pfn, n);
        long o = off(pfn);
        int old;
        boolean r;
        while (true) {
            old = (int) REFCOUNT.getOpaque(seg, o);
            if (old == 0) {
                r = false;
                break;
            }
            if (old < 0) {
                throw refBug(pfn, op.kernelName(), old, n);
            }
            if (REFCOUNT.compareAndSet(seg, o, old, old + n)) { // full barrier on success
                r = true;
                break;
            }
        }
        return SchedPoints.after(op, pfn, r);
    }

    /**
     * folio_put(): drop a reference (atomic_dec_and_test, fully ordered) and free the folio when it was
     * the last (__folio_put). Returns true if this call freed it.
     *
     * @param pfn the page frame number
     * @return true if this call dropped the last reference and freed the folio
     */
    public boolean put(long pfn) {
        SchedPoints.before(FolioOp.PUT, pfn, 1);
        boolean zero = refAddReturnChecked(pfn, -1, "folio_put") == 0;
        SchedPoints.after(FolioOp.PUT, pfn, zero);
        if (zero) {
            nodeOf(pfn).folioPutFinal(pfn);
        }
        return zero;
    }

    /**
     * folio_put_refs(): drop {@code refs} references (fully ordered), freeing at zero.
     *
     * @param pfn the page frame number
     * @param refs the number of references
     * @return true if the count reached zero and this call freed the folio
     */
    public boolean putRefs(long pfn, int refs) {
        SchedPoints.before(FolioOp.PUT_REFS, pfn, refs);
        boolean zero = refAddReturnChecked(pfn, -refs, "folio_put_refs") == 0;
        SchedPoints.after(FolioOp.PUT_REFS, pfn, zero);
        if (zero) {
            nodeOf(pfn).folioPutFinal(pfn);
        }
        return zero;
    }

    /**
     * folio_ref_freeze(): atomic_cmpxchg(count -> 0), fully ordered. Succeeds only if the count is
     * exactly {@code count}; a frozen folio refuses folio_try_get.
     *
     * @param pfn the page frame number
     * @param count the count
     * @return true if the count was {@code count} and is now 0; false (nothing changed) otherwise
     */
    public boolean refFreeze(long pfn, int count) {
        SchedPoints.before(FolioOp.REF_FREEZE, pfn, count);
        boolean r = REFCOUNT.compareAndSet(seg, off(pfn), count, 0); // full barrier
        return SchedPoints.after(FolioOp.REF_FREEZE, pfn, r);
    }

    /**
     * folio_ref_unfreeze(): atomic_set_release(count); a VM_BUG if the count is not frozen (zero).
     *
     * @param pfn the page frame number
     * @param count the count
     */
    public void refUnfreeze(long pfn, int count) {
        int cur = (int) REFCOUNT.getOpaque(seg, off(pfn));
        if (cur != 0) {
            throw new VmBugException("VM_BUG_ON_FOLIO(folio_ref_count(folio) != 0): unfreeze of a count that is not frozen ("
                    + cur + ")\n" + dumpPage(pfn));
        }
        if (count <= 0) {
            throw new VmBugException("VM_BUG_ON: folio_ref_unfreeze to " + count + "\n" + dumpPage(pfn));
        }
        SchedPoints.before(FolioOp.REF_UNFREEZE, pfn, count);
        REFCOUNT.setRelease(seg, off(pfn), count); // release: the freezer's writes precede the new count
    }

    // ---------------------------------------------------------------- GUP pins (mm/gup.c)

    /**
     * is_zero_folio().
     *
     * @param pfn the page frame number
     * @return true if {@code pfn} is the shared zero page of the machine's node 0
     */
    public boolean isZeroFolio(long pfn) {
        return node != null && pfn == node.zeroPfn();
    }

    /**
     * try_grab_folio() (mm/gup.c): FOLL_GET adds {@code refs}; FOLL_PIN adds {@code refs} to the count
     * and to _pincount of a large folio, or {@code refs * GUP_PIN_COUNTING_BIAS} to a small one's count,
     * and counts NR_FOLL_PIN_ACQUIRED; pins of the zero page are not taken. Returns 0, or -ENOMEM (-12)
     * when the count is not positive (the kernel's WARN_ON_ONCE case), changing nothing.
     *
     * @param pfn the page frame number
     * @param refs the number of references
     * @param gupFlags the FOLL_* flags
     * @return 0, or -ENOMEM (-12) with nothing changed
     */
    public int tryGrabFolio(long pfn, int refs, int gupFlags) {
        SchedPoints.before(FolioOp.TRY_GRAB_FOLIO, pfn, refs);
        long o = off(pfn);
        if ((int) REFCOUNT.getOpaque(seg, o) <= 0) {
            SchedPoints.after(FolioOp.TRY_GRAB_FOLIO, pfn, -12);
            return -12;
        }
        if ((gupFlags & FOLL_GET) != 0) {
            refAddChecked(pfn, refs, 1, "try_grab_folio");
        } else if ((gupFlags & FOLL_PIN) != 0) {
            if (isZeroFolio(pfn)) {
                SchedPoints.after(FolioOp.TRY_GRAB_FOLIO, pfn, 0);
                return 0;
            }
            if (isLarge(pfn)) {
                refAddChecked(pfn, refs, 1, "try_grab_folio");
                PINCOUNT.getAndAdd(seg, o, refs); // atomic_add: relaxed in the kernel; stronger here
            } else {
                refAddChecked(pfn, refs * GUP_PIN_COUNTING_BIAS, 1, "try_grab_folio");
            }
            nodeOf(pfn).vmstat().modNode(io.github.foliolab.folio.api.NodeStatItem.NR_FOLL_PIN_ACQUIRED, refs);
        }
        SchedPoints.after(FolioOp.TRY_GRAB_FOLIO, pfn, 0);
        return 0;
    }

    /**
     * The pin half of try_grab_folio_fast() (mm/gup.c), after folio_ref_try_add({@code refs}) succeeded:
     * _pincount += refs on a large folio, or count += refs * (GUP_PIN_COUNTING_BIAS - 1) on a small one;
     * NR_FOLL_PIN_ACQUIRED += refs. The gup module's GUP-fast calls it; the caller holds the references.
     *
     * @param pfn the page frame number of the folio's head
     * @param refs the number of pins, each already holding one reference
     */
    public void pinFastRefs(long pfn, int refs) {
        if (isLarge(pfn)) {
            SchedPoints.before(FolioOp.TRY_GRAB_FOLIO, pfn, refs);
            PINCOUNT.getAndAdd(seg, off(pfn), refs); // atomic_add: relaxed in the kernel; stronger here
        } else {
            refAdd(pfn, refs * (GUP_PIN_COUNTING_BIAS - 1));
        }
        nodeOf(pfn).vmstat().modNode(io.github.foliolab.folio.api.NodeStatItem.NR_FOLL_PIN_ACQUIRED, refs);
    }

    /**
     * gup_put_folio() (mm/gup.c): undo {@link #tryGrabFolio}; FOLL_PIN counts NR_FOLL_PIN_RELEASED and
     * drops _pincount (large) or the bias (small), then folio_put_refs.
     *
     * @param pfn the page frame number
     * @param refs the number of references
     * @param gupFlags the FOLL_* flags
     */
    public void gupPutFolio(long pfn, int refs, int gupFlags) {
        SchedPoints.before(FolioOp.GUP_PUT_FOLIO, pfn, refs);
        int r = refs;
        if ((gupFlags & FOLL_PIN) != 0) {
            if (isZeroFolio(pfn)) {
                return;
            }
            // The unpin reads and writes _refcount / _pincount in this step (the point itself names none).
            SchedPoints.access(FolioOp.REF_SUB, pfn, refs);
            long o = off(pfn);
            if (isLarge(pfn)) {
                int pins = (int) PINCOUNT.getOpaque(seg, o);
                if (pins < refs) {
                    throw new VmBugException("VM_BUG_ON_FOLIO: unpin of " + refs + " with _pincount " + pins + "\n" + dumpPage(pfn));
                }
            } else if (refCountRaw(pfn) < refs * GUP_PIN_COUNTING_BIAS) {
                throw new VmBugException("VM_BUG_ON_FOLIO: unpin of " + refs + " pin(s) of a folio with count "
                        + refCountRaw(pfn) + " < " + refs + " * GUP_PIN_COUNTING_BIAS\n" + dumpPage(pfn));
            }
            nodeOf(pfn).vmstat().modNode(io.github.foliolab.folio.api.NodeStatItem.NR_FOLL_PIN_RELEASED, refs);
            if (isLarge(pfn)) {
                PINCOUNT.getAndAdd(seg, o, -refs); // atomic_sub: relaxed in the kernel; stronger here
            } else {
                r = refs * GUP_PIN_COUNTING_BIAS;
            }
        }
        putRefs(pfn, r);
    }

    /**
     * folio_maybe_dma_pinned(): exact for large folios (_pincount), a heuristic for small ones
     * (count >= GUP_PIN_COUNTING_BIAS, so 1024 plain references look pinned).
     *
     * @param pfn the page frame number
     * @return true if the folio may be pinned (see above)
     */
    public boolean maybeDmaPinned(long pfn) {
        SchedPoints.before(FolioOp.MAYBE_DMA_PINNED, pfn, 0);
        boolean r;
        if (isLarge(pfn)) {
            r = (int) PINCOUNT.getOpaque(seg, off(pfn)) > 0;
        } else {
            r = Integer.toUnsignedLong((int) REFCOUNT.getOpaque(seg, off(pfn))) >= GUP_PIN_COUNTING_BIAS;
        }
        return SchedPoints.after(FolioOp.MAYBE_DMA_PINNED, pfn, r);
    }

    /**
     * _pincount of a large folio (0 for a small one).
     *
     * @param pfn the page frame number
     * @return the number of FOLL_PIN pins of a large folio; 0 for a small one
     */
    public int pincount(long pfn) {
        return isLarge(pfn) ? (int) PINCOUNT.getOpaque(seg, off(pfn)) : 0;
    }

    // ---------------------------------------------------------------- mapcounts

    /**
     * {@return the raw {@code _mapcount} / {@code page_type} word of one page}
     *
     * @param pfn the page frame number
     */
    public int mapcountRaw(long pfn) {
        return (int) MAPCOUNT.getOpaque(seg, off(pfn));
    }

    void setMapcountRaw(long pfn, int v) {
        MAPCOUNT.set(seg, off(pfn), v);
    }

    /**
     * One page's _mapcount + 1, 0 for a typed page: the small-folio case of folio_mapcount().
     *
     * @param pfn the page frame number (any page)
     * @return the page's mapcount: the number of page tables mapping it, 0 for unmapped or typed pages
     */
    public int pageMapcount(long pfn) {
        int raw = mapcountRaw(pfn);
        return PageType.hasType(raw) ? 0 : raw + 1;
    }

    /**
     * folio_mapcount(): _mapcount + 1 (small) or _large_mapcount + 1 (large). Relaxed read.
     *
     * @param pfn the page frame number
     * @return the number of page-table mappings of the folio, 0 when unmapped
     */
    public int folioMapcount(long pfn) {
        SchedPoints.before(FolioOp.MAPCOUNT_READ, pfn, 0);
        int r = folioMapcountRaw(pfn);
        SchedPoints.after(FolioOp.MAPCOUNT_READ, pfn, r);
        return r;
    }

    /**
     * folio_mapcount() without a schedule point.
     *
     * @param pfn the page frame number
     * @return the number of page-table mappings of the folio, 0 when unmapped
     */
    public int folioMapcountRaw(long pfn) {
        if (isLarge(pfn)) {
            return (int) LARGE_MAPCOUNT.getOpaque(seg, off(pfn)) + 1;
        }
        return pageMapcount(pfn);
    }

    /**
     * atomic_add_return on one page's _mapcount: fully ordered; returns the new raw value.
     *
     * @param pfn the page frame number
     * @param delta the amount to add (negative to subtract)
     * @return the new raw _mapcount (-1 means unmapped)
     */
    public int mapcountAddReturn(long pfn, int delta) {
        SchedPoints.before(FolioOp.MAPCOUNT_ADD, pfn, delta);
        int r = (int) MAPCOUNT.getAndAdd(seg, off(pfn), delta) + delta; // full barrier
        SchedPoints.after(FolioOp.MAPCOUNT_ADD, pfn, r);
        return r;
    }

    /**
     * atomic_add_return on a large folio's _large_mapcount: fully ordered; returns the new raw value.
     *
     * @param pfn the page frame number
     * @param delta the amount to add (negative to subtract)
     * @return the new raw _large_mapcount (-1 means unmapped)
     */
    public int largeMapcountAddReturn(long pfn, int delta) {
        SchedPoints.before(FolioOp.LARGE_MAPCOUNT_ADD, pfn, delta);
        int r = (int) LARGE_MAPCOUNT.getAndAdd(seg, off(pfn), delta) + delta; // full barrier
        SchedPoints.after(FolioOp.LARGE_MAPCOUNT_ADD, pfn, r);
        return r;
    }

    /**
     * atomic_add_return on _entire_mapcount: fully ordered; returns the new raw value.
     *
     * @param pfn the page frame number
     * @param delta the amount to add (negative to subtract)
     * @return the new raw _entire_mapcount (-1 means not PMD-mapped)
     */
    public int entireMapcountAddReturn(long pfn, int delta) {
        SchedPoints.before(FolioOp.ENTIRE_MAPCOUNT_ADD, pfn, delta);
        int r = (int) ENTIRE_MAPCOUNT.getAndAdd(seg, off(pfn), delta) + delta; // full barrier
        SchedPoints.after(FolioOp.ENTIRE_MAPCOUNT_ADD, pfn, r);
        return r;
    }

    /**
     * atomic_add_return on _nr_pages_mapped: fully ordered; returns the new value.
     *
     * @param pfn the page frame number
     * @param delta the amount to add (negative to subtract)
     * @return the new number of the folio's pages mapped by a PTE
     */
    public int nrPagesMappedAddReturn(long pfn, int delta) {
        SchedPoints.before(FolioOp.NR_PAGES_MAPPED_ADD, pfn, delta);
        int r = (int) NR_PAGES_MAPPED.getAndAdd(seg, off(pfn), delta) + delta; // full barrier
        SchedPoints.after(FolioOp.NR_PAGES_MAPPED_ADD, pfn, r);
        return r;
    }

    /**
     * _large_mapcount raw (-1 when unmapped).
     *
     * @param pfn the page frame number
     * @return the raw _large_mapcount, one less than the folio's mapcount
     */
    public int largeMapcountRaw(long pfn) {
        return (int) LARGE_MAPCOUNT.getOpaque(seg, off(pfn));
    }

    /**
     * _entire_mapcount raw (-1 when not mapped by PMD).
     *
     * @param pfn the page frame number
     * @return the raw _entire_mapcount, one less than the number of PMD mappings
     */
    public int entireMapcountRaw(long pfn) {
        return (int) ENTIRE_MAPCOUNT.getOpaque(seg, off(pfn));
    }

    /**
     * _nr_pages_mapped.
     *
     * @param pfn the page frame number
     * @return the number of the folio's pages mapped by at least one PTE
     */
    public int nrPagesMappedRaw(long pfn) {
        return (int) NR_PAGES_MAPPED.getOpaque(seg, off(pfn));
    }

    // ---------------------------------------------------------------- mm-id tracking (FolioMmIds)

    /** The folio's _mm_ids word, read with READ_ONCE (opaque). */
    long mmIdsRaw(long pfn) {
        return (long) MM_IDS.getOpaque(seg, off(pfn) + PageLayout.OFF_MM_ID);
    }

    /** The bit-lock step of bit_spin_lock on folio->_mm_ids (test_and_set_bit_lock: acquire); true if the bit was clear. */
    boolean mmIdsTestAndSetLock(long pfn, int bit) {
        long m = 1L << bit;
        return ((long) MM_IDS.getAndBitwiseOrAcquire(seg, off(pfn) + PageLayout.OFF_MM_ID, m) & m) == 0;
    }

    /** A plain store to folio->_mm_ids (the caller holds the _mm_ids bit lock, or nobody sees the folio yet). */
    void setMmIdsPlain(long pfn, long v) {
        MM_IDS.set(seg, off(pfn) + PageLayout.OFF_MM_ID, v);
    }

    /** A release store to folio->_mm_ids (__bit_spin_unlock: __clear_bit_unlock, release). */
    void setMmIdsRelease(long pfn, long v) {
        MM_IDS.setRelease(seg, off(pfn) + PageLayout.OFF_MM_ID, v);
    }

    /** The folio's _mm_id_mapcount[idx], a plain read (under the _mm_ids bit lock, or a racy read). */
    int mmIdMapcountRaw(long pfn, int idx) {
        return (int) MM_ID_MAPCOUNT.get(seg, off(pfn), (long) idx);
    }

    /** Store the folio's _mm_id_mapcount[idx]: a plain store (under the _mm_ids bit lock). */
    void setMmIdMapcount(long pfn, int idx, int v) {
        MM_ID_MAPCOUNT.set(seg, off(pfn), (long) idx, v);
    }

    /** Set folio->_large_mapcount with atomic_set (WRITE_ONCE, opaque, no ordering). */
    void setLargeMapcountRaw(long pfn, int v) {
        LARGE_MAPCOUNT.setOpaque(seg, off(pfn), v);
    }

    // ---------------------------------------------------------------- plain fields

    /**
     * lru.next (a pfn or list-head id); plain, protected by whoever owns the folio's list linkage.
     *
     * @param pfn the page frame number
     * @return the next entry's pfn or list-head id
     */
    public long lruNext(long pfn) {
        return (long) LRU_NEXT.get(seg, off(pfn));
    }

    void setLruNext(long pfn, long v) {
        LRU_NEXT.set(seg, off(pfn), v);
    }

    /**
     * lru.prev; overlays mlock_count (low half).
     *
     * @param pfn the page frame number
     * @return the previous entry's pfn or list-head id
     */
    public long lruPrev(long pfn) {
        return (long) LRU_PREV.get(seg, off(pfn));
    }

    void setLruPrev(long pfn, long v) {
        LRU_PREV.set(seg, off(pfn), v);
    }

    /**
     * folio->mlock_count, overlaying lru.prev: meaningful only while the folio is PG_unevictable and
     * PG_lru (not linked on a list). Plain access, protected by lru_lock as in mm/mlock.c.
     *
     * @param pfn the page frame number
     * @return the folio's mlock count, in VM_LOCKED mappings
     */
    public int mlockCount(long pfn) {
        return (int) MLOCK_COUNT.get(seg, off(pfn));
    }

    void setMlockCount(long pfn, int v) {
        MLOCK_COUNT.set(seg, off(pfn), v);
    }

    /**
     * folio->mapping (a handle with the kernel's low tag bits).
     *
     * @param pfn the page frame number
     * @return the mapping handle; bit 0 set for an anon_vma, 0 for none
     */
    public long mapping(long pfn) {
        return (long) MAPPING.getOpaque(seg, off(pfn));
    }

    /** WRITE_ONCE(folio->mapping, v). */
    void setMapping(long pfn, long v) {
        MAPPING.setOpaque(seg, off(pfn), v);
    }

    /**
     * folio->index.
     *
     * @param pfn the page frame number
     * @return the page offset in the file, or the linear page index in the VMA for anon, in pages
     */
    public long index(long pfn) {
        return (long) INDEX.get(seg, off(pfn));
    }

    void setIndex(long pfn, long v) {
        INDEX.set(seg, off(pfn), v);
    }

    /**
     * folio->private.
     *
     * @param pfn the page frame number
     * @return the private word (the buddy order for a free page, or filesystem or swap data)
     */
    public long privateWord(long pfn) {
        return (long) PRIVATE.get(seg, off(pfn));
    }

    void setPrivateWord(long pfn, long v) {
        PRIVATE.set(seg, off(pfn), v);
    }

    /**
     * memcg_data (unused by the model, kept for layout fidelity).
     *
     * @param pfn the page frame number
     * @return the memcg_data word (always 0 in the model)
     */
    public long memcgData(long pfn) {
        return (long) MEMCG_DATA.get(seg, off(pfn));
    }

    // ---------------------------------------------------------------- buddy markers

    /**
     * PageBuddy(): page_type is PGTY_buddy.
     *
     * @param pfn the page frame number
     * @return true if {@code pfn} is the first page of a free buddy block
     */
    public boolean isBuddy(long pfn) {
        return (mapcountRaw(pfn) >>> 24) == PageType.PGTY_buddy;
    }

    // ---------------------------------------------------------------- dump_page

    /**
     * dump_page(): the descriptor as the kernel prints it when reporting a bad page or a VM_BUG.
     *
     * @param pfn the page frame number
     * @return the descriptor of {@code pfn} (and of its head) in dump_page()'s format, several lines
     */
    public String dumpPage(long pfn) {
        if (pfn < 0 || pfn >= nrPages) {
            return "page: pfn:" + Long.toHexString(pfn) + " (out of range)";
        }
        long head = compoundHead(pfn);
        StringBuilder sb = new StringBuilder();
        int raw = mapcountRaw(pfn);
        sb.append("page: refcount:").append(refCountRaw(head))
                .append(" mapcount:").append(PageType.hasType(raw) ? 0 : raw + 1)
                .append(" mapping:").append(Long.toHexString(mapping(head)))
                .append(" index:0x").append(Long.toHexString(index(head)))
                .append(" pfn:0x").append(Long.toHexString(pfn));
        if (head != pfn) {
            sb.append(" head:pfn 0x").append(Long.toHexString(head));
        }
        if (isLarge(head)) {
            sb.append("\nhead: order:").append(order(head))
                    .append(" mapcount:").append(largeMapcountRaw(head) + 1)
                    .append(" entire_mapcount:").append(entireMapcountRaw(head) + 1)
                    .append(" nr_pages_mapped:").append(nrPagesMappedRaw(head))
                    .append(" pincount:").append(pincount(head));
        }
        if (PageType.hasType(raw)) {
            sb.append("\npage_type: 0x").append(Integer.toHexString(raw >>> 24));
            if ((raw >>> 24) == PageType.PGTY_buddy) {
                sb.append("(buddy) order:").append(privateWord(pfn));
            }
        }
        sb.append("\nflags: ").append(PageFlags.describe(flagsWord(head)));
        if (node != null && head == node.zeroPfn()) {
            sb.append(" (zero page)");
        }
        return sb.toString();
    }

    /**
     * Save every page descriptor (a copy of the off-heap memmap) for a {@link Machine#checkpoint()}.
     *
     * @return the action that copies them back
     */
    Runnable save() {
        MemorySegment copy = MemorySegment.ofArray(new long[(int) (seg.byteSize() / Long.BYTES)]);
        copy.copyFrom(seg);
        return () -> seg.copyFrom(copy);
    }
}
