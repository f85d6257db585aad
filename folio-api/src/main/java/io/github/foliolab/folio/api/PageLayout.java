package io.github.foliolab.folio.api;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct page} and {@code struct folio} of Linux 7.2 (include/linux/mm_types.h) as
 * {@link StructLayout}s: 64-bit, CONFIG_MEMCG (so {@code sizeof(struct page) == 64} and
 * NR_PAGES_IN_LARGE_FOLIO), CONFIG_PAGE_MAPCOUNT and CONFIG_MM_ID, no WANT_PAGE_VIRTUAL, no KMSAN.
 *
 * <p>Pointers are stored as page frame numbers (pfn), never as Java references: {@code lru.next/prev}
 * hold the pfn of the neighbour (or a list-head id, see the lru module), {@code compound_info} of a tail
 * holds {@code head_pfn << 1 | 1} (bit 0 marks a tail, as in the kernel), {@code mapping} holds a handle
 * with the kernel's low tag bits (bit 0 = anon).
 */
public final class PageLayout {
    private PageLayout() {}

    /** One page descriptor: 64 bytes. */
    public static final long PAGE_DESC_SIZE = 64;
    /** {@code PAGE_SHIFT}: log2 of the page size (x86-64: 12). */
    public static final int PAGE_SHIFT = 12;
    /** {@code PAGE_SIZE}: bytes per base page (4096). */
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    /** Largest buddy order (MAX_PAGE_ORDER on x86-64). */
    public static final int MAX_PAGE_ORDER = 10;
    /** pageblock_order on x86-64 (HPAGE_PMD_ORDER). */
    public static final int PAGEBLOCK_ORDER = 9;

    /** {@code struct page}. The union at 8 overlays lru, the mlock_count pair, buddy_list and compound_info. */
    public static final StructLayout PAGE = MemoryLayout.structLayout(
            JAVA_LONG.withName("flags"),
            MemoryLayout.unionLayout(
                    MemoryLayout.structLayout(
                            JAVA_LONG.withName("next"),
                            JAVA_LONG.withName("prev")).withName("lru"),
                    MemoryLayout.structLayout(
                            JAVA_LONG.withName("__filler"),
                            JAVA_INT.withName("mlock_count"),
                            MemoryLayout.paddingLayout(4)).withName("mlock"),
                    JAVA_LONG.withName("compound_info")).withName("u"),
            JAVA_LONG.withName("mapping"),
            JAVA_LONG.withName("index"),
            JAVA_LONG.withName("private"),
            JAVA_INT.withName("_mapcount"),
            JAVA_INT.withName("_refcount"),
            JAVA_LONG.withName("memcg_data")).withName("page");

    private static final StructLayout PAGE_1 = MemoryLayout.structLayout(
            JAVA_LONG.withName("_flags_1"),
            JAVA_LONG.withName("_head_1"),
            MemoryLayout.unionLayout(
                    MemoryLayout.structLayout(
                            JAVA_INT.withName("_large_mapcount"),
                            JAVA_INT.withName("_nr_pages_mapped"),
                            JAVA_INT.withName("_entire_mapcount"),
                            JAVA_INT.withName("_pincount"),
                            MemoryLayout.sequenceLayout(2, JAVA_INT).withName("_mm_id_mapcount"),
                            MemoryLayout.sequenceLayout(2, JAVA_INT).withName("_mm_id")).withName("m"),
                    MemoryLayout.sequenceLayout(4, JAVA_LONG).withName("_usable_1")).withName("u1"),
            JAVA_INT.withName("_mapcount_1"),
            JAVA_INT.withName("_refcount_1"),
            JAVA_INT.withName("_nr_pages"),
            MemoryLayout.paddingLayout(4)).withName("page1");

    private static final StructLayout PAGE_2 = MemoryLayout.structLayout(
            JAVA_LONG.withName("_flags_2"),
            JAVA_LONG.withName("_head_2"),
            MemoryLayout.structLayout(
                    JAVA_LONG.withName("next"),
                    JAVA_LONG.withName("prev")).withName("_deferred_list"),
            MemoryLayout.paddingLayout(32)).withName("page2");

    private static final StructLayout PAGE_3 = MemoryLayout.structLayout(
            JAVA_LONG.withName("_flags_3"),
            JAVA_LONG.withName("_head_3"),
            JAVA_LONG.withName("_hugetlb_subpool"),
            JAVA_LONG.withName("_hugetlb_cgroup"),
            JAVA_LONG.withName("_hugetlb_cgroup_rsvd"),
            JAVA_LONG.withName("_hugetlb_hwpoison"),
            MemoryLayout.paddingLayout(16)).withName("page3");

    /** {@code struct folio}: four page descriptors; fields of pages 1..3 exist for large folios only. */
    public static final StructLayout FOLIO = MemoryLayout.structLayout(PAGE, PAGE_1, PAGE_2, PAGE_3).withName("folio");

    /**
     * Byte offset of a field of {@link #PAGE}, e.g. {@code offset("u", "lru", "prev")}.
     *
     * @param path the field names, outermost first
     * @return the offset in bytes from the start of the 64-byte page descriptor
     * @throws IllegalArgumentException if the layout has no such field
     */
    public static long pageOffset(String... path) {
        return PAGE.byteOffset(groups(path));
    }

    /**
     * Byte offset of a field of {@link #FOLIO}, e.g. {@code folioOffset("page1", "u1", "m", "_pincount")}.
     *
     * @param path the field names, outermost first
     * @return the offset in bytes from the head page's descriptor (fields of page1..page3 lie in the tail
     *         descriptors that follow it)
     * @throws IllegalArgumentException if the layout has no such field
     */
    public static long folioOffset(String... path) {
        return FOLIO.byteOffset(groups(path));
    }

