package io.github.foliolab.explore.scenarios;

import io.github.foliolab.explore.Checks;
import io.github.foliolab.explore.Explore;
import io.github.foliolab.explore.Scenario;
import io.github.foliolab.explore.Variant;
import io.github.foliolab.explore.World;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.lru.RmapOps;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MmInvariants;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Task;

import java.util.List;

import static io.github.foliolab.mm.Mman.*;

/**
 * fork() against reclaim's isolation of the folio it shares. Setup: process P maps one anonymous page F,
 * written and drained (on the inactive anon LRU, PG_anon_exclusive, mapcount 1, refcount 1). CPU A forks
 * P (dup_mmap: the child's VMA is chained to P's anon_vma before copy_page_range copies the PTE,
 * write-protects it in both and clears PG_anon_exclusive). CPU B is reclaim: folio_isolate_lru(F),
 * folio_referenced(F) (the rmap walk from F's anon_vma, under its root's lock and each PTE lock) and
 * folio_putback_lru(F). After both, CPU 1's batch is drained and the child writes the page (do_wp_page).
 *
 * <p>The rules of fork checked at the end of every interleaving: the child's write never reuses F while P maps it
 * (wp_can_reuse_anon_folio's refcount test: whether or not B holds its isolation reference, P's mapping
 * keeps it above 1), so the child ends with its own exclusive copy and P keeps F, write-protected and no
 * longer exclusive; B's walk never finds more mappings than F has; every folio's mapcount equals the
 * PTEs of both processes that map it and its refcount covers them (MmInvariants over both address
 * spaces); F ends back on the LRU with its single reference.
 *
 * <p>Variants: {@code 7.2} as above; {@code 7.2-cow}: A forks and writes in the child at once, so the
 * copy-on-write decision meets B's isolation reference (B does not walk the rmap there, to keep the
 * schedule count down).
 */
public final class ForkIsolate extends Scenario<Boolean> {
    /** Instantiated by ServiceLoader ({@code provides io.github.foliolab.explore.Scenario with ...}). */
    public ForkIsolate() {}

    /**
     * {@code 7.2}: fork while reclaim isolates F, walks its rmap and puts it back; the child writes afterwards;
     * clean.
     */
    public static final Variant<Boolean> AS_IS = Variant.asIs("fork while reclaim isolates F, walks its rmap "
            + "(folio_referenced) and puts it back; the child writes afterwards", Variant.Expect.CLEAN, Boolean.FALSE);
    /** {@code 7.2-cow}: fork and the child's first (copy-on-write) write while reclaim isolates F; clean. */
    public static final Variant<Boolean> COW = new Variant<>("7.2-cow", "fork and the child's first write while "
            + "reclaim isolates F and puts it back", Variant.Expect.CLEAN, Boolean.TRUE);

    @Override
    public String name() {
        return "fork-isolate";
    }

    @Override
    public String summary() {
        return "fork (anon_vma_fork, copy_page_range) and the first copy-on-write vs. reclaim isolating and rmap-walking the shared folio";
    }

    @Override
    public List<Variant<Boolean>> variants() {
        return List.of(AS_IS, COW);
    }

    @Override
    public World build(Variant<Boolean> variant) {
        return new ForkWorld(variant.behaviour());
    }

    /** One schedule's machine: P with F mapped, and, once A has forked, the child. */
    static final class ForkWorld extends MlockWorld {
        /** A writes the page in the child right after fork (else the end check does, after both CPUs). */
        private final boolean cowInBody;
        private final Task parent;
        private final long addr;
        private final Folio f;
        private volatile Task child;
        /** B's isolation reference while it holds F. */
        private volatile int bRefs;
        private volatile int walkedMappings = -1;
        private volatile int mapcountAfterFork = -1;

