package io.github.foliolab.explore.scenarios;

import io.github.foliolab.explore.Invariant;
import io.github.foliolab.explore.View;
import io.github.foliolab.explore.World;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.ZoneType;
import io.github.foliolab.lru.LruList;
import io.github.foliolab.lru.LruVec;

import java.util.List;

/**
 * Invariants of the LRU (docs/kernel-semantics.md sections 4.3, 4.4, 5.9, 6.7, 8.4) over an {@link LruWorld}, read
 * through the lru module's public API without taking lru_lock ({@link LruVec#listPfnsLocked} is only
 * called while no CPU holds it). Those that a function breaks for a few steps hold where the view says
 * so: list and counter invariants whenever lru_lock is free, flag/ownership invariants between functions.
 */
public final class LruInvariants {
    private LruInvariants() {}

    /** {@code values()} once: the invariants run after every step, and each {@code values()} call copies. */
    private static final LruList[] LISTS = LruList.values();
    private static final ZoneType[] ZONES = ZoneType.values();

    private static LruWorld lw(World w) {
        return (LruWorld) w;
    }

    private static boolean lruLockFree(World w, View v) {
        return !v.held(lw(w).lruvec().lruLock().id());
    }

    private static boolean linked(long[][] lists, long pfn) {
        for (long[] l : lists) {
            for (long p : l) {
                if (p == pfn) return true;
            }
        }
        return false;
    }


    private static LruList expectedList(long flags) {
        boolean active = (flags & (1L << PageFlags.PG_active)) != 0;
        if ((flags & (1L << PageFlags.PG_unevictable)) != 0) return LruList.LRU_UNEVICTABLE;
        int base = (flags & (1L << PageFlags.PG_swapbacked)) != 0 ? 0 : LruList.LRU_FILE;
        return LruList.of(active ? base + LruList.LRU_ACTIVE : base);
    }

    /** The per-list sizes equal the node vmstat counters (nr_inactive_anon, ..., nr_unevictable). */
    public static final Invariant SIZES_MATCH_VMSTAT = Invariant.of("lru-sizes-match-vmstat", (w, v) -> {
        if (!lruLockFree(w, v)) return null;
        LruVec lv = lw(w).lruvec();
        for (LruList l : LISTS) {
            long size = lv.size(l);
            long stat = w.machine().vmstat().node(l.nodeItem());
            if (size != stat) return l + " has " + size + " pages but " + l.nodeItem().procName() + " is " + stat;
        }
        return null;
    });

    /** The linked entries of each evictable list add up to its size (no lost or doubly counted folio). */
    public static final Invariant LINKED_MATCH_SIZES = Invariant.of("lru-linked-match-sizes", (w, v) -> {
        if (!lruLockFree(w, v)) return null;
        LruVec lv = lw(w).lruvec();
        long[][] lists = lw(w).linkedLists(v);
        for (LruList l : LISTS) {
            if (l == LruList.LRU_UNEVICTABLE) continue;
            long pages = 0;
            for (long pfn : lists[l.ordinal()]) pages += w.machine().memMap().nrPages(pfn);
            if (pages != lv.size(l)) return l + " links " + pages + " pages but its size is " + lv.size(l);
        }
        return null;
    });

    /** No list or zone size goes negative. */
    public static final Invariant SIZES_NONNEGATIVE = Invariant.of("lru-sizes-nonnegative", (w, v) -> {
        if (!lruLockFree(w, v)) return null;
        LruVec lv = lw(w).lruvec();
        for (ZoneType z : ZONES) {
            for (LruList l : LISTS) {
                if (lv.zoneSize(z, l) < 0) return l + " of " + z + " has size " + lv.zoneSize(z, l);
            }
        }
        return null;
    });

    /** A folio linked on a list is on the list its flags name (active, file/anon; never unevictable). */
    public static final Invariant LINKED_ON_ITS_LIST = Invariant.of("lru-linked-on-its-list", (w, v) -> {
        if (!lruLockFree(w, v)) return null;
        long[][] lists = lw(w).linkedLists(v);
        for (LruList l : LISTS) {
            for (long pfn : lists[l.ordinal()]) {
                LruList want = expectedList(w.machine().memMap().flagsWord(pfn));
                if (want != l) return w.folioName(pfn) + " is linked on " + l + " but its flags say " + want + ": "
                        + PageFlags.describe(w.machine().memMap().flagsWord(pfn));
            }
        }
        return null;
    });

