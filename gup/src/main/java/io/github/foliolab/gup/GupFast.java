package io.github.foliolab.gup;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.PageTable;
import io.github.foliolab.mm.Pte;

/**
 * GUP-fast (mm/gup.c): gup_fast() walks the page tables with interrupts off and no lock, reading each
 * PTE with ptep_get_lockless(), taking the reference with {@link GupFolios#tryGrabFolioFast}, then
 * re-reading the PTE and dropping the reference if it changed (a concurrent unmap or migration cleared
 * or replaced it: the PTE is the only thing that says the folio is still the one mapped there);
 * gup_fast_folio_allowed() refuses long-term write pins of file folios other than shmem. What the walk
 * does not get, gup_fast_fallback() takes through the slow path (__gup_longterm_locked).
 *
 * <p>The interrupts-off section is a region between two schedule points ({@link GupOp#IRQ_SAVE},
 * {@link GupOp#IRQ_RESTORE}). Model difference: with interrupts off the kernel holds off IPIs, which
 * keeps page-table pages from being freed under the walk (tlb_remove_table_sync_one); the model never
 * frees a page table while a walker can hold it (the JVM keeps it alive), so other CPUs' steps may
 * interleave inside the region exactly where they can on a real machine, and only the PTE re-check
 * guards the result. Model difference: the model's PTE carries no protection bits besides write
 * (PROT_NONE lives on the VMA), so a read-only GUP-fast of a PROT_NONE page that is still present
 * succeeds where the kernel's pte_protnone() check would fall back; write pins, which io_uring takes,
 * see the write-protected PTE and fall back as in the kernel.
 */
public final class GupFast {
    private final MemMap memMap;
    private final GupFolios folios;
    private final Longterm longterm;
    private final boolean recheck;

    GupFast(MemMap memMap, GupFolios folios, Longterm longterm, boolean recheck) {
        this.memMap = memMap;
        this.folios = folios;
        this.longterm = longterm;
        this.recheck = recheck;
    }

    /**
     * gup_fast(): the lockless walk of [start, start + nrPages pages); stops at the first page it cannot
     * take. Every page it returns holds a reference (FOLL_GET) or a pin (FOLL_PIN).
     *
     * @param mm the address space (current->mm)
     * @param start a page-aligned user virtual address (bytes)
     * @param nrPages the number of pages
     * @param gupFlags FOLL_* flags with FOLL_GET or FOLL_PIN
     * @param pfns where the page frame numbers go
     * @return the number of pages taken, from the start
     */
    public int gupFast(MmStruct mm, long start, int nrPages, int gupFlags, long[] pfns) {
        int nr = 0;
        if ((gupFlags & Foll.FOLL_PIN) != 0) {
            // gup_fast_fallback(): mm_set_has_pinned_flag, before the walk (fork's copy decision reads it).
            mm.setHasPinned();
        }
        SchedPoints.before(GupOp.IRQ_SAVE, mm.id(), start); // local_irq_save
        try {
            for (long addr = start; nr < nrPages; addr += 4096) {
                if (!gupFastPte(mm, addr, gupFlags, pfns, nr)) {
                    break;
                }
                nr++;
            }
        } finally {
            SchedPoints.before(GupOp.IRQ_RESTORE, mm.id(), start); // local_irq_restore
        }
        return nr;
    }

    /** One step of gup_fast_pte_range(): true when the page at {@code addr} was taken into pfns[nr]. */
    private boolean gupFastPte(MmStruct mm, long addr, int gupFlags, long[] pfns, int nr) {
        PageTable pt = mm.pageTables().lookup(addr); // pte_offset_map
        if (pt == null) {
            return false;
        }
        long pte = pt.ptepGetLockless(addr); // no PTL: the PTE may change at any moment
        if (!Pte.present(pte)) {
            return false;
        }
        if ((gupFlags & Foll.FOLL_WRITE) != 0 && !Pte.write(pte)) {
            return false; // pte_access_permitted()
        }
        if (Pte.special(pte)) {
            return false; // the zero page and other special PTEs: the slow path decides
        }
        Folio folio = folios.tryGrabFolioFast(Pte.pfn(pte), 1, gupFlags);
        if (folio == null) {
            return false;
        }
        // The re-check: try_grab_folio_fast's fully ordered add makes this read see any PTE change made
        // before a concurrent unmap or migration checked the refcount; if the PTE changed, the folio may
        // no longer be the one mapped here (or may be on its way to being freed), so drop it.
        if (recheck && pt.ptepGetLockless(addr) != pte) { // Gup.FAST_PTE_RECHECK: false only in experiments
            folios.gupPutFolio(folio, 1, gupFlags);
            return false;
        }
        if (!gupFastFolioAllowed(folio, gupFlags)) {
            folios.gupPutFolio(folio, 1, gupFlags);
            return false;
        }
        folio.setReferenced(); // folio_set_referenced
        pfns[nr] = Pte.pfn(pte);
        return true;
    }

