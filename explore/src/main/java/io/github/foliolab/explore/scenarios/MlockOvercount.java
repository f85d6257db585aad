package io.github.foliolab.explore.scenarios;

import io.github.foliolab.explore.Checks;
import io.github.foliolab.explore.Explore;
import io.github.foliolab.explore.Scenario;
import io.github.foliolab.explore.Variant;
import io.github.foliolab.explore.World;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.lru.LruBatchPolicies;
import io.github.foliolab.lru.PerCpuWorkqueue;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.mlock.MlockRules;
import io.github.foliolab.mlock.Mlock;
import io.github.foliolab.mm.AddressSpace;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Task;
import io.github.foliolab.mm.Vma;

import java.util.List;
import java.util.Objects;

import static io.github.foliolab.mm.Mman.MAP_SHARED;
import static io.github.foliolab.mm.Mman.MLOCK_ONFAULT;
import static io.github.foliolab.mm.Mman.PAGE_SIZE;
import static io.github.foliolab.mm.Mman.PROT_READ;

/**
 * The mlock_count overcount (a finding of this library, reproduced on Linux 7.2.12): a stale LRU_FOLIO
 * entry in another CPU's mlock batch counts a VM_LOCKED mapping a second time. Run from the system-call
 * level: one process, its threads on CPU A and CPU B, and CPU B's kworker.
 *
 * <p>Setup (on CPU A): a one-page file is mapped twice, read-only and shared, at F1 and F2; F1's read
 * fault brings its page-cache folio F in and a drain puts F on the inactive file LRU; F2 is locked on
 * fault ({@code mlock2(MLOCK_ONFAULT)}): VM_LOCKED, not yet mapped.
 *
 * <p>CPU B reads F2: the fault maps F into the VM_LOCKED VMA (folio_add_file_rmap_ptes, mlock_vma_folio,
 * mlock_folio sets PG_mlocked and queues an LRU_FOLIO entry in CPU B's mlock batch). CPU A makes the
 * system calls {@code munlock(F2)}, {@code mlock(F2)}, {@code lru_add_drain_all()} (any caller's: the
 * kworker on CPU B drains B's batches, mlock batch included) and {@code munlock(F2)}; each munlock and
 * mlock drains only CPU A's batches, as mlock_vma_pages_range does. In 7.2, when B's entry is still queued
 * at A's munlock, the munlock clears PG_mlocked (F is not culled yet: there is no count to decrement), A's
 * mlock culls F with mlock_count 1, and the kworker's __mlock_folio counts the same mapping again:
 * mlock_count 2 for one VM_LOCKED mapping. After the last munlock F stays PG_mlocked on the unevictable
 * LRU with no VM_LOCKED mapping. No preemption is needed: B runs first, then A.
 *
 * <p>End checks, on the state after every CPU's mlock and lru_add batches are drained (what the bodies
 * left queued is drained after they finish). L is the number of VM_LOCKED VMAs whose PTE maps F:
 * <ul>
 *   <li>violation {@code overcount}: F is PG_mlocked and PG_unevictable with mlock_count &gt; L;</li>
 *   <li>violation {@code mlocked-unlocked}: F is PG_mlocked although no VM_LOCKED VMA maps it (L = 0);</li>
 *   <li>violation {@code stranded} (munlock-putback's check): F is PG_unevictable but not PG_mlocked;</li>
 *   <li>accepted {@code undercount} (the kernel's rule: mlock_count may undercount, reclaim's
 *       folio_referenced re-mlocks the folio when it meets a VM_LOCKED mapping): L &gt; 0 and F is not
 *       PG_mlocked, or is unevictable with mlock_count &lt; L;</li>
 *   <li>accepted {@code mlocked-on-evictable-list} (R1b): F is PG_mlocked on an evictable list.</li>
 * </ul>
 *
 * <p>Variants: {@code 7.2} (the library's code), R1's fix (c) alone, and candidate changes to mm/mlock.c
 * chosen with the {@link Mlock#RULES} build option ({@link MlockRules}); {@code two-locked-*} run a second
 * program in which F1 is VM_LOCKED too (L up to 2), where a count that cannot exceed 1 shows its cost.
 */
