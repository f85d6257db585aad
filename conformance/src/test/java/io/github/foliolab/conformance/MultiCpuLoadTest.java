package io.github.foliolab.conformance;

import io.github.foliolab.folio.sync.LockWatch;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The multi-CPU load ({@link MultiCpuLoad}) as tests. CI runs {@code foliolab.load.ops} operations
 * (default 10^6) with {@code foliolab.load.tasks} task CPUs (default 8) plus a reclaim and a drain CPU;
 * the longer run is {@code mvn -B verify -pl conformance -am -Dtest=MultiCpuLoadTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfoliolab.load.ops=10000000}.
 */
class MultiCpuLoadTest {
    static final long OPS = Long.getLong("foliolab.load.ops", 1_000_000);
    static final int TASKS = Integer.getInteger("foliolab.load.tasks", 8);

    @Test
    void everyFolioStaysAccountedForUnderLoad() throws Exception {
        MultiCpuLoad.Figures f = new MultiCpuLoad(TASKS, OPS, 10, Long.getLong("foliolab.load.seed", 20261130L))
                .run(60_000, Math.max(600_000, OPS / 10));
        System.out.println("[multi-CPU load] " + TASKS + " task CPUs + reclaim + drain: " + f);
        assertTrue(f.ops() >= OPS && f.syscalls() > 0 && f.touches() > 0 && f.shrinkPasses() > 0 && f.drainAlls() > 0, f.toString());
    }

    /**
     * The injected fault: one release of an lru_lock is skipped. The load must fail within its time
     * bound, with a report that names the lock: the watchdog's hung-task report (a CPU blocked on it, with
     * the holder) or lockdep's recursion BUG when the holder itself takes it again.
     */
    @Test
    void aSkippedUnlockIsCaught() {
        LockWatch.injectSkippedUnlock("&lruvec->lru_lock");
        long t0 = System.nanoTime();
        try {
            AssertionError e = assertThrows(AssertionError.class, () -> new MultiCpuLoad(4, 200_000, 2, 7).run(5_000, 120_000));
            String msg = e.getMessage() + (e.getCause() != null ? " " + e.getCause() : "");
            System.out.println("[multi-CPU load] the injected skipped unlock was caught:\n" + msg);
            assertTrue(msg.contains("lru_lock"), msg);
            // Three detectors can see the lock that was never released, whichever runs first: the hung-task
            // watchdog (another CPU blocks on it), lockdep's recursion check (this CPU takes it again), or
            // folio_isolate_lru's own check (this CPU isolates with it held).
            assertTrue(msg.contains("hung task detected") && msg.contains("blocked on &lruvec->lru_lock")
                    || msg.contains("recursion on &lruvec->lru_lock")
                    || msg.contains("folio_isolate_lru with lru_lock held"), msg);
            assertTrue((System.nanoTime() - t0) / 1_000_000_000 < 130, "caught within the bound");
        } finally {
            LockWatch.injectSkippedUnlock(null);
        }
    }
}
