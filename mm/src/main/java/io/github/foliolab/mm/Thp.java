package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.lru.HugeMemoryOps;

/**
 * The machine's large-folio state (mm/huge_memory.c for anonymous memory): the mTHP controls, the
 * per-size statistics, the per-node deferred split queues with their shrinker, splitting, and the
 * page-contents bits a split needs. Reached through {@link Mm#thp()}.
 */
public final class Thp implements HugeMemoryOps {
    private final ThpSettings settings = new ThpSettings();
    private final MthpStats stats = new MthpStats();
    private final PageContents contents;
    private final DeferredSplit deferredSplit;
    private final FolioSplit split;

    Thp(Mm ctx) {
        this.contents = new PageContents(ctx.memMap().nrPages());
        this.deferredSplit = new DeferredSplit(ctx);
        this.split = new FolioSplit(ctx);
    }

    /** {@return the enabled controls (sysfs transparent_hugepage/)} */
    public ThpSettings settings() {
        return settings;
    }

    /** {@return the per-size statistics (hugepages-SIZEkB/stats/)} */
    public MthpStats stats() {
        return stats;
    }

    /** {@return the deferred split queues and their shrinker} */
    public DeferredSplit deferredSplit() {
        return deferredSplit;
    }

    /** {@return split_folio_to_order and its helpers} */
    public FolioSplit split() {
        return split;
    }

    /** {@return the written / zero-filled bit of every page} */
    public PageContents contents() {
        return contents;
    }

    /**
     * The end of a large folio (its count reached zero): folio_unqueue_deferred_split() (__folio_put,
     * mm/swap.c) and the nr_anon statistic (free_pages_prepare, mm/page_alloc.c).
     *
     * @param folio the folio being freed
     */
    @Override
    public void folioFreeLarge(Folio folio) {
        deferredSplit.unqueue(folio);
        if (folio.isAnon()) {
            stats.mod(folio.order(), MthpStats.Item.NR_ANON, -1);
        }
    }
}
