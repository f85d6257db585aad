package io.github.foliolab.folio;

import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.VmEventItem;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.folio.api.ZoneType;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The vmstat counters of one node: node_stat_item, zone_stat_item per zone, and vm_event_item.
 *
 * <p>Model difference: the kernel keeps per-CPU deltas folded into the global counters at thresholds
 * (and on stat_refresh); here every update goes straight to an exact atomic counter, so a read always
 * sees what /proc/vmstat shows after writing /proc/sys/vm/stat_refresh. Counter updates are not schedule
 * points: no kernel race depends on their timing.
 */
public final class VmStat {
    private static final ZoneStatItem[] ZONE_ITEMS = ZoneStatItem.values();
    private static final NodeStatItem[] NODE_ITEMS = NodeStatItem.values();
    private static final VmEventItem[] EVENTS = VmEventItem.values();
    private static final int NR_ZONES = ZoneType.values().length;

    private final AtomicLongArray node = new AtomicLongArray(NODE_ITEMS.length);
    private final AtomicLongArray zone = new AtomicLongArray(NR_ZONES * ZONE_ITEMS.length);
    private final AtomicLongArray events = new AtomicLongArray(EVENTS.length);

    /**
     * mod_node_page_state() / __mod_node_page_state().
     *
     * @param item the counter
     * @param delta the amount to add (negative to subtract)
     */
    public void modNode(NodeStatItem item, long delta) {
        node.getAndAdd(item.ordinal(), delta); // relaxed counter in the kernel; exact here
    }

    /**
     * mod_zone_page_state().
     *
     * @param z the zone
     * @param item the counter
     * @param delta the amount to add (negative to subtract)
     */
    public void modZone(ZoneType z, ZoneStatItem item, long delta) {
        zone.getAndAdd(z.ordinal() * ZONE_ITEMS.length + item.ordinal(), delta);
    }

    /** count_vm_events(). */
    public void countEvents(VmEventItem item, long n) {
        events.getAndAdd(item.ordinal(), n);
    }

    /**
     * count_vm_event().
     *
     * @param item the counter
     */
    public void countEvent(VmEventItem item) {
        events.getAndIncrement(item.ordinal());
    }

    /**
     * node_page_state().
     *
     * @param item the counter
     */
    public long node(NodeStatItem item) {
        return node.get(item.ordinal());
    }

    /**
     * zone_page_state().
     *
     * @param z the zone
     * @param item the counter
     */
    public long zone(ZoneType z, ZoneStatItem item) {
        return zone.get(z.ordinal() * ZONE_ITEMS.length + item.ordinal());
    }

    /**
     * global_zone_page_state(): summed over the zones.
     *
     * @param item the counter
     */
    public long zoneSum(ZoneStatItem item) {
        long s = 0;
        for (int z = 0; z < NR_ZONES; z++) {
            s += zone.get(z * ZONE_ITEMS.length + item.ordinal());
        }
        return s;
    }

    /**
     * {@return the value of an event counter}
     *
     * @param item the counter
     */
    public long event(VmEventItem item) {
        return events.get(item.ordinal());
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

    /** /proc/vmstat: "name value" lines, zone items (summed), node items, then events, kernel order. */
    public List<String> procVmstat() {
        List<String> out = new ArrayList<>();
        for (ZoneStatItem i : ZONE_ITEMS) out.add(i.procName() + " " + zoneSum(i));
        for (NodeStatItem i : NODE_ITEMS) out.add(i.procName() + " " + node(i));
        for (VmEventItem i : EVENTS) out.add(i.procName() + " " + event(i));
        return out;
    }
}
