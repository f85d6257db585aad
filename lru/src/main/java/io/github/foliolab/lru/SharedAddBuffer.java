package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.sched.SchedPoints;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

import java.util.ArrayList;
import java.util.List;

import static io.github.foliolab.folio.api.PageFlags.PG_active;
import static io.github.foliolab.folio.api.PageFlags.PG_lru;
import static io.github.foliolab.folio.api.PageFlags.PG_unevictable;

/**
 * A batching policy that is not the kernel's: lru_add entries from every CPU go to one bounded MPSC
 * buffer (Caffeine's scheme for its read buffer) and whichever adder wins a trylock of lru_lock drains
 * the buffer. Each entry owns a folio reference, like a batch slot; entries have PG_lru clear. lru_add
 * semantics per folio are the kernel's (the same move function, the same dead-folio filter).
 *
 * <p>Model difference (of this policy only): __lru_cache_activate_folio cannot search a shared buffer,
 * so folio_mark_accessed on a folio still in it only clears PG_referenced.
 */
final class SharedAddBuffer {
    /** Drain once this many entries wait (as a per-CPU batch would flush at 31). */
    static final int DRAIN_THRESHOLD = FolioBatch.FOLIO_BATCH_SIZE;

    private final Swap swap;
    private final MemMap mm;
    private final LruVec lruvec;
    private final MpscAtomicArrayQueue<Folio> queue;
    private final long id = SchedPoints.newObjectId("lru_add_buffer");

    SharedAddBuffer(Swap swap, int size) {
        this.swap = swap;
        this.mm = swap.memMap();
        this.lruvec = swap.lruvec();
        this.queue = new MpscAtomicArrayQueue<>(Math.max(2, size));
    }

    int size() {
        return queue.size();
    }

    /** folio_add_lru() under this policy. */
    void add(Folio folio) {
        mm.get(folio.pfn()); // the buffer entry's reference
        SchedPoints.before(LruOp.SHARED_BUFFER_OFFER, folio.pfn(), 0);
        while (!queue.offer(folio)) { // offer: release; the drainer's poll acquires
            lruvec.lock(); // full: wait for lru_lock and make room
            List<Folio> dead = drainLocked();
            lruvec.unlock();
            freeDead(dead);
        }
        if (!swap.folioMayBeLruCached(folio) || swap.lruCacheDisabled()) {
            drain();
        } else if (queue.size() >= DRAIN_THRESHOLD && lruvec.tryLock()) {
            List<Folio> dead = drainLocked();
            lruvec.unlock();
            freeDead(dead);
        }
    }

    /** Drain everything queued so far, waiting for lru_lock. */
    void drain() {
        if (queue.isEmpty()) {
            return;
        }
        lruvec.lock();
        List<Folio> dead = drainLocked();
        lruvec.unlock();
        freeDead(dead);
    }

    /**
     * Under lru_lock: lru_add every queued folio, set PG_lru, and drop the entry's reference; a folio
     * whose only reference was the entry is freed instead (after the unlock), as 7.2's lru_add drain does.
     */
    private List<Folio> drainLocked() {
        List<Folio> dead = null;
        Folio f;
        while ((f = queue.poll()) != null) { // poll: acquire (pairs with offer); single consumer under lru_lock
            long pfn = f.pfn();
            if (mm.refFreeze(pfn, 1)) {
                mm.nonAtomicClearFlag(pfn, PG_active);
                mm.nonAtomicClearFlag(pfn, PG_unevictable);
                if (dead == null) dead = new ArrayList<>();
                dead.add(f);
                continue;
            }
            swap.moves().lruAdd(pfn);
            mm.setFlag(pfn, PG_lru);
            if (mm.refSubAndTest(pfn, 1)) { // folios_put of the entry's reference, lock already held
                lruvec.pageCacheReleaseLocked(pfn);
                if (dead == null) dead = new ArrayList<>();
                dead.add(f);
            }
        }
        return dead;
    }

    private void freeDead(List<Folio> dead) {
        if (dead != null) {
            for (Folio f : dead) {
                swap.node().freeFrozenFolio(f);
            }
        }
    }

    /** Save the buffered folios (a machine checkpoint). */
    Runnable save() {
        java.util.List<Folio> saved = new java.util.ArrayList<>();
        queue.drain(saved::add);
        saved.forEach(queue::offer);
        return () -> {
            queue.clear();
            saved.forEach(queue::offer);
        };
    }
}
