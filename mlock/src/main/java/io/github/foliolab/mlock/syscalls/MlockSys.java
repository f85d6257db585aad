package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.mlock.Mlock;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MlockSyscalls;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.PageTable;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Vma;

import static io.github.foliolab.mm.Mman.MCL_CURRENT;
import static io.github.foliolab.mm.Mman.MCL_FUTURE;
import static io.github.foliolab.mm.Mman.MCL_ONFAULT;
import static io.github.foliolab.mm.Mman.MLOCK_ONFAULT;

/**
 * The mlock family of system calls of mm/mlock.c: do_mlock (RLIMIT_MEMLOCK / CAP_IPC_LOCK,
 * count_mm_mlocked_page_nr, __mlock_posix_error_return), apply_vma_lock_flags, mlock_fixup with
 * vma_modify_flags and locked_vm accounting, mlock_vma_pages_range (VM_IO set during the walk so that
 * rmap's mlock_vma_folio does not count twice, lru_add_drain before and after), mlock_pte_range with
 * allow_mlock_munlock / folio_within_range for large folios, mlockall / munlockall
 * (apply_mlockall_flags, def_flags).
 */
public final class MlockSys implements MlockSyscalls {
    private final Mm ctx;
    /** The folio half of mm/mlock.c (mlock_folio, munlock_folio, mlock_drain_local). */
    private final Mlock folios;

    private MlockSys(Mm ctx) {
        this.ctx = ctx;
        this.folios = ctx.mlock();
    }

    /** Provide the machine's mlock system calls to mm; called by the mlock module at build. */
    static void attach(Machine.Assembly a) {
        a.provide(MlockSyscalls.class, new MlockSys(Mm.of(a.machine())));
    }

    /** mlock(2): do_mlock with VM_LOCKED; {@code start} and {@code len} in bytes; 0 or -errno. */
    @Override
    public int mlock(MmStruct mm, long start, long len) {
        return doMlock(mm, start, len, VmFlags.VM_LOCKED);
    }

    /** mlock2(2): as mlock(2), with MLOCK_ONFAULT adding VM_LOCKONFAULT; other flag bits: -EINVAL. */
    @Override
    public int mlock2(MmStruct mm, long start, long len, int flags) {
        if ((flags & ~MLOCK_ONFAULT) != 0) return -Errno.EINVAL;
        long vmFlags = VmFlags.VM_LOCKED;
        if ((flags & MLOCK_ONFAULT) != 0) vmFlags |= VmFlags.VM_LOCKONFAULT;
        return doMlock(mm, start, len, vmFlags);
    }

    /** PAGE_ALIGN(len + offset_in_page(start)) with the unsigned wrap of the kernel. */
    private static long alignLen(long start, long len) {
        return (len + (start & 0xfff) + 0xfff) & ~0xfffL;
    }

    /** do_mlock(). */
    private int doMlock(MmStruct mm, long start, long len, long flags) {
        if (!mm.canDoMlock()) return -Errno.EPERM;
        len = alignLen(start, len);
        start &= ~0xfffL;
        long lockLimit = mm.rlimitMemlock() >>> 12;
        long locked = len >>> 12;
        int error = -Errno.ENOMEM;
        mm.mmapLock().downWrite();
        try {
            locked += mm.lockedVm();
            if (Long.compareUnsigned(locked, lockLimit) > 0 && !mm.capIpcLock()) {
                locked -= countMmMlockedPageNr(mm, start, len);
            }
            if (Long.compareUnsigned(locked, lockLimit) <= 0 || mm.capIpcLock()) {
                error = applyVmaLockFlags(mm, start, len, flags);
            }
        } finally {
            mm.mmapLock().upWrite();
        }
        if (error != 0) return error;
        error = ctx.gup().mmPopulate(mm, start, len, false);
        if (error != 0) return posixErrorReturn(error);
        return 0;
    }

    /** __mlock_posix_error_return(). */
    private static int posixErrorReturn(int retval) {
        if (retval == -Errno.EFAULT) return -Errno.ENOMEM;
        if (retval == -Errno.ENOMEM) return -Errno.EAGAIN;
        return retval;
    }

