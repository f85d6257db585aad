package io.github.foliolab.explore.scenarios;

import io.github.foliolab.explore.Checks;
import io.github.foliolab.explore.Explore;
import io.github.foliolab.explore.Scenario;
import io.github.foliolab.explore.Variant;
import io.github.foliolab.explore.World;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.folio.api.sched.SchedOp;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.migrate.Migrate;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.PageTable;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Task;
import io.github.foliolab.mm.Vma;
import io.github.foliolab.mm.VmaOp;

import java.util.ArrayList;
import java.util.List;

import static io.github.foliolab.mm.Mman.*;

/**
 * Race R9, the 2022 thread: mlock() of a range on CPU A while CPU B's migration restores a migrated folio
 * into the same VMA. B's remove_migration_pte maps the new folio F and its rmap add calls
 * mlock_vma_folio() when the VMA is VM_LOCKED; A's mlock_vma_pages_range walk then reaches F's PTE and
 * mlocks it again: mlock_count 2 for one VMA, so munlock leaves F mlocked and unevictable. 7.2's guard:
 * A sets VM_LOCKED together with VM_IO for the walk, and mlock_vma_folio() ignores a VM_SPECIAL VMA. The
 * reachable undercount (B saw VM_IO and A's walk passed before B's PTE existed: F mapped in a VM_LOCKED
 * VMA but not mlocked) is the kernel's accepted outcome: reclaim's folio_referenced() mlocks it later.
 *
 * <p>CPU B runs the library's remove_migration_ptes() (migrate module); CPU A runs mlock_fixup's flag
 * change and mlock_vma_pages_range() for the one-page VMA, written here against the library's
 * primitives (the VMA's flags, the PTE lock, mlock_folio, mlock_drain_local) so that the guard can be
 * taken out. Setup (not explored): F's source was isolated, locked, unmapped by try_to_migrate() and
 * moved by move_to_new_folio(); F is locked, on the inactive LRU, not yet mapped.
 */
public final class MigrationMlock extends Scenario<Boolean> {
    /** Instantiated by ServiceLoader ({@code provides io.github.foliolab.explore.Scenario with ...}). */
    public MigrationMlock() {}

    /** {@code 7.2}: mlock() sets VM_LOCKED|VM_IO for its walk while B runs remove_migration_ptes(); accepted. */
    public static final Variant<Boolean> AS_IS = Variant.asIs("A: mlock() sets VM_LOCKED|VM_IO for its walk; "
            + "B: remove_migration_ptes(old, F)", Variant.Expect.ACCEPTED, Boolean.TRUE);
    /** {@code no-guard}: VM_LOCKED alone for the walk, so B's rmap add and A's walk both mlock F; a violation. */
    public static final Variant<Boolean> NO_GUARD = new Variant<>("no-guard", "A sets VM_LOCKED alone for its walk "
            + "(no VM_IO): B's rmap add and A's walk both mlock F", Variant.Expect.VIOLATION, Boolean.FALSE);

    /**
     * The store to vm_flags, printed with its value. The step's write of the mm's vm_flags is the one
     * {@link Vma#setFlags} declares ({@link VmaOp#VM_FLAGS_WRITE}), which B's rmap add reads ({@link Vma#flags()}
     * declares the read); the point itself names a machine-wide word no other step names, so that it does
     * not depend on every step.
     */
    enum VmFlagsWrite implements SchedOp {
        INSTANCE;

        @Override
        public String kernelName() {
            return "WRITE_ONCE(vma->vm_flags)";
        }

        @Override
        public String callName(long arg) {
            return (arg & VmFlags.VM_IO) != 0 ? "vm_flags = VM_LOCKED|VM_IO" : "vm_flags = VM_LOCKED";
        }

        @Override
        public Subject subject() {
            return Subject.NONE;
        }

        @Override
        public Kind kind() {
            return Kind.WRITE;
        }

        @Override
        public int part(long arg) {
            return SchedOp.word(511);
        }
    }

    @Override
    public String name() {
        return "migration-mlock";
    }

    @Override
    public String summary() {
        return "R9 (2022): remove_migration_pte mlocks F while mlock()'s walk mlocks it again (the VM_IO guard)";
    }

    @Override
    public List<Variant<Boolean>> variants() {
        return List.of(AS_IS, NO_GUARD);
    }

