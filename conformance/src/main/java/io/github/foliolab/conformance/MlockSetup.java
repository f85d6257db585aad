package io.github.foliolab.conformance;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.mm.Mm;

/** Makes sure the mlock module (folio side and system calls) is attached to a machine's mm. */
final class MlockSetup {
    private MlockSetup() {}

    static void install(Machine m) {
        if (!m.modules().contains("mlock")) {
            throw new IllegalStateException("the mlock module did not attach to the machine (" + m + ")");
        }
    }
}
