package io.github.foliolab.mm;

import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.api.VmFlags;

/**
 * mm/vma.c for the model: __split_vma, the merge tests (is_mergeable_vma, is_mergeable_anon_vma,
 * contiguous pgoff), vma_merge_existing_range as vma_modify_flags() uses it, vma_merge_new_range for
 * mmap, and VMA removal. All run with the mmap_lock held for writing; changing a linked VMA's bounds
 * takes its rmap locks (i_mmap, anon_vma) as vma_prepare() does, so rmap walkers see consistent VMAs.
 */
public final class VmaModify {
    /** VM_IGNORE_MERGE: VM_SOFTDIRTY is not modelled, so no flag is ignored. */
    private static final long VM_IGNORE_MERGE = 0;

    private final Mm ctx;

    VmaModify(Mm ctx) {
        this.ctx = ctx;
    }

    private static void lockRmap(Vma v) {
        if (v.file != null) v.file.iMmapLock.lock();
        AnonVma a = v.anonVma;
        if (a != null) a.lock.lock();
    }

    private static void unlockRmap(Vma v, AnonVma a) {
        if (a != null) a.lock.unlock();
        if (v.file != null) v.file.iMmapLock.unlock();
    }

    /** Change a linked VMA's bounds under its rmap locks (vma_prepare / vma_complete). */
    private static void adjust(Vma v, long start, long end, long pgoff) {
        AnonVma a = v.anonVma;
        lockRmap(v);
        try {
            v.start = start;
            v.end = end;
            v.pgoff = pgoff;
        } finally {
            unlockRmap(v, a);
        }
    }

    /** Link a new VMA into the tree and its file's i_mmap (its anon_vma chain is set up by the caller). */
    void link(Vma v) {
        v.mm().treeInsert(v);
        if (v.file != null) v.file.linkVma(v);
    }

    /** Unlink a VMA from the tree and the rmap structures (remove_vma without the file release). */
    void unlink(Vma v) {
        v.mm().treeRemove(v);
        if (v.file != null) v.file.unlinkVma(v);
        AnonVma.unlinkAll(v);
    }

    /**
     * __split_vma(): split {@code vma} at {@code addr}; {@code vma} keeps [start, addr) and the returned
     * new VMA covers [addr, end) with the same flags, file and anon_vma.
     *
     * @param vma the VMA
     * @param addr a user virtual address (bytes)
     * @return the new VMA covering [addr, old end)
     */
    public Vma split(Vma vma, long addr) {
        vma.mm().mmapLock().assertWriteLocked();
        if (addr <= vma.start || addr >= vma.end || (addr & 0xfff) != 0) {
            throw new VmBugException("__split_vma at 0x" + Long.toHexString(addr) + " outside " + vma);
        }
        long oldEnd = vma.end;
        Vma upper = new Vma(vma.mm(), addr, oldEnd, vma.flags(), vma.pgoff + ((addr - vma.start) >>> 12), vma.file);
        upper.anonVma = vma.anonVma;
        AnonVma.cloneChain(upper, vma); // anon_vma_clone()
        adjust(vma, vma.start, addr, vma.pgoff);
        link(upper);
        return upper;
    }

    /** is_mergeable_anon_vma() without the fork-child test ({@link #forkChildCompatible}). */
    private static boolean anonVmaCompatible(AnonVma a, AnonVma b) {
        return a == null || b == null || a == b;
    }

    /** vma_is_fork_child(): an anon_vma and a chain of more than one (inherited from a parent). */
    private static boolean isForkChild(Vma v) {
        return v != null && v.anonVma != null && v.anonVmaChain.size() != 1;
    }

    /**
     * is_mergeable_anon_vma()'s fork-child cases: when only one side has an anon_vma, that side must not
     * be a fork child (its chain would have to be copied onto the other side).
     */
    private static boolean forkChildCompatible(Vma neighbour, Vma middle) {
        AnonVma src = middle == null ? null : middle.anonVma;
        if (neighbour.anonVma == null && src != null) return !isForkChild(middle);
        if (neighbour.anonVma != null && src == null) return !isForkChild(neighbour);
        return true;
    }

    /**
     * Can {@code prev} (ending at the boundary) and a range with {@code flags}, {@code file},
     * {@code pgoff} and {@code anonVma} starting at it merge? (can_vma_merge_after)
     */
    private static boolean canMergeAfter(Vma prev, long flags, AddressSpace file, long pgoff, AnonVma anonVma) {
        return ((prev.flags() ^ flags) & ~VM_IGNORE_MERGE) == 0 && (flags & VmFlags.VM_SPECIAL) == 0
                && prev.file == file && anonVmaCompatible(prev.anonVma, anonVma)
                && prev.pgoff + prev.pages() == pgoff;
    }

    /** can_vma_merge_before(): {@code next} starts where a range of {@code pages} pages at pgoff ends. */
    private static boolean canMergeBefore(Vma next, long flags, AddressSpace file, long pgoff, long pages, AnonVma anonVma) {
        return ((next.flags() ^ flags) & ~VM_IGNORE_MERGE) == 0 && (flags & VmFlags.VM_SPECIAL) == 0
                && next.file == file && anonVmaCompatible(next.anonVma, anonVma)
                && pgoff + pages == next.pgoff;
    }

