package io.github.foliolab.mm;

import io.github.foliolab.folio.api.VmFlags;

import java.util.List;

import static io.github.foliolab.mm.Mman.*;

/**
 * mmap(2), munmap(2) and mprotect(2): do_mmap / mmap_region with top-down placement from mmap_base and
 * merging with neighbours, do_vmi_munmap, do_mprotect_pkey / mprotect_fixup, with the kernel's argument
 * checks and errnos. A call rejected by its argument checks changes nothing.
 *
 * <p>Model difference: mmap_base is fixed (no ASLR) and no stack guard gap is kept; there is no
 * map_count limit and no RLIMIT_AS / RLIMIT_DATA (may_expand_vm); VM_ACCOUNT is set and kept as the
 * kernel does (it takes part in VMA merging) but the overcommit check never fails; a MAP_FIXED address
 * below mmap_min_addr is -EPERM unless the process has CAP_SYS_RAWIO (cap_mmap_addr; no LSM
 * minimum); MAP_32BIT / MAP_ABOVE4G are accepted without their placement rule, and
 * anonymous mappings of 2 MiB multiples are not THP-aligned (thp_get_unmapped_area); no huge pages
 * (see {@link #mmap}).
 */
public final class Mmap {
    private final Mm ctx;

    Mmap(Mm ctx) {
        this.ctx = ctx;
    }

    /** calc_vm_prot_bits(). */
    static long protBits(int prot) {
        long f = 0;
        if ((prot & PROT_READ) != 0) f |= VmFlags.VM_READ;
        if ((prot & PROT_WRITE) != 0) f |= VmFlags.VM_WRITE;
        if ((prot & PROT_EXEC) != 0) f |= VmFlags.VM_EXEC;
        return f;
    }

    /** mlock_future_ok(). */
    static boolean mlockFutureOk(MmStruct mm, long vmFlags, long bytes) {
        if ((vmFlags & VmFlags.VM_LOCKED) == 0 || mm.capIpcLock()) return true;
        long locked = (bytes >>> 12) + mm.lockedVm;
        long limit = mm.rlimitMemlock() >>> 12;
        return Long.compareUnsigned(locked, limit) <= 0;
    }

    /** get_unmapped_area(): top-down search below mmap_base, or the hint if it is free. */
    private long unmappedArea(MmStruct mm, long addr, long len) {
        if (Long.compareUnsigned(len, MmStruct.TASK_SIZE - MMAP_MIN_ADDR) > 0) return -Errno.ENOMEM;
        if (addr != 0) {
            addr = Mman.pageAlign(addr);
            if (addr >= MMAP_MIN_ADDR && MmStruct.TASK_SIZE - len >= addr && mm.findVmaIntersection(addr, addr + len) == null) {
                return addr;
            }
        }
        long high = Math.min(mm.mmapBase(), MmStruct.TASK_SIZE);
        long gapEnd = high;
        List<Vma> all = mm.vmas();
        for (int i = all.size() - 1; i >= 0; i--) {
            Vma v = all.get(i);
            if (v.start >= gapEnd) continue;
            if (v.end <= gapEnd && gapEnd - v.end >= len) return gapEnd - len;
            gapEnd = Math.min(gapEnd, v.start);
        }
        if (gapEnd - MMAP_MIN_ADDR >= len) return gapEnd - len;
        return bottomUpArea(all, len);
    }

    /** TASK_UNMAPPED_BASE (mmap_legacy_base without randomisation): PAGE_ALIGN(TASK_SIZE / 3). */
    static final long TASK_UNMAPPED_BASE = Mman.pageAlign(MmStruct.TASK_SIZE / 3);

    /**
     * arch_get_unmapped_area_topdown()'s fallback when nothing fits below mmap_base: the bottom-up
     * search of arch_get_unmapped_area() from mmap_legacy_base up to TASK_SIZE.
     */
    private static long bottomUpArea(List<Vma> all, long len) {
        long gapStart = TASK_UNMAPPED_BASE;
        for (Vma v : all) {
            if (v.end <= gapStart) continue;
            if (v.start >= gapStart && v.start - gapStart >= len) return gapStart;
            gapStart = Math.max(gapStart, v.end);
        }
        if (MmStruct.TASK_SIZE - gapStart >= len) return gapStart;
        return -Errno.ENOMEM;
    }

