package io.github.foliolab.mm;

/**
 * The page-migration system calls, move_pages(2) (mm/migrate.c) and migrate_pages(2) (mm/mempolicy.c):
 * this module's upward call, declared here because {@link Task} makes it, and provided by the migrate
 * module when a machine is built. Each returns 0, a count of pages not migrated, or -errno, and runs on
 * the calling simulated CPU. Without the migrate module every call is -ENOSYS ({@link #ENOSYS}) and
 * changes nothing (no array element is written).
 */
public interface MigrateSyscalls {
    /** MPOL_MF_MOVE (include/uapi/linux/mempolicy.h): move the pages mapped only by this process. */
    int MPOL_MF_MOVE = 1 << 1;
    /** MPOL_MF_MOVE_ALL: move shared pages too (needs CAP_SYS_NICE). */
    int MPOL_MF_MOVE_ALL = 1 << 2;

    /**
     * move_pages(2) of the calling process (pid 0).
     *
     * @param mm the caller's address space
     * @param pages the user virtual addresses (bytes), one per page
     * @param nodes the target node of each page, or null to query each page's node
     * @param status written per page: its node, or -errno (same length as {@code pages})
     * @param flags MPOL_MF_MOVE or MPOL_MF_MOVE_ALL
     * @return 0, the number of pages not migrated, or -errno
     */
    int movePages(MmStruct mm, long[] pages, int[] nodes, int[] status, int flags);

    /**
     * migrate_pages(2) of the calling process (pid 0).
     *
     * @param mm the caller's address space
     * @param oldNodes the source nodes, bit i for node i
     * @param newNodes the destination nodes, bit i for node i
     * @return the number of pages not migrated, or -errno
     */
    long migratePages(MmStruct mm, long oldNodes, long newNodes);

    /** The system calls of a kernel built without page migration: -ENOSYS, nothing changed. */
    MigrateSyscalls ENOSYS = new MigrateSyscalls() {
        @Override
        public int movePages(MmStruct mm, long[] pages, int[] nodes, int[] status, int flags) {
            return -Errno.ENOSYS;
        }

        @Override
        public long migratePages(MmStruct mm, long oldNodes, long newNodes) {
            return -Errno.ENOSYS;
        }
    };
}
