package io.github.foliolab.folio;

import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.ZoneStatItem;
import io.github.foliolab.folio.api.ZoneType;
import io.github.foliolab.folio.api.sched.SchedOp;

/**
 * The schedule points of the vmstat counters: only the fold of a per-CPU delta into the node's shared
 * counters (zone_page_state_add / node_page_state_add in include/linux/vmstat.h, an atomic_long_add on
 * zone->vm_stat and vm_zone_stat). Updates of a CPU's own delta are CPU-local and are not schedule
 * points. The point's {@code arg} is the counter's item ordinal (zone_stat_item or node_stat_item),
 * its {@code id} the amount folded.
 */
public enum VmStatOp implements SchedOp {
    /** zone_page_state_add() (include/linux/vmstat.h): a delta folded into a zone counter and vm_zone_stat. */
    ZONE_PAGE_STATE_ADD("zone_page_state_add"),
    /** node_page_state_add() (include/linux/vmstat.h): a delta folded into a node counter and vm_node_stat. */
    NODE_PAGE_STATE_ADD("node_page_state_add");

    private static final ZoneStatItem[] ZONE_ITEMS = ZoneStatItem.values();
    private static final NodeStatItem[] NODE_ITEMS = NodeStatItem.values();

    private final String kernelName;

    VmStatOp(String kernelName) {
        this.kernelName = kernelName;
    }

    @Override
    public String kernelName() {
        return kernelName;
    }

    @Override
    public Subject subject() {
        return Subject.NONE;
    }

    /** An atomic_long_add on a shared counter (no subject: partial-order reduction treats it as touching anything). */
    @Override
    public Kind kind() {
        return Kind.WRITE;
    }

    /**
     * The counter the fold adds to, as a machine-wide word: a zone item (arg: zone index times the
     * number of zone items, plus the item) or a node item. Two folds commute with each other and with
     * every step that does not read the counter; no explored step reads a counter (the readers are the
     * invariants and end checks), so only folds of one counter are ordered.
     */
    @Override
    public int part(long arg) {
        return SchedOp.word(this == ZONE_PAGE_STATE_ADD ? 1 + (int) arg : 256 + (int) arg);
    }

    /**
     * The call as a trace prints it, naming the counter folded into: {@code zone_page_state_add(nr_mlock)},
     * with the zone when it is not the first ({@code zone_page_state_add(nr_mlock, Movable)}). A zone
     * counter's {@code arg} is the zone's ordinal times the number of zone items plus the item's ordinal.
     */
    @Override
    public String callName(long arg) {
        if (this == NODE_PAGE_STATE_ADD) {
            return kernelName + "(" + NODE_ITEMS[(int) arg].procName() + ")";
        }
        int zone = (int) (arg / ZONE_ITEMS.length);
        String item = ZONE_ITEMS[(int) (arg % ZONE_ITEMS.length)].procName();
        return kernelName + "(" + item + (zone == 0 ? "" : ", " + ZoneType.values()[zone].kernelName()) + ")";
    }
}
