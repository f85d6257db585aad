package io.github.foliolab.conformance;

import io.github.foliolab.conformance.SyscallProgram.Addr;
import io.github.foliolab.conformance.SyscallProgram.Base;
import io.github.foliolab.conformance.SyscallProgram.Call;
import io.github.foliolab.conformance.SyscallProgram.Kind;
import io.github.foliolab.conformance.SyscallProgram.Len;
import io.github.foliolab.conformance.SyscallProgram.LenKind;
import io.github.foliolab.conformance.SyscallProgram.Shape;
import io.github.foliolab.mm.AddressSpace;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.Task;
import io.github.foliolab.mm.Vma;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static io.github.foliolab.mm.Mman.*;

/**
 * Property-based fuzzing of the system-call layer (jqwik): random sequences of mmap, munmap, mprotect,
 * madvise, mlock, mlock2, munlock, mlockall, munlockall and user accesses with valid and invalid
 * arguments (unaligned, zero, huge and wrapping lengths, holes, ranges past the end of a mapping,
 * unknown flags and advices, bad prot bits, MAP_FIXED over live mappings), from CPUs chosen at random,
 * on random machine shapes and credentials. After every call:
 * <ul>
 * <li>the errno is one that Linux 7.2 can return from that system call ({@link #ERRNOS});
 * <li>after a call rejected before it changed anything, the whole machine is byte-identical to before
 *     ({@link StateImage}: the memmap, VMAs, page tables, LRU lists and per-CPU batches, page caches,
 *     counters and vmstat); a fatal user access (SIGSEGV, SIGBUS) changes nothing either;
 * <li>{@link Census} holds: every folio accounted for, refcounts and mapcounts exact, vmstat equal to the
 *     recomputed values, VmLck equal to the locked VMAs.
 * </ul>
 * A failing case is shrunk by jqwik and printed as a conformance script (the calls format v1 cannot
 * express appear as comments with their raw arguments), with the model's result of each call.
 */
class SyscallFuzzTest {
    static final long P = PAGE_SIZE;

    /** The errnos Linux 7.2 can return from each call (mm/mmap.c, mprotect.c, madvise.c, mlock.c, vma.c; man 2). */
    static final Map<Kind, Set<Integer>> ERRNOS = new EnumMap<>(Kind.class);

    static {
        ERRNOS.put(Kind.MMAP, Set.of(Errno.EACCES, Errno.EAGAIN, Errno.EBADF, Errno.EEXIST, Errno.EINVAL,
                Errno.ENODEV, Errno.ENOMEM, Errno.EOVERFLOW, Errno.EPERM, Errno.EOPNOTSUPP, Errno.EINTR));
        ERRNOS.put(Kind.MUNMAP, Set.of(Errno.EINVAL, Errno.ENOMEM, Errno.EPERM, Errno.EINTR));
        ERRNOS.put(Kind.MPROTECT, Set.of(Errno.EACCES, Errno.EINVAL, Errno.ENOMEM, Errno.EPERM, Errno.EINTR));
        ERRNOS.put(Kind.MADVISE, Set.of(Errno.EACCES, Errno.EAGAIN, Errno.EBADF, Errno.EINVAL, Errno.ENOMEM,
                Errno.EPERM, Errno.EINTR, Errno.EFAULT, Errno.EOPNOTSUPP, Errno.EBUSY));
        ERRNOS.put(Kind.MLOCK, Set.of(Errno.EAGAIN, Errno.EINVAL, Errno.ENOMEM, Errno.EPERM, Errno.EINTR));
        ERRNOS.put(Kind.MLOCK2, Set.of(Errno.EAGAIN, Errno.EINVAL, Errno.ENOMEM, Errno.EPERM, Errno.EINTR));
        ERRNOS.put(Kind.MUNLOCK, Set.of(Errno.EINVAL, Errno.ENOMEM, Errno.EINTR));
        ERRNOS.put(Kind.MLOCKALL, Set.of(Errno.EINVAL, Errno.ENOMEM, Errno.EPERM, Errno.EINTR));
        ERRNOS.put(Kind.MUNLOCKALL, Set.of(Errno.EINTR));
    }

