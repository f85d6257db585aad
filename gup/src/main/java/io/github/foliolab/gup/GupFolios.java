package io.github.foliolab.gup;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmBugException;

/**
 * The reference and pin arithmetic of mm/gup.c on folios: try_grab_folio() (slow path, under the PTL),
 * try_grab_folio_fast() (GUP-fast, add-unless-zero), gup_put_folio(), unpin_user_page(s),
 * unpin_folio(s), folio_maybe_dma_pinned() and folio_is_longterm_pinnable() (include/linux/mm.h). A
 * FOLL_PIN on a small folio adds GUP_PIN_COUNTING_BIAS (1024) to its refcount; on a large folio it
 * adds 1 to the refcount and 1 to _pincount. Pins of the shared zero page are not taken. The atomics
 * themselves are MemMap's (page_ref.h level); this class decides which to apply.
 */
public final class GupFolios {
    /** GUP_PIN_COUNTING_BIAS (include/linux/mm.h). */
    public static final int GUP_PIN_COUNTING_BIAS = MemMap.GUP_PIN_COUNTING_BIAS;

    private final MemMap memMap;

    GupFolios(MemMap memMap) {
        this.memMap = memMap;
    }

    /**
     * try_grab_folio() (mm/gup.c): the caller (follow_page_pte, under the PTL) knows the folio has a
     * positive count. FOLL_GET adds {@code refs}; FOLL_PIN adds a pin per ref as above.
     *
     * @param folio the folio
     * @param refs the number of references or pins
     * @param gupFlags FOLL_* flags with FOLL_GET or FOLL_PIN
     * @return 0, or -ENOMEM when the count was not positive (the kernel's WARN case), nothing changed
     */
    public int tryGrabFolio(Folio folio, int refs, int gupFlags) {
        int mf = Foll.memMapFlags(gupFlags);
        if (mf == 0) {
            throw new VmBugException("try_grab_folio without FOLL_GET or FOLL_PIN: " + folio.dump());
        }
        return memMap.tryGrabFolio(folio.pfn(), refs, mf);
    }

    /**
     * try_grab_folio_fast() (mm/gup.c): the GUP-fast grab, with no lock held and interrupts off.
     * folio_ref_try_add(refs) fails on a zero (free or frozen) count; a FOLL_LONGTERM pin of a folio that
     * is not long-term pinnable drops the references and fails, so the caller falls back to the slow
     * path; then a FOLL_PIN becomes a pin.
     *
     * @param pfn the page frame number from the PTE
     * @param refs the number of references or pins
     * @param gupFlags FOLL_* flags with FOLL_GET or FOLL_PIN
     * @return the folio, or null when nothing was taken
     */
    public Folio tryGrabFolioFast(long pfn, int refs, int gupFlags) {
        if ((gupFlags & (Foll.FOLL_GET | Foll.FOLL_PIN)) == 0) {
            throw new VmBugException("try_grab_folio_fast without FOLL_GET or FOLL_PIN at pfn " + pfn);
        }
        long head = memMap.compoundHead(pfn);
        if ((gupFlags & Foll.FOLL_PIN) != 0 && memMap.isZeroFolio(head)) {
            return memMap.folio(head); // the zero page is never pinned
        }
        // try_get_folio(): folio_ref_try_add, fully ordered on success; a zero count means the folio is
        // being freed or is frozen by migration (folio_ref_freeze), and GUP-fast must not touch it.
        if (!memMap.refTryAdd(head, refs)) {
            return null;
        }
        if (memMap.compoundHead(pfn) != head) {
            memMap.putRefs(head, refs); // the page was split or freed and reused under us
            return null;
        }
        Folio folio = memMap.folio(head);
        if ((gupFlags & Foll.FOLL_GET) != 0) {
            return folio;
        }
        if ((gupFlags & Foll.FOLL_LONGTERM) != 0 && !folioIsLongtermPinnable(folio)) {
            memMap.putRefs(head, refs);
            return null;
        }
        memMap.pinFastRefs(head, refs);
        return folio;
    }

