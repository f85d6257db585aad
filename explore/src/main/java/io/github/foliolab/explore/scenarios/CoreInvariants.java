package io.github.foliolab.explore.scenarios;

import io.github.foliolab.explore.Invariant;
import io.github.foliolab.explore.View;
import io.github.foliolab.explore.World;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.ZoneStatItem;

import java.util.List;

/**
 * Invariants of the folio primitives (docs/kernel-semantics.md sections 2.4, 3, 6.7), over the world's named folios.
 * They read the memmap with raw accessors (no schedule points). Those about counters that a kernel
 * function updates in several steps are checked only at quiescent points ({@link View#quiescent}).
 */
public final class CoreInvariants {
    private CoreInvariants() {}

    /** Refcount never negative (an underflow the DEBUG_VM checks would have refused). */
    public static final Invariant REFCOUNT_NONNEGATIVE = Invariant.of("refcount-nonnegative", (w, v) -> {
        for (Folio f : w.folios()) {
            int r = f.memMap().refCountRaw(f.pfn());
            if (r < 0) return w.folioName(f.pfn()) + " has refcount " + r;
        }
        return null;
    });

    /** Mapcount never below zero. */
    public static final Invariant MAPCOUNT_NONNEGATIVE = Invariant.of("mapcount-nonnegative", (w, v) -> {
        for (Folio f : w.folios()) {
            if (f.memMap().isBuddy(f.pfn())) continue;
            int m = f.memMap().folioMapcountRaw(f.pfn());
            if (m < 0) return w.folioName(f.pfn()) + " has mapcount " + m;
        }
        return null;
    });

    /** Never PG_active and PG_unevictable together (section 2.4). */
    public static final Invariant ACTIVE_XOR_UNEVICTABLE = Invariant.of("active-xor-unevictable", (w, v) -> {
        for (Folio f : w.folios()) {
            long fl = f.flags();
            if ((fl & (1L << PageFlags.PG_active)) != 0 && (fl & (1L << PageFlags.PG_unevictable)) != 0) {
                return w.folioName(f.pfn()) + " is both active and unevictable: " + PageFlags.describe(fl);
            }
        }
        return null;
    });

    /** A folio with PG_lru is referenced (the LRU does not own a reference; somebody must). */
    public static final Invariant LRU_IMPLIES_REFERENCED = Invariant.of("lru-implies-referenced", (w, v) -> {
        if (!v.quiescent()) return null;
        for (Folio f : w.folios()) {
            if (has(f, PageFlags.PG_lru) && f.memMap().refCountRaw(f.pfn()) <= 0) {
                return w.folioName(f.pfn()) + " has PG_lru but refcount " + f.memMap().refCountRaw(f.pfn());
            }
        }
        return null;
    });

    /** A free folio (in the buddy allocator) has no flags checked at free, no mapping, no mapcount. */
    public static final Invariant FREE_FOLIO_CLEAN = Invariant.of("free-folio-clean", (w, v) -> {
        for (Folio f : w.folios()) {
            MemMap mm = f.memMap();
            if (!mm.isBuddy(f.pfn())) continue;
            if ((f.flags() & PageFlags.PAGE_FLAGS_CHECK_AT_FREE) != 0) {
                return "free " + w.folioName(f.pfn()) + " still has flags " + PageFlags.describe(f.flags());
            }
            if (mm.mapping(f.pfn()) != 0) {
                return "free " + w.folioName(f.pfn()) + " still has a mapping";
            }
            if (mm.refCountRaw(f.pfn()) != 0) {
                return "free " + w.folioName(f.pfn()) + " has refcount " + mm.refCountRaw(f.pfn());
            }
        }
        return null;
    });

    /** Pins are references: _pincount never exceeds the refcount. */
    public static final Invariant PINS_WITHIN_REFCOUNT = Invariant.of("pins-within-refcount", (w, v) -> {
        for (Folio f : w.folios()) {
            MemMap mm = f.memMap();
            if (mm.isBuddy(f.pfn())) continue;
            if (mm.pincount(f.pfn()) > mm.refCountRaw(f.pfn()) && mm.refCountRaw(f.pfn()) != 0) {
                return w.folioName(f.pfn()) + " has pincount " + mm.pincount(f.pfn()) + " > refcount " + mm.refCountRaw(f.pfn());
            }
        }
        return null;
    });

    /** Every mapping holds a reference: {@code mapcount <= refcount} (between functions). */
    public static final Invariant MAPPINGS_REFERENCED = Invariant.of("mappings-referenced", (w, v) -> {
        if (!v.quiescent()) return null;
        for (Folio f : w.folios()) {
            MemMap mm = f.memMap();
            if (mm.isBuddy(f.pfn())) continue;
            int map = mm.folioMapcountRaw(f.pfn());
            if (map > mm.refCountRaw(f.pfn())) {
                return w.folioName(f.pfn()) + " is mapped " + map + " times with refcount " + mm.refCountRaw(f.pfn());
            }
        }
        return null;
    });

    /** NR_MLOCK is never negative and, between functions, counts the PG_mlocked pages of the world. */
    public static final Invariant NR_MLOCK_MATCHES = Invariant.of("nr-mlock-matches", (w, v) -> {
        if (!v.quiescent()) return null;
        long nr = w.machine().vmstat().zoneSum(ZoneStatItem.NR_MLOCK); // after the cheap test: a sum over CPUs
        long pages = 0;
        for (Folio f : w.folios()) {
            if (has(f, PageFlags.PG_mlocked)) pages += f.nrPages();
        }
        if (nr != pages) {
            return "nr_mlock is " + nr + " but " + pages + " page(s) have PG_mlocked";
        }
        return null;
    });

    /** Nobody returns to user space holding a folio lock. */
    public static final Invariant NO_FOLIO_LOCK_AT_END = Invariant.of("folio-unlocked-at-end", (w, v) -> {
        if (!v.atEnd()) return null;
        for (Folio f : w.folios()) {
            if (has(f, PageFlags.PG_locked)) return w.folioName(f.pfn()) + " is still locked";
        }
        return null;
    });

    /** PG_mlocked and PG_head bookkeeping: a large folio's _nr_pages_mapped never exceeds its pages. */
    public static final Invariant NR_PAGES_MAPPED_BOUNDED = Invariant.of("nr-pages-mapped-bounded", (w, v) -> {
        for (Folio f : w.folios()) {
            MemMap mm = f.memMap();
            if (!mm.isLarge(f.pfn())) continue;
            int n = mm.nrPagesMappedRaw(f.pfn());
            if (n < 0 || n > mm.nrPages(f.pfn())) {
                return w.folioName(f.pfn()) + " has _nr_pages_mapped " + n + " of " + mm.nrPages(f.pfn()) + " pages";
            }
        }
        return null;
    });

    static boolean has(Folio f, int bit) {
        return (f.flags() & (1L << bit)) != 0;
    }

    /** {@return the core invariants} */
    public static List<Invariant> all() {
        return List.of(REFCOUNT_NONNEGATIVE, MAPCOUNT_NONNEGATIVE, ACTIVE_XOR_UNEVICTABLE, LRU_IMPLIES_REFERENCED,
                FREE_FOLIO_CLEAN, PINS_WITHIN_REFCOUNT, MAPPINGS_REFERENCED, NR_MLOCK_MATCHES, NO_FOLIO_LOCK_AT_END,
                NR_PAGES_MAPPED_BOUNDED);
    }
}
