package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;

/**
 * What mm/swap.c calls in mm/mlock.c: the mlock module installs an implementation with
 * {@link Swap#setMlockHooks} (found automatically through {@link LruExtension} on first use).
 */
public interface MlockHooks {
    /**
     * mlock_new_folio(): folio_add_lru_vma()'s path for a new folio in a VM_LOCKED VMA.
     *
     * @param folio the folio
     */
    void mlockNewFolio(Folio folio);

    /** mlock_drain_local(): lru_add_drain() ends with it. Runs on the calling CPU. */
    void mlockDrainLocal();

    /**
     * need_mlock_drain(cpu): racy read of that CPU's mlock batch count (cpu_needs_drain).
     *
     * @param cpu the simulated CPU number
     */
    boolean needMlockDrain(int cpu);

    /**
     * Drain another CPU's mlock batch from the calling thread under that CPU's mlock_fbatch.lock (the
     * PREEMPT_RT-style remote drain of {@link LruBatchPolicy.RemoteDrain#REMOTE_LOCAL_LOCK}).
     *
     * @param cpu the simulated CPU number
     */
    void mlockDrainCpuLocked(int cpu);
}
