package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;

/**
 * mm/swap.c of Linux 7.2 for one machine: the per-CPU folio batches (cpu_fbatches), their drains, and
 * the LRU entry points. Every method runs on the calling thread's simulated CPU (Cpu.current()).
 *
 * <p>CONTRACT STUB: these signatures are what the mm module calls; the lru work fills in the bodies.
 */
public final class Swap {
    private static final Machine.Key<Swap> KEY = new Machine.Key<>("swap", Swap::new);

    private final Machine machine;

    private Swap(Machine machine) {
        this.machine = machine;
    }

    /** The machine's mm/swap.c state. */
    public static Swap of(Machine machine) {
        return machine.state(KEY);
    }

    public Machine machine() {
        return machine;
    }

    /** folio_add_lru(): queue a new folio (PG_lru clear) in this CPU's lru_add batch, with a reference. */
    public void folioAddLru(Folio folio) {
        throw new UnsupportedOperationException("folio_add_lru: implemented by the lru work");
    }

    /**
     * folio_add_lru_vma(): like folio_add_lru, but a folio faulted into a VM_LOCKED (and not VM_SPECIAL)
     * VMA goes to mlock_new_folio() instead.
     */
    public void folioAddLruVma(Folio folio, long vmFlags) {
        throw new UnsupportedOperationException("folio_add_lru_vma: implemented by the lru work");
    }

    /** lru_add_drain(): drain this CPU's LRU batches and its mlock batch. */
    public void lruAddDrain() {
        throw new UnsupportedOperationException("lru_add_drain: implemented by the lru work");
    }

    /** lru_add_drain_all(). */
    public void lruAddDrainAll() {
        throw new UnsupportedOperationException("lru_add_drain_all: implemented by the lru work");
    }

    /** folios_put_refs(): drop refs[i] references (1 if refs is null) from each folio, freeing at zero. */
    public void foliosPutRefs(FolioBatch folios, int[] refs) {
        throw new UnsupportedOperationException("folios_put_refs: implemented by the lru work");
    }

    /** folios_put(). */
    public void foliosPut(FolioBatch folios) {
        foliosPutRefs(folios, null);
    }

    /** folio_mark_accessed(). */
    public void folioMarkAccessed(Folio folio) {
        throw new UnsupportedOperationException("folio_mark_accessed: implemented by the lru work");
    }

    /** folio_deactivate() (MADV_COLD). */
    public void folioDeactivate(Folio folio) {
        throw new UnsupportedOperationException("folio_deactivate: implemented by the lru work");
    }

    /** folio_mark_lazyfree() (MADV_FREE). */
    public void folioMarkLazyfree(Folio folio) {
        throw new UnsupportedOperationException("folio_mark_lazyfree: implemented by the lru work");
    }
}
