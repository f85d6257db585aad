package io.github.foliolab.lru;

import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.sync.Completion;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A struct work_struct bound to one CPU (DEFINE_PER_CPU(struct work_struct, lru_add_drain_work)): a
 * function, the WORK_STRUCT_PENDING bit, and the completion flush_work() waits on.
 */
public final class PerCpuWork {
    private final long id;
    private final int cpu;
    private final Runnable fn;
    /** Set once the work was first queued (flush_work of a never-queued work returns at once). */
    private volatile boolean everQueued;
    /** WORK_STRUCT_PENDING: test_and_set by queue_work_on (fully ordered), cleared when the work starts. */
    private final AtomicBoolean pending = new AtomicBoolean();
    /** The flush barrier: complete()d (release) after fn ran; flush_work waits on it (acquire). */
    private final Completion done;

    /**
     * INIT_WORK(): a work item bound to one CPU (as queued by schedule_work_on / queue_work_on).
     *
     * @param name the work's name in traces (e.g. {@code lru_add_drain_per_cpu}); "/cpu" is appended
     * @param cpu the simulated CPU it runs on
     * @param fn the work function, run on a kworker bound to that CPU
     */
    public PerCpuWork(String name, int cpu, Runnable fn) {
        this.id = SchedPoints.newObjectId(name + "/" + cpu);
        this.cpu = cpu;
        this.fn = fn;
        this.done = new Completion(name + "-done/" + cpu);
    }

    /** {@return the work item's object id (schedule points name it)} */
    public long id() {
        return id;
    }

    /** {@return the simulated CPU the work runs on} */
    public int cpu() {
        return cpu;
    }

    /** {@return work_pending(): WORK_STRUCT_PENDING is set (queued and not yet started)} */
    public boolean isPending() {
        return pending.get();
    }

    /** Mark pending; false if it already was (queue_work_on returns false then). Fully ordered. */
    boolean markPending() {
        if (!pending.compareAndSet(false, true)) { // test_and_set_bit(WORK_STRUCT_PENDING): fully ordered
            return false;
        }
        done.reinit();
        everQueued = true; // volatile store, after reinit: a flusher that sees it waits for this run
        return true;
    }

    /** process_one_work(): clear PENDING, run, then complete the flush barrier. */
    void run() {
        SchedPoints.before(LruOp.RUN_WORK, id, cpu);
        pending.set(false); // full barrier (set_work_pool_and_clear_pending has smp_mb)
        try {
            fn.run();
        } finally {
            done.complete();
        }
    }

    /** flush_work(): wait until the last queued run has finished. */
    void flush() {
        if (everQueued) {
            done.waitForCompletion();
        }
    }

    /** Save PENDING, whether it was ever queued, and its completion (a machine checkpoint). */
    Runnable save() {
        boolean ever = everQueued;
        boolean p = pending.get();
        Runnable doneBack = done.save();
        return () -> {
            everQueued = ever;
            pending.set(p);
            doneBack.run();
        };
    }
}
