package io.github.foliolab.lru;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.spi.MachineModule;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.VmStat;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmEventItem;

import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A small machine with the lru state, and helpers the lru tests share. */
final class LruFixture implements AutoCloseable {
    final Machine machine;
    final MemMap mm;
    final VmStat vmstat;
    final Swap swap;
    final Vmscan vmscan;
    final LruVec lruvec;

    /** Reclaim's rmap: the mm module is not on this module's test path, so tests plug in their own. */
    private volatile RmapOps rmap = RmapOps.NONE;

    LruFixture(int cpus, LruBatchPolicy policy, PerCpuWorkqueue.Mode mode) {
        machine = Machine.builder().cpus(cpus).zones(16384, 0)
                .with(Swap.POLICY, policy).with(Swap.WORKQUEUE_MODE, mode)
                .withModule(new MachineModule() {
                    @Override
                    public String name() {
                        return "test-rmap";
                    }

                    @Override
                    public java.util.Set<String> after() {
                        return java.util.Set.of("lru");
                    }

                    @Override
                    public void attach(Machine.Assembly a) {
                        a.provide(RmapOps.class, new RmapOps() {
                            @Override
                            public Referenced folioReferenced(Folio folio, boolean isLocked) {
                                return rmap.folioReferenced(folio, isLocked);
                            }

                            @Override
                            public boolean tryToUnmap(Folio folio) {
                                return rmap.tryToUnmap(folio);
                            }

                            @Override
                            public boolean mappingUnevictable(long mapping) {
                                return rmap.mappingUnevictable(mapping);
                            }

                            @Override
                            public boolean removeMapping(Folio folio) {
                                return rmap.removeMapping(folio);
                            }

                            @Override
                            public boolean shmemMapping(long mapping) {
                                return rmap.shmemMapping(mapping);
                            }

                            @Override
                            public int shmemWriteout(Folio folio) {
                                return rmap.shmemWriteout(folio);
                            }
                        });
                    }
                })
                .build();
        mm = machine.memMap();
        vmstat = machine.vmstat();
        swap = Swap.of(machine);
        vmscan = Vmscan.of(machine);
        lruvec = LruVec.of(machine);
    }

    /** Use {@code ops} as reclaim's rmap from now on (the test module provided a forwarder at build). */
    void setRmap(RmapOps ops) {
        this.rmap = ops;
    }

    LruFixture(int cpus) {
        this(cpus, LruBatchPolicies.kernel(), PerCpuWorkqueue.Mode.THREADS);
    }

    /** A new private anon folio as a fault leaves it: ref 1 (the mapping's), PG_swapbacked, anon mapping. */
    Folio anon() {
        return anon(0);
    }

    Folio anon(int order) {
        Folio f = machine.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, order);
        PageWords.setMapping(mm, f.pfn(), 0x1000L | 1L); // PAGE_MAPPING_ANON
        f.set(PageFlags.PG_swapbacked);
        return f;
    }

    /** A new file folio (no page cache in this module: mapping 0), ref 1. */
    Folio file() {
        return machine.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
    }

    void on(int cpu, Runnable r) {
        machine.cpu(cpu).run(r);
    }

    <T> T on(int cpu, Supplier<T> s) {
        return machine.cpu(cpu).call(s);
    }

    long node(NodeStatItem i) {
        return vmstat.node(i);
    }

    long ev(VmEventItem i) {
        return vmstat.event(i);
    }

    /** The list sizes equal the node counters, and each linked list has exactly size pages. */
    void assertListsConsistent() {
        for (LruList l : LruList.values()) {
            assertEquals(lruvec.size(l), vmstat.node(l.nodeItem()), "size vs counter of " + l);
            assertEquals(lruvec.size(l), vmstat.zoneSum(l.zoneItem()), "size vs zone counter of " + l);
            if (l != LruList.LRU_UNEVICTABLE) {
                long pages = 0;
                for (long pfn : lruvec.listPfns(l)) {
                    pages += mm.nrPages(pfn);
                    assertEquals(l, LruList.folioLruList(mm, pfn), "folio on the wrong list");
                }
                assertEquals(lruvec.size(l), pages, "linked pages of " + l);
            }
        }
    }

    /** Snapshot of every event and node counter, for delta assertions. */
    Map<VmEventItem, Long> events() {
        Map<VmEventItem, Long> m = new EnumMap<>(VmEventItem.class);
        for (VmEventItem i : VmEventItem.values()) m.put(i, vmstat.event(i));
        return m;
    }

    /** Every event except those listed is unchanged since {@code before}. */
    void assertOtherEventsUnchanged(Map<VmEventItem, Long> before, VmEventItem... changed) {
        outer:
        for (VmEventItem i : VmEventItem.values()) {
            for (VmEventItem c : changed) if (c == i) continue outer;
            if (i == VmEventItem.PGFREE) continue;
            assertEquals(before.get(i), vmstat.event(i), "event " + i.procName() + " changed");
        }
    }

    static void assertFlags(Folio f, boolean lru, boolean active, boolean unevictable) {
        assertEquals(lru, f.testLru(), "PG_lru of " + f);
        assertEquals(active, f.testActive(), "PG_active of " + f);
        assertEquals(unevictable, f.testUnevictable(), "PG_unevictable of " + f);
    }

    static void assertTrueMsg(boolean b, String msg) {
        assertTrue(b, msg);
    }

    @Override
    public void close() {
        machine.close();
    }
}
