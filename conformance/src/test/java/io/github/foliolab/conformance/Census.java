package io.github.foliolab.conformance;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.VmStat;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.lru.BatchKind;
import io.github.foliolab.lru.LruList;
import io.github.foliolab.lru.LruVec;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.mlock.Mlock;
import io.github.foliolab.mlock.MlockBatch;
import io.github.foliolab.mm.AddressSpace;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.PageTable;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Task;
import io.github.foliolab.mm.Vma;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Where every folio of a quiescent machine is, and whether the books agree. Checked, each a
 * {@link VmBugException} naming the folio (dump_page) when broken:
 * <ul>
 * <li>every page is free (in a buddy block), a tail of a folio, the zero page, or the head of an
 *     allocated folio that something holds: a PTE, a page cache, an LRU or mlock batch (a leak otherwise);
 * <li>a folio with PG_lru is linked on exactly the list its flags name (the unevictable list is never
 *     linked) and waits in no batch that adds folios to the LRU (lru_add, or the mlock batch as a new
 *     folio); a folio without PG_lru is on no list, and when mapped or cached waits in exactly one such
 *     batch (nobody holds it isolated at a quiescent point); it may sit in any number of the other batches
 *     (activate, deactivate, rotate, mlock / munlock), each holding a reference;
 * <li>every present PTE lies inside a VMA, maps the zero page exactly when it is special, and never
 *     maps a free page; each folio's mapcount equals the PTEs of all processes that map it;
 * <li>the refcount is exactly mapcount + page-cache references + LRU batch references + mlock batch
 *     references;
 * <li>the LRU list sizes, nr_mlock, nr_anon_pages, nr_mapped, nr_file_pages, nr_shmem, nr_free_pages and
 *     nr_isolated_* equal the values recomputed from the memmap;
 * <li>each process's locked_vm (VmLck) equals the pages of its VM_LOCKED VMAs.
 * </ul>
 */
final class Census {
    private Census() {}

    /** Number of checks made by {@link #check} since the JVM started (for the reports). */
    static final java.util.concurrent.atomic.AtomicLong CHECKS = new java.util.concurrent.atomic.AtomicLong();

