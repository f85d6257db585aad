package io.github.foliolab.migrate;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.FolioMmIds;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.MigrateSyscalls;
import io.github.foliolab.mm.Mm;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.PageTable;
import io.github.foliolab.mm.Pte;
import io.github.foliolab.mm.Vma;

import java.util.ArrayList;
import java.util.List;

/**
 * move_pages(2) (kernel_move_pages, do_pages_move, do_pages_stat of mm/migrate.c) and migrate_pages(2)
 * (kernel_migrate_pages, do_migrate_pages, migrate_to_node, queue_pages_range of mm/mempolicy.c) for
 * the calling process. Both first disable the per-CPU LRU caches (lru_cache_disable: every CPU's
 * batches drained, later adds go straight to the LRU) so that batched folios can be isolated.
 *
 * <p>Model difference: the caller is the process itself (pid 0) and counts as CAP_SYS_NICE (as the
 * conformance runner's root process), so MPOL_MF_MOVE_ALL is allowed and migrate_pages(2) moves shared
 * folios too; the task's cpuset allows every node that has memory.
 */
final class MovePages implements MigrateSyscalls {
    /** DO_PAGES_STAT_CHUNK_NR: pages looked up per mmap_lock hold. */
    private static final int DO_PAGES_STAT_CHUNK_NR = 16;
    private static final int NUMA_NO_NODE = MigrationTargetControl.NUMA_NO_NODE;

    private final Migrate migrate;
    private final Mm mm;

    MovePages(Migrate migrate, Mm mm) {
        this.migrate = migrate;
        this.mm = mm;
    }

    private int nrNodes() {
        return mm.machine().nodes().size();
    }

    /** kernel_move_pages() for pid 0. */
    @Override
    public int movePages(MmStruct mmStruct, long[] pages, int[] nodes, int[] status, int flags) {
        if (status.length < pages.length || (nodes != null && nodes.length < pages.length)) {
            throw new IllegalArgumentException("move_pages: " + pages.length + " pages but " + status.length
                    + " status and " + (nodes == null ? "no" : nodes.length) + " node entries");
        }
        if ((flags & ~(MPOL_MF_MOVE | MPOL_MF_MOVE_ALL)) != 0) {
            return -Errno.EINVAL;
        }
        return nodes != null ? doPagesMove(mmStruct, pages, nodes, status, flags) : doPagesStat(mmStruct, pages, status);
    }

    /** do_pages_move(): pages queued per run of equal target nodes, migrated when the run ends. */
    private int doPagesMove(MmStruct mmStruct, long[] pages, int[] nodes, int[] status, int flags) {
        mm.swap().lruCacheDisable();
        try {
            int n = pages.length;
            int currentNode = NUMA_NO_NODE;
            List<Folio> pagelist = new ArrayList<>();
            int start = 0;
            int err = 0;
            int i;
            for (i = 0; i < n; i++) {
                int node = nodes[i];
                if (node < 0 || node >= nrNodes()) { // node_state(node, N_MEMORY): only the machine's nodes
                    err = -Errno.ENODEV;
                    break;
                }
                if (currentNode == NUMA_NO_NODE) {
                    currentNode = node;
                    start = i;
                } else if (node != currentNode) {
                    err = moveAndStoreStatus(currentNode, pagelist, status, start, i, n);
                    if (err != 0) {
                        return err;
                    }
                    start = i;
                    currentNode = node;
                }
                err = addFolioForMigration(mmStruct, pages[i], currentNode, pagelist,
                        (flags & MPOL_MF_MOVE_ALL) != 0);
                if (err > 0) {
                    continue; // queued
                }
                status[i] = err != 0 ? err : currentNode; // already there, or why not
                err = moveAndStoreStatus(currentNode, pagelist, status, start, i, n);
                if (err != 0) {
                    return err > 0 ? err - 1 : err; // page i is accounted for
                }
                currentNode = NUMA_NO_NODE;
            }
            int err1 = moveAndStoreStatus(currentNode, pagelist, status, start, i, n);
            return err >= 0 ? err1 : err;
        } finally {
            mm.swap().lruCacheEnable();
        }
    }

    /**
     * move_pages_and_store_status() with do_move_pages_to_node(): migrate the queued folios to
     * {@code node} (GFP_HIGHUSER_MOVABLE | __GFP_THISNODE, MIGRATE_SYNC, MR_SYSCALL), put back what did not
     * move; on full success status[start..i) = node, else the number not migrated plus the pages not
     * yet tried.
     */
    private int moveAndStoreStatus(int node, List<Folio> pagelist, int[] status, int start, int i, int nrPages) {
        if (pagelist.isEmpty()) {
            return 0;
        }
        int err = migrate.migratePagesOrPutback(pagelist, targetOn(node), MigrateMode.MIGRATE_SYNC);
        if (err != 0) {
            return err > 0 ? err + nrPages - i : err;
        }
        for (int j = start; j < i; j++) {
            status[j] = node;
        }
        return 0;
    }

