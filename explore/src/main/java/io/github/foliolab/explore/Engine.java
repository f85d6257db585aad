package io.github.foliolab.explore;

import io.github.foliolab.folio.api.sched.SchedHook;
import io.github.foliolab.folio.api.sched.SchedOp;
import io.github.foliolab.folio.api.sched.SchedPoints;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The explorer's {@link SchedHook}: runs each simulated CPU's body on its own Java thread and lets exactly
 * one of them run at a time. At every shared schedule point the running thread asks the {@link Strategy}
 * which CPU takes the next step, hands the turn over ({@link LockSupport#unpark}) and parks until the
 * turn comes back to it. The worker threads are reused from schedule to schedule and stopped by
 * {@link #close}.
 *
 * <p>A CPU that finds a lock held ({@link SchedHook#contended}) is blocked until a
 * {@link SchedHook#released} for that object; when no CPU can run and some are blocked, the schedule
 * is a deadlock. A violation (an invariant, an exception thrown by a body, a deadlock, a runaway loop)
 * abandons the schedule: every other CPU is resumed in turn and unwound by throwing {@link Abort} out of
 * its schedule point, so no thread is left behind mid-body.
 *
 * <p>Threads that are not this engine's workers pass through every hook untouched.
 */
final class Engine implements SchedHook, View, AutoCloseable {
    static final int MAX_CPUS = 8;
    private static final int MAIN = -1;
    private static final int NONE = -2;
    /** How long a waiting thread spins on its turn before parking. */
    private static final int SPINS = Integer.getInteger("foliolab.explore.spins", 2_000);
    /**
     * How long a schedule's CPUs may run without reaching a schedule point before the schedule fails
     * (60 s; a test shortens it). Read by the watchdog's thread.
     */
    static volatile long scheduleTimeoutNanos = 60_000_000_000L;

    private static final int START = 0;
    private static final int RUNNABLE = 1;
    private static final int RUNNING = 2;
    private static final int BLOCKED = 3;
    private static final int DONE = 4;

    /** The engine whose simulated CPU the calling thread is, or null (for {@link Explore}'s markers). */
    static Engine current() {
        return Dispatcher.current();
    }

    /** True if {@code t} is one of this engine's simulated CPUs. */
    boolean runs(Thread t) {
        return indexOf(t) >= 0;
    }

    /** Live worker threads of all engines (tests check that none outlives its engine). */
    static final java.util.concurrent.atomic.AtomicInteger LIVE_WORKERS = new java.util.concurrent.atomic.AtomicInteger();

    static final boolean VIRTUAL = !Boolean.getBoolean("foliolab.explore.platformThreads");

    private final Thread[] threads = new Thread[MAX_CPUS];
    /** threads[0 .. started) exist; written before each is started (the start is the publication). */
    private volatile int started;
    /**
     * Which simulated CPU may run (or MAIN). Not a kernel object: a volatile write by the CPU handing over
     * and the volatile read by the one taking over order everything the first did before everything the
     * second does next (release/acquire), which is what makes the interleaving sequentially consistent.
     */
    private volatile int turn = MAIN;
    /** Set by close() before the last hand-off to each worker (published by the volatile turn). */
    private volatile boolean shutdown;
    private Thread mainThread;

    // ---- state of the schedule being run (touched only by the thread holding the turn)
    private World world;
    private int nr;
    private Strategy strategy;
    private List<Invariant> invariants = List.of();
    private boolean checkInvariants;
    private int maxSteps;
    /** How long {@link #await} spins before parking, for this schedule. */
    private int spins;
    private final int[] status = new int[MAX_CPUS];
    private final long[] blockedOn = new long[MAX_CPUS];
    private final long[][] held = new long[MAX_CPUS][8];
    private final int[] nheld = new int[MAX_CPUS];
    private final long[] pendingAcquire = new long[MAX_CPUS];
    private final boolean[] hasPending = new boolean[MAX_CPUS];
    private final long[] pendingTry = new long[MAX_CPUS];
    private final boolean[] hasPendingTry = new boolean[MAX_CPUS];
    private int previous;
    private int steps;
    private int decisions;
    private int[] choices = new int[64];
    private int[] defaults = new int[64];
    /**
     * The previous schedule's choices, and how many (-1: none, or it ended in a violation). While this
     * schedule has made the same choices so far ({@link #samePrefix}), it passes through exactly the
     * states the previous one passed through and checked (execution is deterministic), so the
     * per-step invariants are not checked again there: only the states after the first new choice are new.
     */
    private int[] prevChoices = new int[64];
    private int prevDecisions = -1;
    private boolean samePrefix;
    /** A schedule has run on this engine (its choices are the previous ones for the next). */
    private boolean ran;
    private boolean aborting;
    private String violation;
    private RuntimeException strategyError;
    private boolean inCheck;
    private int quiescentRound = Integer.MIN_VALUE;
    private boolean quiescentValue;
    private boolean atEnd;
    /** Counts invariant checks ({@link #round()}); never reset, so a world reused by the next schedule sees new rounds. */
    private int checkRound;
    /** The last {@link #held} answer of the current check round, for lockId {@link #heldId}. */
    private int heldRound = Integer.MIN_VALUE;
    private long heldId;
    private boolean heldValue;
    private final Checks checks = new Checks();
    private final Recorder rec = new Recorder();
    private final int[] enabledScratch = new int[MAX_CPUS];
    /** The strategy wants every step and its footprint (partial-order reduction). */
    private boolean footprints;
    /** What each CPU's current step has touched so far (only when {@link #footprints}). */
    private final Footprint[] stepFootprint = new Footprint[MAX_CPUS];
    /** The strategy ended this schedule early ({@link Strategy#PRUNE}): no verdict, no end checks. */
    private boolean pruned;

    Engine() {
        Dispatcher.attach(this);
        ScheduleWatchdog.watch(this); // until close(): checkOverdue then answers false
    }

    // ------------------------------------------------------------------ one schedule

    /** Run one schedule of {@code w} under {@code s}; afterwards ask {@link #violation()} and friends. */
    void runSchedule(World w, Strategy s, boolean checkInvariants, int maxSteps) {
        int n = w.nrCpus();
        if (n < 1 || n > MAX_CPUS) {
            throw new IllegalArgumentException("a world runs 1.." + MAX_CPUS + " bodies, not " + n);
        }
        for (int b = 0; b < n; b++) {
            int c = w.machineCpu(b);
            if (c < 0 || c >= w.machine().cpus().nr()) {
                throw new IllegalArgumentException("body " + b + " runs on CPU " + c + ", but the machine has "
                        + w.machine().cpus().nr() + " CPUs");
            }
        }
        if (w != world) {
            // A restored world is the same object every schedule: its invariants are asked once (a world
            // may build the list afresh on each call).
            this.invariants = w.invariants();
        }
        this.world = w;
        this.nr = n;
        this.strategy = s;
        this.checkInvariants = checkInvariants;
        // Platform threads spin on their turn only while the machine has a core for each attached engine's
        // runner: with more engines (parallel jobs) than cores a spinning waiter would take the core the
        // runner of another engine needs. Virtual threads never spin (a parked one frees its carrier).
        this.spins = VIRTUAL || Dispatcher.attached() >= Runtime.getRuntime().availableProcessors() ? 0 : SPINS;
        this.maxSteps = maxSteps;
        this.footprints = s.seesEveryStep();
        // Remember the last schedule's choices, unless a violation ended it (this schedule would then skip
        // the check that found it, if it made the same choices up to there).
        prevDecisions = ran && violation == null ? decisions : -1;
        if (prevDecisions > prevChoices.length) {
            prevChoices = new int[choices.length];
        }
        System.arraycopy(choices, 0, prevChoices, 0, Math.max(prevDecisions, 0));
        samePrefix = prevDecisions >= 0;
        pruned = false;
        previous = -1;
        steps = 0;
        decisions = 0;
        aborting = false;
        violation = null;
        strategyError = null;
        quiescentRound = Integer.MIN_VALUE;
        atEnd = false;
        checks.clear();
        rec.reset();
        for (int i = 0; i < n; i++) {
            status[i] = START;
            nheld[i] = 0;
            hasPending[i] = false;
            hasPendingTry[i] = false;
            stepFootprint[i] = footprints ? new Footprint() : null;
            if (threads[i] == null) {
                int index = i;
                Runnable loop = () -> {
                    try {
                        workerLoop(index);
                    } finally {
                        LIVE_WORKERS.decrementAndGet();
                    }
                };
                LIVE_WORKERS.incrementAndGet();
                String name = "explore-cpu-" + Trace.cpuName(i);
                threads[i] = VIRTUAL ? Thread.ofVirtual().name(name).unstarted(loop)
                        : Thread.ofPlatform().name(name).daemon(true).unstarted(loop);
                started = i + 1;
                threads[i].start();
            }
        }
        mainThread = Thread.currentThread();
        int first = decide(-1);
        handoff(first);
        awaitMain();
        // Every CPU has finished (or was unwound).
        if (violation == null && !pruned) {
            // The scenario's end checks first (they say what went wrong in the scenario's terms), then the
            // invariants once more on the final state.
            atEnd = true;
            w.check(checks);
            if (!checks.violations().isEmpty()) {
                violation = String.join("\n", checks.violations());
            } else if (checkInvariants) {
                checkAll();
            }
        }
        mainThread = null;
        ran = true;
    }

    /** The strategy's own failure (a replayed schedule that does not fit), or null. */
    RuntimeException strategyError() {
        return strategyError;
    }

    String violation() {
        return violation;
    }

    /** True if the strategy ended the schedule early (nothing to judge). */
    boolean pruned() {
        return pruned;
    }

    List<String> accepted() {
        return checks.accepted();
    }

    int steps() {
        return steps;
    }

    Trace trace() {
        return rec.render(nr, world);
    }

    /** The schedule as a string: run-length encoded choices up to the last non-default one. */
    String schedule() {
        return Schedule.encode(choices, defaults, decisions);
    }

    // ------------------------------------------------------------------ worker side

    private void workerLoop(int i) {
        while (true) {
            await(i);
            if (shutdown) {
                return;
            }
            if (!aborting) {
                status[i] = RUNNING;
                previous = i;
                World w = world;
                try {
                    w.machine().cpu(w.machineCpu(i)).run(() -> w.run(i));
                } catch (Abort a) {
                    // unwound
                } catch (Throwable t) {
                    if (!aborting && !shutdown) {
                        rec.exception(i, firstLine(t));
                        fail("CPU " + Trace.cpuName(i) + " threw " + describe(t));
                    }
                }
            }
            if (shutdown) {
                return; // back from a body after the engine was closed (its schedule timed out): nothing to finish
            }
            finish(i);
        }
    }

    private void finish(int i) {
        status[i] = DONE;
        confirmAcquire(i);
        if (!aborting && nheld[i] > 0) {
            fail("CPU " + Trace.cpuName(i) + " returned with " + world.machine().objectIds().name(held[i][0]) + " held");
        }
        if (footprints && !aborting) {
            stepDone(i);
        }
        int next;
        if (aborting) {
            next = firstLive();
        } else {
            next = decide(-1);
            if (next == NONE) {
                next = firstLive();
                if (next != MAIN) {
                    stuck();
                }
            }
        }
        handoff(next);
    }

    private int firstLive() {
        for (int j = 0; j < nr; j++) {
            if (status[j] != DONE) return j;
        }
        return MAIN;
    }

    // ------------------------------------------------------------------ the hook

    /** The simulated CPU whose thread {@code t} is, or -1. */
    private int indexOf(Thread t) {
        Thread[] ts = threads;
        for (int i = 0, n = started; i < n; i++) {
            if (ts[i] == t) return i;
        }
        return -1;
    }

    private int managed() {
        int i = indexOf(Thread.currentThread());
        return i >= 0 && !inCheck ? i : -1;
    }

    @Override
    public void before(SchedOp op, long id, long arg) {
        int i = managed();
        if (i < 0) {
            return;
        }
        if (aborting) {
            throw Abort.INSTANCE;
        }
        confirmAcquire(i);
        if (op.shared()) {
            steps++;
            if (steps > maxSteps) {
                fail("no progress: more than " + maxSteps + " steps (a CPU spins without a schedule point it can wait on)");
                throw Abort.INSTANCE;
            }
            if (checkInvariants && !samePrefix) {
                checkAll();
                if (aborting) {
                    throw Abort.INSTANCE;
                }
            }
            if (footprints) {
                stepDone(i); // the op below starts i's next step: it acts when i is chosen
                stepFootprint[i].add(key(op, id, arg), op.kind(arg).writes());
            }
            int next = decide(i);
            if (aborting) {
                throw Abort.INSTANCE;
            }
            if (next != i) {
                status[i] = RUNNABLE;
                handoff(next);
                await(i);
                if (aborting) {
                    throw Abort.INSTANCE;
                }
                status[i] = RUNNING;
            }
            previous = i;
        } else if (footprints) {
            stepFootprint[i].add(key(op, id, arg), op.kind(arg).writes()); // CPU-local: part of this step
        }
        rec.step(i, op, id, arg);
        trackLock(i, op, id, arg);
    }

    @Override
    public void after(SchedOp op, long id, long result) {
        int i = managed();
        if (i < 0) {
            return;
        }
        rec.result(i, op, result);
        if (hasPendingTry[i] && pendingTry[i] == id) {
            hasPendingTry[i] = false;
            if (result != 0) {
                addHeld(i, id);
            }
        }
    }

    @Override
    public void contended(SchedOp op, long waitId) {
        int i = managed();
        if (i < 0) {
            return;
        }
        if (aborting) {
            throw Abort.INSTANCE;
        }
        status[i] = BLOCKED;
        blockedOn[i] = waitId;
        rec.blocked(i, op, waitId);
        if (footprints) {
            // The attempt that found waitId taken read it; the retry once it is released reads it again.
            stepFootprint[i].add(waitId, true);
            stepDone(i);
            stepFootprint[i].add(waitId, true);
        }
        int next = decide(-1);
        if (next == NONE) {
            stuck(); // a deadlock, or only idle daemons left: either way this schedule is over
        }
        if (aborting) {
            throw Abort.INSTANCE;
        }
        handoff(next);
        await(i);
        if (aborting) {
            throw Abort.INSTANCE;
        }
        status[i] = RUNNING;
        previous = i;
        rec.retry(i, op, waitId);
    }

    @Override
    public void released(SchedOp op, long waitId) {
        int i = managed();
        if (i < 0) {
            return;
        }
        if (footprints) {
            stepFootprint[i].add(waitId, true); // a wake-up is a write of what the waiters wait on
        }
        for (int j = 0; j < nr; j++) {
            if (status[j] == BLOCKED && blockedOn[j] == waitId) {
                status[j] = RUNNABLE;
            }
        }
    }

    // ------------------------------------------------------------------ markers from Explore

    /** A plain access the scenario declares ({@link Explore#read}): part of the current step's footprint. */
    void access(long key, boolean write) {
        int i = managed();
        if (i >= 0 && footprints) {
            stepFootprint[i].add(key, write);
        }
    }

    /** A plain access the library declares ({@link SchedHook#access}): part of the current step's footprint. */
    @Override
    public void access(SchedOp op, long id, long arg) {
        if (footprints) {
            int i = managed();
            if (i >= 0) {
                stepFootprint[i].add(key(op, id, arg), op.kind(arg).writes());
            }
        }
    }

    void call(String label) {
        int i = managed();
        if (i >= 0) {
            confirmAcquire(i);
            rec.call(i, label);
        }
    }

    void ret(String result) {
        int i = managed();
        if (i >= 0) {
            confirmAcquire(i);
            rec.ret(i, result);
        }
    }

    // ------------------------------------------------------------------ decisions

    /**
     * Choose the CPU for the next step. {@code cur} is the CPU at a schedule point that may continue, or
     * -1 if the last runner cannot (blocked, finished, or nobody ran yet). NONE if nobody can run.
     */
    private int decide(int cur) {
        int n = 0;
        for (int j = 0; j < nr; j++) {
            int s = status[j];
            if (s == START || s == RUNNABLE || s == RUNNING) {
                enabledScratch[n++] = j;
            }
        }
        if (n == 0) {
            return NONE;
        }
        if (n == 1 && !footprints) {
            return enabledScratch[0];
        }
        Decision d = new Decision(decisions, steps, previous, cur, Arrays.copyOf(enabledScratch, n));
        int c;
        try {
            c = strategy.choose(d);
            if (c == Strategy.PRUNE) {
                pruned = true;
                aborting = true; // unwind every CPU quietly: the rest of this schedule is covered elsewhere
                return enabledScratch[0];
            }
            if (!d.isEnabled(c)) {
                throw new IllegalStateException("strategy chose CPU " + c + " which cannot run at decision " + d.index());
            }
        } catch (RuntimeException e) {
            if (strategyError == null) {
                strategyError = e;
            }
            fail("strategy failed: " + e.getMessage());
            return enabledScratch[0];
        }
        if (n == 1) {
            return c; // seen by the strategy, but not a branching decision of the schedule string
        }
        if (decisions == choices.length) {
            choices = Arrays.copyOf(choices, decisions * 2);
            defaults = Arrays.copyOf(defaults, decisions * 2);
        }
        if (samePrefix && (decisions >= prevDecisions || prevChoices[decisions] != c)) {
            samePrefix = false; // a new choice: the states from here on have not been checked
        }
        choices[decisions] = c;
        defaults[decisions] = d.defaultChoice();
        decisions++;
        return c;
    }

    /** CPU i's step is over (it reached a decision point, blocked or finished): tell the strategy. */
    private void stepDone(int i) {
        strategy.executed(i, stepFootprint[i]);
        stepFootprint[i] = new Footprint();
    }

    /**
     * The object a point names, as a footprint key: a folio's word or bit ({@link SchedOp#part}), an
     * object id, a PTE's (address, mm), a machine-wide word of a NONE step, or ANY.
     */
    static long key(SchedOp op, long id, long arg) {
        return switch (op.subject()) {
            case FOLIO -> Footprint.part(id, op.part(arg));
            case OBJECT -> id;
            case ADDRESS -> id * 0x9E3779B97F4A7C15L + arg; // equal keys for different PTEs only cost schedules
            case NONE -> {
                int part = op.part(arg);
                yield part == SchedOp.WHOLE ? Footprint.ANY : Footprint.part(Footprint.MACHINE, part);
            }
        };
    }

    private void handoff(int to) {
        turn = to;
        LockSupport.unpark(to == MAIN ? mainThread : threads[to]);
    }

    private void await(int me) {
        int spun = 0;
        while (turn != me && !shutdown) {
            if (spun < spins) {
                spun++;
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
    }

    /**
     * The main thread while it waits for a schedule's CPUs ({@link #awaitMain}), else null; with
     * {@link #waitingSince}, read by the {@link ScheduleWatchdog}. Volatile: set and cleared by the main
     * thread, read by the watchdog's thread.
     */
    private volatile Thread waiter;
    /** When the current wait began ({@link System#nanoTime()}); meaningful while {@link #waiter} is set. */
    private volatile long waitingSince;
    /** Set by the watchdog once the wait passed {@link #scheduleTimeoutNanos}, before it unparks the waiter. */
    private volatile boolean overdue;

    /**
     * Wait, parked without a timeout, until the turn comes back to the main thread. A timed park of a
     * virtual thread arms and cancels a timer task on the JDK's timer thread every time, a cross-thread
     * wake-up per schedule; the watchdog thread checks all waits once a second instead.
     */
    private void awaitMain() {
        if (turn == MAIN) {
            return;
        }
        waitingSince = System.nanoTime();
        waiter = Thread.currentThread();
        try {
            while (turn != MAIN) {
                LockSupport.park(this);
                if (turn != MAIN && overdue) {
                    throw new IllegalStateException("a simulated CPU ran for over " + scheduleTimeoutNanos / 1_000_000_000.0
                            + " s without reaching a schedule point");
                }
            }
        } finally {
            waiter = null;
        }
    }

    /**
     * Called by the watchdog about once a second: if the main thread has waited longer than
     * {@link #scheduleTimeoutNanos}, mark the wait overdue and wake the main thread, which then throws.
     *
     * @return false once this engine is closed (the watchdog forgets it)
     */
    boolean checkOverdue(long now) {
        Thread w = waiter;
        if (w != null && now - waitingSince > scheduleTimeoutNanos) {
            overdue = true;
            LockSupport.unpark(w);
        }
        return !shutdown;
    }

    // ------------------------------------------------------------------ locks held

    /**
     * Lock holders follow from the step's {@link SchedOp.Kind}, never from concrete ops: a module's own
     * lock needs no change here. An ACQUIRE is held once its CPU goes on without blocking for good, a
     * TRY_ACQUIRE when its result is 1, and a RELEASE drops the latest hold of that id.
     */
    private void trackLock(int i, SchedOp op, long id, long arg) {
        switch (op.kind(arg)) {
            case TRY_ACQUIRE -> {
                pendingTry[i] = id;
                hasPendingTry[i] = true;
            }
            case ACQUIRE -> {
                pendingAcquire[i] = id;
                hasPending[i] = true;
            }
            case RELEASE -> {
                for (int k = nheld[i] - 1; k >= 0; k--) {
                    if (held[i][k] == id) {
                        System.arraycopy(held[i], k + 1, held[i], k, nheld[i] - k - 1);
                        nheld[i]--;
                        break;
                    }
                }
            }
            default -> {
            }
        }
    }

    /** A lock() whose CPU went on to another event without blocking for good has been acquired. */
    private void confirmAcquire(int i) {
        if (hasPending[i]) {
            hasPending[i] = false;
            addHeld(i, pendingAcquire[i]);
        }
    }

    private void addHeld(int i, long id) {
        if (nheld[i] == held[i].length) {
            held[i] = Arrays.copyOf(held[i], nheld[i] * 2);
        }
        held[i][nheld[i]++] = id;
    }

    private int holderOf(long id) {
        for (int j = 0; j < nr; j++) {
            for (int k = 0; k < nheld[j]; k++) {
                if (held[j][k] == id) return j;
            }
        }
        return -1;
    }

    /**
     * Nobody can run and some CPUs have not finished: if they are all daemons waiting for work the
     * schedule is over (they are unwound quietly), else it is a deadlock.
     */
    private void stuck() {
        for (int j = 0; j < nr; j++) {
            if (status[j] != DONE && !world.daemon(j)) {
                fail(deadlockMessage());
                return;
            }
        }
        aborting = true; // unwind the idle daemons; no violation
    }

    private String deadlockMessage() {
        StringBuilder sb = new StringBuilder("deadlock: ");
        List<String> parts = new ArrayList<>();
        boolean cycle = false;
        for (int j = 0; j < nr; j++) {
            if (status[j] == BLOCKED) {
                int h = holderOf(blockedOn[j]);
                String what = world.machine().objectIds().name(blockedOn[j]);
                parts.add("CPU " + Trace.cpuName(j) + " waits for " + what
                        + (h >= 0 ? " held by CPU " + Trace.cpuName(h) : " (nobody will release it)"));
                // Follow the waits-for chain from j.
                int k = j;
                for (int hops = 0; hops <= nr && k >= 0 && status[k] == BLOCKED; hops++) {
                    k = holderOf(blockedOn[k]);
                    if (k == j) {
                        cycle = true;
                        break;
                    }
                }
            }
        }
        sb.append(String.join(", ", parts));
        if (cycle) {
            sb.append(" (a cycle of blocked CPUs)");
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ invariants

    private void checkAll() {
        checkRound++; // a new state: also across schedules, where a restored world starts from step 0 again
        inCheck = true;
        try {
            for (Invariant inv : invariants) {
                String msg = inv.check(world, this);
                if (msg != null) {
                    fail("invariant " + inv.name() + (atEnd ? " broken at the end" : " broken after step " + steps)
                            + ": " + msg);
                    return;
                }
            }
        } finally {
            inCheck = false;
        }
    }

    private void fail(String message) {
        if (violation == null) {
            violation = message;
        }
        aborting = true;
    }

    @Override
    public boolean held(long lockId) {
        if (!inCheck) {
            return holderOf(lockId) >= 0;
        }
        if (heldRound != checkRound || heldId != lockId) { // several invariants ask about lru_lock each round
            heldValue = holderOf(lockId) >= 0;
            heldId = lockId;
            heldRound = checkRound;
        }
        return heldValue;
    }

    @Override
    public boolean anyHeld() {
        for (int j = 0; j < nr; j++) {
            if (nheld[j] > 0 || hasPending[j]) return true;
        }
        return false;
    }

    @Override
    public boolean quiescent() {
        if (!inCheck) {
            return computeQuiescent();
        }
        if (quiescentRound != round()) { // one computation per check round, shared by the invariants
            quiescentValue = computeQuiescent();
            quiescentRound = round();
        }
        return quiescentValue;
    }

    private boolean computeQuiescent() {
        if (anyHeld()) {
            return false;
        }
        for (int j = 0; j < nr; j++) {
            if (rec.depth(j) > 0) return false;
        }
        return true;
    }

    @Override
    public boolean atEnd() {
        return atEnd;
    }

    @Override
    public int round() {
        return checkRound;
    }

    private static String firstLine(Throwable t) {
        String m = t.getMessage();
        String s = t.getClass().getSimpleName() + (m != null ? ": " + m : "");
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m != null ? ": " + m : "");
    }

    // ------------------------------------------------------------------ shutdown

    @Override
    public void close() {
        Dispatcher.detach(this);
        shutdown = true;
        for (int i = 0; i < MAX_CPUS; i++) {
            Thread t = threads[i];
            if (t == null) continue;
            turn = i;
            LockSupport.unpark(t);
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        turn = MAIN;
    }
}
