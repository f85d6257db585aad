package io.github.foliolab.mm;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.Node;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.lru.HugeMemoryOps;
import io.github.foliolab.lru.RmapOps;
import io.github.foliolab.lru.Vmscan;
import io.github.foliolab.mlock.Mlock;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The mm module's per-machine state: the anon_vmas and shmem address_spaces that folio->mapping words
 * name, the registered mlock hooks and system calls, and the rmap operations installed for reclaim.
 */
public final class Mm {
    private static final Machine.Key<Mm> KEY = new Machine.Key<>("mm");

    private final Machine machine;
    private final AtomicLong nextId = new AtomicLong(1);
    /** The next mm->mm_id (mm_alloc_id); saved and restored with machine checkpoints. */
    private final java.util.concurrent.atomic.AtomicInteger nextMmId = new java.util.concurrent.atomic.AtomicInteger(1);
    private final ConcurrentHashMap<Long, AnonVma> anonVmas = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, AddressSpace> files = new ConcurrentHashMap<>();
    /** The mlock family of system calls: this module's upward call, provided by the mlock module. */
    private final Machine.Link<MlockSyscalls> mlockSyscalls;
    /** move_pages(2) / migrate_pages(2) and migration_entry_wait(): provided by the migrate module. */
    private final Machine.Link<MigrateSyscalls> migrateSyscalls;
    private final Machine.Link<MigrationEntryWait> migrationEntryWait;
    private final Mlock mlock;
    private final RmapWalk rmapWalk;
    private final Rmap rmap;
    private final Shmem shmem;
    private final Fault fault;
    private final Zap zap;
    /** Population (mm/gup.c): this module's upward call, provided by the gup module. */
    private final Machine.Link<GupOps> gup;
    private final VmaModify vmaModify;
    private final Mmap mmap;
    private final Madvise madvise;
    private final Fork fork;
    private final ExitMmap exitMmap;
    /** The address spaces made by {@link #newMm} and not yet torn down by exit_mmap. */
    private final java.util.Set<MmStruct> liveMms = ConcurrentHashMap.newKeySet();
    private final Thp thp;

    private Mm(Machine.Assembly a) {
        this.machine = a.machine();
        this.mlock = Mlock.of(machine);
        this.mlockSyscalls = a.link(MlockSyscalls.class, MlockSyscalls.ENOSYS);
        this.migrateSyscalls = a.link(MigrateSyscalls.class, MigrateSyscalls.ENOSYS);
        this.migrationEntryWait = a.link(MigrationEntryWait.class, MigrationEntryWait.NONE);
        this.rmap = new Rmap(this);
        this.shmem = new Shmem(this);
        this.fault = new Fault(this);
        this.zap = new Zap(this);
        this.gup = a.link(GupOps.class, GupOps.ABSENT);
        this.vmaModify = new VmaModify(this);
        this.mmap = new Mmap(this);
        this.madvise = new Madvise(this);
        this.fork = new Fork(this);
        this.exitMmap = new ExitMmap(this);
        this.rmapWalk = new RmapWalk(this);
        this.thp = new Thp(this);
    }

    /**
     * The machine's mm state.
     *
     * @param machine a built machine with the mm module attached
     * @return the machine's one mm state
     * @throws IllegalStateException if the mm module is not attached to the machine
     */
    public static Mm of(Machine machine) {
        return machine.state(KEY);
    }

    /**
     * Create the machine's mm state and provide reclaim's calls up into rmap ({@link RmapOps}); called
     * by the mm module while the machine is built.
     */
    static Mm attach(Machine.Assembly a) {
        Mm m = new Mm(a);
        a.put(KEY, m);
        a.provide(RmapOps.class, m.rmapWalk);
        a.provide(HugeMemoryOps.class, m.thp);
        a.restorable(m::save);
        return m;
    }

    /** {@return the machine this mm state belongs to} */
    public Machine machine() {
        return machine;
    }

    /** {@return node 0 of the machine (the only node of a one-node machine)} */
    public Node node() {
        return machine.node();
    }

