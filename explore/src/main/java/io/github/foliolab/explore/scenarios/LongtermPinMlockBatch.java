package io.github.foliolab.explore.scenarios;

import io.github.foliolab.explore.Checks;
import io.github.foliolab.explore.Explore;
import io.github.foliolab.explore.Scenario;
import io.github.foliolab.explore.Variant;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.gup.Gup;
import io.github.foliolab.gup.IoUringBuffers;
import io.github.foliolab.gup.LongtermDrain;
import io.github.foliolab.lru.BatchKind;
import io.github.foliolab.lru.LruBatchPolicies;
import io.github.foliolab.lru.PerCpuWorkqueue;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.mlock.MlockBatch;
import io.github.foliolab.mm.AddressSpace;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Task;

import java.util.List;

import static io.github.foliolab.mm.Mman.*;

/**
 * The 2025 report (pKVM / crosvm): a FOLL_LONGTERM pin fails with -ENOMEM because another CPU's mlock
 * batch holds a reference on a page-cache folio that still has PG_lru. Run from the system-call level
 * with the library's gup, migrate, mlock and lru code: one process, its threads on CPU A and CPU B, and
 * the two CPUs' kworkers (daemon bodies that run the work lru_add_drain_all() queues).
 *
 * <p>Model differences: the 6.15 variant changes only collect_longterm_unpinnable_folios(), the LRU
 * batches stay 7.2's (a folio queued for activation keeps PG_lru; 6.15 cleared it when queueing), so 6.15
 * also fails when only B's own FOLL_TOUCH activation holds S. A folio_lock() waiter is woken by
 * folio_unlock() but not handed the lock, so migration may take it again before the woken fault runs.
 *
 * <p>Setup (on CPU A): one page S of a shmem file is in the page cache and on the inactive anon LRU, in
 * ZONE_MOVABLE, not mapped (read, drained, then zapped with MADV_DONTNEED); its VMA is locked on fault
 * ({@code mlock2(MLOCK_ONFAULT)}).
 *
 * <p>CPU A reads S: the fault maps the cached folio and mlock_vma_folio() queues it in A's mlock batch
 * with a reference, PG_lru still set. CPU B registers S as an io_uring fixed buffer (pin_user_pages_fast
 * with FOLL_WRITE | FOLL_LONGTERM): S is in ZONE_MOVABLE, so __gup_longterm_locked() must migrate it to a
 * kernel zone before it may stay pinned; then B unregisters the buffer (unpin).
 * {@link LongtermDrain#V6_15 6.15}'s collect_longterm_unpinnable_folios() drains only a folio without
 * PG_lru: S is isolated with A's batch reference still on it, every migration attempt meets the
 * unexpected reference and the pin returns -ENOMEM. {@link LongtermDrain#V7_2 7.2} drains when the
 * refcount exceeds the expected one: lru_add_drain() on B, then lru_add_drain_all(), whose work on CPU A's
 * kworker empties A's mlock batch (cpu_needs_drain() tests need_mlock_drain()).
 *
 * <p>End checks, after every CPU's batches are drained (what the bodies left queued):
 * <ul>
 *   <li>violation {@code spurious-enomem}: the pin failed while a per-CPU batch (other than the lru_add
 *       batch B's putback fills) still held S when the bodies were done: a reference a drain drops, in
 *       migration's last pass (nothing drains after it); or the pin failed with no batch holding S
 *       though A's fault had returned before the pin began;</li>
 *   <li>accepted {@code transient-reference}: the pin failed with no batch holding S while A's fault
 *       ran during the pin: its page-cache lookup reference (folio_try_get, held until folio_put)
 *       outlasted migrate_pages' passes, which no drain can help;</li>
 *   <li>violation {@code pinned-in-movable}: the pin succeeded on a page still in ZONE_MOVABLE;</li>
 *   <li>violation {@code refcount}: after the unpin, the folio mapped at S has references other than its
 *       page cache's and its mapping's, or is still maybe-DMA-pinned;</li>
 *   <li>violation {@code mlock}: that folio is not PG_mlocked and PG_unevictable with mlock_count 1 (one
 *       VM_LOCKED mapping), or nr_mlock is not 1 page;</li>
 *   <li>violation {@code lost-from-lru}: that folio is not on an LRU (PG_lru), or the old one is still
 *       in the page cache beside it.</li>
 * </ul>
 * The core and LRU invariants hold after every step (the refcount one is skipped: the page cache, the
 * PTE and the pin hold S, and the mm layer accounts for them).
 */
public final class LongtermPinMlockBatch extends Scenario<LongtermDrain> {
    /** Instantiated by ServiceLoader ({@code provides io.github.foliolab.explore.Scenario with ...}). */
    public LongtermPinMlockBatch() {}

