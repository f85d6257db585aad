package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.Node;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.cpu.Cpu;
import io.github.foliolab.folio.cpu.PerCpu;
import io.github.foliolab.mlock.Mlock;
import io.github.foliolab.folio.sync.LocalLock;
import io.github.foliolab.folio.sync.Mutex;

import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.github.foliolab.folio.api.PageFlags.PG_active;
import static io.github.foliolab.folio.api.PageFlags.PG_dirty;
import static io.github.foliolab.folio.api.PageFlags.PG_dropbehind;
import static io.github.foliolab.folio.api.PageFlags.PG_locked;
import static io.github.foliolab.folio.api.PageFlags.PG_lru;
import static io.github.foliolab.folio.api.PageFlags.PG_referenced;
import static io.github.foliolab.folio.api.PageFlags.PG_swapbacked;
import static io.github.foliolab.folio.api.PageFlags.PG_swapcache;
import static io.github.foliolab.folio.api.PageFlags.PG_unevictable;

/**
 * mm/swap.c of Linux 7.2 for one machine: the per-CPU folio batches (cpu_fbatches), their drains, and
 * the LRU entry points. Every method runs on the calling thread's simulated CPU (Cpu.current()).
 *
 * <p>Each batch entry owns one folio reference, taken before queueing (folio_get) and dropped by
 * folios_put() when the batch drains. lru_add entries have PG_lru clear; the other batches hold folios
 * whose PG_lru is still set, and their move is dropped at drain time if test-and-clear of PG_lru loses.
 *
 * <p>Batching (capacity, folio_may_be_lru_cached, remote drain, shared buffer) follows the machine's
 * {@link LruBatchPolicy}, chosen with the {@link #POLICY} build option (the kernel's by default).
 *
 * <p>Model differences: the classic LRU only (no MGLRU: folio_add_lru never sets PG_active in fault
 * context, folio_mark_accessed never bumps generation refs); no buffer-head LRUs; lru_cache_disable's
 * synchronize_rcu_expedited() is modelled by taking and releasing every CPU's batch locks (every CPU
 * that read lru_disable_count as 0 inside a batch-add section has left it); workingset_activation and
 * PG_idle are not modelled.
 */
public final class Swap implements AutoCloseable {
    private static final Machine.Key<Swap> KEY = new Machine.Key<>("swap");

    /** The machine's LRU batching policy (a build option; the kernel's by default). */
    public static final Machine.Option<LruBatchPolicy> POLICY =
            new Machine.Option<>("lru batching policy", LruBatchPolicies.kernel());

    /**
     * How queued per-CPU work (lru_add_drain_all's) runs: kworker threads, or by hand (the explorer's
     * deterministic mode). A build option; threads by default.
     */
    public static final Machine.Option<PerCpuWorkqueue.Mode> WORKQUEUE_MODE =
            new Machine.Option<>("mm_percpu_wq mode", PerCpuWorkqueue.Mode.THREADS);

    /** The batches lru_add_drain_cpu drains after lru_add and lru_move_tail, in its order. */
    private static final BatchKind[] LOCK_BATCHES_AFTER_ADD = {BatchKind.LRU_DEACTIVATE_FILE,
        BatchKind.LRU_DEACTIVATE, BatchKind.LRU_LAZYFREE, BatchKind.LRU_ACTIVATE};
    private static final BatchKind[] ALL_BATCHES = BatchKind.values();

    private final Machine machine;
    private final MemMap mm;
    private final Node node;
    private final LruVec lruvec;
    private final Vmscan vmscan;
    private final LruMoves moves;
    private final LruBatchPolicy policy;
    private final PerCpu<CpuFbatches> fbatches;
    private final PerCpuWorkqueue workqueue;
    /** DEFINE_PER_CPU(struct work_struct, lru_add_drain_work). */
    private final PerCpuWork[] drainWork;
    private final SharedAddBuffer sharedBuffer;

