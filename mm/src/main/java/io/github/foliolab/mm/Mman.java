package io.github.foliolab.mm;

/** The uapi constants of the system-call layer (asm-generic/mman-common.h, mman.h, x86-64 values). */
public final class Mman {
    private Mman() {}

    /** {@code PROT_NONE} (as the uapi mman headers define it). */
    public static final int PROT_NONE = 0;
    /** {@code PROT_READ} (as the uapi mman headers define it). */
    public static final int PROT_READ = 1;
    /** {@code PROT_WRITE} (as the uapi mman headers define it). */
    public static final int PROT_WRITE = 2;
    /** {@code PROT_EXEC} (as the uapi mman headers define it). */
    public static final int PROT_EXEC = 4;
    /** {@code PROT_SEM} (as the uapi mman headers define it). */
    public static final int PROT_SEM = 8;
    /** {@code PROT_GROWSDOWN} (as the uapi mman headers define it). */
    public static final int PROT_GROWSDOWN = 0x01000000;
    /** {@code PROT_GROWSUP} (as the uapi mman headers define it). */
    public static final int PROT_GROWSUP = 0x02000000;

    /** {@code MAP_SHARED} (as the uapi mman headers define it). */
    public static final int MAP_SHARED = 0x01;
    /** {@code MAP_PRIVATE} (as the uapi mman headers define it). */
    public static final int MAP_PRIVATE = 0x02;
    /** {@code MAP_SHARED_VALIDATE} (as the uapi mman headers define it). */
    public static final int MAP_SHARED_VALIDATE = 0x03;
    /** {@code MAP_TYPE} (as the uapi mman headers define it). */
    public static final int MAP_TYPE = 0x0f;
    /** {@code MAP_FIXED} (as the uapi mman headers define it). */
    public static final int MAP_FIXED = 0x10;
    /** {@code MAP_ANONYMOUS} (as the uapi mman headers define it). */
    public static final int MAP_ANONYMOUS = 0x20;
    /** x86-64 only: below 2 GiB (placement not modelled, the flag is accepted). */
    public static final int MAP_32BIT = 0x40;
    /** x86-64: MAP_ABOVE4G (placement not modelled, the flag is accepted). */
    public static final int MAP_ABOVE4G = 0x80;
    /** {@code MAP_GROWSDOWN} (as the uapi mman headers define it). */
    public static final int MAP_GROWSDOWN = 0x0100;
    /** {@code MAP_DENYWRITE} (as the uapi mman headers define it). */
    public static final int MAP_DENYWRITE = 0x0800;
    /** {@code MAP_EXECUTABLE} (as the uapi mman headers define it). */
    public static final int MAP_EXECUTABLE = 0x1000;
    /** {@code MAP_LOCKED} (as the uapi mman headers define it). */
    public static final int MAP_LOCKED = 0x2000;
    /** {@code MAP_NORESERVE} (as the uapi mman headers define it). */
    public static final int MAP_NORESERVE = 0x4000;
    /** {@code MAP_POPULATE} (as the uapi mman headers define it). */
    public static final int MAP_POPULATE = 0x8000;
    /** {@code MAP_NONBLOCK} (as the uapi mman headers define it). */
    public static final int MAP_NONBLOCK = 0x10000;
    /** {@code MAP_STACK} (as the uapi mman headers define it). */
    public static final int MAP_STACK = 0x20000;
    /** {@code MAP_HUGETLB} (as the uapi mman headers define it). */
    public static final int MAP_HUGETLB = 0x40000;
    /** {@code MAP_SYNC} (as the uapi mman headers define it). */
    public static final int MAP_SYNC = 0x80000;
    /** {@code MAP_FIXED_NOREPLACE} (as the uapi mman headers define it). */
    public static final int MAP_FIXED_NOREPLACE = 0x100000;
    /** {@code MAP_UNINITIALIZED} (as the uapi mman headers define it). */
    public static final int MAP_UNINITIALIZED = 0x4000000;
    /** MAP_DROPPABLE (a map type of anonymous mappings; refused by the model, see {@link Mmap}). */
    public static final int MAP_DROPPABLE = 0x08;
    /** MAP_HUGE_SHIFT: the log2 page size of a MAP_HUGETLB mapping sits in bits 26..31. */
    public static final int MAP_HUGE_SHIFT = 26;
    /** {@code MAP_HUGE_MASK} (as the uapi mman headers define it). */
    public static final int MAP_HUGE_MASK = 0x3f;
    /** {@code MAP_HUGE_2MB} (as the uapi mman headers define it). */
    public static final int MAP_HUGE_2MB = 21 << MAP_HUGE_SHIFT;
    /** {@code MAP_HUGE_1GB} (as the uapi mman headers define it). */
    public static final int MAP_HUGE_1GB = 30 << MAP_HUGE_SHIFT;
    /**
     * LEGACY_MAP_MASK (include/linux/mman.h): the flags a MAP_SHARED_VALIDATE file mapping accepts when
     * the file has no FOP_MMAP_SYNC (tmpfs has none). MAP_SYNC and MAP_FIXED_NOREPLACE are not in it.
     */
    public static final int LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE
            | MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE
            | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB | MAP_32BIT | MAP_ABOVE4G | MAP_HUGE_2MB | MAP_HUGE_1GB;

