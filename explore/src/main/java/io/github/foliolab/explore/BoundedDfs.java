package io.github.foliolab.explore;

import java.util.ArrayList;
import java.util.List;

/**
 * Bounded exhaustive search: a depth-first walk of the tree of scheduling choices, replaying each
 * schedule from the start, with at most {@code bound} preemptions per schedule (choosing another CPU
 * while the running one could continue; switching away from a CPU that blocked or finished is free).
 * Every distinct schedule within the bound is run exactly once (Musuvathi and Qadeer's iterative context
 * bounding, as in CHESS).
 *
 * <p>Sharded ({@link Shard}): the search counts the subtrees below the cut (the split depth plus one
 * decision per preemption still allowed) as it meets them (a new one whenever it backtracks to a decision
 * above the cut) and runs a subtree of another shard only down to the cut, where it ends the schedule
 * ({@link Strategy#PRUNE}): that run discovers the subtree's path so the walk can go on to its
 * neighbours, and the explorer neither counts nor judges it.
 */
public final class BoundedDfs implements Strategy {
    /** One branching decision on the current path. */
    private static final class Node {
        final int[] order;
        final boolean preemptive;
        final int preemptionsBefore;
        int choice;

        Node(int[] order, boolean preemptive, int preemptionsBefore) {
            this.order = order;
            this.preemptive = preemptive;
            this.preemptionsBefore = preemptionsBefore;
        }

        Node copy() {
            Node n = new Node(order, preemptive, preemptionsBefore);
            n.choice = choice;
            return n;
        }
    }

    /**
     * A subtree of the search, named by the branching decisions that lead to it (a path from the root,
     * each decision with the choices it had and the one taken): met by a probe ({@link #probed}), the root of a
     * search confined to it ({@link #BoundedDfs(int, Prefix)}). Immutable.
     */
    static final class Prefix {
        private final List<Node> nodes;

        private Prefix(List<Node> nodes) {
            this.nodes = nodes.stream().map(Node::copy).toList();
        }
    }

    private final int bound;
    /** The split depth (the cut without preemptions left; see {@link #beyondCut}); -1 for an unsplit search. */
    private final int splitDepth;
    /** The shard whose subtrees run in full; null with a split depth: every schedule is cut (a probe). */
    private final Shard shard;
    /** True if the tree is split (not for one shard of one: that is the whole tree). */
    private final boolean split;
    private final List<Node> path = new ArrayList<>();
    /** A probe's subtrees (see {@link #probed}) in the order met; null in any other search. */
    private final List<Prefix> probed;
    /** The decisions of {@link #path} that belong to the root prefix and are never changed (0: the whole tree). */
    private final int floor;
    /** The current schedule's subtree (0-based, depth-first order), and whether it is cut. */
    private long subtree;
    private boolean cut;
    /** Schedules cut (they had decisions below the cut). */
    private long cuts;
    private int depth;
    private int preemptions;
    private boolean started;

    /**
     * A search that allows at most {@code bound} preemptions per schedule.
     *
     * @param bound the preemption bound, at least 0
     */
    public BoundedDfs(int bound) {
        this(bound, -1, null);
    }

    /**
     * A search split at {@code splitDepth} that runs only {@code shard}'s subtrees in full, or, with a
     * null shard, cuts every schedule (counting the subtrees).
     */
    BoundedDfs(int bound, int splitDepth, Shard shard) {
        if (bound < 0) {
            throw new IllegalArgumentException("preemption bound must be >= 0, got " + bound);
        }
        this.bound = bound;
        this.splitDepth = splitDepth;
        this.shard = shard;
        this.split = splitDepth >= 0 && (shard == null || shard.count() > 1);
        this.floor = 0;
        this.probed = split && shard == null ? new ArrayList<>() : null;
    }

    /**
     * The search of one subtree: every schedule within the bound that begins with {@code root}'s decisions,
     * in the order the whole search runs them.
     */
    BoundedDfs(int bound, Prefix root) {
        this.bound = bound;
        this.splitDepth = -1;
        this.shard = null;
        this.split = false;
        for (Node n : root.nodes) {
            path.add(n.copy());
        }
        this.floor = path.size();
        this.probed = null;
    }