    /** lru_drain_gen of __lru_add_drain_all; written under {@link #drainAllLock}, read with acquire outside. */
    private final AtomicInteger lruDrainGen = new AtomicInteger();
    private final long drainGenId = SchedPoints.newObjectId("lru_drain_gen");
    /** __lru_add_drain_all's static mutex: protects the generation bump, hasWork, the queue/flush pass. */
    private final Mutex drainAllLock = new Mutex("lru_add_drain_all.lock");
    /** has_work cpumask, under {@link #drainAllLock}. */
    private final boolean[] hasWork;
    /** lru_disable_count. */
    private final AtomicInteger lruDisableCount = new AtomicInteger();
    private final long disableCountId = SchedPoints.newObjectId("lru_disable_count");

    /** The folio half of mm/mlock.c; set once while the machine is built, right after construction. */
    private Mlock mlock;

    private Swap(Machine machine, LruBatchPolicy policy, PerCpuWorkqueue.Mode mode, LruVec lruvec, Vmscan vmscan) {
        this.policy = policy;
        this.workqueue = new PerCpuWorkqueue(machine, mode);
        this.machine = machine;
        this.mm = machine.memMap();
        this.node = machine.node();
        this.lruvec = lruvec;
        this.vmscan = vmscan;
        this.moves = new LruMoves(mm, lruvec, machine.vmstat(), vmscan);
        for (BatchKind k : BatchKind.values()) {
            if (policy.batchCapacity(k) < 1) {
                throw new IllegalArgumentException("policy " + policy.name() + ": " + k.kernelName()
                        + " batch capacity " + policy.batchCapacity(k) + " < 1");
            }
        }
        if (policy.mlockBatchCapacity() < 1) {
            throw new IllegalArgumentException("policy " + policy.name() + ": mlock batch capacity "
                    + policy.mlockBatchCapacity() + " < 1");
        }
        this.fbatches = new PerCpu<>(machine.cpus(), cpu -> new CpuFbatches(mm, cpu, policy));
        int n = machine.cpus().nr();
        this.drainWork = new PerCpuWork[n];
        for (int i = 0; i < n; i++) {
            drainWork[i] = new PerCpuWork("lru_add_drain_work", i, this::lruAddAndBhLrusDrain);
        }
        this.hasWork = new boolean[n];
        int shared = policy.sharedAddBufferSize();
        if (shared > 0 && machine.nodes().size() > 1) {
            // The shared buffer (not a kernel mechanism) drains under one lruvec's lock.
            throw new IllegalArgumentException("LRU policy " + policy + " uses a shared add buffer, which works on"
                    + " one-node machines only; this machine has " + machine.nodes().size() + " nodes");
        }
        this.sharedBuffer = shared > 0 ? new SharedAddBuffer(this, shared) : null;
    }

    /**
     * The machine's mm/swap.c state.
     *
     * @param machine the machine
     * @return its mm/swap.c state (one per machine)
     * @throws IllegalStateException if the lru module is not attached to the machine
     */
    public static Swap of(Machine machine) {
        return machine.state(KEY);
    }

    /**
     * Create the machine's mm/swap.c state with the {@link #POLICY} and {@link #WORKQUEUE_MODE} options,
     * and the folio half of mm/mlock.c beside it; the kworker threads stop when the machine closes.
     * Called by the lru module while the machine is built.
     */
    static Swap attach(Machine.Assembly a, LruVec lruvec, Vmscan vmscan) {
        Swap s = new Swap(a.machine(), a.option(POLICY), a.option(WORKQUEUE_MODE), lruvec, vmscan);
        a.put(KEY, s);
        s.mlock = Mlock.attach(a, s);
        a.onClose(s);
        return s;
    }

    /** {@return the folio half of mm/mlock.c this mm/swap.c calls (mlock_new_folio, mlock_drain_local)} */
    public Mlock mlock() {
        return mlock;
    }

    /** {@return the machine this state belongs to} */
    public Machine machine() {
        return machine;
    }

    /** {@return the batching policy the machine was built with ({@code Swap.POLICY}; the kernel's by default)} */
    public LruBatchPolicy policy() {
        return policy;
    }

