package io.github.foliolab.lru;

import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.Node;
import io.github.foliolab.folio.VmStat;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.ZoneType;
import io.github.foliolab.folio.sync.SpinLock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * struct lruvec of one node: the five LRU list heads, lru_lock, and the per-list, per-zone
 * sizes (lruvec->lists, lru_lock, lru_zone_size; include/linux/mmzone.h, mm_inline.h).
 *
 * <p>The lists are intrusive doubly linked lists through the folios' lru words in the memmap
 * ({@link MemMap#lruNext}/{@link MemMap#lruPrev} hold pfns, shifted left by one so that bit 0, the
 * tail-page bit of the overlaid compound_info, stays clear as with the kernel's aligned pointers). A list head is not a folio: its id is
 * {@code -1 - lru} (always negative), and its next/prev live in this object. As in 7.2's
 * lruvec_add_folio, an {@link LruList#LRU_UNEVICTABLE} folio is counted in the sizes but never linked,
 * which leaves its lru words to mlock_count.
 *
 * <p>Model difference: memcg is not modelled, so there is one lruvec per node (the kernel has one per
 * memcg and node); folio_lruvec_lock/relock therefore always find this one.
 */
public final class LruVec {
    private static final Machine.Key<LruVec> KEY = new Machine.Key<>("lruvec");
    private static final Machine.Key<List<LruVec>> NODES = new Machine.Key<>("lruvec per node");

    /**
     * LIST_POISON1 / LIST_POISON2 as list_del() leaves them in the lru words (raw memmap values: even, so
     * not a tail marker, and negative, so neither a pfn nor a head id when decoded).
     */
    public static final long LIST_POISON1 = -0x100L;
    /** LIST_POISON2 (include/linux/poison.h), the {@code lru.prev} value list_del() leaves. */
    public static final long LIST_POISON2 = -0x122L;

    private static final int NR_ZONES = ZoneType.values().length;

    private final Machine machine;
    private final MemMap mm;
    private final Node node;
    private final VmStat vmstat;
    /** Every node's lruvec, by node id (this one among them); set once while the machine is built. */
    private List<LruVec> siblings = List.of(this);
    /**
     * lru_lock: protects the lists (head and folio lru words of linked folios), the sizes, and mlock_count
     * of this node's folios.
     */
    private final SpinLock lruLock;
    /**
     * The words lru_lock protects in one array, written only under lru_lock: at {@link #HOLDER} the first
     * slot of the lock holder's {@link #perCpu} block (its smp_processor_id(), set when it acquires), then
     * per list its head (next, prev: the list_head of lruvec->lists[lru]) followed by its lru_zone_size of
     * each zone. An add to a list writes the holder slot, that list's head and one of its sizes: adjacent
     * words, one or two cache lines, which a lock hand-over moves to the new holder's CPU together (in
     * separate arrays they were up to four lines, beside the lock object a waiter reads). {@link #PAD}
     * longs (128 bytes) before and after keep the other objects of the heap, and the lock word, off those
     * lines. Model layout: the kernel keeps lru_zone_size in the memcg's per-node data.
     */
    private final long[] lists;
    private static final int HOLDER = LruVec.PAD;
    private static final int LIST_BASE = HOLDER + 1;
    private static final int LIST_STRIDE = 2 + NR_ZONES;
    private static final ZoneType[] ZONES = ZoneType.values();

    /*
     * Per-CPU state, one padded block per CPU (and one for threads on no simulated CPU): the LRU-size
     * vmstat deltas a CPU's lru_lock hold has accumulated (written only under lru_lock, applied to that
     * CPU's vmstat deltas at the release), and that CPU's lru_lock acquisitions (a statistic of the model,
     * written under lru_lock, read racily). PAD longs (128 bytes) before, between and after the blocks
     * keep two CPUs' words off one cache line.
     */
    private static final int PAD = 16;
    private static final int PENDING_FLAG = NR_ZONES * LruList.NR_LRU_LISTS;
    private static final int ACQUISITIONS = PENDING_FLAG + 1;
    private static final int STRIDE = ((ACQUISITIONS + 1 + 7) & ~7) + PAD;
    private final long[] perCpu;
    private final int nrCpus;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private LruVec(Machine machine, Node node) {
        this.machine = machine;
        this.mm = machine.memMap();
        this.node = node;
        this.vmstat = node.vmstat();
        // Node 0's lock keeps the one-node machine's name (the explorer's tables print it).
        this.lruLock = new SpinLock(node.nid() == 0 ? "&lruvec->lru_lock" : "&lruvec->lru_lock(node" + node.nid() + ")");
        this.nrCpus = machine.cpus().nr();
        this.perCpu = new long[PAD + (nrCpus + 1) * STRIDE];
        this.lists = new long[LIST_BASE + LruList.NR_LRU_LISTS * LIST_STRIDE + PAD];
        lists[HOLDER] = PAD + nrCpus * STRIDE;
        for (int i = 0; i < LruList.NR_LRU_LISTS; i++) {
            lists[nextSlot(i)] = headId(i);
            lists[nextSlot(i) + 1] = headId(i);
        }
    }

    /**
     * The lruvec of the machine's node 0 (mem_cgroup_lruvec(NULL, pgdat)): the only one of a one-node
     * machine.
     *
     * @param machine the machine
     * @return node 0's lruvec
     * @throws IllegalStateException if the lru module is not attached to the machine
     */
    public static LruVec of(Machine machine) {
        return machine.state(KEY);
    }

    /**
     * The lruvec of node {@code nid}.
     *
     * @param machine the machine
     * @param nid the node id
     * @return that node's lruvec
     * @throws IllegalStateException if the lru module is not attached to the machine
     * @throws IndexOutOfBoundsException if there is no such node
     */
    public static LruVec of(Machine machine, int nid) {
        return machine.state(NODES).get(nid);
    }

    /**
     * folio_lruvec(): the lruvec of the node {@code pfn} belongs to (this one on a one-node machine).
     *
     * @param pfn a folio's head page frame number
     * @return the lruvec whose lists hold that folio
     */
    public LruVec forPfn(long pfn) {
        List<LruVec> all = siblings;
        return all.size() == 1 ? this : all.get(mm.nid(pfn));
    }

    /**
     * folio_lruvec_relock_irq(): hold the lru_lock of {@code pfn}'s node's lruvec, first
     * dropping {@code locked}'s if that is another lruvec ({@code locked} null: none held).
     *
     * @param pfn the head page frame number of the folio about to be handled
     * @param locked the lruvec whose lock the caller holds, or null
     * @return the lruvec whose lock is now held
     */
    public LruVec relock(long pfn, LruVec locked) {
        LruVec lv = forPfn(pfn);
        if (locked != lv) {
            if (locked != null) {
                locked.unlock();
            }
            lv.lock();
        }
        return lv;
    }

    /**
     * folio_lruvec_relock_irqsave(): as {@link #relock}, in the irqsave form (folio_batch_move_lru,
     * folios_put_refs); release with {@link #unlockIrqrestore}.
     *
     * @param pfn the head page frame number of the folio about to be handled
     * @param locked the lruvec whose lock the caller holds, or null
     * @return the lruvec whose lock is now held
     */
    public LruVec relockIrqsave(long pfn, LruVec locked) {
        LruVec lv = forPfn(pfn);
        if (locked != lv) {
            if (locked != null) {
                locked.unlockIrqrestore();
            }
            lv.lockIrqsave();
        }
        return lv;
    }

    /** {@return the node whose lruvec this is} */
    public Node node() {
        return node;
    }

    /** mm/huge_memory.c's calls for freed large folios; set once while the machine is built. */
    private Machine.Link<HugeMemoryOps> huge;

    /**
     * Create the machine's lruvec and provide __folio_put()'s call up into page_cache_release(); called
     * by the lru module while the machine is built.
     */
    static LruVec attach(Machine.Assembly a) {
        List<LruVec> all = new ArrayList<>();
        for (Node n : a.machine().nodes()) {
            all.add(new LruVec(a.machine(), n));
        }
        List<LruVec> fixed = List.copyOf(all);
        for (LruVec lv : fixed) {
            lv.siblings = fixed;
        }
        LruVec lv = fixed.get(0);
        a.put(KEY, lv);
        a.put(NODES, fixed);
        Machine.Link<HugeMemoryOps> huge = a.link(HugeMemoryOps.class, HugeMemoryOps.NONE);
        for (LruVec v : fixed) {
            v.huge = huge;
        }
        a.provide(Node.ReleaseHook.class, folio -> {
            lv.forPfn(folio.pfn()).pageCacheRelease(folio);
            lv.folioFreeLarge(folio.pfn()); // __folio_put: folio_unqueue_deferred_split
        });
        return lv;
    }

    /**
     * folio_unqueue_deferred_split() of a large folio whose count just reached zero (__folio_put,
     * folios_put_refs): the call up into mm/huge_memory.c. A small folio is left alone.
     */
    void folioFreeLarge(long pfn) {
        if (mm.isLarge(pfn)) {
            huge.get().folioFreeLarge(mm.folio(pfn));
        }
    }

    /** {@return the machine this lruvec belongs to} */
    public Machine machine() {
        return machine;
    }

    /** {@return the memmap the lists link through (the lru words of the folios' descriptors)} */
    public MemMap memMap() {
        return mm;
    }

    /**
     * {@return the list head id of {@code lru}: {@code -1 - lru}}
     *
     * @param lru the LRU list number (enum lru_list)
     */
    public static long headId(int lru) {
        return -1L - lru;
    }

    /**
     * {@return true if {@code id} names a list head rather than a folio}
     *
     * @param id a raw lru link value as stored in a descriptor
     */
    public static boolean isHead(long id) {
        return id < 0 && id >= -LruList.NR_LRU_LISTS;
    }

    // ------------------------------------------------------------ lru_lock

    /** {@code spin_lock_irq(&lruvec->lru_lock)} (folio_lruvec_lock_irq / lruvec_lock_irq). */
    public void lock() {
        lruLock.lockIrq();
        acquired();
    }

    /** {@code spin_lock_irqsave(&lruvec->lru_lock, flags)} (folio_lruvec_relock_irqsave); undo with {@link #unlockIrqrestore}. */
    public void lockIrqsave() {
        lruLock.lockIrqsave();
        acquired();
    }

    /** After taking lru_lock: note the holder's CPU and count the acquisition on it. */
    private void acquired() {
        int cpu = vmstat.localCpu();
        int base = PAD + (cpu < 0 || cpu >= nrCpus ? nrCpus : cpu) * STRIDE;
        lists[HOLDER] = base; // under lru_lock
        // Under lru_lock; opaque so that the racy readers of the statistic see whole values.
        SLOT.setOpaque(perCpu, base + ACQUISITIONS, perCpu[base + ACQUISITIONS] + 1);
    }

    /**
     * Try once (spin_trylock).
     *
     * @return true if lru_lock was taken (and counted), false if another holder has it
     */
    public boolean tryLock() {
        if (lruLock.tryLock()) {
            acquired();
            return true;
        }
        return false;
    }

    /** {@code spin_unlock_irq(&lruvec->lru_lock)}: publishes the pending counter updates first. */
    public void unlock() {
        flushStats();
        lruLock.unlockIrq();
    }

    /** {@code spin_unlock_irqrestore(&lruvec->lru_lock, flags)}: as {@link #unlock}, after {@link #lockIrqsave}. */
    public void unlockIrqrestore() {
        flushStats();
        lruLock.unlockIrqrestore();
    }

    /**
     * Apply the LRU-size deltas this lru_lock hold accumulated (see {@link #updateLruSize}) to the holder
     * CPU's vmstat deltas (__mod_zone_page_state / __mod_node_page_state: lru_lock is the exclusion, every
     * update of these counters is made under it).
     */
    private void flushStats() {
        int base = (int) lists[HOLDER];
        long[] p = perCpu;
        if (p[base + PENDING_FLAG] == 0) {
            return;
        }
        p[base + PENDING_FLAG] = 0;
        int cpu = (base - PAD) / STRIDE;
        if (cpu == nrCpus) {
            cpu = -1; // no simulated CPU: straight to the node's counters
        }
        for (int lru = 0; lru < LruList.NR_LRU_LISTS; lru++) {
            long nodeDelta = 0;
            for (int z = 0; z < NR_ZONES; z++) {
                int i = base + z * LruList.NR_LRU_LISTS + lru;
                long d = p[i];
                if (d != 0) {
                    p[i] = 0;
                    nodeDelta += d;
                    vmstat.modZoneLocked(cpu, ZONES[z], LruList.of(lru).zoneItem(), d);
                }
            }
            if (nodeDelta != 0) {
                vmstat.modNodeLocked(cpu, LruList.of(lru).nodeItem(), nodeDelta);
            }
        }
    }

    /** {@return lruvec->lru_lock itself (schedule points at acquire and release), for lockdep-style assertions} */
    public SpinLock lruLock() {
        return lruLock;
    }

    /** {@code lockdep_assert_held(&lruvec->lru_lock)}. */
    public void assertLocked() {
        lruLock.assertHeld();
    }

    /**
     * lockdep_assert_held(&lruvec->lru_lock) in a list mutator, checked before anything changes: a
     * caller without the lock gets a VM_BUG naming the folio (the kernel's lockdep splat), and the lists
     * and sizes stay as they were.
     */
    private void assertLockedFor(long pfn, String fn) {
        if (!lruLock.heldByCurrentThread()) {
            throw new VmBugException("lockdep_assert_held(&lruvec->lru_lock) failed in " + fn
                    + ": lru_lock is not held by the caller\n" + mm.dumpPage(pfn));
        }
    }

    /**
     * lru_lock acquisitions by code running on {@code cpu}.
     *
     * @param cpu the simulated CPU number
     * @return the count so far (exact when read from that CPU's only thread)
     */
    public long lockAcquisitions(int cpu) {
        return (long) SLOT.getOpaque(perCpu, PAD + cpu * STRIDE + ACQUISITIONS);
    }

    /** {@return lru_lock acquisitions so far, on every CPU and on none (racy read; exact when quiescent)} */
    public long lockAcquisitions() {
        long n = 0;
        for (int cpu = 0; cpu <= nrCpus; cpu++) {
            n += lockAcquisitions(cpu);
        }
        return n;
    }

    // ------------------------------------------------------------ links (under lru_lock)

    /*
     * In the memmap a link is stored as id << 1: lru.next overlays compound_info, whose bit 0 means "tail
     * page", and the kernel's list pointers are aligned so that bit is always clear. Storing a raw odd pfn
     * (or a negative head id) would make the folio look like a tail page.
     */
    private static long encode(long id) {
        return id << 1;
    }

    private static long decode(long raw) {
        return raw >> 1;
    }

    /** The slot of list {@code lru}'s head next pointer in {@link #lists} (its prev is the next slot). */
    private static int nextSlot(int lru) {
        return LIST_BASE + lru * LIST_STRIDE;
    }

    /** The slot of lru_zone_size[z][lru] in {@link #lists}. */
    private static int sizeSlot(int z, int lru) {
        return LIST_BASE + lru * LIST_STRIDE + 2 + z;
    }

    private long next(long id) {
        return id < 0 ? lists[nextSlot((int) (-1 - id))] : decode(mm.lruNext(id));
    }

    private long prev(long id) {
        return id < 0 ? lists[nextSlot((int) (-1 - id)) + 1] : decode(mm.lruPrev(id));
    }

    private void setNext(long id, long v) {
        if (id < 0) lists[nextSlot((int) (-1 - id))] = v;
        else PageWords.setLruNext(mm, id, encode(v));
    }

    private void setPrev(long id, long v) {
        if (id < 0) lists[nextSlot((int) (-1 - id)) + 1] = v;
        else PageWords.setLruPrev(mm, id, encode(v));
    }

    /** __list_add(new, prev, next). */
    private void listInsert(long pfn, long prev, long next) {
        setPrev(next, pfn);
        PageWords.setLruNext(mm, pfn, encode(next));
        PageWords.setLruPrev(mm, pfn, encode(prev));
        setNext(prev, pfn);
    }

    /** list_del(): unlink and poison the entry's lru words. */
    private void listDel(long pfn) {
        long n = next(pfn);
        long p = prev(pfn);
        if (next(p) != pfn || prev(n) != pfn) {
            throw new VmBugException("list_del corruption: folio pfn 0x" + Long.toHexString(pfn) + " next " + n
                    + " prev " + p + "\n" + mm.dumpPage(pfn));
        }
        setNext(p, n);
        setPrev(n, p);
        PageWords.setLruNext(mm, pfn, LIST_POISON1);
        PageWords.setLruPrev(mm, pfn, LIST_POISON2);
    }

    /**
     * update_lru_size(): the lruvec/zone sizes, and the node and zone vmstat counters. The vmstat part is
     * accumulated in the holder CPU's block during the lru_lock hold and applied to that CPU's vmstat
     * deltas when the lock is released (the kernel applies each folio's at once, to the same CPU's deltas).
     */
    private void updateLruSize(LruList lru, long pfn, long nrPages) {
        addSize(mm.node().zoneOf(pfn).type().ordinal(), lru.ordinal(), nrPages);
    }

    /** lru_zone_size[z][lru] += nr and the pending vmstat delta of the holder's CPU; under lru_lock. */
    private void addSize(int z, int lru, long nrPages) {
        lists[sizeSlot(z, lru)] += nrPages;
        int base = (int) lists[HOLDER];
        perCpu[base + z * LruList.NR_LRU_LISTS + lru] += nrPages;
        perCpu[base + PENDING_FLAG] = 1;
    }

    private LruList listFor(long pfn) {
        return LruList.folioLruList(mm, pfn);
    }

    /**
     * lruvec_add_folio(): account the folio to folio_lru_list() and, unless that is LRU_UNEVICTABLE, link
     * it at the head. Caller holds lru_lock. Does not touch PG_lru. (One read of the flags word gives the
     * list, the zone and whether the folio is large: the caller owns the folio, its flags are stable.)
     *
     * @param pfn the page frame number
     */
    public void addFolio(long pfn) {
        assertLockedFor(pfn, "lruvec_add_folio");
        long flags = mm.flagsWord(pfn);
        LruList lru = LruList.folioLruList(mm, pfn, flags);
        long nr = (flags & (1L << PageFlags.PG_head)) != 0 ? mm.nrPages(pfn) : 1L;
        addSize((int) ((flags >>> PageFlags.ZONES_PGSHIFT) & PageFlags.ZONES_MASK), lru.ordinal(), nr);
        if (lru != LruList.LRU_UNEVICTABLE) {
            long head = headId(lru.ordinal());
            listInsert(pfn, head, next(head));
        }
    }

    /**
     * lruvec_add_folio_tail(): like {@link #addFolio} but links at the tail; caller holds lru_lock.
     *
     * @param pfn the page frame number
     */
    public void addFolioTail(long pfn) {
        assertLockedFor(pfn, "lruvec_add_folio_tail");
        LruList lru = listFor(pfn);
        // "This is not expected to be used on LRU_UNEVICTABLE": the kernel would link it anyway; the model
        // reports it (before changing anything).
        if (lru == LruList.LRU_UNEVICTABLE) {
            throw new VmBugException("lruvec_add_folio_tail of an unevictable folio\n" + mm.dumpPage(pfn));
        }
        updateLruSize(lru, pfn, mm.nrPages(pfn));
        long head = headId(lru.ordinal());
        listInsert(pfn, prev(head), head);
    }

    /**
     * lruvec_del_folio(): unlink (unless unevictable) and subtract from folio_lru_list()'s sizes. The
     * folio's flags must still say which list it is on. Caller holds lru_lock.
     *
     * @param pfn the page frame number
     */
    public void delFolio(long pfn) {
        assertLockedFor(pfn, "lruvec_del_folio");
        long flags = mm.flagsWord(pfn); // one read gives the list, the zone and the size, as in addFolio
        LruList lru = LruList.folioLruList(mm, pfn, flags);
        if (lru != LruList.LRU_UNEVICTABLE) {
            listDel(pfn);
        }
        long nr = (flags & (1L << PageFlags.PG_head)) != 0 ? mm.nrPages(pfn) : 1L;
        addSize((int) ((flags >>> PageFlags.ZONES_PGSHIFT) & PageFlags.ZONES_MASK), lru.ordinal(), -nr);
    }

    /**
     * lru_add_split_folio() (mm/huge_memory.c) with no isolation list: {@code newPfn}, a folio just split
     * off the frozen folio at {@code headPfn}, which is still on this LRU, joins it: after an unevictable
     * head it is on no list and gets mlock_count 0, otherwise it is linked just before the head
     * (list_add_tail on the head's entry); PG_lru is set either way. The list sizes count pages, which a
     * split does not change. Caller holds lru_lock.
     *
     * @param headPfn the pfn of the folio being split (on this LRU)
     * @param newPfn the head pfn of a new folio split off it (frozen, not on any LRU)
     */
    public void addSplitFolio(long headPfn, long newPfn) {
        assertLockedFor(headPfn, "lru_add_split_folio");
        if (mm.testFlag(headPfn, PageFlags.PG_unevictable)) {
            PageWords.setMlockCount(mm, newPfn, 0); // new_folio->mlock_count = 0: plain store, lru_lock held
        } else {
            listInsert(newPfn, prev(headPfn), headPfn);
        }
        mm.setFlag(newPfn, PageFlags.PG_lru); // folio_set_lru: set_bit, relaxed
    }

    /** list_move(&folio->lru, &lists[lru]): relink at the head of a list without accounting. */
    void listMoveToHead(long pfn, LruList lru) {
        assertLockedFor(pfn, "list_move");
        listDel(pfn);
        long head = headId(lru.ordinal());
        listInsert(pfn, head, next(head));
    }

    /**
     * {@return the pfn at the tail of {@code lru} (lru_to_folio), or -1 if empty} Caller holds lru_lock.
     *
     * @param lru the LRU list
     */
    public long tail(LruList lru) {
        long p = lists[nextSlot(lru.ordinal()) + 1];
        return p < 0 ? -1 : p;
    }

    /**
     * {@return the pfn before {@code pfn} on its list (towards the head), or -1 at the head} Under
     * lru_lock.
     *
     * @param pfn the page frame number
     */
    public long prevOf(long pfn) {
        long p = prev(pfn);
        return p < 0 ? -1 : p;
    }

    /** update_lru_sizes(): add {@code delta} pages to the sizes of {@code lru} in zone {@code z}. */
    void adjustZoneSize(ZoneType z, LruList lru, long delta) {
        addSize(z.ordinal(), lru.ordinal(), delta);
    }

    /** list_del() without accounting (isolate_lru_folios moves to a private list, sizes fixed after). */
    void unlink(long pfn) {
        listDel(pfn);
    }

    // ------------------------------------------------------------ __page_cache_release

    /**
     * __page_cache_release() with the lock already held: if PG_lru is set, delete from the lruvec and
     * __folio_clear_lru_flags(). Only for a folio whose count reached zero.
     */
    void pageCacheReleaseLocked(long pfn) {
        if (mm.testFlag(pfn, PageFlags.PG_lru)) {
            delFolio(pfn);
            clearLruFlags(pfn);
        }
    }

    /** page_cache_release(): the release hook of __folio_put(). */
    private void pageCacheRelease(Folio folio) {
        long pfn = folio.pfn();
        if (mm.testFlag(pfn, PageFlags.PG_lru)) {
            lock();
            try {
                delFolio(pfn);
                clearLruFlags(pfn);
            } finally {
                unlock();
            }
        }
    }

    /**
     * __folio_clear_lru_flags(): non-atomic clears of PG_lru, and of PG_active and PG_unevictable unless
     * both are set (left for bad_page() to report). The count is zero: nobody else can see the folio.
     */
    void clearLruFlags(long pfn) {
        if (!mm.testFlag(pfn, PageFlags.PG_lru)) {
            throw new VmBugException("VM_BUG_ON_FOLIO(!folio_test_lru(folio))\n" + mm.dumpPage(pfn));
        }
        mm.nonAtomicClearFlag(pfn, PageFlags.PG_lru);
        long f = mm.flagsWord(pfn);
        if ((f & (1L << PageFlags.PG_active)) != 0 && (f & (1L << PageFlags.PG_unevictable)) != 0) {
            return;
        }
        mm.nonAtomicClearFlag(pfn, PageFlags.PG_active);
        mm.nonAtomicClearFlag(pfn, PageFlags.PG_unevictable);
    }

    // ------------------------------------------------------------ inspection

    /**
     * lruvec_lru_size() over both zones, in pages (racy unless the lock is held).
     *
     * @param lru the LRU list
     * @return the pages on it (a large folio counts its nr_pages)
     */
    public long size(LruList lru) {
        long s = 0;
        for (int z = 0; z < NR_ZONES; z++) {
            s += lists[sizeSlot(z, lru.ordinal())];
        }
        return s;
    }

    /**
     * {@return the pages of {@code lru} in zone {@code z} (lruvec->lru_zone_size)}
     *
     * @param z the zone
     * @param lru the LRU list
     */
    public long zoneSize(ZoneType z, LruList lru) {
        return lists[sizeSlot(z.ordinal(), lru.ordinal())];
    }

    /**
     * {@return the pfns on {@code lru} from head to tail, taking lru_lock (for tests and checkers)}
     *
     * @param lru the LRU list
     */
    public long[] listPfns(LruList lru) {
        lock();
        try {
            return listPfnsLocked(lru);
        } finally {
            unlock();
        }
    }

    /**
     * {@link #listPfns} with lru_lock held by the caller.
     *
     * @param lru the LRU list
     * @return the head pfns on the list, from head to tail
     */
    public long[] listPfnsLocked(LruList lru) {
        long head = headId(lru.ordinal());
        int n = 0;
        for (long p = next(head); p != head; p = next(p)) {
            n++;
            if (n > mm.nrPages()) {
                throw new VmBugException("LRU list " + lru + " is corrupted (cycle not through its head)");
            }
        }
        long[] out = new long[n];
        int i = 0;
        for (long p = next(head); p != head; p = next(p)) {
            out[i++] = p;
        }
        return out;
    }

    /**
     * {@return true if the folio is linked on {@code lru} (walks the list under lru_lock)}
     *
     * @param folio the folio
     * @param lru the LRU list
     */
    public boolean isOnList(Folio folio, LruList lru) {
        for (long p : listPfns(lru)) {
            if (p == folio.pfn()) return true;
        }
        return false;
    }

    /**
     * {@return the linked list the folio is on, or null: LRU_UNEVICTABLE is never linked, so an
     * unevictable folio reports null here (check {@link LruList#folioLruList} and PG_lru instead)}
     *
     * @param folio the folio
     */
    public LruList linkedListOf(Folio folio) {
        for (LruList l : LruList.values()) {
            if (l != LruList.LRU_UNEVICTABLE && isOnList(folio, l)) return l;
        }
        return null;
    }

    /**
     * Save the list heads, the sizes, the per-CPU pending deltas and lru_lock of every node's lruvec (a
     * machine checkpoint; the folios' list links are in the memmap).
     */
    Runnable saveAll() {
        io.github.foliolab.folio.Restorable[] parts = new io.github.foliolab.folio.Restorable[siblings.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = siblings.get(i)::save;
        }
        return io.github.foliolab.folio.Restorable.saveAll(parts);
    }

    private Runnable save() {
        long[] words = lists.clone();
        long[] pending = perCpu.clone();
        Runnable lockBack = lruLock.save();
        return () -> {
            System.arraycopy(words, 0, lists, 0, words.length);
            System.arraycopy(pending, 0, perCpu, 0, pending.length);
            lockBack.run();
        };
    }
}
