package io.github.foliolab.mlock;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.VmStat;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.cpu.Cpu;
import io.github.foliolab.folio.cpu.PerCpu;
import io.github.foliolab.lru.LruOp;
import io.github.foliolab.lru.LruVec;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.lru.Vmscan;

import static io.github.foliolab.folio.api.PageFlags.PG_active;
import static io.github.foliolab.folio.api.PageFlags.PG_lru;
import static io.github.foliolab.folio.api.PageFlags.PG_mlocked;
import static io.github.foliolab.folio.api.PageFlags.PG_unevictable;

/**
 * The folio half of mm/mlock.c of Linux 7.2 for one machine: the per-CPU mlock folio batch and its
 * three workers, mlock_count, and the rmap-side entry points mlock_vma_folio / munlock_vma_folio.
 * mm/swap.c calls mlock_new_folio and mlock_drain_local here directly (folio_add_lru_vma's VM_LOCKED
 * path, lru_add_drain), and mm's rmap calls mlock_vma_folio / munlock_vma_folio.
 *
 * <p>mlock_count (overlaying lru.prev) is maintained only while the folio is PG_unevictable and on the
 * LRU, under lru_lock, and deliberately undercounts: lru_add resets it to 0, and the workers leave it
 * alone when they lose the PG_lru race.
 *
 * <p>Model difference: simulated CPUs never go offline, so {@link #mlockDrainRemote} (the kernel's
 * drain of a dead CPU's batch, which takes no lock) takes the target CPU's mlock_fbatch.lock, which
 * makes it safe to call while that CPU runs.
 */
public final class Mlock {
    private static final Machine.Key<Mlock> KEY = new Machine.Key<>("mlock");

    /**
     * The mm/mlock.c rules the machine runs: {@link MlockRules#LINUX_7_2} unless a candidate fix is chosen
     * (a build option, for judging fixes with the explorer).
     */
    public static final Machine.Option<MlockRules> RULES = MlockRules.option();

    private final Machine machine;
    private final MemMap mm;
    private final VmStat vmstat;
    private final Swap swap;
    private final LruVec lruvec;
    private final Vmscan vmscan;
    private final PerCpu<MlockBatch> batches;
    private final MlockRules rules;

    private Mlock(Machine machine, Swap swap, MlockRules rules) {
        this.machine = machine;
        this.mm = machine.memMap();
        this.vmstat = machine.vmstat();
        this.swap = swap;
        this.lruvec = swap.lruvec();
        this.vmscan = Vmscan.of(machine);
        int cap = swap.policy().mlockBatchCapacity();
        this.batches = new PerCpu<>(machine.cpus(), cpu -> new MlockBatch(mm, cpu, cap));
        this.rules = rules;
    }

    /**
     * The machine's mm/mlock.c folio state.
     *
     * @param machine a machine with the lru module attached
     * @return its mlock state (one per machine)
     * @throws IllegalStateException if the lru module is not attached to the machine
     */
    public static Mlock of(Machine machine) {
        return machine.state(KEY);
    }

    /**
     * Create the machine's mlock state beside its {@code swap} (mm/swap.c and the folio half of
     * mm/mlock.c share the batch mechanism, and swap.c calls mlock_new_folio and mlock_drain_local
     * directly); called by {@link Swap#attach} while the machine is built.
     *
     * @param assembly the machine being built
     * @param swap the machine's mm/swap.c state
     * @return the new mlock state, registered in the assembly
     */
    public static Mlock attach(Machine.Assembly assembly, Swap swap) {
        Mlock m = new Mlock(assembly.machine(), swap, assembly.option(RULES));
        assembly.put(KEY, m);
        return m;
    }

    /** {@return the machine this state belongs to} */
    public Machine machine() {
        return machine;
    }

    /** {@return the mm/mlock.c rules this machine runs (the {@link #RULES} build option)} */
    public MlockRules rules() {
        return rules;
    }

