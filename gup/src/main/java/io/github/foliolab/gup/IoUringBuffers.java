package io.github.foliolab.gup;

import io.github.foliolab.folio.MemMap;
import io.github.foliolab.mm.Errno;
import io.github.foliolab.mm.MmStruct;
import io.github.foliolab.mm.Task;

import java.util.HashSet;
import java.util.Set;

/**
 * One io_uring instance's fixed buffer, the userspace way to a long-term pin (io_uring/rsrc.c and
 * io_uring/memmap.c of Linux 7.2): {@link #setup} is the io_uring_setup system call, {@link #registerBuffers}
 * IORING_REGISTER_BUFFERS of one iovec (io_pin_pages: pin_user_pages_fast with FOLL_WRITE |
 * FOLL_LONGTERM), {@link #unregisterBuffers} IORING_UNREGISTER_BUFFERS (unpin). A ring made by a task
 * without CAP_IPC_LOCK accounts the pinned pages to its user's locked_vm against RLIMIT_MEMLOCK
 * (-ENOMEM over it) and to the mm's pinned_vm (VmPin); a large folio counts once, whole.
 *
 * <p>Model difference: the user_struct is the process (each Task's mm is its own user), and the ring's
 * own memory is not modelled (7.2 does not account it against the user either).
 */
public final class IoUringBuffers {
    /** ENXIO (include/uapi/asm-generic/errno-base.h): IORING_UNREGISTER_BUFFERS with none registered. */
    public static final int ENXIO = 6;

    private final Task task;
    private final Gup gup;
    /** ctx->user: set when the creator lacked CAP_IPC_LOCK. */
    private final boolean accountUser;
    /** The registered buffer's page frames (one pin each), or null when none is registered. */
    private long[] pfns;
    private long accounted;

    private IoUringBuffers(Task task) {
        this.task = task;
        this.gup = Gup.of(task.machine());
        this.accountUser = !task.mm().capIpcLock();
    }

    /**
     * The io_uring_setup system call: a ring with no buffer; it remembers whether its creator had CAP_IPC_LOCK.
     *
     * @param task the calling process
     * @return the ring
     */
    public static IoUringBuffers setup(Task task) {
        return new IoUringBuffers(task);
    }

    /**
     * IORING_REGISTER_BUFFERS with one iovec {@code [addr, addr + len)}, on the task's CPU:
     * io_sqe_buffer_register of io_uring/rsrc.c: validate, pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM) of every page
     * (a partial pin is undone and is -EFAULT), then account the pages (io_buffer_account_pin).
     *
     * @param addr the buffer's user virtual address (bytes)
     * @param len its length (bytes)
     * @return 0, or -EBUSY (a buffer is registered), -EFAULT (len 0, an unmapped or inaccessible page),
     *     -ENOMEM (migration failed or RLIMIT_MEMLOCK), nothing pinned or accounted after an error
     */
    public int registerBuffers(long addr, long len) {
        return task.cpu().call(() -> register(addr, len));
    }

    private int register(long addr, long len) {
        if (pfns != null) {
            return -Errno.EBUSY;
        }
        if (len == 0) {
            return -Errno.EFAULT; // io_validate_user_buf_range
        }
        long first = addr >>> 12;
        long nr = ((addr + len + 4095) >>> 12) - first;
        if (nr > Integer.MAX_VALUE / 8) {
            return -Errno.EOVERFLOW;
        }
        long[] pages = new long[(int) nr];
        MmStruct mm = task.mm();
        long ret = gup.fast().pinUserPagesFast(mm, addr, (int) nr, Foll.FOLL_WRITE | Foll.FOLL_LONGTERM, pages);
        if (ret != nr) { // io_pin_pages: a partial pin is released and is -EFAULT
            if (ret > 0) {
                gup.folios().unpinUserPages(pages, (int) ret);
            }
            return ret >= 0 ? -Errno.EFAULT : (int) ret;
        }
        long acct = accountPages(pages);
        if (acct > 0 && accountUser) {
            if (acct + userLockedVm(mm) > mm.rlimitMemlock() >>> 12) { // __io_account_mem
                gup.folios().unpinUserPages(pages, pages.length);
                return -Errno.ENOMEM;
            }
            mm.addPinnedVm(acct);
            accounted = acct;
        }
        pfns = pages;
        return 0;
    }

    /**
     * IORING_UNREGISTER_BUFFERS: unpin the registered buffer and unaccount it.
     *
     * @return 0, or -ENXIO when no buffer is registered
     */
    public int unregisterBuffers() {
        return task.cpu().call(() -> {
            if (pfns == null) {
                return -ENXIO;
            }
            gup.folios().unpinUserPages(pfns, pfns.length);
            if (accounted > 0) {
                task.mm().addPinnedVm(-accounted);
                accounted = 0;
            }
            pfns = null;
            return 0;
        });
    }

    /** {@return the registered buffer's page frame numbers (a copy), or an empty array} */
    public long[] pinnedPfns() {
        return pfns == null ? new long[0] : pfns.clone();
    }

    /** io_buffer_account_pin of io_uring/rsrc.c: small folios one page each, a large folio once with all its pages. */
    private long accountPages(long[] pages) {
        MemMap memMap = task.machine().memMap();
        Set<Long> heads = new HashSet<>();
        long n = 0;
        for (long pfn : pages) {
            long head = memMap.compoundHead(pfn);
            if (!memMap.isLarge(head)) {
                n++;
            } else if (heads.add(head)) {
                n += memMap.nrPages(head);
            }
        }
        return n;
    }

    /**
     * user->locked_vm of the ring's user. Model difference: one user per process, and only io_uring
     * charges it, so it equals the mm's pinned_vm.
     */
    private static long userLockedVm(MmStruct mm) {
        return mm.pinnedVm();
    }
}
