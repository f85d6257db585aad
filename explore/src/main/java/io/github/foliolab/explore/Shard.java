package io.github.foliolab.explore;

/**
 * One of {@code count} independent parts of a bounded exhaustive search ({@code explore --shard K/N}).
 *
 * <p>The tree of scheduling choices is cut at a <em>split depth</em> d: every schedule belongs to the
 * subtree named by its branching decisions above the cut, which lies d decisions deep plus one decision
 * per preemption the bound still allows there (decision i is below the cut once i is at least d + bound -
 * preemptions before i; a schedule with fewer decisions is a subtree of its own). A prefix that spent no
 * preemption leads to a far larger subtree than one that spent them all, so it is cut deeper. The subtrees
 * are numbered in the order an unsharded depth-first search reaches them (0, 1, 2, ...), and subtree i
 * belongs to shard {@code i % count + 1} (round-robin, so that neighbouring subtrees, which are alike in
 * size, land in different shards). d is the smallest depth that gives at least
 * {@link #SUBTREES_PER_SHARD}{@code  * count} subtrees (or the whole tree, if it has fewer schedules); every
 * shard finds it the same way, by enumerating the tree down to the cut with schedules cut there. So the
 * partition depends only on the scenario, variant, preemption bound, invariants and the number of shards,
 * never on timing or on the machine, and the shards together run exactly the schedules of one unsharded
 * search. One shard ({@code 1/1}) is the whole tree, not split. Only {@code dfs} can be sharded (see
 * {@link Explorer#exploreShard}).
 *
 * @param index the shard's number K, 1 to {@code count}
 * @param count the number of shards N, at least 1
 */
public record Shard(int index, int count) {
    /** The split depth is the first at which there are at least this many subtrees per shard. */
    public static final int SUBTREES_PER_SHARD = 32;

    /**
     * Checks the shard's number against the count.
     *
     * @throws IllegalArgumentException if {@code count < 1} or {@code index} is not in 1..{@code count}
     */
    public Shard {
        if (count < 1) {
            throw new IllegalArgumentException("the number of shards must be at least 1, got " + count);
        }
        if (index < 1 || index > count) {
            throw new IllegalArgumentException("shard " + index + " is out of range 1.." + count);
        }
    }

    /**
     * Parse {@code K/N} (shard K of N).
     *
     * @param spec the text, for example {@code 2/8}
     * @return the shard
     * @throws IllegalArgumentException if the text is not two whole numbers {@code K/N} with 1 ≤ K ≤ N
     */
    public static Shard parse(String spec) {
        int slash = spec == null ? -1 : spec.indexOf('/');
        if (slash < 0 || !spec.substring(0, slash).matches("[0-9]{1,9}") || !spec.substring(slash + 1).matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("needs K/N (shard K of N, 1 <= K <= N), not \"" + spec + "\"");
        }
        return new Shard(Integer.parseInt(spec.substring(0, slash)), Integer.parseInt(spec.substring(slash + 1)));
    }

    /** {@return true if subtree {@code subtree} (0-based, in depth-first order) belongs to this shard} */
    boolean owns(long subtree) {
        return subtree % count == index - 1;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
