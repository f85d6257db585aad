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

    /**
     * folio_try_dup_anon_rmap_pte() (include/linux/rmap.h) for fork, once the caller has ruled out a
     * possibly pinned exclusive folio: the child's PTE is one more mapping, and the page is no longer
     * exclusive to either process (ClearPageAnonExclusive). No mlock: the child's VMA is not locked.
     *
     * @param folio an anonymous, mapped small folio
     */
    public void folioTryDupAnonRmapPte(Folio folio) {
        checkSmall(folio, "folio_try_dup_anon_rmap_pte");
        if (!folio.isAnon() || folio.mapcount() <= 0) {
            throw new VmBugException("folio_try_dup_anon_rmap_pte: not a mapped anon folio\n" + folio.dump());
        }
        if (folio.test(PageFlags.PG_anon_exclusive)) {
            folio.clear(PageFlags.PG_anon_exclusive); // ClearPageAnonExclusive: atomic clear_bit, relaxed (under the PTL)
        }
        ctx.memMap().mapcountAddReturn(folio.pfn(), 1); // atomic_inc: the folio was mapped already, no stat change
    }

    /**
     * folio_dup_file_rmap_pte() (include/linux/rmap.h) for fork: one more mapping of a mapped file folio.
     *
     * @param folio a mapped page-cache small folio
     */
    public void folioDupFileRmapPte(Folio folio) {
        checkSmall(folio, "folio_dup_file_rmap_pte");
        if (folio.isAnon() || folio.mapcount() <= 0) {
            throw new VmBugException("folio_dup_file_rmap_pte: not a mapped file folio\n" + folio.dump());
        }
        ctx.memMap().mapcountAddReturn(folio.pfn(), 1); // atomic_inc: no stat change
    }

    /**
     * folio_move_anon_rmap(): an anonymous folio that a write fault reuses becomes its VMA's own
     * (folio->mapping points at {@code vma}'s anon_vma), so that rmap walks no longer visit the VMAs of
     * other processes that once shared it. Caller holds the folio lock.
     *
     * @param folio the folio, exclusively mapped by {@code vma}
     * @param vma the VMA that reuses it
     */
    public void folioMoveAnonRmap(Folio folio, Vma vma) {
        if (!folio.testLocked()) {
            throw new VmBugException("folio_move_anon_rmap: folio not locked\n" + folio.dump());
        }
        AnonVma av = vma.anonVma;
        if (av == null || folio.mapping() == av.mappingWord()) {
            return;
        }
        // WRITE_ONCE(folio->mapping, anon_vma | PAGE_MAPPING_ANON): a plain store; rmap walkers read it
        // with READ_ONCE and either anon_vma reaches this VMA (its chain holds both).
        io.github.foliolab.folio.internal.PageWords.setMapping(ctx.memMap(), folio.pfn(), av.mappingWord());
    }
}
