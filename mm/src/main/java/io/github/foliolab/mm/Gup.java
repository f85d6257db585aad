package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.sync.SpinLock;

/**
 * The GUP slow path as population uses it (mm/gup.c): __get_user_pages without a pages array,
 * follow_page_pte with FOLL_TOUCH, faultin_page, populate_vma_page_range and __mm_populate.
 */
public final class Gup {
    /** FOLL_WRITE (kernel value). */
    public static final int FOLL_WRITE = 1;
    /** FOLL_GET: take a reference on each page returned (MemMap's value). */
    public static final int FOLL_GET = io.github.foliolab.folio.MemMap.FOLL_GET;
    /** FOLL_FORCE (kernel value). */
    public static final int FOLL_FORCE = 1 << 3;
    /** FOLL_PIN: pin each page returned (MemMap's value). */
    public static final int FOLL_PIN = io.github.foliolab.folio.MemMap.FOLL_PIN;
    /** FOLL_TOUCH (kernel value, an mm-internal flag). */
    public static final int FOLL_TOUCH = 1 << 16;
    /**
     * FOLL_MADV_POPULATE (kernel value, an mm-internal flag): MADV_POPULATE_(READ|WRITE)'s own VMA
     * lookup in __get_user_pages (a hole is -ENOMEM, a refused access -EINVAL).
     */
    public static final int FOLL_MADV_POPULATE = 1 << 22;

    private final Mm ctx;

    Gup(Mm ctx) {
        this.ctx = ctx;
    }

    /** check_vma_flags(): -EFAULT when the access is not allowed. */
    private static int checkVmaFlags(Vma vma, int gupFlags) {
        long f = vma.flags();
        boolean write = (gupFlags & FOLL_WRITE) != 0;
        if ((f & (VmFlags.VM_IO | VmFlags.VM_PFNMAP)) != 0) return -Errno.EFAULT;
        if (write) {
            if ((f & VmFlags.VM_WRITE) == 0) {
                if ((gupFlags & FOLL_FORCE) == 0) return -Errno.EFAULT;
                if ((f & VmFlags.VM_MAYWRITE) == 0 || (f & VmFlags.VM_SHARED) != 0) return -Errno.EFAULT;
            }
        } else if ((f & VmFlags.VM_READ) == 0) {
            if ((gupFlags & FOLL_FORCE) == 0 || (f & VmFlags.VM_MAYREAD) == 0) return -Errno.EFAULT;
        }
        return 0;
    }

