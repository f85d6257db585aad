package io.github.foliolab.folio;

import io.github.foliolab.folio.api.sched.ObjectIds;
import io.github.foliolab.folio.cpu.Cpu;
import io.github.foliolab.folio.cpu.Cpus;
import io.github.foliolab.folio.spi.MachineModule;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A simulated machine: its CPUs, its memory nodes (one by default; NUMA with {@link Builder#node}) and
 * the state of every module attached to it.
 *
 * <p>A machine is made in one step by {@link #builder()}: the builder boots the CPUs and the node, then
 * attaches every installed {@link MachineModule} (found with {@link ServiceLoader}: the library's lru,
 * mm and mlock modules, and any module of the user's) in dependency order. Each module creates its
 * per-machine state (the lruvec and per-CPU batches, the mm state, ...) and fills the calls that lower
 * modules make upwards (mm/internal.h's role: see {@link Assembly#provide}). After {@link Builder#build()}
 * returns nothing is attached lazily: {@link #state} of a module that is not installed is an error, and
 * every upward call is fixed.
 *
 * <p>{@link #close()} stops what the modules started (the kworker threads) and frees the memmap.
 *
 * <p>Thread safety: the builder is used by one thread. A built machine is immutable as far as its wiring
 * goes (state and linkage are written only during {@link Builder#build()} and published with the
 * machine), and its CPUs may be used from any threads.
 */
public final class Machine implements AutoCloseable {
    /**
     * A typed key for a module's per-machine state, created by the module when the machine is built.
     *
     * @param <T> the type of the state stored under the key
     */
    public static final class Key<T> {
        private final String name;

        /**
         * A key; {@code name} names the state in error messages ({@code "lru/swap"}).
         *
         * @param name the state's name for error messages, not null
         */
        public Key(String name) {
            this.name = Objects.requireNonNull(name);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * A typed build option a module reads while it attaches (the LRU batching policy, ...).
     *
     * @param <T> the type of the option's value
     */
    public static final class Option<T> {
        private final String name;
        private final T defaultValue;

        /**
         * An option whose value is {@code defaultValue} unless the builder sets it.
         *
         * @param name the option's name for error messages and toString, not null
         * @param defaultValue the value a machine built without {@link Builder#with} for this option gets, not
         *     null
         */
        public Option(String name, T defaultValue) {
            this.name = Objects.requireNonNull(name);
            this.defaultValue = Objects.requireNonNull(defaultValue);
        }

        /**
         * The value used when the builder does not set this option.
         *
         * @return the default value, never null
         */
        public T defaultValue() {
            return defaultValue;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * One upward call site: the implementation a higher module provided for {@code type}, or the
     * fallback the declaring module gave. Filled while the machine is built, fixed afterwards; a lower
     * module keeps the link in a final field and calls {@link #get()} on every use (a plain read).
     *
     * @param <T> the interface type of the upward call
     */
    public static final class Link<T> {
        private final Class<T> type;
        private final T fallback;
        private T impl;
        private final Machine machine;

        private Link(Machine machine, Class<T> type, T fallback) {
            this.machine = machine;
            this.type = type;
            this.fallback = fallback;
        }

        /**
         * The provided implementation; the fallback if no module provided one.
         *
         * @return the implementation, or the declaring module's fallback (possibly null) when no module provided
         *         one
         * @throws IllegalStateException if called while the machine is being built, before any module
         *     provided it (a module calls a higher one from its attach: attach order is wrong)
         */
        public T get() {
            T t = impl;
            if (t != null) {
                return t;
            }
            if (!machine.built) {
                throw new IllegalStateException(type.getSimpleName() + " used while the machine is being built,"
                        + " before any module provided it (modules attached so far: " + machine.modules + ")");
            }
            return fallback;
        }

        /**
         * True if a module provided an implementation.
         *
         * @return true if a module provided an implementation, false if {@link #get()} gives the fallback
         */
        public boolean provided() {
            return impl != null;
        }
    }

    /** What a {@link MachineModule} sees while it attaches: the machine, options, state and links. */
    public final class Assembly {
        private final String module;

        private Assembly(String module) {
            this.module = module;
        }

        /**
         * The machine being built (its CPUs and nodes are up; later modules are not attached yet).
         *
         * @return the machine under construction
         */
        public Machine machine() {
            return Machine.this;
        }

        /**
         * The value of {@code option} given to the builder, or its default.
         *
         * @param <T> the option's value type
         * @param option the option to read
         * @return the builder's value for {@code option}, or its default
         */
        @SuppressWarnings("unchecked")
        public <T> T option(Option<T> option) {
            checkOpen();
            Object v = options.get(option);
            return v != null ? (T) v : option.defaultValue();
        }

        /**
         * Store this module's per-machine state under {@code key}.
         *
         * @param <T> the state's type
         * @param key the module's key
         * @param value the state, read back later with {@link Machine#state}
         * @throws IllegalStateException if the key already has state or the build is over
         */
        public <T> void put(Key<T> key, T value) {
            checkOpen();
            if (state.putIfAbsent(key, Objects.requireNonNull(value)) != null) {
                throw new IllegalStateException("state " + key + " already attached (module " + module + ")");
            }
        }

        /**
         * Provide the implementation of the upward calls declared by {@code type} (each declaring module
         * has one such interface, the way mm/internal.h declares a file's functions for the others).
         *
         * @param <T> the interface type
         * @param type the interface that declares the upward calls
         * @param impl this module's implementation of {@code type}
         * @throws IllegalStateException if another module already provided it, or the build is over
         * @throws IllegalArgumentException if {@code impl} is not an instance of {@code type}
         */
        public <T> void provide(Class<T> type, T impl) {
            checkOpen();
            Objects.requireNonNull(impl);
            if (!type.isInstance(impl)) {
                throw new IllegalArgumentException(impl + " is not a " + type.getName());
            }
            Link<T> link = link(type, null);
            if (link.impl != null) {
                throw new IllegalStateException(type.getName() + " already provided by module "
                        + providers.get(type) + "; module " + module + " provides it again");
            }
            link.impl = impl;
            providers.put(type, module);
        }

        /**
         * The link through which this (lower) module calls up into whatever module provides {@code type};
         * taken once, while attaching, and kept in a final field.
         *
         * @param fallback what {@link Link#get()} returns once the machine is built if no installed module
         *     provided {@code type}; null makes that an error
         * @param <T> the interface type
         * @param type the interface that declares the upward calls
         * @return the link, the same one for every module that asks for {@code type}
         */
        public <T> Link<T> link(Class<T> type, T fallback) {
            checkOpen();
            return Machine.this.link(type, fallback);
        }

        /**
         * Declare this module's per-machine state for {@link Machine#checkpoint()}: every part whose
         * content can change after the build (lists, batches, counters, locks). A module with no such state
         * calls it with no parts. A machine can take checkpoints only if every attached module called it.
         *
         * @param parts this module's saved-and-restored parts, none for a module without mutable state
         */
        public void restorable(Restorable... parts) {
            checkOpen();
            restorableModules.add(module);
            restorableParts.addAll(List.of(parts));
        }

        /**
         * Run {@code closer} when the machine is closed (in reverse attach order).
         *
         * @param closer what to close; {@link Machine#close()} throws its exception, with the other closers',
         *     as one IllegalStateException
         */
        public void onClose(AutoCloseable closer) {
            checkOpen();
            closers.push(Objects.requireNonNull(closer));
        }

        private void checkOpen() {
            if (built) {
                throw new IllegalStateException("module " + module + ": the machine is already built");
            }
        }
    }

    /** Builds a machine: CPUs, the node's zones, options, then every installed module attached. */
    public static final class Builder {
        private int nrCpus = 1;
        private long normalPages = 262_144;
        private long movablePages;
        private int cmaPageblocks;
        private final List<Node.Shape> nodes = new ArrayList<>();
        private int[] cpuToNode;
        private boolean gcManaged;
        private final Map<Option<?>, Object> options = new HashMap<>();
        private List<MachineModule> modules;
        private final List<MachineModule> extra = new ArrayList<>();

        private Builder() {}

        /**
         * nr_cpu_ids: 1..1024 CPUs, all online (default 1).
         *
         * @param nr the number of CPUs, 1 to 1024
         * @return this builder
         */
        public Builder cpus(int nr) {
            this.nrCpus = nr;
            return this;
        }

        /**
         * The node's zones, in 4 KiB pages: ZONE_NORMAL (at least one 512-page pageblock; default 262144,
         * 1 GiB) and ZONE_MOVABLE (default 0).
         *
         * @param normalPages ZONE_NORMAL's size in 4 KiB pages, a multiple of 512 and at least 512
         * @param movablePages ZONE_MOVABLE's size in 4 KiB pages, 0 for none
         * @return this builder
         */
        public Builder zones(long normalPages, long movablePages) {
            this.normalPages = normalPages;
            this.movablePages = movablePages;
            return this;
        }

        /**
         * Add a NUMA node with a kernel zone (ZONE_NORMAL, at least one 512-page pageblock) and a
         * ZONE_MOVABLE, in 4 KiB pages. The first call makes node 0, the next node 1, ...; node i's pfns
         * follow node i-1's (one pfn space). With more than one node, each node spans a multiple of 1024
         * pages (2^MAX_PAGE_ORDER). A machine built without this call has one node, shaped by
         * {@link #zones}; after it, {@link #zones} is not used.
         *
         * @param normalPages the node's ZONE_NORMAL size in 4 KiB pages, at least one 512-page pageblock
         * @param movablePages the node's ZONE_MOVABLE size in 4 KiB pages, 0 for none
         * @return this builder
         */
        public Builder node(long normalPages, long movablePages) {
            nodes.add(new Node.Shape(normalPages, movablePages));
            return this;
        }

        /**
         * cpu_to_node(): CPU i is on node {@code nids[i]} (one entry per CPU). Default: CPU i on node
         * i modulo the number of nodes.
         *
         * @param nids the node id of each CPU, indexed by CPU id
         * @return this builder
         */
        public Builder cpuNodes(int... nids) {
            this.cpuToNode = nids.clone();
            return this;
        }

        /**
         * The last {@code pageblocks} pageblocks (512 pages each) of node 0's ZONE_NORMAL are MIGRATE_CMA.
         *
         * @param pageblocks the number of 512-page pageblocks made MIGRATE_CMA, 0 for none
         * @return this builder
         */
        public Builder cmaPageblocks(int pageblocks) {
            this.cmaPageblocks = pageblocks;
            return this;
        }

        /**
         * Let the garbage collector free the memmap (for short-lived machines built by the thousand, as
         * the explorer builds one per schedule); {@link #close()} still stops the modules' threads.
         *
         * @param gcManaged true to let the garbage collector free the memmap
         * @return this builder
         */
        public Builder gcManaged(boolean gcManaged) {
            this.gcManaged = gcManaged;
            return this;
        }

        /**
         * Set a module's build option.
         *
         * @param <T> the option's value type
         * @param option the option a module reads
         * @param value its value for the machine being built
         * @return this builder
         */
        public <T> Builder with(Option<T> option, T value) {
            options.put(option, Objects.requireNonNull(value));
            return this;
        }

        /**
         * Attach exactly these modules instead of every installed one (for tests of a module on its own;
         * dependency order still applies).
         *
         * @param modules the modules to attach, in any order
         * @return this builder
         */
        public Builder modules(List<? extends MachineModule> modules) {
            this.modules = List.copyOf(modules);
            return this;
        }

        /**
         * Attach {@code module} too, beside the installed ones (a module of the caller's that is not
         * registered with ServiceLoader: a test's stand-in for a higher module, an experiment's probe).
         *
         * @param module the extra module, attached in dependency order with the others
         * @return this builder
         */
        public Builder withModule(MachineModule module) {
            extra.add(Objects.requireNonNull(module));
            return this;
        }

        /**
         * Boot the machine and attach the modules.
         *
         * @return the booted machine with every module attached
         * @throws IllegalArgumentException for a bad shape (CPU count, zone sizes)
         * @throws IllegalStateException if a module needs one that is not installed, or the modules'
         *     dependencies form a cycle
         */
        public Machine build() {
            ObjectIds ids = ObjectIds.forMachine();
            return ScopedValue.where(ObjectIds.binding(), ids).call(() -> {
                List<Node.Shape> shapes = nodes.isEmpty() ? List.of(new Node.Shape(normalPages, movablePages)) : nodes;
                int[] c2n = cpuToNode;
                if (c2n == null) {
                    c2n = new int[Math.max(nrCpus, 0)];
                    for (int i = 0; i < c2n.length; i++) {
                        c2n[i] = i % shapes.size();
                    }
                } else {
                    for (int n : c2n) {
                        if (n < 0 || n >= shapes.size()) {
                            throw new IllegalArgumentException("cpuNodes names node " + n + ", the machine has "
                                    + shapes.size());
                        }
                    }
                }
                List<Node> booted = shapes.size() == 1
                        ? List.of(new Node(shapes.get(0).normalPages(), shapes.get(0).movablePages(), cmaPageblocks, gcManaged))
                        : Node.bootNodes(shapes, cmaPageblocks, gcManaged);
                Machine m = new Machine(nrCpus, c2n, booted, ids, options);
                try {
                    List<MachineModule> all = new ArrayList<>(modules != null ? modules : installedModules());
                    all.addAll(extra);
                    m.attachAll(all);
                } catch (RuntimeException | Error e) {
                    m.close();
                    throw e;
                }
                return m;
            });
        }
    }

    private final Cpus cpus;
    private final Node node;
    private final List<Node> nodes;
    private final ObjectIds objectIds;
    private final Map<Option<?>, Object> options;
    private final Map<Key<?>, Object> state = new LinkedHashMap<>();
    private final Map<Class<?>, Link<?>> links = new IdentityHashMap<>();
    private final Map<Class<?>, String> providers = new IdentityHashMap<>();
    private final Deque<AutoCloseable> closers = new ArrayDeque<>();
    private final List<String> modules = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Link<Node.ReleaseHook> releaseHook;
    private final java.util.Set<String> restorableModules = new java.util.HashSet<>();
    private final List<Restorable> restorableParts = new ArrayList<>();
    /** Written once at the end of the build, before the machine is published. */
    private boolean built;

    private Machine(int nrCpus, int[] cpuToNode, List<Node> nodes, ObjectIds ids, Map<Option<?>, Object> options) {
        this.objectIds = ids;
        this.cpus = new Cpus(ids, nrCpus, cpuToNode);
        this.node = nodes.get(0);
        this.nodes = nodes;
        for (Node n : nodes) {
            n.vmstat().attachCpus(cpus, n); // per-CPU vmstat deltas and their thresholds, per node
        }
        this.options = Map.copyOf(options);
        this.releaseHook = link(Node.ReleaseHook.class, null);
    }

    /**
     * A builder with one CPU and a 1 GiB ZONE_NORMAL.
     *
     * @return a builder for a one-CPU, one-node machine
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * {@code builder().cpus(nrCpus).zones(normalPages, movablePages).build()}.
     *
     * @param nrCpus the number of CPUs, 1 to 1024
     * @param normalPages ZONE_NORMAL's size in 4 KiB pages
     * @param movablePages ZONE_MOVABLE's size in 4 KiB pages, 0 for none
     * @return the booted machine with every installed module attached
     */
    public static Machine boot(int nrCpus, long normalPages, long movablePages) {
        return builder().cpus(nrCpus).zones(normalPages, movablePages).build();
    }

    /**
     * Like {@link #boot}, with a memmap the garbage collector frees ({@link Builder#gcManaged}).
     *
     * @param nrCpus the number of CPUs, 1 to 1024
     * @param normalPages ZONE_NORMAL's size in 4 KiB pages
     * @param movablePages ZONE_MOVABLE's size in 4 KiB pages, 0 for none
     * @return the booted machine with every installed module attached
     */
    public static Machine bootGcManaged(int nrCpus, long normalPages, long movablePages) {
        return builder().cpus(nrCpus).zones(normalPages, movablePages).gcManaged(true).build();
    }

    private static List<MachineModule> installedModules() {
        List<MachineModule> found = new ArrayList<>();
        for (ServiceLoader.Provider<MachineModule> p : InstalledModules.PROVIDERS) {
            found.add(p.get()); // a fresh instance per machine, as an uncached ServiceLoader gives
        }
        return found;
    }

    /**
     * The installed modules' providers, looked up once: this class's loader cannot gain providers later,
     * and the lookup (reading every jar's service files) cost more than the rest of a small machine's build
     * (the explorer builds one per schedule).
     */
    private static final class InstalledModules {
        static final List<ServiceLoader.Provider<MachineModule>> PROVIDERS =
                ServiceLoader.load(MachineModule.class, Machine.class.getClassLoader()).stream().toList();
    }

    private void attachAll(List<MachineModule> candidates) {
        Map<String, MachineModule> byName = new TreeMap<>();
        for (MachineModule m : candidates) {
            MachineModule prev = byName.putIfAbsent(m.name(), m);
            if (prev != null && prev.getClass() != m.getClass()) {
                throw new IllegalStateException("two machine modules named " + m.name() + ": "
                        + prev.getClass().getName() + " and " + m.getClass().getName());
            }
        }
        // Dependency order (depth first, by name for a stable order among independent modules).
        List<MachineModule> order = new ArrayList<>();
        Map<String, Boolean> done = new HashMap<>();
        for (String name : byName.keySet()) {
            visit(name, byName, done, order, new ArrayDeque<>());
        }
        for (MachineModule m : order) {
            m.attach(new Assembly(m.name()));
            modules.add(m.name());
        }
        for (Node n : nodes) {
            n.setReleaseHook(releaseHook.impl);
        }
        built = true;
    }

    private static void visit(String name, Map<String, MachineModule> byName, Map<String, Boolean> done,
            List<MachineModule> order, Deque<String> path) {
        if (Boolean.TRUE.equals(done.get(name))) {
            return;
        }
        MachineModule m = byName.get(name);
        if (m == null) {
            throw new IllegalStateException("machine module " + path.peek() + " needs module " + name
                    + ", which is not installed (put its artifact on the class or module path)");
        }
        if (path.contains(name)) {
            throw new IllegalStateException("machine modules depend on each other in a cycle: " + path + " -> " + name);
        }
        path.push(name);
        m.after().stream().sorted(Comparator.naturalOrder()).forEach(d -> visit(d, byName, done, order, path));
        path.pop();
        done.put(name, true);
        order.add(m);
    }

    @SuppressWarnings("unchecked")
    private synchronized <T> Link<T> link(Class<T> type, T fallback) {
        Link<T> l = (Link<T>) links.get(type);
        if (l == null) {
            l = new Link<>(this, type, fallback);
            links.put(type, l);
        } else if (fallback != null && l.fallback == null) {
            Link<T> withFallback = new Link<>(this, type, fallback);
            withFallback.impl = l.impl;
            links.put(type, withFallback);
            l = withFallback;
        }
        return l;
    }

    /**
     * The machine's CPUs (nr_cpu_ids of them, all online), with the per-CPU state the modules attach.
     *
     * @return the CPU set
     */
    public Cpus cpus() {
        return cpus;
    }

    /**
     * CPU {@code id} of this machine.
     *
     * @param id the CPU id, 0 to {@code cpus().nr() - 1}
     * @return that CPU
     * @throws IllegalArgumentException if there is no such CPU
     */
    public Cpu cpu(int id) {
        return cpus.get(id);
    }

    /**
     * Node 0 (the only node of a one-node machine).
     *
     * @return node 0
     */
    public Node node() {
        return node;
    }

    /**
     * NODE_DATA(nid).
     *
     * @param nid the node id, 0 to {@code nodes().size() - 1}
     * @return that node
     * @throws IllegalArgumentException if there is no such node
     */
    public Node node(int nid) {
        if (nid < 0 || nid >= nodes.size()) {
            throw new IllegalArgumentException("no node " + nid + " (nr_node_ids " + nodes.size() + ")");
        }
        return nodes.get(nid);
    }

    /**
     * The nodes, by node id.
     *
     * @return the nodes, indexed by node id (an immutable list)
     */
    public List<Node> nodes() {
        return nodes;
    }

    /**
     * The machine's one memmap: every node's pages, one pfn space.
     *
     * @return the memmap holding every node's page descriptors
     */
    public MemMap memMap() {
        return node.memMap();
    }

    /**
     * Node 0's vmstat counters (all of them on a one-node machine). On a machine of several nodes, a
     * counter of the whole machine is {@link #vmstatSum}; vm events are counted on node 0's.
     *
     * @return node 0's vmstat
     */
    public VmStat vmstat() {
        return node.vmstat();
    }

    /**
     * A counter of /proc/vmstat by name: the sum over the nodes (global_node_page_state() and the like).
     *
     * @param procName the counter's /proc/vmstat name ({@code "nr_mlock"}, {@code "unevictable_pgs_culled"})
     * @return the counter summed over every node, in pages for page counters or events for event counters
     * @throws IllegalArgumentException if no counter has that name
     */
    public long vmstatSum(String procName) {
        long sum = 0;
        for (Node n : nodes) {
            sum += n.vmstat().byName(procName);
        }
        return sum;
    }

    /**
     * /proc/vmstat: every counter summed over the nodes, in {@link VmStat#procVmstat()}'s order.
     *
     * @return one {@code "name value"} line per counter, as /proc/vmstat prints them
     */
    public List<String> procVmstat() {
        List<String> out = new ArrayList<>(node.vmstat().procVmstat());
        for (int i = 0; i < out.size(); i++) {
            String name = out.get(i).substring(0, out.get(i).indexOf(' '));
            out.set(i, name + " " + vmstatSum(name));
        }
        return out;
    }

    /**
     * The ids and trace names of this machine's locks, lists and queues.
     *
     * @return this machine's object registry
     */
    public ObjectIds objectIds() {
        return objectIds;
    }

    /**
     * Run {@code body} with this machine's object registry bound, off any CPU: for code that creates
     * locks or lists of this machine from a thread that is not running on one of its CPUs (a new
     * process's mm, a new tmpfs file).
     *
     * @param <T> the body's result type
     * @param body the code to run with the registry bound
     * @return what {@code body} returned
     */
    public <T> T withObjectIds(java.util.function.Supplier<T> body) {
        return ScopedValue.where(ObjectIds.binding(), objectIds).call(body::get);
    }

    /**
     * The names of the modules attached, in attach order.
     *
     * @return the module names, in attach order
     */
    public List<String> modules() {
        return List.copyOf(modules);
    }

    /**
     * The state a module attached under {@code key}.
     *
     * @param <T> the state's type
     * @param key the module's key
     * @return the state the module stored with {@link Assembly#put}
     * @throws IllegalStateException if no attached module created it (its module is not installed)
     */
    @SuppressWarnings("unchecked")
    public <T> T state(Key<T> key) {
        Object v = state.get(key);
        if (v == null) {
            throw new IllegalStateException("no " + key + " on this machine: the module that provides it is not"
                    + " installed (modules attached: " + modules + ")");
        }
        return (T) v;
    }

    /**
     * True if a module attached state under {@code key}.
     *
     * @param key the module's key
     * @return true if state is stored under {@code key}
     */
    public boolean has(Key<?> key) {
        return state.containsKey(key);
    }

    /**
     * True once {@link #close()} has run.
     *
     * @return true if the machine is closed
     */
    public boolean isClosed() {
        return closed.get();
    }

    /**
     * {@return the attached modules that did not declare their state ({@link Assembly#restorable}): while
     * there is one, {@link #checkpoint()} is refused}
     */
    public List<String> modulesWithoutCheckpoint() {
        return modules.stream().filter(m -> !restorableModules.contains(m)).toList();
    }

    /**
     * Save the machine's whole state now: the memmap (a copy of every page descriptor), each node's free
     * lists and vmstat counters (folded and per-CPU), the object registry, and every part the modules
     * declared. {@link Checkpoint#restore()} puts it back, so a world set up once can run many schedules
     * (the explorer's cheap restarts). Call it, and restore, only while nothing runs on the machine.
     * Objects outside the machine that hold state (a scenario's own fields, tasks) are the caller's.
     *
     * @return the saved state; restore it with {@link Checkpoint#restore()}
     * @throws UnsupportedOperationException naming the modules that did not declare their state
     */
    public Checkpoint checkpoint() {
        List<String> missing = modulesWithoutCheckpoint();
        if (!missing.isEmpty()) {
            throw new UnsupportedOperationException("cannot checkpoint the machine: modules " + missing
                    + " did not declare their state (Machine.Assembly.restorable)");
        }
        List<Restorable> parts = new ArrayList<>();
        parts.add(node.memMap()::save);
        for (Node n : nodes) {
            parts.add(n::save);
        }
        parts.add(objectIds::save);
        parts.addAll(restorableParts);
        return new Checkpoint(Restorable.saveAll(parts.toArray(Restorable[]::new)));
    }

    /** A machine's saved state ({@link #checkpoint()}). */
    public static final class Checkpoint {
        private final Runnable back;

        private Checkpoint(Runnable back) {
            this.back = back;
        }

        /** Put the machine back into the saved state; any number of times. */
        public void restore() {
            back.run();
        }
    }

    /**
     * Stop the modules (in reverse attach order: kworker threads first) and free the memmap. Idempotent.
     * The machine must not be used afterwards.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failure = null;
        while (!closers.isEmpty()) {
            try {
                closers.pop().close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing the machine failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        node.memMap().close();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "machine(" + cpus.nr() + " CPUs, " + (nodes.size() > 1 ? nodes.size() + " nodes, " : "")
                + node.memMap().nrPages() + " pages, modules " + modules + ")";
    }
}
