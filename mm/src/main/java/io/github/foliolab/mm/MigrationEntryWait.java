package io.github.foliolab.mm;

/**
 * migration_entry_wait() (mm/migrate.c): this module's upward call into the migrate module, declared
 * here because the fault path makes it ({@link Fault#handleMmFault} meets a migration entry, and so does
 * the GUP slow path, which faults through handle_mm_fault as 7.2 does). Provided by the migrate module
 * when a machine is built; without it ({@link #NONE}) the fault returns at once and is retried.
 */
@FunctionalInterface
public interface MigrationEntryWait {
    /**
     * Wait until the migration that installed the entry at {@code addr} of {@code pt} has finished (the
     * source folio is unlocked) or the entry is gone. Called without the PTL; returns without it.
     *
     * @param mm the address space (mm_struct)
     * @param pt the page table holding the entry
     * @param addr a page-aligned user virtual address (bytes)
     */
    void migrationEntryWait(MmStruct mm, PageTable pt, long addr);

    /** A kernel without page migration: no migration entry is ever installed, nothing to wait for. */
    MigrationEntryWait NONE = (mm, pt, addr) -> { };
}
