package io.github.foliolab.migrate;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.spi.MachineModule;

import java.util.Set;

/**
 * Attaches page migration (mm/migrate.c) to every machine, after the mm module: provides
 * migration_entry_wait() ({@link io.github.foliolab.mm.MigrationEntryWait}) and the move_pages(2) /
 * migrate_pages(2) system calls ({@link io.github.foliolab.mm.MigrateSyscalls}).
 */
public final class MigrateModule implements MachineModule {
    /** Instantiated by ServiceLoader ({@code provides ... MachineModule}). */
    public MigrateModule() {}

    @Override
    public String name() {
        return "migrate";
    }

    @Override
    public Set<String> after() {
        return Set.of("mm");
    }

    @Override
    public void attach(Machine.Assembly a) {
        Migrate.attach(a);
        a.restorable(); // machine checkpoints: migration keeps no per-machine state of its own
    }
}