    /** {@return the lruvec of node 0, where this mm/swap.c's batches move folios on a one-node machine} */
    public LruVec lruvec() {
        return lruvec;
    }

    /** {@return mm_percpu_wq, the work queue lru_add_drain_all() queues lru_add_drain_per_cpu on} */
    public PerCpuWorkqueue workqueue() {
        return workqueue;
    }

    /** Stop the kworker threads (the machine does this when it closes). */
    @Override
    public void close() {
        workqueue.close();
    }

    // ------------------------------------------------------------ per-CPU batches

    private CpuFbatches local() {
        return fbatches.of(Cpu.current());
    }

    /**
     * cpu_fbatches.lock of {@code cpu}: hold it around {@link #lruAddDrainCpu}.
     *
     * @param cpu the simulated CPU number
     * @return that CPU's local lock
     */
    public LocalLock cpuFbatchesLock(int cpu) {
        return fbatches.of(cpu).lock;
    }

    /**
     * folio_batch_count() of a CPU's batch (racy unless that CPU's lock is held).
     *
     * @param cpu the simulated CPU number
     * @param kind the kind
     * @return the folios queued in it
     */
    public int batchCount(int cpu, BatchKind kind) {
        return fbatches.of(cpu).batch(kind).count();
    }

    /**
     * {@return true if a CPU's batch holds the folio (racy unless that CPU's lock is held)}
     *
     * @param cpu the simulated CPU number
     * @param kind the kind
     * @param folio the folio
     */
    public boolean batchContains(int cpu, BatchKind kind, Folio folio) {
        return fbatches.of(cpu).batch(kind).contains(folio.pfn());
    }

    /**
     * {@return entries waiting in the shared add buffer of a {@link LruBatchPolicy#sharedAddBufferSize}
     * policy}
     */
    public int sharedBufferCount() {
        return sharedBuffer == null ? 0 : sharedBuffer.size();
    }

    /**
     * folio_may_be_lru_cached() of the policy (!folio_test_large for the kernel).
     *
     * @param folio the folio
     * @return true if the folio may wait in a per-CPU batch
     */
    public boolean folioMayBeLruCached(Folio folio) {
        return policy.mayBeLruCached(folio);
    }

    /** {@return {@code lru_cache_disabled()}: {@code atomic_read(&lru_disable_count) != 0} (relaxed)} */
    public boolean lruCacheDisabled() {
        SchedPoints.before(LruOp.READ_DISABLE_COUNT, disableCountId, 0);
        boolean r = lruDisableCount.getOpaque() != 0; // atomic_read: relaxed
        return SchedPoints.after(LruOp.READ_DISABLE_COUNT, disableCountId, r);
    }

    /**
     * __folio_batch_add_and_move(): take the batch's reference, add to this CPU's batch under its local
     * lock, and move the whole batch now if it became full, the folio may not be cached, or the LRU
     * caches are disabled.
     */
    private void folioBatchAddAndMove(Folio folio, BatchKind kind) {
        long pfn = folio.pfn();
        mm.get(pfn); // folio_get: the batch's reference
        CpuFbatches fb = local();
        LocalLock l = fb.lockFor(kind);
        l.lock();
        try {
            FolioBatch b = fb.batch(kind);
            SchedPoints.before(LruOp.FOLIO_BATCH_ADD, pfn, fb.cpu);
            b.addPfn(pfn);
            SchedPoints.access(LruOp.WRITE_BATCH_COUNT, fb.id, fb.cpu); // the count a remote cpu_needs_drain reads
            if (policy.moveNow(kind, b, folio, this)) {
                folioBatchMoveLru(fb, b, kind);
            }
        } finally {
            l.unlock();
        }
    }