    /** {@return the machine's memmap (every node's page descriptors)} */
    public MemMap memMap() {
        return machine.memMap();
    }

    /** {@return mm/swap.c's state of the lru module (folio batches, lru_add_drain)} */
    public Swap swap() {
        return Swap.of(machine);
    }

    /** {@return the LRU half of mm/vmscan.c (isolation, putback, reclaim) of the lru module} */
    public Vmscan vmscan() {
        return Vmscan.of(machine);
    }

    /**
     * mm/rmap.c's PTE rmap functions.
     *
     * @return the PTE rmap functions
     */
    public Rmap rmap() {
        return rmap;
    }

    /**
     * mm/shmem.c.
     *
     * @return the tmpfs / shmem state
     */
    public Shmem shmem() {
        return shmem;
    }

    /** {@return the fault paths of mm/memory.c} */
    public Fault fault() {
        return fault;
    }

    /** {@return the unmap (zap) paths of mm/memory.c} */
    public Zap zap() {
        return zap;
    }

    /** {@return population through the GUP slow path (mm/gup.c), provided by the gup module} */
    public GupOps gup() {
        return gup.get();
    }

    /**
     * VMA splitting, merging and flag changes (mm/vma.c).
     *
     * @return the VMA operations
     */
    public VmaModify vmaModify() {
        return vmaModify;
    }

    /**
     * The implementation of mmap(2), munmap(2) and mprotect(2).
     *
     * @return the mmap(2), munmap(2) and mprotect(2) implementation
     */
    public Mmap mmap() {
        return mmap;
    }

    /**
     * The implementation of madvise(2).
     *
     * @return the madvise(2) implementation
     */
    public Madvise madvise() {
        return madvise;
    }

    /** {@return fork()'s dup_mm / dup_mmap (kernel/fork.c, mm/mmap.c)} */
    public Fork fork() {
        return fork;
    }

    /** {@return exit_mmap (mm/mmap.c)} */
    public ExitMmap exitMmap() {
        return exitMmap;
    }

    /** {@return the address spaces not yet torn down (a snapshot; for invariant checks and tools)} */
    public java.util.List<MmStruct> liveMms() {
        return java.util.List.copyOf(liveMms);
    }

    void forgetMm(MmStruct mm) {
        liveMms.remove(mm);
    }

    /** {@return the large-folio state: mTHP controls and statistics, deferred split, split (mm/huge_memory.c)} */
    public Thp thp() {
        return thp;
    }

    /** {@return rmap_walk() and its users folio_referenced() and try_to_unmap() (mm/rmap.c)} */
    public RmapWalk rmapWalk() {
        return rmapWalk;
    }

    /**
     * The folio half of mm/mlock.c (mlock_vma_folio, munlock_vma_folio, mlock_drain_local).
     *
     * @return the folio half of mlock of the lru module
     */
    public Mlock mlock() {
        return mlock;
    }

    /**
     * The mlock system calls ({@link MlockSyscalls#ENOSYS} when the mlock module is not installed).
     *
     * @return the mlock module's system calls, or the -ENOSYS fallback
     */
    public MlockSyscalls mlockSyscalls() {
        return mlockSyscalls.get();
    }

    /**
     * The page-migration system calls ({@link MigrateSyscalls#ENOSYS} without the migrate module).
     *
     * @return the migrate module's system calls, or the -ENOSYS fallback
     */
    public MigrateSyscalls migrateSyscalls() {
        return migrateSyscalls.get();
    }

    /**
     * migration_entry_wait() ({@link MigrationEntryWait#NONE} without the migrate module).
     *
     * @return the migrate module's wait, or the fallback that returns at once
     */
    public MigrationEntryWait migrationEntryWait() {
        return migrationEntryWait.get();
    }

