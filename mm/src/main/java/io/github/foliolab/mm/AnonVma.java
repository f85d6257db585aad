package io.github.foliolab.mm;

import io.github.foliolab.folio.sync.SpinLock;

import java.util.ArrayList;
import java.util.List;

/**
 * struct anon_vma: the VMAs an anonymous folio may be mapped in. folio->mapping of an anonymous folio
 * points here (with PAGE_MAPPING_ANON). The anon_vmas of one process tree form a hierarchy (a child's
 * anon_vma has its parent's as {@link #parent()} and the oldest ancestor as {@link #root()}); every VMA
 * is chained (struct anon_vma_chain) to its own anon_vma and to every ancestor's its parent VMA was
 * chained to, so the rmap walk of a folio that names an ancestor's anon_vma reaches the children that
 * still share it (anon_vma_fork / anon_vma_clone of mm/rmap.c).
 *
 * <p>Model difference: the interval tree of chains is a list of VMAs (the walk computes each VMA's
 * address and skips those outside it); the root's rwsem is a spinlock, shared by the whole hierarchy
 * as the kernel's anon_vma_lock_write locks the root's; anon_vmas are never freed (no refcount) and the
 * fork-time reuse of an anon_vma whose VMAs all went away (maybe_reuse_anon_vma) is not modelled: a
 * forked VMA always gets a new anon_vma.
 */
public final class AnonVma {
    private final long id;
    private final AnonVma root;
    private final AnonVma parent;
    /** The root's anon_vma->rwsem: protects {@link #vmas} of every anon_vma of the hierarchy. */
    final SpinLock lock;
    /** The VMAs chained to this anon_vma (its rb_root of anon_vma_chains); under {@link #lock}. */
    private final List<Vma> vmas = new ArrayList<>();

    /** A new root anon_vma (anon_vma_alloc in __anon_vma_prepare). */
    AnonVma(long id) {
        this.id = id;
        this.root = this;
        this.parent = this;
        this.lock = new SpinLock("anon_vma#" + id);
    }

    /** A child anon_vma made by anon_vma_fork for the VMA forked from one mapped by {@code parent}. */
    AnonVma(long id, AnonVma parent) {
        this.id = id;
        this.root = parent.root;
        this.parent = parent;
        this.lock = root.lock;
    }

    /** {@return the anon_vma's id, unique in the machine (folio->mapping holds it shifted left by 2)} */
    public long id() {
        return id;
    }

    /**
     * anon_vma->root: the oldest ancestor, whose lock the hierarchy shares.
     *
     * @return the root anon_vma (this one for a root)
     */
    public AnonVma root() {
        return root;
    }

    /**
     * anon_vma->parent (the root is its own parent).
     *
     * @return the parent anon_vma
     */
    public AnonVma parent() {
        return parent;
    }

    /**
     * The value of folio->mapping for folios of this anon_vma: {@code id << 2 | PAGE_MAPPING_ANON}.
     *
     * @return the folio->mapping value, with bit 0 set
     */
    public long mappingWord() {
        return (id << 2) | 1L;
    }

    /** anon_vma_chain_assign() + anon_vma_interval_tree_insert(): chain {@code vma} to this anon_vma (under the root's lock). */
    void link(Vma vma) {
        lock.lock();
        try {
            vmas.add(vma);
            vma.anonVmaChain.add(this);
        } finally {
            lock.unlock();
        }
    }

    /**
     * anon_vma_clone(): chain {@code dst} to every anon_vma {@code src} is chained to (split, merge of an
     * unfaulted VMA, fork). Caller holds the mmap_lock for writing.
     */
    static void cloneChain(Vma dst, Vma src) {
        for (AnonVma av : List.copyOf(src.anonVmaChain)) {
            if (!dst.anonVmaChain.contains(av)) av.link(dst);
        }
    }

    /** unlink_anon_vmas(): take {@code vma} off every anon_vma it is chained to. */
    static void unlinkAll(Vma vma) {
        for (AnonVma av : List.copyOf(vma.anonVmaChain)) {
            av.lock.lock();
            try {
                av.vmas.remove(vma);
            } finally {
                av.lock.unlock();
            }
        }
        vma.anonVmaChain.clear();
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

    @Override
    public String toString() {
        return "anon_vma#" + id + (root == this ? "" : " (root #" + root.id + ")");
    }

    /** Save the chained VMAs and the lock (a machine checkpoint); the returned action puts them back. */
    Runnable save() {
        Vma[] copy = vmas.toArray(Vma[]::new);
        Runnable l = lock.save();
        return () -> {
            vmas.clear();
            vmas.addAll(java.util.Arrays.asList(copy));
            l.run();
        };
    }
}
