package io.github.foliolab.folio.api;

/**
 * Per-node counters, {@code enum node_stat_item} of include/linux/mmzone.h.
 * Names are the /proc/vmstat names of mm/vmstat.c ({@code vmstat_text}). Only the items the library
 * moves are listed; their order follows the kernel's enum.
 */
public enum NodeStatItem {
    /** {@code nr_inactive_anon} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_INACTIVE_ANON("nr_inactive_anon"),
    /** {@code nr_active_anon} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_ACTIVE_ANON("nr_active_anon"),
    /** {@code nr_inactive_file} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_INACTIVE_FILE("nr_inactive_file"),
    /** {@code nr_active_file} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_ACTIVE_FILE("nr_active_file"),
    /** {@code nr_unevictable} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_UNEVICTABLE("nr_unevictable"),
    /** {@code nr_isolated_anon} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_ISOLATED_ANON("nr_isolated_anon"),
    /** {@code nr_isolated_file} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_ISOLATED_FILE("nr_isolated_file"),
    /** {@code workingset_activate_anon} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    WORKINGSET_ACTIVATE_ANON("workingset_activate_anon"),
    /** {@code workingset_activate_file} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    WORKINGSET_ACTIVATE_FILE("workingset_activate_file"),
    /** {@code nr_anon_pages} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_ANON_MAPPED("nr_anon_pages"),
    /** {@code nr_mapped} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_FILE_MAPPED("nr_mapped"),
    /** {@code nr_file_pages} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_FILE_PAGES("nr_file_pages"),
    /** {@code nr_dirty} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_FILE_DIRTY("nr_dirty"),
    /** {@code nr_writeback} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_WRITEBACK("nr_writeback"),
    /** {@code nr_shmem} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_SHMEM("nr_shmem"),
    /** {@code nr_anon_transparent_hugepages} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_ANON_THPS("nr_anon_transparent_hugepages"),
    /** {@code nr_vmscan_write} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_VMSCAN_WRITE("nr_vmscan_write"),
    /** {@code nr_vmscan_immediate_reclaim} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_VMSCAN_IMMEDIATE("nr_vmscan_immediate_reclaim"),
    /** {@code pgsteal_kswapd} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    PGSTEAL_KSWAPD("pgsteal_kswapd"),
    /** {@code pgsteal_direct} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    PGSTEAL_DIRECT("pgsteal_direct"),
    /** {@code pgsteal_anon} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    PGSTEAL_ANON("pgsteal_anon"),
    /** {@code pgsteal_file} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    PGSTEAL_FILE("pgsteal_file"),
    /** {@code pgscan_kswapd} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    PGSCAN_KSWAPD("pgscan_kswapd"),
    /** {@code pgscan_direct} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    PGSCAN_DIRECT("pgscan_direct"),
    /** {@code pgscan_anon} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    PGSCAN_ANON("pgscan_anon"),
    /** {@code pgscan_file} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    PGSCAN_FILE("pgscan_file"),
    /** {@code pgrefill} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    PGREFILL("pgrefill"),
    /** {@code nr_foll_pin_acquired} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_FOLL_PIN_ACQUIRED("nr_foll_pin_acquired"),
    /** {@code nr_foll_pin_released} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_FOLL_PIN_RELEASED("nr_foll_pin_released"),
    /** {@code nr_page_table_pages} in /proc/vmstat (enum node_stat_item, include/linux/mmzone.h). */
    NR_PAGETABLE("nr_page_table_pages");

    private final String procName;

    NodeStatItem(String procName) {
        this.procName = procName;
    }

    /** {@return the name /proc/vmstat prints for this item} */
    public String procName() {
        return procName;
    }
}
