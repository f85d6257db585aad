package io.github.foliolab.folio.api.sched;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;

/**
 * The static schedule points every atomic step of the library calls.
 *
 * <p>Each point goes through a {@link MutableCallSite} whose target is a no-op while no
 * {@link SchedHook} is installed. HotSpot treats the target as a constant and inlines it, so an
 * uninstrumented run pays nothing; installing or removing a hook relinks the call sites
 * ({@link MutableCallSite#syncAll}) and deoptimises code compiled against the old target.
 */
public final class SchedPoints {
    private SchedPoints() {}

    private static final MethodType STEP = MethodType.methodType(void.class, SchedOp.class, long.class, long.class);
    private static final MethodType WAIT = MethodType.methodType(void.class, SchedOp.class, long.class);

    private static final MethodHandle NOP_STEP = MethodHandles.empty(STEP);
    private static final MethodHandle NOP_WAIT = MethodHandles.empty(WAIT);

    private static final MutableCallSite BEFORE = new MutableCallSite(NOP_STEP);
    private static final MutableCallSite AFTER = new MutableCallSite(NOP_STEP);
    private static final MutableCallSite CONTENDED = new MutableCallSite(NOP_WAIT);
    private static final MutableCallSite RELEASED = new MutableCallSite(NOP_WAIT);
    private static final MutableCallSite ACCESS = new MutableCallSite(NOP_STEP);

    private static final MethodHandle BEFORE_MH = BEFORE.dynamicInvoker();
    private static final MethodHandle AFTER_MH = AFTER.dynamicInvoker();
    private static final MethodHandle CONTENDED_MH = CONTENDED.dynamicInvoker();
    private static final MethodHandle RELEASED_MH = RELEASED.dynamicInvoker();
    private static final MethodHandle ACCESS_MH = ACCESS.dynamicInvoker();

    private static volatile SchedHook installed;

    /**
     * A schedule point before an atomic step.
     *
     * @param op the step
     * @param id its object: a pfn, an object id or a user address, as {@code op.subject()} says
     * @param arg the step's argument (0 when none)
     */
    public static void before(SchedOp op, long id, long arg) {
        try {
            BEFORE_MH.invokeExact(op, id, arg);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The result of a value-returning step, for traces.
     *
     * @param op the step
     * @param id its object, as given to {@link #before}
     * @param result the value the step returned
     */
    public static void after(SchedOp op, long id, long result) {
        try {
            AFTER_MH.invokeExact(op, id, result);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Convenience: {@link #after} for a boolean result, returning it.
     *
     * @param op the step
     * @param id its object, as given to {@link #before}
     * @param result the step's result (traced as 0 or 1)
     * @return {@code result}
     */
    public static boolean after(SchedOp op, long id, boolean result) {
        after(op, id, result ? 1L : 0L);
        return result;
    }

    /**
     * The caller waits for {@code waitId}; see {@link SchedHook#contended}.
     *
     * @param op the kind of step
     * @param waitId the object id waited for
     */
    public static void contended(SchedOp op, long waitId) {
        try {
            CONTENDED_MH.invokeExact(op, waitId);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * {@code waitId} became available; see {@link SchedHook#released}.
     *
     * @param op the kind of step
     * @param waitId the object id waited for
     */
    public static void released(SchedOp op, long waitId) {
        try {
            RELEASED_MH.invokeExact(op, waitId);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Declare a plain access within the current step ({@link SchedHook#access}): no switch of CPUs
     * happens here; a scheduler that reduces partial orders adds it to the step's footprint. A no-op
     * while no hook is installed.
     *
     * @param op what is accessed (its subject, kind and part)
     * @param id its object, as {@code op.subject()} says
     * @param arg the argument of {@code op.kind(arg)} and {@code op.part(arg)}
     */
    public static void access(SchedOp op, long id, long arg) {
        try {
            ACCESS_MH.invokeExact(op, id, arg);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Install a hook (one at a time).
     *
     * @param hook the hook
     */
    public static synchronized void install(SchedHook hook) {
        if (installed != null) {
            throw new IllegalStateException("a SchedHook is already installed: " + installed);
        }
        try {
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            BEFORE.setTarget(l.findVirtual(SchedHook.class, "before", STEP).bindTo(hook));
            AFTER.setTarget(l.findVirtual(SchedHook.class, "after", STEP).bindTo(hook));
            CONTENDED.setTarget(l.findVirtual(SchedHook.class, "contended", WAIT).bindTo(hook));
            RELEASED.setTarget(l.findVirtual(SchedHook.class, "released", WAIT).bindTo(hook));
            ACCESS.setTarget(l.findVirtual(SchedHook.class, "access", STEP).bindTo(hook));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        MutableCallSite.syncAll(new MutableCallSite[] {BEFORE, AFTER, CONTENDED, RELEASED, ACCESS});
        installed = hook;
    }

    /**
     * Remove the installed hook, if it is {@code hook}; the points become no-ops again.
     *
     * @param hook the hook
     */
    public static synchronized void uninstall(SchedHook hook) {
        if (installed != hook) {
            return;
        }
        BEFORE.setTarget(NOP_STEP);
        AFTER.setTarget(NOP_STEP);
        CONTENDED.setTarget(NOP_WAIT);
        RELEASED.setTarget(NOP_WAIT);
        ACCESS.setTarget(NOP_STEP);
        MutableCallSite.syncAll(new MutableCallSite[] {BEFORE, AFTER, CONTENDED, RELEASED, ACCESS});
        installed = null;
    }

    /** {@return the installed hook, or null} */
    public static SchedHook installed() {
        return installed;
    }

    /**
     * A fresh id for a lock, list or queue of the current machine ({@link ObjectIds#current()}).
     *
     * @param name what traces call the object (e.g. {@code lru_lock})
     * @return the id
     */
    public static long newObjectId(String name) {
        return ObjectIds.current().newId(name);
    }

    /**
     * The name the current machine gave an object id.
     *
     * @param id an id from {@link #newObjectId(String)}
     * @return its name, or "obj#N"
     */
    public static String objectName(long id) {
        return ObjectIds.current().name(id);
    }
}
