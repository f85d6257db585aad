/** mm/mlock.c: mlock batches, mlock_count, the mlock family of system calls. */
module io.github.foliolab.mlock {
    requires transitive io.github.foliolab.mm;

    exports io.github.foliolab.mlock;

    provides io.github.foliolab.lru.LruExtension with io.github.foliolab.mlock.MlockLruExtension;
}
