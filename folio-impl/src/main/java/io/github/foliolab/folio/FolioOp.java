package io.github.foliolab.folio;

import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.sched.SchedOp;

/**
 * The schedule points of the folio primitives. For flag operations the point's {@code arg} is the bit
 * number and the trace name carries the flag ({@code folio_test_clear_lru}); for refcount operations
 * {@code arg} is the amount.
 */
public enum FolioOp implements SchedOp {
    /** folio_test_X() (include/linux/page-flags.h): relaxed read of one PG_ bit; {@code arg} is the bit. */
    TEST_FLAG("folio_test_", true, Kind.READ),
    /** folio_set_X(): atomic set_bit, relaxed; {@code arg} is the bit. */
    SET_FLAG("folio_set_", true, Kind.WRITE),
    /** folio_clear_X(): atomic clear_bit, relaxed; {@code arg} is the bit. */
    CLEAR_FLAG("folio_clear_", true, Kind.WRITE),
    /** folio_test_set_X(): test_and_set_bit, fully ordered; {@code arg} is the bit. */
    TEST_SET_FLAG("folio_test_set_", true, Kind.WRITE),
    /** folio_test_clear_X(): test_and_clear_bit, fully ordered; {@code arg} is the bit. */
    TEST_CLEAR_FLAG("folio_test_clear_", true, Kind.WRITE),
    /** __folio_set_X(): non-atomic __set_bit on a folio nobody else sees; {@code arg} is the bit. */
    NONATOMIC_SET_FLAG("__folio_set_", true, Kind.WRITE),
    /** __folio_clear_X(): non-atomic __clear_bit on a folio nobody else sees; {@code arg} is the bit. */
    NONATOMIC_CLEAR_FLAG("__folio_clear_", true, Kind.WRITE),
    /** folio_trylock() (include/linux/pagemap.h): test_and_set_bit_lock(PG_locked), acquire. */
    TRYLOCK("folio_trylock", Kind.TRY_ACQUIRE),
    /** folio_unlock() (mm/filemap.c): clears PG_locked with release ordering. */
    UNLOCK("folio_unlock", Kind.RELEASE),
    /** folio_ref_count() (include/linux/page_ref.h): relaxed read of _refcount. */
    REF_COUNT("folio_ref_count", Kind.READ),
    /** folio_set_count() (include/linux/page_ref.h): relaxed store of _refcount; {@code arg} is the count. */
    SET_COUNT("folio_set_count", Kind.WRITE),
    /** folio_ref_add(): relaxed atomic_add; {@code arg} is the number of references. */
    REF_ADD("folio_ref_add", Kind.WRITE),
    /** folio_ref_sub(): relaxed atomic_sub; {@code arg} is the number of references. */
    REF_SUB("folio_ref_sub", Kind.WRITE),
    /** folio_ref_sub_and_test(): fully ordered; {@code arg} is the number of references. */
    REF_SUB_AND_TEST("folio_ref_sub_and_test", Kind.WRITE),
    /** folio_get() (include/linux/mm.h): relaxed increment of a positive count. */
    GET("folio_get", Kind.WRITE),
    /** folio_try_get() (include/linux/page_ref.h): increment unless zero, fully ordered on success. */
    TRY_GET("folio_try_get", Kind.WRITE),
    /** folio_ref_try_add(): add {@code arg} references unless the count is zero. */
    REF_TRY_ADD("folio_ref_try_add", Kind.WRITE),
    /** folio_put() (include/linux/mm.h): fully ordered decrement, freeing the folio at zero. */
    PUT("folio_put", Kind.WRITE),
    /** folio_put_refs(): drop {@code arg} references, freeing the folio at zero. */
    PUT_REFS("folio_put_refs", Kind.WRITE),
    /** folio_ref_freeze(): cmpxchg of the count {@code arg} to 0, fully ordered. */
    REF_FREEZE("folio_ref_freeze", Kind.WRITE),
    /** folio_ref_unfreeze(): store-release of the count {@code arg} into a frozen folio. */
    REF_UNFREEZE("folio_ref_unfreeze", Kind.WRITE),
    /** try_grab_folio() (mm/gup.c): a FOLL_GET reference or a FOLL_PIN pin; {@code arg} is the number. */
    TRY_GRAB_FOLIO("try_grab_folio", Kind.WRITE),
    /** gup_put_folio() (mm/gup.c): drop {@code arg} references or pins. */
    GUP_PUT_FOLIO("gup_put_folio", Kind.WRITE),
    /** folio_maybe_dma_pinned() (include/linux/mm.h): relaxed read of _pincount or of the count. */
    MAYBE_DMA_PINNED("folio_maybe_dma_pinned", Kind.READ),
    /** folio_mapcount() (include/linux/mm.h): relaxed read of the mapcount. */
    MAPCOUNT_READ("folio_mapcount", Kind.READ),
    /** atomic_add_return on one page's _mapcount (mm/rmap.c); {@code arg} is the delta. */
    MAPCOUNT_ADD("atomic_add_return(_mapcount)", Kind.WRITE),
    /** atomic_add_return on a large folio's _large_mapcount (mm/rmap.c); {@code arg} is the delta. */
    LARGE_MAPCOUNT_ADD("atomic_add_return(_large_mapcount)", Kind.WRITE),
    /** atomic_add_return on _entire_mapcount (mm/rmap.c), for a PMD mapping; {@code arg} is the delta. */
    ENTIRE_MAPCOUNT_ADD("atomic_add_return(_entire_mapcount)", Kind.WRITE),
    /** atomic_add_return on _nr_pages_mapped (mm/rmap.c); {@code arg} is the delta in pages. */
    NR_PAGES_MAPPED_ADD("atomic_add_return(_nr_pages_mapped)", Kind.WRITE),
    /** free_frozen_pages() (mm/page_alloc.c): the folio's pages go back to the buddy allocator. */
    FREE("free_frozen_pages", Kind.WRITE),
    /** folio_alloc() (mm/page_alloc.c, mm/mempolicy.c): a new folio taken from the buddy allocator. */
    ALLOC("folio_alloc", Kind.WRITE);

