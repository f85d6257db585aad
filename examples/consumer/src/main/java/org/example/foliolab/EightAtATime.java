package org.example.foliolab;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.lru.BatchKind;
import io.github.foliolab.lru.FolioBatchView;
import io.github.foliolab.lru.LruBatchPolicy;
import io.github.foliolab.lru.Swap;

/**
 * A user's batching policy: per-CPU batches keep the kernel's capacity of 31, but a batch moves to the LRU
 * as soon as it holds eight folios (or when the kernel's own rule says so). So lru_lock is taken once per
 * eight folios added. Benchmarked against the kernel's policy by {@code LruPolicyBench} (see the pom's
 * exec-maven-plugin configuration and {@code PolicyBenchTest}).
 */
public final class EightAtATime implements LruBatchPolicy {
    /** Instantiated by class name. */
    public EightAtATime() {}

    @Override
    public String name() {
        return "eight-at-a-time";
    }

    @Override
    public int batchCapacity(BatchKind kind) {
        return 31;
    }

    @Override
    public boolean moveNow(BatchKind kind, FolioBatchView batch, Folio folio, Swap swap) {
        return batch.count() >= 8 || LruBatchPolicy.super.moveNow(kind, batch, folio, swap);
    }
}
