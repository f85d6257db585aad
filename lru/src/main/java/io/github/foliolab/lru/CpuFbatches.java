package io.github.foliolab.lru;

import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.sync.LocalLock;

/**
 * struct cpu_fbatches of one CPU (mm/swap.c): {@code lock} guards lru_add, lru_deactivate_file,
 * lru_deactivate, lru_lazyfree and lru_activate; {@code lock_irq} guards lru_move_tail.
 */
final class CpuFbatches {
    final int cpu;
    final long id;
    /** cpu_fbatches.lock: protects every batch below except lru_move_tail, and {@link #deadFolios}. */
    final LocalLock lock;
    /** cpu_fbatches.lock_irq: protects lru_move_tail (fed from IRQ context in the kernel). */
    final LocalLock lockIrq;
    private final FolioBatch[] batches = new FolioBatch[BatchKind.values().length];
    /** folio_batch_move_lru()'s on-stack free_fbatch for dead lru_add folios; under {@link #lock}. */
    final FolioBatch deadFolios;

    CpuFbatches(MemMap mm, int cpu, int capacity) {
        this.cpu = cpu;
        this.id = SchedPoints.newObjectId("cpu_fbatches/" + cpu);
        this.lock = new LocalLock("cpu_fbatches.lock/" + cpu);
        this.lockIrq = new LocalLock("cpu_fbatches.lock_irq/" + cpu);
        for (BatchKind k : BatchKind.values()) {
            batches[k.ordinal()] = new FolioBatch(mm, capacity);
        }
        this.deadFolios = new FolioBatch(mm, capacity);
    }

    FolioBatch batch(BatchKind k) {
        return batches[k.ordinal()];
    }

    LocalLock lockFor(BatchKind k) {
        return k.underLockIrq() ? lockIrq : lock;
    }
}