    /** Linux 7.2's drain logic. */
    public static final Variant<LongtermDrain> V7_2 = Variant.asIs("7.2's collect_longterm_unpinnable_folios: "
            + "refcount above the expected count: lru_add_drain, then lru_add_drain_all", Variant.Expect.CLEAN, LongtermDrain.V7_2);
    /** Linux 6.15's drain logic. */
    public static final Variant<LongtermDrain> V6_15 = new Variant<>("6.15", "6.15's: lru_add_drain_all only "
            + "for a folio without PG_lru (A's mlock batch keeps its reference)", Variant.Expect.VIOLATION, LongtermDrain.V6_15);

    @Override
    public String name() {
        return "longterm-pin-mlock-batch";
    }

    @Override
    public String summary() {
        return "2025 (pKVM/crosvm): a FOLL_LONGTERM pin vs. another CPU's mlock batch holding the folio (-ENOMEM in 6.15)";
    }

    @Override
    public List<Variant<LongtermDrain>> variants() {
        return List.of(V7_2, V6_15);
    }

    /**
     * The report's failure needs no preemption (A's fault returns, then B pins), so races checks the
     * schedules without one (29 with dfs). With one preemption 7.2 reaches the accepted
     * {@code transient-reference} outcome and no violation ({@code explore longterm-pin-mlock-batch
     * --strategy dpor --bound 1}: 1,705 schedules, a few seconds; dfs needs 7,950, too slow for races); the
     * search with two is in findings.md.
     */
    @Override
    public int racesBound() {
        return 0;
    }

    @Override
    public PinWorld build(Variant<LongtermDrain> variant) {
        return new PinWorld(variant.behaviour());
    }

    /** A two-CPU machine of 512 ZONE_NORMAL and 512 ZONE_MOVABLE pages with the given drain logic. */
    static Machine machineWith(LongtermDrain drain) {
        return Machine.builder().cpus(2).zones(512, 512).gcManaged(true)
                .with(Swap.POLICY, LruBatchPolicies.kernel())
                .with(Swap.WORKQUEUE_MODE, PerCpuWorkqueue.Mode.MANUAL)
                .with(Gup.LONGTERM_DRAIN, drain)
                .build();
    }

    /** One schedule's machine: one process with S cached and its VMA locked on fault. */
    public static final class PinWorld extends MlockWorld {
        private final Task a;
        private final Task b;
        private final AddressSpace file;
        private final long addr;
        private final Folio s;
        /** B's IORING_REGISTER_BUFFERS result, and the page it pinned. */
        private int pinResult = Integer.MIN_VALUE;
        private long pinnedPfn = -1;
        /** A's fault had returned (plain: the explorer runs one CPU at a time; declared to it as an access). */
        private boolean faultDone;
        /** A's fault had returned when B's registration began: A can then hold no reference during the pin. */
        private boolean faultDoneAtPinStart;

        PinWorld(LongtermDrain drain) {
            super(machineWith(drain));
            a = Task.root(machine());
            b = a.on(machine().cpu(1));
            file = Mm.of(machine()).newShmemFile("S", 1);
            addr = a.mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
            expect(a.touch(addr, false), "read S");
            a.lruAddDrain();
            expect(a.madvise(addr, PAGE_SIZE, MADV_DONTNEED), "madvise(MADV_DONTNEED)");
            expect(a.mlock2(addr, PAGE_SIZE, MLOCK_ONFAULT), "mlock2(MLOCK_ONFAULT)");
            a.lruAddDrain();
            s = name(machine().memMap().folio(file.cachedPfns()[0]), "S");
            if (!machine().node().isMovableOrCma(s.pfn()) || !s.testLru() || s.mapped()) {
                throw new IllegalStateException("setup: S must be cached, on the LRU, unmapped, in ZONE_MOVABLE: " + s.dump());
            }
        }

        private static void expect(int ret, String what) {
            if (ret != 0) throw new IllegalStateException(what + " = " + ret);
        }

        @Override
        public int nrCpus() {
            return 4; // CPU A, CPU B, kworker/0, kworker/1
        }

        @Override
        protected int machineCpu(int body) {
            return body % 2;
        }

        @Override
        protected boolean daemon(int body) {
            return body >= 2;
        }

        @Override
        public String bodyName(int body) {
            return body >= 2 ? "kworker/" + (body - 2) : super.bodyName(body);
        }

        @Override
        public int heldReferences(Folio folio) {
            return UNTRACKED; // the page cache, the PTE and the pin hold S; the mm layer accounts for them
        }

