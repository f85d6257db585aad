package io.github.foliolab.folio.api;

/**
 * vm_flags bits of Linux 7.2 (include/linux/mm.h, {@code DECLARE_VMA_BIT}), with the kernel's values, so
 * that modules below mm (lru, mlock) can test a VMA's flags without depending on the mm module.
 */
public final class VmFlags {
    private VmFlags() {}

    /** {@code VM_NONE} (include/linux/mm.h). */
    public static final long VM_NONE = 0;
    /** {@code VM_READ} (include/linux/mm.h). */
    public static final long VM_READ = 1L << 0;
    /** {@code VM_WRITE} (include/linux/mm.h). */
    public static final long VM_WRITE = 1L << 1;
    /** {@code VM_EXEC} (include/linux/mm.h). */
    public static final long VM_EXEC = 1L << 2;
    /** {@code VM_SHARED} (include/linux/mm.h). */
    public static final long VM_SHARED = 1L << 3;
    /** {@code VM_MAYREAD} (include/linux/mm.h). */
    public static final long VM_MAYREAD = 1L << 4;
    /** {@code VM_MAYWRITE} (include/linux/mm.h). */
    public static final long VM_MAYWRITE = 1L << 5;
    /** {@code VM_MAYEXEC} (include/linux/mm.h). */
    public static final long VM_MAYEXEC = 1L << 6;
    /** {@code VM_MAYSHARE} (include/linux/mm.h). */
    public static final long VM_MAYSHARE = 1L << 7;
    /** {@code VM_GROWSDOWN} (include/linux/mm.h). */
    public static final long VM_GROWSDOWN = 1L << 8;
    /** {@code VM_PFNMAP} (include/linux/mm.h). */
    public static final long VM_PFNMAP = 1L << 10;
    /** {@code VM_LOCKED} (include/linux/mm.h). */
    public static final long VM_LOCKED = 1L << 13;
    /** {@code VM_IO} (include/linux/mm.h). */
    public static final long VM_IO = 1L << 14;
    /** {@code VM_SEQ_READ} (include/linux/mm.h). */
    public static final long VM_SEQ_READ = 1L << 15;
    /** {@code VM_RAND_READ} (include/linux/mm.h). */
    public static final long VM_RAND_READ = 1L << 16;
    /** {@code VM_DONTCOPY} (include/linux/mm.h). */
    public static final long VM_DONTCOPY = 1L << 17;
    /** {@code VM_DONTEXPAND} (include/linux/mm.h). */
    public static final long VM_DONTEXPAND = 1L << 18;
    /** {@code VM_LOCKONFAULT} (include/linux/mm.h). */
    public static final long VM_LOCKONFAULT = 1L << 19;
    /** {@code VM_ACCOUNT} (include/linux/mm.h). */
    public static final long VM_ACCOUNT = 1L << 20;
    /** {@code VM_NORESERVE} (include/linux/mm.h). */
    public static final long VM_NORESERVE = 1L << 21;
    /** {@code VM_HUGETLB} (include/linux/mm.h). */
    public static final long VM_HUGETLB = 1L << 22;
    /** {@code VM_MIXEDMAP} (include/linux/mm.h). */
    public static final long VM_MIXEDMAP = 1L << 28;
    /** {@code VM_WIPEONFORK} (include/linux/mm.h): the child of fork gets this range empty (MADV_WIPEONFORK). */
    public static final long VM_WIPEONFORK = 1L << 25;
    /** {@code VM_HUGEPAGE} (include/linux/mm.h). */
    public static final long VM_HUGEPAGE = 1L << 29;
    /** {@code VM_NOHUGEPAGE} (include/linux/mm.h). */
    public static final long VM_NOHUGEPAGE = 1L << 30;

    /** VM_SPECIAL: VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP. */
    public static final long VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;
    /** VM_LOCKED_MASK: VM_LOCKED | VM_LOCKONFAULT. */
    public static final long VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;
    /** VM_ACCESS_FLAGS. */
    public static final long VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
}
