package io.github.foliolab.mm;

/**
 * The mlock family of system calls (mm/mlock.c): this module's upward call, declared here because
 * {@link Task} makes it, and provided by the mlock module when a machine is built. Each returns 0 or
 * -errno and runs on the calling simulated CPU. Without the mlock module every call is -ENOSYS
 * ({@link #ENOSYS}) and changes nothing.
 */
public interface MlockSyscalls {
    /**
     * mlock(2) (do_mlock in mm/mlock.c): VM_LOCKED on every VMA of the range, then mm_populate().
     *
     * @param mm the calling process's address space
     * @param start the start, a user virtual address (bytes; rounded down to a page)
     * @param len the length in bytes (the end is rounded up to a page)
     * @return 0, or -errno: -ENOMEM (a hole in the range, or over RLIMIT_MEMLOCK without CAP_IPC_LOCK), -EPERM
     *         (RLIMIT_MEMLOCK 0 without CAP_IPC_LOCK), -EINVAL (the range wraps), -EAGAIN (population ran out of
     *         memory)
     */
    int mlock(MmStruct mm, long start, long len);

    /**
     * mlock2(2) (mm/mlock.c): as mlock(2), with MLOCK_ONFAULT setting VM_LOCKONFAULT instead of populating.
     *
     * @param mm the calling process's address space
     * @param start the start, a user virtual address (bytes; rounded down to a page)
     * @param len the length in bytes (the end is rounded up to a page)
     * @param flags 0 or MLOCK_ONFAULT (VM_LOCKONFAULT: lock pages as they are faulted in, populate nothing)
     * @return 0, or -errno as {@link #mlock}; -EINVAL for an unknown flag
     */
    int mlock2(MmStruct mm, long start, long len, int flags);

    /**
     * munlock(2) (mm/mlock.c): VM_LOCKED and VM_LOCKONFAULT cleared over the range, pages munlocked.
     *
     * @param mm the calling process's address space
     * @param start the start, a user virtual address (bytes; rounded down to a page)
     * @param len the length in bytes (the end is rounded up to a page)
     * @return 0, or -errno: -ENOMEM (a hole in the range), -EINVAL (the range wraps)
     */
    int munlock(MmStruct mm, long start, long len);

    /**
     * mlockall(2) (mm/mlock.c): lock every VMA (MCL_CURRENT) and set mm->def_flags (MCL_FUTURE).
     *
     * @param mm the calling process's address space
     * @param flags MCL_CURRENT, MCL_FUTURE and MCL_ONFAULT bits
     * @return 0, or -errno: -EINVAL (neither MCL_CURRENT nor MCL_FUTURE, or an unknown bit), -EPERM
     *         (RLIMIT_MEMLOCK 0 without CAP_IPC_LOCK), -ENOMEM (MCL_CURRENT with total_vm over RLIMIT_MEMLOCK)
     */
    int mlockall(MmStruct mm, int flags);

    /**
     * munlockall(2) (mm/mlock.c): clear def_flags' lock bits and munlock every VMA.
     *
     * @param mm the calling process's address space
     * @return 0 (munlockall cannot fail)
     */
    int munlockall(MmStruct mm);

    /** The system calls of a kernel built without them: -ENOSYS, nothing changed. */
    MlockSyscalls ENOSYS = new MlockSyscalls() {
        @Override
        public int mlock(MmStruct mm, long start, long len) {
            return -Errno.ENOSYS;
        }

        @Override
        public int mlock2(MmStruct mm, long start, long len, int flags) {
            return -Errno.ENOSYS;
        }

        @Override
        public int munlock(MmStruct mm, long start, long len) {
            return -Errno.ENOSYS;
        }

        @Override
        public int mlockall(MmStruct mm, int flags) {
            return -Errno.ENOSYS;
        }

        @Override
        public int munlockall(MmStruct mm) {
            return -Errno.ENOSYS;
        }
    };
}
