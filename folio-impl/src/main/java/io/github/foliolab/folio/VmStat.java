package io.github.foliolab.folio;

import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.folio.api.ZoneType;
import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.cpu.Cpu;
import io.github.foliolab.folio.cpu.Cpus;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

import static io.github.foliolab.folio.VmStatPerCpu.EVENT_BASE;
import static io.github.foliolab.folio.VmStatPerCpu.NODE_BASE;
import static io.github.foliolab.folio.VmStatPerCpu.NR_ZONES;
import static io.github.foliolab.folio.VmStatPerCpu.NR_ZONE_ITEMS;
import static io.github.foliolab.folio.VmStatPerCpu.SLOT;

/**
 * The vmstat counters of one node (mm/vmstat.c): node_stat_item, zone_stat_item per zone, and
 * vm_event_item.
 *
 * <p>As in the kernel, an update from a CPU goes to that CPU's delta (vm_stat_diff /
 * vm_node_stat_diff), which is folded into the node's shared counters (zone->vm_stat, pgdat->vm_stat)
 * only when it passes the CPU's stat_threshold (calculate_normal_threshold: it grows with the CPU count
 * and the zone size, at most 125); event counters (count_vm_event) are per-CPU only and summed when read.
 * The per-CPU deltas exist once {@link #attachCpus} has run (the {@link Machine} does it); until then, and
 * for a thread that runs on no simulated CPU, an update goes straight to the shared counter.
 *
 * <p>Reads are exact: the shared counter plus every CPU's delta, i.e. what /proc/vmstat shows after
 * writing /proc/sys/vm/stat_refresh (zone_page_state_snapshot()'s sum). {@link #nodeFolded} and
 * {@link #zoneFolded} give the shared part alone (node_page_state(), zone_page_state()).
 *
 * <p>Schedule points: a fold (zone_page_state_add / node_page_state_add, {@link VmStatOp}) is one, taken
 * before anything changes; the update of a CPU's own delta is CPU-local and is not.
 *
 * <p>Model differences: the per-CPU deltas are longs, not s8; there is no vmstat_update work folding the
 * deltas every second (no reader needs it: reads add them); the thresholds are not lowered under memory
 * pressure (calculate_pressure_threshold). mod_zone_page_state() updates its CPU's delta with a
 * compare-and-swap (the kernel's this_cpu_try_cmpxchg), because two Java threads may run on one simulated
 * CPU (a task and that CPU's kworker), where the kernel would have disabled interrupts.
 */
public final class VmStat {
    private static final ZoneStatItem[] ZONE_ITEMS = ZoneStatItem.values();
    private static final NodeStatItem[] NODE_ITEMS = NodeStatItem.values();
    private static final VmEventItem[] EVENTS = VmEventItem.values();

    /** Counters all zero and no CPUs attached yet; each {@link Node} makes its own. */
    VmStat() {}

    /** pgdat->vm_stat (= vm_node_stat: one node): the folded part. */
    private final AtomicLongArray node = new AtomicLongArray(NODE_ITEMS.length);
    /** zone->vm_stat of each zone (vm_zone_stat is their sum): the folded part. */
    private final AtomicLongArray zone = new AtomicLongArray(NR_ZONES * NR_ZONE_ITEMS);
    /**
     * The per-CPU deltas and events; replaced once, by {@link #attachCpus}, before the machine's CPUs run
     * (volatile: the replacement is published to every later reader).
     */
    private volatile VmStatPerCpu pcp = new VmStatPerCpu(null, new long[NR_ZONES]);

