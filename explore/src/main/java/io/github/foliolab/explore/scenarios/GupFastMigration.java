package io.github.foliolab.explore.scenarios;

import io.github.foliolab.explore.Checks;
import io.github.foliolab.explore.Explore;
import io.github.foliolab.explore.Scenario;
import io.github.foliolab.explore.Variant;
import io.github.foliolab.explore.World;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.Restorable;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.gup.Foll;
import io.github.foliolab.gup.Gup;
import io.github.foliolab.migrate.Migrate;
import io.github.foliolab.migrate.MigrateMode;
import io.github.foliolab.migrate.MigrateReason;
import io.github.foliolab.migrate.MigrateRefCheck;
import io.github.foliolab.mm.AddressSpace;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.PageTable;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Task;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static io.github.foliolab.mm.Mman.*;

/**
 * The 2021 thread: GUP-fast's lockless PTE read and speculative reference against migration's refcount
 * check and freeze, and the proposal to read the count before migration takes the i_pages lock. CPU A
 * runs get_user_pages_fast_only() on the address (the gup module's lockless walk: ptep_get_lockless,
 * try_grab_folio_fast, the PTE re-check and the drop) and puts what it got; CPU B migrates the folio F
 * mapped there with the migrate module's migrate_pages() (MIGRATE_ASYNC, as compaction: unmap by
 * try_to_migrate, then up to ten tries of move_to_new_folio with the count check and the freeze, then
 * remove_migration_ptes), and puts it back if it did not move.
 *
 * <p>Setup (not explored): a one-page shmem file (or, for {@code anon-7.2}, an anonymous page) mapped
 * shared at one address, written once so the PTE maps F, drained to the LRU; F isolated by CPU B; the
 * destination N allocated.
 *
 * <p>End checks, after every CPU's LRU batches are drained:
 * <ul>
 *   <li>violation {@code stale-folio}: A's GUP-fast returned F and, when A let it go, F's migration to N had
 *       completed (A held a reference to a folio the page cache and the PTE no longer hold);</li>
 *   <li>violation {@code pte}: the PTE does not map exactly one live folio, F or N, the one the page cache
 *       holds (shmem), and the other one is not free;</li>
 *   <li>violation {@code refcount}: the mapped folio's count is not back at its baseline (the page cache's
 *       and the PTE's references), or it is not on an LRU.</li>
 * </ul>
 *
 * <p>Variants: which step of migration checks the count ({@link Migrate#REF_CHECK}), whether GUP-fast
 * re-checks the PTE ({@link Gup#FAST_PTE_RECHECK}), and shmem or anon.
 */
public final class GupFastMigration extends Scenario<GupFastMigration.Code> {
    /** Instantiated by ServiceLoader ({@code provides io.github.foliolab.explore.Scenario with ...}). */
    public GupFastMigration() {}

    /**
     * What a variant runs.
     *
     * @param refCheck where migration reads and whether it freezes the count
     * @param recheck  whether GUP-fast re-reads the PTE after its reference
     * @param anon     an anonymous folio instead of a shmem page-cache folio
     */
    public record Code(MigrateRefCheck refCheck, boolean recheck, boolean anon) {
        /**
         * Checks that {@code refCheck} is not null.
         *
         * @param refCheck where migration reads and whether it freezes the count
         * @param recheck whether GUP-fast re-reads the PTE after its reference
         * @param anon an anonymous folio instead of a shmem page-cache folio
         * @throws NullPointerException if {@code refCheck} is null
         */
        public Code {
            Objects.requireNonNull(refCheck, "refCheck");
        }
    }