public final class MlockOvercount extends Scenario<MlockOvercount.Code> {
    /** Instantiated by ServiceLoader ({@code provides io.github.foliolab.explore.Scenario with ...}). */
    public MlockOvercount() {}

    /** Which system calls the CPUs make. */
    public enum Program {
        /** F1 unlocked; A: munlock, mlock, lru_add_drain_all, munlock of F2; B: read F2. */
        STALE_ENTRY,
        /** F1 locked in the setup (F culled, mlock_count 1); A: munlock, mlock, lru_add_drain_all; B: read F2. */
        TWO_LOCKED
    }

    /**
     * What a variant runs.
     *
     * @param rules   the mm/mlock.c rules of the machine
     * @param program the system calls
     */
    public record Code(MlockRules rules, Program program) {
        /**
         * Checks that neither component is null.
         *
         * @param rules the mm/mlock.c rules of the machine
         * @param program the system calls
         * @throws NullPointerException naming the component that is null
         */
        public Code {
            Objects.requireNonNull(rules, "rules");
            Objects.requireNonNull(program, "program");
        }
    }

    /** R1's fix (c) alone (munlock-putback): __munlock_folio re-tests PG_lru under lru_lock. */
    public static final MlockRules FIX_C = new MlockRules(true, true, false);
    /** fix (c) and the no-increment candidate: a batched mlock of an already culled folio leaves mlock_count alone. */
    public static final MlockRules NO_INCREMENT = new MlockRules(true, false, false);
    /** fix (c) and the drain-all candidate: munlock drains every CPU's mlock batch before its walk. */
    public static final MlockRules DRAIN_ALL = new MlockRules(true, true, true);

    /**
     * {@code 7.2}: the library's mm/mlock.c; A's munlock, mlock, munlock of F2 against B's stale LRU_FOLIO entry;
     * a violation.
     */
    public static final Variant<Code> AS_IS = Variant.asIs("the library's mm/mlock.c of Linux 7.2: A munlock/mlock/munlock "
            + "F2 while B's fault left an LRU_FOLIO entry for F in B's mlock batch", Variant.Expect.VIOLATION,
            new Code(MlockRules.LINUX_7_2, Program.STALE_ENTRY));
    /** {@code fix-c}: R1's fix (c) alone closes the stranding but not the overcount; a violation. */
    public static final Variant<Code> FIX_C_ONLY = new Variant<>("fix-c", "R1's fix (c) only (__munlock_folio re-tests "
            + "PG_lru under lru_lock): the stranding is closed, the overcount is not", Variant.Expect.VIOLATION,
            new Code(FIX_C, Program.STALE_ENTRY));
    /**
     * {@code fix-no-increment}: fix (c), and a batched mlock of a culled folio leaves mlock_count alone; clean.
     */
    public static final Variant<Code> FIX_NO_INCREMENT = new Variant<>("fix-no-increment", "fix (c), and __mlock_folio "
            + "does not increment mlock_count of a folio already culled (the count is 0 or 1)", Variant.Expect.CLEAN,
            new Code(NO_INCREMENT, Program.STALE_ENTRY));
    /** {@code fix-drain-all}: fix (c), and munlock drains every CPU's mlock batch before its walk; clean. */
    public static final Variant<Code> FIX_DRAIN_ALL = new Variant<>("fix-drain-all", "fix (c), and munlock drains every "
            + "CPU's mlock batch under mmap_lock before its walk (lru_add_drain_all in the kernel)", Variant.Expect.CLEAN,
            new Code(DRAIN_ALL, Program.STALE_ENTRY));
    /** {@code two-locked-7.2}: 7.2 with F1 VM_LOCKED too (mlock_count up to 2); clean. */
    public static final Variant<Code> TWO_LOCKED = new Variant<>("two-locked-7.2", "7.2 with F1 locked too (L up to 2)",
            Variant.Expect.CLEAN, new Code(MlockRules.LINUX_7_2, Program.TWO_LOCKED));
    /**
     * {@code two-locked-no-increment}: the no-increment rule with F1 locked too, mlock_count at most 1; accepted.
     */
    public static final Variant<Code> TWO_LOCKED_NO_INCREMENT = new Variant<>("two-locked-no-increment", "fix-no-increment "
            + "with F1 locked too: two VM_LOCKED mappings, mlock_count at most 1", Variant.Expect.ACCEPTED,
            new Code(NO_INCREMENT, Program.TWO_LOCKED));
    /** {@code two-locked-drain-all}: the drain-all rule with F1 locked too; clean. */
    public static final Variant<Code> TWO_LOCKED_DRAIN_ALL = new Variant<>("two-locked-drain-all", "fix-drain-all with "
            + "F1 locked too", Variant.Expect.CLEAN, new Code(DRAIN_ALL, Program.TWO_LOCKED));