    private static MigrationTargetControl targetOn(int node) {
        return new MigrationTargetControl(node, Gfp.GFP_HIGHUSER_MOVABLE | Gfp.__GFP_THISNODE, MigrateReason.MR_SYSCALL);
    }

    /** vma_migratable() (include/linux/mempolicy.h): not VM_IO / VM_PFNMAP (no DAX, hugetlb or highmem here). */
    private static boolean vmaMigratable(Vma vma) {
        return (vma.flags() & (VmFlags.VM_IO | VmFlags.VM_PFNMAP)) == 0;
    }

    /**
     * add_folio_for_migration() with __add_folio_for_migration(): under the mmap_lock and (folio_walk)
     * the PTL, the folio mapped at {@code addr}: -EFAULT without a migratable VMA or for the zero page,
     * -ENOENT without a present PTE, 0 when it is on {@code node} already, -EACCES when it may be mapped
     * by others (without MPOL_MF_MOVE_ALL), 1 when isolated onto {@code pagelist}, -EBUSY when it
     * cannot be isolated.
     */
    private int addFolioForMigration(MmStruct mmStruct, long addr, int node, List<Folio> pagelist, boolean migrateAll) {
        long page = addr & ~0xfffL;
        mmStruct.mmapLock().downRead();
        try {
            Vma vma = mmStruct.vmaLookup(page);
            if (vma == null || !vmaMigratable(vma)) {
                return -Errno.EFAULT;
            }
            PageTable pt = mmStruct.pageTables().lookup(page);
            if (pt == null) {
                return -Errno.ENOENT;
            }
            pt.ptl().lock(); // folio_walk_start: the PTE lock, held until folio_walk_end
            try {
                long pte = pt.ptepGet(page);
                if (!Pte.present(pte)) {
                    return -Errno.ENOENT;
                }
                Folio folio = mm.memMap().pageFolio(Pte.pfn(pte)); // vm_normal_folio, or the zero folio (FW_ZEROPAGE)
                if (folio.isZero()) {
                    return -Errno.EFAULT;
                }
                if (folio.nid() == node) {
                    return 0;
                }
                if (!migrateAll && FolioMmIds.maybeMappedShared(mm.memMap(), folio.pfn())) { // folio_maybe_mapped_shared()
                    return -Errno.EACCES;
                }
                return migrate.isolateFolioToList(folio, pagelist) ? 1 : -Errno.EBUSY;
            } finally {
                pt.ptl().unlock();
            }
        } finally {
            mmStruct.mmapLock().upRead();
        }
    }

    /** do_pages_stat() / do_pages_stat_array(): each page's node, -EFAULT (no VMA, zero page), -ENOENT. */
    private int doPagesStat(MmStruct mmStruct, long[] pages, int[] status) {
        for (int chunk = 0; chunk < pages.length; chunk += DO_PAGES_STAT_CHUNK_NR) {
            mmStruct.mmapLock().downRead();
            try {
                for (int i = chunk; i < Math.min(pages.length, chunk + DO_PAGES_STAT_CHUNK_NR); i++) {
                    status[i] = pageNode(mmStruct, pages[i] & ~0xfffL);
                }
            } finally {
                mmStruct.mmapLock().upRead();
            }
        }
        return 0;
    }

    private int pageNode(MmStruct mmStruct, long page) {
        if (mmStruct.vmaLookup(page) == null) {
            return -Errno.EFAULT;
        }
        PageTable pt = mmStruct.pageTables().lookup(page);
        if (pt == null) {
            return -Errno.ENOENT;
        }
        pt.ptl().lock(); // folio_walk_start
        try {
            long pte = pt.ptepGet(page);
            if (!Pte.present(pte)) {
                return -Errno.ENOENT;
            }
            Folio folio = mm.memMap().pageFolio(Pte.pfn(pte));
            return folio.isZero() ? -Errno.EFAULT : folio.nid();
        } finally {
            pt.ptl().unlock();
        }
    }

    /**
     * kernel_migrate_pages() for pid 0: the target nodes limited to the nodes with memory (-EINVAL when
     * none is left), then do_migrate_pages() with MPOL_MF_MOVE_ALL.
     */
    @Override
    public long migratePages(MmStruct mmStruct, long oldNodes, long newNodes) {
        long online = (1L << nrNodes()) - 1;
        long to = newNodes & online; // nodes_and(*new, *new, cpuset_mems_allowed(current))
        if (to == 0) {
            return -Errno.EINVAL;
        }
        return doMigratePages(mmStruct, oldNodes, to, MPOL_MF_MOVE_ALL);
    }

