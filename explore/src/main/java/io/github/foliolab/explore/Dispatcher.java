package io.github.foliolab.explore;

import io.github.foliolab.folio.api.sched.SchedHook;
import io.github.foliolab.folio.api.sched.SchedOp;
import io.github.foliolab.folio.api.sched.SchedPoints;

/**
 * The one {@link SchedHook} the explorer installs, on first use, and leaves installed: it forwards to the
 * engine of the running exploration, if any. Installing a hook relinks every schedule point and
 * deoptimises all code compiled against the old target; doing that once per exploration made the JIT
 * recompile the library over and over. While no exploration runs, a schedule point costs a call and a
 * volatile read. {@link Explorer#unlink()} removes the hook for good.
 */
final class Dispatcher implements SchedHook {
    private static final Dispatcher INSTANCE = new Dispatcher();

    /** The running exploration's engine; volatile: read by every schedule point of every thread. */
    private volatile Engine engine;

    private Dispatcher() {}

    /*
     * attach/detach/unlink are synchronized on the class: the monitor protects the pair (installed hook,
     * engine) against two explorations starting at once.
     */

    /** Route the schedule points to {@code e}; one exploration at a time. */
    static synchronized void attach(Engine e) {
        if (INSTANCE.engine != null) {
            throw new IllegalStateException("another exploration is running in this JVM (one at a time)");
        }
        if (SchedPoints.installed() != INSTANCE) {
            SchedPoints.install(INSTANCE); // throws if somebody else's hook is installed
        }
        INSTANCE.engine = e;
    }

    static synchronized void detach(Engine e) {
        if (INSTANCE.engine == e) {
            INSTANCE.engine = null;
        }
    }

    /** Remove the hook (no exploration may be running); the schedule points become no-ops again. */
    static synchronized void unlink() {
        if (INSTANCE.engine != null) {
            throw new IllegalStateException("an exploration is running");
        }
        SchedPoints.uninstall(INSTANCE);
    }

    static boolean idle() {
        return INSTANCE.engine == null;
    }

    @Override
    public void before(SchedOp op, long id, long arg) {
        Engine e = engine;
        if (e != null) {
            e.before(op, id, arg);
        }
    }

    @Override
    public void after(SchedOp op, long id, long result) {
        Engine e = engine;
        if (e != null) {
            e.after(op, id, result);
        }
    }

    @Override
    public void contended(SchedOp op, long waitId) {
        Engine e = engine;
        if (e != null) {
            e.contended(op, waitId);
        }
    }

    @Override
    public void released(SchedOp op, long waitId) {
        Engine e = engine;
        if (e != null) {
            e.released(op, waitId);
        }
    }

    @Override
    public void access(SchedOp op, long id, long arg) {
        Engine e = engine;
        if (e != null) {
            e.access(op, id, arg);
        }
    }
}
