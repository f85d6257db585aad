package io.github.foliolab.folio.api.sched;

/**
 * One kind of atomic step at which a simulated CPU may be preempted: a flag or refcount atomic, a lock
 * acquire or release, a batch add, a PTE read or write, a per-CPU work item. Each module declares its
 * own enum of steps; the explorer only needs the names.
 */
public interface SchedOp {
    /** What the step is about: tells the explorer how to read the {@code id} of a schedule point. */
    enum Subject {
        /** id is a page frame number. */
        FOLIO,
        /** id is an object id from {@link SchedPoints#newObjectId(String)} (a lock, a list, a queue). */
        OBJECT,
        /** id is a user virtual address (PTE steps); arg is the mm's object id. */
        ADDRESS,
        /** id carries no identity. */
        NONE
    }

    /** The kernel function (or macro) the step models, e.g. {@code folio_test_clear_lru}. */
    String kernelName();

    Subject subject();

    /**
     * {@return the call as a trace prints it, given the point's {@code arg}; flag ops render the flag name
     * into the function name ({@code folio_test_clear_lru})}
     *
     * @param arg the schedule point's argument
     */
    default String callName(long arg) {
        return kernelName();
    }

    /** {@return false for steps that touch only CPU-local state; traces fold those away} */
    default boolean shared() {
        return true;
    }
}
