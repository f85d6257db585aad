package io.github.foliolab.explore;

import io.github.foliolab.folio.FolioOp;
import io.github.foliolab.folio.api.sched.SchedOp;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.sync.SimLock;
import io.github.foliolab.folio.sync.SyncOp;
import io.github.foliolab.lru.LruOp;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The raw record of one schedule, kept in parallel arrays so that recording costs no allocation per
 * step; {@link #render} turns it into a {@link Trace} with names resolved.
 */
final class Recorder {
    private static final Set<FolioOp> BOOLEAN_FOLIO_OPS = EnumSet.of(FolioOp.TEST_FLAG, FolioOp.TEST_SET_FLAG,
            FolioOp.TEST_CLEAR_FLAG, FolioOp.TRYLOCK, FolioOp.TRY_GET, FolioOp.REF_TRY_ADD,
            FolioOp.REF_FREEZE, FolioOp.MAYBE_DMA_PINNED, FolioOp.REF_SUB_AND_TEST);
    /** Kernel functions that return void: a table shows no result for them whatever the model returns. */
    private static final Set<FolioOp> VOID_FOLIO_OPS = EnumSet.of(FolioOp.PUT, FolioOp.PUT_REFS);
    private static final Set<FolioOp> AMOUNT_FOLIO_OPS = EnumSet.of(FolioOp.REF_ADD, FolioOp.REF_SUB,
            FolioOp.REF_SUB_AND_TEST, FolioOp.PUT_REFS, FolioOp.REF_FREEZE, FolioOp.REF_UNFREEZE,
            FolioOp.SET_COUNT, FolioOp.REF_TRY_ADD, FolioOp.TRY_GRAB_FOLIO, FolioOp.GUP_PUT_FOLIO,
            FolioOp.MAPCOUNT_ADD, FolioOp.LARGE_MAPCOUNT_ADD, FolioOp.ENTIRE_MAPCOUNT_ADD,
            FolioOp.NR_PAGES_MAPPED_ADD);

    private int n;
    private Trace.Kind[] kinds = new Trace.Kind[256];
    private int[] cpus = new int[256];
    private int[] depths = new int[256];
    private SchedOp[] ops = new SchedOp[256];
    private long[] ids = new long[256];
    private long[] args = new long[256];
    private long[] results = new long[256];
    private boolean[] hasResult = new boolean[256];
    private String[] labels = new String[256];
    private final int[] depth = new int[Engine.MAX_CPUS];
    private final int[] lastStep = new int[Engine.MAX_CPUS];
    /** Per CPU, the arg of its last step: a wait that follows is shown in that lock attempt's form. */
    private final long[] attemptArg = new long[Engine.MAX_CPUS];

    void reset() {
        n = 0; // the entries are overwritten by the next schedule's (they refer to ops and labels only)
        Arrays.fill(depth, 0);
        Arrays.fill(lastStep, -1);
    }

    int size() {
        return n;
    }

    /** How many {@link Explore#call} markers the CPU is inside. */
    int depth(int cpu) {
        return depth[cpu];
    }

    private int add(Trace.Kind kind, int cpu, SchedOp op, long id, long arg, String label) {
        if (n == kinds.length) {
            int cap = n * 2;
            kinds = Arrays.copyOf(kinds, cap);
            cpus = Arrays.copyOf(cpus, cap);
            depths = Arrays.copyOf(depths, cap);
            ops = Arrays.copyOf(ops, cap);
            ids = Arrays.copyOf(ids, cap);
            args = Arrays.copyOf(args, cap);
            results = Arrays.copyOf(results, cap);
            hasResult = Arrays.copyOf(hasResult, cap);
            labels = Arrays.copyOf(labels, cap);
        }
        kinds[n] = kind;
        cpus[n] = cpu;
        depths[n] = depth[cpu];
        ops[n] = op;
        ids[n] = id;
        args[n] = arg;
        hasResult[n] = false;
        labels[n] = label;
        return n++;
    }

    void step(int cpu, SchedOp op, long id, long arg) {
        lastStep[cpu] = add(Trace.Kind.STEP, cpu, op, id, arg, null);
        attemptArg[cpu] = arg;
    }

    /** The wait of the CPU's last step (a lock attempt): shown with the attempt's form (spin_lock_irq). */
    void blocked(int cpu, SchedOp op, long id) {
        lastStep[cpu] = -1;
        add(Trace.Kind.BLOCKED, cpu, op, id, attemptArg[cpu], null);
    }

    void retry(int cpu, SchedOp op, long id) {
        lastStep[cpu] = -1;
        add(Trace.Kind.RETRY, cpu, op, id, attemptArg[cpu], null);
    }

    /** The result of the CPU's last step, if that step was {@code op}. */
    void result(int cpu, SchedOp op, long result) {
        int i = lastStep[cpu];
        if (i >= 0 && ops[i] == op) {
            results[i] = result;
            hasResult[i] = true;
        }
    }

    void call(int cpu, String label) {
        add(Trace.Kind.CALL, cpu, null, 0, 0, label);
        depth[cpu]++;
    }

    void ret(int cpu, String result) {
        if (depth[cpu] > 0) depth[cpu]--;
        add(Trace.Kind.RETURN, cpu, null, 0, 0, result);
    }

    void exception(int cpu, String what) {
        add(Trace.Kind.EXCEPTION, cpu, null, 0, 0, what);
    }

    /** The rendered trace; object names are resolved now, so call this before the next schedule's reset. */
    Trace render(int nrCpus, World world) {
        List<Trace.Row> rows = new ArrayList<>(n);
        int step = 0;
        for (int i = 0; i < n; i++) {
            Trace.Kind k = kinds[i];
            switch (k) {
                case STEP -> {
                    boolean shared = ops[i].shared();
                    if (shared) step++;
                    rows.add(new Trace.Row(i, shared ? step : 0, cpus[i], k, callText(ops[i], ids[i], args[i], world),
                            hasResult[i] && !isVoid(ops[i]) ? resultText(ops[i], results[i], world) : null, shared, depths[i]));
                }
                case BLOCKED, RETRY -> rows.add(new Trace.Row(i, 0, cpus[i], k,
                        callText(ops[i], ids[i], args[i], world), null, true, depths[i]));
                case CALL -> rows.add(new Trace.Row(i, 0, cpus[i], k, labels[i], null, true, depths[i]));
                case RETURN -> rows.add(new Trace.Row(i, 0, cpus[i], k, "", labels[i], true, depths[i]));
                case EXCEPTION -> rows.add(new Trace.Row(i, 0, cpus[i], k, labels[i], null, true, depths[i]));
            }
        }
        List<String> columns = new ArrayList<>(nrCpus);
        for (int c = 0; c < nrCpus; c++) {
            columns.add(world.bodyName(c));
        }
        return new Trace(nrCpus, List.copyOf(rows), List.copyOf(columns));
    }

    /** The step as the table prints it: {@code folio_test_clear_lru(F)}, {@code spin_lock(lru_lock)}, .... */
    static String callText(SchedOp op, long id, long arg, World world) {
        String name = op.callName(arg);
        if (op.kind(arg) == SchedOp.Kind.TRY_ACQUIRE && op.kind() == SchedOp.Kind.ACQUIRE) {
            // the one-shot form of a blocking lock op: spin_lock with arg 1 is spin_trylock
            name = name.replace("_lock", "_trylock");
        } else if (op instanceof SyncOp s) {
            name = lockForm(s, name, arg); // spin_lock_irq / _irqsave as the kernel takes it
        }
        String subject = switch (op.subject()) {
            case FOLIO -> id < 0 ? "" : world.folioName(id);
            case OBJECT -> world.machine().objectIds().name(id);
            case ADDRESS -> "0x" + Long.toHexString(id);
            case NONE -> "";
        };
        if (name.endsWith(")")) {
            return name; // the kernel name already names its object: smp_load_acquire(lru_drain_gen)
        }
        StringBuilder sb = new StringBuilder(name).append('(').append(subject);
        if (op instanceof FolioOp f && AMOUNT_FOLIO_OPS.contains(f)) {
            sb.append(subject.isEmpty() ? "" : ", ").append(arg);
        } else if (op == FolioOp.ALLOC) {
            sb.append("order ").append(arg);
        }
        return sb.append(')').toString();
    }

    /** The lock call in the form the point's arg names (SimLock.FORM_*): spin_trylock, spin_lock_irq, ... */
    private static String lockForm(SyncOp s, String name, long arg) {
        boolean acquire = s == SyncOp.SPIN_LOCK || s == SyncOp.MUTEX_LOCK || s == SyncOp.LOCAL_LOCK;
        if (arg == SimLock.FORM_TRY && acquire) {
            return name.replace("_lock", "_trylock");
        }
        if (s == SyncOp.SPIN_LOCK || s == SyncOp.SPIN_UNLOCK) {
            if (arg == SimLock.FORM_IRQ) {
                return name + "_irq";
            }
            if (arg == SimLock.FORM_IRQSAVE) {
                return name + (acquire ? "_irqsave" : "_irqrestore");
            }
        }
        return name;
    }

    private static boolean isVoid(SchedOp op) {
        return op instanceof FolioOp f && VOID_FOLIO_OPS.contains(f);
    }

    static String resultText(SchedOp op, long result, World world) {
        if (op instanceof FolioOp f) {
            if (BOOLEAN_FOLIO_OPS.contains(f)) return result != 0 ? "true" : "false";
            if (f == FolioOp.ALLOC) return result < 0 ? "NULL" : world.folioName(result);
            return Long.toString(result);
        }
        if (op.kind() == SchedOp.Kind.TRY_ACQUIRE || op.kind() == SchedOp.Kind.ACQUIRE) {
            // a lock op's result is its trylock's: taken or not
            return result != 0 ? "true" : "false";
        }
        String k = op.kernelName();
        if (op == LruOp.READ_DISABLE_COUNT) {
            return result != 0 ? "true" : "false"; // lru_cache_disabled() returns bool
        }
        if (k.contains("test") || k.startsWith("try") || k.contains("_try") || k.endsWith("_and_test")) {
            return result != 0 ? "true" : "false";
        }
        return Long.toString(result);
    }
}