    /**
     * PG_lru only on a listed or unevictable-accounted folio (section 4.4): between functions, a folio
     * with PG_lru is linked on its list, or is PG_unevictable (counted, never linked).
     */
    public static final Invariant LRU_FLAG_LISTED = Invariant.of("lru-flag-listed", (w, v) -> {
        if (!v.quiescent()) return null;
        long[][] lists = lw(w).linkedLists(v);
        for (Folio f : w.folios()) {
            long fl = f.flags();
            if ((fl & (1L << PageFlags.PG_lru)) == 0) continue;
            if ((fl & (1L << PageFlags.PG_unevictable)) != 0) continue;
            if (!linked(lists, f.pfn())) return w.folioName(f.pfn()) + " has PG_lru but is on no list: " + PageFlags.describe(fl);
        }
        return null;
    });

    /** Between functions, a folio without PG_lru is on no list (isolated, batched or free folios are off-LRU). */
    public static final Invariant OFF_LRU_UNLINKED = Invariant.of("off-lru-unlinked", (w, v) -> {
        if (!v.quiescent()) return null;
        long[][] lists = lw(w).linkedLists(v);
        for (Folio f : w.folios()) {
            if ((f.flags() & (1L << PageFlags.PG_lru)) == 0 && linked(lists, f.pfn())) {
                return w.folioName(f.pfn()) + " is linked on an LRU list without PG_lru";
            }
        }
        return null;
    });

    /**
     * NR_UNEVICTABLE counts exactly the PG_lru + PG_unevictable folios (between functions); the
     * mlock_count in their lru words is only meaningful for those.
     */
    public static final Invariant UNEVICTABLE_ACCOUNTED = Invariant.of("unevictable-accounted", (w, v) -> {
        if (!v.quiescent()) return null;
        long pages = 0;
        for (Folio f : w.folios()) {
            long fl = f.flags();
            if ((fl & (1L << PageFlags.PG_lru)) != 0 && (fl & (1L << PageFlags.PG_unevictable)) != 0) {
                pages += f.nrPages();
            }
        }
        long size = lw(w).lruvec().size(LruList.LRU_UNEVICTABLE);
        return size == pages ? null : "LRU_UNEVICTABLE counts " + size + " pages but " + pages + " have PG_lru|PG_unevictable";
    });

    /** Between functions, a folio queued in an lru_add batch does not have PG_lru (section 5.9). */
    public static final Invariant BATCHED_OFF_LRU = Invariant.of("lru-add-batched-off-lru", (w, v) -> {
        if (!v.quiescent()) return null;
        LruWorld lw = lw(w);
        for (Folio f : w.folios()) {
            for (int cpu = 0; cpu < w.machine().cpus().nr(); cpu++) {
                if (lw.swap().batchContains(cpu, io.github.foliolab.lru.BatchKind.LRU_ADD, f)
                        && (f.flags() & (1L << PageFlags.PG_lru)) != 0) {
                    return w.folioName(f.pfn()) + " is in CPU " + cpu + "'s lru_add batch with PG_lru set";
                }
            }
        }
        return null;
    });

    /**
     * The refcount covers every holder (section 3.2): mappings, page cache, isolation and temporary
     * references the scenario records, plus one per batch entry (LRU and mlock batches); between
     * functions.
     */
    public static final Invariant REFCOUNT_COVERS_HOLDERS = Invariant.of("refcount-covers-holders", (w, v) -> {
        if (!v.quiescent()) return null;
        LruWorld lw = lw(w);
        for (Folio f : w.folios()) {
            int held = lw.heldReferences(f);
            if (held == LruWorld.UNTRACKED || f.memMap().isBuddy(f.pfn())) continue;
            int want = held + lw.lruBatchEntries(f) + lw.otherBatchEntries(f);
            int ref = f.memMap().refCountRaw(f.pfn());
            if (ref < want) {
                return w.folioName(f.pfn()) + " has refcount " + ref + " but " + held + " held reference(s) + "
                        + (want - held) + " batch entr" + (want - held == 1 ? "y" : "ies") + " need " + want;
            }
        }
        return null;
    });

