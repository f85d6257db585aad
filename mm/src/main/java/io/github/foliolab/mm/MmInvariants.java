package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.lru.BatchKind;
import io.github.foliolab.lru.Swap;

import java.util.HashMap;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Consistency checks of a quiescent address space for tests and tools: every folio's mapcount equals
 * the PTEs that map it (in every process that has not exited), its refcount covers mapcount + page-cache reference + the per-CPU batch
 * references, no PTE points at a free folio, the zero page is mapped only by special PTEs, and no
 * present PTE lies outside every VMA (a zap that missed a page).
 */
public final class MmInvariants {
    private MmInvariants() {}

    /**
     * References the lru module's per-CPU batches hold on {@code folio} (racy unless quiescent).
     *
     * @param swap the swap module
     * @param folio the folio
     * @return the number of entries for {@code folio} in the per-CPU LRU batches of every CPU, one reference each
     */
    public static int lruBatchRefs(Swap swap, Folio folio) {
        int n = 0;
        for (int cpu = 0; cpu < swap.machine().cpus().nr(); cpu++) {
            for (BatchKind k : BatchKind.values()) {
                if (swap.batchContains(cpu, k, folio)) n++;
            }
        }
        return n;
    }

    /**
     * Check {@code mm}; {@code otherRefs} counts references held elsewhere that the caller knows of
     * (e.g. mlock batch entries), added to the lru batches' own.
     *
     * @param mm the address space to check (quiescent: no call in flight)
     * @param otherRefs the references to a folio held outside the page tables, page cache and LRU batches
     * @throws VmBugException describing the first violation
     */
    public static void check(MmStruct mm, ToIntFunction<Folio> otherRefs) {
        Mm ctx = mm.ctx();
        MemMap memMap = ctx.memMap();
        Map<Long, Integer> maps = new HashMap<>();
        // A folio may be mapped by several processes (fork, shared files): count the PTEs of every
        // address space that has not exited, this one included.
        java.util.Set<MmStruct> all = new java.util.LinkedHashSet<>();
        all.add(mm);
        all.addAll(ctx.liveMms());
        for (MmStruct m : all) countPtes(m, memMap, maps);
        Swap swap = ctx.swap();
        for (Map.Entry<Long, Integer> e : maps.entrySet()) {
            Folio f = memMap.folio(e.getKey());
            if (f.mapcount() != e.getValue()) {
                throw new VmBugException("mapcount " + f.mapcount() + " but " + e.getValue() + " PTEs\n" + f.dump());
            }
            int cache = f.isAnon() ? 0 : 1;
            int batched = lruBatchRefs(swap, f) + otherRefs.applyAsInt(f);
            if (f.refCount() < f.mapcount() + cache + batched) {
                throw new VmBugException("refcount below mapcount + page cache + batch references (" + batched + ")\n" + f.dump());
            }
        }
    }

    /** Count the present PTEs of {@code mm} per pfn into {@code maps}, checking each against the VMAs. */
    private static void countPtes(MmStruct mm, MemMap memMap, Map<Long, Integer> maps) {
        java.util.TreeMap<Long, Vma> byStart = new java.util.TreeMap<>();
        for (Vma v : mm.vmasSnapshot()) byStart.put(v.start(), v);
        // Walk the page tables that exist (not every page of every VMA: a VMA may span terabytes).
        mm.pageTables().forEachTable(base -> {
            for (int i = 0; i < PageTable.PTRS_PER_PTE; i++) {
                long a = base + ((long) i << 12);
                long pte = mm.pageTables().peek(a);
                if (!Pte.present(pte)) continue;
                Map.Entry<Long, Vma> e = byStart.floorEntry(a);
                if (e == null || !e.getValue().contains(a)) {
                    throw new VmBugException(mm + ": present PTE outside every VMA at 0x" + Long.toHexString(a) + ": " + Pte.toString(pte));
                }
                long pfn = Pte.pfn(pte);
                if (memMap.isZeroFolio(pfn)) {
                    if (!Pte.special(pte)) {
                        throw new VmBugException("zero page mapped without the special bit at 0x" + Long.toHexString(a));
                    }
                    continue;
                }
                if (Pte.special(pte)) {
                    throw new VmBugException("special PTE for a normal page at 0x" + Long.toHexString(a));
                }
                pfn = memMap.compoundHead(pfn); // a page of a large folio counts for its folio
                if (memMap.refCount(pfn) <= 0 || memMap.isBuddy(pfn)) {
                    throw new VmBugException("PTE at 0x" + Long.toHexString(a) + " points at a free folio\n" + memMap.dumpPage(pfn));
                }
                maps.merge(pfn, 1, Integer::sum);
            }
        });
    }
}
