package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.NodeStatItem;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The capacity sweep and a user-defined policy. */
class BatchPolicyTest {
    static List<Integer> sweep() {
        return LruBatchPolicies.SWEEP;
    }

    @ParameterizedTest
    @MethodSource("sweep")
    void batchOfCapacityNFlushesOnTheNthAddWithOneLockHold(int capacity) {
        try (LruFixture fx = new LruFixture(2, LruBatchPolicies.capacity(capacity), PerCpuWorkqueue.Mode.MANUAL)) {
            List<Folio> fs = new ArrayList<>();
            for (int i = 0; i < capacity; i++) fs.add(fx.anon());
            long locks0 = fx.lruvec.lockAcquisitions(1);
            fx.on(1, () -> {
                for (int i = 0; i < capacity - 1; i++) fx.swap.folioAddLru(fs.get(i));
            });
            assertEquals(capacity - 1, fx.swap.batchCount(1, BatchKind.LRU_ADD));
            assertEquals(locks0, fx.lruvec.lockAcquisitions(1), "no lru_lock before the batch is full");
            fx.on(1, () -> fx.swap.folioAddLru(fs.get(capacity - 1)));
            assertEquals(0, fx.swap.batchCount(1, BatchKind.LRU_ADD));
            assertEquals(locks0 + 1, fx.lruvec.lockAcquisitions(1), "one lru_lock hold for the whole batch");
            for (Folio f : fs) {
                assertTrue(f.testLru());
                assertEquals(1, f.refCount());
            }
            assertEquals(capacity, fx.node(NodeStatItem.NR_INACTIVE_ANON));
            fx.assertListsConsistent();
        }
    }

    /** A policy written outside the library: caches large folios too, batches of 7. */
    private static final class CacheEverything implements LruBatchPolicy {
        @Override
        public String name() {
            return "cache-everything-7";
        }

        @Override
        public int batchCapacity(BatchKind kind) {
            return 7;
        }

        @Override
        public boolean mayBeLruCached(Folio folio) {
            return true;
        }
    }

    @Test
    void aUserPolicyChangesTheLargeFolioRule() {
        try (LruFixture fx = new LruFixture(1, new CacheEverything(), PerCpuWorkqueue.Mode.MANUAL)) {
            assertEquals("cache-everything-7", fx.swap.policy().name());
            Folio large = fx.anon(2);
            fx.on(0, () -> fx.swap.folioAddLru(large));
            assertFalse(large.testLru(), "the user policy leaves a large folio in the batch");
            assertEquals(2, large.refCount());
            fx.on(0, fx.swap::lruAddDrain);
            assertTrue(large.testLru());
            assertEquals(4, fx.node(NodeStatItem.NR_INACTIVE_ANON));
        }
    }

    @Test
    void policyIsFixedWhenTheMachineIsBuilt() {
        try (LruFixture fx = new LruFixture(1, LruBatchPolicies.unbatched(), PerCpuWorkqueue.Mode.MANUAL)) {
            assertEquals("unbatched", fx.swap.policy().name());
        }
        try (LruFixture fx = new LruFixture(1)) {
            assertEquals("kernel", fx.swap.policy().name());
        }
    }

    @Test
    void policiesByName() {
        for (String n : List.of("kernel", "kernel-rt-drain", "unbatched", "batch-15", "shared-mpsc-64")) {
            assertEquals(n, LruBatchPolicies.byName(n).name());
        }
        assertEquals(15, LruBatchPolicies.byName("batch-15").batchCapacity(BatchKind.LRU_ADD));
        assertEquals(64, LruBatchPolicies.byName("shared-mpsc-64").sharedAddBufferSize());
        assertThrows(IllegalArgumentException.class, () -> LruBatchPolicies.byName("nope"));
        assertThrows(IllegalArgumentException.class, () -> LruBatchPolicies.capacity(0));
    }

    /** A user policy: small lru_activate batches, and lru_add moves once it holds three folios of one kind. */
    public static final class ThreeOfAKind implements LruBatchPolicy {
        public ThreeOfAKind() {}

        @Override
        public String name() {
            return "three-of-a-kind";
        }

        @Override
        public int batchCapacity(BatchKind kind) {
            return kind == BatchKind.LRU_ACTIVATE ? 2 : 31;
        }

        @Override
        public int mlockBatchCapacity() {
            return 5;
        }

        @Override
        public boolean moveNow(BatchKind kind, FolioBatchView batch, Folio folio, Swap swap) {
            return batch.count() >= 3 || LruBatchPolicy.super.moveNow(kind, batch, folio, swap);
        }
    }

    @Test
    void aFlushRuleThatSeesTheBatchAndCapacitiesPerKind() {
        try (LruFixture fx = new LruFixture(1, new ThreeOfAKind(), PerCpuWorkqueue.Mode.MANUAL)) {
            List<Folio> fs = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) fs.add(fx.anon());
            fx.on(0, () -> fx.swap.folioAddLru(fs.get(0)));
            fx.on(0, () -> fx.swap.folioAddLru(fs.get(1)));
            assertEquals(2, fx.swap.batchCount(0, BatchKind.LRU_ADD));
            assertFalse(fs.get(1).testLru());
            fx.on(0, () -> fx.swap.folioAddLru(fs.get(2)));
            assertEquals(0, fx.swap.batchCount(0, BatchKind.LRU_ADD), "the third folio moved the batch");
            for (Folio f : fs) assertTrue(f.testLru());
            // lru_activate batches hold two.
            fx.on(0, () -> fx.swap.folioActivate(fs.get(0)));
            assertEquals(1, fx.swap.batchCount(0, BatchKind.LRU_ACTIVATE));
            fx.on(0, () -> fx.swap.folioActivate(fs.get(1)));
            assertEquals(0, fx.swap.batchCount(0, BatchKind.LRU_ACTIVATE), "full at two: moved");
            assertTrue(fs.get(0).testActive() && fs.get(1).testActive());
            assertEquals(5, fx.swap.mlock().batch(0).capacity(), "the mlock batch has its own size");
        }
    }

    @Test
    void theMlockBatchKeepsItsSizeWhateverTheLruBatchesAre() {
        try (LruFixture fx = new LruFixture(1, LruBatchPolicies.unbatched(), PerCpuWorkqueue.Mode.MANUAL)) {
            assertEquals(FolioBatch.FOLIO_BATCH_SIZE, fx.swap.mlock().batch(0).capacity());
        }
    }

    @Test
    void aUserPolicyByClassNameAndAClearErrorForAnUnknownOne() {
        LruBatchPolicy p = LruBatchPolicies.byName(ThreeOfAKind.class.getName());
        assertEquals("three-of-a-kind", p.name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LruBatchPolicies.byName("com.example.NoSuchPolicy"));
        assertTrue(e.getMessage().contains("com.example.NoSuchPolicy"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LruBatchPolicies.byName("batch-x"));
        assertTrue(e.getMessage().contains("batch-x"), e.getMessage());
    }
}
