package io.github.foliolab.folio.sync;

import io.github.foliolab.folio.api.sched.SchedPoints;

/**
 * A struct completion, as flush_work() waits on one: {@link #complete()} is a release and
 * {@link #waitForCompletion()} an acquire. Under the explorer the waiter blocks until completion.
 */
public final class Completion implements io.github.foliolab.folio.Restorable {
    private final long id;
    private final String name;
    private volatile boolean done;

    /**
     * A completion, not yet done (DECLARE_COMPLETION / init_completion()).
     *
     * @param name the name in traces and hung-task reports
     */
    public Completion(String name) {
        this.id = SchedPoints.newObjectId(name);
        this.name = name;
    }

    /**
     * The name given at creation (for hung-task reports).
     *
     * @return the completion's name
     */
    public String name() {
        return name;
    }

    /**
     * The schedule-point object id of this completion (the id traces and the explorer use).
     *
     * @return the object id, unique in the machine
     */
    public long id() {
        return id;
    }

    /** complete(): release (the completer's writes are visible to the woken waiter). */
    public void complete() {
        SchedPoints.before(SyncOp.COMPLETE, id, 0);
        done = true;
        SchedPoints.released(SyncOp.COMPLETE, id);
    }

    /** wait_for_completion(): acquire. */
    public void waitForCompletion() {
        SchedPoints.before(SyncOp.WAIT_FOR_COMPLETION, id, 0);
        if (done) {
            return;
        }
        LockWatch.waiting(this); // flush_work() waits here: a hung-task report names the completion
        try {
            int round = 0;
            while (!done) {
                SchedPoints.contended(SyncOp.WAIT_FOR_COMPLETION, id);
                Spin.pause(round++);
                LockWatch.stillWaiting(this);
            }
        } finally {
            LockWatch.doneWaiting();
        }
    }

    /**
     * completion_done() (kernel/sched/completion.c): whether complete() has been called since the last reinit.
     *
     * @return true if the completion is done
     */
    public boolean isDone() {
        return done;
    }

    /** reinit_completion(). */
    public void reinit() {
        done = false;
    }

    /** Save whether it is done (a machine checkpoint). */
    @Override
    public Runnable save() {
        boolean d = done;
        return () -> done = d;
    }
}
