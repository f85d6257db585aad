package io.github.foliolab.mm;

import io.github.foliolab.folio.sync.SpinLock;
import org.agrona.collections.Long2LongHashMap;

import java.util.ArrayList;
import java.util.List;

/**
 * A tmpfs (shmem) inode's struct address_space: the page cache (index -> folio pfn, i_pages) and the
 * VMAs mapping it (i_mmap). Anonymous shared mappings get one of their own, as shmem_zero_setup() gives
 * them a "dev/zero" shmem file.
 */
public final class AddressSpace {
    private final long id;
    private final String name;
    private final long sizePages;
    /** i_pages xa_lock: protects {@link #pages}. */
    final SpinLock iPagesLock;
    private final Long2LongHashMap pages = new Long2LongHashMap(-1L);
    /** i_mmap_rwsem (a spinlock in the model): protects {@link #iMmap}. */
    final SpinLock iMmapLock;
    private final List<Vma> iMmap = new ArrayList<>();
    /** True for the unlinked shmem file of an anonymous shared mapping (released with its last VMA). */
    private volatile boolean anonymous;

    AddressSpace(long id, String name, long sizePages) {
        this.id = id;
        this.name = name;
        this.sizePages = sizePages;
        this.iPagesLock = new SpinLock("i_pages:" + name);
        this.iMmapLock = new SpinLock("i_mmap:" + name);
    }

    /** {@return the file's id: the inode number of the model, unique in the machine} */
    public long id() {
        return id;
    }

    /** {@return the file's name, used in lock names and traces} */
    public String name() {
        return name;
    }

    /**
     * {@return whether this is the shmem file behind a MAP_SHARED | MAP_ANONYMOUS mapping (shmem_zero_setup())}
     */
    public boolean isAnonymous() {
        return anonymous;
    }

    void setAnonymous(boolean v) {
        anonymous = v;
    }

    /** {@return the number of VMAs mapping the file} */
    public int mapCount() {
        iMmapLock.lock();
        try {
            return iMmap.size();
        } finally {
            iMmapLock.unlock();
        }
    }

    /**
     * i_size in pages.
     *
     * @return the file size (i_size), in pages
     */
    public long sizePages() {
        return sizePages;
    }

    /** {@return the value of folio->mapping for folios of this file} */
    public long mappingWord() {
        return id << 2;
    }

    /**
     * filemap_get_entry(): the pfn cached at {@code index}, or -1.
     *
     * @param index the page index in the file, in pages
     * @return the pfn of the cached folio's page at {@code index}, or -1 when none is cached
     */
    public long lookup(long index) {
        iPagesLock.lock();
        try {
            return pages.get(index);
        } finally {
            iPagesLock.unlock();
        }
    }

    /** Insert under the xa_lock; false if the slot is taken (-EEXIST). */
    boolean insert(long index, long pfn) {
        iPagesLock.lock();
        try {
            if (pages.containsKey(index)) return false;
            pages.put(index, pfn);
            return true;
        } finally {
            iPagesLock.unlock();
        }
    }

    /** Remove under the xa_lock; true if it was {@code pfn}. */
    boolean remove(long index, long pfn) {
        iPagesLock.lock();
        try {
            if (pages.get(index) != pfn) return false;
            pages.remove(index);
            return true;
        } finally {
            iPagesLock.unlock();
        }
    }

    /** Remove with the xa_lock ({@link #iPagesLock}) already held by the caller. */
    void removeLocked(long index, long pfn) {
        if (pages.get(index) != pfn) {
            throw new IllegalStateException("page cache slot " + index + " of " + name + " does not hold pfn " + pfn);
        }
        pages.remove(index);
    }

    /**
     * xa_lock() of mapping-&gt;i_pages: the lock of the page cache's slots, for a caller that replaces one.
     *
     * @return the i_pages lock
     */
    public SpinLock xaLock() {
        return iPagesLock;
    }

    /**
     * Replace the folio in a page-cache slot, the xarray store of folio migration: the slot at {@code index} must
     * hold {@code oldPfn}; the caller holds {@link #xaLock()}.
     *
     * @param index the page index in the file
     * @param oldPfn the pfn the slot holds
     * @param newPfn the pfn it gets
     * @throws IllegalStateException if the slot does not hold {@code oldPfn} or the lock is not held
     */
    public void replaceLocked(long index, long oldPfn, long newPfn) {
        iPagesLock.assertHeld();
        if (pages.get(index) != oldPfn) {
            throw new IllegalStateException("page cache slot " + index + " of " + name + " does not hold pfn " + oldPfn);
        }
        pages.put(index, newPfn);
    }

    /**
     * mapping->nrpages.
     *
     * @return the number of pages in the page cache, in pages
     */
    public int nrPages() {
        iPagesLock.lock();
        try {
            return pages.size();
        } finally {
            iPagesLock.unlock();
        }
    }

    /** {@return the cached pfns (observers)} */
    public long[] cachedPfns() {
        iPagesLock.lock();
        try {
            long[] out = new long[pages.size()];
            int[] i = {0};
            pages.forEach((k, v) -> out[i[0]++] = v);
            return out;
        } finally {
            iPagesLock.unlock();
        }
    }

    void linkVma(Vma vma) {
        iMmapLock.lock();
        try {
            iMmap.add(vma);
        } finally {
            iMmapLock.unlock();
        }
    }

    void unlinkVma(Vma vma) {
        iMmapLock.lock();
        try {
            iMmap.remove(vma);
        } finally {
            iMmapLock.unlock();
        }
    }

    /** i_mmap; caller holds the i_mmap lock. */
    List<Vma> vmasLocked() {
        return new ArrayList<>(iMmap);
    }

    List<Vma> vmasSnapshot() {
        iMmapLock.lock();
        try {
            return new ArrayList<>(iMmap);
        } finally {
            iMmapLock.unlock();
        }
    }

    /**
     * Save the page cache index, the i_mmap list, the two locks and the anonymous mark (a machine
     * checkpoint); the returned action puts them back.
     */
    Runnable save() {
        Long2LongHashMap copy = new Long2LongHashMap(-1L);
        copy.putAll(pages);
        Vma[] mapped = iMmap.toArray(Vma[]::new);
        boolean anon = anonymous;
        Runnable locks = io.github.foliolab.folio.Restorable.saveAll(iPagesLock, iMmapLock);
        return () -> {
            pages.clear();
            pages.putAll(copy);
            iMmap.clear();
            iMmap.addAll(java.util.Arrays.asList(mapped));
            anonymous = anon;
            locks.run();
        };
    }
}
