package io.github.foliolab.folio.api;

/**
 * Per-node counters, {@code enum node_stat_item} of include/linux/mmzone.h.
 * Names are the /proc/vmstat names of mm/vmstat.c ({@code vmstat_text}). Only the items the library
 * moves are listed; their order follows the kernel's enum.
 */
public enum NodeStatItem {
    NR_INACTIVE_ANON("nr_inactive_anon"),
    NR_ACTIVE_ANON("nr_active_anon"),
    NR_INACTIVE_FILE("nr_inactive_file"),
    NR_ACTIVE_FILE("nr_active_file"),
    NR_UNEVICTABLE("nr_unevictable"),
    NR_ISOLATED_ANON("nr_isolated_anon"),
    NR_ISOLATED_FILE("nr_isolated_file"),
    WORKINGSET_ACTIVATE_ANON("workingset_activate_anon"),
    WORKINGSET_ACTIVATE_FILE("workingset_activate_file"),
    NR_ANON_MAPPED("nr_anon_pages"),
    NR_FILE_MAPPED("nr_mapped"),
    NR_FILE_PAGES("nr_file_pages"),
    NR_FILE_DIRTY("nr_dirty"),
    NR_WRITEBACK("nr_writeback"),
    NR_SHMEM("nr_shmem"),
    NR_ANON_THPS("nr_anon_transparent_hugepages"),
    NR_VMSCAN_WRITE("nr_vmscan_write"),
    NR_VMSCAN_IMMEDIATE("nr_vmscan_immediate_reclaim"),
    PGSTEAL_KSWAPD("pgsteal_kswapd"),
    PGSTEAL_DIRECT("pgsteal_direct"),
    PGSTEAL_ANON("pgsteal_anon"),
    PGSTEAL_FILE("pgsteal_file"),
    PGSCAN_KSWAPD("pgscan_kswapd"),
    PGSCAN_DIRECT("pgscan_direct"),
    PGSCAN_ANON("pgscan_anon"),
    PGSCAN_FILE("pgscan_file"),
    PGREFILL("pgrefill"),
    NR_FOLL_PIN_ACQUIRED("nr_foll_pin_acquired"),
    NR_FOLL_PIN_RELEASED("nr_foll_pin_released"),
    NR_PAGETABLE("nr_page_table_pages");

    private final String procName;

    NodeStatItem(String procName) {
        this.procName = procName;
    }

    /** The name /proc/vmstat prints for this item. */
    public String procName() {
        return procName;
    }
}
