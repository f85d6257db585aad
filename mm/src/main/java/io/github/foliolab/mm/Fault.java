package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.FolioMmIds;
import io.github.foliolab.folio.VmStat;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.sync.SpinLock;


/**
 * The page-fault paths of mm/memory.c: handle_mm_fault / handle_pte_fault, do_anonymous_page,
 * do_read_fault / do_cow_fault / do_shared_fault with shmem_fault, finish_fault / set_pte_range,
 * do_wp_page with wp_can_reuse_anon_folio / wp_page_reuse / wp_page_copy / wp_page_shared.
 * The caller holds the mmap_lock for reading (or writing) and has checked the access against the VMA.
 *
 * <p>An anonymous write fault allocates a large folio when an mTHP size allows it (alloc_anon_folio).
 *
 * <p>Model difference: fault-around is off (fault_around_bytes = 4096 as in the conformance runs);
 * page-cache folios and COW copies are order 0; contents are not modelled beyond one written /
 * zero-filled bit per page ({@link PageContents}).
 */
public final class Fault {
    /** VM_FAULT_OOM (include/linux/mm_types.h): no memory for the fault; the user access gets SIGKILL. */
    public static final int VM_FAULT_OOM = 0x1;
    /** VM_FAULT_SIGBUS: the access cannot be satisfied (beyond i_size, a device without ->fault). */
    public static final int VM_FAULT_SIGBUS = 0x2;
    /** VM_FAULT_SIGSEGV: the access is not allowed. */
    public static final int VM_FAULT_SIGSEGV = 0x40;
    /** VM_FAULT_RETRY: the fault dropped its locks to wait (a locked folio, a migration entry); retry it. */
    public static final int VM_FAULT_RETRY = 0x400;
    /** VM_FAULT_ERROR: the bits that fail the access. */
    public static final int VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV;

    private final Mm ctx;
    private final VmStat vmstat;

    Fault(Mm ctx) {
        this.ctx = ctx;
        this.vmstat = ctx.machine().vmstat();
    }

    /**
     * handle_mm_fault(): resolve a fault at {@code addr} in {@code vma}; returns 0 or VM_FAULT_* bits.
     *
     * @param vma the VMA
     * @param addr a user virtual address (bytes)
     * @param write true for a write access
     * @return 0, or VM_FAULT_* bits: {@link #VM_FAULT_RETRY} to retry, {@link #VM_FAULT_ERROR} bits to fail the
     *         access
     */
    public int handleMmFault(Vma vma, long addr, boolean write) {
        vma.mm().mmapLock().assertLocked();
        addr &= ~0xfffL;
        vmstat.countEvent(VmEventItem.PGFAULT);
        if (!vma.contains(addr)) {
            return VM_FAULT_SIGSEGV;
        }
        if ((vma.flags() & (VmFlags.VM_IO | VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP)) != 0) {
            return VM_FAULT_SIGBUS; // a device mapping whose driver has no ->fault
        }
        // do_pte_missing(): do_anonymous_page allocates the PTE table first (pte_alloc), a file fault gets
        // its folio first and finish_fault installs the table, so a file fault that fails (SIGBUS past
        // EOF, OOM) leaves no table behind (__do_fault frees the table it preallocated).
        PageTable pt = vma.isAnonymous() ? vma.mm().pageTables().alloc(addr) : vma.mm().pageTables().lookup(addr);
        long pte = pt == null ? Pte.NONE : pt.ptepGet(addr);
        if (Pte.none(pte)) {
            if (vma.isAnonymous()) {
                return doAnonymousPage(vma, pt, addr, write);
            }
            return doFault(vma, pt, addr, write);
        }
        if (!Pte.present(pte)) {
            // do_swap_page() on a migration entry: migration_entry_wait() then retry the fault.
            if (Pte.isMigrationEntry(pte)) {
                ctx.migrationEntryWait().migrationEntryWait(vma.mm(), pt, addr);
            }
            return VM_FAULT_RETRY;
        }
        SpinLock ptl = pt.ptl();
        ptl.lock();
        long cur = pt.ptepGet(addr);
        if (cur != pte) {
            ptl.unlock();
            return 0; // changed under us: let the access retry
        }
        if (write && !Pte.write(pte)) {
            return doWpPage(vma, pt, addr, pte); // releases the PTL
        }
        // Spurious / access-bit fault: pte_mkyoung (and dirty for a write).
        long entry = pte | Pte.YOUNG | (write ? Pte.DIRTY : 0);
        if (entry != pte) {
            pt.modifyProt(addr, entry);
        }
        ptl.unlock();
        return 0;
    }

