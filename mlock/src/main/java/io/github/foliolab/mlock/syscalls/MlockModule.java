package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.spi.MachineModule;

import java.util.Set;

/** Attaches the mlock family of system calls (mm/mlock.c) to every machine, after the mm module. */
public final class MlockModule implements MachineModule {
    /** Instantiated by ServiceLoader ({@code provides ... MachineModule}). */
    public MlockModule() {}

    @Override
    public String name() {
        return "mlock";
    }

    @Override
    public Set<String> after() {
        return Set.of("mm");
    }

    @Override
    public void attach(Machine.Assembly a) {
        MlockSys.attach(a);
        a.restorable(); // the system calls keep no state of their own
    }
}
