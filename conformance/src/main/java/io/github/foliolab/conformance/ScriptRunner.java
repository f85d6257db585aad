package io.github.foliolab.conformance;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.Zone;
import io.github.foliolab.folio.api.ZoneType;
import io.github.foliolab.mlock.Mlock;
import io.github.foliolab.mlock.MlockBatch;
import io.github.foliolab.mm.MmInvariants;
import io.github.foliolab.mm.AddressSpace;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.KPageFlags;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Task;

import java.io.IOException;
import java.io.UncheckedIOException;
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
    /** The counters of v2's {@code migrate} line, in order. */
    static final String[] MIGRATE = {"pgmigrate_success", "pgmigrate_fail"};
    /** v2: the i-th mmap command asks for this address plus i GiB (a hint). */
    static final long HINT_BASE = 0x2_0000_0000L;
    static final long HINT_STEP = 0x4000_0000L;

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
    private final long[] migrateBaseline = new long[MIGRATE.length];
    /** The tmpfs file of each file and file-private region, for v2's file@S. */
    private final Map<String, AddressSpace> files = new HashMap<>();
    private final Map<String, Long> addr = new HashMap<>();
    private final List<Script.Region> created = new ArrayList<>();
    private final Appendable out;
    /** The rings of the `pin` commands (io_uring fixed buffers). */
    private final PinCommands pins = new PinCommands();
    private final boolean checkInvariants;
    /** v2's fork, child and exit. */
    private final ForkCommands forks = new ForkCommands();
    /** v2's thp command and the mthp lines of check. */
    private final ThpCommands thp;

    private ScriptRunner(Script script, boolean checkInvariants, Appendable out) {
        this.script = script;
        this.out = out;
        this.checkInvariants = checkInvariants;
        this.machine = script.v2() ? Simulator.bootMachineV2() : Simulator.bootMachine();
        this.task = Simulator.rootTask(machine);
        this.thp = new ThpCommands(machine);
        this.pad = task.mmap(0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        if (pad < 0) {
            throw new IllegalStateException("cannot map the pad: " + Errno.name((int) pad));
        }
        // v2 drains CPU 1 (through the runner's CPU 1 thread), then CPU 0.
        if (script.v2() && cpu1().madvise(pad, PAGE_SIZE, MADV_COLD) != 0) {
            throw new IllegalStateException("initial drain on CPU 1 failed");
        }
        if (task.madvise(pad, PAGE_SIZE, MADV_COLD) != 0) {
            throw new IllegalStateException("initial drain failed");
        }
        for (int i = 0; i < VMSTAT.length; i++) baseline[i] = counter(VMSTAT[i]);
        for (int i = 0; i < MIGRATE.length; i++) migrateBaseline[i] = counter(MIGRATE[i]);
    }

    /** A /proc/vmstat counter: summed over the nodes. */
    private long counter(String name) {
        return machine.vmstatSum(name);
    }

    /** The runner's CPU 1 thread: the same process on CPU 1. */
    private Task cpu1() {
        return task.on(machine.cpu(1));
    }

    /**
     * Parse and run the script in {@code file}.
     *
     * @param file the script file
     * @return the transcript, as the real runner prints it
     * @throws IOException if the file cannot be read
     * @throws ScriptException for a script the real runner also refuses
     */
    public static String run(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return run(file.getFileName().toString(), text);
    }

    /**
     * Parse a script file's bytes and run it, writing the transcript to {@code out} line by line as the
     * real runner prints it (nothing of it is kept: memory stays bounded whatever the script asks to
     * print).
     *
     * @param name the script's name, used in error messages
     * @param script the file's contents
     * @param out where the transcript goes
     * @throws ScriptException {@code name:LINE: message} for a script the real runner also refuses
     * @throws UncheckedIOException if {@code out} fails
     */
    public static void run(String name, byte[] script, Appendable out) {
        Script s = Script.parse(name, script);
        ScriptRunner r = new ScriptRunner(s, false, out);
        try {
            r.runAll();
        } finally {
            r.shutdown();
        }
    }

    /**
     * Parse and run a script given as text.
     *
     * @param name the script's name, used in error messages
     * @param text the script
     * @return the transcript
     * @throws ScriptException for a script the real runner also refuses
     */
    public static String run(String name, String text) {
        return run(name, text, false);
    }

    /**
     * Like {@link #run(String, String)}; with {@code checkInvariants}, MmInvariants are checked after
     * every command (counting the LRU and mlock batches' references), for self-tests of the model.
     */
    static String run(String name, String text, boolean checkInvariants) {
        Script s = Script.parse(name, text);
        StringBuilder sb = new StringBuilder();
        ScriptRunner r = new ScriptRunner(s, checkInvariants, sb);
        try {
            r.runAll();
            return sb.toString();
        } finally {
            r.shutdown();
        }
    }

    /**
     * {@return the command of the script that produced transcript line {@code lineIndex} (0-based), for
     * diffs}
     *
     * @param transcript the transcript's lines
     * @param lineIndex the 0-based index of a transcript line
     */
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
        machine.close();
    }

    private void runAll() {
        for (Script.Command c : script.commands()) {
            try {
                runCommand(c);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (checkInvariants) {
                checkInvariants();
            }
        }
    }

    private static int prot(String p) {
        return switch (p) {
            case "none" -> PROT_NONE;
            case "r" -> PROT_READ;
            default -> PROT_READ | PROT_WRITE;
        };
    }

    private void runCommand(Script.Command c) throws IOException {
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
        Task t = c.where() == Script.Where.CHILD ? forks.child() : c.where() == Script.Where.CPU1 ? cpu1() : task;
        out.append(c.echo()).append(" = ");
        String[] tok = c.tok();
        long rc;
        switch (c.op()) {
            case "format" -> rc = 0;
            case "mmap" -> rc = mmap(c);
            case "munmap" -> rc = t.munmap(a, bytes);
            case "mprotect" -> rc = t.mprotect(a, bytes, prot(tok[4]));
            case "mlock" -> rc = t.mlock(a, bytes);
            case "mlock2" -> rc = t.mlock2(a, bytes, tok.length == 5 ? MLOCK_ONFAULT : 0);
            case "munlock" -> rc = t.munlock(a, bytes);
            case "mlockall" -> rc = t.mlockall(tok[1].equals("future") ? MCL_FUTURE : MCL_FUTURE | MCL_ONFAULT);
            case "munlockall" -> rc = t.munlockall();
            case "madvise" -> rc = t.madvise(a, bytes, switch (tok[4]) {
                case "dontneed" -> MADV_DONTNEED;
                case "cold" -> MADV_COLD;
                case "pageout" -> MADV_PAGEOUT;
                case "willneed" -> MADV_WILLNEED;
                case "hugepage" -> MADV_HUGEPAGE;
                case "nohugepage" -> MADV_NOHUGEPAGE;
                case "dontneed_locked" -> MADV_DONTNEED_LOCKED;
                case "free" -> MADV_FREE;
                case "populate_read" -> MADV_POPULATE_READ;
                case "populate_write" -> MADV_POPULATE_WRITE;
                default -> throw new ScriptException(script.file(), c.line(), "unknown advice");
            });
            case "drain" -> rc = t.madvise(pad, PAGE_SIZE, MADV_COLD);
            case "touch" -> {
                boolean write = tok[4].equals("write");
                for (long i = 0; i < c.len(); i++) {
                    int sig = t.touch(a + i * PAGE_SIZE, write);
                    if (sig != 0) {
                        out.append(sig == Task.SIGBUS ? "SIGBUS@" : "SIGSEGV@").append(String.valueOf(i)).append('\n');
                        return;
                    }
                }
                rc = 0;
            }
            case "move" -> {
                MoveCommand.run(t, a, c.len(), Integer.parseInt(tok[4]), out);
                return;
            }
            case "pin", "unpin" -> rc = pins.run(script.file(), c, t, a, bytes);
            case "thp" -> rc = thp.thp(tok[1]);
            case "fork", "exit" -> rc = forks.run(c.op(), task, pad);
            case "limit" -> {
                // setrlimit(RLIMIT_MEMLOCK) with soft = hard = PAGES pages, as runner.c does.
                t.mm().setRlimitMemlock(Long.parseLong(tok[2]) * PAGE_SIZE);
                rc = 0;
            }
            case "nocap" -> {
                // capset() dropping CAP_IPC_LOCK from the process's sets, as runner.c does.
                t.mm().setCapIpcLock(false);
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
        switch (r.kind()) {
            case "anon" -> flags |= MAP_PRIVATE | MAP_ANONYMOUS;
            case "shmem" -> flags |= MAP_SHARED | MAP_ANONYMOUS;
            case "file@", "file-private@" -> {
                // v2: the file of the earlier region S, from offset 0.
                file = files.get(r.source().name());
                flags |= r.kind().equals("file@") ? MAP_SHARED : MAP_PRIVATE;
            }
            default -> {
                // A new sparse N-page file on tmpfs (open O_CREAT|O_TRUNC + ftruncate), closed after mmap.
                file = task.ctx().newShmemFile("/tmp/region-" + r.name(), r.pages());
                files.put(r.name(), file);
                flags |= r.kind().equals("file") ? MAP_SHARED : MAP_PRIVATE;
            }
        }
        long hint = script.v2() ? HINT_BASE + c.mmapIndex() * HINT_STEP : 0;
        long ret = task.mmap(hint, r.pages() * PAGE_SIZE, prot(t[4]), flags, file, 0);
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

    private void check() throws IOException {
        for (Script.Region r : created) {
            out.append("  ").append(r.name()).append(':');
            long base = addr.get(r.name());
            for (long p = 0; p < r.pages(); p++) {
                long kpf = task.kpageflags(base + p * PAGE_SIZE);
                out.append(' ').append(script.v2() ? tokenV2(kpf) : token(kpf));
            }
            out.append('\n');
            if (script.v2()) {
                out.append("  ").append(r.name()).append('@');
                for (long p = 0; p < r.pages(); p++) {
                    out.append(' ').append(place(base + p * PAGE_SIZE));
                }
                out.append('\n');
            }
        }
        out.append("  vmlck ").append(String.valueOf(task.vmLckKb())).append('\n');
        out.append("  vmstat");
        for (int i = 0; i < VMSTAT.length; i++) {
            out.append(' ').append(VMSTAT[i]).append('=').append(String.valueOf(counter(VMSTAT[i]) - baseline[i]));
        }
        out.append('\n');
        if (script.v2()) {
            out.append("  migrate");
            for (int i = 0; i < MIGRATE.length; i++) {
                out.append(' ').append(MIGRATE[i]).append('=').append(String.valueOf(counter(MIGRATE[i]) - migrateBaseline[i]));
            }
            out.append('\n');
            thp.check(out);
        }
    }

    /** emit_page_token(). */
    static String token(long kpf) {
        return KPageFlags.letters(kpf);
    }

    /** emit_page_token() of v2: {@code H} (compound head) and {@code T} (compound tail) before v1's letters. */
    static String tokenV2(long kpf) {
        if (kpf < 0) return ".";
        String ht = ((kpf & (1L << KPageFlags.KPF_COMPOUND_HEAD)) != 0 ? "H" : "")
                + ((kpf & (1L << KPageFlags.KPF_COMPOUND_TAIL)) != 0 ? "T" : "");
        String v1 = KPageFlags.letters(kpf);
        return ht.isEmpty() ? v1 : v1.equals("-") ? ht : ht + v1;
    }

    /** emit_place_token(): {@code .}, or the page's node and {@code m} (ZONE_MOVABLE) or {@code k}. */
    private String place(long addr) {
        long pte = task.mm().pageTables().peek(addr);
        if (!Pte.present(pte)) return ".";
        long pfn = Pte.pfn(pte);
        Zone z = machine.node().zoneOf(pfn);
        return machine.memMap().nid(pfn) + (z.type() == ZoneType.ZONE_MOVABLE ? "m" : "k");
    }
}