    /**
     * do_migrate_pages() (mm/mempolicy.c): with the LRU caches disabled, pick source/destination pairs
     * as the kernel does (node_remap of the masks, a destination not still to be emptied first) and
     * migrate_to_node() each; the number of pages not migrated, or the first negative error.
     */
    private long doMigratePages(MmStruct mmStruct, long from, long to, int flags) {
        long nrFailed = 0;
        long err = 0;
        mm.swap().lruCacheDisable();
        try {
            long tmp = from;
            while (tmp != 0) {
                int source = NUMA_NO_NODE;
                int dest = 0;
                for (long bits = tmp; bits != 0; bits &= bits - 1) {
                    int s = Long.numberOfTrailingZeros(bits);
                    if (Long.bitCount(from) != Long.bitCount(to) && (to & (1L << s)) != 0) {
                        continue;
                    }
                    int d = nodeRemap(s, from, to);
                    if (s == d) {
                        continue;
                    }
                    source = s;
                    dest = d;
                    if ((tmp & (1L << dest)) == 0) {
                        break;
                    }
                }
                if (source == NUMA_NO_NODE) {
                    break;
                }
                tmp &= ~(1L << source);
                err = migrateToNode(mmStruct, source, dest, flags);
                if (err > 0) nrFailed += err;
                if (err < 0) break;
            }
        } finally {
            mm.swap().lruCacheEnable();
        }
        return err < 0 ? err : Math.min(nrFailed, Integer.MAX_VALUE);
    }

    /** node_remap() (include/linux/nodemask.h): the n-th node of {@code from} maps to the (n mod |to|)-th of {@code to}. */
    static int nodeRemap(int node, long from, long to) {
        int w = Long.bitCount(to);
        if (w == 0 || (from & (1L << node)) == 0) {
            return node;
        }
        int ord = Long.bitCount(from & ((1L << node) - 1)) % w;
        long t = to;
        for (int k = 0; k < ord; k++) {
            t &= t - 1;
        }
        return Long.numberOfTrailingZeros(t);
    }

    /**
     * migrate_to_node(): under the mmap_lock, queue_pages_range() isolates every folio on {@code source}
     * mapped in a migratable VMA (the zero page is skipped); then they migrate to {@code dest}.
     */
    private long migrateToNode(MmStruct mmStruct, int source, int dest, int flags) {
        List<Folio> pagelist = new ArrayList<>();
        // queue_pages_range() counts folios it may not queue; with MPOL_MF_MOVE(_ALL), no MPOL_MF_STRICT
        // and only migratable VMAs walked, migrate_folio_add() never refuses one, so the count stays 0.
        long nrFailed = 0;
        mmStruct.mmapLock().downRead();
        try {
            for (Vma vma : mmStruct.vmas()) {
                if (!vmaMigratable(vma)) {
                    continue; // queue_pages_test_walk: skipped without MPOL_MF_STRICT
                }
                for (long addr = vma.start(); addr < vma.end(); addr += 4096) {
                    queueFolio(vma, addr, source, flags, pagelist);
                }
            }
        } finally {
            mmStruct.mmapLock().upRead();
        }
        long err = 0;
        if (!pagelist.isEmpty()) {
            err = migrate.migratePagesOrPutback(pagelist, targetOn(dest), MigrateMode.MIGRATE_SYNC);
        }
        return err >= 0 ? err + nrFailed : err;
    }

    /** queue_folios_pte_range() for one PTE with migrate_folio_add(). */
    private void queueFolio(Vma vma, long addr, int source, int flags, List<Folio> pagelist) {
        PageTable pt = vma.mm().pageTables().lookup(addr);
        if (pt == null) {
            return;
        }
        pt.ptl().lock();
        try {
            long pte = pt.ptepGet(addr);
            if (!Pte.present(pte) || Pte.special(pte)) {
                return; // no folio, or the zero page (vm_normal_folio returns NULL)
            }
            Folio folio = mm.memMap().pageFolio(Pte.pfn(pte));
            if (folio.nid() != source) {
                return; // queue_folio_required: not on the source node
            }
            if ((flags & MPOL_MF_MOVE_ALL) != 0 || !FolioMmIds.maybeMappedShared(mm.memMap(), folio.pfn())) {
                migrate.isolateFolioToList(folio, pagelist); // a folio already isolated is not an error
            }
        } finally {
            pt.ptl().unlock();
        }
    }
}
