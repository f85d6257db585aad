package io.github.foliolab.migrate;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.Node;
import io.github.foliolab.folio.api.Gfp;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.lru.Vmscan;
import io.github.foliolab.mm.LongtermMigration;
import io.github.foliolab.mm.MigrateSyscalls;
import io.github.foliolab.mm.MigrationEntryWait;
import io.github.foliolab.mm.Mm;

import java.util.List;

/**
 * The migrate module's per-machine state and its public entry points (mm/migrate.c): isolation of
 * folios for migration, migrate_pages(), putback of the folios that did not move, and
 * alloc_migration_target(). The module provides migration_entry_wait() and the move_pages(2) /
 * migrate_pages(2) system calls to the mm module when the machine is built.
 *
 * <p>Folio lists are {@code java.util.List}s standing for the kernel's lists threaded through
 * folio->lru: a folio on one is isolated (PG_lru clear, one isolation reference, NR_ISOLATED_* raised).
 */
public final class Migrate {
    private static final Machine.Key<Migrate> KEY = new Machine.Key<>("migrate");

    /** Where migration checks and freezes a page-cache folio's count: 7.2's (the default) or an experiment's. */
    public static final Machine.Option<MigrateRefCheck> REF_CHECK =
            new Machine.Option<>("migration refcount check", MigrateRefCheck.V7_2);

    /** migrate_longterm_unpinnable_folios()'s target (mm/gup.c): the source's node, no __GFP_MOVABLE. */
    private static final MigrationTargetControl LONGTERM_PIN_TARGET = new MigrationTargetControl(
            MigrationTargetControl.NUMA_NO_NODE, Gfp.GFP_USER, MigrateReason.MR_LONGTERM_PIN);

    private final Machine machine;
    private final Mm mm;
    private final Vmscan vmscan;
    private final MigrationPtes ptes;
    private final MigratePagesCore core;

    private Migrate(Machine.Assembly a) {
        this.machine = a.machine();
        this.mm = Mm.of(machine);
        this.vmscan = Vmscan.of(machine);
        this.ptes = new MigrationPtes(mm);
        this.core = new MigratePagesCore(mm, vmscan, ptes, new FolioMigrate(mm, a.option(REF_CHECK)));
    }

    /** Create the machine's migrate state and provide the mm module's upward calls into it. */
    static Migrate attach(Machine.Assembly a) {
        Migrate m = new Migrate(a);
        a.put(KEY, m);
        a.restorable(); // no state of its own: migration state lives in folios, page tables and lists
        a.provide(MigrationEntryWait.class, m.ptes);
        a.provide(MigrateSyscalls.class, new MovePages(m, m.mm));
        a.provide(LongtermMigration.class, isolated -> m.migratePages(isolated,
                src -> m.allocMigrationTarget(src, LONGTERM_PIN_TARGET), MigrateMode.MIGRATE_SYNC, MigrateReason.MR_LONGTERM_PIN));
        return m;
    }

    /**
     * The machine's migrate state.
     *
     * @param machine a machine built with the migrate module on its module path
     * @return the one migrate state of {@code machine}
     * @throws IllegalStateException if the migrate module is not attached to the machine
     */
    public static Migrate of(Machine machine) {
        return machine.state(KEY);
    }

    /**
     * The machine this migrate state belongs to.
     *
     * @return the machine whose nodes the migration targets are allocated from
     */
    public Machine machine() {
        return machine;
    }

    /**
     * isolate_folio_to_list() (mm/migrate.c): folio_isolate_lru() and NR_ISOLATED_ANON / _FILE raised by
     * the folio's pages on its node, then the folio is appended to {@code list}. The caller holds a
     * reference. False (nothing changed) when the folio is not on an LRU (in a per-CPU batch, or
     * isolated by somebody else).
     *
     * @param folio the folio
     * @param list the migration list
     * @return true if the folio was isolated and appended to {@code list}; false if nothing changed
     */
    public boolean isolateFolioToList(Folio folio, List<Folio> list) {
        if (!vmscan.folioIsolateLru(folio)) {
            return false;
        }
        vmscan.modIsolated(folio, +1);
        list.add(folio);
        return true;
    }

