package io.github.foliolab.folio;

import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.sched.SchedOp;

/**
 * The schedule points of the folio primitives. For flag operations the point's {@code arg} is the bit
 * number and the trace name carries the flag ({@code folio_test_clear_lru}); for refcount operations
 * {@code arg} is the amount.
 */
public enum FolioOp implements SchedOp {
    /** {@code folio_test_X}, X the flag. */
    TEST_FLAG("folio_test_", true),
    /** {@code folio_set_X}, X the flag. */
    SET_FLAG("folio_set_", true),
    /** {@code folio_clear_X}, X the flag. */
    CLEAR_FLAG("folio_clear_", true),
    /** {@code folio_test_set_X}, X the flag. */
    TEST_SET_FLAG("folio_test_set_", true),
    /** {@code folio_test_clear_X}, X the flag. */
    TEST_CLEAR_FLAG("folio_test_clear_", true),
    /** {@code __folio_set_X}, X the flag. */
    NONATOMIC_SET_FLAG("__folio_set_", true),
    /** {@code __folio_clear_X}, X the flag. */
    NONATOMIC_CLEAR_FLAG("__folio_clear_", true),
    /** {@code folio_trylock}. */
    TRYLOCK("folio_trylock"),
    /** {@code folio_unlock}. */
    UNLOCK("folio_unlock"),
    /** {@code folio_ref_count}. */
    REF_COUNT("folio_ref_count"),
    /** {@code folio_set_count}. */
    SET_COUNT("folio_set_count"),
    /** {@code folio_ref_add}. */
    REF_ADD("folio_ref_add"),
    /** {@code folio_ref_sub}. */
    REF_SUB("folio_ref_sub"),
    /** {@code folio_ref_sub_and_test}. */
    REF_SUB_AND_TEST("folio_ref_sub_and_test"),
    /** {@code folio_get}. */
    GET("folio_get"),
    /** {@code folio_try_get}. */
    TRY_GET("folio_try_get"),
    /** {@code folio_ref_try_add}. */
    REF_TRY_ADD("folio_ref_try_add"),
    /** {@code folio_put}. */
    PUT("folio_put"),
    /** {@code folio_put_refs}. */
    PUT_REFS("folio_put_refs"),
    /** {@code folio_ref_freeze}. */
    REF_FREEZE("folio_ref_freeze"),
    /** {@code folio_ref_unfreeze}. */
    REF_UNFREEZE("folio_ref_unfreeze"),
    /** {@code try_grab_folio}. */
    TRY_GRAB_FOLIO("try_grab_folio"),
    /** {@code gup_put_folio}. */
    GUP_PUT_FOLIO("gup_put_folio"),
    /** {@code folio_maybe_dma_pinned}. */
    MAYBE_DMA_PINNED("folio_maybe_dma_pinned"),
    /** {@code folio_mapcount}. */
    MAPCOUNT_READ("folio_mapcount"),
    /** {@code atomic_add_return(_mapcount)}. */
    MAPCOUNT_ADD("atomic_add_return(_mapcount)"),
    /** {@code atomic_add_return(_large_mapcount)}. */
    LARGE_MAPCOUNT_ADD("atomic_add_return(_large_mapcount)"),
    /** {@code atomic_add_return(_entire_mapcount)}. */
    ENTIRE_MAPCOUNT_ADD("atomic_add_return(_entire_mapcount)"),
    /** {@code atomic_add_return(_nr_pages_mapped)}. */
    NR_PAGES_MAPPED_ADD("atomic_add_return(_nr_pages_mapped)"),
    /** {@code free_frozen_pages}. */
    FREE("free_frozen_pages"),
    /** {@code folio_alloc}. */
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
