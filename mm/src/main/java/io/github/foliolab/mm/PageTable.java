package io.github.foliolab.mm;

import io.github.foliolab.folio.api.sched.SchedPoints;
import io.github.foliolab.folio.sync.SpinLock;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One last-level page table: {@link #PTRS_PER_PTE} PTEs covering 2 MiB of user addresses, with its
 * split page-table lock (pte_lockptr()). Writers hold {@link #ptl()}; a lockless walker (GUP-fast) may
 * read entries with {@link #ptepGetLockless} without it, as the kernel's READ_ONCE of a PTE allows.
 * Every read and write of an entry is a schedule point ({@link PteOp}).
 */
public final class PageTable {
    /** PTRS_PER_PTE (arch/x86/include/asm/pgtable_64_types.h): entries per last-level table. */
    public static final int PTRS_PER_PTE = 512;
    /** PMD_SHIFT: one table maps 2^21 bytes (2 MiB) of user addresses. */
    public static final int PMD_SHIFT = 21;

    private static final VarHandle ENTRY = MethodHandles.arrayElementVarHandle(long[].class);

    private final long base;
    private final long mmId;
    private final long[] entries = new long[PTRS_PER_PTE];
    /** The split PTE lock: protects every entry of this table against concurrent writers. */
    private final SpinLock ptl;

    PageTable(long base, long mmId) {
        this.base = base;
        this.mmId = mmId;
        this.ptl = new SpinLock("ptl@0x" + Long.toHexString(base));
    }

    /**
     * First user address this table maps.
     *
     * @return the table's first user virtual address (bytes), 2 MiB aligned
     */
    public long base() {
        return base;
    }

    /**
     * pte_lockptr().
     *
     * @return the split page-table lock protecting this table's entries
     */
    public SpinLock ptl() {
        return ptl;
    }

    private int slot(long addr) {
        int i = (int) ((addr - base) >>> 12);
        if (i < 0 || i >= PTRS_PER_PTE) {
            throw new IllegalArgumentException("address 0x" + Long.toHexString(addr) + " outside table at 0x" + Long.toHexString(base));
        }
        return i;
    }

    /**
     * ptep_get(): READ_ONCE (opaque) of the PTE mapping {@code addr}; a schedule point.
     *
     * @param addr a user virtual address (bytes)
     * @return the PTE ({@link Pte})
     */
    public long ptepGet(long addr) {
        SchedPoints.before(PteOp.PTEP_GET, addr, mmId);
        long v = (long) ENTRY.getOpaque(entries, slot(addr));
        SchedPoints.after(PteOp.PTEP_GET, addr, v);
        return v;
    }

    /**
     * ptep_get_lockless(): what GUP-fast reads without the PTL. Acquire ordering, pairing with the
     * release in {@link #setPteAt} so that a walker that sees the PTE sees the folio set up before it.
     *
     * @param addr a user virtual address (bytes)
     * @return the PTE ({@link Pte})
     */
    public long ptepGetLockless(long addr) {
        SchedPoints.before(PteOp.PTEP_GET, addr, mmId);
        long v = (long) ENTRY.getAcquire(entries, slot(addr));
        SchedPoints.after(PteOp.PTEP_GET, addr, v);
        return v;
    }

    /**
     * {@return a read for observers (pagemap): no schedule point}
     *
     * @param addr a user virtual address (bytes)
     */
    public long peek(long addr) {
        return (long) ENTRY.getOpaque(entries, slot(addr));
    }

    /**
     * set_pte_at(): publish a PTE (caller holds the PTL). Release ordering: the folio's rmap and flags
     * set up before are visible to a lockless walker that reads this PTE (the kernel's smp_wmb in
     * __folio_mark_uptodate plus the PTE store).
     *
     * @param addr a user virtual address (bytes)
     * @param pte the page-table entry
     */
    public void setPteAt(long addr, long pte) {
        ptl.assertHeld();
        SchedPoints.before(PteOp.SET_PTE_AT, addr, mmId);
        ENTRY.setRelease(entries, slot(addr), pte);
    }

    /**
     * ptep_get_and_clear(): xchg with pte_none, fully ordered; caller holds the PTL.
     *
     * @param addr a user virtual address (bytes)
     * @return the old PTE
     */
    public long ptepGetAndClear(long addr) {
        ptl.assertHeld();
        SchedPoints.before(PteOp.PTEP_GET_AND_CLEAR, addr, mmId);
        long v = (long) ENTRY.getAndSet(entries, slot(addr), 0L);
        SchedPoints.after(PteOp.PTEP_GET_AND_CLEAR, addr, v);
        return v;
    }

    /**
     * ptep_test_and_clear_young(): atomic clear of the accessed bit (full ordering); caller holds the PTL.
     *
     * @param addr a user virtual address (bytes)
     * @return true if the PTE was present and young (now old)
     */
    public boolean ptepTestAndClearYoung(long addr) {
        ptl.assertHeld();
        SchedPoints.before(PteOp.PTEP_TEST_AND_CLEAR_YOUNG, addr, mmId);
        int i = slot(addr);
        while (true) {
            long v = (long) ENTRY.getOpaque(entries, i);
            if (!Pte.present(v) || !Pte.young(v)) {
                return SchedPoints.after(PteOp.PTEP_TEST_AND_CLEAR_YOUNG, addr, false);
            }
            if (ENTRY.compareAndSet(entries, i, v, Pte.mkOld(v))) { // lock btr: full barrier
                return SchedPoints.after(PteOp.PTEP_TEST_AND_CLEAR_YOUNG, addr, true);
            }
        }
    }

    /**
     * ptep_modify_prot_commit(): replace a present PTE with a changed protection (caller holds the PTL).
     *
     * @param addr a user virtual address (bytes)
     * @param pte the page-table entry
     */
    public void modifyProt(long addr, long pte) {
        ptl.assertHeld();
        SchedPoints.before(PteOp.PTEP_MODIFY_PROT, addr, mmId);
        ENTRY.setRelease(entries, slot(addr), pte);
    }

    /** {@return true if every entry is pte_none (observers only)} */
    public boolean isEmpty() {
        for (int i = 0; i < PTRS_PER_PTE; i++) {
            if ((long) ENTRY.getOpaque(entries, i) != 0) return false;
        }
        return true;
    }

    /** Save every entry and the PTE lock (a machine checkpoint); the returned action puts them back. */
    Runnable save() {
        long[] copy = entries.clone();
        Runnable lock = ptl.save();
        return () -> {
            System.arraycopy(copy, 0, entries, 0, PTRS_PER_PTE);
            lock.run();
        };
    }
}
