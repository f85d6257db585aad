package io.github.foliolab.folio;

import io.github.foliolab.folio.api.BadPageException;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.folio.api.ZoneType;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.folio.MemMap.FOLL_GET;
import static io.github.foliolab.folio.MemMap.FOLL_PIN;
import static io.github.foliolab.folio.MemMap.GUP_PIN_COUNTING_BIAS;
import static io.github.foliolab.folio.api.PageFlags.*;
import static org.junit.jupiter.api.Assertions.*;

class RefcountTest {
    private final Node node = Node.boot(4096, 4096);
    private final MemMap mm = node.memMap();

    private Folio alloc(int order) {
        Folio f = node.folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, order);
        assertNotNull(f);
        return f;
    }

    @Test
    void getPutAndFreeAtZero() {
        long free = node.freePages();
        Folio f = alloc(0);
        assertEquals(1, f.refCount());
        f.get();
        f.refAdd(3);
        assertEquals(5, f.refCount());
        f.refSub(2);
        assertEquals(3, f.refCount());
        assertFalse(f.refSubAndTest(1));
        assertFalse(f.put());
        assertEquals(free - 1, node.freePages());
        long pgfree = node.vmstat().event(VmEventItem.PGFREE);
        assertTrue(f.put());
        assertEquals(free, node.freePages());
        assertEquals(pgfree + 1, node.vmstat().event(VmEventItem.PGFREE));
        assertTrue(mm.isBuddy(f.pfn()));
    }

    /** S1: freeze only at the expected count; a frozen folio refuses try_get; unfreeze restores. */
    @Test
    void scenarioS1FreezeUnfreezeTryGet() {
        Folio f = alloc(0);
        f.get(); // ref 2: e.g. one mapping + caller
        assertFalse(f.refFreeze(3), "freeze at a wrong expected count fails");
        assertEquals(2, f.refCount());
        assertTrue(f.refFreeze(2));
        assertEquals(0, f.refCount());
        assertFalse(f.tryGet(), "GUP-fast's speculative reference fails on a frozen folio");
        assertEquals(0, f.refCount());
        f.refUnfreeze(2);
        assertEquals(2, f.refCount());
        assertTrue(f.tryGet());
        assertEquals(3, f.refCount());
        f.putRefs(2);
        assertTrue(f.put());
    }

    @Test
    void misuseIsReportedAndChangesNothing() {
        Folio f = alloc(0);
        Snapshot s = Snapshot.of(node);
        VmBugException e = assertThrows(VmBugException.class, () -> f.refUnfreeze(1));
        assertTrue(e.getMessage().contains("not frozen"), e.getMessage());
        assertTrue(s.sameAs(Snapshot.of(node)));
        e = assertThrows(VmBugException.class, () -> f.refSub(1));
        assertTrue(e.getMessage().contains("underflow"), e.getMessage());
        assertTrue(e.getMessage().contains("refcount:1"), e.getMessage());
        assertTrue(s.sameAs(Snapshot.of(node)));
        e = assertThrows(VmBugException.class, () -> f.putRefs(2));
        assertTrue(s.sameAs(Snapshot.of(node)));
        assertTrue(f.put());
        Snapshot freed = Snapshot.of(node);
        e = assertThrows(VmBugException.class, f::put);
        assertTrue(e.getMessage().contains("put of a free folio"), e.getMessage());
        e = assertThrows(VmBugException.class, f::get);
        assertTrue(freed.sameAs(Snapshot.of(node)));
    }

    @Test
    void pfnOutOfRangeAndTailAsFolioAreBugs() {
        assertThrows(VmBugException.class, () -> mm.folio(mm.nrPages()));
        assertThrows(VmBugException.class, () -> mm.folio(-1));
        Folio l = alloc(2);
        VmBugException e = assertThrows(VmBugException.class, () -> mm.folio(l.pfn() + 1));
        assertTrue(e.getMessage().contains("tail page"), e.getMessage());
        assertEquals(l, mm.pageFolio(l.pfn() + 3));
    }

    @Test
    void largeFolioFields() {
        Folio l = alloc(4);
        assertTrue(l.isLarge());
        assertEquals(4, l.order());
        assertEquals(16, l.nrPages());
        assertEquals(0, l.mapcount());
        assertEquals(-1, mm.largeMapcountRaw(l.pfn()));
        assertEquals(-1, mm.entireMapcountRaw(l.pfn()));
        assertEquals(0, l.pincount());
        for (int i = 1; i < 16; i++) {
            assertTrue(mm.isTail(l.pfn() + i));
            assertEquals(l.pfn(), mm.compoundHead(l.pfn() + i));
        }
        assertEquals(1, mm.largeMapcountAddReturn(l.pfn(), 2), "-1 + 2");
        assertEquals(2, l.mapcount());
        mm.largeMapcountAddReturn(l.pfn(), -2);
        assertTrue(l.put());
        assertFalse(mm.isTail(l.pfn() + 1));
    }

    @Test
    void mapcountBias() {
        Folio f = alloc(0);
        assertEquals(-1, mm.mapcountRaw(f.pfn()));
        assertEquals(0, f.mapcount());
        assertEquals(0, mm.mapcountAddReturn(f.pfn(), 1), "first mapping: atomic_inc_and_test(-1 -> 0)");
        assertEquals(1, f.mapcount());
        assertTrue(f.mapped());
        mm.mapcountAddReturn(f.pfn(), -1);
        assertFalse(f.mapped());
        f.put();
    }

    /** S26 (a)-(d): pins on small, large and zero folios, and the small-folio false positive. */
    @Test
    void pins() {
        long acq = node.vmstat().node(NodeStatItem.NR_FOLL_PIN_ACQUIRED);
        long rel = node.vmstat().node(NodeStatItem.NR_FOLL_PIN_RELEASED);
        Folio f = alloc(0);
        assertEquals(0, f.tryGrabFolio(1, FOLL_PIN));
        assertEquals(1 + GUP_PIN_COUNTING_BIAS, f.refCount());
        assertTrue(f.maybeDmaPinned());
        assertEquals(acq + 1, node.vmstat().node(NodeStatItem.NR_FOLL_PIN_ACQUIRED));
        f.unpinFolio();
        assertEquals(1, f.refCount());
        assertEquals(rel + 1, node.vmstat().node(NodeStatItem.NR_FOLL_PIN_RELEASED));
        assertFalse(f.maybeDmaPinned());

        Folio l = alloc(4);
        l.refAdd(15); // 16 mapped pages
        assertEquals(0, l.tryGrabFolio(1, FOLL_PIN));
        assertEquals(17, l.refCount());
        assertEquals(1, l.pincount());
        assertTrue(l.maybeDmaPinned());
        l.gupPutFolio(1, FOLL_PIN);
        assertEquals(16, l.refCount());
        assertEquals(0, l.pincount());
        assertFalse(l.maybeDmaPinned());

        f.refAdd(GUP_PIN_COUNTING_BIAS);
        assertTrue(f.maybeDmaPinned(), "1024 plain references look pinned (false positive)");
        f.refSub(GUP_PIN_COUNTING_BIAS);

        Folio zero = node.zeroFolio();
        int zref = zero.refCount();
        long a = node.vmstat().node(NodeStatItem.NR_FOLL_PIN_ACQUIRED);
        assertEquals(0, zero.tryGrabFolio(1, FOLL_PIN));
        assertEquals(zref, zero.refCount());
        assertEquals(a, node.vmstat().node(NodeStatItem.NR_FOLL_PIN_ACQUIRED));
        zero.gupPutFolio(1, FOLL_PIN);
        assertEquals(zref, zero.refCount());

        assertEquals(0, f.tryGrabFolio(2, FOLL_GET));
        assertEquals(3, f.refCount());
        f.gupPutFolio(2, FOLL_GET);
        assertEquals(1, f.refCount());
    }

    @Test
    void unpinWithoutPinIsABug() {
        Folio f = alloc(0);
        Snapshot s = Snapshot.of(node);
        assertThrows(VmBugException.class, f::unpinFolio);
        assertTrue(s.sameAs(Snapshot.of(node)));
    }

    @Test
    void tryGrabOnFreeFolioFailsWithEnomem() {
        Folio f = alloc(0);
        f.put();
        Snapshot s = Snapshot.of(node);
        assertEquals(-12, f.tryGrabFolio(1, FOLL_PIN));
        assertTrue(s.sameAs(Snapshot.of(node)));
    }

    @Test
    void freeingWithForbiddenFlagsIsABadPage() {
        Folio f = alloc(0);
        f.setLru();
        BadPageException e = assertThrows(BadPageException.class, f::put);
        assertTrue(e.getMessage().contains("PAGE_FLAGS_CHECK_AT_FREE"), e.getMessage());
        assertTrue(e.getMessage().contains("lru"), e.getMessage());
        assertFalse(mm.isBuddy(f.pfn()), "a bad page is leaked, not freed");

        Folio g = alloc(0);
        mm.mapcountAddReturn(g.pfn(), 1);
        e = assertThrows(BadPageException.class, g::put);
        assertTrue(e.getMessage().contains("nonzero mapcount"), e.getMessage());
    }

    @Test
    void strayMlockedIsClearedAtFreeWithAccounting() {
        Folio f = alloc(0);
        f.testSetMlocked();
        node.vmstat().modZone(f.zone().type(), ZoneStatItem.NR_MLOCK, 1);
        long cleared = node.vmstat().event(VmEventItem.UNEVICTABLE_PGCLEARED);
        long nrMlock = node.vmstat().zoneSum(ZoneStatItem.NR_MLOCK);
        assertTrue(f.put());
        assertEquals(cleared + 1, node.vmstat().event(VmEventItem.UNEVICTABLE_PGCLEARED));
        assertEquals(nrMlock - 1, node.vmstat().zoneSum(ZoneStatItem.NR_MLOCK));
        assertEquals(0, node.vmstat().zone(ZoneType.ZONE_NORMAL, ZoneStatItem.NR_MLOCK)
                + node.vmstat().zone(ZoneType.ZONE_MOVABLE, ZoneStatItem.NR_MLOCK));
    }

    @Test
    void releaseHookRunsBeforeTheFreeChecks() {
        Folio f = alloc(0);
        f.setLru();
        node.setReleaseHook(folio -> folio.nonAtomicClear(PG_lru));
        assertTrue(f.put());
        assertTrue(mm.isBuddy(f.pfn()));
    }
}
