package io.github.foliolab.mm;

/**
 * A module that plugs into mm (the mlock module registers its rmap hooks and system calls this way),
 * found with ServiceLoader when a machine's {@link Mm} is created.
 */
public interface MmExtension {
    /** Attach to a machine's mm state (called once, from the Mm constructor). */
    void attach(Mm mm);
}
