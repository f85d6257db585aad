package io.github.foliolab.migrate;

/** {@code enum migrate_mode} (include/linux/migrate_mode.h): how hard migration may wait. */
public enum MigrateMode {
    /** MIGRATE_ASYNC: never block (folio_trylock only, no writeback wait). */
    MIGRATE_ASYNC,
    /** MIGRATE_SYNC_LIGHT: may wait for the folio lock of an uptodate folio, not for writeback. */
    MIGRATE_SYNC_LIGHT,
    /** MIGRATE_SYNC: may wait for the folio lock and for writeback. */
    MIGRATE_SYNC
}
