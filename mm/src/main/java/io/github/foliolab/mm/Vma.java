package io.github.foliolab.mm;

import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.api.sched.SchedPoints;

/**
 * struct vm_area_struct: [start, end) of one mm with its vm_flags, vm_pgoff, vm_file (a shmem
 * {@link AddressSpace} or null for private anonymous memory) and anon_vma.
 *
 * <p>start, end and pgoff change only under the mmap_lock held for writing (and the rmap locks while the
 * VMA is linked, as vma_prepare() takes them); vm_flags is written with WRITE_ONCE semantics (volatile)
 * because rmap walkers read it without the mmap_lock.
 */
public final class Vma {
    private final MmStruct mm;
    long start;
    long end;
    long pgoff;
    private volatile long flags;
    final AddressSpace file;
    volatile AnonVma anonVma;
    /** vma->anon_vma_chain: every anon_vma this VMA is chained to (its own first); under the mmap_lock (write) and the anon_vma lock. */
    final java.util.List<AnonVma> anonVmaChain = new java.util.ArrayList<>();

    Vma(MmStruct mm, long start, long end, long flags, long pgoff, AddressSpace file) {
        this.mm = mm;
        this.start = start;
        this.end = end;
        this.flags = flags;
        this.pgoff = pgoff;
        this.file = file;
    }

    public MmStruct mm() {
        return mm;
    }

    public long start() {
        return start;
    }

    public long end() {
        return end;
    }

    /** vm_flags (READ_ONCE). */
    public long flags() {
        SchedPoints.access(VmaOp.VM_FLAGS_READ, 0, 0);
        return flags;
    }

    /**
     * vm_flags_reset / WRITE_ONCE(vma->vm_flags): caller holds the mmap_lock for writing.
     *
     * @param newFlags the new vm_flags
     */
    public void setFlags(long newFlags) {
        mm.mmapLock().assertWriteLocked();
        SchedPoints.access(VmaOp.VM_FLAGS_WRITE, 0, 0);
        this.flags = newFlags;
    }

    void setFlagsUnchecked(long newFlags) {
        SchedPoints.access(VmaOp.VM_FLAGS_WRITE, 0, 0);
        this.flags = newFlags;
    }

    public long pgoff() {
        return pgoff;
    }

    /** vm_file's mapping, or null. */
    public AddressSpace file() {
        return file;
    }

    public AnonVma anonVma() {
        return anonVma;
    }

    /** {@return a copy of vma->anon_vma_chain: the anon_vmas this VMA is chained to} */
    public java.util.List<AnonVma> anonVmaChain() {
        return java.util.List.copyOf(anonVmaChain);
    }

    /** vma_pages(). */
    public long pages() {
        return (end - start) >>> 12;
    }

    /** vma_is_anonymous(): no vm_ops (anonymous memory: no file and not a device mapping). */
    public boolean isAnonymous() {
        return file == null && (flags & VmFlags.VM_SPECIAL) == 0;
    }

    /** VM_SHARED set (a MAP_SHARED writable-capable mapping). */
    public boolean isShared() {
        return (flags & VmFlags.VM_SHARED) != 0;
    }

    /** vma_is_accessible(): any of VM_READ, VM_WRITE, VM_EXEC. */
    public boolean isAccessible() {
        return (flags & VmFlags.VM_ACCESS_FLAGS) != 0;
    }

    public boolean contains(long addr) {
        return addr >= start && addr < end;
    }

    /**
     * linear_page_index(): the file (or anon) page index of {@code addr}.
     *
     * @param addr a user virtual address (bytes)
     */
    public long linearPageIndex(long addr) {
        return ((addr - start) >>> 12) + pgoff;
    }

    /** vma_address(): the address of page index {@code index} in this VMA, or -1 if outside it. */
    public long addressOf(long index) {
        long a = start + ((index - pgoff) << 12);
        return index >= pgoff && a < end ? a : -1;
    }

    @Override
    public String toString() {
        return String.format("vma[0x%x-0x%x flags 0x%x pgoff 0x%x%s]", start, end, flags, pgoff,
                file != null ? " " + file.name() : "");
    }

    /**
     * Save this VMA's fields (range, pgoff, vm_flags, anon_vma and its chain) for a machine checkpoint
     * ({@link Mm}'s declared state); the returned action puts them back.
     */
    Runnable save() {
        long s = start;
        long e = end;
        long p = pgoff;
        long f = flags;
        AnonVma av = anonVma;
        AnonVma[] chain = anonVmaChain.toArray(AnonVma[]::new);
        return () -> {
            start = s;
            end = e;
            pgoff = p;
            flags = f;
            anonVma = av;
            anonVmaChain.clear();
            anonVmaChain.addAll(java.util.Arrays.asList(chain));
        };
    }
}
