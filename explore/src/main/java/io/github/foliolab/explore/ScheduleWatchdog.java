package io.github.foliolab.explore;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread for the whole JVM that, about once a second, asks every engine that has waited for a
 * schedule whether its simulated CPUs have run for too long without reaching a schedule point
 * ({@link Engine#checkOverdue}). It exists so that an engine's main thread can wait for each schedule
 * without a timed park (see {@link Engine}); it never touches a simulated CPU.
 */
final class ScheduleWatchdog {
    private ScheduleWatchdog() {}

    /** The engines to check; an engine leaves the set once it is closed. */
    private static final Set<Engine> ENGINES = ConcurrentHashMap.newKeySet();
    /** The watchdog thread, started with the first engine (guarded by the class's monitor). */
    private static Thread thread;

    /** Check {@code e} from now on, until it is closed (an engine registers once, when it is made). */
    static void watch(Engine e) {
        if (ENGINES.add(e)) {
            start();
        }
    }

    private static synchronized void start() {
        if (thread == null) {
            thread = Thread.ofPlatform().daemon().name("foliolab-explore-watchdog").start(ScheduleWatchdog::run);
        }
    }

    private static void run() {
        while (true) {
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            long now = System.nanoTime();
            ENGINES.removeIf(e -> !e.checkOverdue(now));
        }
    }
}
