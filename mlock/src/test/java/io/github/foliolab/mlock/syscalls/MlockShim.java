package io.github.foliolab.mlock.syscalls;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.VmStat;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.folio.cpu.Cpu;
import io.github.foliolab.folio.cpu.PerCpu;
import io.github.foliolab.lru.FolioBatch;
import io.github.foliolab.lru.LruVec;
import io.github.foliolab.lru.MlockHooks;
import io.github.foliolab.lru.Swap;

/**
 * A test stand-in for the folio side of mm/mlock.c (mlock_folio, mlock_new_folio, munlock_folio and
 * the mlock batch drain), used until the mlock module's own implementation is merged.
 */
final class MlockShim implements FolioMlock, MlockHooks {
    private static final int LRU_FOLIO = 1;
    private static final int NEW_FOLIO = 2;

    private final Machine machine;
    private final VmStat vmstat;
    private final PerCpu<long[]> batches;
    private final PerCpu<int[]> counts;

    MlockShim(Machine machine) {
        this.machine = machine;
        this.vmstat = machine.vmstat();
        this.batches = new PerCpu<>(machine.cpus(), i -> new long[FolioBatch.FOLIO_BATCH_SIZE]);
        this.counts = new PerCpu<>(machine.cpus(), i -> new int[1]);
        Swap.of(machine).setMlockHooks(this);
    }

    static MlockShim install(Machine m) {
        return new MlockShim(m);
    }

    private synchronized void add(Folio f, int tag) {
        long[] b = batches.local();
        int[] n = counts.local();
        b[n[0]++] = f.pfn() << 2 | tag;
        if (n[0] == b.length || f.isLarge()) drain(Cpu.current().id());
    }

    @Override
    public synchronized void mlockFolio(Folio f) {
        if (!f.testSetMlocked()) {
            vmstat.modZone(f.zone().type(), ZoneStatItem.NR_MLOCK, f.nrPages());
            vmstat.countEvents(VmEventItem.UNEVICTABLE_PGMLOCKED, f.nrPages());
        }
        f.get();
        add(f, LRU_FOLIO);
    }

    @Override
    public synchronized void mlockNewFolio(Folio f) {
        f.set(PageFlags.PG_mlocked);
        vmstat.modZone(f.zone().type(), ZoneStatItem.NR_MLOCK, f.nrPages());
        vmstat.countEvents(VmEventItem.UNEVICTABLE_PGMLOCKED, f.nrPages());
        f.get();
        add(f, NEW_FOLIO);
    }

    @Override
    public synchronized void munlockFolio(Folio f) {
        f.get();
        add(f, 0);
    }

    @Override
    public synchronized void mlockDrainLocal() {
        drain(Cpu.current().id());
    }

    @Override
    public synchronized boolean needMlockDrain(int cpu) {
        return counts.of(cpu)[0] > 0;
    }

    @Override
    public synchronized void mlockDrainCpuLocked(int cpu) {
        drain(cpu);
    }

    private void drain(int cpu) {
        long[] b = batches.of(cpu);
        int[] n = counts.of(cpu);
        FolioBatch fb = new FolioBatch(machine.memMap());
        LruVec lruvec = LruVec.of(machine);
        for (int i = 0; i < n[0]; i++) {
            Folio f = machine.memMap().folio(b[i] >>> 2);
            int tag = (int) (b[i] & 3);
            switch (tag) {
                case LRU_FOLIO -> mlockOne(lruvec, f);
                case NEW_FOLIO -> mlockNew(lruvec, f);
                default -> munlockOne(lruvec, f);
            }
            fb.add(f);
        }
        n[0] = 0;
        if (fb.count() > 0) Swap.of(machine).foliosPut(fb);
    }

    private static boolean evictable(Folio f) {
        return !f.testMlocked();
    }

    private void mlockOne(LruVec lruvec, Folio f) {
        if (!f.testClearLru()) return;
        long nr = f.nrPages();
        lruvec.lock();
        try {
            if (evictable(f)) {
                if (f.testUnevictable()) {
                    lruvec.delFolio(f.pfn());
                    f.clearUnevictable();
                    lruvec.addFolio(f.pfn());
                    vmstat.countEvents(VmEventItem.UNEVICTABLE_PGRESCUED, nr);
                }
            } else if (f.testUnevictable()) {
                if (f.testMlocked()) f.setMlockCount(f.mlockCount() + 1);
            } else {
                lruvec.delFolio(f.pfn());
                f.clearActive();
                f.setUnevictable();
                f.setMlockCount(f.testMlocked() ? 1 : 0);
                lruvec.addFolio(f.pfn());
                vmstat.countEvents(VmEventItem.UNEVICTABLE_PGCULLED, nr);
            }
            f.setLru();
        } finally {
            lruvec.unlock();
        }
    }

    private void mlockNew(LruVec lruvec, Folio f) {
        lruvec.lock();
        try {
            if (!evictable(f)) {
                f.setUnevictable();
                f.setMlockCount(f.testMlocked() ? 1 : 0);
                vmstat.countEvents(VmEventItem.UNEVICTABLE_PGCULLED, f.nrPages());
            }
            lruvec.addFolio(f.pfn());
            f.setLru();
        } finally {
            lruvec.unlock();
        }
    }

    private void munlockOne(LruVec lruvec, Folio f) {
        long nr = f.nrPages();
        boolean isolated = f.testClearLru();
        if (isolated) lruvec.lock();
        try {
            if (isolated && f.testUnevictable()) {
                if (f.mlockCount() > 0) f.setMlockCount(f.mlockCount() - 1);
                if (f.mlockCount() > 0) {
                    f.setLru();
                    return;
                }
            }
            if (f.testClearMlocked()) {
                vmstat.modZone(f.zone().type(), ZoneStatItem.NR_MLOCK, -nr);
                if (isolated || !f.testUnevictable()) {
                    vmstat.countEvents(VmEventItem.UNEVICTABLE_PGMUNLOCKED, nr);
                } else {
                    vmstat.countEvents(VmEventItem.UNEVICTABLE_PGSTRANDED, nr);
                }
            }
            if (isolated && f.testUnevictable() && evictable(f)) {
                lruvec.delFolio(f.pfn());
                f.clearUnevictable();
                lruvec.addFolio(f.pfn());
                vmstat.countEvents(VmEventItem.UNEVICTABLE_PGRESCUED, nr);
            }
            if (isolated) f.setLru();
        } finally {
            if (isolated) lruvec.unlock();
        }
    }
}