    static void check(Machine m, Collection<Task> processes, Collection<AddressSpace> knownFiles) {
        CHECKS.incrementAndGet();
        MemMap mm = m.memMap();
        Swap swap = Swap.of(m);
        Mlock mlock = Mlock.of(m);
        int cpus = m.cpus().nr();
        // Holders: PTEs (per folio head), page caches, batches.
        Map<Long, Integer> ptes = new HashMap<>();
        Set<AddressSpace> files = new HashSet<>(knownFiles);
        for (Task t : processes) {
            MmStruct mms = t.mm();
            java.util.TreeMap<Long, Vma> byStart = new java.util.TreeMap<>();
            long lockedPages = 0;
            for (Vma v : mms.vmasSnapshot()) {
                byStart.put(v.start(), v);
                if ((v.flags() & VmFlags.VM_LOCKED) != 0) lockedPages += v.pages();
                if (v.file() != null) files.add(v.file());
            }
            if (lockedPages != mms.lockedVm()) {
                throw new VmBugException("VmLck: locked_vm " + mms.lockedVm() + " pages but the VM_LOCKED VMAs span "
                        + lockedPages + " pages (mm " + mms.id() + ")");
            }
            // As MmInvariants for one process, with the mapcounts summed over every process.
            long zeroPfn = m.node().zeroPfn();
            mms.pageTables().forEachTable(base -> {
                for (int i = 0; i < PageTable.PTRS_PER_PTE; i++) {
                    long a = base + ((long) i << 12);
                    long pte = mms.pageTables().peek(a);
                    if (!Pte.present(pte)) continue;
                    Map.Entry<Long, Vma> e = byStart.floorEntry(a);
                    if (e == null || !e.getValue().contains(a)) {
                        throw new VmBugException("present PTE outside every VMA at 0x" + Long.toHexString(a) + ": " + Pte.toString(pte));
                    }
                    long pfn = Pte.pfn(pte);
                    if ((pfn == zeroPfn) != Pte.special(pte)) {
                        throw new VmBugException("special bit " + Pte.special(pte) + " on a PTE of pfn 0x" + Long.toHexString(pfn)
                                + " at 0x" + Long.toHexString(a) + " (the zero page is pfn 0x" + Long.toHexString(zeroPfn) + ")");
                    }
                    if (pfn == zeroPfn) continue;
                    if (mm.isBuddy(pfn) || mm.refCount(mm.compoundHead(pfn)) <= 0) {
                        throw new VmBugException("PTE at 0x" + Long.toHexString(a) + " points at a free page\n" + mm.dumpPage(pfn));
                    }
                    ptes.merge(mm.compoundHead(pfn), 1, Integer::sum);
                }
            });
        }
        Map<Long, Integer> cached = new HashMap<>();
        long filePages = 0;
        long shmemPages = 0;
        for (AddressSpace f : files) {
            for (long pfn : f.cachedPfns()) {
                if (cached.put(pfn, 1) != null) throw new VmBugException("folio in two page caches\n" + mm.dumpPage(pfn));
                filePages += mm.nrPages(pfn);
                if (mm.testFlag(pfn, PageFlags.PG_swapbacked)) shmemPages += mm.nrPages(pfn);
            }
        }
        LruVec lruvec = swap.lruvec();
        Map<Long, LruList> onList = new HashMap<>();
        for (LruList l : LruList.values()) {
            if (l == LruList.LRU_UNEVICTABLE) continue;
            for (long pfn : lruvec.listPfns(l)) {
                if (onList.put(pfn, l) != null) throw new VmBugException("folio on two LRU lists\n" + mm.dumpPage(pfn));
            }
        }
        VmStat vs = m.vmstat();
        long[] lruPages = new long[LruList.values().length];
        long mlockedPages = 0;
        long anonMapped = 0;
        long fileMapped = 0;
        long freePages = 0;
        long zero = m.node().zeroPfn();
        for (long pfn = 0; pfn < mm.nrPages(); ) {
            if (mm.isBuddy(pfn)) {
                long n = 1L << mm.privateWord(pfn);
                freePages += n;
                for (long p = pfn; p < pfn + n; p++) {
                    if (onList.containsKey(p) || ptes.containsKey(p) || cached.containsKey(p)) {
                        throw new VmBugException("a free page is still held (list, PTE or page cache)\n" + mm.dumpPage(p));
                    }
                }
                pfn += n;
                continue;
            }
            if (pfn == zero) {
                pfn++;
                continue;
            }
            long nr = mm.nrPages(pfn);
            int ref = mm.refCount(pfn);
            if (ref <= 0) {
                if (onList.containsKey(pfn) || ptes.containsKey(pfn) || cached.containsKey(pfn)) {
                    throw new VmBugException("a folio with refcount 0 is still held (list, PTE or page cache)\n" + mm.dumpPage(pfn));
                }
                pfn += nr;
                continue;
            }
            long flags = mm.flagsWord(pfn);
            boolean lru = (flags & (1L << PageFlags.PG_lru)) != 0;
            int lruBatched = 0; // entries in any per-CPU LRU batch (each holds a reference)
            int lruAdd = 0;     // of which in an lru_add batch: the folio's place until the drain
            for (int cpu = 0; cpu < cpus; cpu++) {
                for (BatchKind k : BatchKind.values()) {
                    if (swap.batchContains(cpu, k, mm.folio(pfn))) {
                        lruBatched++;
                        if (k == BatchKind.LRU_ADD) lruAdd++;
                    }
                }
            }
            int mlockBatched = mlockBatchRefs(mlock, cpus, pfn);
            int mlockNew = mlockNewFolioEntries(mlock, cpus, pfn); // __mlock_new_folio puts these on the LRU
            int mapped = ptes.getOrDefault(pfn, 0);
            boolean inCache = cached.containsKey(pfn);
            LruList list = onList.get(pfn);
            if (lru) {
                LruList want = LruList.folioLruList(mm, pfn);
                if (want != LruList.LRU_UNEVICTABLE && want != list) {
                    throw new VmBugException("PG_lru folio linked on " + list + ", its flags say " + want + "\n" + mm.dumpPage(pfn));
                }
                if (want == LruList.LRU_UNEVICTABLE && list != null) {
                    throw new VmBugException("unevictable folio linked on " + list + "\n" + mm.dumpPage(pfn));
                }
                if (lruAdd + mlockNew != 0) {
                    throw new VmBugException("PG_lru folio also waiting to be added to the LRU (lru_add " + lruAdd
                            + ", mlock batch as a new folio " + mlockNew + ")\n" + mm.dumpPage(pfn));
                }
                lruPages[want.ordinal()] += nr;
            } else {
                if (list != null) throw new VmBugException("folio linked on " + list + " without PG_lru\n" + mm.dumpPage(pfn));
                if (lruAdd + mlockNew > 1) {
                    throw new VmBugException("folio waits in " + (lruAdd + mlockNew) + " batches to be added to the LRU\n" + mm.dumpPage(pfn));
                }
                if (lruAdd + mlockNew == 0 && (mapped > 0 || inCache)) {
                    throw new VmBugException("folio lost: mapped or cached but not on the LRU and in no batch that adds it\n" + mm.dumpPage(pfn));
                }
            }
            if (mm.folioMapcount(pfn) != mapped) {
                throw new VmBugException("mapcount " + mm.folioMapcount(pfn) + " but " + mapped + " PTEs map it\n" + mm.dumpPage(pfn));
            }
            int expected = mapped + (inCache ? (int) nr : 0) + lruBatched + mlockBatched;
            if (ref != expected) {
                throw new VmBugException("refcount " + ref + " but " + mapped + " PTEs + " + (inCache ? nr : 0)
                        + " page cache + " + lruBatched + " LRU batch + " + mlockBatched + " mlock batch references"
                        + (expected == 0 ? " (leaked)" : "") + "\n" + mm.dumpPage(pfn));
            }
            if ((flags & (1L << PageFlags.PG_mlocked)) != 0) mlockedPages += nr;
            if (mapped > 0) {
                if (mm.folio(pfn).isAnon()) anonMapped += nr;
                else fileMapped += nr;
            }
            pfn += nr;
        }
        for (LruList l : LruList.values()) {
            expect("nr_" + l.name().toLowerCase().replace("lru_", ""), lruvec.size(l), lruPages[l.ordinal()]);
            expect(l.nodeItem().name(), vs.node(l.nodeItem()), lruPages[l.ordinal()]);
            expect(l.zoneItem().name(), vs.zoneSum(l.zoneItem()), lruPages[l.ordinal()]);
        }
        expect("nr_mlock", vs.zoneSum(ZoneStatItem.NR_MLOCK), mlockedPages);
        expect("nr_anon_pages", vs.node(NodeStatItem.NR_ANON_MAPPED), anonMapped);
        expect("nr_mapped", vs.node(NodeStatItem.NR_FILE_MAPPED), fileMapped);
        expect("nr_file_pages", vs.node(NodeStatItem.NR_FILE_PAGES), filePages);
        expect("nr_shmem", vs.node(NodeStatItem.NR_SHMEM), shmemPages);
        expect("nr_free_pages", vs.zoneSum(ZoneStatItem.NR_FREE_PAGES), freePages);
        expect("nr_isolated_anon", vs.node(NodeStatItem.NR_ISOLATED_ANON), 0);
        expect("nr_isolated_file", vs.node(NodeStatItem.NR_ISOLATED_FILE), 0);
    }

    private static void expect(String what, long counter, long recomputed) {
        if (counter != recomputed) {
            throw new VmBugException(what + " is " + counter + " but the memmap says " + recomputed);
        }
    }

    static int mlockBatchRefs(Mlock mlock, int cpus, long pfn) {
        int n = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
            MlockBatch b = mlock.batch(cpu);
            for (int i = 0; i < b.count(); i++) if (b.pfn(i) == pfn) n++;
        }
        return n;
    }

    private static int mlockNewFolioEntries(Mlock mlock, int cpus, long pfn) {
        int n = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
            MlockBatch b = mlock.batch(cpu);
            for (int i = 0; i < b.count(); i++) if (b.pfn(i) == pfn && (b.tag(i) & MlockBatch.NEW_FOLIO) != 0) n++;
        }
        return n;
    }
}
