package io.github.foliolab.mm;

import io.github.foliolab.folio.api.VmFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VMA splitting and merging through mprotect: middles, ends, whole areas, across two VMAs. */
class VmaSplitMergeTest {
    static final long P = PAGE_SIZE;
    /** A private writable mapping is accountable: VM_ACCOUNT (accountable_mapping). */
    static final long RW = VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC
            | VmFlags.VM_ACCOUNT;
    static final long RO = VmFlags.VM_READ | VmFlags.VM_MAYREAD | VmFlags.VM_MAYWRITE | VmFlags.VM_MAYEXEC;

    private final List<MmFixture> used = new java.util.ArrayList<>();

    private MmFixture fixture() {
        MmFixture fx = new MmFixture();
        used.add(fx);
        return fx;
    }

    @org.junit.jupiter.api.AfterEach
    void invariants() {
        for (MmFixture fx : used) fx.checkInvariants();
    }

    /** mprotect(r) of pages [from, from+n) of an 8-page area: the resulting VMA layout (pages, flags). */
    @ParameterizedTest(name = "mprotect [{0},+{1}) -> {2}")
    @CsvSource({
        "0, 8, 'R8'",
        "0, 3, 'R3 W5'",
        "5, 3, 'W5 R3'",
        "2, 3, 'W2 R3 W3'",
        "7, 1, 'W7 R1'",
    })
    void mprotectSplits(long from, long n, String layout) {
        MmFixture fx = fixture();
        long a = fx.mmapAnon(8, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.mprotect(a + from * P, n * P, PROT_READ));
        assertEquals(layout, describe(fx, a));
        // Back to rw: everything merges into one VMA again with the original pgoff.
        assertEquals(0, fx.task.mprotect(a + from * P, n * P, PROT_READ | PROT_WRITE));
        assertEquals("W8", describe(fx, a));
        assertEquals(List.of(List.of(a, a + 8 * P, RW, a >>> 12)), fx.vmaTable());
        fx.checkInvariants();
    }

    static String describe(MmFixture fx, long base) {
        StringBuilder sb = new StringBuilder();
        for (Vma v : fx.mm.vmasSnapshot()) {
            if (v.end() <= base) continue;
            if (!sb.isEmpty()) sb.append(' ');
            sb.append((v.flags() & VmFlags.VM_WRITE) != 0 ? 'W' : 'R').append(v.pages());
            assertEquals(v.pgoff(), v.start() >>> 12, "anon pgoff follows the address");
        }
        return sb.toString();
    }

    @Test
    void acrossTwoVmasMergesWithBoth() {
        MmFixture fx = fixture();
        long a = fx.mmapAnon(9, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.mprotect(a + 3 * P, 3 * P, PROT_READ));
        assertEquals("W3 R3 W3", describe(fx, a));
        // A range covering the tail of the first VMA and the head of the read-only one.
        assertEquals(0, fx.task.mprotect(a + 2 * P, 2 * P, PROT_READ));
        assertEquals("W2 R4 W3", describe(fx, a));
        // Now make the whole read-only part and its neighbours writable: one VMA.
        assertEquals(0, fx.task.mprotect(a + P, 7 * P, PROT_READ | PROT_WRITE));
        assertEquals("W9", describe(fx, a));
    }

    @Test
    void adjacentMappingsMergeAtMmap() {
        MmFixture fx = fixture();
        long a = fx.mmapAnon(4, PROT_READ | PROT_WRITE);
        long b = fx.mmapAnon(2, PROT_READ | PROT_WRITE);
        assertEquals(a - 2 * P, b, "top-down placement directly below the previous mapping");
        assertEquals(1, fx.mm.vmasSnapshot().size(), "compatible anonymous neighbours merge");
        long c = fx.mmapAnon(2, PROT_READ);
        assertEquals(b - 2 * P, c);
        assertEquals(2, fx.mm.vmasSnapshot().size(), "different protections do not merge");
        AddressSpace f = Mm.of(fx.machine).newShmemFile("f", 2);
        fx.mmapFile(f, 2, PROT_READ, true);
        fx.mmapShmem(2, PROT_READ);
        assertEquals(4, fx.mm.vmasSnapshot().size(), "file and shmem mappings do not merge with anon");
        assertEquals(12, fx.mm.totalVm());
    }

