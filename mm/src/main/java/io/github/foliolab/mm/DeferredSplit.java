package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.sync.SpinLock;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The deferred split queue of mm/huge_memory.c (deferred_split_lru, one list per node) and its shrinker:
 * deferred_split_folio(), folio_unqueue_deferred_split() and deferred_split_scan().
 *
 * <p>A large anonymous folio that loses some but not all of its PTE mappings is queued here with
 * PG_partially_mapped (a flag of its second page) and counted in the {@code split_deferred} and
 * {@code nr_anon_partially_mapped} mTHP statistics; the shrinker later splits it. The folio is unqueued
 * when it is split or freed.
 *
 * <p>Model difference: the kernel's list_lru is per node and per memcg; the model has no memcgs, so one
 * insertion-ordered set of head pfns per node, each under its own lock. The shrinker runs only when
 * called ({@link #scan}): the model has no memory pressure that would call it.
 */
public final class DeferredSplit {
    private final Mm ctx;
    private final MemMap memMap;
    private final SpinLock[] locks;
    /** Per node: the queued folios' head pfns in list order; each under {@code locks[nid]}. */
    private final List<LinkedHashSet<Long>> queues = new ArrayList<>();

    DeferredSplit(Mm ctx) {
        this.ctx = ctx;
        this.memMap = ctx.memMap();
        int nodes = ctx.machine().nodes().size();
        this.locks = new SpinLock[nodes];
        for (int i = 0; i < nodes; i++) {
            locks[i] = new SpinLock("deferred_split_lru#" + i); // list_lru_one.lock: protects queues[i]
            queues.add(new LinkedHashSet<>());
        }
    }

    /** folio_test_partially_mapped(): PG_partially_mapped on the folio's second page. */
    static boolean testPartiallyMapped(MemMap mm, long pfn) {
        return mm.isLarge(pfn) && mm.testFlag(pfn + 1, PageFlags.PG_partially_mapped);
    }

    /**
     * {@return true if the large folio is partially mapped (PG_partially_mapped)}
     *
     * @param folio a folio
     */
    public boolean partiallyMapped(Folio folio) {
        return testPartiallyMapped(memMap, folio.pfn());
    }

    /**
     * {@return true if the folio is on its node's deferred split queue}
     *
     * @param folio a folio
     */
    public boolean queued(Folio folio) {
        int nid = folio.nid();
        locks[nid].lockIrqsave();
        try {
            return queues.get(nid).contains(folio.pfn());
        } finally {
            locks[nid].unlockIrqrestore();
        }
    }

    /**
     * {@return the head pfns on node {@code nid}'s queue, in list order}
     *
     * @param nid the node id
     */
    public long[] queue(int nid) {
        locks[nid].lockIrqsave();
        try {
            return queues.get(nid).stream().mapToLong(Long::longValue).toArray();
        } finally {
            locks[nid].unlockIrqrestore();
        }
    }

    /**
     * deferred_split_folio() (mm/huge_memory.c): queue a large anonymous folio of order 2 or more on its
     * node's list. With {@code partiallyMapped}, the first time sets PG_partially_mapped and counts
     * split_deferred and nr_anon_partially_mapped. Order 0 and 1 folios are never queued.
     *
     * @param folio a large anonymous folio
     * @param partiallyMapped true when some of its pages lost their last mapping
     */
    public void deferredSplitFolio(Folio folio, boolean partiallyMapped) {
        int order = folio.order();
        if (order <= 1) return;
        if (!partiallyMapped) return; // the underused path is only taken for PMD-sized THPs, not modelled
        int nid = folio.nid();
        locks[nid].lockIrqsave();
        try {
            if (!testPartiallyMapped(memMap, folio.pfn())) {
                memMap.setFlag(folio.pfn() + 1, PageFlags.PG_partially_mapped); // folio_set_partially_mapped: set_bit, relaxed (under the list lock)
                ctx.thp().stats().mod(order, MthpStats.Item.SPLIT_DEFERRED, 1);
                ctx.thp().stats().mod(order, MthpStats.Item.NR_ANON_PARTIALLY_MAPPED, 1);
            }
            queues.get(nid).add(folio.pfn()); // __list_lru_add: no-op if already queued
        } finally {
            locks[nid].unlockIrqrestore();
        }
    }

    /**
     * __folio_unqueue_deferred_split(): take the folio off its queue (clearing PG_partially_mapped and
     * nr_anon_partially_mapped). Called when its count reached zero (free) or is frozen (split).
     *
     * @param folio a folio
     * @return true if it was queued
     */
    public boolean unqueue(Folio folio) {
        if (!folio.isLarge() || folio.order() <= 1) return false;
        int nid = folio.nid();
        locks[nid].lockIrqsave();
        try {
            if (!queues.get(nid).remove(folio.pfn())) return false;
            clearPartiallyMapped(folio);
            return true;
        } finally {
            locks[nid].unlockIrqrestore();
        }
    }

    /**
     * The dequeue of __folio_freeze_and_split_unmapped(), with the folio frozen: off the queue if it is
     * on it (the shrinker may have taken it off already), and PG_partially_mapped cleared either way.
     */
    void dequeueForSplit(Folio folio) {
        int nid = folio.nid();
        locks[nid].lockIrqsave();
        try {
            queues.get(nid).remove(folio.pfn()); // __list_lru_del
            clearPartiallyMapped(folio);
        } finally {
            locks[nid].unlockIrqrestore();
        }
    }

    private void clearPartiallyMapped(Folio folio) {
        if (testPartiallyMapped(memMap, folio.pfn())) {
            memMap.clearFlag(folio.pfn() + 1, PageFlags.PG_partially_mapped); // folio_clear_partially_mapped: clear_bit, relaxed
            ctx.thp().stats().mod(folio.order(), MthpStats.Item.NR_ANON_PARTIALLY_MAPPED, -1);
        }
    }

    /**
     * deferred_split_scan() (mm/huge_memory.c), the shrinker of node {@code nid}'s queue: isolate every
     * queued folio that folio_try_get() can still reference (one whose count is already zero is only
     * unqueued, its PG_partially_mapped cleared); then split each partially mapped one under
     * folio_trylock(); a folio that is not partially mapped is dropped from the queue (the underused
     * check is for PMD-sized THPs only); one that could not be locked or split is queued again.
     *
     * @param nid the node id
     * @return the number of folios split
     */
    public int scan(int nid) {
        List<Folio> dispose = new ArrayList<>();
        locks[nid].lockIrq();
        try {
            for (Long pfn : new ArrayList<>(queues.get(nid))) {
                Folio folio = memMap.folio(pfn);
                queues.get(nid).remove(pfn); // list_lru_isolate(_move)
                if (folio.tryGet()) { // folio_try_get: fully ordered on success
                    dispose.add(folio);
                } else {
                    clearPartiallyMapped(folio);
                }
            }
        } finally {
            locks[nid].unlockIrq();
        }
        int split = 0;
        for (Folio folio : dispose) {
            boolean didSplit = false;
            boolean requeue;
            if (!partiallyMapped(folio)) {
                requeue = false;
            } else if (!folio.trylock()) { // folio_trylock: acquire
                requeue = true;
            } else {
                if (ctx.thp().split().splitFolioToOrder(folio, 0) == 0) {
                    didSplit = true;
                    split++;
                }
                folio.unlock(); // folio_unlock: release
                requeue = !didSplit && partiallyMapped(folio);
            }
            if (requeue) {
                locks[nid].lockIrq();
                try {
                    queues.get(nid).add(folio.pfn()); // list_lru_add_irq
                } finally {
                    locks[nid].unlockIrq();
                }
            }
            folio.put(); // folio_put: fully ordered atomic_dec_and_test
        }
        return split;
    }

    /** Save every node's queue and lock (a machine checkpoint); the returned action puts them back. */
    Runnable save() {
        List<List<Long>> copy = new ArrayList<>();
        for (LinkedHashSet<Long> q : queues) copy.add(List.copyOf(q));
        Runnable l = io.github.foliolab.folio.Restorable.saveAll(locks);
        return () -> {
            for (int i = 0; i < queues.size(); i++) {
                queues.get(i).clear();
                queues.get(i).addAll(copy.get(i));
            }
            l.run();
        };
    }
}
