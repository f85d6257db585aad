package io.github.foliolab.mm;

import io.github.foliolab.folio.VmStat;
import io.github.foliolab.folio.api.NodeStatItem;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;

/**
 * The upper levels of one mm's page tables, flattened: a map from the 2 MiB-aligned address a PMD entry
 * covers to its last-level {@link PageTable}. Lookups are lock-free so that a lockless walker can use
 * them; tables are created under the mm's page_table_lock equivalent (the map's own atomicity).
 *
 * <p>Model difference: empty page tables are never freed (free_pgtables() is not modelled), so a
 * lockless walker never sees a table go away; NR_PAGETABLE counts the tables ever allocated.
 */
public final class PageTables {
    private final ConcurrentHashMap<Long, PageTable> tables = new ConcurrentHashMap<>();
    private final long mmId;
    private final VmStat vmstat;

    PageTables(long mmId, VmStat vmstat) {
        this.mmId = mmId;
        this.vmstat = vmstat;
    }

    static long pmdBase(long addr) {
        return addr & ~((1L << PageTable.PMD_SHIFT) - 1);
    }

    /**
     * pte_offset_map(): the table mapping {@code addr}, or null if the PMD is none.
     *
     * @param addr a user virtual address (bytes)
     * @return the page table covering the 2 MiB around {@code addr}, or null
     */
    public PageTable lookup(long addr) {
        return tables.get(pmdBase(addr));
    }

    /**
     * __pte_alloc(): the table mapping {@code addr}, allocated if missing.
     *
     * @param addr a user virtual address (bytes)
     * @return the page table covering the 2 MiB around {@code addr}
     */
    public PageTable alloc(long addr) {
        long b = pmdBase(addr);
        PageTable t = tables.get(b);
        if (t != null) {
            return t;
        }
        PageTable created = new PageTable(b, mmId);
        PageTable prev = tables.putIfAbsent(b, created);
        if (prev != null) {
            return prev;
        }
        vmstat.modNode(NodeStatItem.NR_PAGETABLE, 1);
        return created;
    }

    /**
     * {@return the PTE of {@code addr} for observers (no lock, no schedule point), pte_none if no table}
     *
     * @param addr a user virtual address (bytes)
     */
    public long peek(long addr) {
        PageTable t = lookup(addr);
        return t == null ? Pte.NONE : t.peek(addr);
    }

    /**
     * Visit every table base in address order (observers and invariant checks).
     *
     * @param base called with each table's first user virtual address (bytes)
     */
    public void forEachTable(LongConsumer base) {
        tables.keySet().stream().sorted().forEach(base::accept);
    }

    /**
     * free_pgtables() at exit: drop every table (each must be empty: the VMAs were zapped first).
     *
     * @throws io.github.foliolab.folio.api.VmBugException if a table still has an entry
     */
    void freeAll() {
        for (Long base : new java.util.TreeSet<>(tables.keySet())) {
            PageTable t = tables.get(base);
            if (!t.isEmpty()) {
                throw new io.github.foliolab.folio.api.VmBugException("free_pgtables: table at 0x" + Long.toHexString(base) + " not empty");
            }
            tables.remove(base);
            vmstat.modNode(NodeStatItem.NR_PAGETABLE, -1);
        }
    }

    /**
     * Save the tables and their entries (a machine checkpoint); the returned action puts them back and
     * forgets the tables allocated since.
     */
    Runnable save() {
        java.util.Map<Long, PageTable> copy = java.util.Map.copyOf(tables);
        Runnable[] each = copy.values().stream().map(PageTable::save).toArray(Runnable[]::new);
        return () -> {
            tables.keySet().retainAll(copy.keySet());
            tables.putAll(copy);
            for (Runnable r : each) r.run();
        };
    }
}
