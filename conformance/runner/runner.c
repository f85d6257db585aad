/*
 * FolioLab conformance runner: PID 1 of a throw-away initramfs.
 *
 * It runs one conformance script (format v1, see docs/conformance-format.md) on the real kernel it
 * boots in and prints the transcript between a "BEGIN" and an "END" line on the console, then
 * powers the machine off.  Outline:
 *
 *   1. mount proc (/proc), sysfs (/sys), tmpfs (/tmp);
 *   2. read and parse the whole script (/script) into static tables; a script error is reported
 *      here, before anything runs;
 *   3. fault in every page of the runner's own address space (text, data, bss, heap, a deep
 *      stack) and open every /proc file it will read, so that nothing the runner does after the
 *      baseline faults a page of its own into the per-CPU LRU batches;
 *   4. lru_gen off, debugfs fault_around_bytes = 4096, pin to CPU 0;
 *   5. map the pad page (never touched), drain once, read the vmstat baseline;
 *   6. run the script, appending the transcript to a static buffer;
 *   7. print BEGIN, the transcript, END, and power off.
 *
 * From step 5 on the runner allocates no memory: all buffers are static and were touched in
 * step 3.  That matters under `mlockall future`, where every new mapping of the process would be
 * locked, and for the batch contents, which any fault of the runner's own would change.
 *
 * Build: gcc -static -O2 -Wall -o init runner.c
 * The script path can be given as argv[1] (default /script), which helps testing on a host.
 * `init --syntax FILE...` only parses the scripts (exit 0 when all are valid v1 scripts).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <termios.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096UL

/* Limits of a script; generous for v1 scripts, all storage static. */
#define MAX_SCRIPT   (256 * 1024)  /* bytes of script text */
#define MAX_CMDS     4096
#define MAX_TOKENS   8             /* tokens of one command */
#define MAX_REGIONS  64
#define MAX_NAME     32
#define MAX_PAGES    65536         /* pages of one region (256 MiB) */
#define OUT_SIZE     (4 * 1024 * 1024)

/* /proc/kpageflags bits used in the transcript. */
#define KPF_LRU        5
#define KPF_ACTIVE     6
#define KPF_UNEVICTABLE 18
#define KPF_ZERO_PAGE  24
#define KPF_MLOCKED    33

#define PM_PRESENT (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 0x01
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

/* ------------------------------------------------------------------------------------------ */
/* Script representation                                                                        */

enum op { OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_TOUCH, OP_MLOCK, OP_MLOCK2, OP_MUNLOCK,
          OP_MLOCKALL, OP_MUNLOCKALL, OP_MADVISE, OP_DRAIN, OP_CHECK };

enum kind { K_ANON, K_SHMEM, K_FILE, K_FILE_PRIVATE };

struct cmd {
    enum op op;
    int line;                 /* script line number, for error messages */
    int region;               /* index into regions[], -1 if none */
    unsigned long start, len; /* pages */
    int prot;                 /* PROT_* for mmap/mprotect */
    int kind;                 /* enum kind for mmap */
    int flags;                /* extra mmap flags, mlock2/mlockall flags, madvise advice */
    int write;                /* touch: 1 = write, 0 = read */
    const char *echo;         /* the command's tokens joined by one space */
};

struct region {
    char name[MAX_NAME];
    unsigned long pages;      /* original size */
    char *addr;               /* NULL until mapped (or if the mmap failed) */
    int mapped;               /* the mmap succeeded: the region is printed by check */
};

static char script[MAX_SCRIPT + 1];
static char echo_buf[MAX_SCRIPT + MAX_CMDS];  /* echo strings, one per command */
static struct cmd cmds[MAX_CMDS];
static int ncmds;
static struct region regions[MAX_REGIONS];
static int nregions;

/* Transcript and scratch buffers: touched before the baseline, never grown. */
static char out[OUT_SIZE];
static size_t outlen;
static uint64_t pagemap_buf[MAX_PAGES];
static char procbuf[64 * 1024];

/* Order of regions by creation (successful mmap), for `check`. */
static int created[MAX_REGIONS];
static int ncreated;

/* File descriptors opened before the baseline. */
static int fd_pagemap = -1, fd_kpageflags = -1, fd_status = -1, fd_vmstat = -1,
           fd_refresh = -1;

