package io.github.foliolab.folio.api;

/**
 * Page types kept in the top byte of {@code page_type}, which overlays {@code _mapcount}
 * (include/linux/page-flags.h, {@code enum pagetype}). A typed page's {@code page_type} is
 * {@code PGTY_x << 24}; an untyped page's {@code _mapcount} is -1 when unmapped.
 */
public final class PageType {
    private PageType() {}

    /** {@code PGTY_buddy} (enum pagetype, include/linux/page-flags.h). */
    public static final int PGTY_buddy = 0xf0;
    /** {@code PGTY_offline} (enum pagetype, include/linux/page-flags.h). */
    public static final int PGTY_offline = 0xf1;
    /** {@code PGTY_table} (enum pagetype, include/linux/page-flags.h). */
    public static final int PGTY_table = 0xf2;
    /** {@code PGTY_guard} (enum pagetype, include/linux/page-flags.h). */
    public static final int PGTY_guard = 0xf3;
    /** {@code PGTY_hugetlb} (enum pagetype, include/linux/page-flags.h). */
    public static final int PGTY_hugetlb = 0xf4;
    /** {@code PGTY_slab} (enum pagetype, include/linux/page-flags.h). */
    public static final int PGTY_slab = 0xf5;
    /** {@code PGTY_mapcount_underflow} (enum pagetype, include/linux/page-flags.h). */
    public static final int PGTY_mapcount_underflow = 0xff;

    /**
     * {@return the {@code page_type} word of a typed page}
     *
     * @param pgty the page type
     */
    public static int value(int pgty) {
        return pgty << 24;
    }

    /**
     * page_type_has_type(): below the underflow marker means the word is a type, not a mapcount.
     *
     * @param pageType the page type
     * @return true if {@code pageType} holds a page type (PGTY_* in the top byte), false if it is a mapcount
     */
    public static boolean hasType(int pageType) {
        // Signed comparison as in the kernel: -1 (unmapped) and small mapcounts are above the marker.
        return pageType < (PGTY_mapcount_underflow << 24);
    }
}
