package io.github.foliolab.migrate;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.mm.Pte;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * migration_entry_wait(): a fault on CPU 1 that meets a migration entry waits while the migration holds
 * the source folio's lock, and completes once the entry is gone and the folio unlocked.
 */
class MigrationEntryWaitTest {
    @Test
    void aFaultOnAMigrationEntryWaitsForTheMigrationToEnd() throws Exception {
        try (MigrateFixture fx = new MigrateFixture()) {
            long a = fx.mmapAnon(1);
            fx.touch(a, 1, true);
            fx.task.lruAddDrain();
            Folio f = fx.folioAt(a);
            Migrate m = Migrate.of(fx.machine);
            List<Folio> list = new ArrayList<>();
            fx.task.cpu().run(() -> {
                assertTrue(m.isolateFolioToList(f, list));
                assertTrue(f.trylock());
                m.tryToMigrate(f);
            });
            assertTrue(Pte.isMigrationEntry(fx.pte(a)), Pte.toString(fx.pte(a)));
            AtomicInteger result = new AtomicInteger(-1);
            Thread faulting = new Thread(() -> result.set(fx.task.on(fx.machine.cpu(1)).touch(a, false)));
            faulting.start();
            faulting.join(300);
            assertTrue(faulting.isAlive(), "the fault waits while the source folio is locked");
            fx.task.cpu().run(() -> {
                m.removeMigrationPtes(f, f); // migration failed: the entries go back to the source
                f.unlock();
                m.putbackMovablePages(list);
            });
            faulting.join(20_000);
            assertFalse(faulting.isAlive(), "the fault finished after the unlock");
            assertEquals(0, result.get());
            assertEquals(f.pfn(), Pte.pfn(fx.pte(a)));
            assertEquals(1, f.mapcount());
        }
    }
}
