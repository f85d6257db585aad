package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;

/**
 * What reclaim needs from rmap (mm/rmap.c), installed by the mm module with {@link Vmscan#setRmapOps}.
 * Without it, reclaim treats mapped folios as referenced and never unmaps.
 */
public interface RmapOps {
    /**
     * Result of folio_referenced(): young PTEs found, and the union of the vm_flags of the VMAs seen.
     *
     * @param referenced how many mappings had the access bit set
     * @param vmFlags the VMA's vm_flags (VM_* bits)
     */
    record Referenced(int referenced, long vmFlags) {}

    /**
     * folio_referenced(): walk the folio's mappings, test-and-clear young bits; a VM_LOCKED VMA stops the
     * walk after mlock_vma_folio() and reports VM_LOCKED in vmFlags.
     */
    Referenced folioReferenced(Folio folio, boolean isLocked);

    /**
     * try_to_unmap(): unmap the folio from every VMA; true if it is no longer mapped.
     *
     * @param folio the folio
     */
    boolean tryToUnmap(Folio folio);

    /**
     * mapping_unevictable(folio_mapping(folio)): the folio's address_space is AS_UNEVICTABLE (SHM_LOCK,
     * ramfs). {@code mapping} is folio->mapping as stored (anon mappings carry bit 0). Default: never.
     *
     * @param mapping a folio->mapping value (an anon_vma or a file handle)
     */
    default boolean mappingUnevictable(long mapping) {
        return false;
    }

    /**
     * __remove_mapping(mapping, folio, true): for a locked, unmapped, clean file folio, freeze its count
     * at 1 (isolation) + the page cache's references and delete it from the page cache; true if it is now
     * frozen and may be freed. Default: the model has no page cache here, so false (the folio is kept).
     *
     * @param folio the folio
     */
    default boolean removeMapping(Folio folio) {
        return false;
    }
}