    /**
     * Bring the machine's CPUs online: give each its deltas and set the thresholds from the zones' sizes
     * (refresh_zone_stat_thresholds()). The managed pages of a zone are the pages its buddy allocator
     * holds now: call this before anything is allocated.
     *
     * @param cpus the machine's CPUs, each given its own deltas
     * @param owner the node whose zones set the thresholds
     * @throws IllegalStateException if the CPUs are already attached
     */
    public synchronized void attachCpus(Cpus cpus, Node owner) {
        VmStatPerCpu old = pcp;
        if (old.cpus != null) {
            throw new IllegalStateException("vmstat CPUs already attached (" + old.nrCpus + ")");
        }
        long[] managed = new long[NR_ZONES];
        for (ZoneType z : ZoneType.values()) {
            managed[z.ordinal()] = owner.zone(z).freePages();
        }
        VmStatPerCpu next = new VmStatPerCpu(cpus, managed);
        // Events counted so far on no CPU carry over to the new no-CPU block.
        int from = old.base(0) + EVENT_BASE;
        int to = next.base(next.nrCpus) + EVENT_BASE;
        for (int e = 0; e < EVENTS.length; e++) {
            next.slots[to + e] = old.read(from + e);
        }
        pcp = next;
    }

    /**
     * stat_threshold of {@code z}'s per-CPU deltas (0 before {@link #attachCpus} or for an empty zone).
     *
     * @param z the zone type
     * @return the per-CPU delta threshold, in pages: a delta beyond it is folded into the zone's counter
     */
    public int statThreshold(ZoneType z) {
        return pcp.zoneThreshold[z.ordinal()];
    }

    /**
     * stat_threshold of the node's per-CPU deltas.
     *
     * @return the per-CPU delta threshold of the node's counters, in pages
     */
    public int nodeStatThreshold() {
        return pcp.nodeThreshold;
    }

    /**
     * The calling thread's CPU number for {@link #modZoneLocked} / {@link #modNodeLocked}
     * (smp_processor_id()), or -1 if it runs on no simulated CPU, or on another machine's.
     *
     * @return the CPU id, or -1 off the machine's CPUs
     */
    public int localCpu() {
        return cpuOf(pcp);
    }

    private static int cpuOf(VmStatPerCpu p) {
        if (!Cpu.onCpu()) {
            return -1;
        }
        Cpu c = Cpu.current();
        return c.owner() == p.cpus ? c.id() : -1;
    }

    // ------------------------------------------------------------ updates

    /**
     * mod_node_page_state().
     *
     * @param item the node counter
     * @param delta the change, in pages (negative to decrease)
     */
    public void modNode(NodeStatItem item, long delta) {
        VmStatPerCpu p = pcp;
        int i = item.ordinal();
        modState(p, cpuOf(p), NODE_BASE + i, p.nodeThreshold, node, i, VmStatOp.NODE_PAGE_STATE_ADD, delta);
    }

    /**
     * mod_zone_page_state().
     *
     * @param z the zone
     * @param item the counter
     * @param delta the amount to add (negative to subtract)
     */
    public void modZone(ZoneType z, ZoneStatItem item, long delta) {
        VmStatPerCpu p = pcp;
        int i = z.ordinal() * NR_ZONE_ITEMS + item.ordinal();
        modState(p, cpuOf(p), i, p.zoneThreshold[z.ordinal()], zone, i, VmStatOp.ZONE_PAGE_STATE_ADD, delta);
    }

    /**
     * mod_zone_state() / mod_node_state() with this_cpu_try_cmpxchg: add to the CPU's delta; if the sum
     * passes the threshold, fold all of it into the shared counter and leave the delta 0.
     */
    private static void modState(VmStatPerCpu p, int cpu, int offset, int threshold, AtomicLongArray shared,
                                 int item, VmStatOp op, long delta) {
        if (cpu < 0) {
            fold(shared, item, op, delta);
            return;
        }
        long[] s = p.slots;
        int slot = p.base(cpu) + offset;
        long o = (long) SLOT.getOpaque(s, slot); // this_cpu_read
        for (;;) {
            long n = o + delta;
            long z = 0;
            if (Math.abs(n) > threshold) {
                z = n;
                n = 0;
                SchedPoints.before(op, z, item); // the fold, before anything changes
            }
            // this_cpu_try_cmpxchg: atomic against other threads on this simulated CPU, with no ordering
            // needed towards other CPUs (Java's witness CAS is volatile; on x86 the same instruction).
            long w = (long) SLOT.compareAndExchange(s, slot, o, n);
            if (w == o) {
                if (z != 0) {
                    shared.getAndAdd(item, z); // atomic_long_add (relaxed in the kernel; SC here)
                }
                return;
            }
            o = w;
        }
    }

