package io.github.foliolab.explore;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What a scenario body uses to label its trace: {@code Explore.call("__munlock_folio(F)", () -> ...)}
 * records that the CPU entered and left that kernel function, so the table shows the function around its
 * schedule points. Outside the explorer the body simply runs.
 */
public final class Explore {
    private Explore() {}

    private static Engine engine() {
        return Engine.current();
    }

    /**
     * Run {@code body} labelled as the kernel function {@code label}.
     *
     * @param label the call as the trace shows it, e.g. {@code "__munlock_folio(F)"}
     * @param body the function's model code
     */
    public static void call(String label, Runnable body) {
        Engine e = engine();
        if (e == null) {
            body.run();
            return;
        }
        e.call(label);
        body.run();
        e.ret(null);
    }

    /**
     * Run {@code body} labelled as {@code label}, recording its result.
     *
     * @param <T> the result type
     * @param label the call as the trace shows it
     * @param body the function's model code
     * @return what {@code body} returned (shown in the trace as the call's result)
     */
    public static <T> T call(String label, Supplier<T> body) {
        Engine e = engine();
        if (e == null) {
            return body.get();
        }
        e.call(label);
        T r = body.get();
        e.ret(String.valueOf(r));
        return r;
    }

    /**
     * Run a boolean {@code body} labelled as {@code label}, recording its result.
     *
     * @param label the call as the trace shows it
     * @param body the function's model code
     * @return what {@code body} returned (shown in the trace as the call's result)
     */
    public static boolean test(String label, BooleanSupplier body) {
        Engine e = engine();
        if (e == null) {
            return body.getAsBoolean();
        }
        e.call(label);
        boolean r = body.getAsBoolean();
        e.ret(Boolean.toString(r));
        return r;
    }

    /**
     * Declare that the calling CPU reads the scenario's own variable {@code name}: a plain field the
     * bodies share outside the library (a flag an end check reads), which no schedule point covers.
     * Not a schedule point: it changes no schedule, trace or DFS verdict; it tells partial-order
     * reduction ({@code --strategy dpor}) that steps touching {@code name} do not commute.
     *
     * @param name the variable's name, unique within the scenario
     */
    public static void read(String name) {
        Engine e = engine();
        if (e != null) {
            e.access(variableKey(name), false);
        }
    }

    /**
     * Declare that the calling CPU writes the scenario's own variable {@code name} (see {@link #read(String)}).
     *
     * @param name the variable's name, unique within the scenario
     */
    public static void write(String name) {
        Engine e = engine();
        if (e != null) {
            e.access(variableKey(name), true);
        }
    }

    /**
     * Declare a plain read of {@code folio}'s words outside a schedule point ({@code folio.flags()} in a
     * body); see {@link #read(String)}.
     *
     * @param folio the folio whose words are read
     */
    public static void read(io.github.foliolab.folio.Folio folio) {
        Engine e = engine();
        if (e != null) {
            e.access(Footprint.part(folio.pfn(), io.github.foliolab.folio.api.sched.SchedOp.WHOLE), false); // every word of it
        }
    }

    /** A scenario variable's footprint key: below every pfn and object id, stable across schedules. */
    private static long variableKey(String name) {
        return Long.MIN_VALUE + 1 + (name.hashCode() & 0xffffffffL);
    }

    /**
     * True if the calling thread is a simulated CPU under the explorer.
     *
     * @return true on a CPU thread of a running exploration, false elsewhere (the body then runs plainly)
     */
    public static boolean exploring() {
        return engine() != null;
    }
}