    /**
     * folio_batch_move_lru(): for each entry, win PG_lru (except lru_add, whose folios are off-LRU) or
     * skip it; in lru_add, free dead folios (folio_ref_freeze(folio, 1) succeeds: the batch holds the only
     * reference) instead of adding them; otherwise move under lru_lock and set PG_lru. Then unlock and
     * folios_put() the batch's references. Caller holds the batch's local lock.
     */
    void folioBatchMoveLru(CpuFbatches fb, FolioBatch fbatch, BatchKind kind) {
        boolean isLruAdd = kind == BatchKind.LRU_ADD;
        FolioBatch dead = fb.deadFolios;
        LruVec locked = null;
        try {
            for (int i = 0; i < fbatch.count(); i++) {
                long pfn = fbatch.pfn(i);
                // Block memcg migration while the folio moves between lrus.
                if (!isLruAdd && !mm.testClearFlag(pfn, PG_lru)) {
                    continue;
                }
                // folio_ref_freeze(folio, 1): a failed cmpxchg is unordered, so a relaxed pre-read that
                // sees another count is the same outcome without the locked instruction.
                if (isLruAdd && mm.refCountRaw(pfn) == 1 && mm.refFreeze(pfn, 1)) {
                    mm.nonAtomicClearFlag(pfn, PG_active);
                    mm.nonAtomicClearFlag(pfn, PG_unevictable);
                    fbatch.clearSlot(i);
                    dead.addPfn(pfn);
                    continue;
                }
                locked = lruvec.relockIrqsave(pfn, locked); // folio_lruvec_relock_irqsave
                moves.move(kind, pfn);
                mm.setFlag(pfn, PG_lru); // folio_set_lru, under lru_lock after the insertion
            }
        } finally {
            if (locked != null) {
                locked.unlockIrqrestore();
            }
        }
        if (isLruAdd && dead.count() > 0) {
            for (int i = 0; i < dead.count(); i++) {
                node.freeFrozenFolio(mm.folio(dead.pfn(i))); // free_unref_folios
            }
            dead.reinit();
        }
        foliosPut(fbatch);
        SchedPoints.access(LruOp.WRITE_BATCH_COUNT, fb.id, fb.cpu); // folios_put emptied the batch
    }

    // ------------------------------------------------------------ entry points

    /**
     * folio_add_lru(): queue a new folio (PG_lru clear) in this CPU's lru_add batch, with a reference.
     *
     * @param folio the folio
     */
    public void folioAddLru(Folio folio) {
        long pfn = folio.pfn();
        long flags = mm.flagsWord(pfn); // the VM_BUG_ON checks: one relaxed read, not schedule points
        if ((flags & (1L << PG_active)) != 0 && (flags & (1L << PG_unevictable)) != 0) {
            throw new VmBugException("VM_BUG_ON_FOLIO(folio_test_active(folio) && folio_test_unevictable(folio))\n" + folio.dump());
        }
        if ((flags & (1L << PG_lru)) != 0) {
            throw new VmBugException("VM_BUG_ON_FOLIO(folio_test_lru(folio)) in folio_add_lru\n" + folio.dump());
        }
        if (sharedBuffer != null) {
            sharedBuffer.add(folio);
        } else {
            folioBatchAddAndMove(folio, BatchKind.LRU_ADD);
        }
    }

    /**
     * folio_add_lru_vma(): like folio_add_lru, but a folio faulted into a VM_LOCKED (and not VM_SPECIAL)
     * VMA goes to mlock_new_folio() instead.
     *
     * @param folio the folio
     * @param vmFlags the VMA's vm_flags (VM_* bits)
     */
    public void folioAddLruVma(Folio folio, long vmFlags) {
        if (folio.testLru()) {
            throw new VmBugException("VM_BUG_ON_FOLIO(folio_test_lru(folio)) in folio_add_lru_vma\n" + folio.dump());
        }
        if ((vmFlags & (VmFlags.VM_LOCKED | VmFlags.VM_SPECIAL)) == VmFlags.VM_LOCKED) {
            mlock.mlockNewFolio(folio);
        } else {
            folioAddLru(folio);
        }
    }

    /**
     * folio_rotate_reclaimable(): end of writeback of a PG_reclaim folio: queue it for the inactive tail.
     *
     * @param folio the folio
     */
    public void folioRotateReclaimable(Folio folio) {
        long pfn = folio.pfn();
        if (mm.testFlag(pfn, PG_locked) || mm.testFlag(pfn, PG_dirty)
                || mm.testFlag(pfn, PG_unevictable) || !mm.testFlag(pfn, PG_lru)) {
            return;
        }
        folioBatchAddAndMove(folio, BatchKind.LRU_MOVE_TAIL);
    }

