package io.github.foliolab.folio.api;

/** {@code enum migratetype} (include/linux/mmzone.h): the pageblock types the model distinguishes. */
public enum MigrateType {
    /** {@code MIGRATE_UNMOVABLE} (enum migratetype, include/linux/mmzone.h). */
    MIGRATE_UNMOVABLE,
    /** {@code MIGRATE_MOVABLE} (enum migratetype, include/linux/mmzone.h). */
    MIGRATE_MOVABLE,
    /** {@code MIGRATE_RECLAIMABLE} (enum migratetype, include/linux/mmzone.h). */
    MIGRATE_RECLAIMABLE,
    /** {@code MIGRATE_HIGHATOMIC} (enum migratetype, include/linux/mmzone.h). */
    MIGRATE_HIGHATOMIC,
    /** {@code MIGRATE_CMA} (enum migratetype, include/linux/mmzone.h). */
    MIGRATE_CMA,
    /** {@code MIGRATE_ISOLATE} (enum migratetype, include/linux/mmzone.h). */
    MIGRATE_ISOLATE
}
