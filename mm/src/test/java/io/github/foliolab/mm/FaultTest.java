package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.lru.Swap;
import org.junit.jupiter.api.AfterEach;
import io.github.foliolab.folio.api.VmFlags;
import org.junit.jupiter.api.Test;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fault kinds of handle_mm_fault and what they leave in PTEs, folios and counters. */
class FaultTest {
    static final long P = PAGE_SIZE;
    final MmFixture fx = new MmFixture();

    @AfterEach
    void invariants() {
        fx.checkInvariants();
    }

    void drain() {
        fx.machine.cpu(0).run(() -> Swap.of(fx.machine).lruAddDrain());
    }

    @Test
    void anonReadMapsTheZeroPage() {
        long a = fx.mmapAnon(2, PROT_READ | PROT_WRITE);
        int zeroRef = fx.machine.node().zeroFolio().refCount();
        assertEquals(0, fx.task.touch(a, false));
        long pte = fx.pte(a);
        assertTrue(Pte.present(pte) && Pte.special(pte) && !Pte.write(pte));
        assertEquals(fx.machine.node().zeroPfn(), Pte.pfn(pte));
        assertEquals(zeroRef, fx.machine.node().zeroFolio().refCount(), "the zero page takes no reference");
        assertTrue((fx.task.kpageflags(a) & (1L << KPageFlags.KPF_ZERO_PAGE)) != 0);
        assertEquals(-1, fx.task.kpageflags(a + P));
        assertEquals(0, fx.machine.vmstat().node(NodeStatItem.NR_ANON_MAPPED));
    }

    @Test
    void anonWriteAllocatesAndQueuesForTheLru() {
        long a = fx.mmapAnon(1, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.touch(a, true));
        Folio f = fx.folioAt(a);
        assertTrue(f.isAnon() && f.testSwapbacked());
        assertEquals(1, f.mapcount());
        assertEquals(2, f.refCount(), "the PTE's reference and the lru_add batch's");
        assertFalse(f.testLru(), "still in the per-CPU batch");
        assertTrue(Pte.write(fx.pte(a)) && Pte.dirty(fx.pte(a)));
        drain();
        assertTrue(f.testLru());
        assertEquals(1, f.refCount());
        assertEquals(1, fx.machine.vmstat().node(NodeStatItem.NR_ANON_MAPPED));
    }

    @Test
    void writeAfterReadCopiesTheZeroPage() {
        long a = fx.mmapAnon(1, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.touch(a, false));
        assertEquals(0, fx.task.touch(a, true));
        long pte = fx.pte(a);
        assertFalse(Pte.special(pte));
        assertNotEquals(fx.machine.node().zeroPfn(), Pte.pfn(pte));
        assertEquals(1, fx.folioAt(a).mapcount());
    }

    @Test
    void writeToAnExclusiveReadOnlyPageReusesIt() {
        long a = fx.mmapAnon(1, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.touch(a, true));
        long pfn = Pte.pfn(fx.pte(a));
        assertEquals(0, fx.task.mprotect(a, P, PROT_READ));
        assertFalse(Pte.write(fx.pte(a)));
        assertEquals(Task.SIGSEGV, fx.task.touch(a, true));
        assertEquals(0, fx.task.mprotect(a, P, PROT_READ | PROT_WRITE));
        assertEquals(0, fx.task.touch(a, true));
        assertEquals(pfn, Pte.pfn(fx.pte(a)), "do_wp_page reused the exclusive anon page");
        assertTrue(Pte.write(fx.pte(a)));
    }

