package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.mlock.Mlock;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MlockHooks;
import io.github.foliolab.mm.MmExtension;

/**
 * Plugs mm/mlock.c into mm (found by ServiceLoader): the rmap hooks mlock_vma_folio /
 * munlock_vma_folio / mlock_drain_local go to the machine's {@link Mlock}, and the mlock system calls
 * are {@link MlockSys} on top of it.
 */
public final class MlockMmExtension implements MmExtension {
    @Override
    public void attach(Mm mm) {
        Mlock mlock = Mlock.of(mm.machine());
        mm.setMlockSyscalls(new MlockSys(mm, folioSide(mlock)));
        mm.setMlockHooks(new MlockHooks() {
            @Override
            public void mlockVmaFolio(Folio folio, long vmFlags) {
                mlock.mlockVmaFolio(folio, vmFlags);
            }

            @Override
            public void munlockVmaFolio(Folio folio, long vmFlags) {
                mlock.munlockVmaFolio(folio, vmFlags);
            }

            @Override
            public void mlockDrainLocal() {
                mlock.mlockDrainLocal();
            }
        });
    }

    /** {@return the folio side the system calls drive: the machine's mlock batches} */
    public static FolioMlock folioSide(Mlock mlock) {
        return new FolioMlock() {
            @Override
            public void mlockFolio(Folio folio) {
                mlock.mlockFolio(folio);
            }

            @Override
            public void munlockFolio(Folio folio) {
                mlock.munlockFolio(folio);
            }

            @Override
            public void mlockDrainLocal() {
                mlock.mlockDrainLocal();
            }
        };
    }
}
