package io.github.foliolab.bench.harness;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.cpu.Cpu;
import io.github.foliolab.lru.LruVec;
import io.github.foliolab.lru.Swap;

/**
 * One benchmark thread's share of the work: a pool of {@value #POOL} order-0 anonymous folios (PG_swapbacked,
 * so they belong on the anon LRU), added with folio_add_lru() on the thread's own simulated CPU and then
 * lru_add_drain()ed, so that every folio reaches the LRU through the policy's batches inside the timed
 * region. {@link #unlink()} takes them off the LRU again (untimed) so that they can be re-added.
 *
 * <p>{@value #POOL} is 32 times FOLIO_BATCH_SIZE (31): with the kernel's policy no partial batch is left
 * for the drain, and lru_lock is taken once per 31 folios.
 */
public final class PolicyWorkload {
    /** Folios per thread and per invocation (the benchmark's operations per invocation). */
    public static final int POOL = 992;

    /** Folios unlinked per lru_lock hold by {@link #unlink()}: short holds, so other threads' timed drains wait little. */
    private static final int UNLINK_CHUNK = 31;

    private final Cpu cpu;
    private final int cpuIndex;
    private final Swap swap;
    private final LruVec lruvec;
    private final Folio[] pool = new Folio[POOL];
    private final boolean[] cleared = new boolean[POOL];
    /** A shared add buffer may hold this thread's folios after its drain: unlink drains it first, on a CPU. */
    private final boolean drainBeforeUnlink;
    private final Runnable addAll = this::addAllOnCpu;
    private final Runnable unlinkAll = this::unlinkAll;

    /**
     * Allocates the pool from node 0 (GFP_HIGHUSER_MOVABLE, order 0).
     *
     * @param machine a machine built with the policy under test ({@code Swap.POLICY}) and the lru module
     * @param cpuIndex the simulated CPU this thread runs on; no other thread may use it (the lru_lock
     *        count is read per CPU)
     * @throws IndexOutOfBoundsException if the machine has no such CPU
     */
    public PolicyWorkload(Machine machine, int cpuIndex) {
        this.cpu = machine.cpu(cpuIndex);
        this.cpuIndex = cpuIndex;
        this.swap = Swap.of(machine);
        this.lruvec = LruVec.of(machine);
        this.drainBeforeUnlink = swap.policy().sharedAddBufferSize() > 0;
        for (int i = 0; i < POOL; i++) {
            Folio f = machine.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
            f.set(PageFlags.PG_swapbacked);
            pool[i] = f;
        }
    }

    /** {@return the index of the simulated CPU this workload runs on} */
    public int cpuIndex() {
        return cpuIndex;
    }

    /** {@return lru_lock acquisitions made so far from this workload's CPU (exact: only this thread runs there)} */
    public long lruLockAcquisitions() {
        return lruvec.lockAcquisitions(cpuIndex);
    }

    /**
     * The timed work: folio_add_lru() of every folio of the pool, then lru_add_drain(), all on this
     * workload's CPU. Afterwards every folio is on the anon LRU (PG_lru set).
     */
    public void addAndDrain() {
        cpu.run(addAll);
    }

    private void addAllOnCpu() {
        for (Folio f : pool) {
            swap.folioAddLru(f);
        }
        swap.lruAddDrain();
    }

    /**
     * The untimed reset: clears PG_lru of each folio (as folio_isolate_lru() does, before taking the lock)
     * and deletes it from its LRU list under lru_lock, {@value #UNLINK_CHUNK} folios per lock hold. Runs off
     * any simulated CPU unless a shared add buffer must be drained first (binding a CPU allocates).
     */
    public void unlink() {
        if (drainBeforeUnlink) {
            cpu.run(unlinkAll);
        } else {
            unlinkAll();
        }
    }

    private void unlinkAll() {
        if (drainBeforeUnlink) {
            swap.lruAddDrain(); // folios another thread's shared-buffer add left queued
        }
        for (int start = 0; start < POOL; start += UNLINK_CHUNK) {
            int end = Math.min(POOL, start + UNLINK_CHUNK);
            for (int i = start; i < end; i++) {
                cleared[i] = pool[i].testClearLru();
            }
            lruvec.lock();
            try {
                for (int i = start; i < end; i++) {
                    if (cleared[i]) {
                        lruvec.delFolio(pool[i].pfn());
                    }
                }
            } finally {
                lruvec.unlock();
            }
        }
    }
}
