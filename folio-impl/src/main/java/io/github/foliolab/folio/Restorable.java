package io.github.foliolab.folio;

/**
 * A part of a machine's state that can be saved and put back: the off-heap memmap, a zone's free lists, a
 * lock, a module's lists and per-CPU batches. A machine whose every module registered its parts
 * ({@link Machine.Assembly#restorable}) can take a {@link Machine#checkpoint()} after a scenario's setup
 * and be put back to it before each schedule, instead of being built again (the explorer's cheap
 * restarts). Not a kernel mechanism.
 */
@FunctionalInterface
public interface Restorable {
    /**
     * Save this part's current state.
     *
     * @return an action that puts the saved state back; it may be run any number of times, always by the
     *     one thread that owns the machine while nothing else runs on it
     */
    Runnable save();

    /**
     * {@return one action that saves every part now and, when run, restores them in order}
     *
     * @param parts the parts
     */
    static Runnable saveAll(Restorable... parts) {
        Runnable[] back = new Runnable[parts.length];
        for (int i = 0; i < parts.length; i++) {
            back[i] = parts[i].save();
        }
        return () -> {
            for (Runnable r : back) {
                r.run();
            }
        };
    }
}
