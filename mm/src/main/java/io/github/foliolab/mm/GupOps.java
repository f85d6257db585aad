package io.github.foliolab.mm;

/**
 * Population through the GUP slow path of mm/gup.c: this module's upward call, declared here because
 * mmap(MAP_POPULATE), mprotect of a locked range, MADV_POPULATE_(READ|WRITE) and the mlock system
 * calls make it, and provided by the gup module ({@code foliolab-gup}) when a machine is built. The
 * mlock module requires the gup module, so a machine with mlock always populates. On a machine with mm
 * alone ({@link #ABSENT}) nothing is populated ahead of use: mmap(MAP_POPULATE), MAP_LOCKED and mprotect
 * of a locked range leave every page to its first fault, as an MLOCK_ONFAULT range does, and
 * MADV_POPULATE_(READ|WRITE), which exists only to populate, throws an {@link IllegalStateException}
 * naming the module.
 */
public interface GupOps {
    /**
     * __mm_populate() (mm/gup.c): populate every VMA intersecting [start, start + len) under the
     * mmap_lock taken for reading.
     *
     * @param mm the address space (mm_struct)
     * @param start the start of the range, a user virtual address (bytes)
     * @param len the length of the range (bytes)
     * @param ignoreErrors keep going past a VMA that fails (mmap's MAP_POPULATE, mlockall)
     * @return 0, or the first -errno unless {@code ignoreErrors}
     */
    int mmPopulate(MmStruct mm, long start, long len, boolean ignoreErrors);

    /**
     * populate_vma_page_range() (mm/gup.c): fault in [start, end) of {@code vma}; the caller holds the
     * mmap_lock.
     *
     * @param vma the VMA
     * @param start the start of the range, a user virtual address (bytes)
     * @param end the end of the range (exclusive), a user virtual address (bytes)
     * @return the number of pages done, or -errno
     */
    long populateVmaPageRange(Vma vma, long start, long end);

    /**
     * faultin_page_range() (mm/gup.c), for MADV_POPULATE_READ / MADV_POPULATE_WRITE; the caller holds
     * the mmap_lock.
     *
     * @param mm the address space (mm_struct)
     * @param start the start of the range, a page-aligned user virtual address (bytes)
     * @param end the end of the range (exclusive), page-aligned (bytes)
     * @param write FOLL_WRITE (MADV_POPULATE_WRITE)
     * @return the number of pages done, or -errno
     */
    long faultinPageRange(MmStruct mm, long start, long end, boolean write);

    /** A machine without the gup module: population is left to the first faults (see above). */
    GupOps ABSENT = new GupOps() {
        @Override
        public int mmPopulate(MmStruct mm, long start, long len, boolean ignoreErrors) {
            return 0;
        }

        @Override
        public long populateVmaPageRange(Vma vma, long start, long end) {
            return (end - start) >>> 12;
        }

        @Override
        public long faultinPageRange(MmStruct mm, long start, long end, boolean write) {
            throw new IllegalStateException("MADV_POPULATE_(READ|WRITE) (mm/gup.c) needs the gup module: add io.github.foliolab:foliolab-gup");
        }
    };
}
