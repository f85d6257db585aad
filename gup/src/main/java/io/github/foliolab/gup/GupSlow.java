package io.github.foliolab.gup;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.sync.SpinLock;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.Fault;
import io.github.foliolab.mm.GupOps;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.PageTable;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Vma;

/**
 * The GUP slow path of mm/gup.c: check_vma_flags, follow_page_pte with FOLL_TOUCH, faultin_page
 * (through handle_mm_fault), __get_user_pages, and population (populate_vma_page_range, __mm_populate,
 * faultin_page_range), which mm and mlock reach through {@link GupOps}.
 */
public final class GupSlow implements GupOps {
    /** follow_page_pte() found nothing usable: fault the page in. */
    private static final long NEEDS_FAULT = -1;
    /** follow_page_pte(): try_grab_folio failed. */
    private static final long GRAB_FAILED = -2;

    private final Mm ctx;
    private final GupFolios folios;

    GupSlow(Mm ctx, GupFolios folios) {
        this.ctx = ctx;
        this.folios = folios;
    }

    /**
     * check_vma_flags(): -EFAULT when the access is not allowed. Model difference: every file of the
     * model is a tmpfs (shmem) file, which needs no dirty tracking, so writable_file_mapping_allowed()
     * always allows FOLL_LONGTERM | FOLL_WRITE, and there is no fsdax VMA (-EOPNOTSUPP).
     */
    static int checkVmaFlags(Vma vma, int gupFlags) {
        long f = vma.flags();
        boolean write = (gupFlags & Foll.FOLL_WRITE) != 0;
        if ((f & (VmFlags.VM_IO | VmFlags.VM_PFNMAP)) != 0) return -Errno.EFAULT;
        if ((gupFlags & Foll.FOLL_ANON) != 0 && !vma.isAnonymous()) return -Errno.EFAULT;
        if (write) {
            if ((f & VmFlags.VM_WRITE) == 0) {
                if ((gupFlags & Foll.FOLL_FORCE) == 0) return -Errno.EFAULT;
                // is_cow_mapping(): private and may be written
                if ((f & VmFlags.VM_MAYWRITE) == 0 || (f & VmFlags.VM_SHARED) != 0) return -Errno.EFAULT;
            }
        } else if ((f & VmFlags.VM_READ) == 0) {
            if ((gupFlags & Foll.FOLL_FORCE) == 0 || (f & VmFlags.VM_MAYREAD) == 0) return -Errno.EFAULT;
        }
        return 0;
    }

    /**
     * follow_page_pte(): the pfn of the page if it is there for this access (with FOLL_TOUCH it is
     * marked accessed, and dirty for a write, as the kernel does; with FOLL_GET / FOLL_PIN a reference
     * or pin is taken with try_grab_folio under the PTL); {@link #NEEDS_FAULT} or {@link #GRAB_FAILED}.
     */
    private long followPagePte(Vma vma, long addr, int gupFlags) {
        PageTable pt = vma.mm().pageTables().lookup(addr);
        if (pt == null) return NEEDS_FAULT;
        SpinLock ptl = pt.ptl();
        ptl.lock(); // the PTL: the PTE cannot change while the reference is taken
        try {
            long pte = pt.ptepGet(addr);
            if (!Pte.present(pte)) return NEEDS_FAULT;
            Folio folio = ctx.memMap().pageFolio(Pte.pfn(pte)); // vm_normal_page, or the zero page
            if ((gupFlags & Foll.FOLL_WRITE) != 0 && !canFollowWritePte(pte, folio, vma, gupFlags)) {
                return NEEDS_FAULT; // COW not broken yet: fault with FAULT_FLAG_WRITE
            }
            if ((gupFlags & (Foll.FOLL_GET | Foll.FOLL_PIN)) != 0 && folios.tryGrabFolio(folio, 1, gupFlags) != 0) {
                return GRAB_FAILED;
            }
            if ((gupFlags & Foll.FOLL_TOUCH) != 0) {
                if ((gupFlags & Foll.FOLL_WRITE) != 0 && !Pte.dirty(pte) && !folio.testDirty()) {
                    folio.set(PageFlags.PG_dirty); // folio_mark_dirty: set_bit, relaxed
                }
                ctx.swap().folioMarkAccessed(folio);
            }
            return Pte.pfn(pte);
        } finally {
            ptl.unlock();
        }
    }