    /** dup_anon_vma(): an unfaulted {@code into} takes {@code src}'s anon_vma and chain. */
    private static void adoptAnonVma(Vma into, Vma src) {
        if (into.anonVma == null && src != null && src.anonVma != null) {
            into.anonVma = src.anonVma;
            AnonVma.cloneChain(into, src);
        }
    }

    /**
     * vma_modify_flags(): make [start, end) (inside {@code vma}) carry {@code newFlags}, merging with the
     * neighbours when compatible (vma_merge_existing_range) or splitting {@code vma} otherwise.
     * Returns the VMA that now covers exactly or contains [start, end).
     *
     * @param vma the VMA
     * @param start the start of the range, a user virtual address (bytes)
     * @param end the end of the range (exclusive), a user virtual address (bytes)
     * @param newFlags the new vm_flags
     * @return the VMA that now covers or contains [start, end) with {@code newFlags}
     */
    public Vma modifyFlags(Vma vma, long start, long end, long newFlags) {
        MmStruct mm = vma.mm();
        mm.mmapLock().assertWriteLocked();
        if (start < vma.start || end > vma.end || start >= end) {
            throw new VmBugException("vma_modify_flags [0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(end) + ") outside " + vma);
        }
        long pgoff = vma.linearPageIndex(start);
        long pages = (end - start) >>> 12;
        Vma prev = start == vma.start ? mm.prev(vma) : null;
        Vma next = end == vma.end ? mm.next(vma) : null;
        boolean mergePrev = prev != null && prev.end == start && canMergeAfter(prev, newFlags, vma.file, pgoff, vma.anonVma)
                && forkChildCompatible(prev, vma);
        boolean mergeNext = next != null && next.start == end && canMergeBefore(next, newFlags, vma.file, pgoff, pages, vma.anonVma)
                && forkChildCompatible(next, vma);
        if (mergePrev && mergeNext && !anonVmaCompatible(prev.anonVma, next.anonVma)) {
            mergeNext = false;
        }
        if (mergePrev && mergeNext) {
            // prev absorbs vma and next (start == vma.start, end == vma.end).
            adoptAnonVma(prev, vma.anonVma != null ? vma : next);
            unlink(vma);
            unlink(next);
            adjust(prev, prev.start, next.end, prev.pgoff);
            return prev;
        }
        if (mergePrev) {
            adoptAnonVma(prev, vma);
            if (end == vma.end) {
                unlink(vma);
            } else {
                long oldStart = vma.start;
                adjust(vma, end, vma.end, vma.linearPageIndex(end));
                mm.treeRekey(vma, oldStart);
            }
            adjust(prev, prev.start, end, prev.pgoff);
            return prev;
        }
        if (mergeNext) {
            adoptAnonVma(next, vma);
            long oldNextStart = next.start;
            if (start == vma.start) {
                unlink(vma);
            } else {
                adjust(vma, vma.start, start, vma.pgoff);
            }
            adjust(next, start, next.end, pgoff);
            mm.treeRekey(next, oldNextStart);
            return next;
        }
        Vma target = vma;
        if (start > target.start) {
            target = split(target, start);
        }
        if (end < target.end) {
            split(target, end);
        }
        target.setFlags(newFlags);
        return target;
    }

    /**
     * vma_merge_new_range(): try to extend a neighbour over a new range [start, end) instead of creating
     * a VMA; returns the merged VMA or null.
     */
    Vma mergeNewRange(MmStruct mm, long start, long end, long flags, AddressSpace file, long pgoff) {
        if ((flags & VmFlags.VM_SPECIAL) != 0) {
            return null;
        }
        long pages = (end - start) >>> 12;
        Vma prev = null;
        Vma next = null;
        Vma after = mm.findVma(start);
        if (after != null && after.start == end) next = after;
        Vma before = after == null ? lastVma(mm) : mm.prev(after);
        if (before != null && before.end == start) prev = before;
        boolean mp = prev != null && canMergeAfter(prev, flags, file, pgoff, null) && forkChildCompatible(prev, null);
        boolean mn = next != null && canMergeBefore(next, flags, file, pgoff, pages, null) && forkChildCompatible(next, null);
        if (mp && mn && !anonVmaCompatible(prev.anonVma, next.anonVma)) {
            mn = false;
        }
        if (mp && mn) {
            adoptAnonVma(prev, next);
            unlink(next);
            adjust(prev, prev.start, next.end, prev.pgoff);
            return prev;
        }
        if (mp) {
            adjust(prev, prev.start, end, prev.pgoff);
            return prev;
        }
        if (mn) {
            long old = next.start;
            adjust(next, start, next.end, pgoff);
            mm.treeRekey(next, old);
            return next;
        }
        return null;
    }

    private static Vma lastVma(MmStruct mm) {
        java.util.List<Vma> all = mm.vmas();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }
}