    /**
     * {@code 7.2}: shmem F; migration reads the count before the i_pages lock and freezes it under the lock,
     * GUP-fast re-checks its PTE; clean.
     */
    public static final Variant<Code> AS_IS = Variant.asIs("shmem F; B: migrate_folio reads the count before the "
            + "i_pages lock (the 2021 proposal's order), folio_ref_freeze under it; A: GUP-fast with its PTE re-check",
            Variant.Expect.CLEAN, new Code(MigrateRefCheck.V7_2, true, false));
    /**
     * {@code check-under-xa-lock}: the count read under the i_pages lock, then frozen (the order before the 2021
     * proposal); clean.
     */
    public static final Variant<Code> UNDER_XA_LOCK = new Variant<>("check-under-xa-lock", "the order before the "
            + "proposal: the count read under the i_pages lock, then the freeze", Variant.Expect.CLEAN,
            new Code(MigrateRefCheck.UNDER_XA_LOCK, true, false));
    /**
     * {@code no-freeze}: the count read under the i_pages lock and never frozen, GUP-fast's re-check alone guards
     * it; clean.
     */
    public static final Variant<Code> NO_FREEZE = new Variant<>("no-freeze", "the count read under the i_pages lock "
            + "and never frozen: GUP-fast's re-check alone guards it", Variant.Expect.CLEAN,
            new Code(MigrateRefCheck.NO_FREEZE, true, false));
    /**
     * {@code no-pte-recheck}: 7.2's migration against a GUP-fast without its PTE re-check (broken on purpose); a
     * violation.
     */
    public static final Variant<Code> NO_PTE_RECHECK = new Variant<>("no-pte-recheck", "7.2's migration, GUP-fast "
            + "without its PTE re-check (broken on purpose)", Variant.Expect.VIOLATION,
            new Code(MigrateRefCheck.V7_2, false, false));
    /** {@code anon-7.2}: an anonymous F, whose small-folio migration freezes nothing; clean. */
    public static final Variant<Code> ANON = new Variant<>("anon-7.2", "an anonymous F: 7.2 reads the count and "
            + "freezes nothing for a small anon folio", Variant.Expect.CLEAN, new Code(MigrateRefCheck.V7_2, true, true));

    @Override
    public String name() {
        return "gup-fast-migration";
    }

    @Override
    public String summary() {
        return "2021: GUP-fast's speculative reference vs migration's count check and freeze (check before the i_pages lock)";
    }

    @Override
    public List<Variant<Code>> variants() {
        return List.of(AS_IS, UNDER_XA_LOCK, NO_FREEZE, NO_PTE_RECHECK, ANON);
    }

    /**
     * GUP-fast is short and the race needs one preemption of B by A (A reads the PTE, B migrates, A takes
     * its reference); bound 2 adds the schedules where A runs between B's count read and its freeze.
     */
    @Override
    public int racesBound() {
        return 2;
    }

    @Override
    public World build(Variant<Code> variant) {
        return new MigrationWorld(variant.behaviour());
    }

    /** A two-CPU machine of 512 pages with the variant's migration and GUP-fast (see {@link LruWorld#newMachine}). */
    static Machine machineWith(Code code) {
        return LruWorld.machineBuilder(2)
                .with(Migrate.REF_CHECK, code.refCheck())
                .with(Gup.FAST_PTE_RECHECK, code.recheck())
                .build();
    }

    /** One machine: F mapped at {@code addr} and isolated, N allocated. */
    static final class MigrationWorld extends LruWorld {
        final Task task;
        final MmStruct mm;
        final AddressSpace file;
        final long addr;
        final PageTable pt;
        final Folio f;
        final Folio n;
        final Gup gup;
        final Migrate migrate;
        final MemMap memMap;
        final List<Folio> list = new ArrayList<>();
        /** True when A let go of F after F's migration had completed. */
        boolean heldAfterCommit;

        MigrationWorld(Code code) {
            super(machineWith(code));
            this.task = Task.root(machine());
            this.mm = task.mm();
            this.gup = Gup.of(machine());
            this.migrate = Migrate.of(machine());
            this.memMap = machine().memMap();
            if (code.anon()) {
                file = null;
                addr = task.mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
            } else {
                file = Mm.of(machine()).newShmemFile("file", 1);
                addr = task.mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
            }
            if (task.touch(addr, true) != 0) throw new IllegalStateException("setup fault failed");
            task.lruAddDrain();
            pt = mm.pageTables().lookup(addr);
            f = name(memMap.folio(Pte.pfn(pt.peek(addr))), "F");
            n = name(machine().cpu(1).call(() -> {
                if (!migrate.isolateFolioToList(f, list)) throw new IllegalStateException("setup: cannot isolate F");
                Folio d = machine().node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
                if (d == null) throw new IllegalStateException("setup: no destination");
                return d;
            }), "N");
        }

        @Override
        public int nrCpus() {
            return 2;
        }

        @Override
        public int heldReferences(Folio folio) {
            return UNTRACKED; // the page cache, the PTE, the isolation and GUP-fast hold F; checked at the end
        }

