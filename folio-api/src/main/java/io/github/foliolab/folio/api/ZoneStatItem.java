package io.github.foliolab.folio.api;

/**
 * Per-zone counters, {@code enum zone_stat_item} of include/linux/mmzone.h.
 * Names are the /proc/vmstat names of mm/vmstat.c ({@code vmstat_text}). Only the items the library
 * moves are listed; their order follows the kernel's enum.
 */
public enum ZoneStatItem {
    /** {@code nr_free_pages} in /proc/vmstat (enum zone_stat_item, include/linux/mmzone.h). */
    NR_FREE_PAGES("nr_free_pages"),
    /** {@code nr_zone_inactive_anon} in /proc/vmstat (enum zone_stat_item, include/linux/mmzone.h). */
    NR_ZONE_INACTIVE_ANON("nr_zone_inactive_anon"),
    /** {@code nr_zone_active_anon} in /proc/vmstat (enum zone_stat_item, include/linux/mmzone.h). */
    NR_ZONE_ACTIVE_ANON("nr_zone_active_anon"),
    /** {@code nr_zone_inactive_file} in /proc/vmstat (enum zone_stat_item, include/linux/mmzone.h). */
    NR_ZONE_INACTIVE_FILE("nr_zone_inactive_file"),
    /** {@code nr_zone_active_file} in /proc/vmstat (enum zone_stat_item, include/linux/mmzone.h). */
    NR_ZONE_ACTIVE_FILE("nr_zone_active_file"),
    /** {@code nr_zone_unevictable} in /proc/vmstat (enum zone_stat_item, include/linux/mmzone.h). */
    NR_ZONE_UNEVICTABLE("nr_zone_unevictable"),
    /** {@code nr_zone_write_pending} in /proc/vmstat (enum zone_stat_item, include/linux/mmzone.h). */
    NR_ZONE_WRITE_PENDING("nr_zone_write_pending"),
    /** {@code nr_mlock} in /proc/vmstat (enum zone_stat_item, include/linux/mmzone.h). */
    NR_MLOCK("nr_mlock"),
    /** {@code nr_free_cma} in /proc/vmstat (enum zone_stat_item, include/linux/mmzone.h). */
    NR_FREE_CMA_PAGES("nr_free_cma");

    private final String procName;

    ZoneStatItem(String procName) {
        this.procName = procName;
    }

    /** {@return the name /proc/vmstat prints for this item} */
    public String procName() {
        return procName;
    }
}
