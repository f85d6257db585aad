package io.github.foliolab.mm;

/**
 * The PTE encoding of the model (one long per virtual page): a present PTE carries the pfn above
 * {@link #PFN_SHIFT} and the x86 bits present, write, young (accessed), dirty and the software bit
 * special (set for the shared zero page, which vm_normal_page() does not return). A non-present,
 * non-none PTE is a swap-type entry: {@link #SWAP} set, the entry type in bits 6..11 (swap or one of
 * the migration kinds) and the offset (for migration entries: the pfn) above {@link #PFN_SHIFT}.
 *
 * <p>Model difference: protection is not encoded in the PTE besides the write bit; PROT_NONE is
 * enforced at the VMA level (the fault path checks the VMA before touching the PTE), so a PROT_NONE
 * PTE stays "present" as x86's _PAGE_PROTNONE PTE does for pte_present().
 */
public final class Pte {
    private Pte() {}

    public static final long NONE = 0;
    public static final long PRESENT = 1L;
    public static final long WRITE = 1L << 1;
    public static final long YOUNG = 1L << 2;
    public static final long DIRTY = 1L << 3;
    public static final long SPECIAL = 1L << 4;
    /** A swap-type (non-present) entry. */
    public static final long SWAP = 1L << 5;
    public static final int TYPE_SHIFT = 6;
    public static final long TYPE_MASK = 0x3fL << TYPE_SHIFT;
    /** Swap entry types: a swap slot, or a migration entry (read, readable-exclusive, writable). */
    public static final int SWP_SWAPFILE = 0;
    public static final int SWP_MIGRATION_READ = 1;
    public static final int SWP_MIGRATION_READ_EXCLUSIVE = 2;
    public static final int SWP_MIGRATION_WRITE = 3;
    public static final int PFN_SHIFT = 12;

    /** mk_pte() / pfn_pte(). */
    public static long mk(long pfn, boolean write, boolean dirty, boolean young) {
        long v = (pfn << PFN_SHIFT) | PRESENT;
        if (write) v |= WRITE;
        if (dirty) v |= DIRTY;
        if (young) v |= YOUNG;
        return v;
    }

    /**
     * pte_mkspecial(pfn_pte(zero_pfn)): the zero-page PTE (read-only, young).
     *
     * @param pfn the page frame number
     */
    public static long mkSpecial(long pfn) {
        return (pfn << PFN_SHIFT) | PRESENT | SPECIAL | YOUNG;
    }

    /** {@return a swap-type entry of {@code type} with {@code offset} (pfn for migration entries)} */
    public static long mkSwapEntry(int type, long offset) {
        return (offset << PFN_SHIFT) | SWAP | ((long) type << TYPE_SHIFT);
    }

    public static boolean none(long pte) {
        return pte == NONE;
    }

    public static boolean present(long pte) {
        return (pte & PRESENT) != 0;
    }

    public static boolean write(long pte) {
        return (pte & WRITE) != 0;
    }

    public static boolean young(long pte) {
        return (pte & YOUNG) != 0;
    }

    public static boolean dirty(long pte) {
        return (pte & DIRTY) != 0;
    }

    public static boolean special(long pte) {
        return (pte & SPECIAL) != 0;
    }

    public static boolean isSwapEntry(long pte) {
        return !present(pte) && (pte & SWAP) != 0;
    }

    public static int swapType(long pte) {
        return (int) ((pte & TYPE_MASK) >>> TYPE_SHIFT);
    }

    /** softleaf_is_migration() of the entry a non-present PTE holds (include/linux/leafops.h). */
    public static boolean isMigrationEntry(long pte) {
        return isSwapEntry(pte) && swapType(pte) != SWP_SWAPFILE;
    }

    /**
     * pte_pfn() (or the offset of a swap entry).
     *
     * @param pte the page-table entry
     */
    public static long pfn(long pte) {
        return pte >>> PFN_SHIFT;
    }

    public static long mkOld(long pte) {
        return pte & ~YOUNG;
    }

    /** pte_mkclean(). */
    public static long mkClean(long pte) {
        return pte & ~DIRTY;
    }

    public static long wrprotect(long pte) {
        return pte & ~WRITE;
    }

    public static long mkWrite(long pte) {
        return pte | WRITE;
    }

    public static long mkDirty(long pte) {
        return pte | DIRTY;
    }

    public static String toString(long pte) {
        if (none(pte)) return "pte_none";
        if (!present(pte)) return "swp(type " + swapType(pte) + ", 0x" + Long.toHexString(pfn(pte)) + ")";
        return "pte(pfn 0x" + Long.toHexString(pfn(pte)) + (write(pte) ? " W" : "") + (dirty(pte) ? " D" : "")
                + (young(pte) ? " A" : "") + (special(pte) ? " special" : "") + ")";
    }
}
