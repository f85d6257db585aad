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

    /** NR_LRU_BASE + lru. */
    public NodeStatItem nodeItem() {
        return nodeItem;
    }

    /** NR_ZONE_LRU_BASE + lru. */
    public ZoneStatItem zoneItem() {
        return zoneItem;
    }

    public static LruList of(int ordinal) {
        return VALUES[ordinal];
    }

    /** is_file_lru(). */
    public boolean isFile() {
        return this == LRU_INACTIVE_FILE || this == LRU_ACTIVE_FILE;
    }

    /** is_active_lru(). */
    public boolean isActive() {
        return this == LRU_ACTIVE_ANON || this == LRU_ACTIVE_FILE;
    }

    /** for_each_evictable_lru(): every list but LRU_UNEVICTABLE. */
    public boolean isEvictable() {
        return this != LRU_UNEVICTABLE;
    }

    /**
     * folio_lru_list() (include/linux/mm_inline.h): unevictable, else (in)active anon/file by PG_active and
     * PG_swapbacked. A VM_BUG if both PG_active and PG_unevictable are set. Reads the flags relaxed.
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

    public String kernelName() {
        return name();
    }
}