    @Override
    public World build(Variant<Boolean> variant) {
        boolean guard = variant.behaviour();
        return new MlockWorld(LruWorld.newMachine(2)) {
            final Task task = Task.root(machine());
            final MmStruct mm = task.mm();
            final long addr = task.mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
            final Migrate migrate = Migrate.of(machine());
            final Folio old;
            final Folio f;
            final Vma vma;
            final PageTable pt;

            {
                if (task.touch(addr, true) != 0) throw new IllegalStateException("setup fault failed");
                task.lruAddDrain();
                pt = mm.pageTables().lookup(addr);
                old = machine().memMap().pageFolio(Pte.pfn(pt.peek(addr))); // unnamed: B frees it
                mm.mmapLock().downRead();
                vma = mm.vmaLookup(addr);
                mm.mmapLock().upRead();
                List<Folio> list = new ArrayList<>();
                Folio dst = machine().cpu(1).call(() -> {
                    if (!migrate.isolateFolioToList(old, list) || !old.trylock()) {
                        throw new IllegalStateException("setup: cannot isolate and lock the source");
                    }
                    migrate.tryToMigrate(old);
                    Folio d = machine().node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
                    if (d == null || !d.trylock() || migrate.moveToNewFolio(d, old) != 0) {
                        throw new IllegalStateException("setup: move_to_new_folio failed");
                    }
                    swap.folioAddLru(d); // migrate_folio_move: folio_add_lru(dst)
                    swap.lruAddDrain();
                    return d;
                });
                f = name(dst, "F");
            }

            @Override
            public int nrCpus() {
                return 2;
            }

            /** Nothing of its own: the PTE, the VMA's flags and the locks are the mm module's checkpoint. */
            @Override
            protected Runnable saveState() {
                return NO_STATE;
            }

            @Override
            public int heldReferences(Folio folio) {
                // F (the only named folio): the allocation's reference until B drops it, the PTE's after.
                return 1;
            }

            @Override
            protected void run(int cpu) {
                if (cpu == 0) {
                    mlockRange();
                } else {
                    Explore.call("remove_migration_ptes(old, F)", () -> migrate.removeMigrationPtes(old, f));
                    Explore.call("folio_unlock(F)", f::unlock);
                    Explore.call("folio_put(F)", f::put); // the allocation's reference
                    Explore.call("folio_unlock(old)", old::unlock);
                    Explore.call("migrate_folio_done(old)", () -> {
                        vmscan.modIsolated(old, -1);
                        old.put(); // the isolation's reference: frees the old folio
                    });
                }
            }

            /** mlock(2) of the VMA: mlock_fixup's flags, then mlock_vma_pages_range's walk of its one PTE. */
            private void mlockRange() {
                mm.mmapLock().downWrite();
                try {
                    long flags = vma.flags() | VmFlags.VM_LOCKED;
                    writeVmFlags(guard ? flags | VmFlags.VM_IO : flags);
                    pt.ptl().lock(); // mlock_pte_range
                    try {
                        long pte = pt.ptepGet(addr);
                        if (Pte.present(pte) && !Pte.special(pte)) {
                            Folio folio = machine().memMap().pageFolio(Pte.pfn(pte));
                            Explore.call("mlock_folio(F)", () -> mlock.mlockFolio(folio));
                        }
                    } finally {
                        pt.ptl().unlock();
                    }
                    Explore.call("mlock_drain_local()", mlock::mlockDrainLocal); // lru_add_drain() after the walk
                    if (guard) {
                        writeVmFlags(flags);
                    }
                } finally {
                    mm.mmapLock().upWrite();
                }
            }

            /**
             * WRITE_ONCE(vma->vm_flags) as a schedule point of its own: B reads the flags (READ_ONCE in
             * mlock_vma_folio's caller) at any moment of A's mlock, between any two of A's steps.
             */
            private void writeVmFlags(long v) {
                SchedPoints.before(VmFlagsWrite.INSTANCE, 0, v);
                vma.setFlags(v);
            }

            @Override
            protected void check(Checks checks) {
                long fl = f.flags();
                int count = f.mlockCount();
                boolean mlocked = (fl & (1L << PageFlags.PG_mlocked)) != 0;
                checks.require(Pte.present(pt.peek(addr)) && Pte.pfn(pt.peek(addr)) == f.pfn(), "not-mapped",
                        "F is not mapped where the migration entry was");
                checks.require(!mlocked || (fl & (1L << PageFlags.PG_unevictable)) != 0 || count == 0, "mlocked-evictable",
                        "F is mlocked on an evictable list: " + PageFlags.describe(fl));
                // munlock(2) of the VMA (unexplored): VM_LOCKED cleared, then the walk's munlock_folio.
                machine().cpu(0).run(() -> {
                    mm.mmapLock().downWrite();
                    try {
                        vma.setFlags(vma.flags() & ~VmFlags.VM_LOCKED);
                        if (mlocked || count > 0) {
                            mlock.munlockFolio(f);
                        }
                        mlock.mlockDrainLocal();
                    } finally {
                        mm.mmapLock().upWrite();
                    }
                });
                long after = f.flags();
                if ((after & ((1L << PageFlags.PG_mlocked) | (1L << PageFlags.PG_unevictable))) != 0) {
                    checks.violation("double-count", "mlock_count was " + count + " for one VM_LOCKED VMA: after "
                            + "munlock F stays " + PageFlags.describe(after) + " (mlock_count "
                            + f.mlockCount() + ", nr_mlock " + machine().vmstat().zoneSum(ZoneStatItem.NR_MLOCK) + ")");
                } else if (!mlocked) {
                    checks.accepted("undercount", "F was mapped in a VM_LOCKED VMA but not mlocked: B's rmap add "
                            + "saw VM_IO and A's walk passed before B's PTE; reclaim's folio_referenced mlocks it "
                            + "later (the kernel's accepted undercount)");
                }
            }
        };
    }
}
