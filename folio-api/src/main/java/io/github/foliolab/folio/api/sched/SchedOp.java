package io.github.foliolab.folio.api.sched;

/**
 * One kind of atomic step at which a simulated CPU may be preempted: a flag or refcount atomic, a lock
 * acquire or release, a batch add, a PTE read or write, a per-CPU work item. Each module declares its
 * own enum of steps and says, through {@link #kind}, what each step does to its object; a scheduler reads
 * a step only through {@link #subject}, {@link #kind} and {@link #shared}, so a new module's locks and
 * waits need no change to the explorer.
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

    /**
     * What a step does to the object its {@code id} names. A scheduler tracks lock holders from
     * {@link #ACQUIRE}, {@link #TRY_ACQUIRE} and {@link #RELEASE}, and decides which steps of two CPUs
     * commute from the object and whether the step only reads it (partial-order reduction).
     */
    enum Kind {
        /** Reads the object and changes nothing (atomic_read, test_bit, READ_ONCE of a PTE). */
        READ,
        /** Writes the object, or reads and writes it (set_bit, test_and_clear_bit, atomic_add_return). */
        WRITE,
        /**
         * Takes the lock {@code id}, blocking until it is free: the step is followed by
         * {@link SchedPoints#contended} calls while it is held by another CPU; the caller holds it once
         * it goes on to its next step.
         */
        ACQUIRE,
        /** Tries once to take the lock {@code id}; the step's {@link SchedPoints#after} result is 1 if taken. */
        TRY_ACQUIRE,
        /** Releases the lock {@code id} taken by an ACQUIRE or a successful TRY_ACQUIRE. */
        RELEASE,
        /**
         * Waits for {@code id} to be signalled (wait_for_completion): may be followed by
         * {@link SchedPoints#contended}; unlike ACQUIRE, nothing is held afterwards.
         */
        WAIT,
        /** Signals {@code id} (complete, queue_work_on): wakes its waiters through {@link SchedPoints#released}. */
        SIGNAL;

        /** {@return true if the step may change its object (everything but READ)} */
        public boolean writes() {
            return this != READ;
        }
    }

    /** {@return the kernel function (or macro) the step models, e.g. {@code folio_test_clear_lru}} */
    String kernelName();

    /**
     * {@return how a schedule point's {@code id} names this step's object (a pfn, an object id, an address, nothing)}
     */
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

    /**
     * {@return what the step does to its object (the same for every {@code arg}, unless {@link #kind(long)} says otherwise)}
     */
    Kind kind();

    /**
     * What the step does given the point's {@code arg}: an op that serves both the blocking and the
     * one-shot form of a lock (arg 1 = trylock) overrides this.
     *
     * @param arg the schedule point's argument
     * @return the kind; {@link #kind()} unless overridden
     */
    default Kind kind(long arg) {
        return kind();
    }

    /** {@link #part}: the step may touch every word of its object. */
    int WHOLE = 0;

    /**
     * Which part of its object the step touches, for partial-order reduction: two steps on one object
     * that touch parts which do not {@linkplain #overlap overlap} commute, whatever their kinds. A folio
     * step names its word (flags, refcount, mapcount) and, for an atomic bit op, its bit: {@code set_bit}
     * of PG_lru and {@code test_and_set_bit} of PG_mlocked on one folio commute, a non-atomic
     * {@code __folio_set_X} (a read-modify-write of the whole word) does not. For a {@link Subject#NONE}
     * step a part other than {@link #WHOLE} names one machine-wide word (a vmstat counter, vm_flags);
     * a NONE step of part WHOLE depends on every step. The default: the whole object.
     *
     * @param arg the schedule point's argument
     * @return {@link #WHOLE}, {@link #word(int)} or {@link #bit(int, int)}
     */
    default int part(long arg) {
        return WHOLE;
    }

    /**
     * {@return the part naming word {@code w} of an object, all of its bits}
     *
     * @param w the word's number, 1 to 511
     */
    static int word(int w) {
        if (w < 1 || w > 511) throw new IllegalArgumentException("word " + w + " not in 1..511");
        return w << 7;
    }

    /**
     * {@return the part naming bit {@code bit} of word {@code w}}
     *
     * @param w the word's number, 1 to 511
     * @param bit the bit, 0 to 63
     */
    static int bit(int w, int bit) {
        if (bit < 0 || bit > 63) throw new IllegalArgumentException("bit " + bit + " not in 0..63");
        return word(w) | (bit + 1);
    }

    /**
     * {@return true if parts {@code a} and {@code b} of one object may share memory: either is the whole
     * object, or they are the same word and either is the whole word or both are the same bit}
     *
     * @param a a part
     * @param b a part
     */
    static boolean overlap(int a, int b) {
        if (a == WHOLE || b == WHOLE) return true;
        if ((a >>> 7) != (b >>> 7)) return false;
        int ba = a & 127;
        int bb = b & 127;
        return ba == 0 || bb == 0 || ba == bb;
    }

    /** {@return false for steps that touch only CPU-local state; traces fold those away} */
    default boolean shared() {
        return true;
    }
}
