package io.github.foliolab.folio.sync;

import io.github.foliolab.folio.cpu.Cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who holds what and who waits for what, for hung-task reports (kernel/hung_task.c prints the blocked
 * tasks with their stacks, and lockdep's debug_show_all_locks their held locks).
 *
 * <p>Always known: the holder of each {@link SimLock} (spinlock, mutex, local_lock), the writer of a
 * {@link RwSem}, and for every thread that waits in a contended lock, rwsem or completion (flush_work
 * waits on one) what it waits for and on which simulated CPU; a wait records itself on its slow path
 * only, so an uncontended lock costs nothing more. With {@link #setTracking} on (the load and stress
 * tests turn it on), each thread's held locks, rwsem readers included, are recorded as well.
 *
 * <p>{@link #abortWaits} makes every current and later wait throw {@link WaitAbortedError}, so a
 * watchdog can end a stuck run in bounded time instead of leaving threads spinning (the machine is
 * unusable afterwards). {@link #injectSkippedUnlock} is a test-only fault: the next release of a lock
 * whose name starts with the given prefix is skipped, as a missing unlock on an error path would be.
 */
public final class LockWatch {
    private LockWatch() {}

    /** Thrown out of a wait once {@link #abortWaits} was called. */
    public static final class WaitAbortedError extends Error {
        WaitAbortedError(String what) {
            super("wait for " + what + " aborted by the watchdog");
        }
    }

    /** One thread's record: what it waits for, on which CPU, and (when tracking) what it holds. */
    static final class ThreadRecord {
        volatile Object waitingFor;
        volatile int cpu = -1;
        final List<Object> held = new ArrayList<>(); // guarded by itself
    }

    private static final Map<Thread, ThreadRecord> THREADS = new ConcurrentHashMap<>();
    private static volatile boolean tracking;
    private static volatile boolean aborted;
    private static volatile String skipUnlockPrefix;

    /** Purge the records of exited threads when the map grows past this (guarded by LockWatch.class). */
    private static int purgeAt = 64;

    /**
     * The calling thread's record, made on its first wait and kept (cleared, not removed, when a wait
     * ends), so that a contended wait allocates nothing and writes nothing another thread writes: two
     * CPUs that contend for a lock often would otherwise add and remove map entries on every wait.
     */
    private static ThreadRecord record() {
        Thread t = Thread.currentThread();
        ThreadRecord r = THREADS.get(t);
        return r != null ? r : register(t);
    }

    private static ThreadRecord register(Thread t) {
        synchronized (LockWatch.class) {
            if (THREADS.size() >= purgeAt) { // amortised: exited threads' records do not accumulate
                THREADS.keySet().removeIf(x -> !x.isAlive());
                purgeAt = Math.max(64, 2 * THREADS.size());
            }
        }
        return THREADS.computeIfAbsent(t, k -> new ThreadRecord());
    }

    /**
     * Record held locks per thread from now on (false: stop and forget them).
     *
     * @param on true to start recording, false to stop and clear every thread's record
     */
    public static void setTracking(boolean on) {
        tracking = on;
        if (!on) {
            THREADS.values().forEach(r -> {
                synchronized (r.held) {
                    r.held.clear();
                }
            });
        }
        THREADS.keySet().removeIf(t -> !t.isAlive());
    }

    /** Make every wait throw {@link WaitAbortedError} until {@link #resetAbort}. */
    public static void abortWaits() {
        aborted = true;
    }

    /** Waits wait again (for the next machine). */
    public static void resetAbort() {
        aborted = false;
        THREADS.keySet().removeIf(t -> !t.isAlive());
    }

    /**
     * Test-only fault injection: skip the next release of a lock whose name starts with {@code prefix}.
     *
     * @param prefix the lock name prefix; null clears the injection
     */
    public static void injectSkippedUnlock(String prefix) {
        skipUnlockPrefix = prefix;
    }

    /** True (once) if this release of {@code name} is the injected fault; the caller then returns. */
    static boolean skipThisUnlock(String name) {
        String p = skipUnlockPrefix;
        if (p == null || !name.startsWith(p)) return false;
        synchronized (LockWatch.class) {
            if (skipUnlockPrefix == null) return false;
            skipUnlockPrefix = null;
            return true;
        }
    }

    // ---------------------------------------------------------------- hooks of the locks

    /** A wait's slow path begins: remember what the current thread waits for and where. */
    static void waiting(Object what) {
        if (aborted) throw new WaitAbortedError(String.valueOf(what));
        ThreadRecord r = record();
        r.cpu = Cpu.onCpu() ? Cpu.current().id() : -1;
        r.waitingFor = what;
    }

    /** Called in each round of a slow-path wait. */
    static void stillWaiting(Object what) {
        if (aborted) {
            doneWaiting();
            throw new WaitAbortedError(String.valueOf(what));
        }
    }

    static void doneWaiting() {
        ThreadRecord r = THREADS.get(Thread.currentThread());
        if (r != null) r.waitingFor = null;
    }

    static void acquired(Object lock) {
        if (!tracking) return;
        ThreadRecord r = record();
        r.cpu = Cpu.onCpu() ? Cpu.current().id() : -1;
        synchronized (r.held) {
            r.held.add(lock);
        }
    }

    static void released(Object lock) {
        if (!tracking) return;
        ThreadRecord r = THREADS.get(Thread.currentThread());
        if (r == null) return;
        synchronized (r.held) {
            r.held.remove(lock);
        }
    }

    /**
     * A wait of another module begins (folio_lock's retry loop): {@code what} names what it waits for.
     * Call {@link #checkWait} in each round and {@link #endWait} when it ends, on every path.
     *
     * @param what the lock, rwsem, completion or folio waited for (its toString appears in reports)
     * @throws WaitAbortedError once {@link #abortWaits} was called
     */
    public static void beginWait(Object what) {
        waiting(what);
    }

    /**
     * One round of a wait begun with {@link #beginWait}; throws {@link WaitAbortedError} when aborted.
     *
     * @param what the object given to {@link #beginWait}
     * @throws WaitAbortedError once {@link #abortWaits} was called
     */
    public static void checkWait(Object what) {
        stillWaiting(what);
    }

    /** The wait begun with {@link #beginWait} is over. */
    public static void endWait() {
        doneWaiting();
    }

    // ---------------------------------------------------------------- reports

    /**
     * What the thread waits for now (a lock, rwsem or completion), or null.
     *
     * @param t a thread
     * @return the lock, rwsem or completion it waits for, or null when it does not wait
     */
    public static Object waitingFor(Thread t) {
        ThreadRecord r = THREADS.get(t);
        return r == null ? null : r.waitingFor;
    }

    /**
     * The locks the thread holds (recorded while tracking is on).
     *
     * @param t a thread
     * @return a copy of the locks it holds, in acquisition order; empty when tracking is off
     */
    public static List<Object> held(Thread t) {
        ThreadRecord r = THREADS.get(t);
        if (r == null) return List.of();
        synchronized (r.held) {
            return new ArrayList<>(r.held);
        }
    }

    /**
     * A hung-task report for {@code threads} (thread to the label of its role, e.g. "CPU 2: syscalls"):
     * for each, what it waits for and who holds that, the locks it holds, and its stack of model
     * functions under their kernel names (the Java method lruAddDrainAll is printed as
     * lru_add_drain_all), innermost first.
     *
     * @param threads the threads to report, each with the label of its role
     * @return the report, several lines per thread
     */
    public static String report(Map<Thread, String> threads) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Thread, String> e : threads.entrySet()) {
            Thread t = e.getKey();
            ThreadRecord r = THREADS.get(t);
            sb.append("INFO: task ").append(t.getName()).append(" (").append(e.getValue()).append(')');
            if (r != null && r.cpu >= 0) sb.append(" last on CPU ").append(r.cpu);
            sb.append(t.isAlive() ? "" : " [exited]").append('\n');
            Object w = r == null ? null : r.waitingFor;
            if (w != null) sb.append("  blocked on ").append(describe(w)).append('\n');
            List<Object> held = held(t);
            sb.append("  locks held: ").append(held.isEmpty() ? "none recorded" : held).append('\n');
            sb.append("  call trace:\n");
            for (StackTraceElement f : t.getStackTrace()) {
                String fn = kernelName(f);
                if (fn != null) sb.append("    ").append(fn).append(" (").append(f.getFileName()).append(':').append(f.getLineNumber()).append(")\n");
            }
        }
        return sb.toString();
    }

    /** A wait target with its holder. */
    static String describe(Object w) {
        if (w instanceof SimLock l) {
            Thread owner = l.owner();
            return l.name() + " held by " + (owner == null ? "nobody (released meanwhile)" : owner.getName());
        }
        if (w instanceof RwSem s) return s.describeHolders();
        if (w instanceof Completion c) return "completion " + c.name() + (c.isDone() ? " (done)" : " (not completed yet)");
        return String.valueOf(w);
    }

    /** The kernel name of a model frame (camelCase to snake_case), or null for frames outside the model. */
    static String kernelName(StackTraceElement f) {
        String c = f.getClassName();
        String m = f.getMethodName();
        if (!c.startsWith("io.github.foliolab.") || c.startsWith("io.github.foliolab.folio.sync.LockWatch")
                || c.equals("io.github.foliolab.folio.sync.Spin")
                || m.startsWith("lambda$") || m.startsWith("access$") || m.equals("run") || m.equals("call")) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < m.length(); i++) {
            char ch = m.charAt(i);
            if (Character.isUpperCase(ch)) {
                if (i > 0) sb.append('_');
                sb.append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.append(" [").append(c.substring(c.lastIndexOf('.') + 1)).append(']').toString();
    }
}