    /**
     * mlock_fbatch of {@code cpu} (for inspection; its lock guards it).
     *
     * @param cpu the simulated CPU number
     * @return that CPU's mlock batch
     */
    public MlockBatch batch(int cpu) {
        return batches.of(cpu);
    }

    // ------------------------------------------------------------ queueing

    private void checkReferenced(Folio folio, String fn) {
        if (mm.refCountRaw(folio.pfn()) <= 0) {
            throw new VmBugException("VM_BUG_ON_FOLIO(folio_ref_count(folio) <= 0) in " + fn
                    + " (the caller must hold a reference)\n" + folio.dump());
        }
        if (mm.isTail(folio.pfn())) {
            throw new VmBugException("VM_BUG_ON_PAGE(PageTail(page)) in " + fn + "\n" + folio.dump());
        }
    }

    /** folio_get, append with a tag, drain now if full / not cacheable / caches disabled. Lock held. */
    private void addAndMaybeDrain(MlockBatch mb, Folio folio, int tag) {
        long pfn = folio.pfn();
        mm.get(pfn); // the batch entry's reference (folio_get: atomic_inc, relaxed)
        SchedPoints.before(MlockOp.MLOCK_BATCH_ADD, pfn, tag);
        int room = mb.fbatch.addPfn(MlockBatch.encode(pfn, tag));
        SchedPoints.access(LruOp.WRITE_BATCH_COUNT, mb.id, mb.cpu); // the count need_mlock_drain reads
        if (room == 0 || !swap.folioMayBeLruCached(folio) || swap.lruCacheDisabled()) {
            mlockFolioBatch(mb);
        }
    }

    private void modMlock(Folio folio, long nr) {
        folio.pgdat().vmstat().modZone(folio.zone().type(), ZoneStatItem.NR_MLOCK, nr); // zone_stat_mod_folio
    }

    /**
     * mlock_folio(): mlock a folio already on (or temporarily off) the LRU. Under mlock_fbatch.lock: if
     * folio_test_set_mlocked finds it clear, NR_MLOCK += nr and unevictable_pgs_mlocked += nr; then queue
     * an LRU_FOLIO entry with a reference. The caller holds a reference.
     *
     * @param folio the folio
     */
    public void mlockFolio(Folio folio) {
        checkReferenced(folio, "mlock_folio");
        MlockBatch mb = batches.of(Cpu.current());
        mb.lock.lock();
        try {
            if (!folio.testSetMlocked()) { // folio_test_set_mlocked: test_and_set_bit, fully ordered
                long nr = folio.nrPages();
                modMlock(folio, nr);
                vmstat.countEvents(VmEventItem.UNEVICTABLE_PGMLOCKED, nr);
            }
            addAndMaybeDrain(mb, folio, MlockBatch.LRU_FOLIO);
        } finally {
            mb.lock.unlock();
        }
    }

    /**
     * mlock_new_folio(): mlock a newly allocated folio not yet on the LRU (folio_add_lru_vma of a
     * VM_LOCKED VMA). PG_mlocked is set unconditionally and NR_MLOCK / unevictable_pgs_mlocked always
     * counted; a NEW_FOLIO entry is queued with a reference.
     *
     * @param folio the folio
     */
    public void mlockNewFolio(Folio folio) {
        checkReferenced(folio, "mlock_new_folio");
        if (folio.testLru()) {
            throw new VmBugException("VM_BUG_ON_FOLIO(folio_test_lru(folio)) in mlock_new_folio\n" + folio.dump());
        }
        MlockBatch mb = batches.of(Cpu.current());
        long nr = folio.nrPages();
        mb.lock.lock();
        try {
            folio.set(PG_mlocked); // folio_set_mlocked: set_bit, atomic, relaxed
            modMlock(folio, nr);
            vmstat.countEvents(VmEventItem.UNEVICTABLE_PGMLOCKED, nr);
            addAndMaybeDrain(mb, folio, MlockBatch.NEW_FOLIO);
        } finally {
            mb.lock.unlock();
        }
    }

