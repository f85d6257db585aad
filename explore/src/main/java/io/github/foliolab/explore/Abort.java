package io.github.foliolab.explore;

/**
 * Thrown out of a schedule point to unwind a simulated CPU's body when the schedule is being abandoned
 * (a violation, a deadlock or an exception on another CPU). An {@link Error} so that library code that
 * catches {@link RuntimeException} does not swallow it; never escapes the explorer.
 */
final class Abort extends Error {
    static final Abort INSTANCE = new Abort();

    private Abort() {
        super("schedule aborted", null, false, false);
    }
}
