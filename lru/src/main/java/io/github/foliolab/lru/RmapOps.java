package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;

/**
 * The calls reclaim (mm/vmscan.c) makes up into mm/rmap.c and the page cache: this module's upward
 * calls, declared once here and provided by the mm module when a machine is built
 * ({@link io.github.foliolab.folio.Machine.Assembly#provide}). Without the mm module, {@link #NONE}
 * applies: mapped folios count as referenced and are never unmapped.
 */
public interface RmapOps {
    /** Result of folio_referenced(): young PTEs found, and the union of the vm_flags of the VMAs seen. */
    record Referenced(int referenced, long vmFlags) {}

    /**
     * folio_referenced() (mm/rmap.c): walk the folio's mappings, test-and-clear young bits; a VM_LOCKED
     * VMA stops the walk after mlock_vma_folio() and reports VM_LOCKED in vmFlags.
     */
    Referenced folioReferenced(Folio folio, boolean isLocked);

    /** try_to_unmap() (mm/rmap.c): unmap the folio from every VMA; true if it is no longer mapped. */
    boolean tryToUnmap(Folio folio);

    /**
     * mapping_unevictable(folio_mapping(folio)): the folio's address_space is AS_UNEVICTABLE (SHM_LOCK,
     * ramfs). {@code mapping} is folio->mapping as stored (anon mappings carry bit 0). Default: never.
     */
    default boolean mappingUnevictable(long mapping) {
        return false;
    }

    /**
     * __remove_mapping(mapping, folio, true) (mm/vmscan.c): for a locked, unmapped, clean file folio,
     * freeze its count at 1 (isolation) + the page cache's references and delete it from the page cache;
     * true if it is now frozen and may be freed. Default: false (the folio is kept).
     */
    default boolean removeMapping(Folio folio) {
        return false;
    }

    /** No rmap installed: a mapped folio is referenced once, nothing is ever unmapped or removed. */
    RmapOps NONE = new RmapOps() {
        @Override
        public Referenced folioReferenced(Folio folio, boolean isLocked) {
            return new Referenced(folio.mapped() ? 1 : 0, 0);
        }

        @Override
        public boolean tryToUnmap(Folio folio) {
            return false;
        }
    };
}
