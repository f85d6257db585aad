package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.sync.SimLock;
import io.github.foliolab.lru.RmapOps;

import java.util.List;

/**
 * rmap_walk() over a folio's mappings (anon_vma VMAs or the file's i_mmap) and the two users reclaim
 * needs, installed into lru's Vmscan: folio_referenced() and try_to_unmap().
 *
 * <p>Model difference: without swap, try_to_unmap() refuses anonymous swap-backed folios (reclaim never
 * gets there for them: add_to_swap fails first).
 */
public final class RmapWalk implements RmapOps {
    /** One mapping found by the walk: the VMA, the page table and address, with the PTL held. */
    @FunctionalInterface
    public interface Visitor {
        /**
         * Return false to stop the walk.
         *
         * @param vma the VMA
         * @param pt the page table
         * @param addr a user virtual address (bytes)
         * @param pte the page-table entry
         */
        boolean visit(Vma vma, PageTable pt, long addr, long pte);
    }

    private final Mm ctx;

    RmapWalk(Mm ctx) {
        this.ctx = ctx;
    }

    /**
     * rmap_walk(): call {@code visitor} for every PTE mapping {@code folio}, holding the anon_vma or
     * i_mmap lock and that PTE's lock.
     *
     * @param folio the folio
     * @param visitor called for each entry
     */
    public void walk(Folio folio, Visitor visitor) {
        long mapping = folio.mapping();
        AnonVma av = ctx.anonVmaOf(mapping);
        AddressSpace file = av == null ? ctx.fileOf(mapping) : null;
        if (av == null && file == null) return;
        SimLock lock = av != null ? av.lock : file.iMmapLock;
        lock.lock();
        try {
            List<Vma> vmas = av != null ? av.snapshotLocked() : file.vmasLocked();
            long index = folio.index();
            for (Vma vma : vmas) {
                long addr = vma.addressOf(index);
                if (addr < 0) continue;
                PageTable pt = vma.mm().pageTables().lookup(addr);
                if (pt == null) continue;
                pt.ptl().lock();
                boolean go;
                try {
                    long pte = pt.ptepGet(addr);
                    if (!Pte.present(pte) || Pte.special(pte) || Pte.pfn(pte) != folio.pfn()) continue;
                    go = visitor.visit(vma, pt, addr, pte);
                } finally {
                    pt.ptl().unlock();
                }
                if (!go) return;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Referenced folioReferenced(Folio folio, boolean isLocked) {
        if (!folio.mapped() || folio.mapping() == 0) return new Referenced(0, 0);
        boolean weLocked = false;
        if (!isLocked && !folio.isAnon()) {
            weLocked = folio.trylock(); // folio_trylock: test_and_set_bit_lock, acquire
            if (!weLocked) return new Referenced(1, 0);
        }
        int[] referenced = {0};
        long[] flags = {0};
        try {
            walk(folio, (vma, pt, addr, pte) -> {
                long vf = vma.flags();
                if ((vf & VmFlags.VM_LOCKED) != 0) {
                    ctx.mlockHooks().mlockVmaFolio(folio, vf);
                    flags[0] |= VmFlags.VM_LOCKED;
                    return false;
                }
                if (pt.ptepTestAndClearYoung(addr)) {
                    referenced[0]++;
                    flags[0] |= vf & ~VmFlags.VM_LOCKED;
                }
                return true;
            });
        } finally {
            if (weLocked) folio.unlock(); // folio_unlock: release
        }
        return new Referenced(referenced[0], flags[0]);
    }

    @Override
    public boolean tryToUnmap(Folio folio) {
        if (folio.isAnon() && folio.testSwapbacked()) {
            return !folio.mapped(); // no swap entry can be made
        }
        walk(folio, (vma, pt, addr, pte) -> {
            long vf = vma.flags();
            if ((vf & VmFlags.VM_LOCKED) != 0) {
                ctx.mlockHooks().mlockVmaFolio(folio, vf); // restore the mlock, fail
                return false;
            }
            long old = pt.ptepGetAndClear(addr); // ptep_clear_flush
            if (Pte.dirty(old) && !folio.testDirty()) {
                folio.set(io.github.foliolab.folio.api.PageFlags.PG_dirty);
            }
            ctx.rmap().folioRemoveRmapPte(folio, vma);
            if ((vf & VmFlags.VM_LOCKED) != 0) ctx.mlockHooks().mlockDrainLocal();
            folio.put(); // folio_put: fully ordered atomic_dec_and_test
            return true;
        });
        return !folio.mapped();
    }
}
