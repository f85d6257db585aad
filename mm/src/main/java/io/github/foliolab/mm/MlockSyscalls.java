package io.github.foliolab.mm;

/**
 * The mlock family of system calls (mm/mlock.c): this module's upward call, declared here because
 * {@link Task} makes it, and provided by the mlock module when a machine is built. Each returns 0 or
 * -errno and runs on the calling simulated CPU. Without the mlock module every call is -ENOSYS
 * ({@link #ENOSYS}) and changes nothing.
 */
public interface MlockSyscalls {
    /** mlock(2). */
    int mlock(MmStruct mm, long start, long len);

    /** mlock2(2). */
    int mlock2(MmStruct mm, long start, long len, int flags);

    /** munlock(2). */
    int munlock(MmStruct mm, long start, long len);

    /** mlockall(2). */
    int mlockall(MmStruct mm, int flags);

    /** munlockall(2). */
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
