/** mm/mlock.c: mlock batches, mlock_count, the mlock family of system calls. */
module io.github.foliolab.mlock {
    requires transitive io.github.foliolab.mm;

    exports io.github.foliolab.mlock;
    exports io.github.foliolab.mlock.syscalls;

    provides io.github.foliolab.lru.LruExtension with io.github.foliolab.mlock.MlockLruExtension;
    provides io.github.foliolab.mm.MmExtension with io.github.foliolab.mlock.syscalls.MlockMmExtension;
}
