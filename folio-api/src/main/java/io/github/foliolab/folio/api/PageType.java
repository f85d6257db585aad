package io.github.foliolab.folio.api;

/**
 * Page types kept in the top byte of {@code page_type}, which overlays {@code _mapcount}
 * (include/linux/page-flags.h, {@code enum pagetype}). A typed page's {@code page_type} is
 * {@code PGTY_x << 24}; an untyped page's {@code _mapcount} is -1 when unmapped.
 */
public final class PageType {
    private PageType() {}

    public static final int PGTY_buddy = 0xf0;
    public static final int PGTY_offline = 0xf1;
    public static final int PGTY_table = 0xf2;
    public static final int PGTY_guard = 0xf3;
    public static final int PGTY_hugetlb = 0xf4;
    public static final int PGTY_slab = 0xf5;
    public static final int PGTY_mapcount_underflow = 0xff;

    /** The {@code page_type} word of a typed page. */
    public static int value(int pgty) {
        return pgty << 24;
    }

    /** page_type_has_type(): below the underflow marker means the word is a type, not a mapcount. */
    public static boolean hasType(int pageType) {
        // Signed comparison as in the kernel: -1 (unmapped) and small mapcounts are above the marker.
        return pageType < (PGTY_mapcount_underflow << 24);
    }
}