    /**
     * folio_activate() (SMP): queue an inactive, evictable LRU folio for activation.
     *
     * @param folio the folio
     */
    public void folioActivate(Folio folio) {
        long pfn = folio.pfn();
        if (mm.testFlag(pfn, PG_active) || mm.testFlag(pfn, PG_unevictable) || !mm.testFlag(pfn, PG_lru)) {
            return;
        }
        folioBatchAddAndMove(folio, BatchKind.LRU_ACTIVATE);
    }

    /**
     * __lru_cache_activate_folio(): search only this CPU's lru_add batch, newest first, and set PG_active
     * on the folio if it is there. With a shared-buffer policy there is no local batch to search: nothing
     * happens (that policy's difference).
     */
    private void lruCacheActivateFolio(Folio folio) {
        CpuFbatches fb = local();
        fb.lock.lock();
        try {
            FolioBatch b = fb.batch(BatchKind.LRU_ADD);
            for (int i = b.count() - 1; i >= 0; i--) {
                if (b.pfn(i) == folio.pfn()) {
                    folio.setActive();
                    break;
                }
            }
        } finally {
            fb.lock.unlock();
        }
    }

    /**
     * folio_mark_accessed() of the classic LRU: inactive,unreferenced -> inactive,referenced ->
     * active (queued with folio_activate, or PG_active set directly if the folio is in this CPU's
     * lru_add batch) -> active,referenced. Unevictable folios are left alone; PG_dropbehind folios too.
     *
     * @param folio the folio
     */
    public void folioMarkAccessed(Folio folio) {
        long pfn = folio.pfn();
        if (mm.testFlag(pfn, PG_dropbehind)) {
            return;
        }
        if (!mm.testFlag(pfn, PG_referenced)) {
            mm.setFlag(pfn, PG_referenced);
        } else if (mm.testFlag(pfn, PG_unevictable)) {
            // The unevictable "list" is never rotated: marking accessed has no effect.
        } else if (!mm.testFlag(pfn, PG_active)) {
            if (mm.testFlag(pfn, PG_lru)) {
                folioActivate(folio);
            } else {
                lruCacheActivateFolio(folio);
            }
            mm.clearFlag(pfn, PG_referenced);
            // workingset_activation(): not modelled.
        }
    }

    /**
     * deactivate_file_folio(): hint that an evictable LRU file folio is a good reclaim candidate.
     *
     * @param folio the folio
     */
    public void deactivateFileFolio(Folio folio) {
        long pfn = folio.pfn();
        if (mm.testFlag(pfn, PG_unevictable) || !mm.testFlag(pfn, PG_lru)) {
            return;
        }
        folioBatchAddAndMove(folio, BatchKind.LRU_DEACTIVATE_FILE);
    }

    /**
     * folio_deactivate() (MADV_COLD): queue an active, evictable LRU folio for deactivation.
     *
     * @param folio the folio
     */
    public void folioDeactivate(Folio folio) {
        long pfn = folio.pfn();
        if (mm.testFlag(pfn, PG_unevictable) || !mm.testFlag(pfn, PG_lru)) {
            return;
        }
        if (!mm.testFlag(pfn, PG_active)) {
            return;
        }
        folioBatchAddAndMove(folio, BatchKind.LRU_DEACTIVATE);
    }

    /**
     * folio_mark_lazyfree() (MADV_FREE): queue a clean anon folio for the inactive file list.
     *
     * @param folio the folio
     */
    public void folioMarkLazyfree(Folio folio) {
        long pfn = folio.pfn();
        if ((mm.mapping(pfn) & 1L) == 0 || !mm.testFlag(pfn, PG_swapbacked) || !mm.testFlag(pfn, PG_lru)
                || mm.testFlag(pfn, PG_swapcache) || mm.testFlag(pfn, PG_unevictable)) {
            return;
        }
        folioBatchAddAndMove(folio, BatchKind.LRU_LAZYFREE);
    }

