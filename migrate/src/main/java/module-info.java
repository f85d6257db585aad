/**
 * Page migration of mm/migrate.c (migrate_pages and its passes, migration entries, folio_migrate_mapping,
 * folio_migrate_flags) with try_to_migrate of mm/rmap.c, and the move_pages(2) / migrate_pages(2)
 * system calls (mm/migrate.c, mm/mempolicy.c).
 */
module io.github.foliolab.migrate {
    requires transitive io.github.foliolab.mm;

    exports io.github.foliolab.migrate;

    provides io.github.foliolab.folio.spi.MachineModule with io.github.foliolab.migrate.MigrateModule;
}
