package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;

/**
 * What reclaim needs from rmap (mm/rmap.c), installed by the mm module with {@link Vmscan#setRmapOps}.
 * Without it, reclaim treats mapped folios as referenced and never unmaps.
 */
public interface RmapOps {
    /** Result of folio_referenced(): young PTEs found, and the union of the vm_flags of the VMAs seen. */
    record Referenced(int referenced, long vmFlags) {}

    /**
     * folio_referenced(): walk the folio's mappings, test-and-clear young bits; a VM_LOCKED VMA stops the
     * walk after mlock_vma_folio() and reports VM_LOCKED in vmFlags.
     */
    Referenced folioReferenced(Folio folio, boolean isLocked);

    /** try_to_unmap(): unmap the folio from every VMA; true if it is no longer mapped. */
    boolean tryToUnmap(Folio folio);
}
