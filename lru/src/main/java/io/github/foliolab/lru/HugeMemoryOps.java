package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;

/**
 * The call __folio_put() (mm/swap.c) makes up into mm/huge_memory.c: folio_unqueue_deferred_split() of a
 * large folio whose last reference is gone, after page_cache_release(). Declared here, provided by the
 * mm module when a machine is built; without it ({@link #NONE}) nothing is ever queued.
 */
public interface HugeMemoryOps {
    /** No deferred split queue: nothing to unqueue. */
    HugeMemoryOps NONE = folio -> { };

    /**
     * folio_unqueue_deferred_split() (mm/internal.h, mm/huge_memory.c): take a folio whose count reached
     * zero off its node's deferred split queue, and account a large anonymous folio's end in the mTHP
     * {@code nr_anon} statistic (free_pages_prepare).
     *
     * @param folio the folio being freed (count zero)
     */
    void folioFreeLarge(Folio folio);
}
