package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;

/**
 * The calls reclaim (mm/vmscan.c) makes up into mm/rmap.c and the page cache: this module's upward
 * calls, declared once here and provided by the mm module when a machine is built
 * ({@link io.github.foliolab.folio.Machine.Assembly#provide}). Without the mm module, {@link #NONE}
 * applies: mapped folios count as referenced and are never unmapped.
 */
public interface RmapOps {
    /**
     * Result of folio_referenced(): young PTEs found, and the union of the vm_flags of the VMAs seen.
     *
     * @param referenced how many mappings had the access bit set
     * @param vmFlags the VMA's vm_flags (VM_* bits)
     */
    record Referenced(int referenced, long vmFlags) {
        /** {@return as a trace table prints it: the young mappings found, and whether a VM_LOCKED VMA stopped the walk} */
        @Override
        public String toString() {
            return referenced + ((vmFlags & io.github.foliolab.folio.api.VmFlags.VM_LOCKED) != 0 ? " (VM_LOCKED)" : "");
        }
    }

    /**
     * folio_referenced() (mm/rmap.c): walk the folio's mappings, test-and-clear young bits; a VM_LOCKED
     * VMA stops the walk after mlock_vma_folio() and reports VM_LOCKED in vmFlags.
     *
     * @param folio the folio, isolated by reclaim
     * @param isLocked true if the caller holds the folio lock
     * @return the number of young mappings found and the union of their VMAs' vm_flags
     */
    Referenced folioReferenced(Folio folio, boolean isLocked);

    /**
     * try_to_unmap() (mm/rmap.c): unmap the folio from every VMA.
     *
     * @param folio the folio, locked and isolated by reclaim
     * @return true if it is no longer mapped
     */
    boolean tryToUnmap(Folio folio);

    /**
     * mapping_unevictable(folio_mapping(folio)): the folio's address_space is AS_UNEVICTABLE (SHM_LOCK,
     * ramfs). {@code mapping} is folio->mapping as stored (anon mappings carry bit 0). Default: never.
     *
     * @param mapping a folio->mapping value (an anon_vma or a file handle)
     * @return true if folios of that mapping are unevictable
     */
    default boolean mappingUnevictable(long mapping) {
        return false;
    }

    /**
     * __remove_mapping(mapping, folio, true) (mm/vmscan.c): for a locked, unmapped file folio, freeze its
     * count at 1 (isolation) + nr (the page cache's references); if it is dirty after that, unfreeze and
     * fail; else delete it from the page cache. Default: no page cache here, so false (the folio is kept).
     *
     * @param folio the folio, locked, isolated and unmapped
     * @return true if it is now frozen at 0 and may be freed
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

    /** AOP_WRITEPAGE_ACTIVATE (include/linux/fs.h): "keep the folio locked and activate it". */
    int AOP_WRITEPAGE_ACTIVATE = 0x80000;

    /**
     * shmem_mapping(mapping) (mm/shmem.c): the address_space a folio->mapping word names is a shmem/tmpfs
     * one, whose dirty folios pageout() writes itself. Default: never.
     *
     * @param mapping a folio->mapping value as stored
     * @return true for a shmem mapping
     */
    default boolean shmemMapping(long mapping) {
        return false;
    }

    /**
     * shmem_writeout() (mm/shmem.c) of a locked, unmapped folio whose PG_dirty pageout() has just
     * cleared. Default: re-dirty and {@link #AOP_WRITEPAGE_ACTIVATE}.
     *
     * @param folio the folio
     * @return 0 when the write was started (the folio is unlocked then), a negative errno, or
     *         {@link #AOP_WRITEPAGE_ACTIVATE} when the folio was re-dirtied and stays locked (no swap)
     */
    default int shmemWriteout(Folio folio) {
        if (!folio.testDirty()) {
            folio.set(io.github.foliolab.folio.api.PageFlags.PG_dirty); // folio_mark_dirty: set_bit, relaxed
        }
        return AOP_WRITEPAGE_ACTIVATE;
    }

    /**
     * split_folio_to_list() (include/linux/huge_mm.h) as shrink_folio_list() calls it for a large anonymous folio
     * it cannot swap out whole: split the locked, isolated folio to order 0, the new folios other than the
     * first page's appended to {@code list} with a reference each (they are isolated like the folio).
     * Default (no mm module): -EINVAL, nothing split.
     *
     * @param folio a locked, isolated large folio (its head) with the caller's reference
     * @param list the reclaim list the new folios are appended to
     * @return 0, or the split's -errno (the folio unchanged)
     */
    default int splitFolioToList(Folio folio, java.util.List<Folio> list) {
        return -22;
    }

    /**
     * count_mthp_stat(order, MTHP_STAT_SWPOUT_FALLBACK) (mm/huge_memory.c): reclaim split a large folio
     * of {@code order} to swap it out page by page. Default: nothing.
     *
     * @param order the folio's order before the split
     */
    default void countSwpoutFallback(int order) {
    }

    /**
     * {@code !list_empty(&folio->_deferred_list) && folio_test_partially_mapped(folio)}: the large folio
     * is PG_partially_mapped and on its node's deferred split queue. Default: false.
     *
     * @param folio a large folio (its head)
     * @return true if it is queued for a deferred split as partially mapped
     */
    default boolean partiallyMappedQueued(Folio folio) {
        return false;
    }
}
