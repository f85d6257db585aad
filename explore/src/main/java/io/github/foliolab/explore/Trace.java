package io.github.foliolab.explore;

import java.util.List;

/**
 * The rendered trace of one schedule: what each simulated CPU did, in the order the explorer ran it.
 * Built from the recording at the end of the schedule (object names are resolved then), immutable.
 *
 * @param cpus    the number of CPUs (columns)
 * @param rows    every recorded event, including the folded (CPU-local) ones
 * @param columns the column titles ({@code CPU A}, {@code kworker/0}, ...)
 */
public record Trace(int cpus, List<Row> rows, List<String> columns) {
    /** What a row records. */
    public enum Kind {
        /** A schedule point: an atomic step on shared state (or a CPU-local one, folded in tables). */
        STEP,
        /** The CPU found the object of its step unavailable and waits (lock contention, completion). */
        BLOCKED,
        /** A waiting CPU was let go again and retries its step. */
        RETRY,
        /** The scenario entered a kernel function on this CPU (a marker from {@link Explore#call}). */
        CALL,
        /** The scenario left that function. */
        RETURN,
        /** The CPU's body threw: a BUG, a bad page, a broken assertion. */
        EXCEPTION
    }

    /**
     * One event.
     *
     * @param seq    position in the schedule (0-based, every event)
     * @param step   the shared step number for STEP rows (1-based), else 0
     * @param cpu    the CPU (0 = A)
     * @param kind   what it is
     * @param call   the call as printed, e.g. {@code folio_test_clear_lru(F)}
     * @param result the result as printed ({@code true}, {@code 2}), or null
     * @param shared false for steps that touch only CPU-local state (tables fold them away)
     * @param depth  the nesting depth of {@link Explore#call} markers on this CPU
     */
    public record Row(int seq, int step, int cpu, Kind kind, String call, String result, boolean shared, int depth) {
        /** {@return the text a table cell shows} */
        public String text() {
            String indent = "  ".repeat(Math.max(0, depth));
            return switch (kind) {
                case STEP -> indent + call + (result != null ? " = " + result : "");
                case BLOCKED -> indent + call + " ... waits";
                case RETRY -> indent + call + " (retry)";
                case CALL -> indent + call + " {";
                case RETURN -> indent + "}" + (result != null ? " = " + result : "");
                case EXCEPTION -> indent + "!! " + call;
            };
        }
    }

    /**
     * {@return the CPU's column name: A, B, C, ..}
     *
     * @param cpu the simulated CPU number
     */
    public static String cpuName(int cpu) {
        return String.valueOf((char) ('A' + cpu));
    }
}
