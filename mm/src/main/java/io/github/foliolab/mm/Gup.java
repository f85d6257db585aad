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
    public static final int FOLL_WRITE = 0x01;
    public static final int FOLL_TOUCH = 0x02;
    public static final int FOLL_FORCE = 0x10;

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
     * follow_page_pte(): true if the page is there for this access (and, with FOLL_TOUCH, marks it
     * accessed and dirty as the kernel does); false means "fault it in".
     */
    private boolean followPagePte(Vma vma, long addr, int gupFlags) {
        PageTable pt = vma.mm().pageTables().lookup(addr);
        if (pt == null) return false;
        SpinLock ptl = pt.ptl();
        Folio folio;
        ptl.lock();
        try {
            long pte = pt.ptepGet(addr);
            if (!Pte.present(pte)) return false;
            if ((gupFlags & FOLL_WRITE) != 0 && !Pte.write(pte)) {
                return false; // can_follow_write_pte(): COW not broken yet
            }
            folio = ctx.memMap().folio(Pte.pfn(pte)); // vm_normal_page, or the zero page
            if ((gupFlags & FOLL_TOUCH) != 0) {
                if ((gupFlags & FOLL_WRITE) != 0 && !Pte.dirty(pte) && !folio.testDirty()) {
                    folio.set(PageFlags.PG_dirty); // folio_mark_dirty
                }
                ctx.swap().folioMarkAccessed(folio);
            }
        } finally {
            ptl.unlock();
        }
        return true;
    }

    /** __get_user_pages() without pages: returns the number of pages done or -errno. */
    public long getUserPages(MmStruct mm, long start, long nrPages, int gupFlags) {
        long done = 0;
        Vma vma = null;
        long addr = start;
        while (done < nrPages) {
            if (vma == null || addr >= vma.end) {
                vma = mm.vmaLookup(addr);
                if (vma == null) return done > 0 ? done : -Errno.EFAULT;
                int err = checkVmaFlags(vma, gupFlags);
                if (err != 0) return done > 0 ? done : err;
            }
            int tries = 0;
            while (!followPagePte(vma, addr, gupFlags)) {
                int ret = ctx.fault().handleMmFault(vma, addr, (gupFlags & FOLL_WRITE) != 0);
                if ((ret & Fault.VM_FAULT_OOM) != 0) return done > 0 ? done : -Errno.ENOMEM;
                if ((ret & (Fault.VM_FAULT_SIGBUS | Fault.VM_FAULT_SIGSEGV)) != 0) return done > 0 ? done : -Errno.EFAULT;
                if (++tries > 1_000_000) throw new IllegalStateException("GUP livelock at 0x" + Long.toHexString(addr));
                if ((ret & Fault.VM_FAULT_RETRY) != 0) Thread.yield();
            }
            done++;
            addr += 4096;
        }
        return done;
    }

    /**
     * populate_vma_page_range(): fault in [start, end) of {@code vma} unless it is VM_LOCKONFAULT
     * (returns the page count at once) or not accessible (-EFAULT); drains this CPU's LRU batches after.
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
            while (nstart < end) {
                Vma vma = mm.findVmaIntersection(nstart, end);
                if (vma == null) break;
                long nend = Math.min(end, vma.end);
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