    /** A free folio is on no list and in no batch. */
    public static final Invariant FREE_NOT_ON_LRU = Invariant.of("free-not-on-lru", (w, v) -> {
        if (!lruLockFree(w, v)) return null;
        LruWorld lw = lw(w);
        long[][] lists = lw.linkedLists(v);
        for (Folio f : w.folios()) {
            if (!f.memMap().isBuddy(f.pfn())) continue;
            if (linked(lists, f.pfn())) return "free " + w.folioName(f.pfn()) + " is still linked on an LRU list";
        }
        return null;
    });

    /**
     * Between functions, a folio on the unevictable LRU (PG_lru + PG_unevictable) is really unevictable:
     * PG_mlocked, or an unevictable mapping (section 6.7). Otherwise nothing will ever move it back:
     * the stranded state of race R1.
     */
    public static final Invariant UNEVICTABLE_REALLY_UNEVICTABLE = Invariant.of("unevictable-lru-not-evictable", (w, v) -> {
        if (!v.quiescent()) return null;
        for (Folio f : w.folios()) {
            long fl = f.flags();
            if ((fl & (1L << PageFlags.PG_lru)) != 0 && (fl & (1L << PageFlags.PG_unevictable)) != 0
                    && lw(w).vmscan().folioEvictable(f)) {
                return w.folioName(f.pfn()) + " is on the unevictable LRU but evictable: " + PageFlags.describe(fl);
            }
        }
        return null;
    });

    /**
     * mlock_count only on unevictable folios (section 6.5): between functions, a PG_lru folio's lru words
     * hold a count exactly when it is PG_unevictable (never linked then, count within 0..2^20); an
     * evictable PG_lru folio's lru words are list links.
     */
    public static final Invariant MLOCK_COUNT_ONLY_UNEVICTABLE = Invariant.of("mlock-count-only-unevictable", (w, v) -> {
        if (!v.quiescent()) return null;
        long[][] lists = lw(w).linkedLists(v);
        for (Folio f : w.folios()) {
            long fl = f.flags();
            if ((fl & (1L << PageFlags.PG_lru)) == 0) continue;
            boolean unevictable = (fl & (1L << PageFlags.PG_unevictable)) != 0;
            boolean isLinked = linked(lists, f.pfn());
            if (unevictable && isLinked) {
                return w.folioName(f.pfn()) + " is unevictable but linked: its lru words cannot hold mlock_count";
            }
            if (unevictable && (f.mlockCount() < 0 || f.mlockCount() > (1 << 20))) {
                return w.folioName(f.pfn()) + " has mlock_count " + f.mlockCount();
            }
            if (!unevictable && !isLinked) {
                return w.folioName(f.pfn()) + " is evictable with PG_lru but unlinked: its lru words are not list links";
            }
        }
        return null;
    });

    /** Between functions, the LRU, isolation and mlock counters are not negative. */
    public static final Invariant COUNTERS_NONNEGATIVE = Invariant.of("vmstat-nonnegative", (w, v) -> {
        if (!v.quiescent()) return null;
        var vm = w.machine().vmstat();
        for (LruList l : LISTS) {
            if (vm.node(l.nodeItem()) < 0) return l.nodeItem().procName() + " is " + vm.node(l.nodeItem());
        }
        for (var item : List.of(io.github.foliolab.folio.api.NodeStatItem.NR_ISOLATED_ANON,
                io.github.foliolab.folio.api.NodeStatItem.NR_ISOLATED_FILE)) {
            if (vm.node(item) < 0) return item.procName() + " is " + vm.node(item);
        }
        long mlock = vm.zoneSum(io.github.foliolab.folio.api.ZoneStatItem.NR_MLOCK);
        return mlock < 0 ? "nr_mlock is " + mlock : null;
    });

    /** {@return every LRU invariant of this class, in the order they are checked} */
    public static List<Invariant> all() {
        return List.of(SIZES_MATCH_VMSTAT, LINKED_MATCH_SIZES, SIZES_NONNEGATIVE, LINKED_ON_ITS_LIST, LRU_FLAG_LISTED,
                OFF_LRU_UNLINKED, UNEVICTABLE_ACCOUNTED, BATCHED_OFF_LRU, REFCOUNT_COVERS_HOLDERS, FREE_NOT_ON_LRU,
                UNEVICTABLE_REALLY_UNEVICTABLE, COUNTERS_NONNEGATIVE, MLOCK_COUNT_ONLY_UNEVICTABLE);
    }
}
