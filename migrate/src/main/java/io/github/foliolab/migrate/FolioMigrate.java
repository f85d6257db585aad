package io.github.foliolab.migrate;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.api.NodeStatItem;
import io.github.foliolab.folio.api.PageFlags;
import io.github.foliolab.folio.api.VmBugException;
import io.github.foliolab.folio.internal.PageWords;
import io.github.foliolab.mm.AddressSpace;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.Mm;

/**
 * Moving one locked, unmapped folio's identity to its locked destination (mm/migrate.c):
 * move_to_new_folio(), migrate_folio() / __migrate_folio(), __folio_migrate_mapping() and
 * folio_migrate_flags(), with folio_expected_ref_count() (include/linux/mm.h).
 *
 * <p>Model difference: contents are not modelled (folio_mc_copy copies nothing); there is no swap cache,
 * no PG_private buffers, no memcg, no page_owner, and no PG_young / PG_idle (the reference kernel's
 * configuration has no CONFIG_PAGE_IDLE_FLAG), so those transfers have nothing to move.
 */
final class FolioMigrate {
    private final Mm mm;
    private final MigrateRefCheck refCheck;

    FolioMigrate(Mm mm, MigrateRefCheck refCheck) {
        this.mm = mm;
        this.refCheck = refCheck;
    }

    /**
     * folio_expected_ref_count() (include/linux/mm.h): the references a folio's owners account for: one
     * per page from the page cache (not anon), one for PG_private, one per mapping.
     */
    static int folioExpectedRefCount(Folio folio) {
        int ref = 0;
        if (!folio.isAnon()) {
            ref += folio.mapping() != 0 ? (int) folio.nrPages() : 0;
            ref += folio.test(PageFlags.PG_private) ? 1 : 0;
        }
        return ref + folio.mapcount();
    }

    /**
     * move_to_new_folio(): migrate_folio() for an anon folio (no mapping) and for shmem (whose
     * address_space_operations use migrate_folio too); on success a page-cache source loses its mapping
     * before it is freed (an anon one stays anon until freed).
     */
    int moveToNewFolio(Folio dst, Folio src) {
        if (!src.testLocked() || !dst.testLocked()) {
            throw new VmBugException("move_to_new_folio: src and dst must be locked\n" + src.dump() + "\n" + dst.dump());
        }
        AddressSpace mapping = src.isAnon() ? null : mm.fileOf(src.mapping());
        int rc = migrateFolio(mapping, dst, src);
        if (rc == 0 && !src.isAnon()) {
            PageWords.setMapping(mm.memMap(), src.pfn(), 0); // src->mapping = NULL: plain store, src is frozen out of the cache
        }
        return rc;
    }

    /**
     * migrate_folio() / __migrate_folio(): -EAGAIN unless the count is exactly what the owners account
     * for plus the caller's (isolation) reference; then the mapping moves, then the flags. Where the count
     * of a page-cache folio is read, and whether it is frozen, is {@link Migrate#REF_CHECK}'s choice.
     */
    int migrateFolio(AddressSpace mapping, Folio dst, Folio src) {
        if (src.testWriteback()) {
            throw new VmBugException("BUG_ON(folio_test_writeback(src)) in migrate_folio\n" + src.dump());
        }
        int expected = folioExpectedRefCount(src) + 1;
        boolean early = refCheck == MigrateRefCheck.V7_2 || mapping == null;
        if (early && src.refCount() != expected) { // folio_ref_count: relaxed read; the freeze below decides
            return -Errno.EAGAIN;
        }
        int rc = folioMigrateMapping(mapping, dst, src, expected);
        if (rc != 0) {
            return rc;
        }
        folioMigrateFlags(dst, src);
        return 0;
    }

