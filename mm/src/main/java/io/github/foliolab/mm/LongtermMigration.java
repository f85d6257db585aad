package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;

import java.util.List;

/**
 * The migration a FOLL_LONGTERM pin makes before it pins (migrate_longterm_unpinnable_folios() of
 * mm/gup.c calling migrate_pages() of mm/migrate.c with alloc_migration_target, NUMA_NO_NODE,
 * GFP_USER, MIGRATE_SYNC, MR_LONGTERM_PIN): a call from the gup module into the migrate module,
 * declared here, in the lowest module both depend on. Provided by the migrate module when a machine is
 * built; without it ({@link #NONE}) nothing migrates.
 */
@FunctionalInterface
public interface LongtermMigration {
    /**
     * Migrate isolated folios out of ZONE_MOVABLE / CMA to their node's kernel zone (or another node's).
     *
     * @param isolated folios isolated from their LRUs (holding the isolation reference, NR_ISOLATED_*
     *     counted); those migrated leave the list, the others stay on it, still isolated, for the caller
     *     to put back
     * @return the number of folios not migrated (0: all migrated), or -errno
     */
    int migrateLongterm(List<Folio> isolated);

    /**
     * A machine without page migration: nothing migrates. Model difference: a long-term pin of a folio in
     * ZONE_MOVABLE then fails with -ENOMEM, where a kernel built without CONFIG_MIGRATION pins it in place.
     */
    LongtermMigration NONE = List::size;
}
