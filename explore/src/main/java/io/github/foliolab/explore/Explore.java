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

    /** Run {@code body} labelled as the kernel function {@code label}. */
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

    /** Run {@code body} labelled as {@code label}, recording its result. */
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

    /** Run a boolean {@code body} labelled as {@code label}, recording its result. */
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

    /** {@return true if the calling thread is a simulated CPU under the explorer} */
    public static boolean exploring() {
        return engine() != null;
    }
}
