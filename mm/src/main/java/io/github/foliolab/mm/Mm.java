package io.github.foliolab.mm;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.Node;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.lru.Vmscan;

import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The mm module's per-machine state: the anon_vmas and shmem address_spaces that folio->mapping words
 * name, the registered mlock hooks and system calls, and the rmap operations installed for reclaim.
 */
public final class Mm {
    private static final Machine.Key<Mm> KEY = new Machine.Key<>("mm", Mm::new);

    private final Machine machine;
    private final AtomicLong nextId = new AtomicLong(1);
    private final ConcurrentHashMap<Long, AnonVma> anonVmas = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, AddressSpace> files = new ConcurrentHashMap<>();
    private volatile MlockHooks mlockHooks = MlockHooks.NONE;
    private volatile MlockSyscalls mlockSyscalls;
    private final RmapWalk rmapWalk;
    private final Rmap rmap;
    private final Shmem shmem;
    private final Fault fault;
    private final Zap zap;
    private final Gup gup;
    private final VmaModify vmaModify;
    private final Mmap mmap;
    private final Madvise madvise;

    private Mm(Machine machine) {
        this.machine = machine;
        this.rmap = new Rmap(this);
        this.shmem = new Shmem(this);
        this.fault = new Fault(this);
        this.zap = new Zap(this);
        this.gup = new Gup(this);
        this.vmaModify = new VmaModify(this);
        this.mmap = new Mmap(this);
        this.madvise = new Madvise(this);
        this.rmapWalk = new RmapWalk(this);
    }

    /**
     * {@return the machine's mm state (created on first use)} The instance the machine keeps installs the
     * rmap operations for reclaim and attaches the {@link MmExtension}s, once: a racing first use may
     * build a second instance, which is dropped without side effects.
     *
     * @param machine the simulated machine
     */
    public static Mm of(Machine machine) {
        Mm m = machine.state(KEY);
        if (!m.published) {
            m.publish();
        }
        return m;
    }

    /** Guards {@link #publish}; the extensions may call {@link #of} again from the same thread. */
    private boolean publishing;
    private volatile boolean published;

    private synchronized void publish() {
        if (published || publishing) {
            return;
        }
        publishing = true;
        Vmscan.of(machine).setRmapOps(rmapWalk);
        for (MmExtension e : ServiceLoader.load(MmExtension.class, Mm.class.getClassLoader())) {
            e.attach(this);
        }
        published = true;
    }

    public Machine machine() {
        return machine;
    }

    public Node node() {
        return machine.node();
    }

    public MemMap memMap() {
        return machine.memMap();
    }

    public Swap swap() {
        return Swap.of(machine);
    }

    public Vmscan vmscan() {
        return Vmscan.of(machine);
    }

    /** mm/rmap.c's PTE rmap functions. */
    public Rmap rmap() {
        return rmap;
    }

    /** mm/shmem.c. */
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

    /** {@return the GUP slow path and population (mm/gup.c)} */
    public Gup gup() {
        return gup;
    }

    /** VMA splitting, merging and flag changes (mm/vma.c). */
    public VmaModify vmaModify() {
        return vmaModify;
    }

    /** mmap(2), munmap(2), mprotect(2). */
    public Mmap mmap() {
        return mmap;
    }

    /** madvise(2). */
    public Madvise madvise() {
        return madvise;
    }

    public RmapWalk rmapWalk() {
        return rmapWalk;
    }

    public MlockHooks mlockHooks() {
        return mlockHooks;
    }

    /**
     * Register the mlock module's rmap hooks.
     *
     * @param hooks the hooks
     */
    public void setMlockHooks(MlockHooks hooks) {
        this.mlockHooks = hooks == null ? MlockHooks.NONE : hooks;
    }

    public MlockSyscalls mlockSyscalls() {
        return mlockSyscalls;
    }

    /** Register the mlock module's system calls. */
    public void setMlockSyscalls(MlockSyscalls s) {
        this.mlockSyscalls = s;
    }

    /** mm_alloc(): a new, empty address space with the model's mmap_base. */
    public MmStruct newMm() {
        return new MmStruct(this, MmStruct.DEFAULT_MMAP_BASE);
    }

    AnonVma newAnonVma() {
        AnonVma a = new AnonVma(nextId.getAndIncrement());
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
        AddressSpace s = new AddressSpace(nextId.getAndIncrement(), name, sizePages);
        files.put(s.id(), s);
        return s;
    }

    /**
     * folio_anon_vma(): the anon_vma a folio->mapping word names, or null.
     *
     * @param mapping a folio->mapping value (an anon_vma or a file handle)
     */
    public AnonVma anonVmaOf(long mapping) {
        return (mapping & 3L) == 1L ? anonVmas.get(mapping >>> 2) : null;
    }

    /**
     * folio->mapping of a file folio as its address_space, or null.
     *
     * @param mapping a folio->mapping value (an anon_vma or a file handle)
     */
    public AddressSpace fileOf(long mapping) {
        return mapping != 0 && (mapping & 3L) == 0 ? files.get(mapping >>> 2) : null;
    }

    void forgetFile(AddressSpace s) {
        files.remove(s.id());
    }
}
