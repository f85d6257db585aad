package io.github.foliolab.migrate;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.mm.MigrationEntryWait;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.PageTable;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Vma;

/**
 * Migration entries: try_to_migrate() / try_to_migrate_one() (mm/rmap.c) replace each PTE of a folio by
 * a migration entry under the PTL; remove_migration_ptes() / remove_migration_pte() (mm/migrate.c) put
 * PTEs of the new folio (or of the old one, when migration failed) back; migration_entry_wait() is what
 * a fault on such an entry does. Every PTE read and write is a schedule point ({@link PageTable}).
 *
 * <p>Model encoding: a migration entry is {@link Pte#mkSwapEntry} of type SWP_MIGRATION_READ,
 * _READ_EXCLUSIVE or _WRITE with the source pfn, plus {@link Pte#YOUNG} / {@link Pte#DIRTY} for the
 * migration entry's young and dirty bits (x86-64 keeps them: migration_entry_supports_ad()).
 */
final class MigrationPtes implements MigrationEntryWait {
    private final Mm mm;

    MigrationPtes(Mm mm) {
        this.mm = mm;
    }

    /**
     * try_to_migrate() (mm/rmap.c) of a locked folio: every PTE mapping it becomes a migration entry; a
     * walk step that cannot (an exclusive anon page that may be DMA-pinned) leaves the folio mapped.
     */
    void tryToMigrate(Folio folio) {
        mm.rmapWalk().walkPages(folio, (vma, pt, addr, pte) -> tryToMigrateOne(folio, Pte.pfn(pte), vma, pt, addr));
    }

    /**
     * try_to_migrate_one() for one PTE, mapping page {@code page} of {@code folio}, the PTL held; false
     * stops the walk. A large folio's PTEs are handled one by one (folio_remove_rmap_pte): after the first
     * the folio is partly mapped and joins the deferred split queue, as on 7.2.
     */
    private boolean tryToMigrateOne(Folio folio, long page, Vma vma, PageTable pt, long addr) {
        boolean anonExclusive = folio.isAnon() && mm.memMap().testFlag(page, PageFlags.PG_anon_exclusive); // PageAnonExclusive(subpage)
        long pteval = pt.ptepGetAndClear(addr); // ptep_clear_flush: xchg, fully ordered
        if (Pte.dirty(pteval) && !folio.testDirty()) {
            folio.set(PageFlags.PG_dirty); // folio_mark_dirty: set_bit, relaxed
        }
        boolean writable = Pte.write(pteval);
        // folio_try_share_anon_rmap_pte(): the PTE is cleared first (the xchg above is a full barrier),
        // then a possibly DMA-pinned folio keeps PG_anon_exclusive and its mapping.
        if (anonExclusive && !folioTryShareAnonRmapPte(folio, page)) {
            pt.setPteAt(addr, pteval); // set_pte_at(pteval): the mapping is restored
            return false;
        }
        int type = writable ? Pte.SWP_MIGRATION_WRITE
                : anonExclusive ? Pte.SWP_MIGRATION_READ_EXCLUSIVE : Pte.SWP_MIGRATION_READ;
        long entry = Pte.mkSwapEntry(type, page);
        if (Pte.young(pteval)) entry |= Pte.YOUNG; // make_migration_entry_young
        if (Pte.dirty(pteval)) entry |= Pte.DIRTY; // make_migration_entry_dirty
        pt.setPteAt(addr, entry);
        mm.rmap().folioRemoveRmapPtes(folio, page, 1, vma); // folio_remove_rmap_pte: ends with munlock_vma_folio for VM_LOCKED
        if ((vma.flags() & VmFlags.VM_LOCKED) != 0) {
            mm.mlock().mlockDrainLocal();
        }
        folio.put(); // folio_put: fully ordered atomic_dec_and_test (the PTE's reference)
        return true;
    }

    /**
     * __folio_try_share_anon_rmap() for one PTE: refuse a maybe-pinned folio (for a large folio its exact
     * _pincount), else clear the page's PG_anon_exclusive.
     */
    private boolean folioTryShareAnonRmapPte(Folio folio, long page) {
        if (folio.maybeDmaPinned()) {
            return false;
        }
        mm.memMap().clearFlag(page, PageFlags.PG_anon_exclusive); // ClearPageAnonExclusive(page): clear_bit, relaxed
        return true;
    }

    /**
     * remove_migration_ptes() (mm/migrate.c): every migration entry naming {@code src} at {@code dst}'s
     * mapping and index becomes a PTE of {@code dst} ({@code dst == src} when migration failed).
     */
    void removeMigrationPtes(Folio src, Folio dst) {
        mm.rmapWalk().walkMigrationEntries(dst, src.pfn(), (vma, pt, addr, entry) -> {
            removeMigrationPte(dst, dst.pfn() + (Pte.pfn(entry) - src.pfn()), vma, pt, addr, entry);
            return true;
        });
    }

    /**
     * remove_migration_pte() for one entry, the PTL held, mapping page {@code page} of {@code folio}: a
     * reference for the PTE, mk_pte with the entry's young, dirty and write bits, the rmap added
     * (folio_add_anon_rmap_pte, exclusive unless the entry was a plain read entry, or
     * folio_add_file_rmap_pte: both call mlock_vma_folio() for a VM_LOCKED VMA when they map the whole
     * folio, so a small folio is mlocked again and a large one, mapped a page at a time, is not), the PTE
     * set, and mlock_drain_local() for a VM_LOCKED VMA.
     */
    private void removeMigrationPte(Folio folio, long page, Vma vma, PageTable pt, long addr, long entry) {
        folio.get(); // folio_get: relaxed atomic_inc (the PTE's reference)
        int type = Pte.swapType(entry);
        // mk_pte(new, vm_page_prot): x86's protections carry _PAGE_ACCESSED; pte_mkold unless young.
        long pte = Pte.mk(page, false, false, Pte.young(entry));
        if (Pte.dirty(entry) && folio.testDirty()) {
            pte = Pte.mkDirty(pte);
        }
        if (type == Pte.SWP_MIGRATION_WRITE) {
            pte = Pte.mkWrite(pte);
        }
        if (folio.isAnon()) {
            // folio_add_anon_rmap_pte(folio, new, ...): one page, so a large folio is not mlocked here.
            mm.rmap().folioAddAnonRmapPtes(folio, page, 1, vma, type != Pte.SWP_MIGRATION_READ);
        } else {
            mm.rmap().folioAddFileRmapPte(folio, vma);
        }
        pt.setPteAt(addr, pte);
        if ((vma.flags() & VmFlags.VM_LOCKED) != 0) { // READ_ONCE(vma->vm_flags)
            mm.mlock().mlockDrainLocal();
        }
    }

    /**
     * migration_entry_wait() (mm/migrate.c): under the PTL, if the PTE still holds a migration entry,
     * wait (migration_entry_wait_on_locked, after dropping the PTL) until the source folio, locked for
     * the whole migration, is unlocked; otherwise return at once. The fault is then retried.
     */
    @Override
    public void migrationEntryWait(MmStruct mmStruct, PageTable pt, long addr) {
        pt.ptl().lock();
        long pte;
        try {
            pte = pt.ptepGet(addr);
        } finally {
            pt.ptl().unlock();
        }
        if (!Pte.isMigrationEntry(pte)) {
            return;
        }
        // Model difference: the kernel queues itself on the folio's wait queue before dropping the PTL;
        // here the waiter re-tests PG_locked, which cannot miss the unlock either.
        FolioWait.waitUnlocked(mm.memMap().folio(Pte.pfn(pte)));
    }
}
