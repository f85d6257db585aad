package io.github.foliolab.mm;

/** The errno values the system-call layer returns, negated as the kernel's syscalls return them. */
public final class Errno {
    private Errno() {}

    /** {@code EPERM} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int EPERM = 1;
    /** {@code ENOENT} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int ENOENT = 2;
    /** {@code EINTR} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int EINTR = 4;
    /** {@code EBADF} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int EBADF = 9;
    /** {@code EAGAIN} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int EAGAIN = 11;
    /** {@code ENOMEM} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int ENOMEM = 12;
    /** {@code EACCES} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int EACCES = 13;
    /** {@code EFAULT} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int EFAULT = 14;
    /** {@code EBUSY} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int EBUSY = 16;
    /** {@code EEXIST} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int EEXIST = 17;
    /** {@code ENODEV} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int ENODEV = 19;
    /** {@code EINVAL} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int EINVAL = 22;
    /** {@code ENOSYS} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int ENOSYS = 38;
    /** {@code EOVERFLOW} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int EOVERFLOW = 75;
    /** {@code EOPNOTSUPP} (include/uapi/asm-generic/errno-base.h, errno.h). */
    public static final int EOPNOTSUPP = 95;

    /**
     * {@return the name of an errno (ENOMEM), or "E?" + n}
     *
     * @param errno a positive errno value
     */
    public static String name(int errno) {
        return switch (Math.abs(errno)) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EBUSY -> "EBUSY";
            case EEXIST -> "EEXIST";
            case ENODEV -> "ENODEV";
            case EINVAL -> "EINVAL";
            case ENOSYS -> "ENOSYS";
            case EOVERFLOW -> "EOVERFLOW";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            default -> "E?" + Math.abs(errno);
        };
    }
}
