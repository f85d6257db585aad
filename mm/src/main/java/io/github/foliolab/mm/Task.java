package io.github.foliolab.mm;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.folio.VmStat;
import io.github.foliolab.folio.api.VmFlags;
import io.github.foliolab.folio.cpu.Cpu;

/**
 * A simulated single-threaded process: its mm and the CPU its system calls and memory accesses run on
 * (each call binds to the CPU with cpu.call). System calls return 0 (or an address) or -errno; user
 * accesses return 0 or the signal that the fault delivered.
 */
public final class Task {
    /**
     * SIGBUS (arch/x86/include/uapi/asm/signal.h): an access to a page the mapping cannot provide (beyond a file's
     * end, a device without ->fault).
     */
    public static final int SIGBUS = 7;
    /** SIGKILL: the out-of-memory result of a fault (VM_FAULT_OOM), as the OOM killer would end the process. */
    public static final int SIGKILL = 9;
    /** SIGSEGV: an access outside every VMA or against its protection. */
    public static final int SIGSEGV = 11;

    private final Mm ctx;
    private final MmStruct mm;
    private final Cpu cpu;

    /**
     * A new process with an empty address space whose calls run on {@code cpu}.
     *
     * @param machine a built machine with the mm module attached
     * @param cpu the CPU, of {@code machine}, its calls run on
     * @throws IllegalStateException if the mm module is not attached to {@code machine}
     * @throws IllegalArgumentException if {@code cpu} is not one of {@code machine}'s CPUs
     */
    public Task(Machine machine, Cpu cpu) {
        this.cpu = machine.cpus().check(cpu);
        this.ctx = Mm.of(machine);
        this.mm = ctx.newMm();
    }

    /**
     * The root process of a built machine, on CPU 0, as a test program run by root sees the kernel:
     * CAP_IPC_LOCK and CAP_SYS_RAWIO, RLIMIT_MEMLOCK at the default 8 MiB. A machine ready for system
     * calls is {@code Task.root(Machine.builder()...build())}.
     *
     * @param machine a built machine with the mm module attached
     * @return the root process, with an empty address space
     * @throws IllegalStateException if the mm module is not attached to {@code machine}
     */
    public static Task root(Machine machine) {
        Task t = new Task(machine, machine.cpu(0));
        t.mm.setCapIpcLock(true);
        t.mm.setCapSysRawio(true);
        t.mm.setRlimitMemlock(MmStruct.DEFAULT_RLIMIT_MEMLOCK);
        return t;
    }

    /**
     * The machine this process runs on.
     *
     * @return the machine
     */
    public Machine machine() {
        return ctx.machine();
    }

    /**
     * The machine's mm state (address spaces, rmap, faults).
     *
     * @return the machine's mm state
     */
    public Mm ctx() {
        return ctx;
    }

    /**
     * This process's address space (its mm_struct): VMAs, page tables, locked_vm, limits and capabilities.
     *
     * @return the process's mm
     */
    public MmStruct mm() {
        return mm;
    }

    /**
     * The CPU this task's calls run on.
     *
     * @return the CPU
     */
    public Cpu cpu() {
        return cpu;
    }

    /** {@return the process as trace tables print it: its address space and CPU, e.g. {@code task(mm#26, cpu 0)}} */
    @Override
    public String toString() {
        return "task(" + mm + ", cpu " + cpu.id() + ")";
    }

    /**
     * Move the task to another CPU (sched_setaffinity).
     *
     * @param other a CPU of the same machine
     * @return a task for the same process whose calls run on {@code other} (this one is unchanged)
     */
    public Task on(Cpu other) {
        return new Task(this, other);
    }

    private Task(Task t, Cpu other) {
        this.ctx = t.ctx;
        this.mm = t.mm;
        this.cpu = other;
    }

    private Task(Mm ctx, MmStruct mm, Cpu cpu) {
        this.ctx = ctx;
        this.mm = mm;
        this.cpu = cpu;
    }

