package io.github.foliolab.conformance;

import io.github.foliolab.mm.Mman;
import io.github.foliolab.mm.MmStruct;

import java.util.ArrayList;
import java.util.List;

import static io.github.foliolab.mm.Mman.*;

/**
 * A generated program for the system-call fuzzer: a machine shape and a sequence of calls with their raw
 * arguments described symbolically (so that jqwik can shrink them). {@link #toString} prints it as a
 * conformance script: each call that format v1 can express as a command line, the others as comments
 * giving the raw call, so that a shrunk failing case can be run on the real kernel as far as it goes.
 */
record SyscallProgram(Shape shape, List<Call> calls) {
    static final long P = PAGE_SIZE;

    /** CPUs, node size in pages, the process's credentials; rlimitPages < 0 is the default 8 MiB. */
    record Shape(int cpus, int pages, boolean capIpcLock, boolean capSysRawio, long rlimitPages) {
        long rlimitBytes() {
            return rlimitPages < 0 ? MmStruct.DEFAULT_RLIMIT_MEMLOCK : rlimitPages * P;
        }
    }

    enum Kind { MMAP, MUNMAP, MPROTECT, MADVISE, MLOCK, MLOCK2, MUNLOCK, MLOCKALL, MUNLOCKALL, TOUCH }

    /** Where an address points: into the slot-th live mapping, or one of the bad places. */
    enum Base { SLOT, HOLE, ZERO, BELOW_MIN, TOP, WILD }

    /** Lengths: whole pages plus a byte remainder, or one of the bad lengths. */
    enum LenKind { PAGES, ZERO, MINUS_ONE, MINUS_PAGE, TASK_SIZE, ONE_GIB, HUGE }

    record Addr(Base base, int slot, int pageOff, int byteOff) {}

    record Len(LenKind kind, int pages, int extra) {
        long bytes() {
            return switch (kind) {
                case PAGES -> pages * P + extra;
                case ZERO -> 0;
                case MINUS_ONE -> -1L;
                case MINUS_PAGE -> -P;
                case TASK_SIZE -> MmStruct.TASK_SIZE;
                case ONE_GIB -> 1L << 30;
                case HUGE -> Long.MAX_VALUE - 0xfffL;
            };
        }
    }

    /** a, f1, f2 choose kind / prot / advice / flags per call kind (0 is always the plain, valid choice). */
    record Call(Kind kind, Addr addr, Len len, int a, int f1, int f2, int cpu) {}

    // ---------------------------------------------------------------- argument decoding

    static final String[] MMAP_KINDS = {"anon", "shmem", "file", "file-private"};
    /** prot values: the three of the script format first, then valid-but-unscripted, then bad ones. */
    static final int[] PROTS = {PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE, PROT_READ | PROT_WRITE | PROT_EXEC,
        PROT_WRITE, PROT_READ | PROT_SEM, 0x10, 0x40, PROT_READ | PROT_GROWSDOWN, PROT_READ | PROT_GROWSUP,
        PROT_GROWSDOWN | PROT_GROWSUP, 0x80000000};
    /** Extra mmap flags; index 0 is none. */
    static final int[] MAP_EXTRAS = {0, MAP_POPULATE, MAP_LOCKED, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_NORESERVE,
        MAP_GROWSDOWN, MAP_HUGETLB, MAP_STACK, MAP_SYNC, 0x800000, MAP_NONBLOCK, MAP_HUGETLB | MAP_HUGE_1GB, -1};
    static final String[] MAP_EXTRA_NAMES = {"", "populate", "locked", "MAP_FIXED", "MAP_FIXED_NOREPLACE",
        "MAP_NORESERVE", "MAP_GROWSDOWN", "MAP_HUGETLB", "MAP_STACK", "MAP_SYNC", "0x800000", "MAP_NONBLOCK",
        "MAP_HUGETLB|MAP_HUGE_1GB", "type:bad"};
    static final int[] ADVICE = {MADV_DONTNEED, MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED, MADV_NORMAL, MADV_RANDOM,
        MADV_SEQUENTIAL, MADV_DONTFORK, MADV_DOFORK, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_FREE, 100, -1};
    static final String[] ADVICE_NAMES = {"dontneed", "cold", "pageout", "willneed"};
    static final int[] MLOCK2_FLAGS = {0, MLOCK_ONFAULT, 2, 0xff, -1};
    static final int[] MLOCKALL_FLAGS = {MCL_FUTURE, MCL_FUTURE | MCL_ONFAULT, MCL_CURRENT, MCL_CURRENT | MCL_ONFAULT,
        MCL_CURRENT | MCL_FUTURE, 0, MCL_ONFAULT, 8, MCL_FUTURE | 0x10};
    /** mmap offsets: 0, one page, unaligned, beyond MAX_LFS_FILESIZE. */
    static final long[] OFFSETS = {0, P, 123, Long.MIN_VALUE};

    static int pick(int[] table, int i) {
        return table[Math.floorMod(i, table.length)];
    }

