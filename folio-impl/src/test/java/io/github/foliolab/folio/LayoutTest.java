package io.github.foliolab.folio;

import io.github.foliolab.folio.api.PageLayout;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.folio.api.PageLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every offset of struct page / struct folio as in Linux 7.2's mm_types.h (64-bit, CONFIG_MEMCG). */
class LayoutTest {
    @Test
    void structPageIs64Bytes() {
        assertEquals(64, PageLayout.PAGE.byteSize());
        assertEquals(PAGE_DESC_SIZE, PageLayout.PAGE.byteSize());
        assertEquals(256, PageLayout.FOLIO.byteSize());
    }

    @Test
    void firstPageOffsets() {
        assertEquals(0, OFF_FLAGS);
        assertEquals(8, OFF_LRU_NEXT);
        assertEquals(16, OFF_LRU_PREV);
        assertEquals(16, OFF_MLOCK_COUNT, "mlock_count overlays lru.prev");
        assertEquals(8, OFF_COMPOUND_INFO, "compound_info overlays lru.next");
        assertEquals(24, OFF_MAPPING);
        assertEquals(32, OFF_INDEX);
        assertEquals(40, OFF_PRIVATE);
        assertEquals(48, OFF_MAPCOUNT);
        assertEquals(52, OFF_REFCOUNT);
        assertEquals(56, OFF_MEMCG_DATA);
    }

    @Test
    void secondThirdAndFourthPageOffsets() {
        assertEquals(64, OFF_FLAGS_1);
        assertEquals(72, OFF_HEAD_1);
        assertEquals(80, OFF_LARGE_MAPCOUNT);
        assertEquals(84, OFF_NR_PAGES_MAPPED);
        assertEquals(88, OFF_ENTIRE_MAPCOUNT);
        assertEquals(92, OFF_PINCOUNT);
        assertEquals(96, OFF_MM_ID_MAPCOUNT);
        assertEquals(104, OFF_MM_ID);
        assertEquals(112, OFF_MAPCOUNT_1, "_mapcount_1 overlays page 1's _mapcount");
        assertEquals(116, OFF_REFCOUNT_1, "_refcount_1 overlays page 1's _refcount");
        assertEquals(120, OFF_NR_PAGES);
        assertEquals(128, OFF_FLAGS_2);
        assertEquals(136, OFF_HEAD_2);
        assertEquals(144, OFF_DEFERRED_LIST);
        assertEquals(192, OFF_FLAGS_3);
        assertEquals(200, OFF_HEAD_3);
        assertEquals(208, OFF_HUGETLB_SUBPOOL);
    }

    @Test
    void foliosPageFieldsMatchTheirPages() {
        // FOLIO_MATCH(flags, _flags_1), FOLIO_MATCH(compound_info, _head_1) ... one page apart.
        assertEquals(OFF_FLAGS + 64, OFF_FLAGS_1);
        assertEquals(OFF_COMPOUND_INFO + 64, OFF_HEAD_1);
        assertEquals(OFF_MAPCOUNT + 64, OFF_MAPCOUNT_1);
        assertEquals(OFF_REFCOUNT + 64, OFF_REFCOUNT_1);
        assertEquals(OFF_FLAGS + 128, OFF_FLAGS_2);
        assertEquals(OFF_COMPOUND_INFO + 128, OFF_HEAD_2);
        assertEquals(OFF_FLAGS + 192, OFF_FLAGS_3);
        assertEquals(OFF_COMPOUND_INFO + 192, OFF_HEAD_3);
    }
}