    @Test
    void shmemReadAndWriteShareThePageCacheFolio() {
        long a = fx.mmapShmem(2, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.touch(a, false));
        Folio f = fx.folioAt(a);
        assertFalse(f.isAnon());
        assertTrue(f.testSwapbacked(), "shmem folios are swap-backed (anon LRU)");
        assertEquals(3, f.refCount(), "page cache + PTE + lru_add batch");
        assertEquals(0, fx.task.touch(a, true));
        assertEquals(f.pfn(), Pte.pfn(fx.pte(a)), "a shared write fault does not copy");
        assertTrue(Pte.dirty(fx.pte(a)), "the write went through the writable shared PTE (hardware dirty bit)");
        assertEquals(1, fx.machine.vmstat().node(NodeStatItem.NR_SHMEM));
        assertEquals(1, fx.machine.vmstat().node(NodeStatItem.NR_FILE_MAPPED));
        drain();
        assertEquals(2, f.refCount());
        // Unmapping the only mapping releases the anonymous shmem file: truncation frees the folio.
        assertEquals(0, fx.task.munmap(a, 2 * P));
        assertEquals(0, fx.machine.vmstat().node(NodeStatItem.NR_SHMEM));
        assertEquals(0, fx.machine.vmstat().node(NodeStatItem.NR_FILE_MAPPED));
    }

    @Test
    void privateFileReadThenWriteCopiesOnWrite() {
        AddressSpace file = Mm.of(fx.machine).newShmemFile("f", 2);
        long a = fx.mmapFile(file, 2, PROT_READ | PROT_WRITE, false);
        assertEquals(0, fx.task.touch(a, false));
        Folio cache = fx.folioAt(a);
        assertFalse(cache.isAnon());
        assertFalse(Pte.write(fx.pte(a)), "private file mappings map the page cache read-only");
        assertEquals(0, fx.task.touch(a, true));
        Folio copy = fx.folioAt(a);
        assertNotEquals(cache.pfn(), copy.pfn());
        assertTrue(copy.isAnon());
        assertEquals(0, cache.mapcount());
        assertEquals(cache.pfn(), file.lookup(0), "the page-cache folio stays cached");
        // A write fault on a hole: do_cow_fault reads the file page into the cache and copies it.
        assertEquals(0, fx.task.touch(a + P, true));
        assertTrue(fx.folioAt(a + P).isAnon());
        assertTrue(file.lookup(1) >= 0);
        assertEquals(0, fx.machine.vmstat().node(NodeStatItem.NR_FILE_MAPPED));
        assertEquals(2, fx.machine.vmstat().node(NodeStatItem.NR_ANON_MAPPED));
    }

    @Test
    void segvOnProtNoneUnmappedAndReadOnly() {
        long a = fx.mmapAnon(3, PROT_READ | PROT_WRITE);
        assertEquals(0, fx.task.mprotect(a + P, P, PROT_NONE));
        assertEquals(Task.SIGSEGV, fx.task.touch(a + P, false));
        assertEquals(Task.SIGSEGV, fx.task.touch(a - 16 * P, false));
        assertEquals(0, fx.task.mprotect(a + 2 * P, P, PROT_READ));
        assertEquals(Task.SIGSEGV, fx.task.touch(a + 2 * P, true));
        assertEquals(-1, fx.task.kpageflags(a + 2 * P));
        assertEquals(0, fx.task.touch(a + 2 * P, false));
    }

    @Test
    void munmapFreesAnonFolios() {
        long free0 = fx.machine.node().freePages();
        long a = fx.mmapAnon(8, PROT_READ | PROT_WRITE);
        for (int i = 0; i < 8; i++) assertEquals(0, fx.task.touch(a + i * P, true));
        drain();
        long used = free0 - fx.machine.node().freePages();
        assertTrue(used >= 8);
        assertEquals(0, fx.task.munmap(a + 2 * P, 4 * P));
        assertEquals(-1, fx.task.kpageflags(a + 3 * P));
        assertTrue(fx.task.kpageflags(a + 7 * P) >= 0);
        assertEquals(used - 4, free0 - fx.machine.node().freePages(), "four folios back in the buddy allocator");
        assertEquals(4, fx.machine.vmstat().node(NodeStatItem.NR_ANON_MAPPED));
    }