    /**
     * fork(2) of this single-threaded process, run on this task's CPU: the child, a new process on the
     * same CPU (move it with {@link #on}) whose address space is this one's as dup_mmap copies it (see
     * {@link Fork}): anonymous pages shared copy-on-write, mlock and mlockall(MCL_FUTURE) not
     * inherited, MADV_DONTFORK ranges absent and MADV_WIPEONFORK ranges empty. The child has this
     * process's RLIMIT_MEMLOCK and capabilities.
     *
     * @return the child process
     */
    public Task fork() {
        MmStruct child = cpu.call(() -> ctx.fork().dupMm(mm));
        return new Task(ctx, child, cpu);
    }

    /**
     * The exit of this process (its last mmput()), run on its CPU: exit_mmap tears its address space down (see
     * {@link ExitMmap}); the folios it shared with others stay theirs. The task must not be used again.
     *
     * @throws IllegalStateException if this process has already exited
     */
    public void exit() {
        if (!ctx.liveMms().contains(mm)) {
            throw new IllegalStateException("exit of " + mm + ", which has already exited");
        }
        cpu.run(() -> ctx.exitMmap().exitMmap(mm));
    }

    /**
     * mmap(2) (do_mmap in mm/mmap.c; see {@link Mmap#mmap}), on this task's CPU: the checks in the kernel's order,
     * then the mapping, then population (MAP_POPULATE, VM_LOCKED) with its errors ignored.
     *
     * @param addr the hint, or the fixed address with MAP_FIXED / MAP_FIXED_NOREPLACE (bytes, page aligned)
     * @param len the length in bytes, rounded up to whole pages
     * @param prot the PROT_* bits ({@link Mman})
     * @param flags MAP_SHARED or MAP_PRIVATE and the other MAP_* bits ({@link Mman})
     * @param file a tmpfs file for a file mapping, null with MAP_ANONYMOUS
     * @param offset the file offset in bytes, page aligned
     * @return the mapping's address, or -errno (-EINVAL, -ENOMEM, -EPERM, -EAGAIN for a lock over RLIMIT_MEMLOCK,
     *         -EEXIST, -EACCES, -EBADF, -EOPNOTSUPP, -EOVERFLOW)
     */
    public long mmap(long addr, long len, int prot, int flags, AddressSpace file, long offset) {
        return cpu.call(() -> ctx.mmap().mmap(mm, addr, len, prot, flags, file, offset));
    }

    /**
     * mmap of a device: see {@link Mmap#mmapSpecial}.
     *
     * @param len the length in bytes
     * @param prot the PROT_* bits
     * @param specialFlags the VM_SPECIAL bits
     * @return the mapping's address, or -errno
     */
    public long mmapSpecial(long len, int prot, long specialFlags) {
        return cpu.call(() -> ctx.mmap().mmapSpecial(mm, len, prot, specialFlags));
    }

    /**
     * munmap(2) (do_vmi_munmap in mm/vma.c; see {@link Mmap#munmap}), on this task's CPU: the pages of [addr, addr
     * + len) are zapped and the VMAs removed or split.
     *
     * @param addr the start, a page-aligned user virtual address (bytes)
     * @param len the length in bytes, rounded up to whole pages
     * @return 0, or -EINVAL (unaligned address, zero length, a range beyond TASK_SIZE)
     */
    public int munmap(long addr, long len) {
        return cpu.call(() -> ctx.mmap().munmap(mm, addr, len));
    }

    /**
     * mprotect(2) (do_mprotect_pkey in mm/mprotect.c; see {@link Mmap#mprotect}), on this task's CPU.
     *
     * @param addr the start, a page-aligned user virtual address (bytes)
     * @param len the length in bytes, rounded up to whole pages
     * @param prot the new PROT_* bits ({@link Mman})
     * @return 0, or -errno: -EINVAL (bad alignment or bits), -ENOMEM (a hole in the range), -EACCES (a PROT_* bit the
     *         VMA's VM_MAY* bits forbid)
     */
    public int mprotect(long addr, long len, int prot) {
        return cpu.call(() -> ctx.mmap().mprotect(mm, addr, len, prot));
    }

    /**
     * madvise(2) (do_madvise in mm/madvise.c; see {@link Madvise#madvise}), on this task's CPU.
     *
     * @param addr the start, a page-aligned user virtual address (bytes)
     * @param len the length in bytes, rounded up to whole pages
     * @param advice the MADV_* value ({@link Mman})
     * @return 0, or -errno: -EINVAL (bad alignment or advice, MADV_DONTNEED on a VM_LOCKED VMA), -ENOMEM (a hole
     *         in the range; the advice is still applied to the mapped parts); MADV_POPULATE_* also returns
     *         the population's -errno
     */
    public int madvise(long addr, long len, int advice) {
        return cpu.call(() -> ctx.madvise().madvise(mm, addr, len, advice));
    }

