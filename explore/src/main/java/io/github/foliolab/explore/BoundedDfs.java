package io.github.foliolab.explore;

import java.util.ArrayList;
import java.util.List;

/**
 * Bounded exhaustive search: a depth-first walk of the tree of scheduling choices, replaying each
 * schedule from the start, with at most {@code bound} preemptions per schedule (choosing another CPU
 * while the running one could continue; switching away from a CPU that blocked or finished is free).
 * Every distinct schedule within the bound is run exactly once (Musuvathi and Qadeer's iterative context
 * bounding, as in CHESS).
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
    }

    private final int bound;
    private final List<Node> path = new ArrayList<>();
    private int depth;
    private int preemptions;
    private boolean started;

    /**
     * A search that allows at most {@code bound} preemptions per schedule.
     *
     * @param bound the preemption bound, at least 0
     */
    public BoundedDfs(int bound) {
        if (bound < 0) {
            throw new IllegalArgumentException("preemption bound must be >= 0, got " + bound);
        }
        this.bound = bound;
    }

    @Override
    public boolean nextSchedule() {
        depth = 0;
        preemptions = 0;
        if (!started) {
            started = true;
            return true;
        }
        while (!path.isEmpty()) {
            Node last = path.get(path.size() - 1);
            int cost = last.preemptive ? 1 : 0;
            if (last.choice + 1 < last.order.length && last.preemptionsBefore + cost <= bound) {
                last.choice++;
                return true;
            }
            path.remove(path.size() - 1);
        }
        return false;
    }

    @Override
    public int choose(Decision d) {
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
        return "exhaustive search: every schedule with at most " + bound + " preemption" + (bound == 1 ? "" : "s");
    }

    @Override
    public boolean exhaustive() {
        return true;
    }
}