    /**
     * mm_alloc(): a new, empty address space with the model's mmap_base.
     *
     * @return a new address space with no VMA and RLIMIT_MEMLOCK at its 8 MiB default
     */
    public MmStruct newMm() {
        MmStruct mm = machine.withObjectIds(() -> new MmStruct(this, MmStruct.DEFAULT_MMAP_BASE));
        liveMms.add(mm);
        return mm;
    }

    /** mm_alloc_id(): a new mm id, from the machine's id counter (at least MM_ID_MIN = 1). */
    int allocMmId() {
        int id = nextMmId.getAndIncrement();
        if (id > io.github.foliolab.folio.FolioMmIds.MM_ID_MASK || id < 1) {
            throw new IllegalStateException("mm ids exhausted: " + id);
        }
        return id;
    }

    AnonVma newAnonVma() {
        AnonVma a = new AnonVma(nextId.getAndIncrement());
        anonVmas.put(a.id(), a);
        return a;
    }

    /** anon_vma_alloc() for anon_vma_fork(): a child of {@code parent} in its hierarchy. */
    AnonVma newAnonVma(AnonVma parent) {
        AnonVma a = new AnonVma(nextId.getAndIncrement(), parent);
        anonVmas.put(a.id(), a);
        return a;
    }

    /**
     * {@return a new tmpfs file of {@code sizePages} pages (shmem_file_setup / open+ftruncate on tmpfs)}
     *
     * @param name the name
     * @param sizePages the size in pages
     */
    public AddressSpace newShmemFile(String name, long sizePages) {
        AddressSpace s = machine.withObjectIds(() -> new AddressSpace(nextId.getAndIncrement(), name, sizePages));
        files.put(s.id(), s);
        return s;
    }

    /**
     * folio_anon_vma(): the anon_vma a folio->mapping word names, or null.
     *
     * @param mapping a folio->mapping value (an anon_vma or a file handle)
     * @return the anon_vma, or null when {@code mapping} is not an anon mapping or names no live anon_vma
     */
    public AnonVma anonVmaOf(long mapping) {
        return (mapping & 3L) == 1L ? anonVmas.get(mapping >>> 2) : null;
    }

    /**
     * folio->mapping of a file folio as its address_space, or null.
     *
     * @param mapping a folio->mapping value (an anon_vma or a file handle)
     * @return the file, or null when {@code mapping} is 0, anon, or names no live file
     */
    public AddressSpace fileOf(long mapping) {
        return mapping != 0 && (mapping & 3L) == 0 ? files.get(mapping >>> 2) : null;
    }

    void forgetFile(AddressSpace s) {
        files.remove(s.id());
    }

    /**
     * Save the mm state (a machine checkpoint): the id counter, the registries of anon_vmas and files and
     * each one's state, and every live address space ({@link MmStruct}: its VMAs, page tables, counters and
     * locks), and the deferred split queues. The restore forgets what was made since (a forked child's mm,
     * its VMAs and anon_vmas); the {@link Task} objects that hold address spaces are the caller's. Not
     * covered: the THP sysfs settings and mTHP statistics (set up before a checkpoint, not changed by the
     * explored steps of any scenario).
     */
    private Runnable save() {
        long id = nextId.get();
        int mmId = nextMmId.get();
        java.util.Map<Long, AnonVma> anon = java.util.Map.copyOf(anonVmas);
        java.util.Map<Long, AddressSpace> f = java.util.Map.copyOf(files);
        java.util.Set<MmStruct> mms = java.util.Set.copyOf(liveMms);
        java.util.List<Runnable> parts = new java.util.ArrayList<>();
        anon.values().forEach(a -> parts.add(a.save()));
        f.values().forEach(s -> parts.add(s.save()));
        mms.forEach(m -> parts.add(m.save()));
        parts.add(thp.deferredSplit().save());
        return () -> {
            nextId.set(id);
            nextMmId.set(mmId);
            anonVmas.clear();
            anonVmas.putAll(anon);
            files.clear();
            files.putAll(f);
            liveMms.clear();
            liveMms.addAll(mms);
            for (Runnable r : parts) r.run();
        };
    }
}