    /** count_mm_mlocked_page_nr(). */
    private static long countMmMlockedPageNr(MmStruct mm, long start, long len) {
        long end = Long.compareUnsigned(-1L - len, start) < 0 ? -1L : start + len;
        long count = 0;
        for (Vma vma : mm.vmasIn(start, end)) {
            if ((vma.flags() & VmFlags.VM_LOCKED) != 0) {
                if (start > vma.start()) count -= start - vma.start();
                if (Long.compareUnsigned(end, vma.end()) < 0) {
                    count += end - vma.start();
                    break;
                }
                count += vma.end() - vma.start();
            }
        }
        return count >>> 12;
    }

    /** munlock(2): clear VM_LOCKED / VM_LOCKONFAULT over the page-aligned range; 0, -EINVAL or -ENOMEM. */
    @Override
    public int munlock(MmStruct mm, long start, long len) {
        len = alignLen(start, len);
        start &= ~0xfffL;
        mm.mmapLock().downWrite();
        try {
            return applyVmaLockFlags(mm, start, len, 0);
        } finally {
            mm.mmapLock().upWrite();
        }
    }

    /** apply_vma_lock_flags(): mlock_fixup every VMA of the range; -ENOMEM at a hole. */
    private int applyVmaLockFlags(MmStruct mm, long start, long len, long flags) {
        long end = start + len;
        if (Long.compareUnsigned(end, start) < 0) return -Errno.EINVAL;
        if (end == start) return 0;
        Vma vma = mm.vmaLookup(start);
        if (vma == null) return -Errno.ENOMEM;
        long nstart = start;
        long tmp = vma.start();
        while (vma != null && Long.compareUnsigned(vma.start(), end) < 0) {
            if (vma.start() != tmp) return -Errno.ENOMEM;
            long newFlags = (vma.flags() & ~VmFlags.VM_LOCKED_MASK) | flags;
            tmp = Long.compareUnsigned(vma.end(), end) < 0 ? vma.end() : end; // unsigned: end may be >= 2^63
            Vma done = mlockFixup(mm, vma, nstart, tmp, newFlags);
            tmp = done.end();
            nstart = tmp;
            vma = mm.findVma(tmp);
        }
        if (Long.compareUnsigned(tmp, end) < 0) return -Errno.ENOMEM;
        return 0;
    }

    /** vma_supports_mlock(): not VM_SPECIAL, not hugetlb (no gate VMA, DAX, secretmem or droppable here). */
    private static boolean vmaSupportsMlock(Vma vma) {
        return (vma.flags() & (VmFlags.VM_SPECIAL | VmFlags.VM_HUGETLB)) == 0;
    }

    /** mlock_fixup(): returns the VMA now covering the range (for the caller's iteration). */
    private Vma mlockFixup(MmStruct mm, Vma vma, long start, long end, long newFlags) {
        long oldFlags = vma.flags();
        if (newFlags == oldFlags || !vmaSupportsMlock(vma)) {
            return vma;
        }
        long nrPages = (end - start) >>> 12;
        if ((newFlags & VmFlags.VM_LOCKED) == 0) {
            nrPages = -nrPages;
        } else if ((oldFlags & VmFlags.VM_LOCKED) != 0) {
            nrPages = 0;
        }
        if (mm.lockedVm() + nrPages < 0) { // a broken invariant: report it before changing anything
            throw new io.github.foliolab.folio.api.VmBugException("locked_vm " + mm.lockedVm() + " would underflow unlocking "
                    + -nrPages + " pages of " + vma);
        }
        vma = ctx.vmaModify().modifyFlags(vma, start, end, newFlags);
        mm.addLockedVm(nrPages);
        if ((newFlags & VmFlags.VM_LOCKED) != 0 && (oldFlags & VmFlags.VM_LOCKED) != 0) {
            vma.setFlags(newFlags); // no work: mlocking twice would be wrong
        } else {
            mlockVmaPagesRange(vma, start, end, newFlags);
        }
        return vma;
    }