        @Override
        protected void run(int body) {
            switch (body) {
                case 0 -> {
                    Explore.call("read S", () -> a.touch(addr, false));
                    Explore.write("fault-done");
                    faultDone = true;
                }
                case 1 -> {
                    IoUringBuffers ring = IoUringBuffers.setup(b);
                    Explore.read("fault-done");
                    faultDoneAtPinStart = faultDone;
                    int ret = Explore.call("IORING_REGISTER_BUFFERS(S)", () -> ring.registerBuffers(addr, PAGE_SIZE));
                    pinResult = ret;
                    if (ret == 0) {
                        pinnedPfn = ring.pinnedPfns()[0];
                        Explore.call("IORING_UNREGISTER_BUFFERS", ring::unregisterBuffers);
                    }
                }
                default -> {
                    int cpu = body - 2;
                    while (true) {
                        Explore.call("worker_thread()", () -> swap.workqueue().waitAndRunPending(cpu));
                    }
                }
            }
        }

        @Override
        protected void check(Checks checks) {
            // Where S is queued when every body is done: B's failed pin puts S back through its own
            // lru_add batch; any other entry is a batch that held S's reference in migration's last pass
            // (nothing drains a batch after that pass: A's fault does not, the kworkers run only B's work).
            String queued = queuedElsewhere();
            // What the bodies left queued: drained now, every CPU on its own (the bodies are done).
            for (int cpu = 0; cpu < 2; cpu++) {
                machine().cpu(cpu).run(swap::lruAddDrain);
            }
            if (pinResult != 0) {
                String failed = "the long-term pin of S returned " + pinResult
                        + (pinResult == -Errno.ENOMEM ? " (-ENOMEM: every migration pass met a reference it did not expect)" : "");
                if (!queued.isEmpty()) {
                    checks.violation("spurious-enomem", failed + " while S sat in " + queued
                            + ": a per-CPU batch's reference, which a drain drops; S then: " + s.dump());
                } else if (!faultDoneAtPinStart) {
                    checks.accepted("transient-reference", failed + " while no batch held S: CPU A's fault, running "
                            + "during the pin, held its lookup reference (folio_try_get) across migration's last pass "
                            + "(accepted: no drain drops a fault's reference, migrate_pages gives up after "
                            + "NR_MAX_MIGRATE_PAGES_RETRY passes)");
                } else {
                    checks.violation("spurious-enomem", failed + " with no batch holding S, CPU A's fault done before "
                            + "the pin began; S then: " + s.dump());
                }
                return;
            }
            checks.require(!machine().node().isMovableOrCma(pinnedPfn), "pinned-in-movable",
                    "the pinned page 0x" + Long.toHexString(pinnedPfn) + " is in ZONE_MOVABLE");
            long pte = a.mm().pageTables().peek(addr);
            long[] cached = file.cachedPfns();
            checks.require(Pte.present(pte) && cached.length == 1 && Pte.pfn(pte) == cached[0], "lost-from-lru",
                    "S's page is mapped at pfn 0x" + Long.toHexString(Pte.pfn(pte)) + " but cached at "
                            + java.util.Arrays.toString(cached));
            Folio t = machine().memMap().folio(Pte.pfn(pte));
            String state = "the folio at S (pfn 0x" + Long.toHexString(t.pfn()) + "): " + t.dump();
            checks.require(t.refCount() == 1 + t.mapcount() && !t.maybeDmaPinned(), "refcount",
                    "after the unpin " + state + " (expected the page cache's reference and the mapping's only)");
            long nrMlock = machine().vmstat().zoneSum(ZoneStatItem.NR_MLOCK);
            checks.require(t.test(PageFlags.PG_mlocked) && t.test(PageFlags.PG_unevictable) && t.mlockCount() == 1
                    && nrMlock == 1, "mlock", state + ", nr_mlock " + nrMlock + " (expected mlocked, unevictable, "
                    + "mlock_count 1 for its one VM_LOCKED mapping)");
            checks.require(t.testLru(), "lost-from-lru", state + " is on no LRU");
        }

        /** The batches other than CPU B's lru_add batch that hold S: "mlock batch of CPU A", ... */
        private String queuedElsewhere() {
            java.util.List<String> where = new java.util.ArrayList<>();
            for (int cpu = 0; cpu < 2; cpu++) {
                MlockBatch mb = mlock.batch(cpu);
                for (int i = 0; i < mb.count(); i++) {
                    if (mb.pfn(i) == s.pfn()) where.add("the mlock batch of CPU " + (char) ('A' + cpu));
                }
                for (BatchKind k : BatchKind.values()) {
                    if ((cpu == 0 || k != BatchKind.LRU_ADD) && swap.batchContains(cpu, k, s)) {
                        where.add("the " + k.kernelName() + " batch of CPU " + (char) ('A' + cpu));
                    }
                }
            }
            return String.join(", ", where);
        }
    }
}