    /**
     * {@return the subtrees a probe met, in depth-first order} A probe (split, no shard) cuts every schedule
     * at the cut, so each schedule it ran is one subtree, named by that schedule's decisions.
     */
    List<Prefix> probed() {
        return probed == null ? List.of() : List.copyOf(probed);
    }

    /** True if the schedule just run belongs to another shard's subtree: it was cut and is not counted. */
    boolean outsideShard() {
        return cut;
    }

    /** {@return the split depth this search was made with (-1: not split)} */
    int splitDepth() {
        return splitDepth;
    }

    /** {@return the subtree (0-based, depth-first order) of the schedule just run} */
    long subtree() {
        return subtree;
    }

    /** {@return how many schedules were cut} */
    long cuts() {
        return cuts;
    }

    /** Per preemption still allowed, the cut is this many decisions deeper. */
    static final int DEPTH_PER_PREEMPTION = 1;

    /**
     * True if decision {@code i}, taken with {@code pre} preemptions before it, is at or below the cut:
     * {@code splitDepth} plus {@link #DEPTH_PER_PREEMPTION} per preemption the bound still allows. A
     * prefix that spent its preemptions leads to a small subtree, one that spent none to a large one: the
     * latter are cut deeper, so that the subtrees are nearer in size.
     */
    private boolean beyondCut(int i, int pre) {
        return split && i >= splitDepth + (long) DEPTH_PER_PREEMPTION * Math.max(0, bound - pre);
    }

    /** True if the decision at {@code path[j]} is above the cut: changing it starts a new subtree. */
    private boolean aboveCut(int j) {
        if (!split) {
            return false;
        }
        for (int i = 0; i <= j; i++) {
            if (beyondCut(i, path.get(i).preemptionsBefore)) {
                return false;
            }
        }
        return true;
    }

    private void enterSubtree(long s) {
        subtree = s;
        cut = split && (shard == null || !shard.owns(s));
    }

    @Override
    public boolean nextSchedule() {
        if (started && probed != null) {
            probed.add(new Prefix(path)); // the path of the schedule just run, before backtracking changes it
        }
        depth = 0;
        preemptions = 0;
        if (!started) {
            started = true;
            enterSubtree(0);
            return true;
        }
        while (path.size() > floor) {
            Node last = path.get(path.size() - 1);
            int cost = last.preemptive ? 1 : 0;
            if (last.choice + 1 < last.order.length && last.preemptionsBefore + cost <= bound) {
                last.choice++;
                if (aboveCut(path.size() - 1)) {
                    enterSubtree(subtree + 1); // a new choice above the cut: the next subtree
                }
                return true;
            }
            path.remove(path.size() - 1);
        }
        return false;
    }

    @Override
    public int choose(Decision d) {
        if (cut && beyondCut(depth, preemptions)) {
            cuts++;
            return PRUNE; // the subtree's path down to the cut is known: the rest is another shard's
        }
        Node node;
        if (depth < path.size()) {
            node = path.get(depth);
            if (node.order.length != d.enabled().length) {
                throw new IllegalStateException("scenario is not deterministic: decision " + d.index()
                        + " had " + node.order.length + " choices on an earlier run, now " + d.enabled().length);
            }
        } else {
            int[] order = new int[d.enabled().length];
            int k = 0;
            if (d.current() >= 0) {
                order[k++] = d.current();
            }
            for (int c : d.enabled()) {
                if (c != d.current()) order[k++] = c;
            }
            node = new Node(order, d.current() >= 0, preemptions);
            path.add(node);
        }
        depth++;
        int c = node.order[node.choice];
        if (node.choice > 0 && node.preemptive) {
            preemptions++;
        }
        return c;
    }

    @Override
    public String describe() {
        return "exhaustive search: every schedule with at most " + bound + " preemption" + (bound == 1 ? "" : "s")
                + (shard == null ? "" : "; shard " + shard + ": its subtrees of the split at decision depth " + splitDepth);
    }

    @Override
    public boolean exhaustive() {
        return true;
    }
}