    static long mmapOffset(Call c) {
        return OFFSETS[Math.floorMod(c.f2() >> 4, OFFSETS.length)];
    }

    /** MAP_* flags of an mmap call, without the type bits of its kind. */
    static int mmapExtraFlags(Call c) {
        return extra(c.f1()) | extra(c.f2() & 0xf);
    }

    private static int extra(int i) {
        int e = pick(MAP_EXTRAS, i);
        return e == -1 ? 0 : e;
    }

    /** The map type: from the kind, unless one of the extras asks for a bad type or MAP_SHARED_VALIDATE. */
    static int mmapType(Call c) {
        boolean bad = pick(MAP_EXTRAS, c.f1()) == -1 || pick(MAP_EXTRAS, c.f2() & 0xf) == -1;
        int kind = Math.floorMod(c.a(), 4);
        int type = switch (kind) {
            case 0 -> MAP_PRIVATE | MAP_ANONYMOUS;
            case 1 -> MAP_SHARED | MAP_ANONYMOUS;
            case 2 -> MAP_SHARED;
            default -> MAP_PRIVATE;
        };
        if (bad) type = (type & MAP_ANONYMOUS) | (kind == 2 ? MAP_SHARED_VALIDATE : 0x0f);
        return type;
    }

    static int mmapProt(Call c) {
        return pick(PROTS, c.a() >> 2);
    }

    // ---------------------------------------------------------------- printing

    /** The results of the last run of each program that failed, for {@link #toString}. */
    static final long NOT_RUN = Long.MIN_VALUE;