static char *pad;

/* ------------------------------------------------------------------------------------------ */
/* Output without stdio (stdio would allocate its buffer on first use).                        */

static void write_all(int fd, const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        s += w;
        n -= (size_t)w;
    }
}

static void emit(const char *s)
{
    size_t n = strlen(s);
    if (outlen + n > sizeof(out))
        n = sizeof(out) - outlen;
    memcpy(out + outlen, s, n);
    outlen += n;
}

static void emit_char(char c)
{
    if (outlen < sizeof(out))
        out[outlen++] = c;
}

static void emit_long(long v)
{
    char tmp[24];
    int i = 0;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    if (v < 0)
        emit_char('-');
    do {
        tmp[i++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (i > 0)
        emit_char(tmp[--i]);
}

/* Fatal error before or outside the script run: print a marker line the host recognises. */
static void die(const char *what, const char *detail, int line);

static void power_off(void)
{
    /*
     * Wait until the console (a serial port) has really sent everything written so far: a
     * write() only queues the bytes in the tty layer, and powering off right away can lose them.
     */
    tcdrain(1);
    sync();
    reboot(RB_POWER_OFF);
    /* If that failed, exiting PID 1 panics the kernel; panic=-1 and -no-reboot stop qemu. */
    _exit(1);
}

static void die(const char *what, const char *detail, int line)
{
    char num[24];
    int i = 0;
    write_all(1, "\nFOLIOLAB-ERROR ", 16);
    write_all(1, what, strlen(what));
    if (line > 0) {
        unsigned u = (unsigned)line;
        char tmp[24];
        int j = 0;
        do {
            tmp[j++] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        while (j > 0)
            num[i++] = tmp[--j];
        write_all(1, " at line ", 9);
        write_all(1, num, (size_t)i);
    }
    if (detail) {
        write_all(1, ": ", 2);
        write_all(1, detail, strlen(detail));
    }
    write_all(1, "\n", 1);
    if (getpid() == 1)
        power_off();
    _exit(2);
}

/* ------------------------------------------------------------------------------------------ */
/* Parsing                                                                                      */

static int parse_num(const char *s, unsigned long *v)
{
    unsigned long n = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (n > 100000000UL)
            return -1;
        n = n * 10 + (unsigned long)(*s - '0');
    }
    *v = n;
    return 0;
}

static int find_region(const char *name)
{
    for (int i = 0; i < nregions; i++)
        if (strcmp(regions[i].name, name) == 0)
            return i;
    return -1;
}

static int parse_prot(const char *s, int *prot)
{
    if (strcmp(s, "none") == 0)
        *prot = PROT_NONE;
    else if (strcmp(s, "r") == 0)
        *prot = PROT_READ;
    else if (strcmp(s, "rw") == 0)
        *prot = PROT_READ | PROT_WRITE;
    else
        return -1;
    return 0;
}

/*
 * Parse "R START LEN" (tok[1..3]) of an existing region and check the page range is inside the
 * region's original size.
 */
static void parse_range(struct cmd *c, char **tok)
{
    c->region = find_region(tok[1]);
    if (c->region < 0)
        die("script error", "unknown region", c->line);
    if (parse_num(tok[2], &c->start) || parse_num(tok[3], &c->len))
        die("script error", "bad number", c->line);
    if (c->len == 0)
        die("script error", "empty page range", c->line);
    if (c->start >= regions[c->region].pages || c->len > regions[c->region].pages - c->start)
        die("script error", "page outside region", c->line);
}

static void parse_script(void)
{
    char *p = script, *echo = echo_buf;
    int line = 0, seen_munmap = 0;

    while (*p) {
        char *eol = strchr(p, '\n');
        char *tok[MAX_TOKENS + 1];
        int ntok = 0;
        line++;
        if (eol)
            *eol = '\0';
        char *hash = strchr(p, '#');
        if (hash)
            *hash = '\0';
        /* Split on blanks (spaces, tabs, carriage returns). */
        for (char *s = p;;) {
            while (*s == ' ' || *s == '\t' || *s == '\r')
                *s++ = '\0';
            if (!*s)
                break;
            if (ntok == MAX_TOKENS)
                die("script error", "too many tokens", line);
            tok[ntok++] = s;
            while (*s && *s != ' ' && *s != '\t' && *s != '\r')
                s++;
        }
        p = eol ? eol + 1 : p + strlen(p);
        if (ntok == 0)
            continue;
        if (ncmds == MAX_CMDS)
            die("script error", "too many commands", line);

        struct cmd *c = &cmds[ncmds];
        memset(c, 0, sizeof(*c));
        c->line = line;
        c->region = -1;
        /* Echo: tokens joined by one space. */
        c->echo = echo;
        for (int i = 0; i < ntok; i++) {
            size_t n = strlen(tok[i]);
            if (i)
                *echo++ = ' ';
            memcpy(echo, tok[i], n);
            echo += n;
        }
        *echo++ = '\0';

        const char *w = tok[0];
        if (strcmp(w, "mmap") == 0) {
            /* mmap R N KIND PROT [populate] [locked] */
            if (ntok < 5 || ntok > 7)
                die("script error", "mmap R N KIND PROT [populate] [locked]", line);
            if (seen_munmap)
                die("script error", "mmap after munmap", line);
            if (find_region(tok[1]) >= 0)
                die("script error", "region mapped twice", line);
            if (strlen(tok[1]) >= MAX_NAME || nregions == MAX_REGIONS)
                die("script error", "region name too long or too many regions", line);
            unsigned long n;
            if (parse_num(tok[2], &n) || n == 0 || n > MAX_PAGES)
                die("script error", "bad number", line);
            if (strcmp(tok[3], "anon") == 0)
                c->kind = K_ANON;
            else if (strcmp(tok[3], "shmem") == 0)
                c->kind = K_SHMEM;
            else if (strcmp(tok[3], "file") == 0)
                c->kind = K_FILE;
            else if (strcmp(tok[3], "file-private") == 0)
                c->kind = K_FILE_PRIVATE;
            else
                die("script error", "unknown mapping kind", line);
            if (parse_prot(tok[4], &c->prot))
                die("script error", "unknown protection", line);
            for (int i = 5; i < ntok; i++) {
                int f = strcmp(tok[i], "populate") == 0 ? MAP_POPULATE
                      : strcmp(tok[i], "locked") == 0   ? MAP_LOCKED : 0;
                if (!f || (c->flags & f))
                    die("script error", "bad mmap option", line);
                c->flags |= f;
            }
            c->op = OP_MMAP;
            c->region = nregions;
            c->len = n;
            strcpy(regions[nregions].name, tok[1]);
            regions[nregions].pages = n;
            nregions++;
        } else if (strcmp(w, "munmap") == 0 || strcmp(w, "mlock") == 0 ||
                   strcmp(w, "munlock") == 0) {
            if (ntok != 4)
                die("script error", "expected R START LEN", line);
            parse_range(c, tok);
            c->op = strcmp(w, "munmap") == 0 ? OP_MUNMAP
                  : strcmp(w, "mlock") == 0  ? OP_MLOCK : OP_MUNLOCK;
            if (c->op == OP_MUNMAP)
                seen_munmap = 1;
        } else if (strcmp(w, "mprotect") == 0) {
            if (ntok != 5)
                die("script error", "mprotect R START LEN PROT", line);
            parse_range(c, tok);
            if (parse_prot(tok[4], &c->prot))
                die("script error", "unknown protection", line);
            c->op = OP_MPROTECT;
        } else if (strcmp(w, "touch") == 0) {
            if (ntok != 5)
                die("script error", "touch R START LEN read|write", line);
            parse_range(c, tok);
            if (strcmp(tok[4], "read") == 0)
                c->write = 0;
            else if (strcmp(tok[4], "write") == 0)
                c->write = 1;
            else
                die("script error", "touch mode must be read or write", line);
            c->op = OP_TOUCH;
        } else if (strcmp(w, "mlock2") == 0) {
            if (ntok != 4 && ntok != 5)
                die("script error", "mlock2 R START LEN [onfault]", line);
            parse_range(c, tok);
            if (ntok == 5) {
                if (strcmp(tok[4], "onfault") != 0)
                    die("script error", "mlock2 flag must be onfault", line);
                c->flags = MLOCK_ONFAULT;
            }
            c->op = OP_MLOCK2;
        } else if (strcmp(w, "mlockall") == 0) {
            if (ntok != 2)
                die("script error", "mlockall FLAGS", line);
            if (strcmp(tok[1], "future") == 0)
                c->flags = MCL_FUTURE;
            else if (strcmp(tok[1], "future,onfault") == 0)
                c->flags = MCL_FUTURE | MCL_ONFAULT;
            else
                die("script error", "mlockall FLAGS must be future or future,onfault", line);
            c->op = OP_MLOCKALL;
        } else if (strcmp(w, "munlockall") == 0) {
            if (ntok != 1)
                die("script error", "munlockall takes no argument", line);
            c->op = OP_MUNLOCKALL;
        } else if (strcmp(w, "madvise") == 0) {
            if (ntok != 5)
                die("script error", "madvise R START LEN ADVICE", line);
            parse_range(c, tok);
            if (strcmp(tok[4], "dontneed") == 0)
                c->flags = MADV_DONTNEED;
            else if (strcmp(tok[4], "cold") == 0)
                c->flags = MADV_COLD;
            else if (strcmp(tok[4], "pageout") == 0)
                c->flags = MADV_PAGEOUT;
            else if (strcmp(tok[4], "willneed") == 0)
                c->flags = MADV_WILLNEED;
            else
                die("script error", "unknown advice", line);
            c->op = OP_MADVISE;
        } else if (strcmp(w, "drain") == 0) {
            if (ntok != 1)
                die("script error", "drain takes no argument", line);
            c->op = OP_DRAIN;
        } else if (strcmp(w, "check") == 0) {
            if (ntok != 1)
                die("script error", "check takes no argument", line);
            c->op = OP_CHECK;
        } else {
            die("script error", "unknown command", line);
        }
        ncmds++;
    }
}

static void read_script(const char *path)
{
    int fd = open(path, O_RDONLY);
    size_t n = 0;
    if (fd < 0)
        die("cannot open script", path, 0);
    for (;;) {
        ssize_t r = read(fd, script + n, MAX_SCRIPT - n);
        if (r < 0)
            die("cannot read script", path, 0);
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == MAX_SCRIPT)
            die("script too long", path, 0);
    }
    close(fd);
    script[n] = '\0';
}

/* ------------------------------------------------------------------------------------------ */
/* Set-up helpers                                                                               */

static void write_file(const char *path, const char *value, int required)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0 || write(fd, value, strlen(value)) != (ssize_t)strlen(value)) {
        if (required)
            die("cannot write", path, 0);
    }
    if (fd >= 0)
        close(fd);
}

