package io.github.foliolab.migrate;

/** {@code enum migrate_reason} (include/linux/migrate_mode.h): why a folio is migrated. */
public enum MigrateReason {
    /** MR_COMPACTION. */
    MR_COMPACTION,
    /** MR_MEMORY_FAILURE: the source is kept (page_handle_poison releases it). */
    MR_MEMORY_FAILURE,
    /** MR_MEMORY_HOTPLUG. */
    MR_MEMORY_HOTPLUG,
    /** MR_SYSCALL: move_pages(2), migrate_pages(2) (also cpusets). */
    MR_SYSCALL,
    /** MR_MEMPOLICY_MBIND. */
    MR_MEMPOLICY_MBIND,
    /** MR_NUMA_MISPLACED: NUMA balancing. */
    MR_NUMA_MISPLACED,
    /** MR_CONTIG_RANGE. */
    MR_CONTIG_RANGE,
    /** MR_LONGTERM_PIN: FOLL_LONGTERM pinning moves folios out of ZONE_MOVABLE / CMA. */
    MR_LONGTERM_PIN,
    /** MR_DEMOTION: NR_ISOLATED_* is not accounted for it. */
    MR_DEMOTION,
    /** MR_DAMON. */
    MR_DAMON
}
