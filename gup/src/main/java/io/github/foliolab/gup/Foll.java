package io.github.foliolab.gup;

import io.github.foliolab.folio.MemMap;

/**
 * The FOLL_* flags of GUP (enum gup_flags in include/linux/mm_types.h and the mm-internal ones of
 * mm/internal.h), with the kernel's values.
 */
public final class Foll {
    private Foll() {
    }

    /** FOLL_WRITE: check that the PTE is writable, break COW. */
    public static final int FOLL_WRITE = 1;
    /** FOLL_GET: take a reference on each page returned. */
    public static final int FOLL_GET = 1 << 1;
    /** FOLL_FORCE: get_user_pages read/write w/o permission (ptrace). */
    public static final int FOLL_FORCE = 1 << 3;
    /** FOLL_NOFAULT: do not fault pages in. */
    public static final int FOLL_NOFAULT = 1 << 5;
    /** FOLL_ANON: only anonymous VMAs. */
    public static final int FOLL_ANON = 1 << 7;
    /** FOLL_LONGTERM: the pin may last indefinitely; pages that may not be pinned so are migrated first. */
    public static final int FOLL_LONGTERM = 1 << 8;
    /** FOLL_TOUCH (mm-internal): mark the page accessed (and dirty on FOLL_WRITE). */
    public static final int FOLL_TOUCH = 1 << 16;
    /** FOLL_PIN (mm-internal): pin each page returned (pin_user_pages*). */
    public static final int FOLL_PIN = 1 << 19;
    /** FOLL_FAST_ONLY (mm-internal): GUP-fast only, no fallback to the slow path. */
    public static final int FOLL_FAST_ONLY = 1 << 20;
    /** FOLL_UNLOCKABLE (mm-internal): the mmap_lock may be dropped. */
    public static final int FOLL_UNLOCKABLE = 1 << 21;
    /**
     * FOLL_MADV_POPULATE (mm-internal): MADV_POPULATE_(READ|WRITE)'s own VMA lookup in __get_user_pages
     * (a hole is -ENOMEM, a refused access -EINVAL).
     */
    public static final int FOLL_MADV_POPULATE = 1 << 22;

    /** {@return the FOLL_GET / FOLL_PIN bits of {@code gupFlags} as MemMap's reference primitives take them} */
    static int memMapFlags(int gupFlags) {
        return ((gupFlags & FOLL_GET) != 0 ? MemMap.FOLL_GET : 0) | ((gupFlags & FOLL_PIN) != 0 ? MemMap.FOLL_PIN : 0);
    }
}