    // Figures for the report (docs/reliability.md), printed after the container.
    static final AtomicLong CALLS = new AtomicLong();
    static final AtomicLong FAILED_CALLS = new AtomicLong();
    static final AtomicLong STATES_COMPARED = new AtomicLong();
    static final AtomicLong CENSUS_CHECKS = new AtomicLong();
    static final AtomicLong PROGRAMS = new AtomicLong();
    static final Map<String, AtomicLong> ERRNO_SEEN = new java.util.concurrent.ConcurrentSkipListMap<>();

    @Property(shrinking = net.jqwik.api.ShrinkingMode.FULL)
    void everyCallGivesAKernelErrnoAndRejectedCallsChangeNothing(@ForAll("programs") SyscallProgram program) {
        PROGRAMS.incrementAndGet();
        long[] results = new long[program.calls().size()];
        java.util.Arrays.fill(results, SyscallProgram.NOT_RUN);
        try {
            run(program, results);
        } catch (RuntimeException | AssertionError e) {
            SyscallProgram.RESULTS.put(program, results);
            throw e;
        }
    }

    private static final java.util.concurrent.atomic.AtomicBoolean REPORTED = new java.util.concurrent.atomic.AtomicBoolean();

    @AfterContainer
    static void report() {
        if (REPORTED.getAndSet(true)) return;
        System.out.println("[syscall fuzzer] programs " + PROGRAMS + ", calls " + CALLS + ", failed calls "
                + FAILED_CALLS + ", states compared " + STATES_COMPARED + ", census checks " + CENSUS_CHECKS
                + ", errnos " + ERRNO_SEEN);
    }

    // ---------------------------------------------------------------- generators

