package io.github.foliolab.mm;

import io.github.foliolab.folio.api.VmFlags;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The anonymous (m)THP controls of mm/huge_memory.c: /sys/kernel/mm/transparent_hugepage/enabled and each
 * hugepages-SIZEkB/enabled (huge_anon_orders_always / _madvise / _inherit), and the order filters of the
 * page-fault path: thp_vma_allowable_orders() (include/linux/huge_mm.h, __thp_vma_allowable_orders in
 * mm/huge_memory.c) and thp_vma_suitable_orders().
 *
 * <p>Orders are page orders: order 2 is 16 KiB, order 8 is 1 MiB. The model's mTHP orders are
 * {@value #MIN_ORDER}..{@value #MAX_ORDER} (PMD order, 2 MiB, is not modelled: no PMD mappings). A
 * machine starts as the conformance kernel does: the global setting and every size {@code never}.
 */
public final class ThpSettings {
    /** The lowest anonymous mTHP order (16 KiB). */
    public static final int MIN_ORDER = 2;
    /** The highest anonymous mTHP order the model allocates (1 MiB; below PMD_ORDER 9). */
    public static final int MAX_ORDER = 8;

    /** A value of an {@code enabled} file. */
    public enum Mode {
        /** Never allocate this size (the default of every mTHP size). */
        NEVER,
        /** Allocate this size on every anonymous write fault that fits. */
        ALWAYS,
        /** Only in VM_HUGEPAGE (MADV_HUGEPAGE) VMAs. */
        MADVISE,
        /** Follow the global setting (per-size files only). */
        INHERIT
    }

    private volatile Mode global = Mode.NEVER;
    /** The per-order modes, indexed by order (READ_ONCE of the huge_anon_orders_* bitmaps). */
    private final AtomicIntegerArray modes = new AtomicIntegerArray(MAX_ORDER + 1);

    ThpSettings() {
    }

    /**
     * {@return the order of an mTHP size in KiB (16 = order 2 ... 1024 = order 8)}
     *
     * @param sizeKb the size in KiB
     * @throws IllegalArgumentException if the size is not a modelled anonymous mTHP size
     */
    public static int orderOfKb(long sizeKb) {
        for (int o = MIN_ORDER; o <= MAX_ORDER; o++) {
            if ((4L << o) == sizeKb) return o;
        }
        throw new IllegalArgumentException("not an mTHP size: " + sizeKb + " KiB");
    }

    /**
     * Write hugepages-SIZEkB/enabled for {@code order}.
     *
     * @param order a page order in [{@value #MIN_ORDER}, {@value #MAX_ORDER}]
     * @param mode the new mode
     */
    public void setEnabled(int order, Mode mode) {
        checkOrder(order);
        modes.set(order, mode.ordinal());
    }

    /**
     * {@return the mode of hugepages-SIZEkB/enabled for {@code order}}
     *
     * @param order a page order in [{@value #MIN_ORDER}, {@value #MAX_ORDER}]
     */
    public Mode enabled(int order) {
        checkOrder(order);
        return Mode.values()[modes.get(order)];
    }

    /**
     * Write /sys/kernel/mm/transparent_hugepage/enabled ({@code always}, {@code madvise} or {@code never}).
     *
     * @param mode the new global mode
     * @throws IllegalArgumentException for {@link Mode#INHERIT}
     */
    public void setGlobal(Mode mode) {
        if (mode == Mode.INHERIT) throw new IllegalArgumentException("the global setting cannot inherit");
        global = mode;
    }

    /** {@return the global setting} */
    public Mode global() {
        return global;
    }

    /** Every size {@code never} (what the conformance runner's {@code thp off} writes). */
    public void allNever() {
        for (int o = MIN_ORDER; o <= MAX_ORDER; o++) modes.set(o, Mode.NEVER.ordinal());
    }

    private static void checkOrder(int order) {
        if (order < MIN_ORDER || order > MAX_ORDER) {
            throw new IllegalArgumentException("mTHP order out of range: " + order);
        }
    }

    /**
     * thp_vma_allowable_orders(vma, vm_flags, TVA_PAGEFAULT, BIT(PMD_ORDER) - 1) for an anonymous VMA:
     * the orders whose size is {@code always}, {@code madvise} in a VM_HUGEPAGE VMA, or {@code inherit}
     * with the global setting {@code always} (or {@code madvise} in a VM_HUGEPAGE VMA); none in a
     * VM_NOHUGEPAGE VMA (vma_thp_disabled) or a file / shared VMA.
     *
     * @param vma the faulting VMA
     * @return a bit mask of page orders (bit n set: order n allowed)
     */
    public long vmaAllowableOrders(Vma vma) {
        long vmFlags = vma.flags();
        if (!vma.isAnonymous() || (vmFlags & VmFlags.VM_NOHUGEPAGE) != 0) return 0;
        boolean hugepage = (vmFlags & VmFlags.VM_HUGEPAGE) != 0;
        Mode g = global;
        boolean inherit = g == Mode.ALWAYS || (hugepage && g == Mode.MADVISE);
        long mask = 0;
        for (int o = MIN_ORDER; o <= MAX_ORDER; o++) {
            Mode m = Mode.values()[modes.get(o)];
            if (m == Mode.ALWAYS || (m == Mode.MADVISE && hugepage) || (m == Mode.INHERIT && inherit)) {
                mask |= 1L << o;
            }
        }
        return mask;
    }

    /**
     * thp_vma_suitable_orders(): keep the orders whose naturally aligned range around {@code addr} lies
     * wholly inside the VMA.
     *
     * @param vma the VMA
     * @param addr the faulting user virtual address (bytes)
     * @param orders a bit mask of page orders
     * @return the subset of {@code orders} that fits
     */
    public static long vmaSuitableOrders(Vma vma, long addr, long orders) {
        long out = 0;
        for (int o = MIN_ORDER; o <= MAX_ORDER; o++) {
            if ((orders & (1L << o)) == 0) continue;
            long size = 4096L << o;
            long haddr = addr & -size;
            if (haddr >= vma.start() && haddr + size <= vma.end()) out |= 1L << o;
        }
        return out;
    }
}
