package io.github.foliolab.explore;

import io.github.foliolab.folio.FolioOp;
import io.github.foliolab.folio.VmStatOp;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.sched.ObjectIds;
import io.github.foliolab.folio.api.sched.SchedOp;
import io.github.foliolab.lru.LruOp;
import io.github.foliolab.mlock.MlockOp;
import io.github.foliolab.mm.VmaOp;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The dependency relation partial-order reduction uses: two steps conflict only on overlapping parts of
 * one object ({@link SchedOp#part}), and only if one of them writes.
 */
class FootprintTest {
    private static Footprint step(SchedOp op, long id, long arg) {
        Footprint f = new Footprint();
        f.add(Engine.key(op, id, arg), op.kind(arg).writes());
        return f;
    }

    @Test
    void atomicBitOpsOnDifferentBitsOfOneFolioCommute() {
        Footprint clearLru = step(FolioOp.TEST_CLEAR_FLAG, 7, PageFlags.PG_lru);
        assertFalse(clearLru.dependent(step(FolioOp.TEST_SET_FLAG, 7, PageFlags.PG_mlocked)));
        assertTrue(clearLru.dependent(step(FolioOp.TEST_FLAG, 7, PageFlags.PG_lru)), "the same bit");
        assertFalse(clearLru.dependent(step(FolioOp.TEST_CLEAR_FLAG, 8, PageFlags.PG_lru)), "another folio");
        assertFalse(step(FolioOp.TEST_FLAG, 7, PageFlags.PG_lru).dependent(step(FolioOp.TEST_FLAG, 7, PageFlags.PG_lru)),
                "two reads");
    }

    @Test
    void aNonAtomicFlagOpConflictsWithEveryBitOfItsWord() {
        Footprint nonAtomic = step(FolioOp.NONATOMIC_SET_FLAG, 7, PageFlags.PG_active);
        assertTrue(nonAtomic.dependent(step(FolioOp.TEST_FLAG, 7, PageFlags.PG_lru)));
        assertTrue(step(FolioOp.UNLOCK, 7, PageFlags.PG_locked).dependent(nonAtomic));
        assertFalse(nonAtomic.dependent(step(FolioOp.GET, 7, 1)), "the refcount is another word");
    }

    @Test
    void refcountFlagsAndWholeFolio() {
        Footprint get = step(FolioOp.GET, 7, 1);
        assertTrue(get.dependent(step(FolioOp.REF_COUNT, 7, 0)));
        assertTrue(get.dependent(step(FolioOp.MAYBE_DMA_PINNED, 7, 0)));
        assertFalse(get.dependent(step(FolioOp.SET_FLAG, 7, PageFlags.PG_referenced)));
        assertFalse(get.dependent(step(FolioOp.MAPCOUNT_ADD, 7, 1)));
        assertTrue(step(FolioOp.FREE, 7, 0).dependent(step(FolioOp.TEST_FLAG, 7, PageFlags.PG_lru)), "free: the whole folio");
    }

    /** Two mm object ids (as {@code SchedPoints.newObjectId} makes them). */
    private static final long MM = ObjectIds.BASE + 21;
    private static final long OTHER_MM = ObjectIds.BASE + 22;

    @Test
    void aBatchAddAndGupPutFolioTouchNoWordOfTheFolio() {
        for (Footprint add : List.of(step(LruOp.FOLIO_BATCH_ADD, 7, 0), step(MlockOp.MLOCK_BATCH_ADD, 7, 0))) {
            assertFalse(add.dependent(step(FolioOp.GET, 7, 1)), "the batch's reference is the folio_get's step");
            assertFalse(add.dependent(step(FolioOp.TEST_CLEAR_FLAG, 7, PageFlags.PG_lru)));
            assertFalse(add.dependent(step(FolioOp.NONATOMIC_SET_FLAG, 7, PageFlags.PG_lru)));
            assertTrue(add.dependent(step(FolioOp.FREE, 7, 0)), "free: the whole folio");
        }
        assertFalse(step(LruOp.FOLIO_BATCH_ADD, 7, 0).dependent(step(MlockOp.MLOCK_BATCH_ADD, 7, 0)), "two batches");
        assertFalse(step(LruOp.FOLIO_BATCH_ADD, 7, 0).dependent(step(FolioOp.GUP_PUT_FOLIO, 7, 1)));
        Footprint put = step(FolioOp.GUP_PUT_FOLIO, 7, 1);
        assertFalse(put.dependent(step(FolioOp.REF_COUNT, 7, 0)), "the references go in its folio_put_refs step");
        assertFalse(put.dependent(step(FolioOp.REF_FREEZE, 7, 1)));
        assertTrue(step(FolioOp.PUT_REFS, 7, 1).dependent(step(FolioOp.REF_COUNT, 7, 0)));
    }

    @Test
    void machineWideWords() {
        Footprint fold = step(VmStatOp.ZONE_PAGE_STATE_ADD, 5, 3);
        assertTrue(fold.dependent(step(VmStatOp.ZONE_PAGE_STATE_ADD, -1, 3)), "one counter");
        assertFalse(fold.dependent(step(VmStatOp.ZONE_PAGE_STATE_ADD, 5, 4)));
        assertFalse(fold.dependent(step(VmStatOp.NODE_PAGE_STATE_ADD, 5, 3)));
        assertFalse(fold.dependent(step(FolioOp.GET, 3, 1)));
        Footprint read = step(VmaOp.VM_FLAGS_READ, MM, 0);
        assertTrue(read.dependent(step(VmaOp.VM_FLAGS_WRITE, MM, 0)), "vm_flags of one mm");
        assertFalse(read.dependent(step(VmaOp.VM_FLAGS_WRITE, OTHER_MM, 0)), "another mm's vm_flags");
        assertFalse(read.dependent(step(VmaOp.VM_FLAGS_READ, MM, 0)));
        assertFalse(read.dependent(fold));
        SchedOp anything = new SchedOp() {
            public String kernelName() {
                return "x";
            }

            public Subject subject() {
                return Subject.NONE;
            }

            public Kind kind() {
                return Kind.WRITE;
            }
        };
        assertTrue(step(anything, 0, 0).dependent(read), "a NONE step without a part depends on everything");
        assertTrue(step(anything, 0, 0).dependent(step(FolioOp.TEST_FLAG, 7, PageFlags.PG_lru)));
    }

    @Test
    void partsOverlap() {
        assertTrue(SchedOp.overlap(SchedOp.WHOLE, SchedOp.bit(1, 3)));
        assertTrue(SchedOp.overlap(SchedOp.word(1), SchedOp.bit(1, 3)));
        assertFalse(SchedOp.overlap(SchedOp.bit(1, 4), SchedOp.bit(1, 3)));
        assertFalse(SchedOp.overlap(SchedOp.word(2), SchedOp.bit(1, 3)));
        assertThrows(IllegalArgumentException.class, () -> SchedOp.bit(1, 64));
        assertThrows(IllegalArgumentException.class, () -> SchedOp.word(512));
    }
}
