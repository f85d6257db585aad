package io.github.foliolab.explore;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Combines the shards 1..N of one sharded search ({@link Explorer#exploreShard}, {@code explore merge
 * FILE...}) into what one unsharded search reports. The subtrees are numbered in the unsharded
 * depth-first order and each shard runs its own in that order, so the unsharded search's first violation
 * is the violation in the lowest-numbered subtree; the unsharded search would have run every schedule of
 * the subtrees before it and those of that subtree up to the violation, which is what the merged counts
 * add up. Without a violation the merged counts are the sums over all shards, and the accepted outcome
 * shown is the one in the lowest-numbered subtree, as one search would show it.
 */
public final class ShardMerge {
    private ShardMerge() {}

    /**
     * The merged result.
     *
     * @param result        what one unsharded search reports: verdict, total schedules, whether the bound
     *                      was exhausted, the first violation (or accepted outcome) and its schedule; no trace
     *                      (replay the schedule for the table)
     * @param endStates     the distinct outcomes over the schedules counted in {@code result}
     * @param shards        the shards, ordered by K
     * @param budgetReached true if some shard ran out of its schedule budget: the counts are then only those
     *                      of the schedules the shards ran, not those of one search
     */
    public record Merged(Result result, SortedSet<String> endStates, List<ShardResult> shards, boolean budgetReached) {}