    // ------------------------------------------------------------ drains

    /**
     * lru_add_drain_cpu(cpu): move every non-empty batch of {@code cpu} (lru_move_tail under its
     * lock_irq). The caller holds that CPU's {@link #cpuFbatchesLock} (its own CPU's in the kernel; a
     * remote one in the PREEMPT_RT-style drain).
     *
     * @param cpu the simulated CPU number
     */
    public void lruAddDrainCpu(int cpu) {
        CpuFbatches fb = fbatches.of(cpu);
        if (!fb.lock.heldByCurrentThread()) {
            throw new VmBugException("lockdep: lru_add_drain_cpu(" + cpu + ") without " + fb.lock.name());
        }
        FolioBatch b = fb.batch(BatchKind.LRU_ADD);
        if (b.count() > 0) {
            folioBatchMoveLru(fb, b, BatchKind.LRU_ADD);
        }
        b = fb.batch(BatchKind.LRU_MOVE_TAIL);
        if (b.count() > 0) { // data_race(): no harm if a racing interrupt already did it
            fb.lockIrq.lock();
            try {
                if (b.count() > 0) {
                    folioBatchMoveLru(fb, b, BatchKind.LRU_MOVE_TAIL);
                }
            } finally {
                fb.lockIrq.unlock();
            }
        }
        for (BatchKind k : LOCK_BATCHES_AFTER_ADD) {
            b = fb.batch(k);
            if (b.count() > 0) {
                folioBatchMoveLru(fb, b, k);
            }
        }
    }

    /** lru_add_drain(): drain this CPU's LRU batches, then its mlock batch (mlock_drain_local). */
    public void lruAddDrain() {
        CpuFbatches fb = local();
        fb.lock.lock();
        try {
            lruAddDrainCpu(fb.cpu);
        } finally {
            fb.lock.unlock();
        }
        if (sharedBuffer != null) {
            sharedBuffer.drain();
        }
        mlock.mlockDrainLocal();
    }

    /** lru_add_and_bh_lrus_drain(): the per-CPU work of lru_add_drain_all (no bh LRUs in the model). */
    private void lruAddAndBhLrusDrain() {
        lruAddDrain();
    }

    /**
     * cpu_needs_drain(cpu): any of the six batches non-empty, or need_mlock_drain(cpu). Racy reads by
     * design (ordered by the smp_mb()s of __lru_add_drain_all).
     *
     * @param cpu the simulated CPU number
     * @return true if lru_add_drain_all() must queue work on that CPU
     */
    public boolean cpuNeedsDrain(int cpu) {
        CpuFbatches fb = fbatches.of(cpu);
        SchedPoints.before(LruOp.READ_BATCH_COUNT, fb.id, cpu);
        for (BatchKind k : ALL_BATCHES) {
            if (fb.batch(k).count() > 0) { // covered by the READ_BATCH_COUNT point's footprint
                return true;
            }
        }
        return mlock.needMlockDrain(cpu);
    }

    /** {@return the current lru_drain_gen (racy read, for tests)} */
    public int lruDrainGen() {
        return lruDrainGen.get();
    }

    /** lru_add_drain_all(). */
    public void lruAddDrainAll() {
        lruAddDrainAll(false);
    }