        ForkWorld(boolean cowInBody) {
            super(LruWorld.newMachine(2));
            this.cowInBody = cowInBody;
            this.parent = machine().cpu(0).call(() -> Task.root(machine()));
            this.addr = parent.mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
            if (addr < 0 || parent.touch(addr, true) != 0) {
                throw new IllegalStateException("setup: cannot map and write the page");
            }
            parent.lruAddDrain();
            this.f = name(machine().memMap().folio(Pte.pfn(parent.mm().pageTables().peek(addr))), "F");
        }

        @Override
        public int nrCpus() {
            return 2;
        }

        /** The bodies' own fields; the tasks' address spaces are the mm module's checkpoint (the child is forgotten). */
        @Override
        protected Runnable saveState() {
            return () -> {
                child = null;
                bRefs = 0;
                walkedMappings = -1;
                mapcountAfterFork = -1;
            };
        }

        @Override
        public int heldReferences(Folio folio) {
            return folio.pfn() == f.pfn() ? f.mapcount() + bRefs : UNTRACKED;
        }

        @Override
        protected void run(int cpu) {
            if (cpu == 0) {
                Task c = Explore.call("fork()", parent::fork);
                child = c;
                mapcountAfterFork = f.mapcount();
                if (cowInBody) {
                    Explore.call("child: write page", () -> c.touch(addr, true));
                }
            } else {
                boolean isolated = Explore.call("folio_isolate_lru(F)", () -> vmscan.folioIsolateLru(f));
                if (!isolated) return;
                bRefs = 1;
                if (!cowInBody) {
                    RmapOps ops = vmscan.rmapOps();
                    RmapOps.Referenced r = Explore.call("folio_referenced(F)", () -> ops.folioReferenced(f, false));
                    walkedMappings = r.referenced();
                }
                Explore.call("folio_putback_lru(F)", () -> vmscan.folioPutbackLru(f));
                bRefs = 0;
            }
        }

        @Override
        protected void check(Checks checks) {
            Task c = child;
            // B's putback left F in CPU 1's LRU-add batch; then, unless A wrote already, the child writes.
            machine().cpu(1).run(swap::lruAddDrain);
            if (!cowInBody) {
                checks.require(c.touch(addr, true) == 0, "child-write", "the child's write faulted fatally");
            }
            Task writer = c;
            Task other = parent;
            long wPte = writer.mm().pageTables().peek(addr);
            long oPte = other.mm().pageTables().peek(addr);
            checks.require(mapcountAfterFork == 2, "fork-shares", "F's mapcount after fork is " + mapcountAfterFork + " (expected 2)");
            checks.require(Pte.present(wPte) && Pte.pfn(wPte) != f.pfn(), "cow-copies",
                    "the writer reused F while the other process maps it: " + Pte.toString(wPte));
            checks.require(Pte.present(oPte) && Pte.pfn(oPte) == f.pfn() && !Pte.write(oPte), "other-keeps-F",
                    "the other process's PTE is " + Pte.toString(oPte) + " (expected F, write-protected)");
            checks.require(!f.test(PageFlags.PG_anon_exclusive), "not-exclusive", "F is still PG_anon_exclusive after fork");
            Folio copy = machine().memMap().folio(Pte.pfn(wPte));
            checks.require(copy.test(PageFlags.PG_anon_exclusive) && copy.mapcount() == 1, "copy-exclusive",
                    "the writer's copy: " + copy.dump());
            checks.require(walkedMappings <= 2, "walk-bounded", "folio_referenced found " + walkedMappings + " young mappings");
            checks.require(f.mapcount() == 1, "mapcount", "F's mapcount is " + f.mapcount() + " (expected 1)");
            checks.require(f.testLru() && f.refCount() == 1, "back-on-lru", "F at the end: " + f.dump());
            try {
                machine().cpu(0).run(() -> MmInvariants.check(parent.mm(), this::otherBatchEntries));
            } catch (RuntimeException e) {
                checks.require(false, "mm-invariants", e.getMessage());
            }
        }
    }
}