    /**
     * putback_movable_pages() (mm/migrate.c): every folio of {@code list} goes back to an LRU through
     * folio_putback_lru() (its isolation reference dropped) and NR_ISOLATED_* is lowered; the list is
     * left empty.
     *
     * @param list isolated folios
     */
    public void putbackMovablePages(List<Folio> list) {
        for (Folio folio : List.copyOf(list)) {
            list.remove(folio);
            vmscan.modIsolated(folio, -1);
            vmscan.folioPutbackLru(folio);
        }
    }

    /**
     * migrate_pages() (mm/migrate.c): migrate the isolated folios of {@code from} to folios from
     * {@code getNewFolio}, in batches of up to NR_MAX_BATCHED_MIGRATION (512) pages. MIGRATE_ASYNC makes
     * one batch pass of up to NR_MAX_MIGRATE_PAGES_RETRY (10) tries; MIGRATE_SYNC and _SYNC_LIGHT first
     * try the batch asynchronously (NR_MAX_MIGRATE_ASYNC_RETRY, 3 tries) and then each folio that failed,
     * one at a time, in {@code mode} (NR_MAX_MIGRATE_SYNC_RETRY, 7 tries). A folio that keeps an
     * unexpected reference is -EAGAIN on every try and then fails. pgmigrate_success / pgmigrate_fail
     * (and thp_migration_*) count the pages. Each migrated folio is freed; every folio that did not
     * migrate is back on {@code from}, still isolated: the caller puts it back
     * ({@link #putbackMovablePages}) when the result is not 0.
     *
     * <p>Large folios: a large folio on the list fails (counted as not migrated) until the thp work
     * provides splitting (try_split_folio) and PTE-mapped large folios in rmap.
     *
     * @param from isolated folios; on return, those that did not migrate
     * @param getNewFolio allocates each destination
     * @param mode MIGRATE_ASYNC, _SYNC_LIGHT or _SYNC
     * @param reason why (MR_DEMOTION skips NR_ISOLATED_*, MR_MEMORY_FAILURE keeps the source)
     * @return the number of folios not migrated, or -ENOMEM when a destination could not be allocated
     * @throws VmBugException if a folio of {@code from} is not isolated (PG_lru set)
     */
    public int migratePages(List<Folio> from, NewFolio getNewFolio, MigrateMode mode, MigrateReason reason) {
        for (Folio f : from) {
            if (f.testLru()) {
                throw new VmBugException("migrate_pages: folio on the list is not isolated\n" + f.dump());
            }
        }
        return core.migratePages(from, getNewFolio, mode, reason);
    }

    /**
     * migrate_pages(from, alloc_migration_target, NULL, &amp;mtc, mode, reason) followed, when it did not
     * migrate everything, by putback_movable_pages(from): what do_move_pages_to_node() (mm/migrate.c) and
     * the FOLL_LONGTERM path of mm/gup.c (migrate_longterm_unpinnable_folios, with {@code mtc.nid()}
     * NUMA_NO_NODE, a gfp mask without __GFP_MOVABLE, MIGRATE_SYNC, MR_LONGTERM_PIN) do.
     *
     * @param from isolated folios; empty on return
     * @param mtc the target node and allocation flags
     * @param mode the migration mode
     * @return the number of folios not migrated (now back on their LRUs), or -ENOMEM
     */
    public int migratePagesOrPutback(List<Folio> from, MigrationTargetControl mtc, MigrateMode mode) {
        int rc = migratePages(from, src -> allocMigrationTarget(src, mtc), mode, mtc.reason());
        if (rc != 0) {
            putbackMovablePages(from);
        }
        return rc;
    }