    @Test
    void madviseDontneedZapsAndColdDeactivates() {
        long a = fx.mmapAnon(4, PROT_READ | PROT_WRITE);
        for (int i = 0; i < 4; i++) assertEquals(0, fx.task.touch(a + i * P, true));
        assertEquals(0, fx.task.madvise(a, 2 * P, MADV_DONTNEED));
        assertEquals(-1, fx.task.kpageflags(a));
        assertEquals(0, fx.task.madvise(a + 2 * P, 2 * P, MADV_COLD));
        long kpf = fx.task.kpageflags(a + 2 * P);
        assertTrue((kpf & (1L << KPageFlags.KPF_LRU)) != 0, "MADV_COLD drained the batch first");
        assertEquals(0, kpf & (1L << KPageFlags.KPF_ACTIVE));
    }

    @Test
    void deviceMappingsAreSpecial() {
        long ioMap = fx.task.mmapSpecial(2 * P, PROT_READ | PROT_WRITE, VmFlags.VM_IO
                | VmFlags.VM_DONTEXPAND);
        long pfn = fx.task.mmapSpecial(2 * P, PROT_READ, VmFlags.VM_PFNMAP
                | VmFlags.VM_IO);
        assertTrue(ioMap > 0 && pfn > 0);
        assertEquals(Task.SIGBUS, fx.task.touch(ioMap, false), "no ->fault: SIGBUS");
        assertEquals(-Errno.EINVAL, fx.task.madvise(pfn, P, MADV_DONTNEED), "VM_PFNMAP refuses DONTNEED");
        assertEquals(-Errno.EINVAL, fx.task.madvise(pfn, P, MADV_COLD));
        assertEquals(0, fx.task.madvise(ioMap, P, MADV_DONTNEED), "VM_IO alone is allowed");
        assertEquals(-Errno.EINVAL, fx.task.mmapSpecial(P, PROT_READ, VmFlags.VM_LOCKED));
    }

    /** Found by the syscall fuzzer: a file fault past EOF allocated a PTE table that stayed behind. */
    @Test
    void sigbusPastTheEndOfAFileLeavesNoPageTable() {
        AddressSpace file = Mm.of(fx.machine).newShmemFile("f", 1);
        long a = fx.task.mmap(0, 2 * P, PROT_READ | PROT_WRITE, MAP_SHARED, file, P); // page 1: past EOF
        assertTrue(a > 0);
        long tables = fx.machine.vmstat().node(NodeStatItem.NR_PAGETABLE);
        String before = fx.snapshot();
        assertEquals(Task.SIGBUS, fx.task.touch(a, false));
        assertEquals(Task.SIGBUS, fx.task.touch(a, true));
        assertEquals(null, fx.mm.pageTables().lookup(a), "no PTE table left by the failed fault");
        assertEquals(tables, fx.machine.vmstat().node(NodeStatItem.NR_PAGETABLE));
        assertEquals(before.replace("pgfault 0,", "pgfault 2,"), fx.snapshot(), "only pgfault counts the two faults");
    }

    @Test
    void munmapDoesNotDrainTheLruBatches() {
        long a = fx.mmapAnon(4, PROT_READ | PROT_WRITE);
        for (int i = 0; i < 4; i++) assertEquals(0, fx.task.touch(a + i * P, true));
        Folio f = fx.folioAt(a);
        long free0 = fx.machine.node().freePages();
        assertEquals(0, fx.task.munmap(a, 4 * P));
        // 7.2's unmap path (tlb_finish_mmu -> folios_put_refs) drops only the PTE references: the
        // folios wait in this CPU's lru_add batch, which munmap does not drain (6.12's did).
        assertEquals(free0, fx.machine.node().freePages(), "nothing freed yet");
        assertEquals(1, MmInvariants.lruBatchRefs(Swap.of(fx.machine), f));
        assertEquals(1, f.refCount(), "only the batch's reference is left");
        drain();
        assertEquals(free0 + 4, fx.machine.node().freePages(), "the drain released the last references");
    }
}
