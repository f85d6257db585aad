package io.github.foliolab.mm;

import io.github.foliolab.folio.sync.SpinLock;

import java.util.ArrayList;
import java.util.List;

/**
 * struct anon_vma: the VMAs an anonymous folio may be mapped in (the VMA that faulted it and the pieces
 * split from it). folio->mapping of an anonymous folio points here (with PAGE_MAPPING_ANON).
 *
 * <p>Model difference: no anon_vma_chain (there is no fork): each VMA links to one anon_vma and an
 * anon_vma lists its VMAs directly; the kernel's rwsem is a spinlock here.
 */
public final class AnonVma {
    private final long id;
    /** anon_vma->rwsem: protects {@link #vmas}. */
    final SpinLock lock;
    private final List<Vma> vmas = new ArrayList<>();

    AnonVma(long id) {
        this.id = id;
        this.lock = new SpinLock("anon_vma#" + id);
    }

    public long id() {
        return id;
    }

    /** The value of folio->mapping for folios of this anon_vma: {@code id << 2 | PAGE_MAPPING_ANON}. */
    public long mappingWord() {
        return (id << 2) | 1L;
    }

    void link(Vma vma) {
        lock.lock();
        try {
            vmas.add(vma);
        } finally {
            lock.unlock();
        }
    }

    void unlink(Vma vma) {
        lock.lock();
        try {
            vmas.remove(vma);
        } finally {
            lock.unlock();
        }
    }

    /** The VMAs; caller holds {@link #lock}. */
    List<Vma> snapshotLocked() {
        return new ArrayList<>(vmas);
    }

    /** A snapshot of the VMAs, taken under the lock (anon_vma_lock_read + interval tree walk). */
    List<Vma> snapshot() {
        lock.lock();
        try {
            return new ArrayList<>(vmas);
        } finally {
            lock.unlock();
        }
    }
}
