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

    /** pte_none(): an empty entry, nothing mapped and nothing recorded. */
    public static final long NONE = 0;
    /** _PAGE_PRESENT (arch/x86/include/asm/pgtable_types.h): the hardware may use the entry. */
    public static final long PRESENT = 1L;
    /** _PAGE_RW: writes allowed; clear for read-only and copy-on-write mappings. */
    public static final long WRITE = 1L << 1;
    /** _PAGE_ACCESSED (pte_young()): set by the hardware walk on any access, cleared by reclaim's aging. */
    public static final long YOUNG = 1L << 2;
    /** _PAGE_DIRTY: set by the hardware walk on a write. */
    public static final long DIRTY = 1L << 3;
    /** _PAGE_SPECIAL: a PTE without a struct page that vm_normal_page() returns (here: the zero page). */
    public static final long SPECIAL = 1L << 4;
    /** A swap-type (non-present) entry. */
    public static final long SWAP = 1L << 5;
    /** The shift of the swap-entry type field (bits 6..11). */
    public static final int TYPE_SHIFT = 6;
    /** The swap-entry type field's mask, in place. */
    public static final long TYPE_MASK = 0x3fL << TYPE_SHIFT;
    /** Swap entry type SWP_SWAPFILE: a swap slot (the entry's offset is the slot on the swap device). */
    public static final int SWP_SWAPFILE = 0;
    /** SWP_MIGRATION_READ (include/linux/swap.h): a migration entry of a read-only mapping. */
    public static final int SWP_MIGRATION_READ = 1;
    /**
     * SWP_MIGRATION_READ_EXCLUSIVE: a migration entry of a read-only, exclusive anon page (PG_anon_exclusive
     * kept).
     */
    public static final int SWP_MIGRATION_READ_EXCLUSIVE = 2;
    /** SWP_MIGRATION_WRITE: a migration entry of a writable mapping. */
    public static final int SWP_MIGRATION_WRITE = 3;
    /** PAGE_SHIFT: the pfn (or swap offset) is stored at bit 12 and above, as in x86's PTE. */
    public static final int PFN_SHIFT = 12;

    /**
     * mk_pte() / pfn_pte().
     *
     * @param pfn the page frame number to map
     * @param write true for a writable PTE
     * @param dirty true to set the dirty bit
     * @param young true to set the accessed bit
     * @return the present PTE
     */
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
     * @return the special, young, read-only PTE of the zero page
     */
    public static long mkSpecial(long pfn) {
        return (pfn << PFN_SHIFT) | PRESENT | SPECIAL | YOUNG;
    }

    /**
     * {@return a swap-type entry of {@code type} with {@code offset} (pfn for migration entries)}
     *
     * @param type the entry type: {@link #SWP_SWAPFILE} or a SWP_MIGRATION_* kind
     * @param offset the swap slot, or for a migration entry the pfn of the folio's page
     */
    public static long mkSwapEntry(int type, long offset) {
        return (offset << PFN_SHIFT) | SWAP | ((long) type << TYPE_SHIFT);
    }

    /**
     * pte_none().
     *
     * @param pte the page-table entry
     * @return true if the entry is empty
     */
    public static boolean none(long pte) {
        return pte == NONE;
    }

    /**
     * pte_present().
     *
     * @param pte the page-table entry
     * @return true if the entry maps a page (PROT_NONE PTEs included)
     */
    public static boolean present(long pte) {
        return (pte & PRESENT) != 0;
    }

    /**
     * pte_write().
     *
     * @param pte the page-table entry
     * @return true if the PTE allows writes
     */
    public static boolean write(long pte) {
        return (pte & WRITE) != 0;
    }

    /**
     * pte_young().
     *
     * @param pte the page-table entry
     * @return true if the accessed bit is set
     */
    public static boolean young(long pte) {
        return (pte & YOUNG) != 0;
    }

    /**
     * pte_dirty().
     *
     * @param pte the page-table entry
     * @return true if the dirty bit is set
     */
    public static boolean dirty(long pte) {
        return (pte & DIRTY) != 0;
    }

    /**
     * pte_special().
     *
     * @param pte the page-table entry
     * @return true for the zero page's PTE
     */
    public static boolean special(long pte) {
        return (pte & SPECIAL) != 0;
    }

    /**
     * Not present and not none: what softleaf_from_pte() (include/linux/leafops.h) turns into a swap or
     * migration leaf entry.
     *
     * @param pte the page-table entry
     * @return true if the entry is a swap or migration entry
     */
    public static boolean isSwapEntry(long pte) {
        return !present(pte) && (pte & SWAP) != 0;
    }

    /**
     * swp_type() of the entry a non-present PTE holds.
     *
     * @param pte a swap-type entry
     * @return the entry's type: {@link #SWP_SWAPFILE} or a SWP_MIGRATION_* kind
     */
    public static int swapType(long pte) {
        return (int) ((pte & TYPE_MASK) >>> TYPE_SHIFT);
    }

    /**
     * softleaf_is_migration() of the entry a non-present PTE holds (include/linux/leafops.h).
     *
     * @param pte the page-table entry
     * @return true if the entry is a migration entry of any kind
     */
    public static boolean isMigrationEntry(long pte) {
        return isSwapEntry(pte) && swapType(pte) != SWP_SWAPFILE;
    }

    /**
     * pte_pfn() (or the offset of a swap entry).
     *
     * @param pte the page-table entry
     * @return the pfn of a present PTE, or the offset (migration: the pfn) of a swap entry
     */
    public static long pfn(long pte) {
        return pte >>> PFN_SHIFT;
    }

    /**
     * pte_mkold(): clear the accessed bit.
     *
     * @param pte the page-table entry
     * @return the entry without the accessed bit
     */
    public static long mkOld(long pte) {
        return pte & ~YOUNG;
    }

    /**
     * pte_mkclean().
     *
     * @param pte the page-table entry
     * @return the entry without the dirty bit
     */
    public static long mkClean(long pte) {
        return pte & ~DIRTY;
    }

    /**
     * pte_wrprotect(): clear the write bit.
     *
     * @param pte the page-table entry
     * @return the entry without the write bit
     */
    public static long wrprotect(long pte) {
        return pte & ~WRITE;
    }

    /**
     * pte_mkwrite(): set the write bit.
     *
     * @param pte the page-table entry
     * @return the entry with the write bit
     */
    public static long mkWrite(long pte) {
        return pte | WRITE;
    }

    /**
     * pte_mkdirty(): set the dirty bit.
     *
     * @param pte the page-table entry
     * @return the entry with the dirty bit
     */
    public static long mkDirty(long pte) {
        return pte | DIRTY;
    }

    /**
     * The entry as trace tables print it: {@code pte_none}, {@code swp(type T, 0xOFFSET)} or {@code pte(pfn 0xN W
     * D A special)}.
     *
     * @param pte the page-table entry
     * @return the entry's text
     */
    public static String toString(long pte) {
        if (none(pte)) return "pte_none";
        if (!present(pte)) return "swp(type " + swapType(pte) + ", 0x" + Long.toHexString(pfn(pte)) + ")";
        return "pte(pfn 0x" + Long.toHexString(pfn(pte)) + (write(pte) ? " W" : "") + (dirty(pte) ? " D" : "")
                + (young(pte) ? " A" : "") + (special(pte) ? " special" : "") + ")";
    }
}
