package io.github.foliolab.lru;

import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.ZoneStatItem;

/** enum lru_list (include/linux/mmzone.h), with the node and zone counters each list moves. */
public enum LruList {
    /** {@code LRU_INACTIVE_ANON} (enum lru_list, include/linux/mmzone.h). */
    LRU_INACTIVE_ANON(NodeStatItem.NR_INACTIVE_ANON, ZoneStatItem.NR_ZONE_INACTIVE_ANON),
    /** {@code LRU_ACTIVE_ANON} (enum lru_list, include/linux/mmzone.h). */
    LRU_ACTIVE_ANON(NodeStatItem.NR_ACTIVE_ANON, ZoneStatItem.NR_ZONE_ACTIVE_ANON),
    /** {@code LRU_INACTIVE_FILE} (enum lru_list, include/linux/mmzone.h). */
    LRU_INACTIVE_FILE(NodeStatItem.NR_INACTIVE_FILE, ZoneStatItem.NR_ZONE_INACTIVE_FILE),
    /** {@code LRU_ACTIVE_FILE} (enum lru_list, include/linux/mmzone.h). */
    LRU_ACTIVE_FILE(NodeStatItem.NR_ACTIVE_FILE, ZoneStatItem.NR_ZONE_ACTIVE_FILE),
    /** {@code LRU_UNEVICTABLE} (enum lru_list, include/linux/mmzone.h). */
    LRU_UNEVICTABLE(NodeStatItem.NR_UNEVICTABLE, ZoneStatItem.NR_ZONE_UNEVICTABLE);

    /** LRU_ACTIVE / LRU_FILE offsets. */
    public static final int LRU_ACTIVE = 1;
    /** {@code LRU_FILE} (enum lru_list, include/linux/mmzone.h). */
    public static final int LRU_FILE = 2;
    /** NR_LRU_LISTS. */
    public static final int NR_LRU_LISTS = 5;

    private static final LruList[] VALUES = values();

    private final NodeStatItem nodeItem;
    private final ZoneStatItem zoneItem;

    LruList(NodeStatItem nodeItem, ZoneStatItem zoneItem) {
        this.nodeItem = nodeItem;
        this.zoneItem = zoneItem;
    }

    /** {@return the node counter of this list, NR_LRU_BASE + lru} */
    public NodeStatItem nodeItem() {
        return nodeItem;
    }

    /** {@return the zone counter of this list, NR_ZONE_LRU_BASE + lru} */
    public ZoneStatItem zoneItem() {
        return zoneItem;
    }

    /**
     * {@return the list with this number (enum lru_list)}
     *
     * @param ordinal 0 ({@code LRU_INACTIVE_ANON}) to {@code NR_LRU_LISTS - 1} ({@code LRU_UNEVICTABLE})
     */
    public static LruList of(int ordinal) {
        return VALUES[ordinal];
    }

    /** {@return is_file_lru(): true for the file lists} */
    public boolean isFile() {
        return this == LRU_INACTIVE_FILE || this == LRU_ACTIVE_FILE;
    }

    /** {@return is_active_lru(): true for the active lists} */
    public boolean isActive() {
        return this == LRU_ACTIVE_ANON || this == LRU_ACTIVE_FILE;
    }

    /** {@return true for the lists for_each_evictable_lru() visits: every list but LRU_UNEVICTABLE} */
    public boolean isEvictable() {
        return this != LRU_UNEVICTABLE;
    }

    /**
     * folio_lru_list() (include/linux/mm_inline.h): unevictable, else (in)active anon/file by PG_active and
     * PG_swapbacked. Reads the flags relaxed.
     *
     * @param mm  the memmap
     * @param pfn the folio's page frame number
     * @return the list the folio belongs on
     * @throws VmBugException if both PG_active and PG_unevictable are set
     */
    public static LruList folioLruList(MemMap mm, long pfn) {
        return folioLruList(mm, pfn, mm.flagsWord(pfn));
    }

    /** {@link #folioLruList(MemMap, long)} from a flags word already read. */
    static LruList folioLruList(MemMap mm, long pfn, long flags) {
        boolean active = (flags & (1L << PageFlags.PG_active)) != 0;
        if ((flags & (1L << PageFlags.PG_unevictable)) != 0) {
            if (active) {
                throw new VmBugException("VM_BUG_ON_FOLIO(folio_test_active(folio) && folio_test_unevictable(folio))\n"
                        + mm.dumpPage(pfn));
            }
            return LRU_UNEVICTABLE;
        }
        int lru = (flags & (1L << PageFlags.PG_swapbacked)) != 0 ? 0 : LRU_FILE;
        return VALUES[active ? lru + LRU_ACTIVE : lru];
    }

    /** {@return the kernel's name of the list, {@code LRU_INACTIVE_ANON} ...} */
    public String kernelName() {
        return name();
    }
}