    /**
     * anon_vma_prepare(): give the VMA an anon_vma, reusing an adjacent VMA's when the two could one day
     * merge (find_mergeable_anon_vma / reusable_anon_vma), else a new one.
     */
    static void anonVmaPrepare(Mm ctx, Vma vma) {
        if (vma.anonVma != null) {
            return;
        }
        MmStruct mm = vma.mm();
        mm.pageTableLock().lock(); // __anon_vma_prepare: the assignment is made under page_table_lock
        try {
            if (vma.anonVma == null) {
                AnonVma av = findMergeableAnonVma(vma);
                if (av == null) {
                    av = ctx.newAnonVma();
                }
                av.link(vma);
                vma.anonVma = av;
            }
        } finally {
            mm.pageTableLock().unlock();
        }
    }

    /** anon_vma_compatible(): a then b, adjacent, same file, flags equal but for access bits, pgoff contiguous. */
    private static boolean anonVmaCompatible(Vma a, Vma b) {
        return a.end == b.start && a.file == b.file
                && ((a.flags() ^ b.flags()) & ~VmFlags.VM_ACCESS_FLAGS) == 0
                && b.pgoff == a.pgoff + a.pages();
    }

    /**
     * find_mergeable_anon_vma(): the next VMA's anon_vma, else the previous one's, if compatible and
     * reusable (reusable_anon_vma: the neighbour is chained to its anon_vma alone, not a fork child).
     */
    private static AnonVma findMergeableAnonVma(Vma vma) {
        MmStruct mm = vma.mm();
        Vma next = mm.next(vma);
        if (next != null && next.anonVma != null && next.anonVmaChain.size() == 1 && anonVmaCompatible(vma, next)) {
            return next.anonVma;
        }
        Vma prev = mm.prev(vma);
        if (prev != null && prev.anonVma != null && prev.anonVmaChain.size() == 1 && anonVmaCompatible(prev, vma)) {
            return prev.anonVma;
        }
        return null;
    }

    private static boolean vmaWritable(Vma vma) {
        return (vma.flags() & VmFlags.VM_WRITE) != 0;
    }

    /** do_anonymous_page(). */
    private int doAnonymousPage(Vma vma, PageTable pt, long addr, boolean write) {
        SpinLock ptl = pt.ptl();
        if (!write) {
            // Map the shared zero page: special, read-only, no refcount, no rmap.
            long entry = Pte.mkSpecial(ctx.node().zeroPfn());
            ptl.lock();
            try {
                if (Pte.none(pt.ptepGet(addr))) {
                    pt.setPteAt(addr, entry);
                }
            } finally {
                ptl.unlock();
            }
            return 0;
        }
        anonVmaPrepare(ctx, vma);
        Folio folio = allocAnonFolio(vma, pt, addr);
        if (folio == null) {
            return VM_FAULT_OOM;
        }
        int nr = (int) folio.nrPages();
        addr &= -((long) nr << 12); // ALIGN_DOWN(vmf->address, nr_pages * PAGE_SIZE)
        folio.nonAtomicSet(PageFlags.PG_uptodate); // __folio_mark_uptodate (smp_wmb before set_pte_at)
        long entry = Pte.mk(folio.pfn(), vmaWritable(vma), true, true);
        ptl.lock();
        if (!pteRangeNone(pt, addr, nr)) {
            ptl.unlock();
            folio.put(); // folio_put: fully ordered atomic_dec_and_test
            return 0;
        }
        // map_anon_folio_pte_nopf(): the PTEs' references, the rmap, the LRU, then set_ptes.
        if (nr > 1) {
            folio.refAdd(nr - 1); // folio_ref_add: relaxed atomic_add
        }
        ctx.rmap().folioAddNewAnonRmap(folio, vma, addr, true);
        ctx.swap().folioAddLruVma(folio, vma.flags());
        for (int i = 0; i < nr; i++) {
            pt.setPteAt(addr + ((long) i << 12), entry + ((long) i << Pte.PFN_SHIFT)); // set_ptes
        }
        if (folio.isLarge()) {
            ctx.thp().stats().mod(folio.order(), MthpStats.Item.ANON_FAULT_ALLOC, 1);
        }
        ptl.unlock();
        return 0;
    }

