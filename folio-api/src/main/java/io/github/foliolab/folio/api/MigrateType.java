package io.github.foliolab.folio.api;

/** {@code enum migratetype} (include/linux/mmzone.h): the pageblock types the model distinguishes. */
public enum MigrateType {
    MIGRATE_UNMOVABLE,
    MIGRATE_MOVABLE,
    MIGRATE_RECLAIMABLE,
    MIGRATE_HIGHATOMIC,
    MIGRATE_CMA,
    MIGRATE_ISOLATE
}
