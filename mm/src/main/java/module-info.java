/** mm/memory.c, mmap.c, vma.c, mprotect.c, madvise.c, rmap.c, shmem.c: address spaces, faults, syscalls. */
module io.github.foliolab.mm {
    requires transitive io.github.foliolab.lru;
    requires org.agrona;

    exports io.github.foliolab.mm;

    provides io.github.foliolab.folio.spi.MachineModule with io.github.foliolab.mm.MmModule;
}