    @Test
    void munmapPartialRanges() {
        MmFixture fx = fixture();
        long a = fx.mmapAnon(8, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.munmap(a + 2 * P, 2 * P));
        assertEquals("W2 W4", describe(fx, a));
        assertEquals(0, fx.task.munmap(a, P));
        assertEquals(0, fx.task.munmap(a + 7 * P, P));
        assertEquals(List.of(List.of(a + P, a + 2 * P, RW, (a >>> 12) + 1),
                List.of(a + 4 * P, a + 7 * P, RW, (a >>> 12) + 4)), fx.vmaTable());
        assertEquals(4, fx.mm.totalVm());
        // Unmapping a range with nothing in it succeeds and changes nothing.
        String before = fx.snapshot();
        assertEquals(0, fx.task.munmap(a + 2 * P, 2 * P));
        assertEquals(before, fx.snapshot());
    }

    @Test
    void vmAccountFollowsMprotectAndTakesPartInMerging() {
        MmFixture fx = fixture();
        long a = fx.mmapAnon(4, PROT_READ | PROT_WRITE);
        // Untouched (no anon_vma): making part of it read-only drops the charge, and it merges back.
        assertEquals(0, fx.task.mprotect(a, 2 * P, PROT_READ));
        assertEquals(List.of(List.of(a, a + 2 * P, RO, a >>> 12), List.of(a + 2 * P, a + 4 * P, RW, (a >>> 12) + 2)),
                fx.vmaTable());
        assertEquals(0, fx.task.mprotect(a, 2 * P, PROT_READ | PROT_WRITE));
        assertEquals(List.of(List.of(a, a + 4 * P, RW, a >>> 12)), fx.vmaTable());
        // Touched (anon_vma assigned): read-only keeps VM_ACCOUNT ...
        assertEquals(0, fx.task.touch(a, true));
        assertEquals(0, fx.task.mprotect(a, 4 * P, PROT_READ));
        assertEquals(List.of(List.of(a, a + 4 * P, RO | VmFlags.VM_ACCOUNT, a >>> 12)), fx.vmaTable());
        // ... so a fresh read-only mapping right below does not merge with it (is_mergeable_vma).
        long b = fx.mmapAnon(2, PROT_READ);
        assertEquals(a - 2 * P, b);
        assertEquals(2, fx.mm.vmasSnapshot().size());
        // Shared and read-only private mappings are never charged.
        long s = fx.mmapShmem(1, PROT_READ | PROT_WRITE);
        fx.mm.mmapLock().downRead();
        try {
            assertEquals(0, fx.mm.vmaLookup(s).flags() & VmFlags.VM_ACCOUNT);
            assertEquals(0, fx.mm.vmaLookup(b).flags() & VmFlags.VM_ACCOUNT);
        } finally {
            fx.mm.mmapLock().upRead();
        }
        long n = fx.task.mmap(0, P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, null, 0);
        fx.mm.mmapLock().downRead();
        try {
            assertEquals(VmFlags.VM_NORESERVE, fx.mm.vmaLookup(n).flags() & (VmFlags.VM_ACCOUNT | VmFlags.VM_NORESERVE));
        } finally {
            fx.mm.mmapLock().upRead();
        }
    }