    @Override
    public String name() {
        return "mlock-overcount";
    }

    @Override
    public String summary() {
        return "a stale LRU_FOLIO entry in CPU B's mlock batch counts a mapping twice: F stays mlocked after munlock";
    }

    @Override
    public List<Variant<Code>> variants() {
        return List.of(AS_IS, FIX_C_ONLY, FIX_NO_INCREMENT, FIX_DRAIN_ALL, TWO_LOCKED, TWO_LOCKED_NO_INCREMENT, TWO_LOCKED_DRAIN_ALL);
    }

    /**
     * The overcount needs no preemption; races checks every schedule with at most one (566 schedules for a
     * fix with dfs). Bound 2 is exhaustive too ({@code explore mlock-overcount --variant V --strategy dpor
     * --bound 2}: about a thousand schedules) but takes tens of seconds with dfs.
     */
    @Override
    public int racesBound() {
        return 1;
    }

    @Override
    public World build(Variant<Code> variant) {
        return new OvercountWorld(variant.behaviour());
    }

    /** A two-CPU machine of 512 pages with the given mm/mlock.c rules (see {@link LruWorld#newMachine}). */
    static Machine machineWith(MlockRules rules) {
        return Machine.builder().cpus(2).zones(512, 0).gcManaged(true)
                .with(Swap.POLICY, LruBatchPolicies.kernel())
                .with(Swap.WORKQUEUE_MODE, PerCpuWorkqueue.Mode.MANUAL)
                .with(Mlock.RULES, rules)
                .build();
    }

    /** One schedule's machine: one process, F mapped at F1 and F2. */
    public static final class OvercountWorld extends MlockWorld {
        final Code code;
        final Task a;
        final Task b;
        final long f1;
        final long f2;
        final Folio f;

        OvercountWorld(Code code) {
            super(machineWith(code.rules()));
            this.code = code;
            this.a = Task.root(machine());
            this.b = a.on(machine().cpu(1));
            a.mm().setCapIpcLock(true);
            AddressSpace file = Mm.of(machine()).newShmemFile("file", 1);
            f1 = a.mmap(0, PAGE_SIZE, PROT_READ, MAP_SHARED, file, 0);
            f2 = a.mmap(0, PAGE_SIZE, PROT_READ, MAP_SHARED, file, 0);
            expect(a.touch(f1, false), "read F1");
            a.lruAddDrain();
            if (code.program() == Program.TWO_LOCKED) {
                expect(a.mlock(f1, PAGE_SIZE), "mlock F1");
                a.lruAddDrain();
            }
            expect(a.mlock2(f2, PAGE_SIZE, MLOCK_ONFAULT), "mlock2 F2 onfault");
            this.f = name(machine().memMap().folio(Pte.pfn(a.mm().pageTables().peek(f1))), "F");
        }

        private static void expect(int ret, String what) {
            if (ret != 0) throw new IllegalStateException(what + " = " + ret);
        }

        @Override
        public int nrCpus() {
            return 3; // CPU A, CPU B, and B's kworker
        }

        /** Nothing of its own: the process's VMAs, page tables and locks are the mm module's checkpoint. */
        @Override
        protected Runnable saveState() {
            return NO_STATE;
        }

