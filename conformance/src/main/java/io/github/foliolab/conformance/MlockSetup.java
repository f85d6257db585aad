package io.github.foliolab.conformance;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.mlock.syscalls.FolioMlock;
import io.github.foliolab.mlock.syscalls.MlockSys;
import io.github.foliolab.mm.Mm;

import java.util.function.Function;

/** Wires the mlock module (folio side and system calls) into a machine's mm. */
final class MlockSetup {
    private MlockSetup() {}

    /** Where the folio side comes from (tests may supply their own). */
    static volatile Function<Machine, FolioMlock> folioSide = m -> new FolioMlock() {
        @Override
        public void mlockFolio(Folio folio) {
            throw new UnsupportedOperationException("mlock_folio: the mlock folio side is not merged yet");
        }

        @Override
        public void munlockFolio(Folio folio) {
            throw new UnsupportedOperationException("munlock_folio: the mlock folio side is not merged yet");
        }

        @Override
        public void mlockDrainLocal() {
            throw new UnsupportedOperationException("mlock_drain_local: the mlock folio side is not merged yet");
        }
    };

    static void install(Machine m) {
        MlockSys.install(Mm.of(m), folioSide.apply(m));
    }
}