    /**
     * __folio_migrate_mapping(): for an anon folio (no mapping) only index, mapping and PG_swapbacked
     * move (a small anon folio is not frozen: the count check above is all 7.2 does). For a page-cache
     * folio, under the i_pages xa_lock: folio_ref_freeze(expected) (-EAGAIN if anybody else holds a
     * reference, GUP-fast's speculative one included), then index, mapping, the cache reference and
     * PG_swapbacked go to the destination, PG_dirty moves while the count is frozen, the slot is
     * replaced, and the source is unfrozen one page-cache reference lower; NR_FILE_PAGES and NR_SHMEM
     * move between the nodes when the zone changes.
     */
    int folioMigrateMapping(AddressSpace mapping, Folio dst, Folio src, int expected) {
        long nr = src.nrPages();
        if (mapping == null) {
            // Large anon folios: the deferred-split queue is the thp work's (folio_unqueue_deferred_split).
            PageWords.setIndex(mm.memMap(), dst.pfn(), src.index()); // plain: dst is locked and unmapped
            PageWords.setMapping(mm.memMap(), dst.pfn(), src.mapping()); // plain: published by set_pte_at's release
            if (src.testSwapbacked()) {
                dst.nonAtomicSet(PageFlags.PG_swapbacked); // __folio_set_swapbacked: dst not visible yet
            }
            return 0;
        }
        boolean dirty;
        mapping.xaLock().lock(); // xas_lock_irq: protects the page-cache slots
        try {
            if (refCheck != MigrateRefCheck.V7_2 && src.refCount() != expected) { // relaxed read under the lock
                return -Errno.EAGAIN;
            }
            boolean freeze = refCheck != MigrateRefCheck.NO_FREEZE;
            if (freeze && !src.refFreeze(expected)) { // folio_ref_freeze: cmpxchg, fully ordered
                return -Errno.EAGAIN;
            }
            PageWords.setIndex(mm.memMap(), dst.pfn(), src.index()); // plain: dst not exposed yet
            PageWords.setMapping(mm.memMap(), dst.pfn(), src.mapping()); // plain: published by the xa_lock release
            dst.refAdd((int) nr); // folio_ref_add: the page cache's reference
            if (src.testSwapbacked()) {
                dst.nonAtomicSet(PageFlags.PG_swapbacked); // __folio_set_swapbacked
            }
            dirty = src.testDirty();
            if (dirty) { // moved while the refs are frozen and dst not yet exposed
                src.clear(PageFlags.PG_dirty); // folio_clear_dirty: clear_bit, relaxed
                dst.set(PageFlags.PG_dirty); // folio_set_dirty: set_bit, relaxed
            }
            mapping.replaceLocked(src.index(), src.pfn(), dst.pfn()); // xas_store
            if (freeze) {
                src.refUnfreeze(expected - (int) nr); // folio_ref_unfreeze: release; not the last reference
            } else {
                src.refSub((int) nr); // MigrateRefCheck.NO_FREEZE: the cache's reference, atomic_sub, relaxed
            }
        } finally {
            mapping.xaLock().unlock();
        }
        if (src.nid() != dst.nid() || src.zone() != dst.zone()) {
            src.pgdat().vmstat().modNode(NodeStatItem.NR_FILE_PAGES, -nr);
            dst.pgdat().vmstat().modNode(NodeStatItem.NR_FILE_PAGES, nr);
            if (src.testSwapbacked()) {
                src.pgdat().vmstat().modNode(NodeStatItem.NR_SHMEM, -nr);
                dst.pgdat().vmstat().modNode(NodeStatItem.NR_SHMEM, nr);
            }
            // NR_FILE_DIRTY moves only for a mapping that can write back; tmpfs cannot.
        }
        return 0;
    }

    /**
     * folio_migrate_flags(): referenced, uptodate, then PG_active moved (test-and-clear on the source)
     * or else PG_unevictable moved; workingset, checked, mappedtodisk, dirty (when the mapping did not
     * move it), readahead copied; the source's PG_private cleared and private zeroed. PG_mlocked is NOT
     * transferred: the source was munlocked when its VM_LOCKED mappings were removed, and
     * remove_migration_ptes() mlocks the destination again.
     */
    void folioMigrateFlags(Folio dst, Folio src) {
        if (src.testReferenced()) dst.setReferenced(); // set_bit, relaxed
        if (src.test(PageFlags.PG_uptodate)) dst.set(PageFlags.PG_uptodate); // folio_mark_uptodate
        if (src.testClearActive()) {
            if (src.testUnevictable()) {
                throw new VmBugException("VM_BUG_ON_FOLIO(folio_test_unevictable(folio)) in folio_migrate_flags\n" + src.dump());
            }
            dst.setActive();
        } else if (src.testClearUnevictable()) {
            dst.setUnevictable();
        }
        if (src.testWorkingset()) dst.set(PageFlags.PG_workingset);
        if (src.test(PageFlags.PG_checked)) dst.set(PageFlags.PG_checked);
        if (src.test(PageFlags.PG_mappedtodisk)) dst.set(PageFlags.PG_mappedtodisk);
        if (src.testDirty()) dst.set(PageFlags.PG_dirty); // dirty not moved by folio_migrate_mapping
        if (src.test(PageFlags.PG_private)) src.clear(PageFlags.PG_private); // folio_clear_private
        PageWords.setPrivateWord(mm.memMap(), src.pfn(), 0); // folio->private = NULL: plain, src is locked
        if (src.test(PageFlags.PG_readahead)) dst.set(PageFlags.PG_readahead);
    }
}
