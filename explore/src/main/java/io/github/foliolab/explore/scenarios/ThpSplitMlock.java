package io.github.foliolab.explore.scenarios;

import io.github.foliolab.explore.Checks;
import io.github.foliolab.explore.Explore;
import io.github.foliolab.explore.Scenario;
import io.github.foliolab.explore.Variant;
import io.github.foliolab.explore.World;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.mlock.MlockRules;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MmInvariants;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Task;
import io.github.foliolab.mm.ThpSettings;
import io.github.foliolab.mm.Vma;

import java.util.ArrayList;
import java.util.List;

import static io.github.foliolab.mm.Mman.*;

/**
 * The 2023 linux-mm thread on mlock_pte_range and large folios (the large-folio mlock series): a large
 * folio that a VM_LOCKED VMA maps only in part must not be mlocked. It may sit on the deferred split
 * queue; when it is split the pieces keep PG_mlocked and PG_unevictable, and those the VMA does not map
 * (or no longer reaches) are left on the unevictable list: munlock reaches a folio only through the
 * PTEs of the VMA it unlocks, and while the split has turned them into migration entries it skips them.
 *
 * <p>Setup, with the library's system calls (not explored): with 16 KiB mTHP on, process P write-faults
 * an order-2 anonymous folio F over its 4-page VMA V (every page written) and forks C; P drops pages 2-3
 * (MADV_DONTNEED) and C drops page 3, so P maps F[0..1], C maps F[0..2] and page 3 is mapped by nobody:
 * F is partially mapped and on node 0's deferred split queue. P then mlock2(V, MLOCK_ONFAULT) (no
 * population, only mlock_pte_range's walk of the present PTEs). In 7.2 the walk skips F (within the range
 * but the PTE run maps 2 of its 4 pages); with the patch under review ({@code mlock-within-range},
 * {@link MlockRules#mlockOnlyMappedWhole} false) it mlocks F: PG_mlocked, culled, mlock_count 1.
 *
 * <p>Variants: {@code 7.2}; {@code fix-c}, 7.2 with R1's fix (c), since the split's remap mlocks a piece in
 * P's VMA and 7.2 then strands it by R1 (munlock-putback); {@code mlock-within-range}, fix (c) and the patch.
 *
 * <p>CPU A: P's munlock(V) (the library's mlock_fixup: VM_LOCKED cleared, then the munlock walk queues
 * munlock_folio for every folio it finds mapped, and drains). CPU B: the deferred split shrinker
 * (deferred_split_scan: folio_try_get and isolation from the queue, folio_trylock, split_folio: unmap to
 * migration entries through folio_remove_rmap_pte, which munlocks F while V is VM_LOCKED, the refcount
 * freeze, the split, remap, which mlocks a piece mapped in a VM_LOCKED VMA).
 *
 * <p>End checks, after every CPU's batches are drained, over every folio of F's pfn range (F, or its
 * pieces F[0]..F[3]): none is PG_mlocked or PG_unevictable unless a VM_LOCKED VMA maps it
 * ({@code stranded}); nr_mlock equals the pages of the PG_mlocked folios; every mapcount equals the PTEs
 * that map the folio in P and C and every refcount equals its mapcount (no batch or isolation reference
 * left); every live piece is back on the LRU. The invariants, too, see every folio of the range.
 */
public final class ThpSplitMlock extends Scenario<MlockRules> {
    /** Instantiated by ServiceLoader ({@code provides io.github.foliolab.explore.Scenario with ...}). */
    public ThpSplitMlock() {}

    /** R1's fix (c) (munlock-putback, {@link MlockOvercount#FIX_C}); large folios mlocked as in 7.2. */
    public static final MlockRules FIX_C = MlockOvercount.FIX_C;
    /** fix (c) and the patch under review: mlock_pte_range mlocks a large folio within the range even if mapped in part. */
    public static final MlockRules WITHIN_RANGE = new MlockRules(true, true, false, false);

