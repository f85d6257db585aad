package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.lru.RmapOps;
import io.github.foliolab.mm.AnonVma;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.RmapWalk;
import io.github.foliolab.mm.Task;
import io.github.foliolab.mm.Vma;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.github.foliolab.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fork() and exit(): dup_mmap, anon_vma chains, copy-on-write between the processes, exit_mmap. */
class ForkTest {
    static final long P = PAGE_SIZE;
    final MlockFixture fx = new MlockFixture();

    @AfterEach
    void invariants() {
        fx.checkInvariants(); // counts the PTEs of every live process
    }

    private static long pte(Task t, long addr) {
        return t.mm().pageTables().peek(addr);
    }

    private Folio folio(Task t, long addr) {
        long pte = pte(t, addr);
        assertTrue(Pte.present(pte), "no page at 0x" + Long.toHexString(addr));
        return fx.machine.memMap().folio(Pte.pfn(pte));
    }

    private static Vma vma(Task t, long addr) {
        for (Vma v : t.mm().vmasSnapshot()) if (v.start() <= addr && addr < v.end()) return v;
        return null;
    }

    private long vmstat(String name) {
        return fx.machine.vmstatSum(name);
    }

    @Test
    void dupMmapClearsLockFlagsAndDefFlagsAndKeepsTheRest() {
        long locked = fx.task.mmap(0, 2 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, null, 0);
        long onfault = fx.anon(2);
        assertEquals(0, fx.task.mlock2(onfault, 2 * P, MLOCK_ONFAULT));
        assertEquals(0, fx.task.mlockall(MCL_FUTURE));
        long parentLockedVm = fx.mm.lockedVm();
        Task child = fx.task.fork();
        MmStruct cm = child.mm();
        assertEquals(0, cm.defFlags(), "mlockall(MCL_FUTURE) is not inherited");
        assertEquals(0, cm.lockedVm(), "locked_vm starts at 0");
        assertEquals(fx.mm.totalVm(), cm.totalVm());
        assertEquals(parentLockedVm, fx.mm.lockedVm(), "the parent keeps its locks");
        assertEquals(VmFlags.VM_LOCKED, fx.mm.defFlags());
        List<Vma> pv = fx.mm.vmasSnapshot();
        List<Vma> cv = cm.vmasSnapshot();
        assertEquals(pv.size(), cv.size());
        for (int i = 0; i < pv.size(); i++) {
            assertEquals(pv.get(i).start(), cv.get(i).start());
            assertEquals(pv.get(i).end(), cv.get(i).end());
            assertEquals(pv.get(i).flags() & ~VmFlags.VM_LOCKED_MASK, cv.get(i).flags());
        }
        assertTrue((vma(fx.task, locked).flags() & VmFlags.VM_LOCKED) != 0);
        assertEquals(0, vma(child, locked).flags() & VmFlags.VM_LOCKED_MASK);
        assertEquals(0, vma(child, onfault).flags() & VmFlags.VM_LOCKED_MASK);
        // A new mapping of the child is not locked (def_flags cleared); the parent's is.
        long cn = child.mmap(0, P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
        assertEquals(0, vma(child, cn).flags() & VmFlags.VM_LOCKED_MASK);
        child.exit();
    }

    @Test
    void dontforkRangeIsAbsentAndWipeonforkRangeIsEmptyInTheChild() {
        long a = fx.anon(3);
        for (int i = 0; i < 3; i++) assertEquals(0, fx.task.touch(a + i * P, true));
        assertEquals(0, fx.task.madvise(a, P, MADV_DONTFORK));
        assertEquals(0, fx.task.madvise(a + 2 * P, P, MADV_WIPEONFORK));
        long totalBefore = fx.mm.totalVm();
        Task child = fx.task.fork();
        assertNull(vma(child, a), "VM_DONTCOPY: not copied");
        assertEquals(totalBefore - 1, child.mm().totalVm());
        assertTrue(Pte.present(pte(child, a + P)), "the plain page is shared");
        Vma wiped = vma(child, a + 2 * P);
        assertTrue((wiped.flags() & VmFlags.VM_WIPEONFORK) != 0, "VM_WIPEONFORK stays set in the child");
        assertNull(wiped.anonVma());
        assertFalse(Pte.present(pte(child, a + 2 * P)), "VM_WIPEONFORK: the child starts empty");
        assertEquals(1, folio(fx.task, a + 2 * P).mapcount());
        assertEquals(2, folio(fx.task, a + P).mapcount());
        // A wiped page reads as a fresh zero page in the child.
        assertEquals(0, child.touch(a + 2 * P, false));
        assertTrue(fx.machine.memMap().isZeroFolio(Pte.pfn(pte(child, a + 2 * P))));
        child.exit();
    }

    @Test
    void madviseWipeonforkRefusesFileAndSharedMappings() {
        long s = fx.task.mmap(0, P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, null, 0);
        String before = fx.snapshot();
        assertEquals(-io.github.foliolab.mm.Errno.EINVAL, fx.task.madvise(s, P, MADV_WIPEONFORK));
        assertEquals(before, fx.snapshot(), "a rejected madvise changes nothing");
        assertEquals(0, fx.task.madvise(s, P, MADV_KEEPONFORK));
    }

    @Test
    void forkSharesAnonFoliosWriteProtectedAndNotExclusive() {
        long a = fx.anon(2);
        assertEquals(0, fx.task.touch(a, true));
        assertEquals(0, fx.task.touch(a + P, false)); // the zero page
        fx.drain();
        Folio f = folio(fx.task, a);
        assertTrue(f.test(PageFlags.PG_anon_exclusive));
        assertEquals(1, f.refCount());
        Task child = fx.task.fork();
        assertEquals(f.pfn(), Pte.pfn(pte(child, a)));
        assertEquals(2, f.mapcount());
        assertEquals(2, f.refCount());
        assertFalse(f.test(PageFlags.PG_anon_exclusive), "folio_try_dup_anon_rmap_pte clears PG_anon_exclusive");
        assertFalse(Pte.write(pte(fx.task, a)), "the parent's PTE is write-protected");
        assertFalse(Pte.write(pte(child, a)));
        assertFalse(Pte.young(pte(child, a)), "the child's PTE is old");
        assertTrue(Pte.special(pte(child, a + P)), "the zero page is copied as a special PTE");
        child.exit();
        assertEquals(1, f.mapcount());
        assertEquals(1, f.refCount());
    }

    @Test
    void cowChildWritesCopyThenParentReuses() {
        long a = fx.anon(1);
        assertEquals(0, fx.task.touch(a, true));
        fx.drain();
        Folio old = folio(fx.task, a);
        Task child = fx.task.fork();
        AnonVma childAv = vma(child, a).anonVma();
        assertEquals(0, child.touch(a, true));
        Folio copy = folio(child, a);
        assertNotEquals(old.pfn(), copy.pfn(), "the child's write copies");
        assertEquals(childAv.mappingWord(), copy.mapping(), "the copy belongs to the child's own anon_vma");
        assertTrue(copy.test(PageFlags.PG_anon_exclusive));
        assertEquals(1, old.mapcount());
        assertEquals(1, old.refCount());
        long reuse = vmstat("pgreuse");
        assertEquals(0, fx.task.touch(a, true));
        assertEquals(old.pfn(), Pte.pfn(pte(fx.task, a)), "the parent, alone now, reuses its folio");
        assertEquals(reuse + 1, vmstat("pgreuse"));
        assertTrue(old.test(PageFlags.PG_anon_exclusive));
        assertTrue(Pte.write(pte(fx.task, a)));
        child.exit();
    }

    @Test
    void cowParentWritesCopyThenChildReusesAndTheFolioMovesToTheChildsAnonVma() {
        long a = fx.anon(1);
        assertEquals(0, fx.task.touch(a, true));
        fx.drain();
        Folio old = folio(fx.task, a);
        Task child = fx.task.fork();
        assertEquals(0, fx.task.touch(a, true));
        assertNotEquals(old.pfn(), Pte.pfn(pte(fx.task, a)), "the parent's write copies");
        assertEquals(vma(fx.task, a).anonVma().mappingWord(), old.mapping(), "still the parent's anon_vma");
        assertEquals(0, child.touch(a, true));
        assertEquals(old.pfn(), Pte.pfn(pte(child, a)), "the child reuses the original");
        assertEquals(vma(child, a).anonVma().mappingWord(), old.mapping(), "folio_move_anon_rmap");
        child.exit();
    }

    @Test
    void reuseDrainsTheLruBatchWhenTheFolioIsNotOnTheLru() {
        long a = fx.anon(1);
        assertEquals(0, fx.task.touch(a, true)); // in CPU 0's LRU-add batch, not PG_lru
        Task child = fx.task.fork();
        child.exit();
        Folio f = folio(fx.task, a);
        assertFalse(f.testLru());
        assertEquals(2, f.refCount(), "the PTE and the batch");
        assertFalse(f.test(PageFlags.PG_anon_exclusive));
        assertEquals(0, fx.task.touch(a, true));
        assertEquals(f.pfn(), Pte.pfn(pte(fx.task, a)), "lru_add_drain() dropped the batch's reference: reuse");
        assertTrue(f.testLru());
    }

    @Test
    void writeToALockedVmaAfterForkCopiesIntoAnMlockedFolioAndMunlocksTheOld() {
        long a = fx.task.mmap(0, P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, null, 0);
        fx.drain();
        Folio old = folio(fx.task, a);
        assertEquals("MUL", fx.token(a));
        Task child = fx.task.fork();
        assertEquals("MUL", fx.token(a), "the child's unlocked mapping leaves the mlock alone");
        assertEquals(0, fx.task.touch(a, true));
        Folio copy = folio(fx.task, a);
        assertNotEquals(old.pfn(), copy.pfn());
        assertTrue(copy.test(PageFlags.PG_mlocked), "mlock_new_folio: the copy in a locked VMA is mlocked");
        fx.drain();
        assertEquals("MUL", fx.token(a));
        assertFalse(old.test(PageFlags.PG_mlocked), "removing the locked mapping munlocked the original");
        assertEquals(1, vmstat("nr_mlock"));
        child.exit();
    }

    @Test
    void exitTearsDownTheChildAndMunlocksWhatItsLockedVmaMapped() {
        long s = fx.task.mmap(0, 2 * P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, null, 0);
        fx.drain();
        Task child = fx.task.fork();
        assertEquals(0, child.mlock(s, 2 * P));
        assertEquals(2 * 4, child.vmLckKb());
        fx.drain();
        assertEquals("MUL MUL", fx.tokens(s, 2), "the child's mlock shows in the parent's page flags");
        long tables = vmstat("nr_page_table_pages");
        long munlocked = vmstat("unevictable_pgs_munlocked");
        child.exit();
        assertTrue(child.mm().vmasSnapshot().isEmpty());
        assertEquals(0, child.mm().lockedVm());
        assertFalse(Mm.of(fx.machine).liveMms().contains(child.mm()));
        assertTrue(vmstat("nr_page_table_pages") < tables, "free_pgtables");
        assertEquals(munlocked, vmstat("unevictable_pgs_munlocked"), "munlock_vma_folio only queued them");
        fx.drain();
        assertEquals(munlocked + 2, vmstat("unevictable_pgs_munlocked"));
        assertEquals("L L", fx.tokens(s, 2));
        assertEquals(1, folio(fx.task, s).mapcount());
        assertThrows(IllegalStateException.class, child::exit);
    }

    @Test
    void exitOfTheLastMapperReleasesAnAnonymousSharedFile() {
        long s = fx.task.mmap(0, P, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, null, 0);
        fx.drain();
        Folio f = folio(fx.task, s);
        Task child = fx.task.fork();
        assertFalse(Pte.present(pte(child, s)), "a shared mapping without anon_vma is not copied: it faults in");
        assertEquals(0, child.touch(s, false));
        assertEquals(0, fx.task.munmap(s, P));
        assertEquals(f.pfn(), Pte.pfn(pte(child, s)), "the child still maps the shared page");
        assertTrue(f.refCount() > 0);
        child.exit();
        assertEquals(0, f.refCount(), "the /dev/zero file went with its last mapping");
    }

    @Test
    void rmapWalkOfASharedAnonFolioReachesBothProcesses() {
        long a = fx.anon(1);
        assertEquals(0, fx.task.touch(a, true));
        fx.drain();
        Folio f = folio(fx.task, a);
        Task child = fx.task.fork();
        Task grandchild = child.fork();
        RmapWalk walk = Mm.of(fx.machine).rmapWalk();
        List<MmStruct> seen = new ArrayList<>();
        fx.machine.cpu(0).run(() -> walk.walk(f, (v, pt, addr, pte) -> seen.add(v.mm()) || true));
        assertEquals(List.of(fx.mm, child.mm(), grandchild.mm()), seen);
        assertEquals(3, f.mapcount());
        // folio_referenced() clears the young bit in every process that maps it (the children's PTEs
        // are old after fork: only the parent's counts).
        RmapOps ops = Mm.of(fx.machine).vmscan().rmapOps();
        assertEquals(1, fx.machine.cpu(0).call(() -> ops.folioReferenced(f, false)).referenced());
        assertEquals(0, child.touch(a, false));
        assertEquals(0, grandchild.touch(a, false));
        assertEquals(2, fx.machine.cpu(0).call(() -> ops.folioReferenced(f, false)).referenced());
        // mlock2(MLOCK_ONFAULT) in the grandchild does not populate, so it mlocks the shared folio in
        // place, and reclaim's walk, from the folio's (the parent's) anon_vma, meets the locked VMA.
        assertEquals(0, grandchild.mlock2(a, P, MLOCK_ONFAULT));
        assertEquals(3, f.mapcount(), "no write: nothing copied");
        assertTrue(f.test(PageFlags.PG_mlocked));
        RmapOps.Referenced r = fx.machine.cpu(0).call(() -> ops.folioReferenced(f, false));
        assertTrue((r.vmFlags() & VmFlags.VM_LOCKED) != 0, "the walk reached the grandchild's locked VMA");
        grandchild.exit();
        assertEquals(2, f.mapcount());
        child.exit();
        assertEquals(1, f.mapcount());
    }

    @Test
    void childChainsToTheParentsAnonVmaAndGetsItsOwn() {
        long a = fx.anon(1);
        assertEquals(0, fx.task.touch(a, true));
        Task child = fx.task.fork();
        AnonVma pav = vma(fx.task, a).anonVma();
        Vma cv = vma(child, a);
        assertNotEquals(pav, cv.anonVma());
        assertEquals(pav, cv.anonVma().parent());
        assertEquals(pav.root(), cv.anonVma().root());
        assertEquals(List.of(pav, cv.anonVma()), cv.anonVmaChain());
        // An unfaulted parent VMA gives the child no anon_vma.
        long b = fx.task.mmap(0, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, null, 0); // not merged with A's VMA
        Task child2 = fx.task.fork();
        assertNull(vma(child2, b).anonVma());
        child2.exit();
        child.exit();
    }
}
