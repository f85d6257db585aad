package io.github.foliolab.conformance;

import io.github.foliolab.folio.sync.LockWatch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load test's hung-task detector (kernel/hung_task.c in spirit): if the operation counter does not
 * move for {@code stallMillis}, or the run outlives {@code limitMillis}, it writes a hung-task report
 * (each simulated CPU's thread with the lock or completion it waits for and who holds that, its held
 * locks and its stack of model functions under their kernel names; the kworkers too), then aborts every
 * wait of the model ({@link LockWatch#abortWaits}) so that the stuck threads unwind and the test fails
 * in bounded time.
 */
final class Watchdog implements AutoCloseable {
    private final Thread thread;
    private final AtomicReference<String> report = new AtomicReference<>();
    private volatile boolean closed;

    Watchdog(Map<Thread, String> watched, AtomicLong progress, long stallMillis, long limitMillis) {
        thread = Thread.ofPlatform().daemon().name("watchdog").start(() -> watch(watched, progress, stallMillis, limitMillis));
    }

    private void watch(Map<Thread, String> watched, AtomicLong progress, long stallMillis, long limitMillis) {
        long start = System.nanoTime();
        long last = progress.get();
        long lastMove = start;
        while (!closed) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            long p = progress.get();
            if (p != last) {
                last = p;
                lastMove = now;
            }
            String why = null;
            if ((now - lastMove) / 1_000_000 >= stallMillis) {
                why = "no operation completed for " + (now - lastMove) / 1_000_000 + " ms (at operation " + p + ")";
            } else if ((now - start) / 1_000_000 >= limitMillis) {
                why = "the run exceeded its time limit of " + limitMillis + " ms (at operation " + p + ")";
            }
            if (why != null && !closed) {
                Map<Thread, String> all = new LinkedHashMap<>(watched);
                Thread.getAllStackTraces().keySet().stream()
                        .filter(t -> t.getName().startsWith("kworker/"))
                        .forEach(t -> all.putIfAbsent(t, "per-CPU worker"));
                report.set("INFO: hung task detected: " + why + "\n" + LockWatch.report(all));
                LockWatch.abortWaits();
                return;
            }
        }
    }

    /** The hung-task report, or null if the watchdog did not fire. */
    String report() {
        return report.get();
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
