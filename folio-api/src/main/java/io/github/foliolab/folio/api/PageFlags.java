package io.github.foliolab.folio.api;

/**
 * Page flag bit numbers of Linux 7.2, {@code enum pageflags} in include/linux/page-flags.h, for a 64-bit
 * CONFIG_MMU kernel with CONFIG_MEMORY_FAILURE and without PG_young/PG_idle/PG_arch_2/3 (the Debian cloud
 * configuration the conformance runs use). Aliases share their bit as in the kernel.
 *
 * <p>The high bits of the flags word hold the zone number as the kernel's {@code page_zonenum()} reads it
 * ({@link #ZONES_PGSHIFT}) and node ({@link #NODES_PGSHIFT}); section bits are not modelled.
 */
public final class PageFlags {
    private PageFlags() {}

    /** {@code PG_locked}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_locked = 0;
    /** {@code PG_writeback}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_writeback = 1;
    /** {@code PG_referenced}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_referenced = 2;
    /** {@code PG_uptodate}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_uptodate = 3;
    /** {@code PG_dirty}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_dirty = 4;
    /** {@code PG_lru}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_lru = 5;
    /** {@code PG_head}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_head = 6;
    /** {@code PG_waiters}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_waiters = 7;
    /** {@code PG_active}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_active = 8;
    /** {@code PG_workingset}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_workingset = 9;
    /** {@code PG_owner_priv_1}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_owner_priv_1 = 10;
    /** {@code PG_owner_2}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_owner_2 = 11;
    /** {@code PG_arch_1}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_arch_1 = 12;
    /** {@code PG_reserved}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_reserved = 13;
    /** {@code PG_private}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_private = 14;
    /** {@code PG_private_2}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_private_2 = 15;
    /** {@code PG_reclaim}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_reclaim = 16;
    /** {@code PG_swapbacked}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_swapbacked = 17;
    /** {@code PG_unevictable}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_unevictable = 18;
    /** {@code PG_dropbehind}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_dropbehind = 19;
    /** {@code PG_mlocked}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_mlocked = 20;
    /** {@code PG_hwpoison}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_hwpoison = 21;
    /** Number of page flags ({@code __NR_PAGEFLAGS}). */
    public static final int NR_PAGEFLAGS = 22;

    /** {@code PG_readahead}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_readahead = PG_reclaim;
    /** {@code PG_swapcache}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_swapcache = PG_owner_priv_1;
    /** {@code PG_checked}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_checked = PG_owner_priv_1;
    /** {@code PG_anon_exclusive}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_anon_exclusive = PG_owner_2;
    /** {@code PG_mappedtodisk}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_mappedtodisk = PG_owner_2;
    /** Second-page flags (stored in {@code _flags_1}). */
    public static final int PG_has_hwpoisoned = PG_active;
    /** {@code PG_large_rmappable}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_large_rmappable = PG_workingset;
    /** {@code PG_partially_mapped}: a bit number of folio->flags (include/linux/page-flags.h). */
    public static final int PG_partially_mapped = PG_reclaim;

    /** Flags that must be clear when a folio is freed ({@code PAGE_FLAGS_CHECK_AT_FREE}). */
    public static final long PAGE_FLAGS_CHECK_AT_FREE = 1L << PG_lru | 1L << PG_locked | 1L << PG_private
            | 1L << PG_private_2 | 1L << PG_writeback | 1L << PG_reserved | 1L << PG_active
            | 1L << PG_unevictable | 1L << PG_mlocked;

    /**
     * Flags checked when the allocator hands out a page ({@code PAGE_FLAGS_CHECK_AT_PREP}): every flag
     * bit. The zone bits above {@link #ZONES_PGSHIFT} are not flags.
     */
    public static final long PAGE_FLAGS_CHECK_AT_PREP = (1L << NR_PAGEFLAGS) - 1;

    /** Where the zone number sits in the flags word (the kernel packs zone/node/section at the top). */
    public static final int ZONES_PGSHIFT = 62;
    /** {@code ZONES_MASK} (include/linux/page-flags.h). */
    public static final long ZONES_MASK = 3L;
    /** Where the node id sits in the flags word (page_to_nid()): below the zone bits, up to 64 nodes. */
    public static final int NODES_PGSHIFT = 56;
    /**
     * {@code NODES_MASK}: the node id's width in the flags word (6 bits, up to 64 nodes), after shifting by {@link #NODES_PGSHIFT}.
     */
    public static final long NODES_MASK = 63L;

    private static final String[] NAMES = {
        "locked", "writeback", "referenced", "uptodate", "dirty", "lru", "head", "waiters", "active",
        "workingset", "owner_priv_1", "owner_2", "arch_1", "reserved", "private", "private_2", "reclaim",
        "swapbacked", "unevictable", "dropbehind", "mlocked", "hwpoison"
    };

    /**
     * The flag's name as dump_page prints it ({@code %pGp}): "lru", "mlocked", ...
     *
     * @param bit a PG_ bit number below {@link #NR_PAGEFLAGS}
     * @return the name, as in include/trace/events/mmflags.h
     */
    public static String name(int bit) {
        return bit >= 0 && bit < NAMES.length ? NAMES[bit] : "bit" + bit;
    }

    /**
     * The kernel's number of ZONE_NORMAL ({@code enum zone_type} on x86_64 with CONFIG_ZONE_DMA and
     * CONFIG_ZONE_DMA32, as Debian's kernel is built: ZONE_DMA 0, ZONE_DMA32 1, ZONE_NORMAL 2, ZONE_MOVABLE
     * 3). The model's flags word numbers its two zones from 0 ({@link ZoneType} ordinal); dumps add this.
     */
    public static final int KERNEL_ZONE_NORMAL = 2;

    /**
     * The flags word rendered like dump_page's {@code flags: 0x...(lru|active|...)}.
     *
     * @param flags a page's flags word (zone and node bits included)
     * @return the hex word and the names of the set PG_ bits
     */
    public static String describe(long flags) {
        StringBuilder sb = new StringBuilder();
        sb.append("0x").append(Long.toHexString(flags)).append('(');
        boolean first = true;
        for (int bit = 0; bit < NR_PAGEFLAGS; bit++) {
            if ((flags & (1L << bit)) != 0) {
                if (!first) sb.append('|');
                sb.append(NAMES[bit]);
                first = false;
            }
        }
        if (!first) sb.append('|');
        sb.append("zone=").append(KERNEL_ZONE_NORMAL + ((flags >>> ZONES_PGSHIFT) & ZONES_MASK)).append(')');
        return sb.toString();
    }
}
