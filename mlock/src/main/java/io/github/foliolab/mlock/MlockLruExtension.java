package io.github.foliolab.mlock;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.lru.LruExtension;

/** Plugs mm/mlock.c into mm/swap.c: found by the lru module with ServiceLoader. */
public final class MlockLruExtension implements LruExtension {
    @Override
    public void attach(Machine machine) {
        Mlock.of(machine);
    }
}
