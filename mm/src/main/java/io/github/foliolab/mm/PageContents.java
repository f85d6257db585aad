package io.github.foliolab.mm;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One bit of page contents per pfn: set once user space has written the page (or a copy of a written
 * page was made), clear for a zero-filled page. It is what pages_identical(page, ZERO_PAGE(0)) needs when
 * a split maps the unused (all-zero) pages of an anonymous large folio to the shared zero page
 * (try_to_map_unused_to_zeropage, mm/migrate.c) and when thp_underused() counts zero pages.
 *
 * <p>Model difference: contents are otherwise not modelled; a write of any byte counts as non-zero
 * (the conformance runner writes 1).
 */
public final class PageContents {
    private final AtomicLongArray bits;

    PageContents(long nrPages) {
        this.bits = new AtomicLongArray((int) ((nrPages + 63) >>> 6));
    }

    /**
     * Mark the page written (not zero-filled).
     *
     * @param pfn the page frame number
     */
    public void setWritten(long pfn) {
        int i = (int) (pfn >>> 6);
        long bit = 1L << (pfn & 63);
        if ((bits.get(i) & bit) == 0) bits.getAndUpdate(i, w -> w | bit);
    }

    /**
     * Mark {@code nr} pages zero-filled (a __GFP_ZERO allocation, a freed page).
     *
     * @param pfn the first page frame number
     * @param nr the number of pages
     */
    public void setZero(long pfn, long nr) {
        for (long p = pfn; p < pfn + nr; p++) {
            int i = (int) (p >>> 6);
            long bit = 1L << (p & 63);
            if ((bits.get(i) & bit) != 0) bits.getAndUpdate(i, w -> w & ~bit);
        }
    }

    /**
     * {@return true if the page was written since it was last zero-filled}
     *
     * @param pfn the page frame number
     */
    public boolean written(long pfn) {
        return (bits.get((int) (pfn >>> 6)) & (1L << (pfn & 63))) != 0;
    }
}