    /**
     * gup_put_folio() (mm/gup.c): undo {@link #tryGrabFolio} or {@link #tryGrabFolioFast}.
     *
     * @param folio the folio
     * @param refs the number of references or pins
     * @param gupFlags the FOLL_* flags they were taken with
     */
    public void gupPutFolio(Folio folio, int refs, int gupFlags) {
        memMap.gupPutFolio(folio.pfn(), refs, Foll.memMapFlags(gupFlags));
    }

    /**
     * unpin_user_page() (mm/gup.c): drop one FOLL_PIN pin of the folio holding {@code pfn}.
     *
     * @param pfn a page frame number returned by a pin
     */
    public void unpinUserPage(long pfn) {
        memMap.gupPutFolio(memMap.compoundHead(pfn), 1, MemMap.FOLL_PIN);
    }

    /**
     * unpin_user_pages() (mm/gup.c): one pin per entry, dropped a folio at a time.
     *
     * @param pfns page frame numbers returned by a pin
     * @param n how many of them
     */
    public void unpinUserPages(long[] pfns, int n) {
        for (int i = 0; i < n; ) {
            long head = memMap.compoundHead(pfns[i]);
            int j = i + 1;
            while (j < n && memMap.compoundHead(pfns[j]) == head) {
                j++;
            }
            memMap.gupPutFolio(head, j - i, MemMap.FOLL_PIN);
            i = j;
        }
    }

    /**
     * unpin_folio() (mm/gup.c): drop one pin.
     *
     * @param folio the folio
     */
    public void unpinFolio(Folio folio) {
        memMap.gupPutFolio(folio.pfn(), 1, MemMap.FOLL_PIN);
    }

    /**
     * unpin_folios() (mm/gup.c): one pin of each folio; null entries are skipped.
     *
     * @param folios the folios
     */
    public void unpinFolios(Folio[] folios) {
        for (Folio f : folios) {
            if (f != null) {
                unpinFolio(f);
            }
        }
    }

    /**
     * folio_maybe_dma_pinned() (include/linux/mm.h): exact for large folios, a heuristic for small ones.
     *
     * @param folio the folio
     * @return for a large folio, whether _pincount is above 0; for a small one, whether the refcount
     *         (read unsigned) has reached GUP_PIN_COUNTING_BIAS (1024), which many plain references also do
     */
    public boolean folioMaybeDmaPinned(Folio folio) {
        return memMap.maybeDmaPinned(folio.pfn());
    }

    /**
     * folio_is_longterm_pinnable() (include/linux/mm.h): not in a CMA pageblock and not in ZONE_MOVABLE;
     * the zero page always is.
     *
     * @param folio the folio
     * @return true if a FOLL_LONGTERM pin may keep the folio where it is; false if it must be migrated
     *         out of the movable zone or CMA pageblock first
     */
    public boolean folioIsLongtermPinnable(Folio folio) {
        if (folio.isZero()) {
            return true;
        }
        return !memMap.nodeOf(folio.pfn()).isMovableOrCma(folio.pfn());
    }

    /**
     * folio_expected_ref_count() (include/linux/mm.h): the references a folio has with no one else
     * holding it: one per page from the page cache (file) or the swap cache, one for PG_private, one per
     * mapping.
     *
     * @param folio the folio
     * @return the expected reference count, in references: nrPages for the page or swap cache, one for
     *         PG_private, one per page-table mapping; the caller's own reference is not included
     */
    public static int folioExpectedRefCount(Folio folio) {
        int nr = (int) folio.nrPages();
        int ref = folio.testSwapbacked() && folio.test(PageFlags.PG_swapcache) ? nr : 0;
        if (!folio.isAnon()) {
            ref += folio.mapping() != 0 ? nr : 0;
            ref += folio.test(PageFlags.PG_private) ? 1 : 0;
        }
        return ref + folio.mapcount();
    }
}
