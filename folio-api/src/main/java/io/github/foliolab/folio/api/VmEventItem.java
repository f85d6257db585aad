package io.github.foliolab.folio.api;

/**
 * Event counters, {@code enum vm_event_item} of include/linux/vm_event_item.h.
 * Names are the /proc/vmstat names of mm/vmstat.c ({@code vmstat_text}). Only the items the library
 * moves are listed; their order follows the kernel's enum.
 */
public enum VmEventItem {
    /** {@code pgfree} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    PGFREE("pgfree"),
    /** {@code pgactivate} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    PGACTIVATE("pgactivate"),
    /** {@code pgdeactivate} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    PGDEACTIVATE("pgdeactivate"),
    /** {@code pglazyfree} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    PGLAZYFREE("pglazyfree"),
    /** {@code pgfault} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    PGFAULT("pgfault"),
    /** {@code pgmajfault} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    PGMAJFAULT("pgmajfault"),
    /** {@code pglazyfreed} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    PGLAZYFREED("pglazyfreed"),
    /** {@code pgreuse} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    PGREUSE("pgreuse"),
    /** {@code pgrotated} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    PGROTATED("pgrotated"),
    /** {@code pgmigrate_success} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    PGMIGRATE_SUCCESS("pgmigrate_success"),
    /** {@code pgmigrate_fail} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    PGMIGRATE_FAIL("pgmigrate_fail"),
    /** {@code thp_migration_success} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    THP_MIGRATION_SUCCESS("thp_migration_success"),
    /** {@code thp_migration_fail} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    THP_MIGRATION_FAIL("thp_migration_fail"),
    /** {@code thp_migration_split} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    THP_MIGRATION_SPLIT("thp_migration_split"),
    /** {@code cma_alloc_success} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    CMA_ALLOC_SUCCESS("cma_alloc_success"),
    /** {@code cma_alloc_fail} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    CMA_ALLOC_FAIL("cma_alloc_fail"),
    /** {@code unevictable_pgs_culled} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    UNEVICTABLE_PGCULLED("unevictable_pgs_culled"),
    /** {@code unevictable_pgs_scanned} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    UNEVICTABLE_PGSCANNED("unevictable_pgs_scanned"),
    /** {@code unevictable_pgs_rescued} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    UNEVICTABLE_PGRESCUED("unevictable_pgs_rescued"),
    /** {@code unevictable_pgs_mlocked} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    UNEVICTABLE_PGMLOCKED("unevictable_pgs_mlocked"),
    /** {@code unevictable_pgs_munlocked} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    UNEVICTABLE_PGMUNLOCKED("unevictable_pgs_munlocked"),
    /** {@code unevictable_pgs_cleared} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    UNEVICTABLE_PGCLEARED("unevictable_pgs_cleared"),
    /** {@code unevictable_pgs_stranded} in /proc/vmstat (enum vm_event_item, include/linux/vm_event_item.h). */
    UNEVICTABLE_PGSTRANDED("unevictable_pgs_stranded");

    private final String procName;

    VmEventItem(String procName) {
        this.procName = procName;
    }

    /** {@return the name /proc/vmstat prints for this item} */
    public String procName() {
        return procName;
    }
}