    /** mlock_vma_pages_range(). */
    private void mlockVmaPagesRange(Vma vma, long start, long end, long newFlags) {
        if ((newFlags & VmFlags.VM_LOCKED) != 0) {
            newFlags |= VmFlags.VM_IO; // rmap's mlock_vma_folio must not count these pages again
        }
        vma.setFlags(newFlags); // WRITE_ONCE: walkers see VM_IO whenever they see VM_LOCKED
        ctx.swap().lruAddDrain();
        if ((newFlags & VmFlags.VM_LOCKED) == 0 && folios.rules().drainAllBeforeMunlockWalk()) {
            // Candidate fix (MlockRules): no mlock entry of an earlier fault may still wait on another CPU.
            ctx.swap().lruAddDrainAll();
        }
        walkPageRange(vma, start, end);
        ctx.swap().lruAddDrain();
        if ((newFlags & VmFlags.VM_IO) != 0) {
            vma.setFlags(newFlags & ~VmFlags.VM_IO);
        }
    }

    private void walkPageRange(Vma vma, long start, long end) {
        long addr = start;
        while (addr < end) {
            long tableEnd = Math.min(end, (addr & ~((1L << PageTable.PMD_SHIFT) - 1)) + (1L << PageTable.PMD_SHIFT));
            PageTable pt = vma.mm().pageTables().lookup(addr);
            if (pt != null) {
                mlockPteRange(vma, pt, addr, tableEnd);
            }
            addr = tableEnd;
        }
    }

    /** mlock_pte_range(): mlock_folio / munlock_folio every mapped folio the rule allows. */
    private void mlockPteRange(Vma vma, PageTable pt, long start, long end) {
        MemMap memMap = ctx.memMap();
        boolean locked = (vma.flags() & VmFlags.VM_LOCKED) != 0;
        pt.ptl().lock();
        try {
            long addr = start;
            while (addr < end) {
                long pte = pt.ptepGet(addr);
                if (!Pte.present(pte) || Pte.special(pte)) { // vm_normal_folio(): not the zero page
                    addr += 4096;
                    continue;
                }
                long pfn = Pte.pfn(pte);
                Folio folio = memMap.pageFolio(pfn);
                int step = folioMlockStep(pt, folio, pfn, addr, end);
                if (allowMlockMunlock(folio, vma, start, end, step)) {
                    if (locked) {
                        folios.mlockFolio(folio);
                    } else {
                        folios.munlockFolio(folio);
                    }
                }
                addr += (long) step << 12;
            }
        } finally {
            pt.ptl().unlock();
        }
    }

    /** folio_mlock_step(): PTEs in a row that map consecutive pages of {@code folio} (1 for small). */
    private static int folioMlockStep(PageTable pt, Folio folio, long pfn, long addr, long end) {
        if (!folio.isLarge()) return 1;
        long folioEnd = folio.pfn() + folio.nrPages();
        int max = (int) Math.min((end - addr) >>> 12, folioEnd - pfn);
        int n = 1;
        while (n < max) {
            long next = pt.ptepGet(addr + ((long) n << 12));
            if (!Pte.present(next) || Pte.pfn(next) != pfn + n) break;
            n++;
        }
        return n;
    }

    /**
     * allow_mlock_munlock(). With the candidate rule {@link io.github.foliolab.mlock.MlockRules#mlockOnlyMappedWhole}
     * false, a large folio within the range is mlocked even when the PTE run maps only part of it.
     */
    private boolean allowMlockMunlock(Folio folio, Vma vma, long start, long end, int step) {
        if ((vma.flags() & VmFlags.VM_LOCKED) == 0) return true; // always munlock
        if (!folio.isLarge()) return true;
        if (!folioWithinRange(folio, vma, start, end)) return false;
        return step == folio.nrPages() || !folios.rules().mlockOnlyMappedWhole();
    }

