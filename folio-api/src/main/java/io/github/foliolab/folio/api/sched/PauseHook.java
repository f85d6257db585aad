package io.github.foliolab.folio.api.sched;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A schedule hook that parks one thread just before a chosen step ({@code op}, {@code id}, {@code arg})
 * until {@link #release()}: enough to drive a two-CPU interleaving by hand in an explicit order, without
 * the explorer. Install it with {@link SchedPoints#install}; other threads and other steps pass through.
 */
public final class PauseHook implements SchedHook {
    private static final long TIMEOUT_SECONDS = 20;

    private final Thread target;
    private final SchedOp op;
    private final long id;
    private final long arg;
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch go = new CountDownLatch(1);
    private volatile boolean fired;

    /**
     * Pause {@code target} the first time it reaches step {@code op} on {@code id} with {@code arg}.
     *
     * @param target the thread to park
     * @param op the step to park it before
     * @param id the step's object (a pfn, an object id or an address, as {@code op.subject()} says)
     * @param arg the schedule point's argument that must match
     */
    public PauseHook(Thread target, SchedOp op, long id, long arg) {
        this.target = target;
        this.op = op;
        this.id = id;
        this.arg = arg;
    }

    @Override
    public void before(SchedOp o, long i, long a) {
        if (!fired && Thread.currentThread() == target && o == op && i == id && a == arg) {
            fired = true;
            reached.countDown();
            try {
                if (!go.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("paused thread never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Wait (up to 20 s) until the target is parked at the step.
     *
     * @return true once the target is parked there, false on time-out
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public boolean awaitReached() throws InterruptedException {
        return reached.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Let the parked thread perform its step and go on. */
    public void release() {
        go.countDown();
    }

    @Override
    public void after(SchedOp o, long i, long result) {}

    @Override
    public void contended(SchedOp o, long waitId) {}

    @Override
    public void released(SchedOp o, long waitId) {}
}