    /** zone_page_state_add() / node_page_state_add(): a schedule point, then the shared atomic add. */
    private static void fold(AtomicLongArray shared, int item, VmStatOp op, long delta) {
        if (delta != 0) {
            SchedPoints.before(op, delta, item);
            shared.getAndAdd(item, delta); // atomic_long_add (relaxed in the kernel; SC here)
        }
    }

    /**
     * __mod_zone_page_state() on {@code cpu} ({@link #localCpu()}): add to that CPU's delta with a plain
     * read and write, folding at the threshold. The caller provides the exclusion the kernel gets from
     * disabled interrupts: every update of this counter is made under one lock the caller holds (the
     * LRU sizes: lru_lock), so no other thread can be updating the same delta.
     *
     * @param cpu the caller's CPU ({@link #localCpu()}), or -1 to fold directly
     * @param z the zone type
     * @param item the zone counter
     * @param delta the change, in pages (negative to decrease)
     */
    public void modZoneLocked(int cpu, ZoneType z, ZoneStatItem item, long delta) {
        VmStatPerCpu p = pcp;
        int i = z.ordinal() * NR_ZONE_ITEMS + item.ordinal();
        modStateLocked(p, cpu, i, p.zoneThreshold[z.ordinal()], zone, i, VmStatOp.ZONE_PAGE_STATE_ADD, delta);
    }

    /**
     * __mod_node_page_state(); the same exclusion as {@link #modZoneLocked}.
     *
     * @param cpu the caller's CPU ({@link #localCpu()}), or -1 to fold directly
     * @param item the node counter
     * @param delta the change, in pages (negative to decrease)
     */
    public void modNodeLocked(int cpu, NodeStatItem item, long delta) {
        VmStatPerCpu p = pcp;
        int i = item.ordinal();
        modStateLocked(p, cpu, NODE_BASE + i, p.nodeThreshold, node, i, VmStatOp.NODE_PAGE_STATE_ADD, delta);
    }

    private static void modStateLocked(VmStatPerCpu p, int cpu, int offset, int threshold, AtomicLongArray shared,
                                       int item, VmStatOp op, long delta) {
        if (cpu < 0 || cpu >= p.nrCpus) {
            fold(shared, item, op, delta);
            return;
        }
        long[] s = p.slots;
        int slot = p.base(cpu) + offset;
        long x = s[slot] + delta; // __this_cpu_read: only the lock holder writes this delta
        if (Math.abs(x) > threshold) {
            fold(shared, item, op, x);
            x = 0;
        }
        SLOT.setOpaque(s, slot, x); // __this_cpu_write; opaque for the readers that sum the deltas
    }

    /**
     * count_vm_events(): this CPU's counter (this_cpu_add).
     *
     * @param item the event counter
     * @param n the number of events, not negative
     */
    public void countEvents(VmEventItem item, long n) {
        VmStatPerCpu p = pcp;
        int cpu = cpuOf(p);
        // this_cpu_add: atomic against other threads on this simulated CPU (and on the shared no-CPU
        // block); unordered in the kernel, a volatile add here (on x86 the same instruction).
        SLOT.getAndAdd(p.slots, p.base(cpu < 0 ? p.nrCpus : cpu) + EVENT_BASE + item.ordinal(), n);
    }

    /**
     * count_vm_event().
     *
     * @param item the counter
     */
    public void countEvent(VmEventItem item) {
        countEvents(item, 1);
    }

    // ------------------------------------------------------------ reads

    /** The folded part plus every CPU's delta (racy reads of the deltas; exact when no update is in flight). */
    private static long sum(VmStatPerCpu p, AtomicLongArray shared, int item, int offset) {
        long v = shared.get(item);
        for (int cpu = 0; cpu < p.nrCpus; cpu++) {
            v += p.read(p.base(cpu) + offset);
        }
        return v;
    }

    /**
     * A node counter as /proc/vmstat shows it after stat_refresh (node_page_state() of a refreshed node).
     *
     * @param item the node counter
     * @return the folded value plus every CPU's delta, in pages (or the item's unit)
     */
    public long node(NodeStatItem item) {
        return sum(pcp, node, item.ordinal(), NODE_BASE + item.ordinal());
    }