    /**
     * gup_fast_folio_allowed(): a FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE pin is refused for file folios
     * that are not shmem (they need dirty tracking), and for a folio whose mapping is gone (truncated:
     * the slow path decides). Every file of the model is a shmem file, so only a lost mapping refuses.
     *
     * @param folio the folio, referenced by the caller
     * @param gupFlags the FOLL_* flags
     */
    boolean gupFastFolioAllowed(Folio folio, int gupFlags) {
        int all = Foll.FOLL_PIN | Foll.FOLL_LONGTERM | Foll.FOLL_WRITE;
        if ((gupFlags & all) != all) {
            return true;
        }
        return folio.mapping() != 0; // READ_ONCE(folio->mapping); anon and shmem mappings are allowed
    }

    /**
     * gup_fast_fallback(): GUP-fast, then the slow path (__gup_longterm_locked with FOLL_TOUCH) for
     * what it did not take. With FOLL_FAST_ONLY there is no fallback.
     *
     * @param mm the address space (current->mm)
     * @param start a user virtual address (bytes), rounded down to its page
     * @param nrPages the number of pages
     * @param gupFlags FOLL_* flags with FOLL_GET or FOLL_PIN
     * @param pfns where the page frame numbers go (at least nrPages long)
     * @return the number of pages taken, or -errno when none was
     */
    public long gupFastFallback(MmStruct mm, long start, int nrPages, int gupFlags, long[] pfns) {
        start &= ~4095L;
        if (Long.compareUnsigned(start + ((long) nrPages << 12), MmStruct.TASK_SIZE) > 0) {
            return -Errno.EFAULT;
        }
        int nr = gupFast(mm, start, nrPages, gupFlags, pfns);
        if (nr == nrPages || (gupFlags & Foll.FOLL_FAST_ONLY) != 0) {
            return nr;
        }
        long[] rest = new long[nrPages - nr];
        long ret = longterm.gupLongtermLocked(mm, start + ((long) nr << 12), nrPages - nr, rest,
                gupFlags | Foll.FOLL_TOUCH | Foll.FOLL_UNLOCKABLE);
        if (ret < 0) {
            return nr > 0 ? nr : ret; // the caller unpins what GUP-fast took
        }
        System.arraycopy(rest, 0, pfns, nr, (int) ret);
        return ret + nr;
    }

    /**
     * get_user_pages_fast(): FOLL_GET references on [start, start + nrPages pages).
     *
     * @param mm the address space (current->mm)
     * @param start a user virtual address (bytes)
     * @param nrPages the number of pages
     * @param gupFlags FOLL_WRITE, FOLL_FORCE (no internal flags)
     * @param pfns where the page frame numbers go
     * @return the number of pages taken, or -errno
     */
    public long getUserPagesFast(MmStruct mm, long start, int nrPages, int gupFlags, long[] pfns) {
        checkExternalFlags(gupFlags);
        return gupFastFallback(mm, start, nrPages, gupFlags | Foll.FOLL_GET, pfns);
    }

    /**
     * pin_user_pages_fast(): FOLL_PIN pins on [start, start + nrPages pages), to be dropped with
     * {@link GupFolios#unpinUserPages}.
     *
     * @param mm the address space (current->mm)
     * @param start a user virtual address (bytes)
     * @param nrPages the number of pages
     * @param gupFlags FOLL_WRITE, FOLL_FORCE, FOLL_LONGTERM (no internal flags)
     * @param pfns where the page frame numbers go
     * @return the number of pages taken, or -errno
     */
    public long pinUserPagesFast(MmStruct mm, long start, int nrPages, int gupFlags, long[] pfns) {
        checkExternalFlags(gupFlags);
        return gupFastFallback(mm, start, nrPages, gupFlags | Foll.FOLL_PIN, pfns);
    }

    /** is_valid_gup_args(): internal flags may not come from outside mm/gup.c. */
    private static void checkExternalFlags(int gupFlags) {
        int internal = Foll.FOLL_TOUCH | Foll.FOLL_PIN | Foll.FOLL_FAST_ONLY | Foll.FOLL_UNLOCKABLE | Foll.FOLL_MADV_POPULATE;
        if ((gupFlags & internal) != 0 || (gupFlags & Foll.FOLL_GET) != 0) {
            throw new VmBugException("is_valid_gup_args: internal FOLL_* flags 0x" + Integer.toHexString(gupFlags));
        }
    }
}
