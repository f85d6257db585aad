package io.github.foliolab.folio;

import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.sched.SchedOp;

/**
 * The schedule points of the folio primitives. For flag operations the point's {@code arg} is the bit
 * number and the trace name carries the flag ({@code folio_test_clear_lru}); for refcount operations
 * {@code arg} is the amount.
 */
public enum FolioOp implements SchedOp {
    TEST_FLAG("folio_test_", true, Kind.READ),
    SET_FLAG("folio_set_", true, Kind.WRITE),
    CLEAR_FLAG("folio_clear_", true, Kind.WRITE),
    TEST_SET_FLAG("folio_test_set_", true, Kind.WRITE),
    TEST_CLEAR_FLAG("folio_test_clear_", true, Kind.WRITE),
    NONATOMIC_SET_FLAG("__folio_set_", true, Kind.WRITE),
    NONATOMIC_CLEAR_FLAG("__folio_clear_", true, Kind.WRITE),
    TRYLOCK("folio_trylock", Kind.TRY_ACQUIRE),
    UNLOCK("folio_unlock", Kind.RELEASE),
    REF_COUNT("folio_ref_count", Kind.READ),
    SET_COUNT("folio_set_count", Kind.WRITE),
    REF_ADD("folio_ref_add", Kind.WRITE),
    REF_SUB("folio_ref_sub", Kind.WRITE),
    REF_SUB_AND_TEST("folio_ref_sub_and_test", Kind.WRITE),
    GET("folio_get", Kind.WRITE),
    TRY_GET("folio_try_get", Kind.WRITE),
    REF_TRY_ADD("folio_ref_try_add", Kind.WRITE),
    PUT("folio_put", Kind.WRITE),
    PUT_REFS("folio_put_refs", Kind.WRITE),
    REF_FREEZE("folio_ref_freeze", Kind.WRITE),
    REF_UNFREEZE("folio_ref_unfreeze", Kind.WRITE),
    TRY_GRAB_FOLIO("try_grab_folio", Kind.WRITE),
    GUP_PUT_FOLIO("gup_put_folio", Kind.WRITE),
    MAYBE_DMA_PINNED("folio_maybe_dma_pinned", Kind.READ),
    MAPCOUNT_READ("folio_mapcount", Kind.READ),
    MAPCOUNT_ADD("atomic_add_return(_mapcount)", Kind.WRITE),
    LARGE_MAPCOUNT_ADD("atomic_add_return(_large_mapcount)", Kind.WRITE),
    ENTIRE_MAPCOUNT_ADD("atomic_add_return(_entire_mapcount)", Kind.WRITE),
    NR_PAGES_MAPPED_ADD("atomic_add_return(_nr_pages_mapped)", Kind.WRITE),
    FREE("free_frozen_pages", Kind.WRITE),
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
     * The folio word the step touches: an atomic flag op its bit of the flags word (folio_trylock and
     * folio_unlock: PG_locked); a non-atomic flag op the whole flags word (its read-modify-write can undo
     * another CPU's bit); the refcount ops _refcount and _pincount together (a FOLL_PIN grab adds to
     * either); the mapcount ops every mapcount word; folio_alloc and free_frozen_pages the whole folio.
     */
    @Override
    public int part(long arg) {
        return switch (this) {
            case TEST_FLAG, SET_FLAG, CLEAR_FLAG, TEST_SET_FLAG, TEST_CLEAR_FLAG, TRYLOCK, UNLOCK ->
                    SchedOp.bit(FLAGS_WORD, (int) arg);
            case NONATOMIC_SET_FLAG, NONATOMIC_CLEAR_FLAG -> SchedOp.word(FLAGS_WORD);
            case REF_COUNT, SET_COUNT, REF_ADD, REF_SUB, REF_SUB_AND_TEST, GET, TRY_GET, REF_TRY_ADD, PUT, PUT_REFS,
                 REF_FREEZE, REF_UNFREEZE, TRY_GRAB_FOLIO, GUP_PUT_FOLIO, MAYBE_DMA_PINNED -> SchedOp.word(REFS_WORD);
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
