package io.github.foliolab.mm;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.FolioMmIds;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmBugException;

/**
 * The PTE-level rmap functions of mm/rmap.c for small folios: they keep _mapcount and the mapped
 * counters right and call the mlock hooks where 7.2 does (adding a mapping of an existing folio calls
 * mlock_vma_folio when the whole folio gets mapped; folio_add_new_anon_rmap does not, new anon folios
 * reach mlock_new_folio through folio_add_lru_vma; every removal ends with munlock_vma_folio).
 *
 * <p>Large (mTHP) anonymous folios are PTE-mapped as 7.2 does with CONFIG_PAGE_MAPCOUNT: each page's
 * _mapcount, the folio's _large_mapcount (all its PTE mappings) and _nr_pages_mapped (pages mapped at
 * least once); NR_ANON_MAPPED counts pages. With them, as with CONFIG_MM_ID (selected by
 * CONFIG_TRANSPARENT_HUGEPAGE), every change of _large_mapcount also updates the per-mm slots and the
 * "maybe mapped shared" bit of the folio ({@link FolioMmIds}), which folio_maybe_mapped_shared() and the
 * large-folio reuse of a write fault read. Removing the last mapping of some pages while others stay
 * mapped queues the folio for a deferred split (deferred_split_folio). A new mapping of part of a large
 * folio never mlocks it: only a mapping of the whole folio does.
 *
 * <p>Model difference: no PMD mappings, no large page-cache folios (file rmap refuses large folios).
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
        if (folio.isZero()) {
            throw new VmBugException("folio_add_new_anon_rmap: the zero page has no rmap\n" + folio.dump());
        }
        if (folio.mapcount() != 0 || folio.mapping() != 0) {
            throw new VmBugException("folio_add_new_anon_rmap: folio is not new\n" + folio.dump());
        }
        AnonVma av = vma.anonVma;
        if (av == null) {
            throw new VmBugException("folio_add_new_anon_rmap: " + vma + " has no anon_vma");
        }
        int nr = (int) folio.nrPages();
        if (addr < vma.start() || addr + ((long) nr << 12) > vma.end()) {
            throw new VmBugException("folio_add_new_anon_rmap: " + nr + " pages at 0x" + Long.toHexString(addr)
                    + " outside " + vma + "\n" + folio.dump());
        }
        if (!folio.testSwapbacked()) {
            folio.nonAtomicSet(PageFlags.PG_swapbacked); // __folio_set_swapbacked: nobody else sees it yet
        }
        PageWords.setIndex(ctx.memMap(), folio.pfn(), vma.linearPageIndex(addr)); // plain store: the folio is not visible to anybody else yet
        // __folio_set_anon(): WRITE_ONCE(folio->mapping, anon_vma | PAGE_MAPPING_ANON).
        PageWords.setMapping(ctx.memMap(), folio.pfn(), av.mappingWord()); // WRITE_ONCE(folio->mapping): plain store, published by the release of set_pte_at / the xa_lock
        if (!folio.isLarge()) {
            ctx.memMap().mapcountAddReturn(folio.pfn(), 1); // atomic_set(_mapcount, 0) on a new folio
            if (exclusive) {
                folio.set(PageFlags.PG_anon_exclusive); // SetPageAnonExclusive: atomic set_bit, relaxed
            }
        } else {
            for (int i = 0; i < nr; i++) {
                ctx.memMap().mapcountAddReturn(folio.pfn() + i, 1); // atomic_set(&page->_mapcount, 0)
                if (exclusive) {
                    ctx.memMap().setFlag(folio.pfn() + i, PageFlags.PG_anon_exclusive); // SetPageAnonExclusive per page
                }
            }
            FolioMmIds.setLargeMapcount(ctx.memMap(), folio.pfn(), nr, vma.mm().mmId()); // folio_set_large_mapcount(folio, nr, vma)
            ctx.memMap().nrPagesMappedAddReturn(folio.pfn(), nr); // atomic_set(&folio->_nr_pages_mapped, nr)
            ctx.thp().stats().mod(folio.order(), MthpStats.Item.NR_ANON, 1);
        }
        folio.pgdat().vmstat().modNode(NodeStatItem.NR_ANON_MAPPED, nr);
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
        folioAddAnonRmapPtes(folio, folio.pfn(), 1, vma, exclusive);
    }

    /**
     * folio_add_anon_rmap_ptes() (mm/rmap.c): map {@code nr} consecutive pages of an existing anonymous
     * folio, starting at page {@code pfn}, with {@code nr} PTEs of {@code vma}. Pages mapped for the first
     * time raise _nr_pages_mapped and NR_ANON_MAPPED; the folio is mlocked (mlock_vma_folio) only when the
     * call maps all of its pages.
     *
     * @param folio the folio (its head)
     * @param pfn the first page mapped, inside the folio
     * @param nr the number of pages (at least 1)
     * @param vma the VMA
     * @param exclusive true for exclusive mappings (PageAnonExclusive on each page)
     */
    public void folioAddAnonRmapPtes(Folio folio, long pfn, int nr, Vma vma, boolean exclusive) {
        checkRange(folio, pfn, nr, "folio_add_anon_rmap_ptes");
        if (!folio.isAnon()) {
            throw new VmBugException("folio_add_anon_rmap_ptes: not anon\n" + folio.dump());
        }
        int mapped;
        if (!folio.isLarge()) {
            mapped = ctx.memMap().mapcountAddReturn(folio.pfn(), 1) == 0 ? 1 : 0; // atomic_inc_and_test: full
        } else {
            int first = 0;
            for (int i = 0; i < nr; i++) {
                if (ctx.memMap().mapcountAddReturn(pfn + i, 1) == 0) first++; // atomic_inc_and_test: full
            }
            if (first > 0) {
                ctx.memMap().nrPagesMappedAddReturn(folio.pfn(), first); // atomic_add_return_relaxed
            }
            FolioMmIds.addReturnLargeMapcount(ctx.memMap(), folio.pfn(), nr, vma.mm().mmId()); // folio_add_large_mapcount(folio, nr, vma)
            mapped = first;
        }
        if (mapped > 0) {
            folio.pgdat().vmstat().modNode(NodeStatItem.NR_ANON_MAPPED, mapped);
        }
        if (exclusive) {
            for (int i = 0; i < nr; i++) {
                ctx.memMap().setFlag(pfn + i, PageFlags.PG_anon_exclusive); // SetPageAnonExclusive: set_bit, relaxed
            }
        }
        // Only mlock the folio if this call maps it whole (a part outside the VMA could be split off
        // and reclaimed).
        if (folio.nrPages() == nr) {
            ctx.mlock().mlockVmaFolio(folio, vma.flags());
        }
    }

    private static void checkRange(Folio folio, long pfn, int nr, String fn) {
        if (folio.isZero()) {
            throw new VmBugException(fn + ": the zero page has no rmap\n" + folio.dump());
        }
        if (nr < 1 || pfn < folio.pfn() || pfn + nr > folio.pfn() + folio.nrPages()) {
            throw new VmBugException(fn + ": pages [" + pfn + ", +" + nr + ") outside the folio\n" + folio.dump());
        }
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
     * folio_remove_rmap_ptes() for one PTE of a small folio: ends with munlock_vma_folio().
     *
     * @param folio the folio
     * @param vma the VMA
     */
    public void folioRemoveRmapPte(Folio folio, Vma vma) {
        checkSmall(folio, "folio_remove_rmap_ptes");
        folioRemoveRmapPtes(folio, folio.pfn(), 1, vma);
    }

    /**
     * folio_remove_rmap_ptes() (mm/rmap.c): remove {@code nr} PTE mappings of consecutive pages of
     * {@code folio}, starting at page {@code pfn}. Pages whose last mapping goes lower _nr_pages_mapped
     * and NR_ANON_MAPPED / NR_FILE_MAPPED; if that leaves a large anonymous folio partly mapped it is
     * queued with deferred_split_folio(folio, true) (once: not if already PG_partially_mapped). Ends
     * with munlock_vma_folio(), which munlocks the whole folio in a VM_LOCKED VMA even when only part of
     * it is unmapped.
     *
     * @param folio the folio (its head)
     * @param pfn the first page unmapped, inside the folio
     * @param nr the number of pages (at least 1)
     * @param vma the VMA
     * @throws VmBugException if a page's mapcount would underflow
     */
    public void folioRemoveRmapPtes(Folio folio, long pfn, int nr, Vma vma) {
        checkRange(folio, pfn, nr, "folio_remove_rmap_ptes");
        for (int i = 0; i < nr; i++) {
            if (ctx.memMap().mapcountRaw(pfn + i) < 0) {
                throw new VmBugException("folio_remove_rmap_ptes: mapcount underflow of page " + (pfn + i)
                        + "\n" + folio.dump());
            }
        }
        int unmapped;
        boolean partiallyMapped = false;
        if (!folio.isLarge()) {
            unmapped = ctx.memMap().mapcountAddReturn(folio.pfn(), -1) < 0 ? 1 : 0; // atomic_add_negative: full
        } else {
            FolioMmIds.subReturnLargeMapcount(ctx.memMap(), folio.pfn(), nr, vma.mm().mmId()); // folio_sub_large_mapcount(folio, nr, vma)
            int last = 0;
            for (int i = 0; i < nr; i++) {
                if (ctx.memMap().mapcountAddReturn(pfn + i, -1) < 0) last++; // atomic_add_negative: full
            }
            int stillMapped = last > 0
                    ? ctx.memMap().nrPagesMappedAddReturn(folio.pfn(), -last) // atomic_sub_return_relaxed
                    : ctx.memMap().nrPagesMappedRaw(folio.pfn());
            unmapped = last;
            partiallyMapped = unmapped > 0 && stillMapped > 0;
        }
        if (partiallyMapped && folio.isAnon() && !DeferredSplit.testPartiallyMapped(ctx.memMap(), folio.pfn())) {
            ctx.thp().deferredSplit().deferredSplitFolio(folio, true);
        }
        if (unmapped > 0) {
            folio.pgdat().vmstat().modNode(folio.isAnon() ? NodeStatItem.NR_ANON_MAPPED : NodeStatItem.NR_FILE_MAPPED, -unmapped);
        }
        ctx.mlock().munlockVmaFolio(folio, vma.flags());
    }

    /**
     * folio_try_dup_anon_rmap_pte() (include/linux/rmap.h) for fork, once the caller has ruled out a
     * possibly pinned exclusive page: the child's PTE is one more mapping of the page, and the page is no
     * longer exclusive to either process (ClearPageAnonExclusive). Of a PTE-mapped large folio, the page's
     * own _mapcount and the folio's _large_mapcount rise by one (its _nr_pages_mapped does not: the page
     * was mapped already). No mlock: the child's VMA is not locked.
     *
     * @param folio an anonymous, mapped folio (its head)
     * @param pfn the page the PTE maps, inside the folio
     * @param dst the child's VMA (its mm takes a slot of the folio's mm-id tracking)
     */
    public void folioTryDupAnonRmapPte(Folio folio, long pfn, Vma dst) {
        checkRange(folio, pfn, 1, "folio_try_dup_anon_rmap_pte");
        if (!folio.isAnon() || ctx.memMap().pageMapcount(pfn) <= 0) {
            throw new VmBugException("folio_try_dup_anon_rmap_pte: not a mapped anon page\n" + folio.dump());
        }
        if (ctx.memMap().testFlag(pfn, PageFlags.PG_anon_exclusive)) {
            ctx.memMap().clearFlag(pfn, PageFlags.PG_anon_exclusive); // ClearPageAnonExclusive: atomic clear_bit, relaxed (under the PTL)
        }
        ctx.memMap().mapcountAddReturn(pfn, 1); // atomic_inc: the page was mapped already, no stat change
        if (folio.isLarge()) {
            FolioMmIds.addReturnLargeMapcount(ctx.memMap(), folio.pfn(), 1, dst.mm().mmId()); // folio_add_large_mapcount(folio, 1, dst_vma)
        }
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
