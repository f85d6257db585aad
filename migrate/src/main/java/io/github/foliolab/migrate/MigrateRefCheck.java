package io.github.foliolab.migrate;

/**
 * Where migrate_folio() / __folio_migrate_mapping() (mm/migrate.c) check that nobody but the folio's
 * owners and the migration holds a reference to a page-cache folio, and whether they freeze its count.
 * Selected per machine with {@link Migrate#REF_CHECK}; the default is Linux 7.2's. The anon path (no
 * mapping) is the same in every choice: a relaxed read of the count and no freeze for a small folio, as
 * in 7.2. The other choices exist for the explorer's {@code gup-fast-migration} scenario (the 2021
 * thread on moving the check before the i_pages lock).
 */
public enum MigrateRefCheck {
    /**
     * Linux 7.2: __migrate_folio() reads the count before __folio_migrate_mapping() takes the i_pages
     * lock (the order proposed in 2021: a fast-fail only), then folio_ref_freeze() under the lock
     * decides: a cmpxchg from the expected count to 0.
     */
    V7_2,
    /**
     * The order before the 2021 proposal: no early read; under the i_pages lock the count is read, then
     * frozen.
     */
    UNDER_XA_LOCK,
    /**
     * Deliberately without the freeze, as before the lockless page cache: the count is read under the
     * i_pages lock, the slot is replaced, and the cache's reference is dropped with a plain atomic
     * subtraction. A reference taken after the read is not seen.
     */
    NO_FREEZE
}