    /**
     * A zone counter as /proc/zoneinfo shows it after stat_refresh.
     *
     * @param z the zone type
     * @param item the zone counter
     * @return the folded value plus every CPU's delta, in pages
     */
    public long zone(ZoneType z, ZoneStatItem item) {
        int i = z.ordinal() * NR_ZONE_ITEMS + item.ordinal();
        return sum(pcp, zone, i, i);
    }

    /**
     * global_zone_page_state() after stat_refresh: summed over the zones.
     *
     * @param item the zone counter
     * @return the counter summed over the node's zones, with every CPU's delta, in pages
     */
    public long zoneSum(ZoneStatItem item) {
        VmStatPerCpu p = pcp;
        long s = 0;
        for (int z = 0; z < NR_ZONES; z++) {
            int i = z * NR_ZONE_ITEMS + item.ordinal();
            s += sum(p, zone, i, i);
        }
        return s;
    }

    /**
     * node_page_state(): the folded part only, without the CPUs' deltas.
     *
     * @param item the node counter
     * @return the folded value, in pages; it may lag the true value by up to the threshold per CPU
     */
    public long nodeFolded(NodeStatItem item) {
        return node.get(item.ordinal());
    }

    /**
     * zone_page_state() (not clamped at 0): the folded part only.
     *
     * @param z the zone type
     * @param item the zone counter
     * @return the folded value, in pages, possibly negative while CPUs hold deltas
     */
    public long zoneFolded(ZoneType z, ZoneStatItem item) {
        return zone.get(z.ordinal() * NR_ZONE_ITEMS + item.ordinal());
    }

    /**
     * An event counter summed over the CPUs (all_vm_events()).
     *
     * @param item the event counter
     * @return the number of events counted since boot
     */
    public long event(VmEventItem item) {
        VmStatPerCpu p = pcp;
        long v = 0;
        for (int cpu = 0; cpu <= p.nrCpus; cpu++) {
            v += p.read(p.base(cpu) + EVENT_BASE + item.ordinal());
        }
        return v;
    }

    /**
     * {@return the value of any counter by its /proc/vmstat name, or throws for an unknown name}
     *
     * @param procName the /proc/vmstat name
     */
    public long byName(String procName) {
        for (ZoneStatItem i : ZONE_ITEMS) {
            if (i.procName().equals(procName)) return zoneSum(i);
        }
        for (NodeStatItem i : NODE_ITEMS) {
            if (i.procName().equals(procName)) return node(i);
        }
        for (VmEventItem i : EVENTS) {
            if (i.procName().equals(procName)) return event(i);
        }
        throw new IllegalArgumentException("no vmstat counter named " + procName);
    }

    /**
     * /proc/vmstat: "name value" lines, zone items (summed), node items, then events, kernel order.
     *
     * @return one {@code "name value"} line per counter
     */
    public List<String> procVmstat() {
        List<String> out = new ArrayList<>();
        for (ZoneStatItem i : ZONE_ITEMS) out.add(i.procName() + " " + zoneSum(i));
        for (NodeStatItem i : NODE_ITEMS) out.add(i.procName() + " " + node(i));
        for (VmEventItem i : EVENTS) out.add(i.procName() + " " + event(i));
        return out;
    }

    /** Save the folded counters and every CPU's deltas and events (a {@link Machine#checkpoint()}). */
    Runnable save() {
        long[] n = new long[node.length()];
        long[] z = new long[zone.length()];
        for (int i = 0; i < n.length; i++) n[i] = node.get(i);
        for (int i = 0; i < z.length; i++) z[i] = zone.get(i);
        VmStatPerCpu p = pcp;
        long[] slots = p.slots.clone();
        // Plain stores: a restore runs while no CPU runs; whatever hands the machine to a CPU next publishes them.
        return () -> {
            for (int i = 0; i < n.length; i++) node.setPlain(i, n[i]);
            for (int i = 0; i < z.length; i++) zone.setPlain(i, z[i]);
            System.arraycopy(slots, 0, p.slots, 0, slots.length);
        };
    }
}