    /**
     * mmap(2) (x86-64 sys_mmap -> ksys_mmap_pgoff -> vm_mmap_pgoff -> do_mmap): returns the address or
     * -errno. {@code file} is a tmpfs file for file mappings, null with MAP_ANONYMOUS. Population
     * (MAP_POPULATE, VM_LOCKED) runs after the mmap_lock is dropped and its errors are ignored, as
     * mm_populate() does. The checks run in the kernel's order, so that a call breaking two rules gets
     * the errno the kernel gives.
     *
     * <p>Model difference: there are no huge pages (nr_hugepages = 0 and, as on QEMU's default CPU, no
     * 1 GiB hstate): an anonymous MAP_HUGETLB mapping fails with -ENOMEM where the kernel's hugetlb
     * reservation fails, also with MAP_NORESERVE (where the kernel would map it and fault SIGBUS later);
     * MAP_DROPPABLE (VM_DROPPABLE) is refused with -EINVAL.
     *
     * @param mm the calling process's address space
     * @param addr the hint, or with MAP_FIXED / MAP_FIXED_NOREPLACE the address, page aligned (bytes)
     * @param len the length in bytes, rounded up to whole pages
     * @param prot the PROT_* bits ({@link Mman})
     * @param flags MAP_SHARED, MAP_SHARED_VALIDATE or MAP_PRIVATE, with the other MAP_* bits ({@link Mman})
     * @param file a tmpfs file for a file mapping; null with MAP_ANONYMOUS
     * @param offset the file offset in bytes, page aligned
     * @return the mapping's address (bytes), or -errno: -EINVAL, -ENOMEM, -EPERM, -EEXIST, -EACCES, -EBADF,
     *         -EOPNOTSUPP, -EOVERFLOW, -EAGAIN (a lock over RLIMIT_MEMLOCK)
     */
    public long mmap(MmStruct mm, long addr, long len, int prot, int flags, AddressSpace file, long offset) {
        if ((offset & 0xfff) != 0) return -Errno.EINVAL; // sys_mmap: off & ~PAGE_MASK
        long pgoff = offset >>> 12;
        boolean hugetlb = false;
        if ((flags & MAP_ANONYMOUS) == 0) {
            if (file == null) return -Errno.EBADF; // fget() of a bad fd
            if ((flags & MAP_HUGETLB) != 0) return -Errno.EINVAL; // not a hugetlbfs file
        } else {
            file = null;
            if ((flags & MAP_HUGETLB) != 0) {
                int sizeLog = (flags >>> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;
                if (sizeLog != 0 && sizeLog != 21) return -Errno.EINVAL; // hstate_sizelog(): only 2 MiB
                long huge = 2L << 20;
                len = (len + huge - 1) & -huge; // ALIGN(len, huge_page_size)
                hugetlb = true;
            }
        }
        mm.mmapLock().downWrite();
        long ret;
        long populate;
        try {
            long[] pop = new long[1];
            ret = doMmap(mm, addr, len, prot, flags, file, pgoff, hugetlb, pop);
            populate = pop[0];
        } finally {
            mm.mmapLock().upWrite();
        }
        releaseFiles(mm); // MAP_FIXED may have unmapped the last mapping of an anonymous shmem file
        if (ret >= 0 && populate > 0) {
            ctx.gup().mmPopulate(mm, ret, populate, true);
        }
        return ret;
    }

    /** calc_vm_flag_bits(): MAP_GROWSDOWN, MAP_LOCKED, MAP_STACK (VM_NOHUGEPAGE with THP built in). */
    static long mapFlagBits(int flags) {
        long f = 0;
        if ((flags & MAP_GROWSDOWN) != 0) f |= VmFlags.VM_GROWSDOWN;
        if ((flags & MAP_LOCKED) != 0) f |= VmFlags.VM_LOCKED;
        if ((flags & MAP_STACK) != 0) f |= VmFlags.VM_NOHUGEPAGE;
        return f;
    }

    /** round_hint_to_min(). */
    private static long roundHintToMin(long hint) {
        hint &= ~0xfffL;
        return hint != 0 && Long.compareUnsigned(hint, MMAP_MIN_ADDR) < 0 ? MMAP_MIN_ADDR : hint;
    }

    /** do_mmap() with the mmap_lock held for writing. */
    private long doMmap(MmStruct mm, long addr, long len, int prot, int flags, AddressSpace file, long pgoff,
                        boolean hugetlb, long[] populate) {
        if (len == 0) return -Errno.EINVAL;
        if ((flags & MAP_FIXED_NOREPLACE) != 0) flags |= MAP_FIXED;
        if ((flags & MAP_FIXED) == 0) addr = roundHintToMin(addr);
        long alen = Mman.pageAlign(len);
        if (alen == 0) return -Errno.ENOMEM; // PAGE_ALIGN overflowed
        len = alen;
        if (pgoff + (len >>> 12) < pgoff) return -Errno.EOVERFLOW; // offset overflow (unsigned)
        long vmFlags = protBits(prot) | mapFlagBits(flags) | mm.defFlags
                | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC;
        // __get_unmapped_area().
        if (Long.compareUnsigned(len, MmStruct.TASK_SIZE) > 0) return -Errno.ENOMEM;
        long where;
        if ((flags & MAP_FIXED) != 0) {
            where = addr;
        } else {
            where = unmappedArea(mm, addr, len);
            if (where < 0) return where;
        }
        if (Long.compareUnsigned(where, MmStruct.TASK_SIZE - len) > 0) return -Errno.ENOMEM;
        if ((where & 0xfff) != 0) return -Errno.EINVAL;
        if (Long.compareUnsigned(where, MMAP_MIN_ADDR) < 0 && !mm.capSysRawio()) {
            return -Errno.EPERM; // security_mmap_addr -> cap_mmap_addr
        }
        if ((flags & MAP_FIXED_NOREPLACE) != 0 && mm.findVmaIntersection(where, where + len) != null) {
            return -Errno.EEXIST;
        }
        if ((flags & MAP_LOCKED) != 0 && !mm.canDoMlock()) return -Errno.EPERM;
        if (!mlockFutureOk(mm, vmFlags, len)) return -Errno.EAGAIN;
        int type = flags & MAP_TYPE;
        if (file != null || hugetlb) {
            // file_mmap_ok(): a regular file's offsets stop at MAX_LFS_FILESIZE.
            if (Long.compareUnsigned(pgoff, (Long.MAX_VALUE - len) >>> 12) > 0) return -Errno.EOVERFLOW;
            switch (type) {
                case MAP_SHARED, MAP_SHARED_VALIDATE -> {
                    if (type == MAP_SHARED) flags &= LEGACY_MAP_MASK; // unknown flags silently ignored
                    if ((flags & ~LEGACY_MAP_MASK) != 0) return -Errno.EOPNOTSUPP; // tmpfs: no MAP_SYNC
                    vmFlags |= VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE; // the file is open read-write
                    if ((vmFlags & VmFlags.VM_GROWSDOWN) != 0) return -Errno.EINVAL;
                }
                case MAP_PRIVATE -> {
                    if ((vmFlags & VmFlags.VM_GROWSDOWN) != 0) return -Errno.EINVAL;
                }
                default -> {
                    return -Errno.EINVAL;
                }
            }
        } else {
            switch (type) {
                case MAP_SHARED -> {
                    if ((vmFlags & VmFlags.VM_GROWSDOWN) != 0) return -Errno.EINVAL;
                    pgoff = 0;
                    vmFlags |= VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE;
                }
                case MAP_PRIVATE -> pgoff = where >>> 12;
                default -> {
                    // MAP_SHARED_VALIDATE is no map type of anonymous memory; MAP_DROPPABLE is not modelled.
                    return -Errno.EINVAL;
                }
            }
        }
        if ((flags & MAP_NORESERVE) != 0) vmFlags |= VmFlags.VM_NORESERVE; // overcommit is not "never"
        if (hugetlb) return -Errno.ENOMEM; // hugetlb_reserve_pages() with an empty pool
        mmapRegion(mm, file, where, len, vmFlags, pgoff, (flags & MAP_FIXED) != 0);
        if ((vmFlags & VmFlags.VM_LOCKED) != 0 || (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE) {
            populate[0] = len;
        }
        return where;
    }

    /** accountable_mapping(): a private writable mapping is charged to the commit (VM_ACCOUNT). */
    static boolean accountableMapping(long vmFlags) {
        return (vmFlags & (VmFlags.VM_NORESERVE | VmFlags.VM_SHARED | VmFlags.VM_WRITE)) == VmFlags.VM_WRITE;
    }

    /** mmap_region(): replace whatever is mapped at [addr, addr+len) (MAP_FIXED), merge or create. */
    private void mmapRegion(MmStruct mm, AddressSpace file, long addr, long len, long vmFlags, long pgoff, boolean fixed) {
        if (fixed) {
            doVmiMunmap(mm, addr, len);
        }
        if (accountableMapping(vmFlags)) {
            vmFlags |= VmFlags.VM_ACCOUNT; // security_vm_enough_memory_mm() never fails in the model
        }
        long end = addr + len;
        boolean anonShared = file == null && (vmFlags & VmFlags.VM_SHARED) != 0;
        Vma vma = null;
        if (!anonShared) {
            vma = ctx.vmaModify().mergeNewRange(mm, addr, end, vmFlags, file, pgoff);
        }
        if (vma == null) {
            if (anonShared) {
                file = ctx.newShmemFile("dev/zero", len >>> 12); // shmem_zero_setup()
                file.setAnonymous(true);
            }
            vma = new Vma(mm, addr, end, vmFlags, pgoff, file);
            ctx.vmaModify().link(vma);
        }
        // __mmap_complete(): VM_LOCKED on a special VMA is dropped; otherwise accounted in locked_vm.
        long pages = len >>> 12;
        if ((vmFlags & VmFlags.VM_LOCKED) != 0) {
            if ((vmFlags & VmFlags.VM_SPECIAL) != 0 || (vmFlags & VmFlags.VM_HUGETLB) != 0) {
                vma.setFlags(vma.flags() & ~VmFlags.VM_LOCKED_MASK);
            } else {
                mm.lockedVm += pages;
            }
        }
        mm.totalVm += pages;
    }

    /**
     * {@return a driver's mmap of a device (the VMA remap_pfn_range / vm_insert_page leave): private
     * anonymous placement, no backing memory, with {@code specialFlags} (VM_IO, VM_PFNMAP, VM_DONTEXPAND,
     * VM_MIXEDMAP) set} MAP_LOCKED / def_flags lock bits are dropped as __mmap_complete() drops them for
     * VM_SPECIAL VMAs. Faults on it get SIGBUS (the model's device has no ->fault). Returns the address or
     * -errno.
     *
     * @param mm the address space (mm_struct)
     * @param len the length in bytes
     * @param prot the PROT_* bits
     * @param specialFlags the VM_SPECIAL bits
     */
    public long mmapSpecial(MmStruct mm, long len, int prot, long specialFlags) {
        if ((specialFlags & ~VmFlags.VM_SPECIAL) != 0 || specialFlags == 0) return -Errno.EINVAL;
        if (len == 0) return -Errno.EINVAL;
        long alen = Mman.pageAlign(len);
        if (alen == 0) return -Errno.ENOMEM;
        mm.mmapLock().downWrite();
        try {
            long where = unmappedArea(mm, 0, alen);
            if (where < 0) return where;
            long vmFlags = protBits(prot) | mm.defFlags | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE
                    | VmFlags.VM_MAYEXEC | VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE | specialFlags;
            vmFlags &= ~VmFlags.VM_LOCKED_MASK; // __mmap_complete(): never VM_LOCKED, never counted
            Vma vma = new Vma(mm, where, where + alen, vmFlags, 0, null);
            ctx.vmaModify().link(vma);
            mm.totalVm += alen >>> 12;
            return where;
        } finally {
            mm.mmapLock().upWrite();
        }
    }

    /**
     * munmap(2).
     *
     * @param mm the address space (mm_struct)
     * @param start the start of the range, a user virtual address (bytes)
     * @param len the length in bytes
     * @return 0, or -EINVAL (unaligned start, zero length, or a range beyond TASK_SIZE)
     */
    public int munmap(MmStruct mm, long start, long len) {
        if ((start & 0xfff) != 0 || Long.compareUnsigned(start, MmStruct.TASK_SIZE) > 0
                || Long.compareUnsigned(len, MmStruct.TASK_SIZE - start) > 0) {
            return -Errno.EINVAL;
        }
        long alen = Mman.pageAlign(len);
        if (alen == 0) return -Errno.EINVAL;
        mm.mmapLock().downWrite();
        try {
            doVmiMunmap(mm, start, alen);
        } finally {
            mm.mmapLock().upWrite();
        }
        releaseFiles(mm);
        return 0;
    }

    private final java.util.ArrayDeque<AddressSpace> toRelease = new java.util.ArrayDeque<>();

    /**
     * do_vmi_align_munmap(): split at the boundaries, zap the pages (no lru_add_drain in 7.2), reduce
     * locked_vm and total_vm, and remove the VMAs; a shmem file left without mappings is released
     * after the mmap_lock is dropped (the deferred fput).
     */
    void doVmiMunmap(MmStruct mm, long start, long len) {
        long end = start + len;
        List<Vma> in = mm.vmasIn(start, end);
        if (in.isEmpty()) return;
        Vma first = in.get(0);
        if (first.start < start) {
            Vma upper = ctx.vmaModify().split(first, start);
            in.set(0, upper);
        }
        Vma last = in.get(in.size() - 1);
        if (last.end > end) {
            ctx.vmaModify().split(last, end);
        }
        long locked = 0;
        long pages = 0;
        for (Vma v : in) {
            pages += v.pages();
            if ((v.flags() & VmFlags.VM_LOCKED) != 0) locked += v.pages();
        }
        // vms_clear_ptes(): unmap_vmas with one mmu_gather, then tlb_finish_mmu.
        MmuGather tlb = MmuGather.gather(ctx);
        for (Vma v : in) {
            ctx.zap().zapRange(tlb, v, v.start, v.end);
        }
        tlb.finish();
        mm.lockedVm -= locked;
        mm.totalVm -= pages;
        for (Vma v : in) {
            ctx.vmaModify().unlink(v);
            releaseIfUnmapped(v);
        }
    }

    /** Queue the anonymous shmem file of an unlinked VMA for release if no VMA maps it any more. */
    void releaseIfUnmapped(Vma v) {
        if (v.file != null && v.file.isAnonymous() && v.file.mapCount() == 0) {
            synchronized (toRelease) {
                toRelease.add(v.file);
            }
        }
    }

    /** The deferred fput() of anonymous shmem files that lost their last mapping: truncate them. */
    void releaseFiles(MmStruct mm) {
        while (true) {
            AddressSpace f;
            synchronized (toRelease) {
                f = toRelease.poll();
            }
            if (f == null) return;
            ctx.shmem().truncateAll(f);
        }
    }

    /**
     * mprotect(2) (do_mprotect_pkey without pkeys), with its checks in the kernel's order:
     * PROT_GROWSDOWN|PROT_GROWSUP, alignment, zero length, wrap, unknown bits, then the VMA walk.
     * PROT_GROWSDOWN extends the range down to the start of a VM_GROWSDOWN VMA; x86-64 has no
     * VM_GROWSUP, so PROT_GROWSUP is -EINVAL once a VMA covers the start.
     *
     * @param mm the address space (mm_struct)
     * @param start the start of the range, a user virtual address (bytes)
     * @param len the length in bytes
     * @param prot the PROT_* bits
     * @return 0, or -errno: -EINVAL (bad alignment or bits), -ENOMEM (a hole in the range), -EACCES (a PROT_* bit
     *         the VMA's VM_MAY* bits forbid, such as PROT_WRITE on a shared mapping of a read-only file)
     */
    public int mprotect(MmStruct mm, long start, long len, int prot) {
        int grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
        prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
        if (grows == (PROT_GROWSDOWN | PROT_GROWSUP)) return -Errno.EINVAL; // can't be both
        if ((start & 0xfff) != 0) return -Errno.EINVAL;
        if (len == 0) return 0;
        long alen = Mman.pageAlign(len);
        long end = start + alen;
        if (Long.compareUnsigned(end, start) <= 0) return -Errno.ENOMEM;
        if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM)) != 0) return -Errno.EINVAL; // arch_validate_prot
        mm.mmapLock().downWrite();
        try {
            Vma vma = mm.findVmaIntersection(start, end); // vma_find(&vmi, end)
            if (vma == null) return -Errno.ENOMEM;
            // Addresses compare unsigned, as the kernel's unsigned long: end may lie at or above 2^63.
            if ((grows & PROT_GROWSDOWN) != 0) {
                if (Long.compareUnsigned(vma.start, end) >= 0) return -Errno.ENOMEM;
                start = vma.start;
                if ((vma.flags() & VmFlags.VM_GROWSDOWN) == 0) return -Errno.EINVAL;
            } else {
                if (vma.start > start) return -Errno.ENOMEM;
                if ((grows & PROT_GROWSUP) != 0) return -Errno.EINVAL; // no VM_GROWSUP on x86-64
            }
            long nstart = start;
            long tmp = vma.start;
            int error = 0;
            Vma v = vma;
            while (v != null && Long.compareUnsigned(v.start, end) < 0) {
                if (v.start != tmp) {
                    error = -Errno.ENOMEM;
                    break;
                }
                long newFlags = protBits(prot) | (v.flags() & ~VmFlags.VM_ACCESS_FLAGS);
                if ((newFlags & ~(newFlags >>> 4) & VmFlags.VM_ACCESS_FLAGS) != 0) {
                    error = -Errno.EACCES;
                    break;
                }
                Vma done = mprotectFixup(v, nstart, Long.compareUnsigned(v.end, end) < 0 ? v.end : end, newFlags);
                tmp = done.end;
                nstart = tmp;
                v = mm.findVma(tmp);
            }
            if (error == 0 && Long.compareUnsigned(tmp, end) < 0) error = -Errno.ENOMEM;
            return error;
        } finally {
            mm.mmapLock().upWrite();
        }
    }

    /** mprotect_fixup(): change the flags and the PTEs; a locked private VMA made writable is populated. */
    private Vma mprotectFixup(Vma vma, long start, long end, long newFlags) {
        long oldFlags = vma.flags();
        if (newFlags == oldFlags) {
            return vma;
        }
        // A private mapping made writable is charged (VM_ACCOUNT); the charge is dropped again only
        // for an anonymous VMA that never got an anon_vma.
        if ((newFlags & VmFlags.VM_WRITE) != 0) {
            if ((oldFlags & (VmFlags.VM_ACCOUNT | VmFlags.VM_WRITE | VmFlags.VM_HUGETLB | VmFlags.VM_SHARED
                    | VmFlags.VM_NORESERVE)) == 0) {
                newFlags |= VmFlags.VM_ACCOUNT;
            }
        } else if ((oldFlags & VmFlags.VM_ACCOUNT) != 0 && vma.isAnonymous() && vma.anonVma == null) {
            newFlags &= ~VmFlags.VM_ACCOUNT;
        }
        Vma v = ctx.vmaModify().modifyFlags(vma, start, end, newFlags);
        changeProtection(v, start, end, newFlags);
        if ((oldFlags & (VmFlags.VM_WRITE | VmFlags.VM_SHARED | VmFlags.VM_LOCKED)) == VmFlags.VM_LOCKED
                && (newFlags & VmFlags.VM_WRITE) != 0) {
            ctx.gup().populateVmaPageRange(v, start, end);
        }
        return v;
    }

    /**
     * change_protection(): write-protect the PTEs of [start, end) when VM_WRITE goes away.
     * Model difference: PTEs are never made writable here (the kernel may, for exclusive anon and
     * shared pages); the next write fault does it through do_wp_page's reuse path instead.
     */
    private void changeProtection(Vma vma, long start, long end, long newFlags) {
        if ((newFlags & VmFlags.VM_WRITE) != 0) return;
        for (long a = start; a < end; a += 4096) {
            PageTable pt = vma.mm().pageTables().lookup(a);
            if (pt == null) {
                a = PageTables.pmdBase(a) + (1L << PageTable.PMD_SHIFT) - 4096;
                continue;
            }
            pt.ptl().lock();
            try {
                long pte = pt.ptepGet(a);
                if (Pte.present(pte) && Pte.write(pte)) {
                    pt.modifyProt(a, Pte.wrprotect(pte));
                }
            } finally {
                pt.ptl().unlock();
            }
        }
    }
}
