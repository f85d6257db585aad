package io.github.foliolab.gup;

import io.github.foliolab.folio.Folio;
import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.Memalloc;
import io.github.foliolab.folio.MemMap;
import io.github.foliolab.lru.Swap;
import io.github.foliolab.lru.Vmscan;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.LongtermMigration;
import io.github.foliolab.mm.MmStruct;

import java.util.ArrayList;
import java.util.List;

/**
 * FOLL_LONGTERM pins (mm/gup.c): __gup_longterm_locked() takes the pins with the slow path inside a
 * memalloc_pin_save() scope (a page faulted in meanwhile comes from a kernel zone), then
 * check_and_migrate_movable_pages(): collect_longterm_unpinnable_folios() isolates every pinned folio
 * that folio_is_longterm_pinnable() refuses (ZONE_MOVABLE, CMA), draining the per-CPU caches as
 * {@link LongtermDrain} says; migrate_longterm_unpinnable_folios() drops all the pins and migrates the
 * isolated folios (migrate_pages with alloc_migration_target, MR_LONGTERM_PIN); then the whole range is
 * pinned again (-EAGAIN: the retry loop) until nothing is left to migrate or migration fails (-ENOMEM).
 */
public final class Longterm {
    /** The retry loop's bound: the kernel loops until success or error; a model that loops this often has a bug. */
    static final int MAX_RETRIES = 10_000;

    private final MemMap memMap;
    private final Swap swap;
    private final Vmscan vmscan;
    private final GupSlow slow;
    private final GupFolios folios;
    private final LongtermDrain drain;
    private final Machine.Link<LongtermMigration> migrate;

    Longterm(MemMap memMap, Swap swap, Vmscan vmscan, GupSlow slow, GupFolios folios, LongtermDrain drain, Machine.Link<LongtermMigration> migrate) {
        this.memMap = memMap;
        this.swap = swap;
        this.vmscan = vmscan;
        this.slow = slow;
        this.folios = folios;
        this.drain = drain;
        this.migrate = migrate;
    }

    /**
     * __gup_longterm_locked(): without FOLL_LONGTERM just __get_user_pages_locked(); with it, pin and
     * migrate until the pinned range holds only long-term pinnable folios.
     *
     * @param mm the address space
     * @param start a page-aligned user virtual address (bytes)
     * @param nrPages the number of pages
     * @param pfns where the page frame numbers go
     * @param gupFlags the FOLL_* flags (FOLL_LONGTERM implies FOLL_PIN)
     * @return the number of pages pinned, or -errno (then nothing stays pinned)
     */
    public long gupLongtermLocked(MmStruct mm, long start, long nrPages, long[] pfns, int gupFlags) {
        if ((gupFlags & Foll.FOLL_LONGTERM) == 0) {
            return slow.getUserPagesLocked(mm, start, nrPages, gupFlags, pfns);
        }
        return Memalloc.pinScope(() -> { // memalloc_pin_save() .. memalloc_pin_restore()
            long rc;
            long nr;
            int tries = 0;
            do {
                if (++tries > MAX_RETRIES) {
                    throw new IllegalStateException("__gup_longterm_locked: " + MAX_RETRIES + " retries at 0x" + Long.toHexString(start));
                }
                nr = slow.getUserPagesLocked(mm, start, nrPages, gupFlags, pfns);
                if (nr <= 0) {
                    return nr;
                }
                rc = checkAndMigrateMovablePages((int) nr, pfns);
            } while (rc == -Errno.EAGAIN);
            return rc != 0 ? rc : nr;
        });
    }

    /**
     * check_and_migrate_movable_pages(): 0 when every pinned folio may stay pinned (the pins are kept);
     * otherwise every pin is dropped and -EAGAIN (all migrated: pin again) or -errno returned.
     *
     * @param nr the number of pinned pages
     * @param pfns their page frame numbers
     */
    long checkAndMigrateMovablePages(int nr, long[] pfns) {
        List<Folio> movable = new ArrayList<>();
        long collected = collectLongtermUnpinnableFolios(movable, nr, pfns);
        if (collected == 0) {
            return 0;
        }
        return migrateLongtermUnpinnableFolios(movable, nr, pfns);
    }

    /**
     * collect_longterm_unpinnable_folios(): isolate each pinned folio that may not be pinned long-term
     * onto {@code movable} (NR_ISOLATED_* counted); returns how many such folios there were, isolated or
     * not. A large folio's pages count once.
     */
    long collectLongtermUnpinnableFolios(List<Folio> movable, int nr, long[] pfns) {
        long collected = 0;
        int drained = 0;
        boolean drainAllow = true; // 6.15's one lru_add_drain_all
        long prevHead = -1;
        for (int i = 0; i < nr; i++) {
            long head = memMap.compoundHead(pfns[i]);
            if (head == prevHead) {
                continue; // pofs_next_folio(): the next page of the same large folio
            }
            prevHead = head;
            Folio folio = memMap.folio(head);
            if (folios.folioIsLongtermPinnable(folio)) {
                continue;
            }
            collected++;
            if (drain == LongtermDrain.V7_2) {
                int pinRefs = folio.isLarge() ? 1 : GupFolios.GUP_PIN_COUNTING_BIAS;
                // folio_may_be_lru_cached(): only small folios sit in per-CPU batches
                if (drained == 0 && !folio.isLarge() && folio.refCount() != GupFolios.folioExpectedRefCount(folio) + pinRefs) {
                    swap.lruAddDrain();
                    drained = 1;
                }
                if (drained == 1 && !folio.isLarge() && folio.refCount() != GupFolios.folioExpectedRefCount(folio) + pinRefs) {
                    swap.lruAddDrainAll();
                    drained = 2;
                }
            } else if (!folio.testLru() && drainAllow) {
                swap.lruAddDrainAll();
                drainAllow = false;
            }
            if (!vmscan.folioIsolateLru(folio)) {
                continue;
            }
            movable.add(folio);
            vmscan.modIsolated(folio, +1);
        }
        return collected;
    }

    /**
     * migrate_longterm_unpinnable_folios(): drop every pin of the range (migration refuses a folio with
     * unexpected references), migrate the isolated folios, put back what is left; -EAGAIN when every
     * isolated folio migrated, -ENOMEM when migration failed.
     */
    long migrateLongtermUnpinnableFolios(List<Folio> movable, int nr, long[] pfns) {
        folios.unpinUserPages(pfns, nr); // unpin_folio() of each entry, then pofs_clear_entry()
        long ret = -Errno.EAGAIN;
        if (!movable.isEmpty() && migrate.get().migrateLongterm(movable) != 0) {
            ret = -Errno.ENOMEM;
        }
        putbackMovablePages(movable);
        return ret;
    }

    /** putback_movable_pages(): each folio back to its LRU, NR_ISOLATED_* uncounted, isolation reference dropped. */
    private void putbackMovablePages(List<Folio> movable) {
        for (Folio f : movable) {
            vmscan.modIsolated(f, -1);
            vmscan.folioPutbackLru(f);
        }
        movable.clear();
    }
}