    /**
     * __lru_add_drain_all(force): full barrier; load-acquire lru_drain_gen; drain locally first; take the
     * mutex; unless forced, return if another drain bumped the generation since we sampled it (it covers
     * our additions); else bump the generation, full barrier, and get every CPU that needs it drained —
     * by queueing lru_add_drain_per_cpu work on it and flushing it (the kernel), or by draining it from
     * here under its local locks (REMOTE_LOCAL_LOCK policies).
     */
    private void lruAddDrainAll(boolean forceAllCpus) {
        VarHandle.fullFence(); // smp_mb(): our batch stores visible before we load the generation
        SchedPoints.before(LruOp.LOAD_DRAIN_GEN, drainGenId, 0);
        int thisGen = lruDrainGen.getAcquire(); // smp_load_acquire
        SchedPoints.after(LruOp.LOAD_DRAIN_GEN, drainGenId, thisGen);
        lruAddDrain(); // "It helps everyone if we do our own local drain immediately."
        drainAllLock.lock();
        try {
            if (thisGen != lruDrainGen.getOpaque() && !forceAllCpus) { // READ_ONCE under the mutex
                return; // a newer generation was already scheduled for draining
            }
            SchedPoints.before(LruOp.BUMP_DRAIN_GEN, drainGenId, thisGen);
            lruDrainGen.set(lruDrainGen.getOpaque() + 1); // WRITE_ONCE + smp_mb(): volatile store is SC
            VarHandle.fullFence();
            int n = hasWork.length;
            for (int cpu = 0; cpu < n; cpu++) {
                hasWork[cpu] = false;
            }
            boolean remote = policy.remoteDrain() == LruBatchPolicy.RemoteDrain.REMOTE_LOCAL_LOCK;
            for (int cpu = 0; cpu < n; cpu++) {
                if (cpuNeedsDrain(cpu)) {
                    if (remote) {
                        drainCpuUnderLocalLocks(cpu);
                    } else {
                        workqueue.queueWorkOn(cpu, drainWork[cpu]);
                        hasWork[cpu] = true;
                    }
                }
            }
            for (int cpu = 0; cpu < n; cpu++) {
                if (hasWork[cpu]) {
                    workqueue.flushWork(drainWork[cpu]);
                }
            }
        } finally {
            drainAllLock.unlock();
        }
    }

    /** PREEMPT_RT-style remote drain: that CPU's batches under its cpu_fbatches.lock, then its mlock batch. */
    private void drainCpuUnderLocalLocks(int cpu) {
        CpuFbatches fb = fbatches.of(cpu);
        fb.lock.lock();
        try {
            lruAddDrainCpu(cpu);
        } finally {
            fb.lock.unlock();
        }
        mlock.mlockDrainRemote(cpu);
    }

    /**
     * lru_cache_disable(): increment lru_disable_count, wait until every CPU has left any batch-add
     * section that saw it zero (synchronize_rcu_expedited, modelled by taking and releasing each CPU's
     * batch locks), then a forced lru_add_drain_all. Must be paired with {@link #lruCacheEnable()}.
     */
    public void lruCacheDisable() {
        SchedPoints.before(LruOp.MOD_DISABLE_COUNT, disableCountId, 1);
        lruDisableCount.incrementAndGet(); // atomic_inc: relaxed in the kernel; SC here
        for (int cpu = 0; cpu < hasWork.length; cpu++) {
            CpuFbatches fb = fbatches.of(cpu);
            fb.lock.lock();
            fb.lock.unlock();
            fb.lockIrq.lock();
            fb.lockIrq.unlock();
        }
        if (sharedBuffer != null) {
            lruvec.lock(); // shared-buffer adders decide under lru_lock or after a completed offer
            lruvec.unlock();
        }
        lruAddDrainAll(true);
    }

    /** lru_cache_enable(). */
    public void lruCacheEnable() {
        SchedPoints.before(LruOp.MOD_DISABLE_COUNT, disableCountId, -1);
        int v;
        do {
            v = lruDisableCount.get();
            if (v <= 0) { // checked before changing anything
                throw new VmBugException("lru_cache_enable() without lru_cache_disable(): lru_disable_count " + v);
            }
        } while (!lruDisableCount.compareAndSet(v, v - 1)); // atomic_dec: relaxed in the kernel; SC here
    }

    // ------------------------------------------------------------ putting references