static int open_or_die(const char *path, int flags)
{
    int fd = open(path, flags);
    if (fd < 0)
        die("cannot open", path, 0);
    return fd;
}

/* Read a whole /proc file (from offset 0) into procbuf, NUL-terminated. */
static void read_proc(int fd)
{
    size_t n = 0;
    for (;;) {
        ssize_t r = pread(fd, procbuf + n, sizeof(procbuf) - 1 - n, (off_t)n);
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n == sizeof(procbuf) - 1)
            break;
    }
    procbuf[n] = '\0';
}

/* Touch a deep stack now, so later calls (and signal frames) never grow it. */
static __attribute__((noinline)) void prefault_stack(void)
{
    volatile char deep[512 * 1024];
    for (size_t i = 0; i < sizeof(deep); i += PAGE)
        deep[i] = 0;
    deep[sizeof(deep) - 1] = 0;
}

static unsigned long hex(const char **s)
{
    unsigned long v = 0;
    for (;; (*s)++) {
        char c = **s;
        if (c >= '0' && c <= '9')
            v = v * 16 + (unsigned long)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (unsigned long)(c - 'a' + 10);
        else
            return v;
    }
}

/*
 * Fault in every page of every mapping the process has now (its executable, data, bss, heap and
 * stack), reading readable pages and writing back the same byte into writable ones, so that no
 * copy-on-write or first-touch fault of the runner's own happens while the script runs.
 */
