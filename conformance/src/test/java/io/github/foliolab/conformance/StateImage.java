package io.github.foliolab.conformance;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.PageLayout;
import io.github.foliolab.folio.api.ZoneType;
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

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Collection;

/**
 * Everything a rejected system call must leave unchanged, taken of a quiescent machine: a byte copy of
 * the whole memmap (every struct page: flags, refcounts, mapcounts, LRU links, mlock_count, buddy
 * state), and a text image of the rest (VMA tree with flags and pgoff, every page-table entry, the LRU
 * list heads in order, the per-CPU LRU and mlock batches, the buddy free counts, the page caches,
 * locked_vm / total_vm / def_flags of every process and every /proc/vmstat counter).
 * {@link #diff} names the first difference.
 */
final class StateImage {
    private final MemorySegment memmap;
    private final String text;

    private StateImage(MemorySegment memmap, String text) {
        this.memmap = memmap;
        this.text = text;
    }

    static StateImage take(Machine m, Collection<Task> processes, Collection<AddressSpace> files) {
        MemorySegment copy = MemorySegment.ofArray(new byte[(int) m.memMap().segment().byteSize()]);
        copy.copyFrom(m.memMap().segment());
        return new StateImage(copy, describe(m, processes, files));
    }

    /** Null if equal; else the first difference, as a sentence. */
    String diff(StateImage after, MemMap memMap) {
        return diff(after, memMap, "");
    }

    /**
     * Like {@link #diff(StateImage, MemMap)}, ignoring the vmstat line of the event {@code ignoredEvent}
     * (a fault that ends in SIGBUS still counts pgfault, as handle_mm_fault counts every fault); with an
     * {@code ignoredEvent}, also a VMA's anon_vma that the failed fault prepared and the one pgfree of the copy
     * it allocated and freed (do_cow_fault).
     */
    String diff(StateImage after, MemMap memMap, String ignoredEvent) {
        long at = memmap.mismatch(after.memmap);
        if (at >= 0) {
            long pfn = at / PageLayout.PAGE_DESC_SIZE;
            return "memmap differs at byte " + at + " (pfn 0x" + Long.toHexString(pfn) + ", offset "
                    + (at % PageLayout.PAGE_DESC_SIZE) + " in struct page) - now:\n" + memMap.dumpPage(pfn);
        }
        if (!text.equals(after.text)) {
            String[] a = text.split("\n");
            String[] b = after.text.split("\n");
            for (int i = 0; i < Math.max(a.length, b.length); i++) {
                String x = i < a.length ? a[i] : "(nothing)";
                String y = i < b.length ? b[i] : "(nothing)";
                if (!ignoredEvent.isEmpty() && x.startsWith(ignoredEvent + " ") && y.startsWith(ignoredEvent + " ")) continue;
                // A write fault on a private file mapping prepares the VMA's anon_vma before it asks the
                // file for the page (do_cow_fault: vmf_anon_prepare, then __do_fault), so a fault that
                // then ends in SIGBUS leaves the anon_vma in place, as in the kernel.
                if (!ignoredEvent.isEmpty() && x.endsWith(" anon_vma -") && y.endsWith(" anon_vma set")
                        && x.substring(0, x.length() - 2).equals(y.substring(0, y.length() - 4))) continue;
                // do_cow_fault allocates the copy before it asks the file, and frees it when that fails:
                // the memmap is as before, but the free counts one pgfree.
                if (!ignoredEvent.isEmpty() && x.startsWith("pgfree ") && y.startsWith("pgfree ")
                        && Long.parseLong(y.substring(7)) == Long.parseLong(x.substring(7)) + 1) continue;
                if (!x.equals(y)) return "state line " + i + " was\n  " + x + "\nnow\n  " + y;
            }
        }
        return null;
    }

    private static String describe(Machine m, Collection<Task> processes, Collection<AddressSpace> files) {
        StringBuilder sb = new StringBuilder();
        MemMap memMap = m.memMap();
        for (Task t : processes) {
            MmStruct mm = t.mm();
            sb.append("mm ").append(mm.id()).append(" locked_vm ").append(mm.lockedVm()).append(" total_vm ")
                    .append(mm.totalVm()).append(" def_flags ").append(Long.toHexString(mm.defFlags())).append('\n');
            for (Vma v : mm.vmasSnapshot()) {
                sb.append(v).append(" anon_vma ").append(v.anonVma() == null ? "-" : "set").append('\n');
            }
            mm.pageTables().forEachTable(base -> {
                sb.append("pt 0x").append(Long.toHexString(base)).append(':');
                for (int i = 0; i < PageTable.PTRS_PER_PTE; i++) {
                    long pte = mm.pageTables().peek(base + ((long) i << 12));
                    if (pte != Pte.NONE) sb.append(' ').append(i).append('=').append(Long.toHexString(pte));
                }
                sb.append('\n');
            });
        }
        LruVec lruvec = Swap.of(m).lruvec();
        for (LruList l : LruList.values()) {
            sb.append(l).append(' ').append(lruvec.size(l)).append(' ');
            if (l != LruList.LRU_UNEVICTABLE) sb.append(Arrays.toString(lruvec.listPfns(l)));
            sb.append('\n');
        }
        Swap swap = Swap.of(m);
        Mlock mlock = Mlock.of(m);
        for (int cpu = 0; cpu < m.cpus().nr(); cpu++) {
            sb.append("cpu").append(cpu);
            for (BatchKind k : BatchKind.values()) sb.append(' ').append(k.kernelName()).append('=').append(swap.batchCount(cpu, k));
            MlockBatch b = mlock.batch(cpu);
            sb.append(" mlock_fbatch=[");
            for (int i = 0; i < b.count(); i++) sb.append(' ').append(b.pfn(i)).append('/').append(b.tag(i));
            sb.append(" ]\n");
        }
        // Which folio sits in which LRU batch: only folios without PG_lru can be in one.
        for (long pfn = 0; pfn < memMap.nrPages(); pfn++) {
            if (memMap.isBuddy(pfn) || memMap.isTail(pfn) || memMap.refCount(pfn) <= 0 || memMap.testFlag(pfn, io.github.foliolab.folio.api.PageFlags.PG_lru)) {
                continue;
            }
            for (int cpu = 0; cpu < m.cpus().nr(); cpu++) {
                for (BatchKind k : BatchKind.values()) {
                    if (swap.batchContains(cpu, k, memMap.folio(pfn))) {
                        sb.append("batched ").append(pfn).append(" cpu").append(cpu).append(' ').append(k).append('\n');
                    }
                }
            }
        }
        for (ZoneType z : ZoneType.values()) {
            sb.append(z).append(" free");
            for (int o = 0; o <= PageLayout.MAX_PAGE_ORDER; o++) sb.append(' ').append(m.node().zone(z).nrFree(o));
            sb.append('\n');
        }
        for (AddressSpace f : files) {
            long[] pfns = f.cachedPfns();
            Arrays.sort(pfns);
            sb.append("file ").append(f.name()).append(" maps ").append(f.mapCount()).append(" pages ").append(Arrays.toString(pfns)).append('\n');
        }
        m.vmstat().procVmstat().forEach(l -> sb.append(l).append('\n'));
        return sb.toString();
    }
}
