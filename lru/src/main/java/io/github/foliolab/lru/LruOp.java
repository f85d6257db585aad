package io.github.foliolab.lru;

import io.github.foliolab.folio.FolioOp;
import io.github.foliolab.folio.api.sched.SchedOp;

/** The schedule points of the lru module (mm/swap.c, mm/vmscan.c) that are not locks or folio atomics. */
public enum LruOp implements SchedOp {
    /** folio_batch_add() into a per-CPU batch; id = pfn, arg = cpu. CPU-local. */
    FOLIO_BATCH_ADD("folio_batch_add", Subject.FOLIO, Kind.WRITE, false),
    /** Offer to the shared MPSC add buffer (batching policy, not a kernel path); id = pfn. */
    SHARED_BUFFER_OFFER("lru_add_buffer_offer", Subject.FOLIO, Kind.WRITE, true),
    /** queue_work_on(cpu, mm_percpu_wq, work); id = the work's object id, arg = cpu. */
    QUEUE_WORK_ON("queue_work_on", Subject.OBJECT, Kind.SIGNAL, true),
    /** A kworker starts running a queued work item; id = the work's object id, arg = cpu. */
    RUN_WORK("process_one_work", Subject.OBJECT, Kind.WRITE, true),
    /** {@code smp_load_acquire(&lru_drain_gen)}; id = the generation's object id. */
    LOAD_DRAIN_GEN("smp_load_acquire(lru_drain_gen)", Subject.OBJECT, Kind.READ, true),
    /** WRITE_ONCE(lru_drain_gen, gen + 1); smp_mb(). */
    BUMP_DRAIN_GEN("WRITE_ONCE(lru_drain_gen)", Subject.OBJECT, Kind.WRITE, true),
    /** {@code atomic_read(&lru_disable_count)} ({@code lru_cache_disabled()}). */
    READ_DISABLE_COUNT("lru_cache_disabled()", Subject.OBJECT, Kind.READ, true),
    /** atomic_inc / atomic_dec of lru_disable_count. */
    MOD_DISABLE_COUNT("atomic_add(lru_disable_count)", Subject.OBJECT, Kind.WRITE, true),
    /**
     * A racy read of another CPU's batch count (cpu_needs_drain, need_mlock_drain); id = that CPU's
     * cpu_fbatches or mlock_fbatch object, arg = cpu.
     */
    READ_BATCH_COUNT("folio_batch_count", Subject.OBJECT, Kind.READ, true),
    /**
     * The owning CPU's change of its batch count, declared with {@code SchedPoints.access} where a batch
     * gains an entry or is emptied (not a decision of its own); id and arg as {@link #READ_BATCH_COUNT}, so
     * partial-order reduction orders a remote {@code cpu_needs_drain} with it.
     */
    WRITE_BATCH_COUNT("folio_batch_count", Subject.OBJECT, Kind.WRITE, false);

    private final String kernelName;
    private final Subject subject;
    private final Kind kind;
    private final boolean shared;

    LruOp(String kernelName, Subject subject, Kind kind, boolean shared) {
        this.kernelName = kernelName;
        this.subject = subject;
        this.kind = kind;
        this.shared = shared;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public String kernelName() {
        return kernelName;
    }

    @Override
    public Subject subject() {
        return subject;
    }

    /**
     * folio_batch_add: {@link FolioOp#LRU_BATCH_ADD_PART}, a word of the folio no other op names (the add
     * writes this CPU's batch, not the folio), so that partial-order reduction does not order it with
     * every step on the folio; the other steps: their whole object.
     */
    @Override
    public int part(long arg) {
        return this == FOLIO_BATCH_ADD ? FolioOp.LRU_BATCH_ADD_PART : WHOLE;
    }

    @Override
    public boolean shared() {
        return shared;
    }
}
