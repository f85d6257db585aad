package io.github.foliolab.mm;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmBugException;

/**
 * The PTE-level rmap functions of mm/rmap.c for small folios: they keep _mapcount and the mapped
 * counters right and call the mlock hooks where 7.2 does (adding a mapping of an existing folio calls
 * mlock_vma_folio when the whole folio gets mapped; folio_add_new_anon_rmap does not, new anon folios
 * reach mlock_new_folio through folio_add_lru_vma; every removal ends with munlock_vma_folio).
 *
 * <p>Model difference: only PTE mappings of order-0 folios are made by the fault path (no THP), so
 * these functions refuse large folios with a VmBugException.
 */
public final class Rmap {
    private final Mm ctx;

    Rmap(Mm ctx) {
        this.ctx = ctx;
    }

    private static void checkSmall(Folio folio, String fn) {
        if (folio.isLarge()) {
            throw new VmBugException(fn + ": large folios are not PTE-mapped by the model\n" + folio.dump());
        }
        if (folio.isZero()) {
            throw new VmBugException(fn + ": the zero page has no rmap\n" + folio.dump());
        }
    }

    /**
     * folio_add_new_anon_rmap(): a freshly allocated folio becomes anonymous (PG_swapbacked, mapping =
     * anon_vma | PAGE_MAPPING_ANON, index = linear page index), mapped once, exclusive when asked.
     *
     * @param folio the folio
     * @param vma the VMA
     * @param addr a user virtual address (bytes)
     * @param exclusive true for an exclusive mapping
     */
    public void folioAddNewAnonRmap(Folio folio, Vma vma, long addr, boolean exclusive) {
        checkSmall(folio, "folio_add_new_anon_rmap");
        if (folio.mapcount() != 0 || folio.mapping() != 0) {
            throw new VmBugException("folio_add_new_anon_rmap: folio is not new\n" + folio.dump());
        }
        AnonVma av = vma.anonVma;
        if (av == null) {
            throw new VmBugException("folio_add_new_anon_rmap: " + vma + " has no anon_vma");
        }
        if (!folio.testSwapbacked()) {
            folio.nonAtomicSet(PageFlags.PG_swapbacked); // __folio_set_swapbacked: nobody else sees it yet
        }
        PageWords.setIndex(ctx.memMap(), folio.pfn(), vma.linearPageIndex(addr)); // plain store: the folio is not visible to anybody else yet
        // __folio_set_anon(): WRITE_ONCE(folio->mapping, anon_vma | PAGE_MAPPING_ANON).
        PageWords.setMapping(ctx.memMap(), folio.pfn(), av.mappingWord()); // WRITE_ONCE(folio->mapping): plain store, published by the release of set_pte_at / the xa_lock
        ctx.memMap().mapcountAddReturn(folio.pfn(), 1); // atomic_set(_mapcount, 0) on a new folio
        if (exclusive) {
            folio.set(PageFlags.PG_anon_exclusive); // SetPageAnonExclusive: atomic set_bit, relaxed
        }
        folio.pgdat().vmstat().modNode(NodeStatItem.NR_ANON_MAPPED, 1);
    }

    /**
     * folio_add_anon_rmap_ptes() for one PTE: map an existing anonymous folio again.
     *
     * @param folio the folio
     * @param vma the VMA
     * @param addr a user virtual address (bytes)
     * @param exclusive true for an exclusive mapping
     */
    public void folioAddAnonRmapPte(Folio folio, Vma vma, long addr, boolean exclusive) {
        checkSmall(folio, "folio_add_anon_rmap_ptes");
        if (!folio.isAnon()) {
            throw new VmBugException("folio_add_anon_rmap_ptes: not anon\n" + folio.dump());
        }
        int raw = ctx.memMap().mapcountAddReturn(folio.pfn(), 1); // atomic_inc_and_test: full
        if (raw == 0) {
            folio.pgdat().vmstat().modNode(NodeStatItem.NR_ANON_MAPPED, 1);
        }
        if (exclusive) {
            folio.set(PageFlags.PG_anon_exclusive); // SetPageAnonExclusive: set_bit, relaxed
        }
        // The whole (small) folio is mapped: mlock it if the VMA is locked.
        ctx.mlock().mlockVmaFolio(folio, vma.flags());
    }

    /**
     * folio_add_file_rmap_ptes() for one PTE.
     *
     * @param folio the folio
     * @param vma the VMA
     */
    public void folioAddFileRmapPte(Folio folio, Vma vma) {
        checkSmall(folio, "folio_add_file_rmap_ptes");
        if (folio.isAnon()) {
            throw new VmBugException("folio_add_file_rmap_ptes: anon folio\n" + folio.dump());
        }
        int raw = ctx.memMap().mapcountAddReturn(folio.pfn(), 1); // full
        if (raw == 0) {
            folio.pgdat().vmstat().modNode(NodeStatItem.NR_FILE_MAPPED, 1);
        }
        ctx.mlock().mlockVmaFolio(folio, vma.flags());
    }

    /**
     * folio_remove_rmap_ptes() for one PTE: ends with munlock_vma_folio().
     *
     * @param folio the folio
     * @param vma the VMA
     */
    public void folioRemoveRmapPte(Folio folio, Vma vma) {
        checkSmall(folio, "folio_remove_rmap_ptes");
        if (folio.mapcount() <= 0) {
            throw new VmBugException("folio_remove_rmap_ptes: mapcount underflow\n" + folio.dump());
        }
        int raw = ctx.memMap().mapcountAddReturn(folio.pfn(), -1); // atomic_add_negative: full
        if (raw < 0) {
            folio.pgdat().vmstat().modNode(folio.isAnon() ? NodeStatItem.NR_ANON_MAPPED : NodeStatItem.NR_FILE_MAPPED, -1);
        }
        ctx.mlock().munlockVmaFolio(folio, vma.flags());
    }
}
