package io.github.foliolab.conformance;

import io.github.foliolab.conformance.SyscallProgram.Kind;
import io.github.foliolab.folio.sync.LockWatch;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.lru.Vmscan;
import io.github.foliolab.mm.AddressSpace;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.Task;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.github.foliolab.mm.Mman.*;

/**
 * A multi-CPU load on real threads: {@code tasks} tasks on their own simulated CPUs (two threads per
 * process, so mmap_lock and page tables are shared; every process also maps tmpfs files shared with the
 * others) making random system calls and user accesses, valid and invalid; one more CPU running reclaim
 * (shrink passes over the LRU lists, rmap walks included); one more calling lru_add_drain_all and
 * lru_cache_disable / lru_cache_enable. It stops after {@code ops} operations in total. At
 * {@code checkpoints} quiescent points (all threads parked) and at the end, {@link Census} checks every
 * folio and counter, before and after draining every batch. A {@link Watchdog} turns a stuck run into
 * a hung-task report and a failure.
 */
final class MultiCpuLoad {
    static final long P = PAGE_SIZE;
    static final int MAX_REGIONS = 6;
    static final int SHARED_FILES = 4;
    static final int FILE_PAGES = 64;

    /** Figures of a finished run. */
    record Figures(long ops, long syscalls, long failedCalls, long touches, long shrinkPasses, long drainAlls,
                   long cacheDisables, long checkpoints, long censusChecks, long millis) {
        @Override
        public String toString() {
            return "operations " + ops + " (system calls " + syscalls + ", of which failed " + failedCalls
                    + "; user accesses " + touches + "; shrink passes " + shrinkPasses + "; lru_add_drain_all "
                    + drainAlls + "; lru_cache_disable/enable " + cacheDisables + "), quiescent checkpoints "
                    + checkpoints + ", census checks " + censusChecks + ", " + millis + " ms";
        }
    }

    private final int tasks;
    private final long ops;
    private final int checkpoints;
    private final long seed;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong syscalls = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong touches = new AtomicLong();
    private final AtomicLong shrinks = new AtomicLong();
    private final AtomicLong drainAlls = new AtomicLong();
    private final AtomicLong disables = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean pause;
    private volatile boolean stop;
    /** Threads still in their loops, and how many of them are parked at a checkpoint. */
    private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger parked = new java.util.concurrent.atomic.AtomicInteger();

    /** Where one process's threads find their mappings. */
    private static final class Proc {
        final Task task;
        final List<long[]> regions = new CopyOnWriteArrayList<>(); // {start, pages}

        Proc(Task task) {
            this.task = task;
        }
    }

    MultiCpuLoad(int tasks, long ops, int checkpoints, long seed) {
        this.tasks = tasks;
        this.ops = ops;
        this.checkpoints = checkpoints;
        this.seed = seed;
    }