    /**
     * mlock(2): 0 or -errno (-ENOSYS without the mlock module).
     *
     * @param addr the start, a user virtual address (bytes; rounded down to a page)
     * @param len the length in bytes (the end is rounded up to a page)
     * @return 0, or -errno: -ENOMEM (a hole, or over RLIMIT_MEMLOCK without CAP_IPC_LOCK), -EPERM (limit 0 without
     *         the capability), -EINVAL (wrap), -EAGAIN (population ran out of memory), -ENOSYS
     */
    public int mlock(long addr, long len) {
        return cpu.call(() -> ctx.mlockSyscalls().mlock(mm, addr, len));
    }

    /**
     * mlock2(2): 0 or -errno (-ENOSYS without the mlock module).
     *
     * @param addr the start, a user virtual address (bytes; rounded down to a page)
     * @param len the length in bytes (the end is rounded up to a page)
     * @param flags 0 or MLOCK_ONFAULT
     * @return 0, or -errno as {@link #mlock}, and -EINVAL for unknown flags
     */
    public int mlock2(long addr, long len, int flags) {
        return cpu.call(() -> ctx.mlockSyscalls().mlock2(mm, addr, len, flags));
    }

    /**
     * munlock(2): 0 or -errno (-ENOSYS without the mlock module).
     *
     * @param addr the start, a user virtual address (bytes; rounded down to a page)
     * @param len the length in bytes (the end is rounded up to a page)
     * @return 0, or -errno: -ENOMEM (a hole in the range), -EINVAL (wrap), -ENOSYS
     */
    public int munlock(long addr, long len) {
        return cpu.call(() -> ctx.mlockSyscalls().munlock(mm, addr, len));
    }

    /**
     * mlockall(2): 0 or -errno (-ENOSYS without the mlock module).
     *
     * @param flags MCL_CURRENT, MCL_FUTURE and MCL_ONFAULT bits
     * @return 0, or -errno: -EINVAL (no MCL_CURRENT / MCL_FUTURE, unknown bits), -ENOMEM or -EPERM
     *         (RLIMIT_MEMLOCK), -ENOSYS
     */
    public int mlockall(int flags) {
        return cpu.call(() -> ctx.mlockSyscalls().mlockall(mm, flags));
    }

    /**
     * munlockall(2): 0 or -errno (-ENOSYS without the mlock module).
     *
     * @return 0, or -ENOSYS without the mlock module
     */
    public int munlockall() {
        return cpu.call(() -> ctx.mlockSyscalls().munlockall(mm));
    }

    /**
     * move_pages(2) for this process (pid 0): with {@code nodes} null, each page's node is queried;
     * otherwise each page is moved to its node (MPOL_MF_MOVE / MPOL_MF_MOVE_ALL in {@code flags}).
     * {@code status[i]} gets page i's node or -errno. Returns 0, the number of pages not migrated, or
     * -errno (-ENOSYS without the migrate module, nothing written).
     *
     * @param pages user virtual addresses (bytes), one per page
     * @param nodes target nodes (same length), or null
     * @param status per-page results (same length)
     * @param flags MPOL_MF_* ({@link MigrateSyscalls#MPOL_MF_MOVE})
     * @return 0, the number of pages not migrated, or -errno
     */
    public int movePages(long[] pages, int[] nodes, int[] status, int flags) {
        return cpu.call(() -> ctx.migrateSyscalls().movePages(mm, pages, nodes, status, flags));
    }

    /**
     * migrate_pages(2) for this process (pid 0): every page on a node of {@code oldNodes} moves to the
     * corresponding node of {@code newNodes} (bit i = node i). Returns the number of pages not migrated,
     * or -errno (-ENOSYS without the migrate module).
     *
     * @param oldNodes source node mask
     * @param newNodes destination node mask
     * @return the number of pages not migrated, or -errno
     */
    public long migratePages(long oldNodes, long newNodes) {
        return cpu.call(() -> ctx.migrateSyscalls().migratePages(mm, oldNodes, newNodes));
    }