    /**
     * munlock_folio(): queue an untagged (munlock) entry with a reference. No flag changes here:
     * clearing PG_mlocked is left to __munlock_folio, which knows whether other mlocks remain.
     *
     * @param folio the folio
     */
    public void munlockFolio(Folio folio) {
        checkReferenced(folio, "munlock_folio");
        MlockBatch mb = batches.of(Cpu.current());
        mb.lock.lock();
        try {
            addAndMaybeDrain(mb, folio, MlockBatch.MUNLOCK);
        } finally {
            mb.lock.unlock();
        }
    }

    /**
     * mlock_vma_folio() (mm/internal.h): mlock_folio() if {@code (vm_flags & (VM_LOCKED | VM_SPECIAL)) ==
     * VM_LOCKED}. The VM_SPECIAL test makes it a no-op while mlock_vma_pages_range() runs with VM_IO set
     * (no double counting) and while a driver's ->mmap inserts pages.
     *
     * @param folio the folio
     * @param vmFlags the VMA's vm_flags (VM_* bits)
     */
    public void mlockVmaFolio(Folio folio, long vmFlags) {
        if ((vmFlags & (VmFlags.VM_LOCKED | VmFlags.VM_SPECIAL)) == VmFlags.VM_LOCKED) {
            mlockFolio(folio);
        }
    }

    /**
     * munlock_vma_folio() (mm/internal.h): munlock_folio() whenever the VMA is VM_LOCKED, even if only
     * part of a large folio is unmapped ("page reclaim will correct it if it's wrong").
     *
     * @param folio the folio
     * @param vmFlags the VMA's vm_flags (VM_* bits)
     */
    public void munlockVmaFolio(Folio folio, long vmFlags) {
        if ((vmFlags & VmFlags.VM_LOCKED) != 0) {
            munlockFolio(folio);
        }
    }

    // ------------------------------------------------------------ draining

    /**
     * mlock_folio_batch(): for each entry strip the tag (storing the plain pfn back) and run
     * __mlock_folio, __mlock_new_folio or __munlock_folio, carrying the held lru_lock from one to the
     * next (folio_lruvec_relock_irq); then unlock and folios_put() the batch's references.
     */
    void mlockFolioBatch(MlockBatch mb) {
        checkNewFolios(mb);
        LruVec locked = null;
        try {
            for (int i = 0; i < mb.fbatch.count(); i++) {
                long entry = mb.fbatch.pfn(i);
                int tag = MlockBatch.tagOf(entry);
                long pfn = MlockBatch.pfnOf(entry);
                mb.fbatch.setPfn(i, pfn);
                if ((tag & MlockBatch.LRU_FOLIO) != 0) {
                    locked = mlockFolioLocked(pfn, locked);
                } else if ((tag & MlockBatch.NEW_FOLIO) != 0) {
                    locked = mlockNewFolioLocked(pfn, locked);
                } else {
                    locked = munlockFolioLocked(pfn, locked);
                }
            }
        } finally {
            if (locked != null) {
                locked.unlock();
            }
        }
        swap.foliosPut(mb.fbatch);
        SchedPoints.access(LruOp.WRITE_BATCH_COUNT, mb.id, mb.cpu); // folios_put emptied the batch
    }

    /**
     * __mlock_new_folio's VM_BUG_ON_FOLIO(folio_test_lru(folio)), checked for every NEW_FOLIO entry
     * before the batch is processed, so that a broken caller is reported with nothing changed (no
     * entry processed, every reference still held by the batch). Model difference: the kernel finds it
     * when it reaches that entry, after the entries before it were processed.
     */
    private void checkNewFolios(MlockBatch mb) {
        for (int i = 0; i < mb.fbatch.count(); i++) {
            long entry = mb.fbatch.pfn(i);
            long pfn = MlockBatch.pfnOf(entry);
            if ((MlockBatch.tagOf(entry) & MlockBatch.NEW_FOLIO) != 0 && mm.testFlag(pfn, PG_lru)) {
                throw new VmBugException("VM_BUG_ON_FOLIO(folio_test_lru(folio)) in __mlock_new_folio\n" + mm.dumpPage(pfn));
            }
        }
    }