    /**
     * follow_page_pte(): the pfn of the page if it is there for this access (with FOLL_TOUCH it is
     * marked accessed and dirty as the kernel does; with FOLL_GET / FOLL_PIN a reference or pin is
     * taken with try_grab_folio under the PTL); -1 means "fault it in"; -2 means try_grab_folio failed.
     */
    private long followPagePte(Vma vma, long addr, int gupFlags) {
        PageTable pt = vma.mm().pageTables().lookup(addr);
        if (pt == null) return -1;
        SpinLock ptl = pt.ptl();
        ptl.lock();
        try {
            long pte = pt.ptepGet(addr);
            if (!Pte.present(pte)) return -1;
            Folio folio = ctx.memMap().pageFolio(Pte.pfn(pte)); // vm_normal_page, or the zero page
            if ((gupFlags & FOLL_WRITE) != 0 && !canFollowWritePte(pte, folio, vma, gupFlags)) {
                return -1; // COW not broken yet: fault with FAULT_FLAG_WRITE
            }
            if ((gupFlags & (FOLL_GET | FOLL_PIN)) != 0 && folio.tryGrabFolio(1, gupFlags) != 0) {
                return -2;
            }
            if ((gupFlags & FOLL_TOUCH) != 0) {
                if ((gupFlags & FOLL_WRITE) != 0 && !Pte.dirty(pte) && !folio.testDirty()) {
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
        if ((gupFlags & FOLL_FORCE) == 0) return false;
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
     * @param gupFlags the FOLL_* flags
     */
    public long getUserPages(MmStruct mm, long start, long nrPages, int gupFlags) {
        return getUserPages(mm, start, nrPages, gupFlags, null);
    }

    /**
     * __get_user_pages(): fault in and follow [start, start + nrPages pages); with {@code pfns} non-null
     * (and FOLL_GET or FOLL_PIN in {@code gupFlags}) the page frames are stored there, each holding a
     * reference or pin the caller must drop (unpin_user_page / put_page). Returns the number of pages
     * done, or -errno if none was. The caller holds the mmap_lock.
     *
     * @param mm the address space (mm_struct)
     * @param start the start of the range, a user virtual address (bytes)
     * @param nrPages the number of pages
     * @param gupFlags the FOLL_* flags
     * @param pfns the page frame numbers
     */
    public long getUserPages(MmStruct mm, long start, long nrPages, int gupFlags, long[] pfns) {
        mm.mmapLock().assertLocked();
        if ((gupFlags & FOLL_GET) != 0 && (gupFlags & FOLL_PIN) != 0) {
            throw new io.github.foliolab.folio.api.VmBugException("FOLL_GET and FOLL_PIN together");
        }
        long done = 0;
        Vma vma = null;
        long addr = start;
        while (done < nrPages) {
            if (vma == null || addr >= vma.end) {
                boolean populate = (gupFlags & FOLL_MADV_POPULATE) != 0;
                vma = mm.vmaLookup(addr);
                if (vma == null) return done > 0 ? done : populate ? -Errno.ENOMEM : -Errno.EFAULT;
                int err = checkVmaFlags(vma, gupFlags);
                if (err != 0) return done > 0 ? done : populate ? -Errno.EINVAL : err;
            }
            int tries = 0;
            long pfn;
            while ((pfn = followPagePte(vma, addr, gupFlags)) == -1) {
                int ret = ctx.fault().handleMmFault(vma, addr, (gupFlags & FOLL_WRITE) != 0);
                if ((ret & Fault.VM_FAULT_OOM) != 0) return done > 0 ? done : -Errno.ENOMEM;
                if ((ret & (Fault.VM_FAULT_SIGBUS | Fault.VM_FAULT_SIGSEGV)) != 0) return done > 0 ? done : -Errno.EFAULT;
                if (++tries > 1_000_000) throw new IllegalStateException("GUP livelock at 0x" + Long.toHexString(addr));
                if ((ret & Fault.VM_FAULT_RETRY) != 0) Thread.yield();
            }
            if (pfn == -2) return done > 0 ? done : -Errno.ENOMEM;
            if (pfns != null) pfns[(int) done] = pfn;
            done++;
            addr += 4096;
        }
        return done;
    }

    /**
     * faultin_page_range() of mm/gup.c, for MADV_POPULATE_READ / MADV_POPULATE_WRITE: __get_user_pages
     * with FOLL_TOUCH | FOLL_MADV_POPULATE (and FOLL_WRITE), never FOLL_FORCE, then lru_add_drain().
     * Returns the number of pages done, or -errno (-ENOMEM at a hole, -EINVAL where the VMA refuses
     * the access, -EFAULT on SIGBUS / SIGSEGV). The caller holds the mmap_lock.
     *
     * @param mm the address space (mm_struct)
     * @param start the start of the range, a page-aligned user virtual address (bytes)
     * @param end the end of the range (exclusive), page-aligned (bytes)
     * @param write FOLL_WRITE (MADV_POPULATE_WRITE)
     */
    public long faultinPageRange(MmStruct mm, long start, long end, boolean write) {
        int gupFlags = FOLL_TOUCH | FOLL_MADV_POPULATE | (write ? FOLL_WRITE : 0);
        long ret = getUserPages(mm, start, (end - start) >>> 12, gupFlags);
        ctx.swap().lruAddDrain();
        return ret;
    }

    /**
     * populate_vma_page_range(): fault in [start, end) of {@code vma} unless it is VM_LOCKONFAULT
     * (returns the page count at once) or not accessible (-EFAULT); drains this CPU's LRU batches after.
     *
     * @param vma the VMA
     * @param start the start of the range, a user virtual address (bytes)
     * @param end the end of the range (exclusive), a user virtual address (bytes)
     */
    public long populateVmaPageRange(Vma vma, long start, long end) {
        long nrPages = (end - start) >>> 12;
        vma.mm().mmapLock().assertLocked();
        if ((vma.flags() & VmFlags.VM_LOCKONFAULT) != 0) return nrPages;
        if (!vma.isAccessible()) return -Errno.EFAULT;
        int gupFlags = FOLL_TOUCH;
        if ((vma.flags() & (VmFlags.VM_WRITE | VmFlags.VM_SHARED)) == VmFlags.VM_WRITE) {
            gupFlags |= FOLL_WRITE;
        } else {
            gupFlags |= FOLL_FORCE;
        }
        long ret = getUserPages(vma.mm(), start, nrPages, gupFlags);
        ctx.swap().lruAddDrain();
        return ret;
    }

    /**
     * __mm_populate(): populate every VMA intersecting [start, start+len) under the mmap_lock for
     * reading; returns 0 or the first error unless {@code ignoreErrors}.
     */
    public int mmPopulate(MmStruct mm, long start, long len, boolean ignoreErrors) {
        long end = start + len;
        mm.mmapLock().downRead();
        try {
            long nstart = start;
            // Unsigned, as the kernel's unsigned long: end may lie at or above 2^63.
            while (Long.compareUnsigned(nstart, end) < 0) {
                Vma vma = mm.findVmaIntersection(nstart, end);
                if (vma == null) break;
                long nend = Long.compareUnsigned(end, vma.end) < 0 ? end : vma.end;
                if ((vma.flags() & (VmFlags.VM_IO | VmFlags.VM_PFNMAP)) != 0) {
                    nstart = nend;
                    continue;
                }
                if (nstart < vma.start) nstart = vma.start;
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