    /**
     * {@return a user read or write of one byte at {@code addr}: the hardware walk (setting the accessed
     * and dirty bits when the PTE allows the access) or the page fault (do_user_addr_fault: find the VMA,
     * check the access, handle_mm_fault, retry)} Returns 0, SIGSEGV, SIGBUS or SIGKILL (out of memory).
     *
     * @param addr a user virtual address (bytes)
     * @param write true for a write access
     */
    public int touch(long addr, boolean write) {
        return cpu.call(() -> access(addr, write));
    }

    private int access(long addr, boolean write) {
        long page = addr & ~0xfffL;
        for (int tries = 0; tries < 1_000_000; tries++) {
            if (tries > 0) Thread.yield(); // VM_FAULT_RETRY (a migration entry): let the migration finish
            mm.mmapLock().downRead();
            try {
                Vma vma = mm.vmaLookup(page);
                if (vma == null) return SIGSEGV;
                long f = vma.flags();
                if (write ? (f & VmFlags.VM_WRITE) == 0 : !vma.isAccessible()) return SIGSEGV;
                if (hardwareAccess(page, write)) return 0;
                int ret = ctx.fault().handleMmFault(vma, page, write);
                if ((ret & Fault.VM_FAULT_OOM) != 0) return SIGKILL;
                if ((ret & Fault.VM_FAULT_SIGBUS) != 0) return SIGBUS;
                if ((ret & Fault.VM_FAULT_SIGSEGV) != 0) return SIGSEGV;
            } finally {
                mm.mmapLock().upRead();
            }
        }
        throw new IllegalStateException("fault livelock at 0x" + Long.toHexString(addr));
    }

    /**
     * The MMU: if the PTE allows the access, set the accessed (and dirty) bits and return true.
     * Model difference: the hardware's atomic A/D update is modelled as an update under the PTL.
     */
    private boolean hardwareAccess(long page, boolean write) {
        PageTable pt = mm.pageTables().lookup(page);
        if (pt == null) return false;
        long pte = pt.ptepGetLockless(page);
        if (!Pte.present(pte) || (write && !Pte.write(pte))) return false;
        long want = pte | Pte.YOUNG | (write ? Pte.DIRTY : 0);
        if (want != pte) {
            pt.ptl().lock();
            try {
                long cur = pt.ptepGet(page);
                if (cur != pte) return false;
                pt.modifyProt(page, want);
            } finally {
                pt.ptl().unlock();
            }
        }
        if (write && !Pte.special(pte)) {
            ctx.thp().contents().setWritten(Pte.pfn(pte)); // the store itself: the page is no longer zero-filled
        }
        return true;
    }

    /**
     * /proc/self/pagemap + /proc/kpageflags for one page: -1 when no present PTE maps it.
     *
     * @param addr a user virtual address (bytes)
     * @return the page's /proc/kpageflags word (KPF_* bits, {@link KPageFlags}), or -1 when no present PTE maps it
     */
    public long kpageflags(long addr) {
        long pte = mm.pageTables().peek(addr & ~0xfffL);
        if (!Pte.present(pte)) return -1;
        return KPageFlags.of(ctx.memMap(), Pte.pfn(pte));
    }

    /**
     * The page's flag letters as the conformance transcripts print them ({@link KPageFlags#letters}):
     * e.g. {@code "MUL"} for an mlocked page on the unevictable list, {@code "."} when no PTE maps it.
     *
     * @param addr a user virtual address (bytes)
     * @return the flag letters, or {@code "."} when no present PTE maps the page
     */
    public String pageFlags(long addr) {
        return KPageFlags.letters(kpageflags(addr));
    }

    /** lru_add_drain() on this task's CPU: its LRU batches, then its mlock batch (mm/swap.c). */
    public void lruAddDrain() {
        cpu.run(() -> ctx.swap().lruAddDrain());
    }

    /**
     * The machine's /proc/vmstat counters.
     *
     * @return the machine's node 0 vmstat (every counter on a one-node machine)
     */
    public VmStat vmstat() {
        return ctx.machine().vmstat();
    }

    /**
     * VmLck in kB.
     *
     * @return the process's locked memory (locked_vm), in kB
     */
    public long vmLckKb() {
        return mm.vmLckKb();
    }
}