    /**
     * __mlock_folio(): nothing if PG_lru is lost ("nothing more we can do while it's off LRU": whoever
     * puts it back sees PG_mlocked in lru_add). Otherwise, under lru_lock: an evictable folio (PG_mlocked
     * already cleared by another CPU) is rescued if unevictable; an unevictable one gets mlock_count++ if
     * still PG_mlocked; an evictable-list one is culled (PG_active cleared, PG_unevictable set,
     * mlock_count = !!PG_mlocked, unevictable_pgs_culled). PG_lru is set again. Returns the lruvec whose
     * lru_lock is held (null if none).
     */
    private LruVec mlockFolioLocked(long pfn, LruVec locked) {
        if (!mm.testClearFlag(pfn, PG_lru)) { // folio_test_clear_lru: test_and_clear_bit, fully ordered
            return locked;
        }
        locked = lruvec.relock(pfn, locked);
        long nr = mm.nrPages(pfn);
        if (vmscan.folioEvictable(mm.folio(pfn))) {
            // Surprising but possible: PG_mlocked got cleared already by another CPU.
            if (mm.testFlag(pfn, PG_unevictable)) {
                locked.delFolio(pfn);
                mm.clearFlag(pfn, PG_unevictable); // clear_bit, relaxed; lru_lock held
                locked.addFolio(pfn);
                vmstat.countEvents(VmEventItem.UNEVICTABLE_PGRESCUED, nr);
            }
        } else if (mm.testFlag(pfn, PG_unevictable)) {
            if (mm.testFlag(pfn, PG_mlocked) && rules.countBatchedMlock()) {
                PageWords.setMlockCount(mm, pfn, mm.mlockCount(pfn) + 1); // under lru_lock
            }
        } else {
            locked.delFolio(pfn);
            mm.clearFlag(pfn, PG_active); // clear_bit / set_bit: atomic, relaxed; lru_lock held
            mm.setFlag(pfn, PG_unevictable);
            PageWords.setMlockCount(mm, pfn, mm.testFlag(pfn, PG_mlocked) ? 1 : 0);
            locked.addFolio(pfn);
            vmstat.countEvents(VmEventItem.UNEVICTABLE_PGCULLED, nr);
        }
        mm.setFlag(pfn, PG_lru); // folio_set_lru: set_bit, relaxed (lru_lock held; the unlock releases)
        return locked;
    }

    /**
     * __mlock_new_folio(): under lru_lock, unless it is (surprisingly) evictable already, set
     * PG_unevictable, mlock_count = !!PG_mlocked, unevictable_pgs_culled; add to the lruvec; set PG_lru.
     */
    private LruVec mlockNewFolioLocked(long pfn, LruVec locked) {
        // VM_BUG_ON_FOLIO(folio_test_lru(folio)): checked for the whole batch by checkNewFolios.
        locked = lruvec.relock(pfn, locked);
        if (!vmscan.folioEvictable(mm.folio(pfn))) {
            mm.setFlag(pfn, PG_unevictable);
            PageWords.setMlockCount(mm, pfn, mm.testFlag(pfn, PG_mlocked) ? 1 : 0);
            vmstat.countEvents(VmEventItem.UNEVICTABLE_PGCULLED, mm.nrPages(pfn));
        }
        locked.addFolio(pfn);
        mm.setFlag(pfn, PG_lru);
        return locked;
    }

