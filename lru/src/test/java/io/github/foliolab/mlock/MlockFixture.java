package io.github.foliolab.mlock;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.VmStat;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.lru.LruList;
import io.github.foliolab.lru.LruVec;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.lru.Vmscan;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A machine with lru and mlock state, counters snapshots and assertion helpers. */
final class MlockFixture implements AutoCloseable {
    final Machine machine = Machine.boot(3, 16384, 0);
    final MemMap mm = machine.memMap();
    final VmStat vmstat = machine.vmstat();
    final Swap swap = Swap.of(machine);
    final Vmscan vmscan = Vmscan.of(machine);
    final LruVec lruvec = LruVec.of(machine);
    final Mlock mlock = Mlock.of(machine);

    Folio anon() {
        Folio f = machine.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        PageWords.setMapping(mm, f.pfn(), 0x1000L | 1L);
        f.set(PageFlags.PG_swapbacked);
        return f;
    }

    Folio anon(int order) {
        Folio f = machine.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, order);
        PageWords.setMapping(mm, f.pfn(), 0x1000L | 1L);
        f.set(PageFlags.PG_swapbacked);
        return f;
    }

    Folio file() {
        return machine.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
    }

    void on(int cpu, Runnable r) {
        machine.cpu(cpu).run(r);
    }

    <T> T on(int cpu, Supplier<T> s) {
        return machine.cpu(cpu).call(s);
    }

    /** Add to the LRU and drain on CPU 0. */
    Folio onLru(Folio f) {
        on(0, () -> {
            swap.folioAddLru(f);
            swap.lruAddDrain();
        });
        return f;
    }

    /** folio_add_lru + lru_add_drain on CPU 1 (CPU 0's mlock batch is left alone). */
    void onLruNoMlockDrain(Folio f) {
        on(1, () -> {
            swap.folioAddLru(f);
            swap.lruAddDrain();
        });
    }

    /** Counter snapshot: events, node items, NR_MLOCK. */
    final class Snap {
        final Map<VmEventItem, Long> ev = new EnumMap<>(VmEventItem.class);
        final Map<NodeStatItem, Long> node = new EnumMap<>(NodeStatItem.class);
        final long mlock;

        Snap() {
            for (VmEventItem i : VmEventItem.values()) ev.put(i, vmstat.event(i));
            for (NodeStatItem i : NodeStatItem.values()) node.put(i, vmstat.node(i));
            mlock = vmstat.zoneSum(ZoneStatItem.NR_MLOCK);
        }

        /**
         * Assert exact deltas: nr_mlock, and for events/node items the given pairs (item, delta); every
         * other event (except pgfree) and LRU/isolated node item must be unchanged.
         */
        void assertDeltas(long nrMlock, Object... pairs) {
            assertEquals(mlock + nrMlock, vmstat.zoneSum(ZoneStatItem.NR_MLOCK), "nr_mlock delta");
            Map<VmEventItem, Long> evd = new EnumMap<>(VmEventItem.class);
            Map<NodeStatItem, Long> nd = new EnumMap<>(NodeStatItem.class);
            for (int i = 0; i < pairs.length; i += 2) {
                long d = ((Number) pairs[i + 1]).longValue();
                if (pairs[i] instanceof VmEventItem e) evd.put(e, d);
                else nd.put((NodeStatItem) pairs[i], d);
            }
            for (VmEventItem i : VmEventItem.values()) {
                if (i == VmEventItem.PGFREE) continue;
                assertEquals(ev.get(i) + evd.getOrDefault(i, 0L), vmstat.event(i), "event " + i.procName());
            }
            for (LruList l : LruList.values()) {
                NodeStatItem i = l.nodeItem();
                assertEquals(node.get(i) + nd.getOrDefault(i, 0L), vmstat.node(i), "node item " + i.procName());
            }
            for (NodeStatItem i : new NodeStatItem[] {NodeStatItem.NR_ISOLATED_ANON, NodeStatItem.NR_ISOLATED_FILE}) {
                assertEquals(node.get(i) + nd.getOrDefault(i, 0L), vmstat.node(i), "node item " + i.procName());
            }
        }
    }

    Snap snap() {
        return new Snap();
    }

    /** Flags of interest, exactly: lru, active, unevictable, mlocked. */
    static void assertFlags(Folio f, boolean lru, boolean active, boolean unevictable, boolean mlocked) {
        assertEquals(lru, f.testLru(), "PG_lru " + f);
        assertEquals(active, f.testActive(), "PG_active " + f);
        assertEquals(unevictable, f.testUnevictable(), "PG_unevictable " + f);
        assertEquals(mlocked, f.testMlocked(), "PG_mlocked " + f);
    }

    /** Which linked list the folio is on (null for none, including the never-linked unevictable list). */
    LruList linked(Folio f) {
        return lruvec.linkedListOf(f);
    }

    void assertListsConsistent() {
        for (LruList l : LruList.values()) {
            assertEquals(lruvec.size(l), vmstat.node(l.nodeItem()), "size vs counter of " + l);
            if (l != LruList.LRU_UNEVICTABLE) {
                long pages = 0;
                for (long pfn : lruvec.listPfns(l)) pages += mm.nrPages(pfn);
                assertEquals(lruvec.size(l), pages, "linked pages of " + l);
            }
        }
    }

    @Override
    public void close() {
        swap.close();
    }
}
