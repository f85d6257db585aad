package io.github.foliolab.gup;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.spi.MachineModule;

import java.util.Set;

/**
 * Attaches mm/gup.c to every machine, after the mm module, and provides mm's population call
 * ({@link io.github.foliolab.mm.GupOps}).
 */
public final class GupModule implements MachineModule {
    /** Instantiated by ServiceLoader ({@code provides ... MachineModule}). */
    public GupModule() {}

    @Override
    public String name() {
        return "gup";
    }

    @Override
    public Set<String> after() {
        return Set.of("mm");
    }

    @Override
    public void attach(Machine.Assembly a) {
        Gup.attach(a);
        a.restorable(); // machine checkpoints: GUP keeps no per-machine state of its own (pins live in the folios)
    }
}
