package io.github.foliolab.mm;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The per-size mTHP statistics of mm/huge_memory.c (count_mthp_stat / mod_mthp_stat), read in
 * /sys/kernel/mm/transparent_hugepage/hugepages-SIZEkB/stats/. Events only grow; {@code nr_anon} and
 * {@code nr_anon_partially_mapped} are gauges (folios, not pages).
 *
 * <p>Model difference: the kernel keeps them per CPU and sums on read; the model keeps one atomic
 * counter per order and item (a relaxed add: the sums are the same).
 */
public final class MthpStats {
    /** The items, by the names of their sysfs files. */
    public enum Item {
        /** anon_fault_alloc (MTHP_STAT_ANON_FAULT_ALLOC): an anon fault allocated a folio of this order. */
        ANON_FAULT_ALLOC,
        /** anon_fault_fallback: an anon fault could not allocate this order and fell back to a smaller one. */
        ANON_FAULT_FALLBACK,
        /** split: a folio of this order was split successfully (split_huge_page and friends). */
        SPLIT,
        /** split_failed: a split of a folio of this order failed (extra references, a pin). */
        SPLIT_FAILED,
        /** split_deferred: a partly unmapped folio of this order was queued on the deferred split list. */
        SPLIT_DEFERRED,
        /** nr_anon: anon folios of this order now allocated (a gauge, in folios). */
        NR_ANON,
        /** nr_anon_partially_mapped: anon folios of this order now on the deferred list as partly mapped (a gauge). */
        NR_ANON_PARTIALLY_MAPPED,
        /** swpout_fallback: reclaim split a folio of this order because it could not swap it out whole (no swap device in the model). */
        SWPOUT_FALLBACK;

        /** {@return the sysfs file name, e.g. {@code anon_fault_alloc}} */
        public String fileName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final int N = Item.values().length;
    private final AtomicLongArray counters = new AtomicLongArray((ThpSettings.MAX_ORDER + 1) * N);

    MthpStats() {
    }

    /**
     * count_mthp_stat() / mod_mthp_stat(): add {@code delta} to an item of {@code order}. Order 0 and
     * orders above {@link ThpSettings#MAX_ORDER} are not counted (the kernel has no files for them).
     *
     * @param order the folio order
     * @param item the item
     * @param delta the change (folios or events)
     */
    public void mod(int order, Item item, long delta) {
        if (order <= 0 || order > ThpSettings.MAX_ORDER) return;
        counters.getAndAdd(order * N + item.ordinal(), delta); // this_cpu_add: relaxed
    }

    /**
     * {@return the current value of an item of {@code order}}
     *
     * @param order a page order in [1, {@link ThpSettings#MAX_ORDER}]
     * @param item the item
     */
    public long get(int order, Item item) {
        return counters.get(order * N + item.ordinal());
    }

    /**
     * {@return the value of a stats file by size and name, as hugepages-SIZEkB/stats/NAME reads}
     *
     * @param sizeKb the mTHP size in KiB
     * @param name the file name, e.g. {@code split_deferred}
     * @throws IllegalArgumentException for an unknown size or name
     */
    public long byName(long sizeKb, String name) {
        return get(ThpSettings.orderOfKb(sizeKb), Item.valueOf(name.toUpperCase(java.util.Locale.ROOT)));
    }
}
