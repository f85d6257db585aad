package io.github.foliolab.explore;

import java.util.List;

/**
 * What one shard of a bounded exhaustive search found ({@link Explorer#exploreShard}), with what
 * {@link ShardMerge} needs to combine the shards into one search's result. {@code explore SCENARIO --shard
 * K/N --json-out FILE} writes it as JSON ({@link ShardJson}), which {@code explore merge} reads back.
 *
 * @param result           the shard's own result: its verdict, its schedule count, its first violation (or
 *                         accepted outcome) with schedule and trace (no trace when read back from JSON)
 * @param shard            which shard
 * @param options          the search's options (strategy {@code dfs}, preemption bound, invariants, step
 *                         limit, schedule budget per shard)
 * @param splitDepth       the number of branching decisions above the split (0: one subtree, the whole tree)
 * @param subtrees         the number of subtrees at the split depth, over all shards
 * @param ran              the subtrees this shard ran, in order (ascending index), with their counts
 * @param endStates        the distinct outcomes this shard reached ({@link Explorer.Outcomes}' strings:
 *                         end states with accepted behaviour, or violations without step numbers)
 * @param violationSubtree the subtree of the shard's violation, or -1
 * @param acceptedSubtree  the subtree of the shard's first accepted outcome, or -1
 */
public record ShardResult(Result result, Shard shard, Options options, int splitDepth, long subtrees,
                          List<Subtree> ran, List<String> endStates, long violationSubtree, long acceptedSubtree) {
    /**
     * One subtree a shard ran.
     *
     * @param index     its number among all subtrees, 0-based, in depth-first order
     * @param schedules the schedules run in it (up to and including a violation that stopped the shard)
     * @param states    the outcomes reached in it, as indexes into {@link ShardResult#endStates()}
     */
    public record Subtree(long index, long schedules, List<Integer> states) {}

    /** {@return true if this shard ran out of its schedule budget (neither a violation nor exhausted)} */
    public boolean budgetReached() {
        return !result.violated() && !result.exhausted();
    }
}