    /**
     * can_follow_write_pte(): a writable PTE, or (FOLL_FORCE on a private, VM_MAYWRITE, not VM_WRITE
     * mapping) an exclusive anonymous page whose COW was already broken.
     */
    private static boolean canFollowWritePte(long pte, Folio folio, Vma vma, int gupFlags) {
        if (Pte.write(pte)) return true;
        if ((gupFlags & Foll.FOLL_FORCE) == 0) return false;
        long f = vma.flags();
        if ((f & (VmFlags.VM_MAYSHARE | VmFlags.VM_SHARED)) != 0) return false;
        if ((f & VmFlags.VM_MAYWRITE) == 0) return false;
        if ((f & VmFlags.VM_WRITE) != 0) return false;
        if (Pte.special(pte) || !folio.isAnon()) return false;
        return folio.test(PageFlags.PG_anon_exclusive);
    }

    /**
     * __get_user_pages() without pages: returns the number of pages done or -errno.
     *
     * @param mm the address space (mm_struct)
     * @param start the start of the range, a user virtual address (bytes)
     * @param nrPages the number of pages
     * @param gupFlags the FOLL_* flags ({@link Foll})
     * @return the number of pages done, or -errno if none was (as {@link #getUserPages(MmStruct, long,
     *         long, int, long[])} with no pfn array)
     */
    public long getUserPages(MmStruct mm, long start, long nrPages, int gupFlags) {
        return getUserPages(mm, start, nrPages, gupFlags, null);
    }

    /**
     * __get_user_pages(): fault in and follow [start, start + nrPages pages); with {@code pfns} non-null
     * (and FOLL_GET or FOLL_PIN in {@code gupFlags}) the page frames are stored there, each holding a
     * reference or pin the caller must drop (unpin_user_page / put_page). The caller holds the
     * mmap_lock.
     *
     * @param mm the address space (mm_struct)
     * @param start the start of the range, a user virtual address (bytes)
     * @param nrPages the number of pages
     * @param gupFlags the FOLL_* flags ({@link Foll})
     * @param pfns where the page frame numbers go, or null
     * @return the number of pages done, or -errno if none was
     * @throws VmBugException for FOLL_GET and FOLL_PIN together
     */
    public long getUserPages(MmStruct mm, long start, long nrPages, int gupFlags, long[] pfns) {
        mm.mmapLock().assertLocked();
        if ((gupFlags & Foll.FOLL_GET) != 0 && (gupFlags & Foll.FOLL_PIN) != 0) {
            throw new VmBugException("FOLL_GET and FOLL_PIN together");
        }
        if ((gupFlags & Foll.FOLL_PIN) != 0) {
            // __get_user_pages_locked(): mm_set_has_pinned_flag, so that fork copies what may be pinned.
            mm.setHasPinned();
        }
        long done = 0;
        Vma vma = null;
        long addr = start;
        while (done < nrPages) {
            if (vma == null || addr >= vma.end()) {
                boolean populate = (gupFlags & Foll.FOLL_MADV_POPULATE) != 0;
                vma = mm.vmaLookup(addr);
                if (vma == null) return done > 0 ? done : populate ? -Errno.ENOMEM : -Errno.EFAULT;
                int err = checkVmaFlags(vma, gupFlags);
                if (err != 0) return done > 0 ? done : populate ? -Errno.EINVAL : err;
            }
            int tries = 0;
            long pfn;
            while ((pfn = followPagePte(vma, addr, gupFlags)) == NEEDS_FAULT) {
                int ret = ctx.fault().handleMmFault(vma, addr, (gupFlags & Foll.FOLL_WRITE) != 0);
                if ((ret & Fault.VM_FAULT_OOM) != 0) return done > 0 ? done : -Errno.ENOMEM;
                if ((ret & (Fault.VM_FAULT_SIGBUS | Fault.VM_FAULT_SIGSEGV)) != 0) return done > 0 ? done : -Errno.EFAULT;
                if (++tries > 1_000_000) throw new IllegalStateException("GUP livelock at 0x" + Long.toHexString(addr));
                if ((ret & Fault.VM_FAULT_RETRY) != 0) Thread.yield();
            }
            if (pfn == GRAB_FAILED) return done > 0 ? done : -Errno.ENOMEM;
            if (pfns != null) pfns[(int) done] = pfn;
            done++;
            addr += 4096;
        }
        return done;
    }