        /**
         * What the bodies change outside the machine's modules: the PTE, the page-cache slot, the PTE lock
         * and the i_pages lock, the migration list and A's observation.
         */
        @Override
        protected Runnable saveState() {
            long pte = pt.peek(addr);
            Runnable locks = file == null ? Restorable.saveAll(pt.ptl()) : Restorable.saveAll(pt.ptl(), file.xaLock());
            List<Folio> isolated = List.copyOf(list);
            return () -> {
                locks.run();
                pt.ptl().lock();
                try {
                    pt.setPteAt(addr, pte);
                } finally {
                    pt.ptl().unlock();
                }
                long cached = file == null ? f.pfn() : file.lookup(0);
                if (cached != f.pfn()) {
                    file.xaLock().lock();
                    try {
                        file.replaceLocked(0, cached, f.pfn());
                    } finally {
                        file.xaLock().unlock();
                    }
                }
                list.clear();
                list.addAll(isolated);
                heldAfterCommit = false;
            };
        }

        /** F's migration completed: N took F's mapping and index under the freeze (or after the count check). */
        private boolean committed() {
            return memMap.mapping(n.pfn()) != 0;
        }

        @Override
        protected void run(int cpu) {
            if (cpu == 0) {
                long[] pfns = new long[1];
                long nr = Explore.call("get_user_pages_fast_only(addr)",
                        () -> gup.fast().gupFastFallback(mm, addr, 1, Foll.FOLL_GET | Foll.FOLL_FAST_ONLY, pfns));
                if (nr == 1) {
                    Folio folio = memMap.folio(pfns[0]);
                    heldAfterCommit = folio.pfn() == f.pfn() && committed(); // raw reads: no schedule point
                    Explore.call("put_page(" + folioName(folio.pfn()) + ")", () -> gup.folios().gupPutFolio(folio, 1, Foll.FOLL_GET));
                }
            } else {
                int rc = Explore.call("migrate_pages(F)", () -> migrate.migratePages(list,
                        src -> memMap.refCountRaw(n.pfn()) > 0 ? n : null, // N once; none after it was freed
                        MigrateMode.MIGRATE_ASYNC, MigrateReason.MR_COMPACTION));
                if (rc != 0) {
                    Explore.call("putback_movable_pages(F)", () -> migrate.putbackMovablePages(list));
                }
            }
        }

        @Override
        protected void check(Checks checks) {
            for (int cpu = 0; cpu < 2; cpu++) {
                machine().cpu(cpu).run(swap::lruAddDrain); // what folio_add_lru / putback queued
            }
            if (heldAfterCommit) {
                checks.violation("stale-folio", "GUP-fast returned F, and F's migration to N completed while A "
                        + "held it: the page cache and the PTE hold N, A's reference pins a replaced folio");
            }
            long pte = pt.peek(addr);
            if (!Pte.present(pte) || (Pte.pfn(pte) != f.pfn() && Pte.pfn(pte) != n.pfn())) {
                checks.violation("pte", "the PTE maps neither F nor N: " + Long.toHexString(pte));
                return;
            }
            Folio mapped = Pte.pfn(pte) == f.pfn() ? f : n;
            Folio other = mapped == f ? n : f;
            String name = folioName(mapped.pfn());
            checks.require(file == null || file.lookup(0) == mapped.pfn(), "pte",
                    "the PTE maps " + name + " but the page cache holds " + folioName(file == null ? -1 : file.lookup(0)));
            checks.require(!memMap.isBuddy(mapped.pfn()), "pte", name + " is mapped but free");
            checks.require(memMap.isBuddy(other.pfn()), "pte", folioName(other.pfn()) + " is neither mapped nor free: "
                    + memMap.dumpPage(other.pfn()).replace('\n', ' '));
            int baseline = (file == null ? 0 : 1) + 1; // the page cache's reference and the PTE's
            int count = memMap.refCountRaw(mapped.pfn());
            checks.require(count == baseline && memMap.folioMapcountRaw(mapped.pfn()) == 1, "refcount",
                    name + " has refcount " + count + " (baseline " + baseline + ") and mapcount "
                            + memMap.folioMapcountRaw(mapped.pfn()) + " for its one PTE");
            checks.require(mapped.test(PageFlags.PG_lru), "refcount", name + " is not back on an LRU: "
                    + PageFlags.describe(mapped.flags()));
        }
    }
}