    /**
     * {@code 7.2}: A munlocks P's VMA while B's deferred split splits F; a piece is stranded unevictable (a
     * violation).
     */
    public static final Variant<MlockRules> AS_IS = Variant.asIs("the library's mm/mlock.c of Linux 7.2: A munlocks P's "
            + "VMA while B's deferred split shrinker splits F; B's remap mlocks a piece and R1's race (munlock-putback) "
            + "strands it unevictable", Variant.Expect.VIOLATION, MlockRules.LINUX_7_2);
    /**
     * {@code fix-c}: 7.2 with R1's fix (c); a large folio is mlocked only when mapped whole within the range;
     * clean.
     */
    public static final Variant<MlockRules> FIX_C_ONLY = new Variant<>("fix-c", "7.2 with R1's fix (c) (__munlock_folio "
            + "re-tests PG_lru under lru_lock): a large folio is mlocked only when within the range and mapped whole, "
            + "and nothing strands", Variant.Expect.CLEAN, FIX_C);
    /**
     * {@code mlock-within-range}: fix (c) and the patch that mlocks a partly mapped large folio within the range;
     * a violation.
     */
    public static final Variant<MlockRules> MLOCK_WITHIN_RANGE = new Variant<>("mlock-within-range", "fix (c), and "
            + "mlock_pte_range mlocks any large folio within the range, even mapped in part (the patch under review): "
            + "the split's pieces keep PG_mlocked outside every VM_LOCKED VMA", Variant.Expect.VIOLATION, WITHIN_RANGE);

    static final long HINT = 0x2_0000_0000L;
    static final long P = PAGE_SIZE;
    /** Pages of F (order 2). */
    static final int NR = 4;

    @Override
    public String name() {
        return "thp-split-mlock";
    }

    @Override
    public String summary() {
        return "2023: munlock vs. the deferred split of a partly mapped large folio: mlocking it strands the pieces";
    }

    @Override
    public List<Variant<MlockRules>> variants() {
        return List.of(AS_IS, FIX_C_ONLY, MLOCK_WITHIN_RANGE);
    }

    /**
     * The stranding needs one preemption (A clears VM_LOCKED, B unmaps F, A's walk finds migration
     * entries); races checks every schedule with at most one.
     */
    @Override
    public int racesBound() {
        return 1;
    }

    @Override
    public World build(Variant<MlockRules> variant) {
        return new SplitWorld(variant.behaviour());
    }

    /** One schedule's machine: P and its child C sharing F, P's VMA mlocked. */
    public static final class SplitWorld extends MlockWorld {
        final Task p;
        final Task c;
        final long a;
        final long head;

