package io.github.foliolab.gup;

/**
 * How collect_longterm_unpinnable_folios() (mm/gup.c) drains the per-CPU LRU caches before it isolates
 * a folio that must be migrated away before a long-term pin. Selected per machine with
 * {@link Gup#LONGTERM_DRAIN}.
 */
public enum LongtermDrain {
    /**
     * Linux 7.2: when a small folio's refcount is above folio_expected_ref_count() plus the pin's own,
     * lru_add_drain() on this CPU first; if the count is still too high, lru_add_drain_all() once. This
     * also drops an mlock batch's reference that keeps PG_lru set, so migration's count check passes.
     */
    V7_2,
    /**
     * Linux 6.15: lru_add_drain_all() once, only for a folio without PG_lru. A folio that has PG_lru but
     * an extra reference from another CPU's mlock batch is isolated undrained and fails migration: the
     * pin returns -ENOMEM (the 2025 pKVM / crosvm report).
     */
    V6_15
}
