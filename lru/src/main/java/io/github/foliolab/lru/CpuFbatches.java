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

    CpuFbatches(MemMap mm, int cpu, LruBatchPolicy policy) {
        this.cpu = cpu;
        this.id = SchedPoints.newObjectId("cpu_fbatches/" + cpu);
        this.lock = new LocalLock("cpu_fbatches.lock/" + cpu);
        this.lockIrq = new LocalLock("cpu_fbatches.lock_irq/" + cpu);
        for (BatchKind k : BatchKind.values()) {
            batches[k.ordinal()] = new FolioBatch(mm, policy.batchCapacity(k));
        }
        // Dead lru_add folios are freed a batch at a time: at most one lru_add batch's worth.
        this.deadFolios = new FolioBatch(mm, policy.batchCapacity(BatchKind.LRU_ADD));
    }

    FolioBatch batch(BatchKind k) {
        return batches[k.ordinal()];
    }

    LocalLock lockFor(BatchKind k) {
        return k.underLockIrq() ? lockIrq : lock;
    }

    /** Save the CPU's batches and their local locks (a machine checkpoint). */
    Runnable save() {
        io.github.foliolab.folio.Restorable[] parts = new io.github.foliolab.folio.Restorable[batches.length + 3];
        for (int i = 0; i < batches.length; i++) {
            parts[i] = batches[i]::save;
        }
        parts[batches.length] = deadFolios::save;
        parts[batches.length + 1] = lock;
        parts[batches.length + 2] = lockIrq;
        return io.github.foliolab.folio.Restorable.saveAll(parts);
    }
}