    /**
     * folio_within_range() (mm/internal.h): {@code [start, end)} is clamped to the VMA; false when
     * {@code start > end} or the folio's first page index (folio_pgoff) is outside the VMA's pages;
     * otherwise the folio's linear address {@code addr} must not lie below {@code start} and
     * {@code end - addr}, computed as the kernel's unsigned long, must be at least folio_size. As in the
     * kernel, an {@code addr} beyond {@code end} wraps that difference and passes; mlock_pte_range never
     * asks about such a folio (it found the folio through a PTE inside the range).
     */
    static boolean folioWithinRange(Folio folio, Vma vma, long start, long end) {
        if (Long.compareUnsigned(start, end) > 0) return false;
        if (Long.compareUnsigned(start, vma.start()) < 0) start = vma.start();
        if (Long.compareUnsigned(end, vma.end()) > 0) end = vma.end();
        long pgoff = folio.index();
        long vmaPages = (vma.end() - vma.start()) >>> 12;
        // in_range(pgoff, vm_pgoff, vma_pages): unsigned pgoff - vm_pgoff < vma_pages
        if (Long.compareUnsigned(pgoff - vma.pgoff(), vmaPages) >= 0) return false;
        long addr = vma.start() + ((pgoff - vma.pgoff()) << 12);
        long size = folio.nrPages() << 12;
        return !(Long.compareUnsigned(addr, start) < 0 || Long.compareUnsigned(end - addr, size) < 0);
    }

    /** mlockall(2): MCL_CURRENT / MCL_FUTURE / MCL_ONFAULT; 0, -EINVAL, -EPERM or -ENOMEM. */
    @Override
    public int mlockall(MmStruct mm, int flags) {
        if (flags == 0 || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) != 0 || flags == MCL_ONFAULT) {
            return -Errno.EINVAL;
        }
        if (!mm.canDoMlock()) return -Errno.EPERM;
        long lockLimit = mm.rlimitMemlock() >>> 12;
        int ret = -Errno.ENOMEM;
        mm.mmapLock().downWrite();
        try {
            if ((flags & MCL_CURRENT) == 0 || Long.compareUnsigned(mm.totalVm(), lockLimit) <= 0 || mm.capIpcLock()) {
                ret = applyMlockallFlags(mm, flags);
            }
        } finally {
            mm.mmapLock().upWrite();
        }
        if (ret == 0 && (flags & MCL_CURRENT) != 0) {
            ctx.gup().mmPopulate(mm, 0, MmStruct.TASK_SIZE, true);
        }
        return ret;
    }

    /** munlockall(2): unlock every VMA and clear mm->def_flags' lock bits; always 0. */
    @Override
    public int munlockall(MmStruct mm) {
        mm.mmapLock().downWrite();
        try {
            return applyMlockallFlags(mm, 0);
        } finally {
            mm.mmapLock().upWrite();
        }
    }

    /** apply_mlockall_flags(). */
    private int applyMlockallFlags(MmStruct mm, int flags) {
        long def = mm.defFlags() & ~VmFlags.VM_LOCKED_MASK;
        if ((flags & MCL_FUTURE) != 0) {
            def |= VmFlags.VM_LOCKED;
            if ((flags & MCL_ONFAULT) != 0) def |= VmFlags.VM_LOCKONFAULT;
        }
        mm.setDefFlags(def);
        if ((flags & MCL_FUTURE) != 0 && (flags & MCL_CURRENT) == 0) return 0;
        long toAdd = 0;
        if ((flags & MCL_CURRENT) != 0) {
            toAdd |= VmFlags.VM_LOCKED;
            if ((flags & MCL_ONFAULT) != 0) toAdd |= VmFlags.VM_LOCKONFAULT;
        }
        Vma vma = mm.findVma(0);
        while (vma != null) {
            long newFlags = (vma.flags() & ~VmFlags.VM_LOCKED_MASK) | toAdd;
            Vma done = mlockFixup(mm, vma, vma.start(), vma.end(), newFlags);
            vma = mm.findVma(done.end());
        }
        return 0;
    }
}
