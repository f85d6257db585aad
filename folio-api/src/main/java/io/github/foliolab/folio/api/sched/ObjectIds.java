package io.github.foliolab.folio.api.sched;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ids and trace names of one machine's locks, lists, queues and address spaces: the second argument of
 * a schedule point ({@link SchedPoints#before}) when it names an object rather than a pfn.
 *
 * <p>Every machine owns one. Code that runs on a simulated CPU, or inside a machine's build, sees that
 * machine's registry through {@link #current()}; ids start at {@link #BASE} on every machine, so two
 * machines built the same way number their objects the same way (the explorer relies on this: same
 * schedule, same trace), and one machine's names never appear in another's traces.
 *
 * <p>Names live as long as their machine: nothing is kept process-wide (objects made outside any
 * machine, such as a lock a unit test makes on its own, share one registry).
 */
public final class ObjectIds {
    /** Object ids live above every possible pfn, so the two never collide in a trace. */
    public static final long BASE = 1L << 48;

    private static final ScopedValue<ObjectIds> BOUND = ScopedValue.newInstance();
    private static final ScopedValue<ObjectIds> FOR_NEW_MACHINES = ScopedValue.newInstance();

    /** Ids of objects created outside any machine (a lock a unit test makes on its own). */
    private static final ObjectIds UNBOUND = new ObjectIds(true);

    private final AtomicLong next = new AtomicLong(BASE);
    private final Map<Long, String> names;

    /**
     * A registry for one machine.
     *
     * @param recordNames keep the name of every id (for traces); otherwise names are not kept
     */
    public ObjectIds(boolean recordNames) {
        this.names = recordNames ? new ConcurrentHashMap<>() : null;
    }

    /**
     * The registry of the machine the calling code runs on or builds; else the one bound for new machines
     * ({@link #forNewMachines()}); else a shared one for objects made outside any machine.
     *
     * @return the registry new object ids come from here
     */
    public static ObjectIds current() {
        if (BOUND.isBound()) {
            return BOUND.get();
        }
        return FOR_NEW_MACHINES.isBound() ? FOR_NEW_MACHINES.get() : UNBOUND;
    }

    /** {@return the scoped binding a simulated CPU or a machine's build installs (see {@link #current()})} */
    public static ScopedValue<ObjectIds> binding() {
        return BOUND;
    }

    /**
     * A registry bound here is the one machines built in the scope use instead of a fresh one: the
     * explorer binds a name-keeping registry around each schedule's world, so that the world's objects
     * are numbered from {@link #BASE} and its traces can name them.
     *
     * @return the scoped value to bind
     */
    public static ScopedValue<ObjectIds> forNewMachines() {
        return FOR_NEW_MACHINES;
    }

    /** {@return the registry a machine being built now takes: the one bound for new machines, else a fresh one} */
    public static ObjectIds forMachine() {
        return FOR_NEW_MACHINES.isBound() ? FOR_NEW_MACHINES.get() : new ObjectIds(true);
    }

    /** {@return true if this registry keeps names} */
    public boolean recordNames() {
        return names != null;
    }

    /**
     * A fresh id, with the name traces print for it.
     *
     * @param name what traces call the object (e.g. {@code lru_lock}); kept only if {@link #recordNames()}
     * @return the id, unique in this registry
     */
    public long newId(String name) {
        long id = next.getAndIncrement();
        if (names != null) {
            names.put(id, name);
        }
        return id;
    }

    /**
     * The name given to {@code id}.
     *
     * @param id an id from {@link #newId(String)}
     * @return its name, or {@code obj#N} when none was kept
     */
    public String name(long id) {
        String n = names != null ? names.get(id) : null;
        return n != null ? n : "obj#" + (id - BASE);
    }

    /**
     * Forget the name of an object that is gone (a freed anon_vma, an exited mm).
     *
     * @param id the object's id; unknown ids are ignored
     */
    public void forget(long id) {
        if (names != null) {
            names.remove(id);
        }
    }

    /**
     * Forget every name and number from {@link #BASE} again: for a registry bound with
     * {@link #forNewMachines()} whose previous machine is discarded (the explorer, before each schedule).
     */
    public void reset() {
        if (names != null) {
            names.clear();
        }
        next.set(BASE);
    }

    /** {@return the number of names kept (0 when names are not recorded)} */
    public int namesKept() {
        return names != null ? names.size() : 0;
    }

    /**
     * Save the next id and the names kept (a machine checkpoint): objects a schedule creates after it get
     * the same ids in every schedule.
     *
     * @return the action that puts them back
     */
    public Runnable save() {
        long n = next.get();
        Map<Long, String> kept = names != null ? Map.copyOf(names) : null;
        return () -> {
            if (kept != null && (next.get() != n || names.size() != kept.size())) {
                names.clear();
                names.putAll(kept);
            }
            next.set(n);
        };
    }
}
