package io.github.foliolab.folio;

import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.folio.api.ZoneType;
import io.github.foliolab.folio.cpu.Cpus;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Every CPU's vmstat deltas and event counters: per_cpu_zonestat.vm_stat_diff of each zone,
 * per_cpu_nodestat.vm_node_stat_diff and vm_event_states (mm/vmstat.c), with the stat_threshold of
 * refresh_zone_stat_thresholds(). One long array; each CPU's block starts and ends with {@link #PAD}
 * unused longs, so two CPUs' counters never share a cache line (nor an adjacent-line prefetch pair).
 * Block {@code nrCpus} (one past the last CPU) holds the events counted by threads that run on no
 * simulated CPU.
 */
final class VmStatPerCpu {
    /** 16 longs = 128 bytes of padding between blocks and at both ends of the array. */
    static final int PAD = 16;
    static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    static final int NR_ZONE_ITEMS = ZoneStatItem.values().length;
    static final int NR_ZONES = ZoneType.values().length;
    static final int ZONE_SLOTS = NR_ZONES * NR_ZONE_ITEMS;
    static final int NODE_BASE = ZONE_SLOTS;
    static final int EVENT_BASE = NODE_BASE + NodeStatItem.values().length;
    private static final int USED = EVENT_BASE + VmEventItem.values().length;
    private static final int STRIDE = ((USED + 7) & ~7) + PAD;

    /** The machine's CPUs (null before they are attached); a CPU of another machine has no block here. */
    final Cpus cpus;
    final int nrCpus;
    final long[] slots;
    /** per_cpu_zonestat.stat_threshold of each zone (the same on every CPU); 0 for an empty zone. */
    final int[] zoneThreshold;
    /** per_cpu_nodestat.stat_threshold: the largest populated zone's threshold. */
    final int nodeThreshold;

    /**
     * @param managedPages zone_managed_pages() of each zone, indexed by {@link ZoneType#ordinal()}
     */
    VmStatPerCpu(Cpus cpus, long[] managedPages) {
        this.cpus = cpus;
        this.nrCpus = cpus == null ? 0 : cpus.nr();
        this.slots = new long[PAD + (nrCpus + 1) * STRIDE];
        this.zoneThreshold = new int[NR_ZONES];
        int node = 0;
        for (int z = 0; z < NR_ZONES; z++) {
            if (nrCpus > 0 && managedPages[z] > 0) { // for_each_populated_zone
                zoneThreshold[z] = calculateNormalThreshold(nrCpus, managedPages[z]);
                node = Math.max(node, zoneThreshold[z]);
            }
        }
        this.nodeThreshold = node;
    }

    /**
     * calculate_normal_threshold() (mm/vmstat.c): 2 * fls(num_online_cpus) * (1 + fls(managed pages in
     * 128 MiB units)), at most 125.
     */
    static int calculateNormalThreshold(int onlineCpus, long managedPages) {
        int mem = (int) (managedPages >> 15); // 27 - PAGE_SHIFT: 128 MiB of 4 KiB pages
        return Math.min(125, 2 * fls(onlineCpus) * (1 + fls(mem)));
    }

    /** fls(): the 1-based index of the most significant set bit, 0 for 0. */
    private static int fls(int x) {
        return 32 - Integer.numberOfLeadingZeros(x);
    }

    /** The first slot of {@code cpu}'s block ({@code nrCpus} for the no-CPU block). */
    int base(int cpu) {
        return PAD + cpu * STRIDE;
    }

    /** READ_ONCE of a slot another CPU may be updating. */
    long read(int slot) {
        return (long) SLOT.getOpaque(slots, slot);
    }
}
