package io.github.foliolab.explore.scenarios;

import io.github.foliolab.explore.Invariant;
import io.github.foliolab.explore.World;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.lru.BatchKind;
import io.github.foliolab.lru.LruBatchPolicies;
import io.github.foliolab.lru.LruVec;
import io.github.foliolab.lru.PerCpuWorkqueue;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.lru.Vmscan;

import java.util.ArrayList;
import java.util.List;

/**
 * A world with the lru module: the kernel's batching policy, kworkers in {@link PerCpuWorkqueue.Mode#MANUAL}
 * mode (no threads of their own: a queued drain runs only where a scenario body runs it, so the explorer
 * schedules it), the core and LRU invariants, and the reference bookkeeping the refcount invariant needs.
 */
public abstract class LruWorld extends World {
    /** {@code values()} once (called from per-step invariants). */
    private static final io.github.foliolab.lru.LruList[] LISTS = io.github.foliolab.lru.LruList.values();
    private static final BatchKind[] BATCH_KINDS = BatchKind.values();

    /** The machine's mm/swap.c state: the per-CPU folio batches and lru_add_drain(). */
    protected final Swap swap;
    /** The machine's mm/vmscan.c state: isolation and putback. */
    protected final Vmscan vmscan;
    /** The machine's lruvec: the LRU lists and lru_lock. */
    protected final LruVec lruvec;

    /**
     * A world on {@code machine}, which must have the lru module attached.
     *
     * @param machine the world's machine, typically from {@link #newMachine}
     */
    protected LruWorld(Machine machine) {
        super(machine);
        this.swap = Swap.of(machine);
        this.vmscan = Vmscan.of(machine);
        this.lruvec = LruVec.of(machine);
    }

    /**
     * A fresh machine of {@code cpus} CPUs and 512 pages whose memmap the garbage collector frees, with
     * the kernel's batching policy and per-CPU work run by hand ({@link PerCpuWorkqueue.Mode#MANUAL}).
     *
     * @param cpus the number of CPUs
     * @return the booted machine
     */
    public static Machine newMachine(int cpus) {
        return machineBuilder(cpus).build();
    }

    /** {@return the builder of {@link #newMachine}, for a scenario that sets more build options} */
    static Machine.Builder machineBuilder(int cpus) {
        return Machine.builder().cpus(cpus).zones(512, 0).gcManaged(true)
                .with(Swap.POLICY, LruBatchPolicies.kernel())
                .with(Swap.WORKQUEUE_MODE, PerCpuWorkqueue.Mode.MANUAL);
    }

    /** {@link #heldReferences} of a folio whose references the scenario does not track. */
    public static final int UNTRACKED = -1;

    /**
     * The references on {@code f} that the setup and the bodies hold outside the LRU and mlock batches
     * (mappings, page cache, isolation, temporary gets), as the bodies record them, or {@link #UNTRACKED}:
     * the refcount invariant ({@code refcount-covers-holders}) is then skipped for {@code f}. Every world
     * says which, so that skipping the invariant is a decision, not a default.
     *
     * @param f a folio of the world
     * @return the number of references, or {@link #UNTRACKED}
     */
    public abstract int heldReferences(Folio f);

    /**
     * {@return entries for {@code f} in batches other than mm/swap.c's (the mlock batches)}
     *
     * @param f a folio of the world
     */
    public int otherBatchEntries(Folio f) {
        return 0;
    }

    /**
     * {@return entries for {@code f} in every CPU's mm/swap.c batches (racy; exact at quiescent points)}
     *
     * @param f a folio of the world
     */
    public final int lruBatchEntries(Folio f) {
        int n = 0;
        for (int cpu = 0; cpu < machine().cpus().nr(); cpu++) {
            for (BatchKind k : BATCH_KINDS) {
                if (swap.batchContains(cpu, k, f)) n++;
            }
        }
        return n;
    }

    private int linkedRound = Integer.MIN_VALUE;
    private long[][] linked;

    /**
     * The pfns linked on each LRU list (LRU_UNEVICTABLE: none), walked without lru_lock: only while no
     * CPU holds it. Cached for the invariants of one check round.
     */
    final long[][] linkedLists(io.github.foliolab.explore.View v) {
        if (linked == null || linkedRound != v.round()) {
            long[][] out = new long[io.github.foliolab.lru.LruList.NR_LRU_LISTS][];
            for (io.github.foliolab.lru.LruList l : LISTS) {
                out[l.ordinal()] = l == io.github.foliolab.lru.LruList.LRU_UNEVICTABLE ? new long[0] : lruvec.listPfnsLocked(l);
            }
            linked = out;
            linkedRound = v.round();
        }
        return linked;
    }

    /** {@return the machine's mm/swap.c state} */
    public final Swap swap() {
        return swap;
    }

    /** {@return the machine's mm/vmscan.c state} */
    public final Vmscan vmscan() {
        return vmscan;
    }

    /** {@return the machine's lruvec} */
    public final LruVec lruvec() {
        return lruvec;
    }

    /** Adds each LRU list's size and its linked folios, in order. */
    @Override
    public String endState() {
        StringBuilder sb = new StringBuilder(super.endState());
        for (io.github.foliolab.lru.LruList l : LISTS) {
            sb.append(l).append(' ').append(lruvec.size(l));
            if (l != io.github.foliolab.lru.LruList.LRU_UNEVICTABLE) {
                for (long pfn : lruvec.listPfnsLocked(l)) sb.append(' ').append(folioName(pfn));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Override
    public List<Invariant> invariants() {
        List<Invariant> l = new ArrayList<>(CoreInvariants.all());
        l.addAll(LruInvariants.all());
        return l;
    }
}
