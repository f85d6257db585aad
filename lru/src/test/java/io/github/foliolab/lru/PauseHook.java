package io.github.foliolab.lru;

import io.github.foliolab.folio.api.sched.SchedHook;
import io.github.foliolab.folio.api.sched.SchedOp;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A schedule hook that parks one thread just before a chosen step (op, id, arg) until the test lets it
 * go: enough to drive a two-CPU interleaving by hand in an explicit order.
 */
final class PauseHook implements SchedHook {
    private final Thread target;
    private final SchedOp op;
    private final long id;
    private final long arg;
    final CountDownLatch reached = new CountDownLatch(1);
    final CountDownLatch go = new CountDownLatch(1);
    private volatile boolean fired;

    PauseHook(Thread target, SchedOp op, long id, long arg) {
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
                if (!go.await(20, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("paused thread never released");
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    boolean awaitReached() throws InterruptedException {
        return reached.await(20, TimeUnit.SECONDS);
    }

    @Override
    public void after(SchedOp o, long i, long result) {}

    @Override
    public void contended(SchedOp o, long waitId) {}

    @Override
    public void released(SchedOp o, long waitId) {}
}
