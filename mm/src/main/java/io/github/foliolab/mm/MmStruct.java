package io.github.foliolab.mm;

import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.sync.RwSem;
import io.github.foliolab.folio.sync.SpinLock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * struct mm_struct of one simulated process: its VMAs sorted by address (the maple tree), page tables,
 * mmap_lock, def_flags, locked_vm and total_vm, and the process's RLIMIT_MEMLOCK and CAP_IPC_LOCK.
 *
 * <p>Model difference: the maple tree is a sorted map; one thread per process (no threads sharing an
 * mm, no per-VMA locks), so the mmap_lock alone guards the tree.
 *
 * <p>The VMA tree changes only with {@link #mmapLock()} held for writing and is read with it held for
 * reading or writing. Rmap walkers reach VMAs through their anon_vma / address_space instead.
 */
public final class MmStruct {
    /** TASK_SIZE of x86-64 with 4-level paging. */
    public static final long TASK_SIZE = 0x7ffffffff000L;
    /** The model's deterministic mmap_base (no ASLR). */
    public static final long DEFAULT_MMAP_BASE = 0x7f0000000000L;
    /** The kernel's default RLIMIT_MEMLOCK (8 MiB since 5.16). */
    public static final long DEFAULT_RLIMIT_MEMLOCK = 8L << 20;

    private final Mm ctx;
    private final long id;
    /**
     * mm->mm_id (CONFIG_MM_ID): the id large folios record in their per-mm mapcount slots.
     * Model difference: taken from the machine's id counter and never reused (the kernel's mm_alloc_id
     * hands out the lowest free id of an IDA and frees it in __mmdrop).
     */
    private final int mmId;
    private final RwSem mmapLock;
    /** mm->page_table_lock: serialises anon_vma_prepare() of this mm's VMAs under the read mmap_lock. */
    private final SpinLock pageTableLock;
    private final TreeMap<Long, Vma> vmas = new TreeMap<>();
    private final PageTables pageTables;
    private final long mmapBase;
    /** mm->def_flags: VM_LOCKED / VM_LOCKONFAULT after mlockall(MCL_FUTURE); under mmap_lock (write). */
    long defFlags;
    /** mm->locked_vm in pages; under mmap_lock (write). */
    long lockedVm;
    /** mm->pinned_vm in pages: an atomic64_t, changed without the mmap_lock. */
    private final java.util.concurrent.atomic.AtomicLong pinnedVm = new java.util.concurrent.atomic.AtomicLong();
    /** mm->total_vm in pages; under mmap_lock (write). */
    long totalVm;
    private volatile long rlimitMemlock = DEFAULT_RLIMIT_MEMLOCK;
    private volatile boolean capIpcLock;
    /** CAP_SYS_RAWIO: cap_mmap_addr() lets the process map below mmap_min_addr. */
    private volatile boolean capSysRawio;
    /** MMF_HAS_PINNED: set once a FOLL_PIN GUP has pinned a page of this mm, never cleared. */
    private volatile boolean hasPinned;

    MmStruct(Mm ctx, long mmapBase) {
        this.ctx = ctx;
        this.id = SchedPoints.newObjectId("mm");
        this.mmId = ctx.allocMmId();
        this.mmapLock = new RwSem("mmap_lock#" + (id & 0xffff));
        this.pageTableLock = new SpinLock("page_table_lock#" + (id & 0xffff));
        this.pageTables = new PageTables(id, ctx.machine().vmstat());
        this.mmapBase = mmapBase;
    }

    /**
     * The machine's mm state this address space belongs to.
     *
     * @return the mm state
     */
    public Mm ctx() {
        return ctx;
    }

    /**
     * The schedule-point object id of this mm, as traces print it ({@code mm#N}).
     *
     * @return the object id, unique in the machine
     */
    public long id() {
        return id;
    }

    /** {@return mm->mm_id, at least {@code FolioMmIds.MM_ID_MIN}} */
    public int mmId() {
        return mmId;
    }

    /**
     * mm->mmap_lock: protects the VMA tree, def_flags, locked_vm, total_vm.
     *
     * @return the mmap_lock
     */
    public RwSem mmapLock() {
        return mmapLock;
    }

    /**
     * mm->page_table_lock.
     *
     * @return the page_table_lock
     */
    public SpinLock pageTableLock() {
        return pageTableLock;
    }

    /**
     * The page tables of this address space (pgd and its PTE pages).
     *
     * @return the page tables
     */
    public PageTables pageTables() {
        return pageTables;
    }

    /**
     * mm->mmap_base: where top-down placement of new mappings starts (no randomisation in the model).
     *
     * @return the base, a user virtual address (bytes)
     */
    public long mmapBase() {
        return mmapBase;
    }

    /**
     * mm->def_flags: the VM_* flags every new VMA gets (VM_LOCKED / VM_LOCKONFAULT after mlockall(MCL_FUTURE)).
     *
     * @return the VM_* bits
     */
    public long defFlags() {
        return defFlags;
    }

    /**
     * Set mm->def_flags (mlockall); caller holds the mmap_lock for writing.
     *
     * @param f the new VM_* bits
     */
    public void setDefFlags(long f) {
        mmapLock.assertWriteLocked();
        defFlags = f;
    }

    /**
     * mm->locked_vm in pages.
     *
     * @return the locked pages counted against RLIMIT_MEMLOCK, in pages
     */
    public long lockedVm() {
        return lockedVm;
    }

    /**
     * Add to mm->locked_vm; caller holds the mmap_lock for writing.
     *
     * @param pages the number of pages
     */
    public void addLockedVm(long pages) {
        mmapLock.assertWriteLocked();
        if (lockedVm + pages < 0) {
            throw new VmBugException("locked_vm underflow: " + lockedVm + " + " + pages);
        }
        lockedVm += pages;
    }

    /** {@return mm->pinned_vm in pages: pages pinned long-term by a driver that accounts them (io_uring)} */
    public long pinnedVm() {
        return pinnedVm.get();
    }

    /**
     * Add to mm->pinned_vm (negative to subtract) with an atomic64 add, as io_uring's accounting does.
     *
     * @param pages the number of pages
     */
    public void addPinnedVm(long pages) {
        if (pinnedVm.addAndGet(pages) < 0) { // atomic64_add: relaxed in the kernel; stronger here
            throw new VmBugException("pinned_vm underflow after adding " + pages);
        }
    }

    /**
     * VmPin of /proc/PID/status, in kB.
     *
     * @return the pinned pages, in kB
     */
    public long vmPinKb() {
        return pinnedVm.get() << 2;
    }

    /**
     * VmLck of /proc/PID/status, in kB.
     *
     * @return the locked pages, in kB
     */
    public long vmLckKb() {
        return lockedVm << 2;
    }

    /**
     * mm->total_vm: the size of every VMA together, in pages; under the mmap_lock.
     *
     * @return the mapped size, in pages
     */
    public long totalVm() {
        return totalVm;
    }

    /**
     * rlimit(RLIMIT_MEMLOCK) in bytes (Long.MAX_VALUE = RLIM_INFINITY).
     *
     * @return the limit, in bytes
     */
    public long rlimitMemlock() {
        return rlimitMemlock;
    }

    /**
     * Set RLIMIT_MEMLOCK (setrlimit(2); no hard limit in the model).
     *
     * @param bytes the limit in bytes; Long.MAX_VALUE for RLIM_INFINITY, 0 to forbid mlock without CAP_IPC_LOCK
     */
    public void setRlimitMemlock(long bytes) {
        rlimitMemlock = bytes;
    }

    /**
     * capable(CAP_IPC_LOCK).
     *
     * @return true if the process has CAP_IPC_LOCK (locks ignore RLIMIT_MEMLOCK)
     */
    public boolean capIpcLock() {
        return capIpcLock;
    }

    /**
     * Give or take CAP_IPC_LOCK.
     *
     * @param v true to give the capability
     */
    public void setCapIpcLock(boolean v) {
        capIpcLock = v;
    }

    /**
     * capable(CAP_SYS_RAWIO), as cap_mmap_addr() asks it for addresses below mmap_min_addr.
     *
     * @return true if the process has CAP_SYS_RAWIO
     */
    public boolean capSysRawio() {
        return capSysRawio;
    }

    /**
     * Give or take CAP_SYS_RAWIO.
     *
     * @param v true to give the capability
     */
    public void setCapSysRawio(boolean v) {
        capSysRawio = v;
    }

    /**
     * MMF_HAS_PINNED: some page of this mm was pinned (FOLL_PIN); fork then copies possibly pinned anon pages.
     *
     * @return true once a page of this mm has been pinned
     */
    public boolean hasPinned() {
        return hasPinned;
    }

    /**
     * Set MMF_HAS_PINNED (mm_set_has_pinned_flag, called by pin_user_pages and friends): read first and
     * write only when clear, as the kernel's test_bit before set_bit, so that repeated pins make no
     * shared write.
     */
    public void setHasPinned() {
        if (!hasPinned) {
            hasPinned = true;
        }
    }

    /**
     * can_do_mlock(): RLIMIT_MEMLOCK != 0 or CAP_IPC_LOCK.
     *
     * @return true if the process may mlock at all
     */
    public boolean canDoMlock() {
        return rlimitMemlock != 0 || capIpcLock;
    }

    private void assertLocked() {
        mmapLock.assertLocked();
    }

    /**
     * find_vma(): the first VMA with end > addr, or null. Addresses compare unsigned, as the kernel's
     * unsigned long: one at or above 2^63 lies above every VMA.
     *
     * @param addr a user virtual address (bytes)
     * @return the VMA containing {@code addr} or the first above it, or null
     */
    public Vma findVma(long addr) {
        assertLocked();
        if (addr < 0) {
            return null;
        }
        Map.Entry<Long, Vma> e = vmas.floorEntry(addr);
        if (e != null && e.getValue().end > addr) {
            return e.getValue();
        }
        Map.Entry<Long, Vma> h = vmas.higherEntry(addr);
        return h == null ? null : h.getValue();
    }

    /**
     * vma_lookup(): the VMA containing addr, or null.
     *
     * @param addr a user virtual address (bytes)
     * @return the VMA containing {@code addr}, or null
     */
    public Vma vmaLookup(long addr) {
        assertLocked();
        if (addr < 0) {
            return null; // above every VMA (unsigned)
        }
        Map.Entry<Long, Vma> e = vmas.floorEntry(addr);
        return e != null && e.getValue().end > addr ? e.getValue() : null;
    }

    /**
     * find_vma_intersection(): first VMA intersecting [start, end), or null.
     *
     * @param start the start of the range, a user virtual address (bytes)
     * @param end the end of the range (exclusive), a user virtual address (bytes)
     * @return the lowest VMA intersecting the range, or null
     */
    public Vma findVmaIntersection(long start, long end) {
        Vma v = findVma(start);
        return v != null && Long.compareUnsigned(v.start, end) < 0 ? v : null;
    }

    /**
     * {@return the VMA before {@code vma} in address order, or null (vma_prev)}
     *
     * @param vma the VMA
     */
    public Vma prev(Vma vma) {
        assertLocked();
        Map.Entry<Long, Vma> e = vmas.lowerEntry(vma.start);
        return e == null ? null : e.getValue();
    }

    /**
     * {@return the VMA after {@code vma}, or null (vma_next)}
     *
     * @param vma the VMA
     */
    public Vma next(Vma vma) {
        assertLocked();
        Map.Entry<Long, Vma> e = vmas.higherEntry(vma.start);
        return e == null ? null : e.getValue();
    }

    /**
     * {@return the VMAs intersecting [start, end), in order (for_each_vma_range)}
     *
     * @param start the start of the range, a user virtual address (bytes)
     * @param end the end of the range (exclusive), a user virtual address (bytes)
     */
    public List<Vma> vmasIn(long start, long end) {
        assertLocked();
        List<Vma> out = new ArrayList<>();
        Vma v = findVma(start);
        while (v != null && Long.compareUnsigned(v.start, end) < 0) {
            out.add(v);
            v = next(v);
        }
        return out;
    }

    /** {@return every VMA in address order (a snapshot; caller holds the mmap_lock)} */
    public List<Vma> vmas() {
        assertLocked();
        return new ArrayList<>(vmas.values());
    }

    /**
     * Observers and tests: the VMA list taken under the mmap_lock for reading.
     *
     * @return every VMA in address order (a copy)
     */
    public List<Vma> vmasSnapshot() {
        mmapLock.downRead();
        try {
            return new ArrayList<>(vmas.values());
        } finally {
            mmapLock.upRead();
        }
    }

    void treeInsert(Vma vma) {
        mmapLock.assertWriteLocked();
        Vma prev = vmas.put(vma.start, vma);
        if (prev != null) {
            vmas.put(prev.start, prev);
            throw new VmBugException("VMA overlap inserting " + vma + " over " + prev);
        }
    }

    void treeRemove(Vma vma) {
        mmapLock.assertWriteLocked();
        if (vmas.get(vma.start) != vma) {
            throw new VmBugException("VMA " + vma + " not in the tree");
        }
        vmas.remove(vma.start);
    }

    /** Re-key a VMA whose start changed from {@code oldStart}. */
    void treeRekey(Vma vma, long oldStart) {
        mmapLock.assertWriteLocked();
        if (vmas.get(oldStart) != vma) {
            throw new VmBugException("VMA " + vma + " not in the tree at 0x" + Long.toHexString(oldStart));
        }
        vmas.remove(oldStart);
        vmas.put(vma.start, vma);
    }

    @Override
    public String toString() {
        return "mm#" + (id & 0xffff);
    }

    /**
     * Save this address space (a machine checkpoint, {@link Mm}'s declared state): its VMA tree and every
     * VMA's fields, its page tables, counters, limits, flags and locks. The returned action puts them back;
     * VMAs and page tables made since are forgotten.
     */
    Runnable save() {
        java.util.TreeMap<Long, Vma> tree = new java.util.TreeMap<>(vmas);
        Runnable[] each = tree.values().stream().map(Vma::save).toArray(Runnable[]::new);
        Runnable tables = pageTables.save();
        Runnable locks = io.github.foliolab.folio.Restorable.saveAll(mmapLock, pageTableLock);
        long def = defFlags;
        long locked = lockedVm;
        long pinned = pinnedVm.get();
        long total = totalVm;
        long rlimit = rlimitMemlock;
        boolean ipc = capIpcLock;
        boolean rawio = capSysRawio;
        boolean pinnedFlag = hasPinned;
        return () -> {
            vmas.clear();
            vmas.putAll(tree);
            for (Runnable r : each) r.run();
            tables.run();
            locks.run();
            defFlags = def;
            lockedVm = locked;
            pinnedVm.set(pinned);
            totalVm = total;
            rlimitMemlock = rlimit;
            capIpcLock = ipc;
            capSysRawio = rawio;
            hasPinned = pinnedFlag;
        };
    }
}