    /** {@code MADV_NORMAL} (as the uapi mman headers define it). */
    public static final int MADV_NORMAL = 0;
    /** {@code MADV_RANDOM} (as the uapi mman headers define it). */
    public static final int MADV_RANDOM = 1;
    /** {@code MADV_SEQUENTIAL} (as the uapi mman headers define it). */
    public static final int MADV_SEQUENTIAL = 2;
    /** {@code MADV_WILLNEED} (as the uapi mman headers define it). */
    public static final int MADV_WILLNEED = 3;
    /** {@code MADV_DONTNEED} (as the uapi mman headers define it). */
    public static final int MADV_DONTNEED = 4;
    /** {@code MADV_FREE} (as the uapi mman headers define it). */
    public static final int MADV_FREE = 8;
    /** {@code MADV_DONTFORK} (as the uapi mman headers define it). */
    public static final int MADV_DONTFORK = 10;
    /** {@code MADV_DOFORK} (as the uapi mman headers define it). */
    public static final int MADV_DOFORK = 11;
    /** {@code MADV_WIPEONFORK} (as the uapi mman headers define it). */
    public static final int MADV_WIPEONFORK = 18;
    /** {@code MADV_KEEPONFORK} (as the uapi mman headers define it). */
    public static final int MADV_KEEPONFORK = 19;
    /** {@code MADV_HUGEPAGE} (as the uapi mman headers define it). */
    public static final int MADV_HUGEPAGE = 14;
    /** {@code MADV_NOHUGEPAGE} (as the uapi mman headers define it). */
    public static final int MADV_NOHUGEPAGE = 15;
    /** {@code MADV_COLD} (as the uapi mman headers define it). */
    public static final int MADV_COLD = 20;
    /** {@code MADV_PAGEOUT} (as the uapi mman headers define it). */
    public static final int MADV_PAGEOUT = 21;
    /** {@code MADV_POPULATE_READ} (as the uapi mman headers define it). */
    public static final int MADV_POPULATE_READ = 22;
    /** {@code MADV_POPULATE_WRITE} (as the uapi mman headers define it). */
    public static final int MADV_POPULATE_WRITE = 23;
    /** {@code MADV_DONTNEED_LOCKED} (as the uapi mman headers define it). */
    public static final int MADV_DONTNEED_LOCKED = 24;

    /** {@code MLOCK_ONFAULT} (as the uapi mman headers define it). */
    public static final int MLOCK_ONFAULT = 0x01;
    /** {@code MCL_CURRENT} (as the uapi mman headers define it). */
    public static final int MCL_CURRENT = 1;
    /** {@code MCL_FUTURE} (as the uapi mman headers define it). */
    public static final int MCL_FUTURE = 2;
    /** {@code MCL_ONFAULT} (as the uapi mman headers define it). */
    public static final int MCL_ONFAULT = 4;

    /** mmap_min_addr default. */
    public static final long MMAP_MIN_ADDR = 65536;
    /** {@code PAGE_SIZE} (as the uapi mman headers define it). */
    public static final long PAGE_SIZE = 4096;

    /**
     * PAGE_ALIGN() with unsigned wrap-around to 0.
     *
     * @param len the length in bytes
     * @return {@code len} rounded up to a multiple of 4096, or 0 when that wraps
     */
    public static long pageAlign(long len) {
        return (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    }
}
