package io.github.foliolab.explore;

import io.github.foliolab.folio.api.sched.SchedOp;

import java.util.Arrays;

/**
 * What one step of a simulated CPU touched: the objects its schedule points named (a folio's pfn, a lock,
 * list or queue id, a PTE's address and mm) and whether it may have changed each one
 * ({@link io.github.foliolab.folio.api.sched.SchedOp.Kind#writes()}), plus the lock or completion ids it
 * waited on or released. A step runs from the point where its CPU was chosen to the CPU's next
 * decision point, so it includes the CPU-local points it passed on the way.
 *
 * <p>Two steps of different CPUs are <em>dependent</em> if they touch one object (overlapping parts of it,
 * {@link SchedOp#part}: two bits of a folio's flags word, or its flags and its refcount, are distinct) and
 * at least one of them writes it; independent steps commute (running them in either order gives the same state and the
 * same results), which is what partial-order reduction relies on. Two keys that happen to be equal make
 * steps dependent that are not: that costs schedules, never soundness.
 */
public final class Footprint {
    /** Empty: the step has touched nothing yet; the engine makes one per step. */
    Footprint() {}

    /** The key of a point whose id names nothing ({@code Subject.NONE}): dependent with every step. */
    public static final long ANY = Long.MIN_VALUE;

    /**
     * Keys of parts ({@link SchedOp#part}) have bit 62 set and bit 63 clear, the object in bits 16 to 61
     * and the part in bits 0 to 15: two such keys of one object conflict when their parts overlap.
     */
    private static final long PART_TAG = 1L << 62;
    private static final long TAG_MASK = 3L << 62;
    /** The object of the machine-wide words that NONE steps name by part. */
    static final long MACHINE = (1L << 46) - 1;

    /** The key of part {@code part} of object {@code object} (a pfn, or {@link #MACHINE}). */
    static long part(long object, int part) {
        return PART_TAG | (object & MACHINE) << 16 | (part & 0xFFFF);
    }

    /** True if keys {@code a} and {@code b} may name the same memory. */
    private static boolean overlap(long a, long b) {
        if (a == b || a == ANY || b == ANY) return true;
        return (a & TAG_MASK) == PART_TAG && (b & TAG_MASK) == PART_TAG && (a >>> 16) == (b >>> 16)
                && SchedOp.overlap((int) (a & 0xFFFF), (int) (b & 0xFFFF));
    }

    private long[] keys = new long[4];
    private long writes;
    private int n;

    /** Record that the step touched {@code key}, writing it if {@code write}. */
    void add(long key, boolean write) {
        for (int i = 0; i < n; i++) {
            if (keys[i] == key) {
                if (write && i < 64) writes |= 1L << i;
                return;
            }
        }
        if (n == keys.length) {
            keys = Arrays.copyOf(keys, n * 2);
        }
        if (write && n < 64) {
            writes |= 1L << n; // beyond 64 keys every one counts as written (conservative), see writes(i)
        }
        keys[n++] = key;
    }

    private boolean writes(int i) {
        return i >= 64 || (writes & (1L << i)) != 0;
    }

    /**
     * The number of objects touched.
     *
     * @return the number of distinct objects (locks, folios, variables) the step touched
     */
    public int size() {
        return n;
    }

    /**
     * True if this step and {@code o} touch one object and at least one of them writes it.
     *
     * @param o another step's footprint
     * @return true if the two steps do not commute
     */
    public boolean dependent(Footprint o) {
        for (int i = 0; i < n; i++) {
            long k = keys[i];
            for (int j = 0; j < o.n; j++) {
                long ok = o.keys[j];
                if ((writes(i) || o.writes(j)) && overlap(k, ok)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? ", " : "").append(writes(i) ? "w:" : "r:").append(Long.toHexString(keys[i]));
        }
        return sb.append('}').toString();
    }
}