    /**
     * The group path elements for a field path, for {@code MemoryLayout.varHandle} and {@code byteOffset}.
     *
     * @param path the field names, outermost first
     * @return one {@code groupElement} per name, in order
     */
    public static PathElement[] groups(String... path) {
        PathElement[] p = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            p[i] = PathElement.groupElement(path[i]);
        }
        return p;
    }

    /** Offset of {@code page->flags} (bytes). */
    public static final long OFF_FLAGS = pageOffset("flags");
    /** Offset of {@code page->lru.next} (bytes): the LRU list link, also the folio's list_head. */
    public static final long OFF_LRU_NEXT = pageOffset("u", "lru", "next");
    /** Offset of {@code page->lru.prev} (bytes). */
    public static final long OFF_LRU_PREV = pageOffset("u", "lru", "prev");
    /** Offset of {@code folio->mlock_count} (bytes), which overlays {@code lru.prev} while the folio is unevictable. */
    public static final long OFF_MLOCK_COUNT = pageOffset("u", "mlock", "mlock_count");
    /** Offset of {@code page->compound_info} (bytes): a tail page's link to its head. */
    public static final long OFF_COMPOUND_INFO = pageOffset("u", "compound_info");
    /** Offset of {@code page->mapping} (bytes), with the low tag bits (bit 0: PAGE_MAPPING_ANON). */
    public static final long OFF_MAPPING = pageOffset("mapping");
    /** Offset of {@code page->index} (bytes): the page offset in the file or anon_vma (in pages). */
    public static final long OFF_INDEX = pageOffset("index");
    /** Offset of {@code page->private} (bytes). */
    public static final long OFF_PRIVATE = pageOffset("private");
    /** Offset of {@code page->_mapcount} (bytes; -1 means unmapped, or a page type below the underflow marker). */
    public static final long OFF_MAPCOUNT = pageOffset("_mapcount");
    /** Offset of {@code page->_refcount} (bytes). */
    public static final long OFF_REFCOUNT = pageOffset("_refcount");
    /** Offset of {@code page->memcg_data} (bytes). */
    public static final long OFF_MEMCG_DATA = pageOffset("memcg_data");
    /** Offset of {@code folio->_flags_1} (bytes): the flags word of the first tail page. */
    public static final long OFF_FLAGS_1 = folioOffset("page1", "_flags_1");
    /** Offset of {@code folio->_head_1} (bytes): the first tail page's compound_info. */
    public static final long OFF_HEAD_1 = folioOffset("page1", "_head_1");
    /** Offset of {@code folio->_large_mapcount} (bytes): the large folio's total mapcount, offset by -1. */
    public static final long OFF_LARGE_MAPCOUNT = folioOffset("page1", "u1", "m", "_large_mapcount");
    /** Offset of {@code folio->_nr_pages_mapped} (bytes): pages mapped by PTE, plus ENTIRELY_MAPPED per PMD mapping. */
    public static final long OFF_NR_PAGES_MAPPED = folioOffset("page1", "u1", "m", "_nr_pages_mapped");
    /** Offset of {@code folio->_entire_mapcount} (bytes): PMD mappings, offset by -1. */
    public static final long OFF_ENTIRE_MAPCOUNT = folioOffset("page1", "u1", "m", "_entire_mapcount");
    /** Offset of {@code folio->_pincount} (bytes): FOLL_PIN pins of a large folio. */
    public static final long OFF_PINCOUNT = folioOffset("page1", "u1", "m", "_pincount");
    /** Offset of {@code folio->_mm_id_mapcount[]} (bytes): mappings by each of the two tracked mm ids. */
    public static final long OFF_MM_ID_MAPCOUNT = folioOffset("page1", "u1", "m", "_mm_id_mapcount");
    /**
     * Offset of {@code folio->_mm_id[]} (bytes): the two mm ids mapping the folio (MM_ID_MAPPED_EXCLUSIVELY in the top bit).
     */
    public static final long OFF_MM_ID = folioOffset("page1", "u1", "m", "_mm_id");
    /** Offset of {@code folio->_mapcount_1} (bytes): the first tail page's own _mapcount. */
    public static final long OFF_MAPCOUNT_1 = folioOffset("page1", "_mapcount_1");
    /** Offset of {@code folio->_refcount_1} (bytes): the first tail page's own _refcount (0). */
    public static final long OFF_REFCOUNT_1 = folioOffset("page1", "_refcount_1");
    /** Offset of {@code folio->_nr_pages} (bytes): pages in the folio (1 &lt;&lt; order). */
    public static final long OFF_NR_PAGES = folioOffset("page1", "_nr_pages");
    /** Offset of {@code folio->_flags_2} (bytes): the flags word of the second tail page. */
    public static final long OFF_FLAGS_2 = folioOffset("page2", "_flags_2");
    /** Offset of {@code folio->_head_2} (bytes): the second tail page's compound_info. */
    public static final long OFF_HEAD_2 = folioOffset("page2", "_head_2");
    /** Offset of {@code folio->_deferred_list.next} (bytes): the link on the deferred-split queue. */
    public static final long OFF_DEFERRED_LIST = folioOffset("page2", "_deferred_list", "next");
    /** Offset of {@code folio->_flags_3} (bytes): the flags word of the third tail page. */
    public static final long OFF_FLAGS_3 = folioOffset("page3", "_flags_3");
    /** Offset of {@code folio->_head_3} (bytes): the third tail page's compound_info. */
    public static final long OFF_HEAD_3 = folioOffset("page3", "_head_3");
    /** Offset of {@code folio->_hugetlb_subpool} (bytes). */
    public static final long OFF_HUGETLB_SUBPOOL = folioOffset("page3", "_hugetlb_subpool");
}
