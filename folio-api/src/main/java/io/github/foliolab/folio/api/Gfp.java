package io.github.foliolab.folio.api;

/**
 * The allocation flags the model honours (include/linux/gfp_types.h). Only the bits that change where
 * or how a page is taken are kept; their values are the model's own, not the kernel's bit numbers.
 */
public final class Gfp {
    private Gfp() {}

    /** __GFP_MOVABLE: may come from ZONE_MOVABLE and from CMA pageblocks (ALLOC_CMA). */
    public static final int __GFP_MOVABLE = 1;
    /** __GFP_ZERO: the caller wants zeroed memory (contents are not modelled; accepted for fidelity). */
    public static final int __GFP_ZERO = 1 << 1;
    /** __GFP_COMP: a large allocation becomes a compound page (folio). */
    public static final int __GFP_COMP = 1 << 2;
    /** __GFP_THISNODE: only the requested node, no fallback along the zonelist (migration targets). */
    public static final int __GFP_THISNODE = 1 << 3;

    /** {@code GFP_KERNEL} (include/linux/gfp_types.h). */
    public static final int GFP_KERNEL = 0;
    /** {@code GFP_USER} (include/linux/gfp_types.h). */
    public static final int GFP_USER = 0;
    /** GFP_HIGHUSER_MOVABLE: anonymous and page-cache memory of user processes. */
    public static final int GFP_HIGHUSER_MOVABLE = __GFP_MOVABLE;
}
