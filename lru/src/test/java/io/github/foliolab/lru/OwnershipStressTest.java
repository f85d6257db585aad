package io.github.foliolab.lru;

import io.github.foliolab.folio.Folio;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The PG_lru ownership protocol under two real threads on two simulated CPUs: 10^6 operations in total
 * of folio_isolate_lru / folio_putback_lru / lru_add_drain / lru_add_drain_all on a shared set of folios.
 * Whoever wins folio_test_clear_lru owns the folio until it puts it back. At the end every folio is in
 * exactly one place (on exactly one list, PG_lru set), refcounts are back to the baseline and the list
 * sizes equal the counters.
 */
class OwnershipStressTest {
    private static final int FOLIOS = 192;
    private static final int OPS_PER_THREAD = 500_000;

    @Test
    void addIsolatePutbackDrainAllTwoThreads() throws Exception {
        runStress(LruBatchPolicies.kernel());
    }

    @Test
    void sameWithTheSharedBufferPolicy() throws Exception {
        runStress(LruBatchPolicies.sharedBuffer(128));
    }

    private void runStress(LruBatchPolicy policy) throws Exception {
        try (LruFixture fx = new LruFixture(2, policy, PerCpuWorkqueue.Mode.THREADS)) {
            List<Folio> fs = new ArrayList<>();
            for (int i = 0; i < FOLIOS; i++) {
                fs.add(i % 3 == 0 ? fx.file() : fx.anon());
            }
            fx.on(0, () -> {
                fs.forEach(fx.swap::folioAddLru);
                fx.swap.lruAddDrain();
            });
            long inactive = fx.lruvec.size(LruList.LRU_INACTIVE_ANON) + fx.lruvec.size(LruList.LRU_INACTIVE_FILE);
            assertEquals(FOLIOS, inactive);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long[] owned = new long[2];
            Thread[] ts = new Thread[2];
            for (int t = 0; t < 2; t++) {
                int cpu = t;
                ts[t] = Thread.ofPlatform().name("stress-cpu" + cpu).start(() -> {
                    try {
                        fx.on(cpu, () -> owned[cpu] = worker(fx, fs, cpu));
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            for (Thread t : ts) t.join(60_000);
            for (Thread t : ts) assertFalse(t.isAlive(), "stress thread hung");
            if (failure.get() != null) {
                throw new AssertionError("stress thread failed", failure.get());
            }
            assertTrue(owned[0] > 0 && owned[1] > 0, "both threads isolated folios: " + owned[0] + ", " + owned[1]);
            fx.on(0, fx.swap::lruAddDrainAll);
            long onLists = 0;
            java.util.Set<Long> seen = new java.util.HashSet<>();
            for (LruList l : LruList.values()) {
                if (l == LruList.LRU_UNEVICTABLE) continue;
                for (long pfn : fx.lruvec.listPfns(l)) {
                    assertTrue(seen.add(pfn), "pfn " + pfn + " on two lists");
                    onLists++;
                }
            }
            assertEquals(FOLIOS, onLists);
            for (Folio f : fs) {
                assertTrue(seen.contains(f.pfn()), "folio lost: " + f);
                assertTrue(f.testLru(), "PG_lru clear at the end: " + f);
                assertEquals(1, f.refCount(), "refcount not back to baseline: " + f);
            }
            fx.assertListsConsistent();
            for (int cpu = 0; cpu < 2; cpu++) {
                for (BatchKind k : BatchKind.values()) assertEquals(0, fx.swap.batchCount(cpu, k));
            }
        }
    }

    /** One CPU's loop; returns how many isolations it won. */
    private static long worker(LruFixture fx, List<Folio> fs, int cpu) {
        SplittableRandom rnd = new SplittableRandom(42 + cpu);
        boolean[] mine = new boolean[fs.size()];
        long won = 0;
        for (int op = 0; op < OPS_PER_THREAD; op++) {
            int i = rnd.nextInt(fs.size());
            Folio f = fs.get(i);
            int r = rnd.nextInt(1000);
            if (r == 0) {
                fx.swap.lruAddDrainAll();
            } else if (r < 20) {
                fx.swap.lruAddDrain();
            } else if (r < 40) {
                fx.swap.folioMarkAccessed(f); // the test's baseline reference keeps it alive
            } else if (mine[i]) {
                if (f.testLru()) throw new AssertionError("owner sees PG_lru set on its isolated folio " + f);
                fx.vmscan.folioPutbackLru(f);
                mine[i] = false;
            } else if (fx.vmscan.folioIsolateLru(f)) {
                mine[i] = true;
                won++;
            }
        }
        for (int i = 0; i < mine.length; i++) {
            if (mine[i]) fx.vmscan.folioPutbackLru(fs.get(i));
        }
        fx.swap.lruAddDrain();
        return won;
    }
}
