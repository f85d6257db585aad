package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.lru.FolioBatch;

import java.util.ArrayList;
import java.util.List;

/**
 * struct mmu_gather (mm/mmu_gather.c): folios whose PTEs were zapped, freed after the TLB flush through
 * free_pages_and_swap_cache() -> folios_put_refs() in batches of FOLIO_BATCH_SIZE, with the delayed
 * rmap removals of dirty file PTEs done first (tlb_flush_rmaps). As in 7.2, nothing here drains the
 * per-CPU LRU batches.
 *
 * <p>Model difference: the gather never runs out of batch pages (the kernel allocates extra batch pages
 * with GFP_NOWAIT and flushes early when it cannot); the model flushes only where the kernel is forced
 * to (delayed rmaps, {@link #finish}).
 */
public final class MmuGather {
    private record Entry(Folio folio, boolean delayRmap) {}

    private final Mm ctx;
    private final List<Entry> pages = new ArrayList<>();
    private boolean delayedRmap;

    MmuGather(Mm ctx) {
        this.ctx = ctx;
    }

    /**
     * tlb_gather_mmu().
     *
     * @param ctx the machine's mm state
     * @return an empty gather: the folios of zapped PTEs are queued on it and freed by tlb_finish_mmu()
     */
    public static MmuGather gather(Mm ctx) {
        return new MmuGather(ctx);
    }

    /** __tlb_remove_folio_pages(): queue the PTE's reference to {@code folio}. */
    void removeFolio(Folio folio, boolean delayRmap) {
        pages.add(new Entry(folio, delayRmap));
        if (delayRmap) {
            delayedRmap = true;
        }
    }

    /** tlb_flush_rmaps(): the delayed folio_remove_rmap_ptes() of dirty file folios, after the flush. */
    void flushRmaps(Vma vma) {
        if (!delayedRmap) {
            return;
        }
        for (int i = 0; i < pages.size(); i++) {
            Entry e = pages.get(i);
            if (e.delayRmap) {
                ctx.rmap().folioRemoveRmapPte(e.folio, vma);
                pages.set(i, new Entry(e.folio, false));
            }
        }
        delayedRmap = false;
    }

    /** tlb_flush_mmu(): free_pages_and_swap_cache() of every queued folio. */
    void flushMmu() {
        if (delayedRmap) {
            throw new IllegalStateException("tlb_flush_mmu with delayed rmaps pending");
        }
        FolioBatch batch = new FolioBatch(ctx.memMap());
        int[] refs = new int[FolioBatch.FOLIO_BATCH_SIZE];
        for (Entry e : pages) {
            // free_swap_cache(): no swap cache in the model.
            refs[batch.count()] = 1;
            if (batch.add(e.folio) == 0) {
                ctx.swap().foliosPutRefs(batch, refs);
                batch.reinit();
            }
        }
        if (batch.count() > 0) {
            ctx.swap().foliosPutRefs(batch, refs);
        }
        pages.clear();
    }

    /** tlb_finish_mmu(). */
    public void finish() {
        flushMmu();
    }
}
