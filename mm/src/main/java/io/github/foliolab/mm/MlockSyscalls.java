package io.github.foliolab.mm;

/**
 * The mlock family of system calls (mm/mlock.c), filled in by the mlock module and registered with
 * {@link Mm#setMlockSyscalls}. Each returns 0 or -errno and runs on the calling simulated CPU.
 */
public interface MlockSyscalls {
    int mlock(MmStruct mm, long start, long len);

    int mlock2(MmStruct mm, long start, long len, int flags);

    int munlock(MmStruct mm, long start, long len);

    int mlockall(MmStruct mm, int flags);

    int munlockall(MmStruct mm);
}
