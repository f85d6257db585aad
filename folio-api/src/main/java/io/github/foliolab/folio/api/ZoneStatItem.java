package io.github.foliolab.folio.api;

/**
 * Per-zone counters, {@code enum zone_stat_item} of include/linux/mmzone.h.
 * Names are the /proc/vmstat names of mm/vmstat.c ({@code vmstat_text}). Only the items the library
 * moves are listed; their order follows the kernel's enum.
 */
public enum ZoneStatItem {
    NR_FREE_PAGES("nr_free_pages"),
    NR_ZONE_INACTIVE_ANON("nr_zone_inactive_anon"),
    NR_ZONE_ACTIVE_ANON("nr_zone_active_anon"),
    NR_ZONE_INACTIVE_FILE("nr_zone_inactive_file"),
    NR_ZONE_ACTIVE_FILE("nr_zone_active_file"),
    NR_ZONE_UNEVICTABLE("nr_zone_unevictable"),
    NR_ZONE_WRITE_PENDING("nr_zone_write_pending"),
    NR_MLOCK("nr_mlock"),
    NR_FREE_CMA_PAGES("nr_free_cma");

    private final String procName;

    ZoneStatItem(String procName) {
        this.procName = procName;
    }

    /** The name /proc/vmstat prints for this item. */
    public String procName() {
        return procName;
    }
}