    @Test
    void munmapOfPartialRangesFreesExactlyTheirFolios() {
        MmFixture fx = fixture();
        long a = fx.mmapAnon(8, PROT_READ | PROT_WRITE);
        for (int i = 0; i < 8; i++) assertEquals(0, fx.task.touch(a + i * P, true));
        fx.machine.cpu(0).run(() -> io.github.foliolab.lru.Swap.of(fx.machine).lruAddDrain());
        long free0 = fx.machine.node().freePages();
        // The middle, then both ends, then a range spanning the hole and the rest.
        assertEquals(0, fx.task.munmap(a + 3 * P, 2 * P));
        assertEquals(free0 + 2, fx.machine.node().freePages());
        assertEquals(0, fx.task.munmap(a, P));
        assertEquals(0, fx.task.munmap(a + 7 * P, P));
        assertEquals(free0 + 4, fx.machine.node().freePages());
        assertEquals("W2 W2", describe(fx, a));
        assertEquals(0, fx.task.munmap(a + 2 * P, 4 * P)); // [2,3) and [5,6) around the hole [3,5)
        assertEquals(List.of(List.of(a + P, a + 2 * P, RW, (a >>> 12) + 1), List.of(a + 6 * P, a + 7 * P, RW, (a >>> 12) + 6)),
                fx.vmaTable());
        assertEquals(free0 + 6, fx.machine.node().freePages());
        assertEquals(2, fx.mm.totalVm());
        for (int i : new int[] {0, 2, 3, 4, 5, 7}) assertEquals(-1, fx.task.kpageflags(a + i * P));
        assertTrue(fx.task.kpageflags(a + P) >= 0 && fx.task.kpageflags(a + 6 * P) >= 0);
    }

    @Test
    void madviseFlagAdvicesSplitAndMergeLikeMprotect() {
        MmFixture fx = fixture();
        long a = fx.mmapAnon(8, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.madvise(a + 2 * P, 3 * P, MADV_RANDOM));
        assertEquals(List.of(List.of(a, a + 2 * P, RW, a >>> 12),
                List.of(a + 2 * P, a + 5 * P, RW | VmFlags.VM_RAND_READ, (a >>> 12) + 2),
                List.of(a + 5 * P, a + 8 * P, RW, (a >>> 12) + 5)), fx.vmaTable());
        assertEquals(0, fx.task.madvise(a + 3 * P, P, MADV_SEQUENTIAL));
        assertEquals(5, fx.vmaTable().size(), "a different advice in the middle of a VMA splits it in three");
        assertEquals(0, fx.task.madvise(a, 8 * P, MADV_NORMAL));
        assertEquals(List.of(List.of(a, a + 8 * P, RW, a >>> 12)), fx.vmaTable(), "MADV_NORMAL merges everything back");
        // Advice that changes nothing does not split.
        assertEquals(0, fx.task.madvise(a + P, P, MADV_DOFORK));
        assertEquals(1, fx.vmaTable().size());
        assertEquals(0, fx.task.madvise(a, 8 * P, MADV_DONTFORK));
        assertEquals(0, fx.task.madvise(a, 4 * P, MADV_NOHUGEPAGE));
        assertEquals(List.of(List.of(a, a + 4 * P, RW | VmFlags.VM_DONTCOPY | VmFlags.VM_NOHUGEPAGE, a >>> 12),
                List.of(a + 4 * P, a + 8 * P, RW | VmFlags.VM_DONTCOPY, (a >>> 12) + 4)), fx.vmaTable());
        assertEquals(0, fx.task.madvise(a, 4 * P, MADV_HUGEPAGE));
        assertEquals(RW | VmFlags.VM_DONTCOPY | VmFlags.VM_HUGEPAGE, fx.vmaTable().get(0).get(2));
        // A hole: the VMAs around it are changed, then -ENOMEM.
        assertEquals(0, fx.task.munmap(a + 6 * P, P));
        assertEquals(-Errno.ENOMEM, fx.task.madvise(a + 5 * P, 3 * P, MADV_DOFORK));
        assertEquals(RW, fx.vmaTable().get(fx.vmaTable().size() - 1).get(2), "the VMA after the hole was changed too");
    }

    @Test
    void placementFallsBackToBottomUpWhenNothingFitsBelowMmapBase() {
        MmFixture fx = fixture();
        long below = fx.mm.mmapBase() - MMAP_MIN_ADDR;
        long a = fx.task.mmap(0, below, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, null, 0);
        assertEquals(MMAP_MIN_ADDR, a, "the whole gap below mmap_base, top-down");
        long b = fx.mmapAnon(1, PROT_READ | PROT_WRITE);
        assertEquals(fx.mm.mmapBase(), b, "arch_get_unmapped_area_topdown falls back to the bottom-up search");
        long c = fx.task.mmap(0, MmStruct.TASK_SIZE - fx.mm.mmapBase(), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        assertEquals(-Errno.ENOMEM, c, "no gap left anywhere");
    }
}