    @Provide
    Arbitrary<SyscallProgram> programs() {
        Arbitrary<Shape> shapes = Combinators.combine(
                Arbitraries.integers().between(1, 4),
                Arbitraries.of(4096, 8192, 16384),
                Arbitraries.of(true, false),
                Arbitraries.of(true, false),
                Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(6, Arbitraries.just(-1L)),
                        net.jqwik.api.Tuple.of(1, Arbitraries.just(0L)),
                        net.jqwik.api.Tuple.of(2, Arbitraries.longs().between(1, 64))))
                .as(Shape::new);
        Arbitrary<Call> calls = Combinators.combine(kinds(), addrs(), lens(),
                Arbitraries.integers().between(0, 63), flagIndex(), flagIndex(), Arbitraries.integers().between(0, 3))
                .as(Call::new);
        return Combinators.combine(shapes, calls.list().ofMinSize(1).ofMaxSize(30)).as(SyscallProgram::new);
    }

    private static Arbitrary<Integer> flagIndex() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(1, 2)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(3, 63)));
    }

    private static Arbitrary<Kind> kinds() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, Arbitraries.just(Kind.MMAP)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.MUNMAP)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(Kind.MPROTECT)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(Kind.MADVISE)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(Kind.MLOCK)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.MLOCK2)),
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.MUNLOCK)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.MLOCKALL)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.MUNLOCKALL)),
                net.jqwik.api.Tuple.of(7, Arbitraries.just(Kind.TOUCH)));
    }

    private static Arbitrary<Addr> addrs() {
        Arbitrary<Base> base = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(20, Arbitraries.just(Base.SLOT)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(Base.HOLE, Base.ZERO, Base.BELOW_MIN, Base.TOP, Base.WILD)));
        Arbitrary<Integer> byteOff = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 4095)));
        return Combinators.combine(base, Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(-2, 40).shrinkTowards(0), byteOff).as(Addr::new);
    }

    private static Arbitrary<Len> lens() {
        Arbitrary<LenKind> kind = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(24, Arbitraries.just(LenKind.PAGES)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(LenKind.ZERO, LenKind.MINUS_ONE, LenKind.MINUS_PAGE,
                        LenKind.TASK_SIZE, LenKind.ONE_GIB, LenKind.HUGE)));
        Arbitrary<Integer> extra = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(1, 4095)));
        return Combinators.combine(kind, Arbitraries.integers().between(1, 48), extra).as(Len::new);
    }

    // ---------------------------------------------------------------- execution

    /** Runs the program, checking every call; results[i] is call i's return value (or signal). */
    static void run(SyscallProgram program, long[] results) {
        Shape s = program.shape();
        try (Rig rig = Rig.boot(s.cpus(), s.pages())) {
            Task task = rig.newProcess(0, s.capIpcLock(), s.capSysRawio(), s.rlimitBytes());
            List<Task> procs = List.of(task);
            List<AddressSpace> files = new ArrayList<>();
            List<Long> slots = new ArrayList<>();
            Census.check(rig.machine, procs, files);
            CENSUS_CHECKS.incrementAndGet();
            for (int i = 0; i < program.calls().size(); i++) {
                Call c = program.calls().get(i);
                Task t = task.on(rig.machine.cpu(c.cpu() % s.cpus()));
                long addr = address(c.addr(), slots, task.mm());
                long len = c.len().bytes();
                AddressSpace file = c.kind() == Kind.MMAP ? fileFor(rig, c, len, files) : null; // open(): before the image
                StateImage before = StateImage.take(rig.machine, procs, files);
                boolean startMapped = startMapped(task.mm(), addr);
                boolean anyMapped = anyVmaIn(task.mm(), addr, len);
                long rc = call(t, c, addr, len, file);
                results[i] = rc;
                CALLS.incrementAndGet();
                if (c.kind() == Kind.MMAP && rc >= 0) slots.add(rc);
                String where = "call " + i + ": " + SyscallProgram.raw(c) + " = " + rc;
                if (c.kind() == Kind.TOUCH) {
                    if (rc != 0 && rc != Task.SIGSEGV && rc != Task.SIGBUS && rc != Task.SIGKILL) {
                        throw new AssertionError(where + ": no such signal from a user access");
                    }
                } else if (rc < 0) {
                    FAILED_CALLS.incrementAndGet();
                    int errno = (int) -rc;
                    ERRNO_SEEN.computeIfAbsent(c.kind().name().toLowerCase() + " " + Errno.name(errno), k -> new AtomicLong()).incrementAndGet();
                    if (!ERRNOS.get(c.kind()).contains(errno)) {
                        throw new AssertionError(where + ": " + Errno.name(errno) + " is not an errno Linux 7.2 returns from "
                                + c.kind().name().toLowerCase());
                    }
                } else if (c.kind() != Kind.MMAP && rc != 0) {
                    throw new AssertionError(where + ": a positive return value");
                }
                if (changesNothing(c, rc, startMapped, anyMapped)) {
                    String d = before.diff(StateImage.take(rig.machine, procs, files), rig.machine.memMap(),
                            c.kind() == Kind.TOUCH ? "pgfault" : "");
                    STATES_COMPARED.incrementAndGet();
                    if (d != null) throw new AssertionError(where + " was rejected but changed the state: " + d);
                }
                try {
                    Census.check(rig.machine, procs, files);
                    CENSUS_CHECKS.incrementAndGet();
                } catch (RuntimeException e) {
                    throw new AssertionError(where + ": invariant broken after it: " + e.getMessage(), e);
                }
            }
        }
    }

    private static boolean startMapped(MmStruct mm, long addr) {
        for (Vma v : mm.vmasSnapshot()) if (v.contains(addr & ~0xfffL)) return true;
        return false;
    }

    /**
     * True for a failed call that the kernel rejects before it changes anything: every failed mmap,
     * munmap and mlockall, a user access that gets SIGSEGV or SIGBUS, and for the range calls the errnos
     * of their argument checks (EINVAL, EPERM) and ENOMEM when no VMA holds the first page (madvise: when
     * no VMA meets the range at all, since its walk goes on past holes). A walk that stops at a later
     * hole, or a population failure after the VMAs were changed, is a partial success, as in the kernel.
     */
    static boolean changesNothing(Call c, long rc, boolean startMapped, boolean anyMapped) {
        if (c.kind() == Kind.TOUCH) return rc == Task.SIGSEGV || rc == Task.SIGBUS;
        if (rc >= 0) return false;
        int errno = (int) -rc;
        return switch (c.kind()) {
            case MMAP, MUNMAP, MLOCKALL, MUNLOCKALL -> true;
            // mprotect(PROT_GROWSDOWN) moves the start down to a VM_GROWSDOWN VMA found in the range: the
            // walk can change that VMA and then meet a hole (-ENOMEM) though the start was not mapped.
            case MPROTECT -> errno == Errno.EINVAL || errno == Errno.EPERM
                    || errno == Errno.ENOMEM && !startMapped
                    && (SyscallProgram.pick(SyscallProgram.PROTS, c.a()) & PROT_GROWSDOWN) == 0;
            case MLOCK, MLOCK2, MUNLOCK -> errno == Errno.EINVAL || errno == Errno.EPERM
                    || errno == Errno.ENOMEM && !startMapped;
            // madvise walks on past a hole at the start, and a VMA's -EINVAL stops a walk already under way.
            case MADVISE -> errno == Errno.EINVAL && (c.addr().byteOff() != 0 || !validAdvice(SyscallProgram.pick(SyscallProgram.ADVICE, c.a())))
                    || errno == Errno.ENOMEM && !anyMapped;
            case TOUCH -> false;
        };
    }

    private static boolean validAdvice(int adv) {
        return adv != 100 && adv != -1;
    }

    /** True if a VMA intersects the page-aligned range of the call (or the length wraps: nothing is walked). */
    private static boolean anyVmaIn(MmStruct mm, long addr, long len) {
        long start = addr & ~0xfffL;
        long end = start + SyscallProgram.pageAlign(len);
        if (Long.compareUnsigned(end, start) <= 0) return false;
        for (Vma v : mm.vmasSnapshot()) {
            if (Long.compareUnsigned(v.start(), end) < 0 && Long.compareUnsigned(v.end(), start) > 0) return true;
        }
        return false;
    }

    static long address(Addr a, List<Long> slots, MmStruct mm) {
        long base = switch (a.base()) {
            case SLOT -> slots.isEmpty() ? hole(mm) : slots.get(Math.floorMod(a.slot(), slots.size()));
            case HOLE -> hole(mm);
            case ZERO -> 0;
            case BELOW_MIN -> P;
            case TOP -> MmStruct.TASK_SIZE - P;
            case WILD -> 0x7fff00000000L;
        };
        return base + a.pageOff() * P + a.byteOff();
    }

    /** 64 pages below the lowest mapping (or below mmap_base): unmapped. */
    private static long hole(MmStruct mm) {
        long low = mm.mmapBase();
        for (Vma v : mm.vmasSnapshot()) low = Math.min(low, v.start());
        return low - 64 * P;
    }

    /** A new tmpfs file for a file mmap (at most 64 pages: longer mappings reach past its end), or null. */
    private static AddressSpace fileFor(Rig rig, Call c, long len, List<AddressSpace> files) {
        if ((SyscallProgram.mmapType(c) & MAP_ANONYMOUS) != 0) return null;
        long pages = Math.max(1, Math.min(64, SyscallProgram.pageAlign(Math.max(0, len)) / P));
        AddressSpace file = Mm.of(rig.machine).newShmemFile("/tmp/fuzz-" + files.size(), pages);
        files.add(file);
        return file;
    }

    private static long call(Task t, Call c, long addr, long len, AddressSpace file) {
        return switch (c.kind()) {
            case MMAP -> {
                int flags = SyscallProgram.mmapType(c) | SyscallProgram.mmapExtraFlags(c);
                // A hint into a live mapping is taken as no hint (0), so that placement stays top-down.
                boolean fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
                long hint = fixed || c.addr().base() != Base.SLOT ? addr : 0;
                yield t.mmap(hint, len, SyscallProgram.mmapProt(c), flags, file, SyscallProgram.mmapOffset(c));
            }
            case MUNMAP -> t.munmap(addr, len);
            case MPROTECT -> t.mprotect(addr, len, SyscallProgram.pick(SyscallProgram.PROTS, c.a()));
            case MADVISE -> t.madvise(addr, len, SyscallProgram.pick(SyscallProgram.ADVICE, c.a()));
            case MLOCK -> t.mlock(addr, len);
            case MLOCK2 -> t.mlock2(addr, len, SyscallProgram.pick(SyscallProgram.MLOCK2_FLAGS, c.a()));
            case MUNLOCK -> t.munlock(addr, len);
            case MLOCKALL -> t.mlockall(SyscallProgram.pick(SyscallProgram.MLOCKALL_FLAGS, c.a()));
            case MUNLOCKALL -> t.munlockall();
            case TOUCH -> t.touch(addr, (c.a() & 1) == 0);
        };
    }
}
