package io.github.foliolab.lru;

import io.github.foliolab.folio.Machine;

/**
 * A module that plugs into mm/swap.c (the mlock module does), found with {@link java.util.ServiceLoader}
 * the first time a machine's {@link Swap} needs it, so that folio_add_lru_vma() and lru_add_drain()
 * reach mlock without the lru module depending on it.
 */
public interface LruExtension {
    /**
     * Attach to {@code machine}: e.g. call {@link Swap#setMlockHooks} on {@code Swap.of(machine)}.
     *
     * @param machine the simulated machine
     */
    void attach(Machine machine);
}