    /** pte_range_none(): no PTE of the {@code nr} pages from {@code addr} is populated. */
    private static boolean pteRangeNone(PageTable pt, long addr, int nr) {
        for (int i = 0; i < nr; i++) {
            if (!Pte.none(pt.ptepGet(addr + ((long) i << 12)))) return false;
        }
        return true;
    }

    /**
     * alloc_anon_folio(): the highest mTHP order that thp_vma_allowable_orders() allows for the VMA,
     * whose naturally aligned range around {@code addr} lies inside the VMA (thp_vma_suitable_orders)
     * and has no populated PTE (pte_range_none); an allocation failure counts anon_fault_fallback and
     * tries the next lower order; in the end an order-0 folio. Every page is zero-filled.
     */
    private Folio allocAnonFolio(Vma vma, PageTable pt, long addr) {
        long orders = ThpSettings.vmaSuitableOrders(vma, addr, ctx.thp().settings().vmaAllowableOrders(vma));
        // Keep the orders from the highest one whose aligned range is all pte_none (all lower ones are too).
        while (orders != 0) {
            int order = 63 - Long.numberOfLeadingZeros(orders);
            if (pteRangeNone(pt, addr & -(4096L << order), 1 << order)) break;
            orders &= ~(1L << order);
        }
        while (orders != 0) {
            int order = 63 - Long.numberOfLeadingZeros(orders);
            Folio folio = ctx.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_ZERO, order);
            if (folio != null) {
                ctx.thp().contents().setZero(folio.pfn(), 1L << order);
                return folio;
            }
            ctx.thp().stats().mod(order, MthpStats.Item.ANON_FAULT_FALLBACK, 1);
            orders &= ~(1L << order);
        }
        Folio folio = ctx.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_ZERO, 0);
        if (folio != null) ctx.thp().contents().setZero(folio.pfn(), 1);
        return folio;
    }

    /** do_fault(): read, COW or shared fault of a file (shmem) VMA. */
    private int doFault(Vma vma, PageTable pt, long addr, boolean write) {
        if (!write) {
            return doReadFault(vma, pt, addr);
        }
        if (!vma.isShared()) {
            return doCowFault(vma, pt, addr);
        }
        return doSharedFault(vma, pt, addr);
    }

    /** __do_fault() with shmem_fault(): the locked page-cache folio with a reference, or an error. */
    private Object doFaultGetFolio(Vma vma, long addr) {
        long index = vma.linearPageIndex(addr);
        if (index >= vma.file.sizePages()) {
            return VM_FAULT_SIGBUS;
        }
        Folio f = ctx.shmem().shmemGetFolio(vma.file, index);
        return f == null ? (Object) VM_FAULT_OOM : f;
    }

    private int doReadFault(Vma vma, PageTable pt, long addr) {
        Object r = doFaultGetFolio(vma, addr);
        if (r instanceof Integer err) {
            return err;
        }
        Folio folio = (Folio) r;
        int ret = finishFault(vma, pt, addr, folio, false, false);
        folio.unlock(); // folio_unlock: release
        return ret;
    }

    private int doSharedFault(Vma vma, PageTable pt, long addr) {
        Object r = doFaultGetFolio(vma, addr);
        if (r instanceof Integer err) {
            return err;
        }
        Folio folio = (Folio) r;
        int ret = finishFault(vma, pt, addr, folio, true, false);
        // fault_dirty_shared_page(): folio_mark_dirty (shmem: noop_dirty_folio sets PG_dirty only).
        if (ret == 0 && !folio.testDirty()) {
            folio.set(PageFlags.PG_dirty); // set_bit: relaxed
        }
        folio.unlock(); // folio_unlock: release
        return ret;
    }

    private int doCowFault(Vma vma, PageTable pt, long addr) {
        anonVmaPrepare(ctx, vma);
        Folio cow = ctx.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE, 0);
        if (cow == null) {
            return VM_FAULT_OOM;
        }
        Object r = doFaultGetFolio(vma, addr);
        if (r instanceof Integer err) {
            cow.put(); // folio_put: fully ordered atomic_dec_and_test
            return err;
        }
        Folio pageCache = (Folio) r;
        cow.nonAtomicSet(PageFlags.PG_uptodate); // copy_user_highpage + __folio_mark_uptodate
        int ret = finishFault(vma, pt, addr, cow, true, true);
        pageCache.unlock(); // folio_unlock: release
        pageCache.put(); // folio_put: fully ordered atomic_dec_and_test
        return ret;
    }

    /**
     * finish_fault() / set_pte_range(): map {@code folio} (whose reference becomes the PTE's; {@code pt}
     * null: no table yet, it is installed here) unless the PTE got populated meanwhile, in which case the reference is dropped. An anonymous COW copy gets
     * folio_add_new_anon_rmap + folio_add_lru_vma; a page-cache folio gets folio_add_file_rmap_ptes.
     */
    private int finishFault(Vma vma, PageTable pt, long addr, Folio folio, boolean write, boolean anonCopy) {
        if (pt == null) {
            pt = vma.mm().pageTables().alloc(addr); // pmd_install() of the table __do_fault preallocated
        }
        SpinLock ptl = pt.ptl();
        ptl.lock();
        if (!Pte.none(pt.ptepGet(addr))) {
            ptl.unlock();
            folio.put(); // folio_put: fully ordered atomic_dec_and_test
            return 0;
        }
        boolean writable = write ? vmaWritable(vma) : (vma.isShared() && vmaWritable(vma));
        long entry = Pte.mk(folio.pfn(), writable, write, true);
        if (anonCopy) {
            ctx.rmap().folioAddNewAnonRmap(folio, vma, addr, true);
            ctx.swap().folioAddLruVma(folio, vma.flags());
        } else {
            ctx.rmap().folioAddFileRmapPte(folio, vma);
        }
        pt.setPteAt(addr, entry);
        ptl.unlock();
        return 0;
    }

    /** do_wp_page(): entered with the PTL held on a present, write-protected PTE; releases it. */
    private int doWpPage(Vma vma, PageTable pt, long addr, long pte) {
        SpinLock ptl = pt.ptl();
        Folio folio = Pte.special(pte) ? null : ctx.memMap().pageFolio(Pte.pfn(pte));
        if ((vma.flags() & (VmFlags.VM_SHARED | VmFlags.VM_MAYSHARE)) != 0) {
            // wp_page_shared(): shmem has no page_mkwrite; make it writable and dirty.
            pt.modifyProt(addr, Pte.mkDirty(Pte.mkWrite(pte)) | Pte.YOUNG);
            ptl.unlock();
            if (folio != null && !folio.testDirty()) {
                folio.set(PageFlags.PG_dirty); // set_bit: relaxed
            }
            return 0;
        }
        // PageAnonExclusive(vmf->page): the flag of the faulting page (of a large folio: that page's own).
        boolean exclusive = folio != null && ctx.memMap().testFlag(Pte.pfn(pte), PageFlags.PG_anon_exclusive);
        if (folio != null && folio.isAnon()
                && (exclusive || wpCanReuseAnonFolio(folio, vma))) {
            if (!exclusive) {
                ctx.memMap().setFlag(Pte.pfn(pte), PageFlags.PG_anon_exclusive); // SetPageAnonExclusive(vmf->page): set_bit, relaxed
            }
            // wp_page_reuse(): young, dirty, writable if the VMA allows.
            long entry = Pte.mkDirty(pte) | Pte.YOUNG;
            if (vmaWritable(vma)) entry = Pte.mkWrite(entry);
            pt.modifyProt(addr, entry);
            ptl.unlock();
            vmstat.countEvent(VmEventItem.PGREUSE);
            return 0;
        }
        if (folio != null) {
            folio.get(); // folio_get: relaxed atomic_inc
        }
        ptl.unlock();
        return wpPageCopy(vma, pt, addr, pte, folio);
    }

    /**
     * __wp_can_reuse_large_anon_folio() (mm/memory.c): a large anonymous folio is reused whole when more
     * than one of its pages is mapped, it is not marked mapped shared (its mm-id tracking, {@link FolioMmIds},
     * says one mm holds every mapping), and every reference is a mapping (folio_large_mapcount ==
     * folio_ref_count: no LRU batch, pin, isolation or swap cache holds it); the last two are checked
     * again under folio_lock_large_mapcount. The folio stays where it is (no folio_move_anon_rmap). A
     * folio with a single page mapped is not reused: copying that page frees the folio.
     *
     * <p>Model difference: no swap cache, so the kernel's folio_free_swap step never applies.
     */
    private boolean wpCanReuseLargeAnonFolio(Folio folio, Vma vma) {
        if (folio.mapcount() <= 1) {
            return false; // folio_large_mapcount(folio) <= 1: atomic_read
        }
        if (FolioMmIds.testShared(ctx.memMap(), folio.pfn())) {
            return false; // test_bit(FOLIO_MM_IDS_SHARED_BITNUM): relaxed
        }
        if (folio.mapcount() != folio.refCount()) {
            return false;
        }
        return FolioMmIds.exclusiveLocked(ctx.memMap(), folio.pfn(), vma.mm().mmId());
    }

    /**
     * wp_can_reuse_anon_folio(): for a large folio {@link #wpCanReuseLargeAnonFolio}; for a small one,
     * the count checks below. Called with the PTL held; lru_add_drain() here (the kernel calls it under
     * the PTL too) flushes this CPU's batches so their references go away.
     */
    private boolean wpCanReuseAnonFolio(Folio folio, Vma vma) {
        if (folio.isLarge()) {
            return wpCanReuseLargeAnonFolio(folio, vma);
        }
        if (folio.refCount() > 3) {
            return false;
        }
        if (!folio.testLru()) {
            ctx.swap().lruAddDrain();
        }
        if (folio.refCount() > 1) { // no swap cache in the model
            return false;
        }
        if (!folio.trylock()) { // folio_trylock: test_and_set_bit_lock, acquire
            return false;
        }
        if (folio.refCount() != 1) {
            folio.unlock(); // folio_unlock: release
            return false;
        }
        // Ours alone (the other processes that shared it since fork have copied or gone): make the
        // folio this VMA's own so that rmap walks stop at our anon_vma.
        ctx.rmap().folioMoveAnonRmap(folio, vma);
        folio.unlock(); // folio_unlock: release
        return true;
    }

    /** wp_page_copy(): {@code old} carries the reference do_wp_page took (null for the zero page). */
    private int wpPageCopy(Vma vma, PageTable pt, long addr, long origPte, Folio old) {
        anonVmaPrepare(ctx, vma);
        boolean zero = Pte.special(origPte);
        Folio fresh = ctx.node().folioAlloc(Gfp.GFP_HIGHUSER_MOVABLE | (zero ? Gfp.__GFP_ZERO : 0), 0);
        if (fresh == null) {
            if (old != null) old.put(); // folio_put: fully ordered atomic_dec_and_test
            return VM_FAULT_OOM;
        }
        fresh.nonAtomicSet(PageFlags.PG_uptodate);
        SpinLock ptl = pt.ptl();
        ptl.lock();
        Folio toPut = fresh;
        if (pt.ptepGet(addr) == origPte) {
            long entry = Pte.mk(fresh.pfn(), vmaWritable(vma), true, true);
            pt.ptepGetAndClear(addr); // ptep_clear_flush
            ctx.rmap().folioAddNewAnonRmap(fresh, vma, addr, true);
            ctx.swap().folioAddLruVma(fresh, vma.flags());
            pt.setPteAt(addr, entry);
            if (old != null) {
                ctx.rmap().folioRemoveRmapPtes(old, Pte.pfn(origPte), 1, vma); // wp_page_copy copies one page
            }
            toPut = old; // the old PTE's reference
        }
        ptl.unlock();
        if (toPut != null) {
            toPut.put(); // folio_put: fully ordered atomic_dec_and_test
        }
        if (old != null) {
            old.put(); // folio_put: fully ordered atomic_dec_and_test
        }
        return 0;
    }
}