static void prefault_self(void)
{
    int fd = open_or_die("/proc/self/maps", O_RDONLY);
    read_proc(fd);
    close(fd);
    for (const char *s = procbuf; *s;) {
        unsigned long lo = hex(&s);
        s++; /* '-' */
        unsigned long hi = hex(&s);
        s++; /* ' ' */
        int rd = s[0] == 'r', wr = s[1] == 'w';
        const char *eol = strchr(s, '\n');
        int special = 0;
        /* Leave the kernel's special mappings alone. */
        for (const char *q = s; q < (eol ? eol : s + strlen(s)); q++)
            if (*q == '[' && (strncmp(q, "[vvar", 5) == 0 || strncmp(q, "[vdso", 5) == 0 ||
                              strncmp(q, "[vsyscall", 9) == 0))
                special = 1;
        if (!special && rd) {
            for (unsigned long a = lo; a < hi; a += PAGE) {
                volatile char *b = (volatile char *)a;
                char v = *b;
                if (wr)
                    *b = v;
            }
        }
        s = eol ? eol + 1 : s + strlen(s);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Observables                                                                                  */

static const char *const vmstat_names[] = {
    "nr_mlock", "nr_unevictable", "unevictable_pgs_culled", "unevictable_pgs_scanned",
    "unevictable_pgs_rescued", "unevictable_pgs_mlocked", "unevictable_pgs_munlocked",
    "unevictable_pgs_cleared", "unevictable_pgs_stranded",
};
#define NVMSTAT (sizeof(vmstat_names) / sizeof(vmstat_names[0]))
static long vmstat_base[NVMSTAT], vmstat_now[NVMSTAT];

static void read_vmstat(long *vals)
{
    /* Fold the per-CPU deltas of the nr_* counters into the global ones first. */
    if (pwrite(fd_refresh, "1", 1, 0) != 1)
        die("cannot write", "/proc/sys/vm/stat_refresh", 0);
    read_proc(fd_vmstat);
    for (size_t i = 0; i < NVMSTAT; i++) {
        size_t n = strlen(vmstat_names[i]);
        const char *s = procbuf;
        vals[i] = 0;
        int found = 0;
        while (*s) {
            if (strncmp(s, vmstat_names[i], n) == 0 && s[n] == ' ') {
                const char *v = s + n + 1;
                int neg = *v == '-';
                long x = 0;
                if (neg)
                    v++;
                while (*v >= '0' && *v <= '9')
                    x = x * 10 + (*v++ - '0');
                vals[i] = neg ? -x : x;
                found = 1;
                break;
            }
            s = strchr(s, '\n');
            if (!s)
                break;
            s++;
        }
        if (!found)
            die("vmstat counter missing", vmstat_names[i], 0);
    }
}

static long read_vmlck(void)
{
    read_proc(fd_status);
    const char *s = strstr(procbuf, "\nVmLck:");
    if (!s)
        die("VmLck missing", "/proc/self/status", 0);
    s += 7;
    while (*s == ' ' || *s == '\t')
        s++;
    long v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v;
}

static void emit_page_token(uint64_t pm)
{
    if (!(pm & PM_PRESENT)) {
        emit_char('.');
        return;
    }
    uint64_t pfn = pm & PM_PFN_MASK, kf = 0;
    if (pread(fd_kpageflags, &kf, sizeof(kf), (off_t)(pfn * 8)) != (ssize_t)sizeof(kf))
        die("cannot read", "/proc/kpageflags", 0);
    int any = 0;
    static const struct { int bit; char letter; } flags[] = {
        { KPF_ZERO_PAGE, 'Z' }, { KPF_MLOCKED, 'M' }, { KPF_UNEVICTABLE, 'U' },
        { KPF_LRU, 'L' }, { KPF_ACTIVE, 'A' },
    };
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (kf & (1ULL << flags[i].bit)) {
            emit_char(flags[i].letter);
            any = 1;
        }
    if (!any)
        emit_char('-');
}

static void do_check(void)
{
    for (int i = 0; i < ncreated; i++) {
        struct region *r = &regions[created[i]];
        size_t bytes = r->pages * sizeof(uint64_t);
        off_t off = (off_t)((uintptr_t)r->addr / PAGE * sizeof(uint64_t));
        if (pread(fd_pagemap, pagemap_buf, bytes, off) != (ssize_t)bytes)
            die("cannot read", "/proc/self/pagemap", 0);
        emit("  ");
        emit(r->name);
        emit(":");
        for (unsigned long p = 0; p < r->pages; p++) {
            emit_char(' ');
            emit_page_token(pagemap_buf[p]);
        }
        emit_char('\n');
    }
    emit("  vmlck ");
    emit_long(read_vmlck());
    emit_char('\n');
    read_vmstat(vmstat_now);
    emit("  vmstat");
    for (size_t i = 0; i < NVMSTAT; i++) {
        emit_char(' ');
        emit(vmstat_names[i]);
        emit_char('=');
        emit_long(vmstat_now[i] - vmstat_base[i]);
    }
    emit_char('\n');
}

/* ------------------------------------------------------------------------------------------ */
/* Running commands                                                                             */

static void emit_result(long rc)
{
    if (rc == 0) {
        emit("0");
        return;
    }
    switch (-rc) {
    case EINVAL: emit("-EINVAL"); break;
    case ENOMEM: emit("-ENOMEM"); break;
    case EPERM:  emit("-EPERM"); break;
    case EAGAIN: emit("-EAGAIN"); break;
    case EFAULT: emit("-EFAULT"); break;
    case EBUSY:  emit("-EBUSY"); break;
    case EACCES: emit("-EACCES"); break;
    default:     emit("-EOTHER"); break;
    }
}

/* A raw system call result as 0 or -errno. */
static long sys(long r)
{
    return r < 0 ? -(long)errno : 0;
}

static sigjmp_buf touch_env;
static volatile sig_atomic_t touch_signal;

static void on_fault(int sig)
{
    touch_signal = sig;
    siglongjmp(touch_env, 1);
}

/* Returns the index of the page that faulted fatally, or -1. */
static long do_touch(char *base, unsigned long len, int write, int *sig)
{
    static volatile unsigned long i; /* static: survives siglongjmp unchanged */
    i = 0;
    if (sigsetjmp(touch_env, 1)) {
        /* The access to page i raised SIGSEGV/SIGBUS; the handler jumped back here. */
        *sig = touch_signal;
        return (long)i;
    }
    for (; i < len; i++) {
        volatile char *b = (volatile char *)(base + i * PAGE);
        if (write)
            *b = 1;
        else
            (void)*b;
    }
    return -1;
}

/* The path of a region's backing file on tmpfs. */
static char path_buf[MAX_NAME + 16];
static const char *file_path(const char *name)
{
    strcpy(path_buf, "/tmp/region-");
    strcat(path_buf, name);
    return path_buf;
}

static long do_mmap(struct cmd *c)
{
    struct region *r = &regions[c->region];
    size_t bytes = r->pages * PAGE;
    int flags = c->flags, fd = -1;
    switch (c->kind) {
    case K_ANON:  flags |= MAP_PRIVATE | MAP_ANONYMOUS; break;
    case K_SHMEM: flags |= MAP_SHARED | MAP_ANONYMOUS; break;
    case K_FILE:
    case K_FILE_PRIVATE:
        /* A new N-page file on tmpfs, sparse (no page allocated); closed after mapping. */
        fd = open(file_path(r->name), O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            return -(long)errno;
        if (ftruncate(fd, (off_t)bytes) < 0) {
            long e = -(long)errno;
            close(fd);
            return e;
        }
        flags |= c->kind == K_FILE ? MAP_SHARED : MAP_PRIVATE;
        break;
    }
    void *a = mmap(NULL, bytes, c->prot, flags, fd, 0);
    long rc = a == MAP_FAILED ? -(long)errno : 0;
    if (fd >= 0)
        close(fd);
    if (rc == 0) {
        r->addr = a;
        r->mapped = 1;
        created[ncreated++] = c->region;
    }
    return rc;
}

static void run_command(struct cmd *c)
{
    struct region *r = c->region >= 0 ? &regions[c->region] : NULL;
    char *a = NULL;
    size_t bytes = c->len * PAGE;
    long rc = 0;

    if (c->op == OP_CHECK) {
        emit(c->echo);
        emit_char('\n');
        do_check();
        return;
    }
    if (r && c->op != OP_MMAP) {
        if (!r->mapped)
            die("script error", "region whose mmap failed", c->line);
        a = r->addr + c->start * PAGE;
    }
    emit(c->echo);
    emit(" = ");
    switch (c->op) {
    case OP_MMAP:      rc = do_mmap(c); break;
    case OP_MUNMAP:    rc = sys(munmap(a, bytes)); break;
    case OP_MPROTECT:  rc = sys(mprotect(a, bytes, c->prot)); break;
    case OP_MLOCK:     rc = sys(mlock(a, bytes)); break;
    case OP_MLOCK2:    rc = sys(syscall(SYS_mlock2, a, bytes, c->flags)); break;
    case OP_MUNLOCK:   rc = sys(munlock(a, bytes)); break;
    case OP_MLOCKALL:  rc = sys(mlockall(c->flags)); break;
    case OP_MUNLOCKALL: rc = sys(munlockall()); break;
    case OP_MADVISE:   rc = sys(madvise(a, bytes, c->flags)); break;
    case OP_DRAIN:     rc = sys(madvise(pad, PAGE, MADV_COLD)); break;
    case OP_TOUCH: {
        int sig = 0;
        long at = do_touch(a, c->len, c->write, &sig);
        if (at >= 0) {
            emit(sig == SIGBUS ? "SIGBUS@" : "SIGSEGV@");
            emit_long(at);
            emit_char('\n');
            return;
        }
        break;
    }
    case OP_CHECK:
        break;
    }
    emit_result(rc);
    emit_char('\n');
}

/* ------------------------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    const char *script_path = argc > 1 ? argv[1] : "/script";
    int pid1 = getpid() == 1;

    if (argc > 1 && strcmp(argv[1], "--syntax") == 0) {
        /* Syntax check on the host: parse each file, run nothing. */
        for (int i = 2; i < argc; i++) {
            ncmds = nregions = 0;
            write_all(1, argv[i], strlen(argv[i]));
            write_all(1, "\n", 1);
            read_script(argv[i]);
            parse_script(); /* dies (exit 2) on the first error */
        }
        return 0;
    }

    if (pid1) {
        mkdir("/proc", 0755);
        mkdir("/sys", 0755);
        mkdir("/tmp", 01777);
        if (mount("proc", "/proc", "proc", 0, NULL) < 0)
            die("cannot mount", "/proc", 0);
        if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
            die("cannot mount", "/sys", 0);
        if (mount("tmpfs", "/tmp", "tmpfs", 0, NULL) < 0)
            die("cannot mount", "/tmp", 0);
    }

    read_script(script_path);
    parse_script();

    /* Signal handling for touch: a fatal fault jumps back into do_touch. */
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_fault;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);

    /* Everything read later is opened now. */
    fd_pagemap = open_or_die("/proc/self/pagemap", O_RDONLY);
    fd_kpageflags = open_or_die("/proc/kpageflags", O_RDONLY);
    fd_status = open_or_die("/proc/self/status", O_RDONLY);
    fd_vmstat = open_or_die("/proc/vmstat", O_RDONLY);
    fd_refresh = open_or_die("/proc/sys/vm/stat_refresh", O_WRONLY);

    /* Fault in the runner's own pages (static buffers included) and a deep stack. */
    prefault_stack();
    prefault_self();

    if (pid1) {
        /* Classic active/inactive LRU. */
        write_file("/sys/kernel/mm/lru_gen/enabled", "0", 0);
        /* A read fault on a file or shmem mapping maps only the faulting page. */
        mkdir("/sys/kernel/debug", 0755);
        if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) < 0)
            die("cannot mount", "/sys/kernel/debug", 0);
        write_file("/sys/kernel/debug/fault_around_bytes", "4096", 1);
    }

    /* Pin to CPU 0: the per-CPU batches observed are those of CPU 0. */
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    if (sched_setaffinity(0, sizeof(set), &set) < 0)
        die("cannot pin to CPU 0", NULL, 0);

    /* The pad: one private anonymous page, never touched, target of `drain`'s MADV_COLD. */
    pad = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pad == MAP_FAILED)
        die("cannot map the pad", NULL, 0);
    if (madvise(pad, PAGE, MADV_COLD) < 0)
        die("initial drain failed", NULL, 0);

    read_vmstat(vmstat_base);

    for (int i = 0; i < ncmds; i++)
        run_command(&cmds[i]);

    write_all(1, "\nBEGIN\n", 7);
    write_all(1, out, outlen);
    write_all(1, "END\n", 4);

    if (pid1)
        power_off();
    return 0;
}
