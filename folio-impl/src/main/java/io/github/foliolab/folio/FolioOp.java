package io.github.foliolab.folio;

import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.sched.SchedOp;

/**
 * The schedule points of the folio primitives. For flag operations the point's {@code arg} is the bit
 * number and the trace name carries the flag ({@code folio_test_clear_lru}); for refcount operations
 * {@code arg} is the amount.
 */
public enum FolioOp implements SchedOp {
    TEST_FLAG("folio_test_", true),
    SET_FLAG("folio_set_", true),
    CLEAR_FLAG("folio_clear_", true),
    TEST_SET_FLAG("folio_test_set_", true),
    TEST_CLEAR_FLAG("folio_test_clear_", true),
    NONATOMIC_SET_FLAG("__folio_set_", true),
    NONATOMIC_CLEAR_FLAG("__folio_clear_", true),
    TRYLOCK("folio_trylock"),
    UNLOCK("folio_unlock"),
    REF_COUNT("folio_ref_count"),
    SET_COUNT("folio_set_count"),
    REF_ADD("folio_ref_add"),
    REF_SUB("folio_ref_sub"),
    REF_SUB_AND_TEST("folio_ref_sub_and_test"),
    GET("folio_get"),
    TRY_GET("folio_try_get"),
    REF_TRY_ADD("folio_ref_try_add"),
    PUT("folio_put"),
    PUT_REFS("folio_put_refs"),
    REF_FREEZE("folio_ref_freeze"),
    REF_UNFREEZE("folio_ref_unfreeze"),
    TRY_GRAB_FOLIO("try_grab_folio"),
    GUP_PUT_FOLIO("gup_put_folio"),
    MAYBE_DMA_PINNED("folio_maybe_dma_pinned"),
    MAPCOUNT_READ("folio_mapcount"),
    MAPCOUNT_ADD("atomic_add_return(_mapcount)"),
    LARGE_MAPCOUNT_ADD("atomic_add_return(_large_mapcount)"),
    ENTIRE_MAPCOUNT_ADD("atomic_add_return(_entire_mapcount)"),
    NR_PAGES_MAPPED_ADD("atomic_add_return(_nr_pages_mapped)"),
    FREE("free_frozen_pages"),
    ALLOC("folio_alloc");

    private final String kernelName;
    private final boolean flagOp;

    FolioOp(String kernelName) {
        this(kernelName, false);
    }

    FolioOp(String kernelName, boolean flagOp) {
        this.kernelName = kernelName;
        this.flagOp = flagOp;
    }

    @Override
    public String kernelName() {
        return kernelName;
    }

    @Override
    public Subject subject() {
        return Subject.FOLIO;
    }

    @Override
    public String callName(long arg) {
        return flagOp ? kernelName + PageFlags.name((int) arg) : kernelName;
    }
}