    /**
     * folios_put_refs(): drop refs[i] references (1 if refs is null) from each folio; those that reach
     * zero are taken off the LRU under one lru_lock hold (__page_cache_release) and freed in bulk
     * (free_unref_folios). NULL slots are skipped, and so would be the huge zero folio (the model has
     * none); the ordinary zero page is not skipped: a reference taken on it (GUP with FOLL_GET) is dropped
     * here like any other, and its count never reaches zero (it starts at 1, PG_reserved). The batch is
     * returned empty (folio_batch_reinit: percpu_pvec_drained kept).
     *
     * @param folios the folios (head pfns), each holding the references dropped here
     * @param refs the references to drop per slot, or null for one each
     */
    public void foliosPutRefs(FolioBatch folios, int[] refs) {
        int j = 0;
        LruVec locked = null;
        try {
            for (int i = 0; i < folios.count(); i++) {
                long pfn = folios.pfn(i);
                if (pfn == FolioBatch.NULL_PFN) { // is_huge_zero_folio(): no huge zero folio in the model
                    continue;
                }
                int nrRefs = refs != null ? refs[i] : 1;
                if (!mm.refSubAndTest(pfn, nrRefs)) {
                    continue;
                }
                lruvec.folioFreeLarge(pfn); // folio_unqueue_deferred_split (large folios only)
                if (mm.testFlag(pfn, PG_lru)) {
                    locked = lruvec.relockIrqsave(pfn, locked); // folio_lruvec_relock_irqsave
                    locked.pageCacheReleaseLocked(pfn);
                }
                folios.setPfn(j++, pfn);
            }
        } finally {
            if (locked != null) {
                locked.unlockIrqrestore();
            }
        }
        folios.truncate(j);
        for (int i = 0; i < j; i++) {
            node.freeFrozenFolio(mm.folio(folios.pfn(i)));
        }
        folios.reinit();
    }

    /**
     * folios_put().
     *
     * @param folios the folios
     */
    public void foliosPut(FolioBatch folios) {
        foliosPutRefs(folios, null);
    }

    /**
     * release_pages(): folio_put on each, batched through folios_put_refs in batches of 31.
     *
     * @param folios the folios
     */
    public void releasePages(List<Folio> folios) {
        FolioBatch fb = new FolioBatch(mm);
        for (Folio f : folios) {
            if (fb.add(f) == 0) {
                foliosPut(fb);
            }
        }
        if (fb.count() > 0) {
            foliosPut(fb);
        }
    }

    /**
     * __folio_batch_release(): lru_add_drain() unless this batch was already drained for (the flag
     * survives the folio_batch_reinit() of folios_put(), so once per pass of batches), then folios_put().
     *
     * @param fbatch the folios to release, one reference each; returned empty
     */
    public void folioBatchRelease(FolioBatch fbatch) {
        if (!fbatch.percpuPvecDrained()) {
            lruAddDrain();
            fbatch.setPercpuPvecDrained(true);
        }
        foliosPut(fbatch);
    }

    /** The LRU move functions, for the shared buffer. */
    LruMoves moves() {
        return moves;
    }

    MemMap memMap() {
        return mm;
    }

    Node node() {
        return node;
    }

    /**
     * Save mm/swap.c's state (a machine checkpoint): every CPU's batches and local locks, the drain works
     * and queues, lru_drain_gen, has_work, the drain-all mutex, lru_disable_count, and the mlock batches.
     */
    Runnable save() {
        java.util.List<io.github.foliolab.folio.Restorable> parts = new java.util.ArrayList<>();
        for (int cpu = 0; cpu < fbatches.size(); cpu++) {
            parts.add(fbatches.of(cpu)::save);
        }
        for (PerCpuWork w : drainWork) {
            parts.add(w::save);
        }
        parts.add(workqueue::save);
        if (sharedBuffer != null) {
            parts.add(sharedBuffer::save);
        }
        parts.add(drainAllLock);
        parts.add(mlock::save);
        int gen = lruDrainGen.get();
        int disabled = lruDisableCount.get();
        boolean[] work = hasWork.clone();
        Runnable back = io.github.foliolab.folio.Restorable.saveAll(parts.toArray(io.github.foliolab.folio.Restorable[]::new));
        return () -> {
            lruDrainGen.set(gen);
            lruDisableCount.set(disabled);
            System.arraycopy(work, 0, hasWork, 0, work.length);
            back.run();
        };
    }
}