        SplitWorld(MlockRules rules) {
            super(MlockOvercount.machineWith(rules));
            Mm.of(machine()).thp().settings().setEnabled(2, ThpSettings.Mode.ALWAYS);
            this.p = Task.root(machine());
            this.a = p.mmap(HINT, NR * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
            if (a != HINT) throw new IllegalStateException("mmap = " + a);
            for (int i = 0; i < NR; i++) expect(p.touch(a + i * P, true), "write page " + i);
            Folio f = machine().memMap().pageFolio(Pte.pfn(p.mm().pageTables().peek(a)));
            if (f.order() != 2) throw new IllegalStateException("F is not an order-2 folio: " + f.dump());
            this.head = f.pfn();
            name(f, "F");
            this.c = p.fork();
            expect(p.madvise(a + 2 * P, 2 * P, MADV_DONTNEED), "P: MADV_DONTNEED pages 2-3");
            expect(c.madvise(a + 3 * P, P, MADV_DONTNEED), "C: MADV_DONTNEED page 3");
            if (!Mm.of(machine()).thp().deferredSplit().queued(f)) {
                throw new IllegalStateException("F is not on the deferred split queue: " + f.dump());
            }
            expect(p.mlock2(a, NR * P, MLOCK_ONFAULT), "P: mlock2(V, MLOCK_ONFAULT)");
            boolean mlocked = f.testMlocked();
            if (mlocked == rules.mlockOnlyMappedWhole()) {
                throw new IllegalStateException("setup: F " + (mlocked ? "is" : "is not") + " mlocked: " + f.dump());
            }
        }

        private static void expect(int ret, String what) {
            if (ret != 0) throw new IllegalStateException(what + " = " + ret);
        }

        @Override
        public int nrCpus() {
            return 2;
        }

        /** Every folio of F's pfn range now: F itself, or the pieces a split made (and pages it freed). */
        @Override
        public List<Folio> folios() {
            MemMap mm = machine().memMap();
            List<Folio> out = new ArrayList<>(NR);
            for (long pfn = head; pfn < head + NR; pfn++) {
                if (!mm.isTail(pfn)) out.add(mm.folio(pfn));
            }
            return out;
        }

        /** F, or F[k] for the piece that starts at F's page k once F is split. */
        @Override
        public String folioName(long pfn) {
            MemMap mm = machine().memMap();
            if (pfn == head && mm.isLarge(pfn)) return "F";
            if (pfn >= head && pfn < head + NR) return "F[" + (pfn - head) + "]";
            return super.folioName(pfn);
        }

        /**
         * The PTEs' references move from F to its pieces inside the split (frozen at zero meanwhile) and
         * the shrinker holds a temporary one: the end check compares every refcount with the page tables.
         */
        @Override
        public int heldReferences(Folio folio) {
            return UNTRACKED;
        }

        @Override
        protected void run(int cpu) {
            if (cpu == 0) {
                int ret = Explore.call("munlock(V)", () -> p.munlock(a, NR * P));
                if (ret != 0) throw new IllegalStateException("munlock = " + ret);
            } else {
                Explore.call("deferred_split_scan(node 0)", () -> Mm.of(machine()).thp().deferredSplit().scan(0));
            }
        }

        /** The present PTEs of VMAs of {@code mm} mapping a page of the folio at {@code pfn}; only VM_LOCKED ones if asked. */
        private int ptesMapping(MmStruct mm, long pfn, long nr, boolean lockedOnly) {
            int n = 0;
            for (Vma v : mm.vmasSnapshot()) {
                if (lockedOnly && (v.flags() & VmFlags.VM_LOCKED) == 0) continue;
                for (long addr = v.start(); addr < v.end(); addr += P) {
                    long pte = mm.pageTables().peek(addr);
                    if (Pte.present(pte) && !Pte.special(pte) && Pte.pfn(pte) >= pfn && Pte.pfn(pte) < pfn + nr) n++;
                }
            }
            return n;
        }

        @Override
        protected void check(Checks checks) {
            for (int cpu = 0; cpu < 2; cpu++) {
                machine().cpu(cpu).run(swap::lruAddDrain); // what the bodies left queued (mlock batches too)
            }
            MemMap mm = machine().memMap();
            List<String> stranded = new ArrayList<>();
            long mlockedPages = 0;
            for (Folio f : folios()) {
                long pfn = f.pfn();
                if (mm.isBuddy(pfn) || mm.refCountRaw(pfn) == 0) continue; // freed (page 3, mapped by nobody)
                long fl = f.flags();
                long nr = f.nrPages();
                int inP = ptesMapping(p.mm(), pfn, nr, false);
                int inC = ptesMapping(c.mm(), pfn, nr, false);
                int locked = ptesMapping(p.mm(), pfn, nr, true) + ptesMapping(c.mm(), pfn, nr, true);
                String who = folioName(pfn) + " (" + PageFlags.describe(fl) + ", mlock_count "
                        + ((fl & (1L << PageFlags.PG_unevictable)) != 0 ? f.mlockCount() : 0) + ", mapped by "
                        + (inP + inC == 0 ? "nobody" : (inP > 0 ? "P" : "") + (inP > 0 && inC > 0 ? " and " : "")
                        + (inC > 0 ? "C" : "")) + ")";
                if ((fl & (1L << PageFlags.PG_mlocked)) != 0) mlockedPages += nr;
                if ((fl & ((1L << PageFlags.PG_mlocked) | (1L << PageFlags.PG_unevictable))) != 0 && locked == 0) {
                    stranded.add(who);
                }
                checks.require(f.mapcount() == inP + inC, "mapcount", who + ": mapcount " + f.mapcount()
                        + " but " + (inP + inC) + " PTEs map it");
                checks.require(f.refCount() == f.mapcount(), "refcount", who + ": refcount " + f.refCount()
                        + " for " + f.mapcount() + " mappings (a batch, isolation or split reference left)");
                checks.require(f.testLru(), "off-lru", who + " is not back on the LRU");
            }
            if (!stranded.isEmpty()) {
                checks.violation("stranded", String.join(", ", stranded) + ": no VM_LOCKED VMA maps "
                        + (stranded.size() == 1 ? "it" : "them") + ", munlock will never reach "
                        + (stranded.size() == 1 ? "it" : "them") + " and reclaim does not scan the unevictable list");
            }
            long nrMlock = machine().vmstat().zoneSum(ZoneStatItem.NR_MLOCK);
            checks.require(nrMlock == mlockedPages, "nr-mlock", "nr_mlock is " + nrMlock + " but " + mlockedPages
                    + " page(s) of F's range are PG_mlocked");
            try {
                machine().cpu(0).run(() -> MmInvariants.check(p.mm(), this::otherBatchEntries));
            } catch (RuntimeException e) {
                checks.require(false, "mm-invariants", e.getMessage());
            }
        }
    }
}
