package io.github.foliolab.mm;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.spi.MachineModule;

import java.util.Set;

/**
 * Attaches the address-space half of mm (mm/memory.c, mmap.c, vma.c, mprotect.c, madvise.c, rmap.c,
 * shmem.c) to every machine, after the lru module; provides reclaim's calls into rmap and takes the
 * link up into the mlock system calls.
 */
public final class MmModule implements MachineModule {
    /** Instantiated by ServiceLoader ({@code provides ... MachineModule}). */
    public MmModule() {}

    @Override
    public String name() {
        return "mm";
    }

    @Override
    public Set<String> after() {
        return Set.of("lru");
    }

    @Override
    public void attach(Machine.Assembly a) {
        Mm.attach(a);
    }
}