    /**
     * try_to_migrate() (mm/rmap.c), one step of migrate_folio_unmap() for callers that drive a migration
     * step by step (explorer scenarios, tests): every PTE mapping the locked, isolated {@code folio}
     * becomes a migration entry (the rmap removed, munlock_vma_folio for VM_LOCKED, the PTE's reference
     * dropped). A possibly DMA-pinned exclusive anon folio stays mapped.
     *
     * @param folio a locked folio
     * @throws VmBugException if the folio is not locked
     */
    public void tryToMigrate(Folio folio) {
        if (!folio.testLocked()) {
            throw new VmBugException("try_to_migrate: folio not locked\n" + folio.dump());
        }
        ptes.tryToMigrate(folio);
    }

    /**
     * move_to_new_folio() (mm/migrate.c): the locked, unmapped {@code src}'s mapping, page-cache slot and
     * flags move to the locked {@code dst}; 0, or -EAGAIN when {@code src} has references nobody accounts
     * for (nothing changed then).
     *
     * @param dst the destination, locked, with one reference
     * @param src the source, locked, isolated, unmapped
     * @return 0 on success, or {@code -}{@link io.github.foliolab.mm.Errno#EAGAIN} with both folios unchanged
     * @throws VmBugException if either folio is not locked
     */
    public int moveToNewFolio(Folio dst, Folio src) {
        return core.folios().moveToNewFolio(dst, src);
    }

    /**
     * remove_migration_ptes() (mm/migrate.c): every migration entry naming {@code src} becomes a PTE of
     * {@code dst} (which carries {@code src}'s mapping and index by now; {@code dst == src} to undo), with
     * its rmap (mlock_vma_folio for a VM_LOCKED VMA) and a reference.
     *
     * @param src the folio the entries name
     * @param dst the folio to map
     */
    public void removeMigrationPtes(Folio src, Folio dst) {
        ptes.removeMigrationPtes(src, dst);
    }

    /**
     * alloc_migration_target() (mm/migrate.c): a folio of {@code src}'s order on {@code mtc.nid()} (the
     * source's node for NUMA_NO_NODE) with {@code mtc.gfpMask()}; with __GFP_THISNODE only that node,
     * else falling back along the zonelist. For a large source the mask gains GFP_TRANSHUGE's
     * __GFP_COMP and __GFP_MOVABLE (so a large folio goes to ZONE_MOVABLE unless the caller runs in a
     * memalloc_pin_save() scope, as a FOLL_LONGTERM pin does, which drops __GFP_MOVABLE). Null when
     * nothing of that order is free there.
     *
     * <p>Model difference: GFP_TRANSHUGE also clears __GFP_RECLAIM in the kernel; the model's allocator
     * never reclaims, so nothing changes there.
     *
     * @param src the folio to migrate
     * @param mtc the target node and allocation flags
     * @return a new folio of {@code src.order()} with one reference, or null when no node in reach has
     *         a free block of that order
     */
    public Folio allocMigrationTarget(Folio src, MigrationTargetControl mtc) {
        int nid = mtc.nid() == MigrationTargetControl.NUMA_NO_NODE ? src.nid() : mtc.nid();
        Node node = machine.node(nid);
        int gfp = mtc.gfpMask() | (src.isLarge() ? Gfp.__GFP_COMP | Gfp.__GFP_MOVABLE : 0); // GFP_TRANSHUGE
        if ((gfp & Gfp.__GFP_THISNODE) != 0) {
            return node.folioAllocThisNode(gfp & ~Gfp.__GFP_THISNODE, src.order());
        }
        // __folio_alloc(gfp, order, nid, NULL): nid is the preferred node, then the zonelist.
        Folio f = node.folioAllocThisNode(gfp, src.order());
        if (f != null) {
            return f;
        }
        for (Node other : machine.nodes()) {
            if (other.nid() != nid && (f = other.folioAllocThisNode(gfp, src.order())) != null) {
                return f;
            }
        }
        return null;
    }
}