    /** Runs the load; throws AssertionError with the failure (and the hung-task report, if any). */
    Figures run(long stallMillis, long limitMillis) throws InterruptedException {
        long t0 = System.nanoTime();
        long census0 = Census.CHECKS.get();
        int reclaimCpu = tasks;
        int drainCpu = tasks + 1;
        LockWatch.resetAbort();
        LockWatch.setTracking(true);
        try (Rig rig = Rig.boot(tasks + 2, 16384)) {
            List<AddressSpace> files = new ArrayList<>();
            for (int i = 0; i < SHARED_FILES; i++) files.add(Mm.of(rig.machine).newShmemFile("/tmp/shared-" + i, FILE_PAGES));
            List<Proc> procs = new ArrayList<>();
            List<Task> processTasks = new ArrayList<>();
            for (int p = 0; p < (tasks + 1) / 2; p++) {
                Task t = rig.newProcess(2 * p, p % 2 == 0, true, MmStruct.DEFAULT_RLIMIT_MEMLOCK);
                procs.add(new Proc(t));
                processTasks.add(t);
            }
            running.set(tasks + 2);
            Map<Thread, String> watched = new LinkedHashMap<>();
            List<Thread> all = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                Proc proc = procs.get(i / 2);
                Task t = proc.task.on(rig.machine.cpu(i));
                long s = seed * 31 + i;
                all.add(start("cpu" + i + "-task", () -> taskLoop(rig, proc, t, files, new SplittableRandom(s))));
                watched.put(all.getLast(), "CPU " + i + ": system calls of process " + (i / 2));
            }
            all.add(start("cpu" + reclaimCpu + "-reclaim", () -> rig.machine.cpu(reclaimCpu).run(() -> reclaimLoop(rig))));
            watched.put(all.getLast(), "CPU " + reclaimCpu + ": reclaim");
            all.add(start("cpu" + drainCpu + "-drain", () -> rig.machine.cpu(drainCpu).run(() -> drainLoop(rig, new SplittableRandom(seed)))));
            watched.put(all.getLast(), "CPU " + drainCpu + ": lru_add_drain_all, lru_cache_disable");
            long checks = 0;
            try (Watchdog dog = new Watchdog(watched, done, stallMillis, limitMillis)) {
                long every = Math.max(1, ops / (checkpoints + 1));
                for (int c = 1; c <= checkpoints && failure.get() == null; c++) {
                    long at = c * every;
                    while (done.get() < at && failure.get() == null && dog.report() == null && anyAlive(all)) Thread.sleep(5);
                    if (failure.get() != null || dog.report() != null || !anyAlive(all)) break;
                    if (!quiesce(dog)) break;
                    try {
                        checkQuiescent(rig, processTasks, files);
                        checks++;
                    } catch (Throwable e) {
                        failure.compareAndSet(null, new AssertionError("checkpoint at operation " + done.get() + ": " + e.getMessage(), e));
                        stop = true;
                    }
                    pause = false;
                }
                pause = false;
                for (Thread t : all) {
                    t.join(Math.max(1, limitMillis));
                }
                String hang = dog.report();
                if (hang != null) {
                    throw new AssertionError(hang + (failure.get() != null ? "\nfirst failure: " + failure.get() : ""));
                }
            }
            stop = true;
            for (Thread t : all) {
                if (t.isAlive()) throw new AssertionError("thread " + t.getName() + " did not stop");
            }
            if (failure.get() != null) {
                Throwable f = failure.get();
                throw new AssertionError("load failed: " + f, f);
            }
            checkQuiescent(rig, processTasks, files);
            checks++;
            teardown(rig, procs, files);
            checks++;
            return new Figures(done.get(), syscalls.get(), failed.get(), touches.get(), shrinks.get(), drainAlls.get(),
                    disables.get(), checks, Census.CHECKS.get() - census0, (System.nanoTime() - t0) / 1_000_000);
        } finally {
            LockWatch.setTracking(false);
            LockWatch.resetAbort();
        }
    }

    private static boolean anyAlive(List<Thread> all) {
        for (Thread t : all) if (t.isAlive()) return true;
        return false;
    }

    private Thread start(String name, Runnable body) {
        return Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
                stop = true;
            } finally {
                running.decrementAndGet();
            }
        });
    }

    /** Ask every thread to park between operations and wait until all did (false: the run is over). */
    private boolean quiesce(Watchdog dog) throws InterruptedException {
        pause = true;
        while (parked.get() < running.get()) {
            if (dog.report() != null || failure.get() != null || stop) return false;
            Thread.sleep(1);
        }
        return running.get() > 0;
    }

    /** Between operations: count one, and park while the main thread checks. */
    private boolean next() {
        if (pause) {
            parked.incrementAndGet();
            try {
                while (pause && !stop) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }
            } finally {
                parked.decrementAndGet();
            }
        }
        return !stop && done.getAndIncrement() < ops;
    }

    private void checkQuiescent(Rig rig, List<Task> processes, List<AddressSpace> files) {
        Census.check(rig.machine, processes, files); // with whatever sits in the batches
        rig.machine.cpu(0).run(() -> Swap.of(rig.machine).lruAddDrainAll());
        Census.check(rig.machine, processes, files);
    }

    /** Unmap everything: afterwards only the shared files' page cache may hold memory. */
    private void teardown(Rig rig, List<Proc> procs, List<AddressSpace> files) {
        for (Proc p : procs) {
            long rc = p.task.munmap(MMAP_MIN_ADDR, MmStruct.TASK_SIZE - MMAP_MIN_ADDR);
            if (rc != 0) throw new AssertionError("teardown munmap: " + rc);
        }
        rig.machine.cpu(0).run(() -> Swap.of(rig.machine).lruAddDrainAll());
        Census.check(rig.machine, rig.processes(), files);
        for (Task t : rig.processes()) {
            if (t.mm().lockedVm() != 0 || t.mm().totalVm() != 0) throw new AssertionError("VM left after teardown: " + t.mm());
        }
    }

    // ---------------------------------------------------------------- the loops

    private void reclaimLoop(Rig rig) {
        Vmscan vmscan = Vmscan.of(rig.machine);
        while (next()) {
            vmscan.shrinkLruvec(32);
            shrinks.incrementAndGet();
            Thread.yield();
        }
    }

    private void drainLoop(Rig rig, SplittableRandom r) {
        Swap swap = Swap.of(rig.machine);
        while (next()) {
            if (r.nextInt(8) == 0) {
                swap.lruCacheDisable();
                for (int i = 0; i < 3 && next(); i++) {
                    swap.lruAddDrainAll();
                    drainAlls.incrementAndGet();
                }
                swap.lruCacheEnable();
                disables.incrementAndGet();
            } else {
                swap.lruAddDrainAll();
                drainAlls.incrementAndGet();
            }
            Thread.yield();
        }
    }

    private void taskLoop(Rig rig, Proc proc, Task t, List<AddressSpace> files, SplittableRandom r) {
        while (next()) {
            int op = r.nextInt(100);
            long[] picked = pick(proc, r); // the sibling thread may unmap it meanwhile: then the call fails
            if (op < 50 || picked == null && op >= 10) {
                if (picked == null) {
                    mapNew(proc, t, files, r);
                    continue;
                }
                long[] reg = picked;
                int sig = t.touch(reg[0] + r.nextLong(reg[1]) * P, r.nextBoolean());
                touches.incrementAndGet();
                if (sig != 0 && sig != Task.SIGSEGV && sig != Task.SIGBUS && sig != Task.SIGKILL) {
                    throw new AssertionError("user access: signal " + sig);
                }
                continue;
            }
            if (op < 56) {
                if (proc.regions.size() < MAX_REGIONS) mapNew(proc, t, files, r);
                continue;
            }
            long[] reg = picked == null ? new long[] {MMAP_MIN_ADDR, 1} : picked;
            long from = r.nextLong(reg[1]);
            long start = reg[0] + from * P;
            long len = (1 + r.nextLong(reg[1] - from)) * P;
            if (r.nextInt(50) == 0) { // a bad argument now and then
                switch (r.nextInt(3)) {
                    case 0 -> start += 1 + r.nextInt(4095);
                    case 1 -> len = -P;
                    default -> len = Long.MAX_VALUE - 0xfff;
                }
            }
            Kind kind;
            long rc;
            if (op < 64) {
                kind = Kind.MADVISE;
                int[] adv = {MADV_DONTNEED, MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED, MADV_RANDOM, MADV_NORMAL};
                rc = t.madvise(start, len, adv[r.nextInt(adv.length)]);
            } else if (op < 70) {
                kind = Kind.MPROTECT;
                int[] prots = {PROT_READ, PROT_READ | PROT_WRITE, PROT_NONE};
                rc = t.mprotect(start, len, prots[r.nextInt(3)]);
            } else if (op < 76) {
                kind = Kind.MLOCK;
                rc = t.mlock(start, len);
            } else if (op < 80) {
                kind = Kind.MLOCK2;
                rc = t.mlock2(start, len, MLOCK_ONFAULT);
            } else if (op < 87) {
                kind = Kind.MUNLOCK;
                rc = t.munlock(start, len);
            } else if (op < 88) {
                kind = Kind.MLOCKALL;
                int[] fl = {MCL_FUTURE, MCL_FUTURE | MCL_ONFAULT, MCL_CURRENT | MCL_ONFAULT, MCL_CURRENT};
                rc = t.mlockall(fl[r.nextInt(fl.length)]);
            } else if (op < 90) {
                kind = Kind.MUNLOCKALL;
                rc = t.munlockall();
            } else {
                kind = Kind.MUNMAP;
                boolean whole = r.nextInt(3) == 0;
                rc = whole ? t.munmap(reg[0], reg[1] * P) : t.munmap(start, len);
                if (rc == 0 && whole) proc.regions.remove(reg);
            }
            syscalls.incrementAndGet();
            if (rc != 0) {
                failed.incrementAndGet();
                if (rc > 0 || !SyscallFuzzTest.ERRNOS.get(kind).contains((int) -rc)) {
                    throw new AssertionError(kind + " returned " + rc + " (" + Errno.name((int) -rc) + ")");
                }
            }
        }
    }

    private static long[] pick(Proc proc, SplittableRandom r) {
        Object[] regs = proc.regions.toArray();
        return regs.length == 0 ? null : (long[]) regs[r.nextInt(regs.length)];
    }

    private void mapNew(Proc proc, Task t, List<AddressSpace> files, SplittableRandom r) {
        int pages = 1 + r.nextInt(FILE_PAGES);
        int prot = r.nextInt(4) == 0 ? PROT_READ : PROT_READ | PROT_WRITE;
        int extra = switch (r.nextInt(8)) {
            case 0 -> MAP_POPULATE;
            case 1 -> MAP_LOCKED;
            default -> 0;
        };
        long a;
        switch (r.nextInt(4)) {
            case 0 -> a = t.mmap(0, pages * P, prot, MAP_PRIVATE | MAP_ANONYMOUS | extra, null, 0);
            case 1 -> a = t.mmap(0, pages * P, prot, MAP_SHARED | MAP_ANONYMOUS | extra, null, 0);
            case 2 -> a = t.mmap(0, pages * P, prot, MAP_SHARED | extra, files.get(r.nextInt(files.size())), 0);
            default -> a = t.mmap(0, pages * P, prot, MAP_PRIVATE | extra, files.get(r.nextInt(files.size())), 0);
        }
        syscalls.incrementAndGet();
        if (a < 0) {
            failed.incrementAndGet();
            if (!SyscallFuzzTest.ERRNOS.get(Kind.MMAP).contains((int) -a)) throw new AssertionError("mmap returned " + a);
            return;
        }
        proc.regions.add(new long[] {a, pages});
    }
}
