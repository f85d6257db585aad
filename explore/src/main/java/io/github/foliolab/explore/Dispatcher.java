package io.github.foliolab.explore;

import io.github.foliolab.folio.api.sched.SchedHook;
import io.github.foliolab.folio.api.sched.SchedOp;
import io.github.foliolab.folio.api.sched.SchedPoints;

/**
 * The one {@link SchedHook} the explorer installs, on first use, and leaves installed: it forwards each
 * schedule point to the engine whose simulated CPU the calling thread is, if any. Installing a hook relinks
 * every schedule point and deoptimises all code compiled against the old target; doing that once per
 * exploration made the JIT recompile the library over and over. While no exploration runs, a schedule
 * point costs a call, a volatile read and a length test. Several engines may be attached at once (the
 * jobs of a parallel search, {@link Options#jobs()}, or explorations on different threads): each runs
 * its own threads, so a schedule point is routed by the calling thread. {@link Explorer#unlink()} removes
 * the hook for good.
 */
final class Dispatcher implements SchedHook {
    private static final Engine[] NONE = new Engine[0];
    private static final Dispatcher INSTANCE = new Dispatcher(); // after NONE, which its field starts with

    /**
     * The attached engines; copy-on-write (replaced, never changed, under the class monitor), volatile:
     * read by every schedule point of every thread.
     */
    private volatile Engine[] engines = NONE;

    private Dispatcher() {}

    /*
     * attach/detach/unlink are synchronized on the class: the monitor protects the pair (installed hook,
     * engines) against explorations starting and ending at once.
     */

    /** Route the schedule points of {@code e}'s threads to {@code e}. */
    static synchronized void attach(Engine e) {
        if (SchedPoints.installed() != INSTANCE) {
            SchedPoints.install(INSTANCE); // throws if somebody else's hook is installed
        }
        Engine[] es = INSTANCE.engines;
        Engine[] more = java.util.Arrays.copyOf(es, es.length + 1);
        more[es.length] = e;
        INSTANCE.engines = more;
    }

    static synchronized void detach(Engine e) {
        Engine[] es = INSTANCE.engines;
        INSTANCE.engines = java.util.Arrays.stream(es).filter(x -> x != e).toArray(Engine[]::new);
    }

    /** Remove the hook (no exploration may be running); the schedule points become no-ops again. */
    static synchronized void unlink() {
        if (INSTANCE.engines.length != 0) {
            throw new IllegalStateException("an exploration is running");
        }
        SchedPoints.uninstall(INSTANCE);
    }

    /** {@return how many engines are attached} */
    static int attached() {
        return INSTANCE.engines.length;
    }

    static boolean idle() {
        return INSTANCE.engines.length == 0;
    }

    /** The attached engine whose simulated CPU the calling thread is, or null. */
    static Engine current() {
        Engine[] es = INSTANCE.engines;
        if (es.length == 0) {
            return null;
        }
        Thread t = Thread.currentThread();
        for (Engine e : es) {
            if (e.runs(t)) return e;
        }
        return null;
    }

    /*
     * Each engine ignores the points of threads that are not its own, so the hooks just ask every attached
     * engine (one, unless jobs run in parallel: a few reference compares).
     */

    @Override
    public void before(SchedOp op, long id, long arg) {
        for (Engine e : engines) {
            e.before(op, id, arg);
        }
    }

    @Override
    public void after(SchedOp op, long id, long result) {
        for (Engine e : engines) {
            e.after(op, id, result);
        }
    }

    @Override
    public void contended(SchedOp op, long waitId) {
        for (Engine e : engines) {
            e.contended(op, waitId);
        }
    }

    @Override
    public void released(SchedOp op, long waitId) {
        for (Engine e : engines) {
            e.released(op, waitId);
        }
    }

    @Override
    public void access(SchedOp op, long id, long arg) {
        for (Engine e : engines) {
            e.access(op, id, arg);
        }
    }
}
