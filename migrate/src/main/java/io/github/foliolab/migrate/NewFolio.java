package io.github.foliolab.migrate;

import io.github.foliolab.folio.Folio;

/**
 * {@code new_folio_t} (include/linux/migrate.h): allocate the destination of a migration.
 */
@FunctionalInterface
public interface NewFolio {
    /**
     * {@return a new folio of {@code src}'s order with one reference, or null when none can be had (the
     * migration of {@code src} then fails with -ENOMEM)}
     *
     * @param src the folio to migrate
     */
    Folio get(Folio src);
}