    /**
     * __munlock_folio(): if PG_lru is won (isolated), under lru_lock decrement a positive mlock_count of an
     * unevictable folio and stop if another mlock remains. Then test-and-clear PG_mlocked: NR_MLOCK -= nr
     * and unevictable_pgs_munlocked, or unevictable_pgs_stranded when we did not isolate it and it is
     * still PG_unevictable (someone else holds it off the LRU). Then, only if isolated, an unevictable
     * folio that is now evictable is rescued. PG_lru is set again if we took it.
     */
    private LruVec munlockFolioLocked(long pfn, LruVec locked) {
        long nr = mm.nrPages(pfn);
        boolean isolated = mm.testClearFlag(pfn, PG_lru); // folio_test_clear_lru: fully ordered
        if (!isolated && rules.munlockRecheckUnderLruLock()) {
            // Candidate fix (MlockRules): test again under lru_lock, so that PG_mlocked is never cleared
            // inside another CPU's lru_add or __mlock_folio critical section.
            locked = lruvec.relock(pfn, locked);
            isolated = mm.testClearFlag(pfn, PG_lru);
        }
        if (isolated) {
            locked = lruvec.relock(pfn, locked);
            if (mm.testFlag(pfn, PG_unevictable)) {
                int c = mm.mlockCount(pfn); // maintained, but might undercount
                if (c > 0) {
                    c--;
                    PageWords.setMlockCount(mm, pfn, c);
                }
                if (c > 0) {
                    mm.setFlag(pfn, PG_lru);
                    return locked; // still mlocked by another VMA
                }
            }
            // else assume that was the last mlock: reclaim will fix it if not
        }
        if (mm.testClearFlag(pfn, PG_mlocked)) { // folio_test_clear_mlocked: fully ordered
            modMlock(mm.folio(pfn), -nr);
            if (isolated || !mm.testFlag(pfn, PG_unevictable)) {
                vmstat.countEvents(VmEventItem.UNEVICTABLE_PGMUNLOCKED, nr);
            } else {
                vmstat.countEvents(VmEventItem.UNEVICTABLE_PGSTRANDED, nr);
            }
        }
        // folio_evictable() has to be checked *after* clearing PG_mlocked.
        if (isolated && mm.testFlag(pfn, PG_unevictable) && vmscan.folioEvictable(mm.folio(pfn))) {
            locked.delFolio(pfn);
            mm.clearFlag(pfn, PG_unevictable);
            locked.addFolio(pfn);
            vmstat.countEvents(VmEventItem.UNEVICTABLE_PGRESCUED, nr);
        }
        if (isolated) {
            mm.setFlag(pfn, PG_lru);
        }
        return locked;
    }

    /** mlock_drain_local(): drain this CPU's mlock batch under its lock. */
    public void mlockDrainLocal() {
        MlockBatch mb = batches.of(Cpu.current());
        mb.lock.lock();
        try {
            if (mb.fbatch.count() > 0) {
                mlockFolioBatch(mb);
            }
        } finally {
            mb.lock.unlock();
        }
    }

    /**
     * mlock_drain_remote(cpu): drain another CPU's mlock batch from here. See the class comment: taken
     * under that CPU's mlock_fbatch.lock, as CPUs never go offline in the model.
     *
     * @param cpu the simulated CPU number
     */
    public void mlockDrainRemote(int cpu) {
        MlockBatch mb = batches.of(cpu);
        mb.lock.lock();
        try {
            if (mb.fbatch.count() > 0) {
                mlockFolioBatch(mb);
            }
        } finally {
            mb.lock.unlock();
        }
    }

    /**
     * need_mlock_drain(cpu): that CPU's mlock batch is non-empty (racy read).
     *
     * @param cpu the simulated CPU number
     * @return true if the batch holds entries
     */
    public boolean needMlockDrain(int cpu) {
        MlockBatch mb = batches.of(cpu);
        SchedPoints.access(LruOp.READ_BATCH_COUNT, mb.id, cpu); // a racy read of another CPU's count
        return mb.fbatch.count() > 0;
    }

    /**
     * Save every CPU's mlock batch (a machine checkpoint).
     *
     * @return the action that puts them back
     */
    public Runnable save() {
        io.github.foliolab.folio.Restorable[] parts = new io.github.foliolab.folio.Restorable[batches.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = batches.of(i)::save;
        }
        return io.github.foliolab.folio.Restorable.saveAll(parts);
    }
}