    private final String kernelName;
    private final boolean flagOp;
    private final Kind kind;

    FolioOp(String kernelName, Kind kind) {
        this(kernelName, false, kind);
    }

    FolioOp(String kernelName, boolean flagOp, Kind kind) {
        this.kernelName = kernelName;
        this.flagOp = flagOp;
        this.kind = kind;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public String kernelName() {
        return kernelName;
    }

    @Override
    public Subject subject() {
        return Subject.FOLIO;
    }

    /** Word numbers of {@link #part}: the flags word, the reference counts, the mapcounts. */
    private static final int FLAGS_WORD = 1;
    private static final int REFS_WORD = 2;
    private static final int MAPCOUNT_WORD = 3;
    /**
     * gup_put_folio's word: one that no other op names, as the point touches none of the folio's words
     * (its references go in the folio_put_refs step after it).
     */
    private static final int GUP_PUT_WORD = 4;

    /**
     * The {@link SchedOp#part} of {@code folio_batch_add} into a per-CPU LRU batch: a word of the folio
     * that no other op names, as the add writes the batch (under its local lock), not the folio (the
     * batch's reference is the folio_get step before it). Such a point depends only on another CPU's add
     * of the same folio and on the whole folio's steps (folio_alloc, free_frozen_pages).
     */
    public static final int LRU_BATCH_ADD_PART = SchedOp.word(5);

    /** The {@link SchedOp#part} of {@code folio_batch_add} into a per-CPU mlock batch: as {@link #LRU_BATCH_ADD_PART}. */
    public static final int MLOCK_BATCH_ADD_PART = SchedOp.word(6);

    /**
     * The folio word the step touches: an atomic flag op its bit of the flags word (folio_trylock and
     * folio_unlock: PG_locked); a non-atomic flag op the whole flags word (its read-modify-write can undo
     * another CPU's bit); the refcount ops _refcount and _pincount together (a FOLL_PIN grab adds to
     * either); the mapcount ops every mapcount word; folio_alloc and free_frozen_pages the whole folio;
     * gup_put_folio a word nothing touches (the references it drops are its folio_put_refs step's, and a
     * FOLL_PIN unpin declares its reads and writes of the reference words with {@code SchedPoints.access}).
     */
    @Override
    public int part(long arg) {
        return switch (this) {
            case TEST_FLAG, SET_FLAG, CLEAR_FLAG, TEST_SET_FLAG, TEST_CLEAR_FLAG, TRYLOCK, UNLOCK ->
                    SchedOp.bit(FLAGS_WORD, (int) arg);
            case NONATOMIC_SET_FLAG, NONATOMIC_CLEAR_FLAG -> SchedOp.word(FLAGS_WORD);
            case REF_COUNT, SET_COUNT, REF_ADD, REF_SUB, REF_SUB_AND_TEST, GET, TRY_GET, REF_TRY_ADD, PUT, PUT_REFS,
                 REF_FREEZE, REF_UNFREEZE, TRY_GRAB_FOLIO, MAYBE_DMA_PINNED -> SchedOp.word(REFS_WORD);
            case GUP_PUT_FOLIO -> SchedOp.word(GUP_PUT_WORD);
            case MAPCOUNT_READ, MAPCOUNT_ADD, LARGE_MAPCOUNT_ADD, ENTIRE_MAPCOUNT_ADD, NR_PAGES_MAPPED_ADD ->
                    SchedOp.word(MAPCOUNT_WORD);
            case FREE, ALLOC -> WHOLE;
        };
    }

    @Override
    public String callName(long arg) {
        return flagOp ? kernelName + PageFlags.name((int) arg) : kernelName;
    }
}
