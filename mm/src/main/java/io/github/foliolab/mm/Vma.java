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

    /** {@return the address space this VMA belongs to (vma->vm_mm)} */
    public MmStruct mm() {
        return mm;
    }

    /** {@return vm_start: the first address of the VMA, page aligned (bytes)} */
    public long start() {
        return start;
    }

    /** {@return vm_end: the first address after the VMA, page aligned (bytes, exclusive)} */
    public long end() {
        return end;
    }

    /**
     * vm_flags (READ_ONCE).
     *
     * @return the VM_* bits ({@code io.github.foliolab.folio.api.VmFlags})
     */
    public long flags() {
        SchedPoints.access(VmaOp.VM_FLAGS_READ, mm.id(), 0);
        return flags;
    }

    /**
     * vm_flags_reset / WRITE_ONCE(vma->vm_flags): caller holds the mmap_lock for writing.
     *
     * @param newFlags the new vm_flags
     */
    public void setFlags(long newFlags) {
        mm.mmapLock().assertWriteLocked();
        SchedPoints.access(VmaOp.VM_FLAGS_WRITE, mm.id(), 0);
        this.flags = newFlags;
    }

    void setFlagsUnchecked(long newFlags) {
        SchedPoints.access(VmaOp.VM_FLAGS_WRITE, mm.id(), 0);
        this.flags = newFlags;
    }

    /** {@return vm_pgoff: the file offset of {@link #start()} in pages (for anon: the page index of the start)} */
    public long pgoff() {
        return pgoff;
    }

    /**
     * vm_file's mapping, or null.
     *
     * @return the file, or null for anonymous and device mappings
     */
    public AddressSpace file() {
        return file;
    }

    /**
     * {@return vma->anon_vma: the anon_vma new anonymous folios of this VMA join, or null before the first anon
     * fault}
     */
    public AnonVma anonVma() {
        return anonVma;
    }

    /** {@return a copy of vma->anon_vma_chain: the anon_vmas this VMA is chained to} */
    public java.util.List<AnonVma> anonVmaChain() {
        return java.util.List.copyOf(anonVmaChain);
    }

    /**
     * vma_pages().
     *
     * @return the VMA's size, in pages
     */
    public long pages() {
        return (end - start) >>> 12;
    }

    /**
     * vma_is_anonymous(): no vm_ops (anonymous memory: no file and not a device mapping).
     *
     * @return true if the VMA maps anonymous memory
     */
    public boolean isAnonymous() {
        return file == null && (flags & VmFlags.VM_SPECIAL) == 0;
    }

    /**
     * VM_SHARED set (a MAP_SHARED writable-capable mapping).
     *
     * @return true if VM_SHARED is set
     */
    public boolean isShared() {
        return (flags & VmFlags.VM_SHARED) != 0;
    }

    /**
     * vma_is_accessible(): any of VM_READ, VM_WRITE, VM_EXEC.
     *
     * @return true if the VMA can be accessed at all (not PROT_NONE)
     */
    public boolean isAccessible() {
        return (flags & VmFlags.VM_ACCESS_FLAGS) != 0;
    }

    /**
     * {@return whether {@code start() <= addr < end()}}
     *
     * @param addr a user virtual address (bytes)
     */
    public boolean contains(long addr) {
        return addr >= start && addr < end;
    }

    /**
     * linear_page_index(): the file (or anon) page index of {@code addr}.
     *
     * @param addr a user virtual address (bytes)
     * @return the page index, in pages: {@code (addr - start) / 4096 + pgoff}
     */
    public long linearPageIndex(long addr) {
        return ((addr - start) >>> 12) + pgoff;
    }

    /**
     * vma_address(): the address of page index {@code index} in this VMA, or -1 if outside it.
     *
     * @param index a page index in the file (or the anon linear index)
     * @return the user virtual address (bytes) of that page in this VMA, or -1 if the VMA does not map it
     */
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
