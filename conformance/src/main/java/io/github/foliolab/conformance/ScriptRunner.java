package io.github.foliolab.conformance;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.VmStat;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.mlock.Mlock;
import io.github.foliolab.mlock.MlockBatch;
import io.github.foliolab.mm.MmInvariants;
import io.github.foliolab.mm.AddressSpace;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.KPageFlags;
import io.github.foliolab.mm.Task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.github.foliolab.mm.Mman.*;

/**
 * Runs a v1 conformance script (docs/conformance-format.md) on a fresh simulated machine with one CPU, the way the
 * real-kernel runner does (a pad page mapped and never touched, one initial {@code drain}, the vmstat
 * baseline), and returns the transcript byte for byte (without the BEGIN/END framing lines).
 */
public final class ScriptRunner {
    /** The vmstat counters a check prints, in order. */
    static final String[] VMSTAT = {
        "nr_mlock", "nr_unevictable", "unevictable_pgs_culled", "unevictable_pgs_scanned",
        "unevictable_pgs_rescued", "unevictable_pgs_mlocked", "unevictable_pgs_munlocked",
        "unevictable_pgs_cleared", "unevictable_pgs_stranded"
    };

    private final Script script;
    private final Machine machine;
    private final Task task;
    private final long pad;
    private final long[] baseline = new long[VMSTAT.length];
    private final Map<String, Long> addr = new HashMap<>();
    private final List<Script.Region> created = new ArrayList<>();
    private final StringBuilder out = new StringBuilder();
    private final boolean checkInvariants;

    private ScriptRunner(Script script, boolean checkInvariants) {
        this.script = script;
        this.checkInvariants = checkInvariants;
        this.machine = Simulator.bootMachine();
        this.task = Simulator.rootTask(machine);
        this.pad = task.mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        if (pad < 0) {
            throw new IllegalStateException("cannot map the pad: " + Errno.name((int) pad));
        }
        if (task.madvise(pad, PAGE_SIZE, MADV_COLD) != 0) {
            throw new IllegalStateException("initial drain failed");
        }
        VmStat vs = machine.vmstat();
        for (int i = 0; i < VMSTAT.length; i++) baseline[i] = vs.byName(VMSTAT[i]);
    }

    /** Parse and run the script in {@code file}; the transcript. */
    public static String run(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return run(file.getFileName().toString(), text);
    }

    /** Parse and run a script given as text; {@code name} is used in error messages. */
    public static String run(String name, String text) {
        return run(name, text, false);
    }

    /**
     * Like {@link #run(String, String)}; with {@code checkInvariants}, MmInvariants are checked after
     * every command (counting the LRU and mlock batches' references), for self-tests of the model.
     */
    static String run(String name, String text, boolean checkInvariants) {
        Script s = Script.parse(name, text);
        ScriptRunner r = new ScriptRunner(s, checkInvariants);
        try {
            return r.runAll();
        } finally {
            r.shutdown();
        }
    }

    /** The command of the script that produced transcript line {@code lineIndex} (0-based), for diffs. */
    public static String commandOfLine(List<String> transcript, int lineIndex) {
        for (int i = Math.min(lineIndex, transcript.size() - 1); i >= 0; i--) {
            String l = transcript.get(i);
            if (!l.startsWith("  ")) return l;
        }
        return "(start)";
    }

    private void checkInvariants() {
        Mlock mlock = Mlock.of(machine);
        MmInvariants.check(task.mm(), f -> {
            int n = 0;
            for (int cpu = 0; cpu < machine.cpus().nr(); cpu++) {
                MlockBatch b = mlock.batch(cpu);
                for (int i = 0; i < b.count(); i++) {
                    if (b.pfn(i) == f.pfn()) n++;
                }
            }
            return n;
        });
    }

    /** Power off: stop the machine's kworkers and release its off-heap memmap. */
    private void shutdown() {
        Swap.of(machine).close();
        machine.memMap().close();
    }

    private String runAll() {
        for (Script.Command c : script.commands()) {
            runCommand(c);
            if (checkInvariants) {
                checkInvariants();
            }
        }
        return out.toString();
    }

    private static int prot(String p) {
        return switch (p) {
            case "none" -> PROT_NONE;
            case "r" -> PROT_READ;
            default -> PROT_READ | PROT_WRITE;
        };
    }

