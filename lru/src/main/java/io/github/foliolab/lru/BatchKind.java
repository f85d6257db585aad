package io.github.foliolab.lru;

/** The folio batches of struct cpu_fbatches (mm/swap.c), each named after its move function. */
public enum BatchKind {
    /** lru_add: new folios, PG_lru clear. Under cpu_fbatches.lock. */
    LRU_ADD("lru_add"),
    /** lru_move_tail: folio_rotate_reclaimable(). Under cpu_fbatches.lock_irq. */
    LRU_MOVE_TAIL("lru_move_tail"),
    /** lru_deactivate_file: deactivate_file_folio(). */
    LRU_DEACTIVATE_FILE("lru_deactivate_file"),
    /** lru_deactivate: folio_deactivate() (MADV_COLD). */
    LRU_DEACTIVATE("lru_deactivate"),
    /** lru_lazyfree: folio_mark_lazyfree() (MADV_FREE). */
    LRU_LAZYFREE("lru_lazyfree"),
    /** lru_activate: folio_activate(). */
    LRU_ACTIVATE("lru_activate");

    private final String kernelName;

    BatchKind(String kernelName) {
        this.kernelName = kernelName;
    }

    /** {@return the kernel's name of the batch and its move function's suffix, e.g. {@code lru_add}} */
    public String kernelName() {
        return kernelName;
    }

    /** {@return true for the batches after lock_irq in struct cpu_fbatches (only lru_move_tail)} */
    public boolean underLockIrq() {
        return this == LRU_MOVE_TAIL;
    }
}