    static final java.util.Map<SyscallProgram, long[]> RESULTS = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public String toString() {
        long[] results = RESULTS.get(this);
        StringBuilder sb = new StringBuilder("\n");
        sb.append("# syscall fuzzer case: ").append(shape.cpus()).append(" CPUs, ").append(shape.pages())
                .append(" pages, CAP_IPC_LOCK ").append(shape.capIpcLock()).append(", CAP_SYS_RAWIO ")
                .append(shape.capSysRawio()).append(", RLIMIT_MEMLOCK ")
                .append(shape.rlimitPages() < 0 ? "8 MiB" : shape.rlimitPages() + " pages").append('\n');
        if (!shape.capIpcLock() || shape.rlimitPages() >= 0 || shape.cpus() > 1) {
            sb.append("# (format v1 runs as root on one CPU: the credentials and CPUs above need format 2)\n");
        }
        List<Long> slotPages = new ArrayList<>(); // per successful mmap: its pages, or -1 if the script has no region for it
        List<Integer> slotRegion = new ArrayList<>();
        int regions = 0;
        boolean seenMunmap = false;
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            long rc = results != null && i < results.length ? results[i] : 0;
            String line = scriptLine(c, slotPages, slotRegion, regions, seenMunmap);
            if (c.kind() == Kind.MMAP && rc >= 0) {
                if (line != null) {
                    slotPages.add(c.len().bytes() / P);
                    slotRegion.add(regions++);
                } else {
                    slotPages.add(-1L);
                    slotRegion.add(-1);
                }
            }
            if (c.kind() == Kind.MUNMAP) seenMunmap = true;
            sb.append(line != null ? line : "# not in format v1: " + raw(c));
            if (results != null && rc == NOT_RUN) {
                sb.append("   # (not run: the case failed before)");
            } else if (results != null) {
                sb.append("   # model: ").append(c.kind() == Kind.TOUCH ? signal(rc)
                        : rc < 0 ? "-" + io.github.foliolab.mm.Errno.name((int) -rc) : c.kind() == Kind.MMAP ? "0x" + Long.toHexString(rc) : "0");
            }
            sb.append('\n');
        }
        sb.append("check\n");
        return sb.toString();
    }

    private static String signal(long sig) {
        return sig == 0 ? "0" : sig == 11 ? "SIGSEGV" : sig == 7 ? "SIGBUS" : sig == 9 ? "SIGKILL" : "signal " + sig;
    }

    /** The v1 command for a call, or null when v1 cannot say it. Regions are named R0, R1, ... */
    private static String scriptLine(Call c, List<Long> slotPages, List<Integer> slotRegion, int regions, boolean seenMunmap) {
        Addr a = c.addr();
        Len l = c.len();
        boolean plainLen = l.kind() == LenKind.PAGES && l.extra() == 0 || l.kind() == LenKind.ZERO;
        long pages = l.kind() == LenKind.ZERO ? 0 : l.pages();
        String range = null;
        if (a.base() == Base.SLOT && a.byteOff() == 0 && !slotPages.isEmpty() && plainLen) {
            int s = Math.floorMod(a.slot(), slotPages.size());
            long size = slotPages.get(s);
            if (size > 0 && a.pageOff() >= 0 && a.pageOff() < size && a.pageOff() + pages <= size) {
                range = "R" + slotRegion.get(s) + " " + a.pageOff() + " " + pages;
            }
        }
        switch (c.kind()) {
            case MMAP -> {
                int prot = Math.floorMod(c.a() >> 2, PROTS.length);
                int e1 = Math.floorMod(c.f1(), MAP_EXTRAS.length);
                int e2 = Math.floorMod(c.f2() & 0xf, MAP_EXTRAS.length);
                if (seenMunmap || prot > 2 || e1 > 2 || e2 > 2 || mmapOffset(c) != 0 || l.kind() != LenKind.PAGES
                        || l.extra() != 0 || a.base() == Base.TOP || a.base() == Base.BELOW_MIN) {
                    return null;
                }
                String opts = (e1 == 1 || e2 == 1 ? " populate" : "") + (e1 == 2 || e2 == 2 ? " locked" : "");
                return "mmap R" + regions + " " + l.pages() + " " + MMAP_KINDS[Math.floorMod(c.a(), 4)] + " "
                        + new String[] {"rw", "r", "none"}[prot] + opts;
            }
            case MUNMAP, MLOCK, MUNLOCK -> {
                return range == null ? null : c.kind().name().toLowerCase() + " " + range;
            }
            case MPROTECT -> {
                int prot = Math.floorMod(c.a(), PROTS.length);
                return range == null || prot > 2 ? null : "mprotect " + range + " " + new String[] {"rw", "r", "none"}[prot];
            }
            case MADVISE -> {
                int adv = Math.floorMod(c.a(), ADVICE.length);
                return range == null || adv > 3 ? null : "madvise " + range + " " + ADVICE_NAMES[adv];
            }
            case MLOCK2 -> {
                int f = Math.floorMod(c.a(), MLOCK2_FLAGS.length);
                return range == null || f > 1 ? null : "mlock2 " + range + (f == 1 ? " onfault" : "");
            }
            case MLOCKALL -> {
                int f = Math.floorMod(c.a(), MLOCKALL_FLAGS.length);
                return f == 0 ? "mlockall future" : f == 1 ? "mlockall future,onfault" : null;
            }
            case MUNLOCKALL -> {
                return "munlockall";
            }
            case TOUCH -> {
                if (range == null || pages == 0) return null;
                return "touch " + range.substring(0, range.lastIndexOf(' ')) + " 1 " + ((c.a() & 1) == 0 ? "write" : "read");
            }
        }
        return null;
    }

    /** The raw call with its arguments, as symbols of the generator (the addresses depend on placement). */
    static String raw(Call c) {
        Addr a = c.addr();
        String addr = switch (a.base()) {
            case SLOT -> "mapping#" + a.slot();
            case HOLE -> "hole";
            case ZERO -> "0";
            case BELOW_MIN -> "0x1000";
            case TOP -> "TASK_SIZE-4096";
            case WILD -> "0x7fff00000000";
        } + (a.pageOff() != 0 ? (a.pageOff() > 0 ? "+" : "") + a.pageOff() + "p" : "") + (a.byteOff() != 0 ? "+" + a.byteOff() : "");
        String len = "0x" + Long.toHexString(c.len().bytes());
        String cpu = " on CPU " + c.cpu();
        return switch (c.kind()) {
            case MMAP -> "mmap(" + addr + ", " + len + ", prot 0x" + Integer.toHexString(mmapProt(c)) + ", "
                    + MMAP_KINDS[Math.floorMod(c.a(), 4)] + " type 0x" + Integer.toHexString(mmapType(c)) + " | "
                    + MAP_EXTRA_NAMES[Math.floorMod(c.f1(), MAP_EXTRAS.length)] + " | "
                    + MAP_EXTRA_NAMES[Math.floorMod(c.f2() & 0xf, MAP_EXTRAS.length)] + ", offset 0x"
                    + Long.toHexString(mmapOffset(c)) + ")" + cpu;
            case MUNMAP -> "munmap(" + addr + ", " + len + ")" + cpu;
            case MPROTECT -> "mprotect(" + addr + ", " + len + ", 0x" + Integer.toHexString(pick(PROTS, c.a())) + ")" + cpu;
            case MADVISE -> "madvise(" + addr + ", " + len + ", " + pick(ADVICE, c.a()) + ")" + cpu;
            case MLOCK -> "mlock(" + addr + ", " + len + ")" + cpu;
            case MLOCK2 -> "mlock2(" + addr + ", " + len + ", 0x" + Integer.toHexString(pick(MLOCK2_FLAGS, c.a())) + ")" + cpu;
            case MUNLOCK -> "munlock(" + addr + ", " + len + ")" + cpu;
            case MLOCKALL -> "mlockall(0x" + Integer.toHexString(pick(MLOCKALL_FLAGS, c.a())) + ")" + cpu;
            case MUNLOCKALL -> "munlockall()" + cpu;
            case TOUCH -> "touch(" + addr + ", " + ((c.a() & 1) == 0 ? "write" : "read") + ")" + cpu;
        };
    }

    static long pageAlign(long x) {
        return Mman.pageAlign(x);
    }
}