    private void runCommand(Script.Command c) {
        if (c.op().equals("check")) {
            out.append(c.echo()).append('\n');
            check();
            return;
        }
        long a = 0;
        long bytes = c.len() * PAGE_SIZE;
        if (c.region() != null && !c.op().equals("mmap")) {
            Long base = addr.get(c.region().name());
            if (base == null) {
                throw new ScriptException(script.file(), c.line(), "region whose mmap failed");
            }
            a = base + c.start() * PAGE_SIZE;
        }
        out.append(c.echo()).append(" = ");
        String[] t = c.tok();
        long rc;
        switch (c.op()) {
            case "mmap" -> rc = mmap(c);
            case "munmap" -> rc = task.munmap(a, bytes);
            case "mprotect" -> rc = task.mprotect(a, bytes, prot(t[4]));
            case "mlock" -> rc = task.mlock(a, bytes);
            case "mlock2" -> rc = task.mlock2(a, bytes, t.length == 5 ? MLOCK_ONFAULT : 0);
            case "munlock" -> rc = task.munlock(a, bytes);
            case "mlockall" -> rc = task.mlockall(t[1].equals("future") ? MCL_FUTURE : MCL_FUTURE | MCL_ONFAULT);
            case "munlockall" -> rc = task.munlockall();
            case "madvise" -> rc = task.madvise(a, bytes, switch (t[4]) {
                case "dontneed" -> MADV_DONTNEED;
                case "cold" -> MADV_COLD;
                case "pageout" -> MADV_PAGEOUT;
                default -> MADV_WILLNEED;
            });
            case "drain" -> rc = task.madvise(pad, PAGE_SIZE, MADV_COLD);
            case "touch" -> {
                boolean write = t[4].equals("write");
                for (long i = 0; i < c.len(); i++) {
                    int sig = task.touch(a + i * PAGE_SIZE, write);
                    if (sig != 0) {
                        out.append(sig == Task.SIGBUS ? "SIGBUS@" : "SIGSEGV@").append(i).append('\n');
                        return;
                    }
                }
                rc = 0;
            }
            default -> throw new ScriptException(script.file(), c.line(), "unknown command");
        }
        out.append(result(rc)).append('\n');
    }

    private long mmap(Script.Command c) {
        String[] t = c.tok();
        Script.Region r = c.region();
        int flags = 0;
        for (int i = 5; i < t.length; i++) {
            flags |= t[i].equals("populate") ? MAP_POPULATE : MAP_LOCKED;
        }
        AddressSpace file = null;
        switch (t[3]) {
            case "anon" -> flags |= MAP_PRIVATE | MAP_ANONYMOUS;
            case "shmem" -> flags |= MAP_SHARED | MAP_ANONYMOUS;
            default -> {
                // A new sparse N-page file on tmpfs (open O_CREAT|O_TRUNC + ftruncate), closed after mmap.
                file = task.ctx().newShmemFile("/tmp/region-" + r.name(), r.pages());
                flags |= t[3].equals("file") ? MAP_SHARED : MAP_PRIVATE;
            }
        }
        long ret = task.mmap(0, r.pages() * PAGE_SIZE, prot(t[4]), flags, file, 0);
        if (ret >= 0) {
            addr.put(r.name(), ret);
            created.add(r);
            return 0;
        }
        return ret;
    }

    /** emit_result(). */
    static String result(long rc) {
        if (rc == 0) return "0";
        int e = (int) -rc;
        return switch (e) {
            case Errno.EINVAL -> "-EINVAL";
            case Errno.ENOMEM -> "-ENOMEM";
            case Errno.EPERM -> "-EPERM";
            case Errno.EAGAIN -> "-EAGAIN";
            case Errno.EFAULT -> "-EFAULT";
            case Errno.EBUSY -> "-EBUSY";
            case Errno.EACCES -> "-EACCES";
            default -> "-EOTHER";
        };
    }

    private void check() {
        for (Script.Region r : created) {
            out.append("  ").append(r.name()).append(':');
            long base = addr.get(r.name());
            for (long p = 0; p < r.pages(); p++) {
                out.append(' ').append(token(task.kpageflags(base + p * PAGE_SIZE)));
            }
            out.append('\n');
        }
        out.append("  vmlck ").append(task.vmLckKb()).append('\n');
        out.append("  vmstat");
        VmStat vs = machine.vmstat();
        for (int i = 0; i < VMSTAT.length; i++) {
            out.append(' ').append(VMSTAT[i]).append('=').append(vs.byName(VMSTAT[i]) - baseline[i]);
        }
        out.append('\n');
    }

    /** emit_page_token(). */
    static String token(long kpf) {
        return KPageFlags.letters(kpf);
    }
}
