package io.github.foliolab.mm;

import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.lru.Swap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernel's errnos for bad arguments of mmap, munmap, mprotect and madvise (the order of the checks
 * of do_mmap / __get_unmapped_area, do_vmi_munmap, do_mprotect_pkey, do_madvise / madvise_walk_vmas in
 * 7.2), each on a process with faulted, batched, drained, shared, file, locked and special mappings;
 * every rejected call leaves VMAs, PTEs, folios, locked_vm / total_vm / def_flags and every vmstat
 * counter exactly as before, and the rmap invariants hold after each.
 */
class ErrnoTest {
    static final long P = PAGE_SIZE;
    static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;

    /** A process with one mapping of each kind the errno paths care about. */
    static final class World {
        final MmFixture fx = new MmFixture();
        final Task t = fx.task;
        final long anon;      // 8 pages rw: 0..3 written and drained, 4..5 written (in the batch), 6 read (zero page)
        final long ro;        // 2 pages r
        final long none;      // 2 pages PROT_NONE
        final long locked;    // 4 pages MAP_LOCKED PROT_NONE (population fails, VM_LOCKED stays; mm alone cannot mlock folios)
        final long shmem;     // 2 pages MAP_SHARED anonymous, written
        final AddressSpace file;
        final long filePriv;  // 2 pages MAP_PRIVATE of a tmpfs file, read
        final long pfnmap;    // 2 pages VM_PFNMAP|VM_IO
        final long stack;     // 2 pages MAP_GROWSDOWN

        World() {
            anon = fx.mmapAnon(8, PROT_READ | PROT_WRITE);
            for (int i = 0; i < 4; i++) assertEquals(0, t.touch(anon + i * P, true));
            fx.machine.cpu(0).run(() -> Swap.of(fx.machine).lruAddDrain());
            assertEquals(0, t.touch(anon + 4 * P, true));
            assertEquals(0, t.touch(anon + 5 * P, true));
            assertEquals(0, t.touch(anon + 6 * P, false));
            ro = fx.mmapAnon(2, PROT_READ);
            none = fx.mmapAnon(2, PROT_NONE);
            locked = t.mmap(0, 4 * P, PROT_NONE, ANON | MAP_LOCKED, null, 0);
            assertTrue(locked > 0);
            shmem = fx.mmapShmem(2, PROT_READ | PROT_WRITE);
            assertEquals(0, t.touch(shmem, true));
            file = Mm.of(fx.machine).newShmemFile("f", 4);
            filePriv = fx.mmapFile(file, 2, PROT_READ | PROT_WRITE, false);
            assertEquals(0, t.touch(filePriv, false));
            pfnmap = t.mmapSpecial(2 * P, PROT_READ, VmFlags.VM_PFNMAP | VmFlags.VM_IO);
            assertTrue(pfnmap > 0);
            stack = t.mmap(0, 2 * P, PROT_READ | PROT_WRITE, ANON | MAP_GROWSDOWN, null, 0);
            assertTrue(stack > 0);
            fx.checkInvariants();
        }

        /** The start of the lowest mapping: the page below it is unmapped. */
        long lowest() {
            long low = Long.MAX_VALUE;
            for (Vma v : fx.mm.vmasSnapshot()) low = Math.min(low, v.start());
            return low;
        }

        /** An address with 64 free pages around it, below every mapping. */
        long hole() {
            return lowest() - 64 * P;
        }
    }

