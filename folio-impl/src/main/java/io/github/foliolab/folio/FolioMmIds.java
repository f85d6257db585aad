package io.github.foliolab.folio;

import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.sched.SchedPoints;

/**
 * The per-mm mapcount tracking of a large folio (CONFIG_MM_ID, include/linux/rmap.h and mm_types.h of
 * Linux 7.2): besides _large_mapcount, a folio remembers up to two mm ids ({@code _mm_id[0..1]}) with the
 * mappings each holds ({@code _mm_id_mapcount[0..1]}, -1 for a free slot), and a "maybe mapped shared"
 * bit in the top bit of {@code _mm_ids}. A mapping by a third mm finds no free slot and marks the folio
 * mapped shared; the bit is cleared again when one slot holds every mapping. All of it, _large_mapcount
 * included, changes under a bit spinlock in {@code _mm_ids} (folio_lock_large_mapcount).
 *
 * <p>Ordering: the lock is bit_spin_lock (test_and_set_bit_lock: acquire) and __bit_spin_unlock (a
 * release store of the word with the lock bit clear); every field is then read and written plainly, and
 * _large_mapcount with atomic_read / atomic_set (opaque), as the kernel does under that lock. Readers
 * outside the lock (folio_maybe_mapped_shared, the first checks of __wp_can_reuse_large_anon_folio) read
 * racily, as the kernel does.
 *
 * <p>Model difference: each locked section is one schedule point (the explorer runs it as one step,
 * never interleaving inside it), so a contended lock only spins outside the explorer. The sanity checks
 * that are VM_WARN_ON_ONCE in the kernel throw {@link VmBugException} only for the violations that would
 * corrupt the counts (a diff that is not positive, an mm id out of range).
 */
public final class FolioMmIds {
    /** MM_ID_BITS on 64-bit: mm_id_t is 32 bits, its top bit left for a flag. */
    public static final int MM_ID_BITS = 31;
    /** MM_ID_MASK / MM_ID_MAX. */
    public static final int MM_ID_MASK = (1 << MM_ID_BITS) - 1;
    /** MM_ID_DUMMY: a free slot (init_mm and friends never rmap pages). */
    public static final int MM_ID_DUMMY = 0;
    /** MM_ID_MIN: the smallest id an mm gets. */
    public static final int MM_ID_MIN = 1;
    /** FOLIO_MM_IDS_LOCK_BITNUM: the top bit of _mm_id[0]. */
    static final int LOCK_BIT = MM_ID_BITS;
    /** FOLIO_MM_IDS_SHARED_BITNUM: the top bit of _mm_id[1]. */
    static final int SHARED_BIT = 2 * MM_ID_BITS + 1;

    private FolioMmIds() {}

    /** folio_mm_id(folio, idx) from a _mm_ids word. */
    private static int slotId(long ids, int idx) {
        return (int) (ids >>> (32 * idx)) & MM_ID_MASK;
    }

    /** folio_set_mm_id(folio, idx, id) on a _mm_ids word. */
    private static long withSlotId(long ids, int idx, int id) {
        int shift = 32 * idx;
        return (ids & ~((long) MM_ID_MASK << shift)) | ((long) id << shift);
    }

