package io.github.foliolab.mm;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.folio.api.PageFlags;

/** /proc/kpageflags bits (include/uapi/linux/kernel-page-flags.h) and stable_page_flags() for a pfn. */
public final class KPageFlags {
    private KPageFlags() {}

    /** Bit {@code KPF_LOCKED} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_LOCKED = 0;
    /** Bit {@code KPF_REFERENCED} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_REFERENCED = 2;
    /** Bit {@code KPF_UPTODATE} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_UPTODATE = 3;
    /** Bit {@code KPF_DIRTY} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_DIRTY = 4;
    /** Bit {@code KPF_LRU} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_LRU = 5;
    /** Bit {@code KPF_ACTIVE} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_ACTIVE = 6;
    /** Bit {@code KPF_WRITEBACK} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_WRITEBACK = 8;
    /** Bit {@code KPF_RECLAIM} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_RECLAIM = 9;
    /** Bit {@code KPF_BUDDY} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_BUDDY = 10;
    /** Bit {@code KPF_MMAP} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_MMAP = 11;
    /** Bit {@code KPF_ANON} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_ANON = 12;
    /** Bit {@code KPF_SWAPCACHE} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_SWAPCACHE = 13;
    /** Bit {@code KPF_SWAPBACKED} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_SWAPBACKED = 14;
    /** Bit {@code KPF_COMPOUND_HEAD} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_COMPOUND_HEAD = 15;
    /** Bit {@code KPF_COMPOUND_TAIL} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_COMPOUND_TAIL = 16;
    /** Bit {@code KPF_UNEVICTABLE} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_UNEVICTABLE = 18;
    /** Bit {@code KPF_NOPAGE} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_NOPAGE = 20;
    /** Bit {@code KPF_ZERO_PAGE} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_ZERO_PAGE = 24;
    /** Bit {@code KPF_RESERVED} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_RESERVED = 32;
    /** Bit {@code KPF_MLOCKED} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_MLOCKED = 33;
    /** Bit {@code KPF_PRIVATE} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_PRIVATE = 36;
    /** Bit {@code KPF_OWNER_PRIVATE} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_OWNER_PRIVATE = 37;
    /** Bit {@code KPF_ARCH} of /proc/kpageflags (include/uapi/linux/kernel-page-flags.h). */
    public static final int KPF_ARCH = 38;

    /**
     * stable_page_flags() of the page at {@code pfn}.
     *
     * @param mm the machine's memmap
     * @param pfn the page frame number (any page of a folio)
     * @return the /proc/kpageflags word: a bit set per KPF_* constant of this class
     */
    public static long of(MemMap mm, long pfn) {
        long head = mm.compoundHead(pfn);
        Folio folio = mm.folio(head);
        long flags = mm.flagsWord(head);
        long u = 0;
        if (mm.isZeroFolio(pfn)) u |= 1L << KPF_ZERO_PAGE;
        if (mm.isBuddy(pfn)) u |= 1L << KPF_BUDDY;
        if (folio.mapped()) u |= 1L << KPF_MMAP;
        if (folio.isAnon()) u |= 1L << KPF_ANON;
        if (folio.isLarge()) u |= 1L << (pfn == head ? KPF_COMPOUND_HEAD : KPF_COMPOUND_TAIL);
        u |= bit(flags, PageFlags.PG_locked, KPF_LOCKED);
        u |= bit(flags, PageFlags.PG_referenced, KPF_REFERENCED);
        u |= bit(flags, PageFlags.PG_uptodate, KPF_UPTODATE);
        u |= bit(flags, PageFlags.PG_dirty, KPF_DIRTY);
        u |= bit(flags, PageFlags.PG_lru, KPF_LRU);
        u |= bit(flags, PageFlags.PG_active, KPF_ACTIVE);
        u |= bit(flags, PageFlags.PG_writeback, KPF_WRITEBACK);
        u |= bit(flags, PageFlags.PG_reclaim, KPF_RECLAIM); // PG_reclaim shares its bit with PG_readahead
        long swapcache = (1L << PageFlags.PG_swapbacked) | (1L << PageFlags.PG_swapcache);
        if ((flags & swapcache) == swapcache) u |= 1L << KPF_SWAPCACHE;
        u |= bit(flags, PageFlags.PG_swapbacked, KPF_SWAPBACKED);
        u |= bit(flags, PageFlags.PG_unevictable, KPF_UNEVICTABLE);
        u |= bit(flags, PageFlags.PG_mlocked, KPF_MLOCKED);
        u |= bit(flags, PageFlags.PG_reserved, KPF_RESERVED);
        u |= bit(flags, PageFlags.PG_private, KPF_PRIVATE);
        return u;
    }

    /**
     * The page's letters as the conformance transcripts print them: {@code Z} zero page, {@code M}
     * mlocked, {@code U} unevictable, {@code L} on an LRU, {@code A} active, in that order; {@code -} for a
     * present page with none of them, {@code .} for {@code kpf < 0} (no present PTE).
     *
     * @param kpf a /proc/kpageflags word ({@link #of}), or -1 for a page that is not present
     * @return the letters, e.g. {@code "MUL"}, {@code "-"} or {@code "."}
     */
    public static String letters(long kpf) {
        if (kpf < 0) return ".";
        StringBuilder sb = new StringBuilder(5);
        if ((kpf & (1L << KPF_ZERO_PAGE)) != 0) sb.append('Z');
        if ((kpf & (1L << KPF_MLOCKED)) != 0) sb.append('M');
        if ((kpf & (1L << KPF_UNEVICTABLE)) != 0) sb.append('U');
        if ((kpf & (1L << KPF_LRU)) != 0) sb.append('L');
        if ((kpf & (1L << KPF_ACTIVE)) != 0) sb.append('A');
        return sb.isEmpty() ? "-" : sb.toString();
    }

    private static long bit(long flags, int pg, int kpf) {
        return (flags & (1L << pg)) != 0 ? 1L << kpf : 0;
    }
}
