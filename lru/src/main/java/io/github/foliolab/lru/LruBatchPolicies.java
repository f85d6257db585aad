package io.github.foliolab.lru;

import java.util.List;

/** The batching policies shipped with the library (what the lru benchmarks compare). */
public final class LruBatchPolicies {
    private LruBatchPolicies() {}

    /** The capacities of the sweep: 1, 4, 15 (the old PAGEVEC_SIZE), 31, 64, 128. */
    public static final List<Integer> SWEEP = List.of(1, 4, 15, 31, 64, 128);

    /** One capacity for every LRU batch kind; the mlock batch keeps the kernel's 31. */
    private record Simple(String name, int capacity, RemoteDrain remoteDrain, int sharedAddBufferSize)
            implements LruBatchPolicy {
        Simple {
            if (capacity < 1) {
                throw new IllegalArgumentException("batch capacity must be >= 1, got " + capacity);
            }
        }

        @Override
        public int batchCapacity(BatchKind kind) {
            return capacity;
        }
    }

    /** {@return Linux 7.2's policy: per-CPU batches of 31, !large may be cached, work-queue remote drain} */
    public static LruBatchPolicy kernel() {
        return new Simple("kernel", FolioBatch.FOLIO_BATCH_SIZE, LruBatchPolicy.RemoteDrain.WORK_QUEUE, 0);
    }

    /**
     * {@return like {@link #kernel()} but lru_add_drain_all drains remote CPUs under their local locks (PREEMPT_RT style)}
     */
    public static LruBatchPolicy kernelRemoteLocalLock() {
        return new Simple("kernel-rt-drain", FolioBatch.FOLIO_BATCH_SIZE, LruBatchPolicy.RemoteDrain.REMOTE_LOCAL_LOCK, 0);
    }

    /** {@return the unbatched policy: a batch of one, so every add takes lru_lock} */
    public static LruBatchPolicy unbatched() {
        return new Simple("unbatched", 1, LruBatchPolicy.RemoteDrain.WORK_QUEUE, 0);
    }

    /**
     * Per-CPU batches of {@code capacity} (the sweep); otherwise the kernel's rules.
     *
     * @param capacity the most entries, in folios, of every LRU batch kind (the mlock batch keeps 31)
     * @return the policy, named {@code batch-CAPACITY}
     * @throws IllegalArgumentException if {@code capacity} is below 1
     */
    public static LruBatchPolicy capacity(int capacity) {
        return new Simple("batch-" + capacity, capacity, LruBatchPolicy.RemoteDrain.WORK_QUEUE, 0);
    }

    /**
     * Caffeine-style: one shared MPSC buffer of {@code size} slots for lru_add, drained (up to the whole
     * buffer) by whichever adder wins a trylock of lru_lock once {@code drainThreshold()} = 31 entries wait;
     * the other batches stay per-CPU of 31.
     *
     * @param size the shared buffer's capacity (folios)
     * @return the policy, named {@code shared-mpsc-SIZE}
     */
    public static LruBatchPolicy sharedBuffer(int size) {
        return new Simple("shared-mpsc-" + size, FolioBatch.FOLIO_BATCH_SIZE, LruBatchPolicy.RemoteDrain.WORK_QUEUE, size);
    }

    /**
     * A policy by name: a shipped one (kernel, kernel-rt-drain, unbatched, batch-N, shared-mpsc-N), one a
     * module provides through {@link java.util.ServiceLoader} (matched by {@link LruBatchPolicy#name()}),
     * or the fully qualified name of a class with a public no-argument constructor.
     *
     * @param name the name or class name
     * @return a new instance of the policy (ServiceLoader's instance for a registered one)
     * @throws IllegalArgumentException if no policy has that name, naming the shipped and found ones, or if
     *         the class cannot be loaded or instantiated or is not an LruBatchPolicy
     */
    public static LruBatchPolicy byName(String name) {
        if (name.equals("kernel")) return kernel();
        if (name.equals("kernel-rt-drain")) return kernelRemoteLocalLock();
        if (name.equals("unbatched")) return unbatched();
        try {
            if (name.startsWith("batch-")) return capacity(Integer.parseInt(name.substring(6)));
            if (name.startsWith("shared-mpsc-")) return sharedBuffer(Integer.parseInt(name.substring(12)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("LRU batching policy " + name + ": not a number after the dash");
        }
        List<String> found = new java.util.ArrayList<>();
        for (LruBatchPolicy p : java.util.ServiceLoader.load(LruBatchPolicy.class, LruBatchPolicies.class.getClassLoader())) {
            if (p.name().equals(name)) return p;
            found.add(p.name());
        }
        if (name.contains(".")) {
            try {
                Class<?> c = Class.forName(name, true, Thread.currentThread().getContextClassLoader() != null
                        ? Thread.currentThread().getContextClassLoader() : LruBatchPolicies.class.getClassLoader());
                return (LruBatchPolicy) c.getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
                throw new IllegalArgumentException("LRU batching policy class " + name + " cannot be used: " + e, e);
            }
        }
        throw new IllegalArgumentException("unknown LRU batching policy " + name + " (shipped: kernel, kernel-rt-drain,"
                + " unbatched, batch-N, shared-mpsc-N" + (found.isEmpty() ? "" : "; installed: " + found)
                + "; or a class name)");
    }
}