        @Override
        protected int machineCpu(int body) {
            return body == 2 ? 1 : body;
        }

        @Override
        protected boolean daemon(int body) {
            return body == 2;
        }

        @Override
        public String bodyName(int body) {
            return body == 2 ? "kworker/1" : super.bodyName(body);
        }

        @Override
        public int heldReferences(Folio folio) {
            return UNTRACKED; // the page cache and the PTEs hold F; the mm layer accounts for them
        }

        @Override
        protected void run(int body) {
            switch (body) {
                case 0 -> {
                    syscall("munlock(F2)", () -> a.munlock(f2, PAGE_SIZE));
                    syscall("mlock(F2)", () -> a.mlock(f2, PAGE_SIZE));
                    Explore.call("lru_add_drain_all()", swap::lruAddDrainAll);
                    if (code.program() == Program.STALE_ENTRY) {
                        syscall("munlock(F2)", () -> a.munlock(f2, PAGE_SIZE));
                    }
                }
                case 1 -> syscall("read F2", () -> b.touch(f2, false));
                default -> {
                    while (true) {
                        Explore.call("worker_thread()", () -> swap.workqueue().waitAndRunPending(1));
                    }
                }
            }
        }

        private static void syscall(String label, java.util.function.IntSupplier call) {
            int ret = Explore.call(label, call::getAsInt);
            if (ret != 0) throw new IllegalStateException(label + " = " + ret);
        }

        /** The VM_LOCKED VMAs whose PTE maps F. */
        int lockedMappings() {
            int n = 0;
            for (Vma v : a.mm().vmasSnapshot()) {
                if ((v.flags() & VmFlags.VM_LOCKED) == 0) continue;
                for (long addr = v.start(); addr < v.end(); addr += PAGE_SIZE) {
                    long pte = a.mm().pageTables().peek(addr);
                    if (Pte.present(pte) && !Pte.special(pte) && Pte.pfn(pte) == f.pfn()) n++;
                }
            }
            return n;
        }

        @Override
        protected void check(Checks checks) {
            // What B's read queued after A's last drain: drained now, every CPU on its own (the bodies are done).
            for (int cpu = 0; cpu < 2; cpu++) {
                machine().cpu(cpu).run(swap::lruAddDrain);
            }
            checks.require(lruBatchEntries(f) == 0 && otherBatchEntries(f) == 0, "batches-drained",
                    "F is still queued in a batch after the final drains");
            long fl = f.flags();
            boolean mlocked = (fl & (1L << PageFlags.PG_mlocked)) != 0;
            boolean unevictable = (fl & (1L << PageFlags.PG_unevictable)) != 0;
            int count = unevictable ? f.mlockCount() : 0;
            int locked = lockedMappings();
            String state = "F is " + PageFlags.describe(fl) + (unevictable ? ", mlock_count " + count : "")
                    + ", mapped by " + locked + " VM_LOCKED VMA" + (locked == 1 ? "" : "s");
            if (unevictable && !mlocked) {
                checks.violation("stranded", state + ": unevictable but not mlocked, reclaim never scans it again");
            } else if (mlocked && unevictable && count > locked) {
                checks.violation("overcount", state + ": mlock_count exceeds the VM_LOCKED mappings"
                        + (locked == 0 ? "; no munlock will ever clear PG_mlocked" : ""));
            } else if (mlocked && locked == 0) {
                checks.violation("mlocked-unlocked", state + ": PG_mlocked with no VM_LOCKED mapping");
            } else if (locked > 0 && (!mlocked || (unevictable && count < locked))) {
                checks.accepted("undercount", state + ": mlock_count undercounts (accepted: a munlock may clear "
                        + "PG_mlocked early, reclaim's folio_referenced re-mlocks F when it meets a VM_LOCKED VMA)");
            } else if (mlocked && !unevictable) {
                checks.accepted("mlocked-on-evictable-list", state + ": PG_mlocked on an evictable list (R1b: reclaim culls it)");
            }
        }
    }
}