    /**
     * Merge the results of shards 1..N of one search.
     *
     * @param shards every shard's result, in any order
     * @return the merged result
     * @throws IllegalArgumentException (with a one-line message) if the list is empty, the shards come from
     *                                  different scenarios, variants, options, numbers of shards or splits,
     *                                  a shard is given twice, or one is missing
     */
    public static Merged merge(List<ShardResult> shards) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no shard outputs to merge");
        }
        ShardResult first = shards.get(0);
        int n = first.shard().count();
        ShardResult[] byIndex = new ShardResult[n];
        for (ShardResult s : shards) {
            String k = "shard " + s.shard();
            String k0 = "shard " + first.shard();
            if (!s.result().scenario().equals(first.result().scenario()) || !s.result().variant().equals(first.result().variant())) {
                throw new IllegalArgumentException(k + " is of " + where(s) + ", " + k0 + " of " + where(first)
                        + ": not shards of one search");
            }
            if (s.shard().count() != n) {
                throw new IllegalArgumentException(k + " is one of " + s.shard().count() + " shards, " + k0 + " one of " + n);
            }
            if (!options(s).equals(options(first))) {
                throw new IllegalArgumentException(k + " ran with " + options(s) + ", " + k0 + " with " + options(first)
                        + ": not shards of one search");
            }
            if (s.splitDepth() != first.splitDepth() || s.subtrees() != first.subtrees()) {
                throw new IllegalArgumentException(k + " split the search into " + s.subtrees() + " subtrees below depth "
                        + s.splitDepth() + ", " + k0 + " into " + first.subtrees() + " below depth " + first.splitDepth()
                        + " (different FolioLab versions or scenario code?)");
            }
            for (ShardResult.Subtree t : s.ran()) {
                if (!s.shard().owns(t.index())) {
                    throw new IllegalArgumentException(k + " lists subtree " + t.index() + ", which belongs to shard "
                            + (t.index() % n + 1) + "/" + n);
                }
            }
            if (byIndex[s.shard().index() - 1] != null) {
                throw new IllegalArgumentException(k + " is given twice");
            }
            byIndex[s.shard().index() - 1] = s;
        }
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (byIndex[i] == null) missing.add(i + 1);
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException((missing.size() == 1 ? "shard " : "shards ")
                    + String.join(", ", missing.stream().map(String::valueOf).toList()) + " of " + n + " missing");
        }
        List<ShardResult> ordered = List.of(byIndex);
        ShardResult violating = ordered.stream().filter(s -> s.result().violated())
                .min(Comparator.comparingLong(ShardResult::violationSubtree)).orElse(null);
        long limit = violating == null ? Long.MAX_VALUE : violating.violationSubtree();
        long schedules = 0;
        SortedSet<String> states = new TreeSet<>();
        for (ShardResult s : ordered) {
            for (ShardResult.Subtree t : s.ran()) {
                if (t.index() <= limit) {
                    schedules += t.schedules();
                    t.states().forEach(i -> states.add(s.endStates().get(i)));
                }
            }
        }
        boolean budget = ordered.stream().anyMatch(ShardResult::budgetReached);
        String strategy = new BoundedDfs(first.options().bound()).describe() + "; merged from " + n + " shard"
                + (n == 1 ? "" : "s") + " (" + first.subtrees() + " subtree" + (first.subtrees() == 1 ? "" : "s")
                + " below decision depth " + first.splitDepth() + ")";
        String scenario = first.result().scenario();
        String variant = first.result().variant();
        Result r;
        if (violating != null) {
            r = new Result(scenario, variant, Result.Verdict.VIOLATION, schedules, false, strategy,
                    violating.result().schedule(), violating.result().message(), null, 0);
        } else {
            ShardResult accepted = ordered.stream().filter(s -> s.result().verdict() == Result.Verdict.ACCEPTED)
                    .min(Comparator.comparingLong(ShardResult::acceptedSubtree)).orElse(null);
            r = accepted != null
                    ? new Result(scenario, variant, Result.Verdict.ACCEPTED, schedules, !budget, strategy,
                    accepted.result().schedule(), accepted.result().message(), null, 0)
                    : new Result(scenario, variant, Result.Verdict.NO_VIOLATION, schedules, !budget, strategy, null, null, null, 0);
        }
        return new Merged(r, states, ordered, budget);
    }

    /**
     * Prints a merged result the way {@code explore merge} does: the scenario and strategy, one line per
     * shard (its schedules, subtrees and verdict), the merged verdict line ({@link Result#verdictLine}),
     * the number of distinct end states, a note if some shard ran out of its budget, and the schedule to
     * replay the first violation or accepted outcome.
     *
     * @param m   a result of {@link #merge}
     * @param out where the lines go
     */
    public static void print(Merged m, PrintStream out) {
        Result r = m.result();
        ShardResult first = m.shards().get(0);
        out.println("scenario: " + r.scenario() + " [" + r.variant() + "]");
        out.println("strategy: " + r.strategy());
        out.println(Explorer.MODEL_NOTE);
        for (ShardResult s : m.shards()) {
            Result sr = s.result();
            out.println("  shard " + s.shard() + ": " + sr.schedules() + " schedule" + (sr.schedules() == 1 ? "" : "s")
                    + " in " + s.ran().size() + " subtree" + (s.ran().size() == 1 ? "" : "s") + ", "
                    + switch (sr.verdict()) {
                        case VIOLATION -> "violation (schedule " + sr.schedule() + ", subtree " + s.violationSubtree() + ")";
                        case ACCEPTED -> "accepted behaviour reached (schedule " + sr.schedule() + ")";
                        case NO_VIOLATION -> "no violation";
                    } + (s.budgetReached() ? " (budget reached)" : ""));
        }
        out.println(r.verdictLine());
        out.println("distinct end states: " + m.endStates().size());
        if (m.budgetReached()) {
            out.println("a shard ran out of its schedule budget (--schedules): the counts are those of the schedules run,"
                    + " not of the whole bounded search");
        }
        if (r.schedule() != null) {
            out.println("schedule: " + r.schedule() + "   (replay: explore " + r.scenario() + " --variant " + r.variant()
                    + " --replay " + r.schedule() + (first.options().invariants() ? "" : " --no-invariants") + ")");
        }
    }

    private static String where(ShardResult s) {
        return s.result().scenario() + " [" + s.result().variant() + "]";
    }

    private static String options(ShardResult s) {
        Options o = Objects.requireNonNull(s.options());
        return "--strategy " + o.strategy() + " --bound " + o.bound() + " --schedules " + o.schedules()
                + (o.invariants() ? "" : " --no-invariants") + (o.maxSteps() == 10_000 ? "" : " (max steps " + o.maxSteps() + ")");
    }
}
