package io.github.foliolab.folio;

import io.github.foliolab.folio.api.Gfp;

import java.util.function.Supplier;

/**
 * The task's implicit allocation scope of include/linux/sched/mm.h: memalloc_pin_save() /
 * memalloc_pin_restore() around a body, and current_gfp_context(), which the page allocator applies to
 * every request. Inside a pin scope (PF_MEMALLOC_PIN) an allocation loses __GFP_MOVABLE, so a page
 * faulted in while a FOLL_LONGTERM pin is taken comes from a kernel zone, never ZONE_MOVABLE or CMA.
 * The scope belongs to the calling thread (the kernel's current task) and nests.
 */
public final class Memalloc {
    /** PF_MEMALLOC_PIN of the current task: bound for the duration of a pin scope. */
    private static final ScopedValue<Boolean> PIN = ScopedValue.newInstance();

    private Memalloc() {
    }

    /**
     * Run {@code body} between memalloc_pin_save() and memalloc_pin_restore().
     *
     * @param body the body
     * @param <T> its result type
     * @return its result
     */
    public static <T> T pinScope(Supplier<T> body) {
        return ScopedValue.where(PIN, Boolean.TRUE).call(body::get);
    }

    /** {@return true inside a {@link #pinScope} (PF_MEMALLOC_PIN set)} */
    public static boolean pinActive() {
        return PIN.isBound();
    }

    /**
     * current_gfp_context(): {@code gfp} without __GFP_MOVABLE inside a pin scope, else unchanged.
     *
     * @param gfp the GFP flags asked for
     * @return the flags the allocator uses
     */
    public static int currentGfpContext(int gfp) {
        return PIN.isBound() ? gfp & ~Gfp.__GFP_MOVABLE : gfp;
    }
}
