package io.github.foliolab.folio.api;

/**
 * Event counters, {@code enum vm_event_item} of include/linux/vm_event_item.h.
 * Names are the /proc/vmstat names of mm/vmstat.c ({@code vmstat_text}). Only the items the library
 * moves are listed; their order follows the kernel's enum.
 */
public enum VmEventItem {
    PGFREE("pgfree"),
    PGACTIVATE("pgactivate"),
    PGDEACTIVATE("pgdeactivate"),
    PGLAZYFREE("pglazyfree"),
    PGFAULT("pgfault"),
    PGMAJFAULT("pgmajfault"),
    PGLAZYFREED("pglazyfreed"),
    PGREUSE("pgreuse"),
    PGROTATED("pgrotated"),
    PGMIGRATE_SUCCESS("pgmigrate_success"),
    PGMIGRATE_FAIL("pgmigrate_fail"),
    THP_MIGRATION_SUCCESS("thp_migration_success"),
    THP_MIGRATION_FAIL("thp_migration_fail"),
    THP_MIGRATION_SPLIT("thp_migration_split"),
    CMA_ALLOC_SUCCESS("cma_alloc_success"),
    CMA_ALLOC_FAIL("cma_alloc_fail"),
    UNEVICTABLE_PGCULLED("unevictable_pgs_culled"),
    UNEVICTABLE_PGSCANNED("unevictable_pgs_scanned"),
    UNEVICTABLE_PGRESCUED("unevictable_pgs_rescued"),
    UNEVICTABLE_PGMLOCKED("unevictable_pgs_mlocked"),
    UNEVICTABLE_PGMUNLOCKED("unevictable_pgs_munlocked"),
    UNEVICTABLE_PGCLEARED("unevictable_pgs_cleared"),
    UNEVICTABLE_PGSTRANDED("unevictable_pgs_stranded");

    private final String procName;

    VmEventItem(String procName) {
        this.procName = procName;
    }

    /** The name /proc/vmstat prints for this item. */
    public String procName() {
        return procName;
    }
}
