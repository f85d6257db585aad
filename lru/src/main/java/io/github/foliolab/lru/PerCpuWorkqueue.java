package io.github.foliolab.lru;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.cpu.Cpu;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * mm_percpu_wq: per-CPU work queues whose items run on their CPU. queue_work_on() puts a
 * {@link PerCpuWork} on the target CPU's multi-producer single-consumer queue; the CPU's kworker runs it.
 *
 * <p>Two ways to run the kworkers ({@link Mode}): {@link Mode#THREADS} starts, on first use, one daemon
 * platform thread per CPU, bound to that simulated CPU with {@link Cpu#run}, idling with an Agrona
 * backoff strategy; {@link Mode#MANUAL} starts none, and queued work runs only when some thread bound to
 * the CPU calls {@link #runPending(int)} (the explorer schedules that as the CPU's kworker, so drains are
 * deterministic). {@link #close()} stops the threads.
 */
public final class PerCpuWorkqueue implements AutoCloseable {
    /** How queued work gets run. */
    public enum Mode {
        /** Lazily started daemon kworker threads, one per CPU. */
        THREADS,
        /** No threads: call {@link #runPending(int)} on a thread bound to the CPU. */
        MANUAL
    }

    private static final int QUEUE_CAPACITY = 64;

    private final Machine machine;
    private final Mode mode;
    private final MpscAtomicArrayQueue<PerCpuWork>[] queues;
    /** Started kworkers; guarded by this (start/close), read racily by queue_work_on for unpark. */
    private final Thread[] workers;
    /** Schedule-point ids of the per-CPU queues (a simulated kworker waits on its queue's id). */
    private final long[] queueIds;
    private volatile boolean closed;

    @SuppressWarnings({"unchecked", "rawtypes"})
    PerCpuWorkqueue(Machine machine, Mode mode) {
        this.machine = machine;
        this.mode = mode;
        int n = machine.cpus().nr();
        this.queues = new MpscAtomicArrayQueue[n];
        for (int i = 0; i < n; i++) {
            queues[i] = new MpscAtomicArrayQueue<>(QUEUE_CAPACITY);
        }
        this.workers = new Thread[n];
        this.queueIds = new long[n];
        for (int i = 0; i < n; i++) {
            queueIds[i] = io.github.foliolab.folio.api.sched.SchedPoints.newObjectId("mm_percpu_wq/" + i);
        }
    }

    /** {@return how queued work gets run: kworker threads or {@link #runPending(int)} by hand} */
    public Mode mode() {
        return mode;
    }

    /**
     * queue_work_on(cpu, wq, work). The offer is a release (the queuer's writes are visible to the kworker
     * that polls it).
     *
     * @param cpu the simulated CPU number
     * @param work the work item
     * @return true if queued, false if the work was already pending
     */
    public boolean queueWorkOn(int cpu, PerCpuWork work) {
        if (work.cpu() != cpu) {
            throw new IllegalArgumentException("work " + work.id() + " belongs to CPU " + work.cpu() + ", not " + cpu);
        }
        if (closed) {
            throw new IllegalStateException("workqueue closed");
        }
        SchedPoints.before(LruOp.QUEUE_WORK_ON, work.id(), cpu);
        if (!work.markPending()) {
            return false;
        }
        while (!queues[cpu].offer(work)) {
            Thread.onSpinWait(); // bounded queue of distinct per-CPU works: never full in practice
        }
        SchedPoints.released(LruOp.QUEUE_WORK_ON, queueIds[cpu]); // wake a simulated kworker
        if (mode == Mode.THREADS) {
            Thread t = workers[cpu];
            if (t == null) {
                t = startWorker(cpu);
            }
            LockSupport.unpark(t);
        }
        return true;
    }

    /**
     * flush_work(work): wait until it has run.
     *
     * @param work the work item
     */
    public void flushWork(PerCpuWork work) {
        work.flush();
    }

    /**
     * {@return true if CPU {@code cpu} has queued work not yet run}
     *
     * @param cpu the simulated CPU number
     */
    public boolean hasPending(int cpu) {
        return !queues[cpu].isEmpty();
    }

    /**
     * Run the work queued on {@code cpu} on the calling thread, which must be bound to that CPU (the
     * kworker's loop body, for {@link Mode#MANUAL} and the explorer).
     *
     * @param cpu the simulated CPU number
     * @return how many items ran
     */
    public int runPending(int cpu) {
        if (!Cpu.onCpu() || Cpu.current().id() != cpu) {
            throw new IllegalStateException("runPending(" + cpu + ") must run on CPU " + cpu
                    + " (wrap it in machine.cpu(" + cpu + ").run(...))");
        }
        int n = 0;
        PerCpuWork w;
        while ((w = queues[cpu].poll()) != null) { // poll: acquire, pairs with the queuer's offer
            w.run();
            n++;
        }
        return n;
    }

    /**
     * {@return one round of a simulated kworker for {@link Mode#MANUAL} under the explorer: wait (a {@link
     * SchedPoints#contended} wait on the CPU's queue, released by queue_work_on) until work is queued or
     * the queue is closed, then run it on the calling thread, which must be bound to {@code cpu}} Returns
     * how many items ran (0 only when closed).
     *
     * @param cpu the simulated CPU number
     */
    public int waitAndRunPending(int cpu) {
        int round = 0;
        while (queues[cpu].isEmpty() && !closed) {
            SchedPoints.contended(LruOp.RUN_WORK, queueIds[cpu]);
            if (round++ < 64) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return runPending(cpu);
    }

    private synchronized Thread startWorker(int cpu) {
        if (workers[cpu] != null) {
            return workers[cpu];
        }
        Cpu c = machine.cpu(cpu);
        Thread t = Thread.ofPlatform().daemon().name("kworker/" + cpu + ":mm_percpu_wq").unstarted(() -> c.run(() -> kworker(cpu)));
        workers[cpu] = t;
        t.start();
        return t;
    }

    private void kworker(int cpu) {
        IdleStrategy idle = new BackoffIdleStrategy(64, 16, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
        while (!closed) {
            idle.idle(runPending(cpu));
        }
        runPending(cpu); // nobody may be left waiting on flush_work
    }

    /** Stop the kworker threads (after running what is queued). Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Thread t : workers) {
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
        for (Thread t : workers) {
            if (t != null && t != Thread.currentThread()) {
                try {
                    t.join(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** {@return number of kworker threads still alive} */
    public synchronized int aliveWorkers() {
        int n = 0;
        for (Thread t : workers) if (t != null && t.isAlive()) n++;
        return n;
    }

    /** {@return number of kworker threads started so far} */
    public synchronized int startedWorkers() {
        int n = 0;
        for (Thread t : workers) if (t != null) n++;
        return n;
    }

    /** Save the queued work of every CPU (a machine checkpoint; normally none is queued then). */
    Runnable save() {
        java.util.List<java.util.List<PerCpuWork>> saved = new java.util.ArrayList<>();
        for (MpscAtomicArrayQueue<PerCpuWork> q : queues) {
            saved.add(refill(q, drain(q)));
        }
        return () -> {
            for (int i = 0; i < queues.length; i++) {
                drain(queues[i]);
                refill(queues[i], saved.get(i));
            }
        };
    }

    private static java.util.List<PerCpuWork> drain(MpscAtomicArrayQueue<PerCpuWork> q) {
        java.util.List<PerCpuWork> items = new java.util.ArrayList<>();
        q.drain(items::add);
        return items;
    }

    private static java.util.List<PerCpuWork> refill(MpscAtomicArrayQueue<PerCpuWork> q, java.util.List<PerCpuWork> items) {
        for (PerCpuWork w : items) {
            q.offer(w);
        }
        return items;
    }
}