    /** folio_lock_large_mapcount(): {@code bit_spin_lock(FOLIO_MM_IDS_LOCK_BITNUM, &folio->_mm_ids)}, acquire. */
    private static void lock(MemMap mm, long pfn) {
        int round = 0;
        while (!mm.mmIdsTestAndSetLock(pfn, LOCK_BIT)) {
            if (round++ < 128) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** folio_unlock_large_mapcount(): __bit_spin_unlock, a release store of the word without the lock bit. */
    private static void unlock(MemMap mm, long pfn, long ids) {
        mm.setMmIdsRelease(pfn, ids & ~(1L << LOCK_BIT));
    }

    private static void check(MemMap mm, long pfn, int diff, int mmId, String fn) {
        if (!mm.isLarge(pfn)) {
            throw new VmBugException(fn + ": not a large folio\n" + mm.dumpPage(pfn));
        }
        if (diff <= 0 || diff > mm.nrPages(pfn) || mmId < MM_ID_MIN || mmId > MM_ID_MASK) {
            throw new VmBugException(fn + ": diff " + diff + ", mm id " + mmId + "\n" + mm.dumpPage(pfn));
        }
    }

    /**
     * folio_set_large_mapcount() (include/linux/rmap.h): a new folio, not yet visible to anybody, is
     * mapped {@code mapcount} times by the mm {@code mmId}: _large_mapcount and slot 0 are set, slot 0
     * gets the id. Plain stores (atomic_set for _large_mapcount).
     *
     * @param mm the memmap
     * @param pfn the folio's head pfn
     * @param mapcount the number of PTEs mapping it (at least 1)
     * @param mmId the mapping mm's id
     * @throws VmBugException if the folio is small, a slot is in use, or the arguments are out of range
     */
    public static void setLargeMapcount(MemMap mm, long pfn, int mapcount, int mmId) {
        check(mm, pfn, mapcount, mmId, "folio_set_large_mapcount");
        long ids = mm.mmIdsRaw(pfn);
        if (slotId(ids, 0) != MM_ID_DUMMY || slotId(ids, 1) != MM_ID_DUMMY) {
            throw new VmBugException("folio_set_large_mapcount: mm id slots in use\n" + mm.dumpPage(pfn));
        }
        SchedPoints.before(FolioOp.LARGE_MAPCOUNT_ADD, pfn, mapcount);
        mm.setLargeMapcountRaw(pfn, mapcount - 1); // atomic_set: mapcounts start at -1
        mm.setMmIdMapcount(pfn, 0, mapcount - 1);
        mm.setMmIdsPlain(pfn, withSlotId(ids, 0, mmId));
        SchedPoints.after(FolioOp.LARGE_MAPCOUNT_ADD, pfn, mapcount - 1);
    }

    /**
     * folio_add_return_large_mapcount() (include/linux/rmap.h): {@code diff} more PTE mappings by the mm
     * {@code mmId}, under the _mm_ids bit lock. The mm's slot grows; an mm without a slot takes a free
     * one (slot 0, or slot 1, which means two mms map it: mapped shared); an mm that finds no free slot
     * leaves the slots alone. Taking slot 0 while other mappings exist marks the folio mapped shared too.
     *
     * @param mm the memmap
     * @param pfn the folio's head pfn
     * @param diff the number of new mappings (at least 1, at most the folio's pages)
     * @param mmId the mapping mm's id
     * @return folio_large_mapcount() after the change
     */
    public static int addReturnLargeMapcount(MemMap mm, long pfn, int diff, int mmId) {
        check(mm, pfn, diff, mmId, "folio_add_return_large_mapcount");
        SchedPoints.before(FolioOp.LARGE_MAPCOUNT_ADD, pfn, diff);
        lock(mm, pfn);
        long ids = mm.mmIdsRaw(pfn);
        int val = mm.largeMapcountRaw(pfn) + diff; // atomic_read + atomic_set under the lock
        mm.setLargeMapcountRaw(pfn, val);
        if (slotId(ids, 0) == mmId) {
            mm.setMmIdMapcount(pfn, 0, mm.mmIdMapcountRaw(pfn, 0) + diff);
        } else if (slotId(ids, 1) == mmId) {
            mm.setMmIdMapcount(pfn, 1, mm.mmIdMapcountRaw(pfn, 1) + diff);
        } else if (slotId(ids, 0) == MM_ID_DUMMY) {
            ids = withSlotId(ids, 0, mmId);
            mm.setMmIdMapcount(pfn, 0, diff - 1);
            if (val != diff - 1) ids |= 1L << SHARED_BIT; // other mappings exist already
        } else if (slotId(ids, 1) == MM_ID_DUMMY) {
            ids = withSlotId(ids, 1, mmId);
            mm.setMmIdMapcount(pfn, 1, diff - 1);
            ids |= 1L << SHARED_BIT; // slot 0 certainly has mappings as well
        }
        // Model difference: the 32-bit per-mm overflow handling of the kernel cannot occur (64-bit only).
        unlock(mm, pfn, ids);
        SchedPoints.after(FolioOp.LARGE_MAPCOUNT_ADD, pfn, val);
        return val + 1;
    }

    /**
     * folio_sub_return_large_mapcount() (include/linux/rmap.h): {@code diff} fewer PTE mappings by the
     * mm {@code mmId}, under the _mm_ids bit lock. A slot whose count goes negative is freed (-1, the
     * dummy id); when one slot then holds every mapping (or none is left) the mapped-shared bit is
     * cleared.
     *
     * @param mm the memmap
     * @param pfn the folio's head pfn
     * @param diff the number of mappings removed (at least 1, at most the folio's pages)
     * @param mmId the unmapping mm's id
     * @return folio_large_mapcount() after the change
     */
    public static int subReturnLargeMapcount(MemMap mm, long pfn, int diff, int mmId) {
        check(mm, pfn, diff, mmId, "folio_sub_return_large_mapcount");
        SchedPoints.before(FolioOp.LARGE_MAPCOUNT_ADD, pfn, -diff);
        lock(mm, pfn);
        long ids = mm.mmIdsRaw(pfn);
        int val = mm.largeMapcountRaw(pfn) - diff; // atomic_read + atomic_set under the lock
        mm.setLargeMapcountRaw(pfn, val);
        boolean recheck = true;
        for (int idx = 0; idx < 2; idx++) {
            if (slotId(ids, idx) != mmId) continue;
            int c = mm.mmIdMapcountRaw(pfn, idx) - diff;
            if (c >= 0) {
                mm.setMmIdMapcount(pfn, idx, c);
                recheck = false; // the kernel's "goto out": the shared bit is left as it is
            } else {
                mm.setMmIdMapcount(pfn, idx, -1); // valid corner cases may underflow: free the slot
                ids = withSlotId(ids, idx, MM_ID_DUMMY);
            }
            break;
        }
        if (recheck && (mm.mmIdMapcountRaw(pfn, 0) == val || mm.mmIdMapcountRaw(pfn, 1) == val)) {
            ids &= ~(1L << SHARED_BIT); // one slot owns every mapping (or none is left): exclusive
        }
        unlock(mm, pfn, ids);
        SchedPoints.after(FolioOp.LARGE_MAPCOUNT_ADD, pfn, val);
        return val + 1;
    }

    /**
     * {@code test_bit(FOLIO_MM_IDS_SHARED_BITNUM, &folio->_mm_ids)}: a relaxed read.
     *
     * @param mm the memmap
     * @param pfn a large folio's head pfn
     * @return true if the folio may be mapped by more than one mm
     */
    public static boolean testShared(MemMap mm, long pfn) {
        return (mm.mmIdsRaw(pfn) & (1L << SHARED_BIT)) != 0;
    }

    /**
     * folio_maybe_mapped_shared() (include/linux/mm.h): a small folio mapped more than once; a large
     * folio mapped more than once with the mapped-shared bit set (one mapping is always exclusive).
     *
     * @param mm the memmap
     * @param pfn a folio's (head) pfn
     * @return true if the folio may be mapped by more than one process
     */
    public static boolean maybeMappedShared(MemMap mm, long pfn) {
        int mapcount = mm.folioMapcountRaw(pfn);
        if (!mm.isLarge(pfn)) return mapcount > 1;
        if (mapcount <= 1) return false;
        return testShared(mm, pfn);
    }

    /**
     * folio_mm_id(folio, idx).
     *
     * @param mm the memmap
     * @param pfn a large folio's head pfn
     * @param idx 0 or 1
     * @return the id in that slot ({@link #MM_ID_DUMMY} when free)
     */
    public static int mmId(MemMap mm, long pfn, int idx) {
        return slotId(mm.mmIdsRaw(pfn), idx);
    }

    /**
     * folio->_mm_id_mapcount[idx] (-1 for a free slot).
     *
     * @param mm the memmap
     * @param pfn a large folio's head pfn
     * @param idx 0 or 1
     * @return the slot's raw mapcount
     */
    public static int mmIdMapcount(MemMap mm, long pfn, int idx) {
        return mm.mmIdMapcountRaw(pfn, idx);
    }

    /**
     * The locked recheck of __wp_can_reuse_large_anon_folio() (mm/memory.c): under
     * folio_lock_large_mapcount, the folio is not mapped shared and every reference is a mapping
     * (folio_large_mapcount == folio_ref_count), so all its references are this mm's page-table mappings.
     *
     * @param mm the memmap
     * @param pfn a large anonymous folio's head pfn
     * @param mmId the faulting mm's id
     * @return true if the folio is exclusive to that mm
     * @throws VmBugException if the folio is exclusive but neither slot holds {@code mmId}
     */
    public static boolean exclusiveLocked(MemMap mm, long pfn, int mmId) {
        SchedPoints.before(FolioOp.MAPCOUNT_READ, pfn, 0);
        lock(mm, pfn);
        long ids = mm.mmIdsRaw(pfn);
        boolean exclusive = (ids & (1L << SHARED_BIT)) == 0
                && mm.largeMapcountRaw(pfn) + 1 == mm.refCountRaw(pfn);
        unlock(mm, pfn, ids);
        SchedPoints.after(FolioOp.MAPCOUNT_READ, pfn, exclusive ? 1 : 0);
        if (exclusive && slotId(ids, 0) != mmId && slotId(ids, 1) != mmId) {
            throw new VmBugException("__wp_can_reuse_large_anon_folio: exclusive folio not mapped by mm id "
                    + mmId + "\n" + mm.dumpPage(pfn));
        }
        return exclusive;
    }
}