    /**
     * __get_user_pages_locked(): {@link #getUserPages} with the mmap_lock taken for reading around it.
     *
     * @param mm the address space (mm_struct)
     * @param start the start of the range, a user virtual address (bytes)
     * @param nrPages the number of pages
     * @param gupFlags the FOLL_* flags ({@link Foll})
     * @param pfns where the page frame numbers go, or null
     * @return the number of pages done, or -errno if none was
     */
    public long getUserPagesLocked(MmStruct mm, long start, long nrPages, int gupFlags, long[] pfns) {
        mm.mmapLock().downRead();
        try {
            return getUserPages(mm, start, nrPages, gupFlags, pfns);
        } finally {
            mm.mmapLock().upRead();
        }
    }

    @Override
    public long faultinPageRange(MmStruct mm, long start, long end, boolean write) {
        int gupFlags = Foll.FOLL_TOUCH | Foll.FOLL_MADV_POPULATE | (write ? Foll.FOLL_WRITE : 0);
        long ret = getUserPages(mm, start, (end - start) >>> 12, gupFlags);
        ctx.swap().lruAddDrain();
        return ret;
    }

    /**
     * populate_vma_page_range(): fault in [start, end) of {@code vma} unless it is VM_LOCKONFAULT
     * (returns the page count at once) or not accessible (-EFAULT); drains this CPU's LRU batches after.
     */
    @Override
    public long populateVmaPageRange(Vma vma, long start, long end) {
        long nrPages = (end - start) >>> 12;
        vma.mm().mmapLock().assertLocked();
        if ((vma.flags() & VmFlags.VM_LOCKONFAULT) != 0) return nrPages;
        if (!vma.isAccessible()) return -Errno.EFAULT;
        int gupFlags = Foll.FOLL_TOUCH;
        if ((vma.flags() & (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) == VmFlags.VM_WRITE) {
            gupFlags |= Foll.FOLL_WRITE;
        } else {
            gupFlags |= Foll.FOLL_FORCE;
        }
        long ret = getUserPages(vma.mm(), start, nrPages, gupFlags);
        ctx.swap().lruAddDrain();
        return ret;
    }

    /** __mm_populate(): every VMA intersecting [start, start + len) under the mmap_lock for reading. */
    @Override
    public int mmPopulate(MmStruct mm, long start, long len, boolean ignoreErrors) {
        long end = start + len;
        mm.mmapLock().downRead();
        try {
            long nstart = start;
            // Unsigned, as the kernel's unsigned long: end may lie at or above 2^63.
            while (Long.compareUnsigned(nstart, end) < 0) {
                Vma vma = mm.findVmaIntersection(nstart, end);
                if (vma == null) break;
                long nend = Long.compareUnsigned(end, vma.end()) < 0 ? end : vma.end();
                if ((vma.flags() & (VmFlags.VM_IO | VmFlags.VM_PFNMAP)) != 0) {
                    nstart = nend;
                    continue;
                }
                if (nstart < vma.start()) nstart = vma.start();
                long ret = populateVmaPageRange(vma, nstart, nend);
                if (ret < 0) {
                    if (ignoreErrors) {
                        nstart = nend;
                        continue;
                    }
                    return (int) ret;
                }
                nstart = nstart + ret * 4096;
            }
            return 0;
        } finally {
            mm.mmapLock().upRead();
        }
    }
}