    record Case(String name, int errno, java.util.function.ToLongFunction<World> call) {}

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        // ---- mmap: sys_mmap, ksys_mmap_pgoff, do_mmap, __get_unmapped_area, in that order.
        c.add(new Case("mmap unaligned offset", Errno.EINVAL, w -> w.t.mmap(0, P, PROT_READ, ANON, null, 123)));
        c.add(new Case("mmap bad fd", Errno.EBADF, w -> w.t.mmap(0, P, PROT_READ, MAP_PRIVATE, null, 0)));
        c.add(new Case("mmap MAP_HUGETLB of a tmpfs file", Errno.EINVAL, w -> w.t.mmap(0, P, PROT_READ, MAP_SHARED | MAP_HUGETLB, w.file, 0)));
        c.add(new Case("mmap MAP_HUGETLB of 1 GiB pages (no such hstate)", Errno.EINVAL, w -> w.t.mmap(0, P, PROT_READ, ANON | MAP_HUGETLB | MAP_HUGE_1GB, null, 0)));
        c.add(new Case("mmap MAP_HUGETLB, empty pool", Errno.ENOMEM, w -> w.t.mmap(0, P, PROT_READ, ANON | MAP_HUGETLB, null, 0)));
        c.add(new Case("mmap zero length", Errno.EINVAL, w -> w.t.mmap(0, 0, PROT_READ, ANON, null, 0)));
        c.add(new Case("mmap zero length, bad type", Errno.EINVAL, w -> w.t.mmap(0, 0, PROT_READ, MAP_ANONYMOUS, null, 0)));
        c.add(new Case("mmap PAGE_ALIGN(len) overflows", Errno.ENOMEM, w -> w.t.mmap(0, -P, PROT_READ, ANON, null, 0)));
        c.add(new Case("mmap len > TASK_SIZE", Errno.ENOMEM, w -> w.t.mmap(0, MmStruct.TASK_SIZE + P, PROT_READ, ANON, null, 0)));
        c.add(new Case("mmap MAP_FIXED beyond TASK_SIZE", Errno.ENOMEM, w -> w.t.mmap(MmStruct.TASK_SIZE - P, 2 * P, PROT_READ, ANON | MAP_FIXED, null, 0)));
        c.add(new Case("mmap MAP_FIXED unaligned", Errno.EINVAL, w -> w.t.mmap(0x10000123L, P, PROT_READ, ANON | MAP_FIXED, null, 0)));
        c.add(new Case("mmap MAP_FIXED below mmap_min_addr", Errno.EPERM, w -> w.t.mmap(P, P, PROT_READ, ANON | MAP_FIXED, null, 0)));
        c.add(new Case("mmap MAP_FIXED_NOREPLACE over a mapping", Errno.EEXIST, w -> w.t.mmap(w.anon, P, PROT_READ, ANON | MAP_FIXED_NOREPLACE, null, 0)));
        c.add(new Case("mmap MAP_FIXED_NOREPLACE over a mapping, bad type: EEXIST comes first", Errno.EEXIST,
                w -> w.t.mmap(w.anon, P, PROT_READ, MAP_ANONYMOUS | 0x0f | MAP_FIXED_NOREPLACE, null, 0)));
        c.add(new Case("mmap no map type", Errno.EINVAL, w -> w.t.mmap(0, P, PROT_READ, MAP_ANONYMOUS, null, 0)));
        c.add(new Case("mmap anonymous MAP_SHARED_VALIDATE", Errno.EINVAL, w -> w.t.mmap(0, P, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, null, 0)));
        c.add(new Case("mmap anonymous MAP_DROPPABLE (not modelled)", Errno.EINVAL, w -> w.t.mmap(0, P, PROT_READ, MAP_DROPPABLE | MAP_ANONYMOUS, null, 0)));
        c.add(new Case("mmap file MAP_SHARED_VALIDATE | unknown flag", Errno.EOPNOTSUPP, w -> w.t.mmap(0, P, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, w.file, 0)));
        c.add(new Case("mmap file MAP_SHARED_VALIDATE | MAP_SYNC (tmpfs: no DAX)", Errno.EOPNOTSUPP, w -> w.t.mmap(0, P, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, w.file, 0)));
        c.add(new Case("mmap file MAP_SHARED_VALIDATE | MAP_FIXED_NOREPLACE (not a legacy flag)", Errno.EOPNOTSUPP,
                w -> w.t.mmap(w.hole(), P, PROT_READ, MAP_SHARED_VALIDATE | MAP_FIXED_NOREPLACE, w.file, 0)));
        c.add(new Case("mmap file bad type", Errno.EINVAL, w -> w.t.mmap(0, P, PROT_READ, 0x0f, w.file, 0)));
        c.add(new Case("mmap file MAP_GROWSDOWN", Errno.EINVAL, w -> w.t.mmap(0, P, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, w.file, 0)));
        c.add(new Case("mmap shared anonymous MAP_GROWSDOWN", Errno.EINVAL, w -> w.t.mmap(0, P, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, null, 0)));
        c.add(new Case("mmap file offset beyond MAX_LFS_FILESIZE", Errno.EOVERFLOW, w -> w.t.mmap(0, P, PROT_READ, MAP_SHARED, w.file, Long.MIN_VALUE)));
        c.add(new Case("mmap MAP_LOCKED with RLIMIT_MEMLOCK 0", Errno.EPERM, w -> {
            w.fx.mm.setRlimitMemlock(0);
            try {
                return w.t.mmap(0, P, PROT_READ, ANON | MAP_LOCKED, null, 0);
            } finally {
                w.fx.mm.setRlimitMemlock(MmStruct.DEFAULT_RLIMIT_MEMLOCK);
            }
        }));
        c.add(new Case("mmap MAP_LOCKED over RLIMIT_MEMLOCK", Errno.EAGAIN, w -> {
            w.fx.mm.setRlimitMemlock(6 * P); // 4 pages are locked already
            try {
                return w.t.mmap(0, 3 * P, PROT_READ, ANON | MAP_LOCKED, null, 0);
            } finally {
                w.fx.mm.setRlimitMemlock(MmStruct.DEFAULT_RLIMIT_MEMLOCK);
            }
        }));
        // ---- munmap: do_vmi_munmap.
        c.add(new Case("munmap unaligned", Errno.EINVAL, w -> w.t.munmap(w.anon + 1, P)));
        c.add(new Case("munmap zero length", Errno.EINVAL, w -> w.t.munmap(w.anon, 0)));
        c.add(new Case("munmap len > TASK_SIZE - start", Errno.EINVAL, w -> w.t.munmap(w.anon, -P)));
        c.add(new Case("munmap start > TASK_SIZE", Errno.EINVAL, w -> w.t.munmap(MmStruct.TASK_SIZE + P, P)));
        c.add(new Case("munmap len rounds up past TASK_SIZE - start", Errno.EINVAL, w -> w.t.munmap(MmStruct.TASK_SIZE - P, P + 1)));
        // ---- mprotect: do_mprotect_pkey.
        c.add(new Case("mprotect PROT_GROWSDOWN|PROT_GROWSUP, before the alignment check", Errno.EINVAL,
                w -> w.t.mprotect(w.anon + 1, P, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP)));
        c.add(new Case("mprotect PROT_GROWSDOWN|PROT_GROWSUP, zero length", Errno.EINVAL,
                w -> w.t.mprotect(w.anon, 0, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP)));
        c.add(new Case("mprotect unaligned", Errno.EINVAL, w -> w.t.mprotect(w.anon + 1, P, PROT_READ)));
        c.add(new Case("mprotect end wraps", Errno.ENOMEM, w -> w.t.mprotect(w.anon, -P, PROT_READ)));
        c.add(new Case("mprotect end wraps before the prot check", Errno.ENOMEM, w -> w.t.mprotect(w.anon, -P, 0x40)));
        c.add(new Case("mprotect unknown prot bit", Errno.EINVAL, w -> w.t.mprotect(w.anon, P, 0x40)));
        c.add(new Case("mprotect unmapped", Errno.ENOMEM, w -> w.t.mprotect(w.hole(), P, PROT_READ)));
        c.add(new Case("mprotect hole at the start", Errno.ENOMEM, w -> w.t.mprotect(w.lowest() - P, 2 * P, PROT_READ)));
        c.add(new Case("mprotect PROT_GROWSUP (no VM_GROWSUP on x86-64)", Errno.EINVAL, w -> w.t.mprotect(w.anon, P, PROT_READ | PROT_GROWSUP)));
        c.add(new Case("mprotect PROT_GROWSUP, hole at the start", Errno.ENOMEM, w -> w.t.mprotect(w.lowest() - P, 2 * P, PROT_READ | PROT_GROWSUP)));
        c.add(new Case("mprotect PROT_GROWSDOWN of a VMA without VM_GROWSDOWN", Errno.EINVAL, w -> w.t.mprotect(w.anon, P, PROT_READ | PROT_GROWSDOWN)));
        c.add(new Case("mprotect PROT_WRITE without VM_MAYWRITE", Errno.EACCES, w -> {
            w.fx.mm.mmapLock().downWrite();
            Vma v;
            try {
                v = w.fx.mm.vmaLookup(w.ro);
                v.setFlags(v.flags() & ~VmFlags.VM_MAYWRITE); // a read-only file's MAP_SHARED VMA
            } finally {
                w.fx.mm.mmapLock().upWrite();
            }
            String before = w.fx.snapshot();
            long r = w.t.mprotect(w.ro, 2 * P, PROT_READ | PROT_WRITE);
            assertEquals(before, w.fx.snapshot(), "EACCES changed the process");
            w.fx.mm.mmapLock().downWrite();
            try {
                v.setFlags(v.flags() | VmFlags.VM_MAYWRITE);
            } finally {
                w.fx.mm.mmapLock().upWrite();
            }
            return r;
        }));
        // ---- madvise: do_madvise, madvise_walk_vmas.
        for (int adv : new int[] {MADV_DONTNEED, MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED}) {
            c.add(new Case("madvise(" + adv + ") unaligned", Errno.EINVAL, w -> w.t.madvise(w.anon + 1, P, adv)));
            c.add(new Case("madvise(" + adv + ") len rounds to 0", Errno.EINVAL, w -> w.t.madvise(w.anon, -1, adv)));
            c.add(new Case("madvise(" + adv + ") start + len wraps", Errno.EINVAL, w -> w.t.madvise(w.anon, -w.anon, adv)));
            c.add(new Case("madvise(" + adv + ") range entirely unmapped", Errno.ENOMEM, w -> w.t.madvise(w.hole(), 2 * P, adv)));
        }
        c.add(new Case("madvise unknown advice", Errno.EINVAL, w -> w.t.madvise(w.anon, P, 9999)));
        c.add(new Case("madvise(MADV_DOFORK) of a VM_SPECIAL area", Errno.EINVAL, w -> w.t.madvise(w.pfnmap, P, MADV_DOFORK)));
        c.add(new Case("madvise(MADV_RANDOM) range entirely unmapped", Errno.ENOMEM, w -> w.t.madvise(w.hole(), P, MADV_RANDOM)));
        c.add(new Case("madvise unknown advice, unaligned: advice first", Errno.EINVAL, w -> w.t.madvise(w.anon + 1, P, 9999)));
        for (int adv : new int[] {MADV_DONTNEED, MADV_COLD, MADV_PAGEOUT}) {
            c.add(new Case("madvise(" + adv + ") of a VM_LOCKED area", Errno.EINVAL, w -> w.t.madvise(w.locked, 4 * P, adv)));
            c.add(new Case("madvise(" + adv + ") of a VM_PFNMAP area", Errno.EINVAL, w -> w.t.madvise(w.pfnmap, P, adv)));
        }
        return c;
    }

    @TestFactory
    Stream<DynamicTest> everyRejectedCallChangesNothing() {
        return cases().stream().map(k -> DynamicTest.dynamicTest(k.name() + " -> -" + Errno.name(k.errno()), () -> {
            World w = new World();
            String before = w.fx.snapshot();
            assertEquals(-k.errno(), k.call().applyAsLong(w), "expected -" + Errno.name(k.errno()));
            assertEquals(before, w.fx.snapshot(), "a rejected call changed the process");
            w.fx.checkInvariants();
        }));
    }

    private final List<MmFixture> used = new ArrayList<>();

    @AfterEach
    void invariants() {
        for (MmFixture f : used) f.checkInvariants();
    }

    private World world() {
        World w = new World();
        used.add(w.fx);
        return w;
    }

    private static void same(MmFixture fx, LongSupplier call, long expected) {
        String before = fx.snapshot();
        assertEquals(expected, call.getAsLong());
        assertEquals(before, fx.snapshot());
    }

    @Test
    void zeroLengthAndEmptyRangesAreNoOps() {
        World w = world();
        same(w.fx, () -> w.t.mprotect(w.anon, 0, 0x40), 0); // !len before arch_validate_prot
        same(w.fx, () -> w.t.madvise(w.anon, 0, MADV_DONTNEED), 0);
        same(w.fx, () -> w.t.madvise(w.locked, 0, MADV_DONTNEED), 0);
        same(w.fx, () -> w.t.munmap(w.hole(), 4 * P), 0); // nothing mapped there
    }

    @Test
    void unknownMmapFlagsAreIgnoredWithLegacyTypes() {
        World w = world();
        long a = w.t.mmap(0, P, PROT_READ, ANON | 0x800000, null, 0);
        assertTrue(a > 0, "MAP_PRIVATE ignores unknown flags: " + a);
        long b = w.t.mmap(0, P, PROT_READ, MAP_SHARED | MAP_SYNC, w.file, 0);
        assertTrue(b > 0, "MAP_SHARED drops non-legacy flags silently: " + b);
    }

    @Test
    void capSysRawioMayMapBelowMmapMinAddr() {
        World w = world();
        w.fx.mm.setCapSysRawio(true);
        assertEquals(P, w.t.mmap(P, P, PROT_READ, ANON | MAP_FIXED, null, 0), "cap_mmap_addr lets root map there");
        assertEquals(0, w.t.touch(P, false));
        long hinted = w.t.mmap(2 * P, P, PROT_READ, ANON, null, 0);
        assertTrue(hinted >= MMAP_MIN_ADDR, "a hint is still raised to mmap_min_addr (round_hint_to_min)");
    }

    @Test
    void unalignedHintIsRoundedDown() {
        World w = world();
        long hint = w.hole() + 0x123;
        assertEquals(hint & ~0xfffL, w.t.mmap(hint, P, PROT_READ, ANON, null, 0));
        long low = w.t.mmap(P, P, PROT_READ, ANON, null, 0);
        assertTrue(low >= MMAP_MIN_ADDR, "a hint below mmap_min_addr is raised to it (or ignored)");
    }

    @Test
    void protGrowsdownExtendsToTheStartOfAGrowsdownVma() {
        World w = world();
        assertEquals(0, w.t.mprotect(w.stack + P, P, PROT_READ | PROT_GROWSDOWN));
        w.fx.mm.mmapLock().downRead();
        try {
            Vma v = w.fx.mm.vmaLookup(w.stack);
            assertEquals(w.stack, v.start());
            assertEquals(w.stack + 2 * P, v.end(), "[vma start, end) changed as one piece");
            assertEquals(0, v.flags() & VmFlags.VM_WRITE);
        } finally {
            w.fx.mm.mmapLock().upRead();
        }
    }

    @Test
    void mprotectStopsAtAHoleAfterChangingWhatCameBefore() {
        World w = world();
        assertEquals(0, w.t.munmap(w.anon + 6 * P, P));
        assertEquals(-Errno.ENOMEM, w.t.mprotect(w.anon + 4 * P, 4 * P, PROT_READ));
        w.fx.mm.mmapLock().downRead();
        try {
            assertEquals(0, w.fx.mm.vmaLookup(w.anon + 4 * P).flags() & VmFlags.VM_WRITE, "pages before the hole changed");
            assertTrue((w.fx.mm.vmaLookup(w.anon + 7 * P).flags() & VmFlags.VM_WRITE) != 0, "pages after the hole did not");
        } finally {
            w.fx.mm.mmapLock().upRead();
        }
    }

    @Test
    void madviseDontneedVisitsEveryVmaAndReportsTheHoleAfterwards() {
        World w = world();
        assertEquals(0, w.t.munmap(w.anon + 4 * P, P));
        // madvise_walk_vmas: the hole is remembered, both sides are zapped, -ENOMEM at the end.
        assertEquals(-Errno.ENOMEM, w.t.madvise(w.anon + 2 * P, 4 * P, MADV_DONTNEED));
        assertEquals(-1, w.t.kpageflags(w.anon + 3 * P));
        assertEquals(-1, w.t.kpageflags(w.anon + 5 * P));
        assertTrue(w.t.kpageflags(w.anon + P) >= 0);
    }

    @Test
    void madviseDontneedStopsAtALockedVmaAfterZappingTheOnesBefore() {
        MmFixture fx = new MmFixture();
        used.add(fx);
        long l = fx.task.mmap(0, 2 * P, PROT_NONE, ANON | MAP_LOCKED, null, 0); // VM_LOCKED, nothing faulted
        long u = fx.mmapAnon(2, PROT_READ); // placed directly below, different flags
        assertEquals(l - 2 * P, u);
        assertEquals(0, fx.task.touch(u, false));
        // [u, u+2P) unlocked then [l, ...) locked: the unlocked part is zapped, then -EINVAL.
        assertEquals(-Errno.EINVAL, fx.task.madvise(u, 4 * P, MADV_DONTNEED));
        assertEquals(-1, fx.task.kpageflags(u));
        assertEquals(2, fx.mm.lockedVm(), "the locked area is still locked");
    }
}
