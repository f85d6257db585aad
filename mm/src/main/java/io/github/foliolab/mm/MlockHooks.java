package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;

/**
 * The mm/internal.h mlock hooks mm calls from rmap and reclaim's rmap walk; the mlock module registers
 * them with {@link Mm#setMlockHooks} so that mm does not depend on mlock. Both take the VMA's vm_flags.
 */
public interface MlockHooks {
    /**
     * mlock_vma_folio(): mlock_folio() if {@code (vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED}.
     *
     * @param folio the folio
     * @param vmFlags the VMA's vm_flags (VM_* bits)
     */
    void mlockVmaFolio(Folio folio, long vmFlags);

    /**
     * munlock_vma_folio(): munlock_folio() if vm_flags has VM_LOCKED.
     *
     * @param folio the folio
     * @param vmFlags the VMA's vm_flags (VM_* bits)
     */
    void munlockVmaFolio(Folio folio, long vmFlags);

    /** mlock_drain_local(). */
    void mlockDrainLocal();

    /** Hooks that do nothing (no mlock module registered). */
    MlockHooks NONE = new MlockHooks() {
        @Override
        public void mlockVmaFolio(Folio folio, long vmFlags) {}

        @Override
        public void munlockVmaFolio(Folio folio, long vmFlags) {}

        @Override
        public void mlockDrainLocal() {}
    };
}
