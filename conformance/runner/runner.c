/*
 * FolioLab conformance runner: PID 1 of a throw-away initramfs.
 *
 * It runs one conformance script (format v1 or v2, see docs/conformance-format.md) on the real
 * kernel it boots in and prints the transcript between a "BEGIN" and an "END" line on the console, then
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
 * Format v2 (first command line `format 2`) runs on a two-CPU, two-node machine and adds, before
 * the pad: mTHP sizes, NUMA balancing and proactive compaction off; the zone table read from
 * /proc/zoneinfo (for check's `@` lines); a second thread pinned to CPU 1 that runs the `on 1`
 * commands (it writes its own stack first; the main thread then writes every page of the
 * process, that stack included); after the pad, `drain` on CPU 1 and then on CPU 0.  `fork`
 * makes a child that first writes every page of the runner's own writable mappings (so that no
 * copy-on-write of the runner's own happens later) and then runs the `child` commands sent to it
 * through a pipe.  A v1 script runs exactly as before.
 *
 * Build: gcc -static -O2 -Wall -o init runner.c
 * The script path can be given as argv[1] (default /script) when not running as PID 1 (as PID 1
 * the kernel hands it unknown boot parameters such as `nokaslr` as arguments).
 * `init --syntax FILE...` only parses the scripts (exit 0 when all are valid v1 or v2 scripts).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <termios.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/io_uring.h>

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
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
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
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MPOL_MF_MOVE
#define MPOL_MF_MOVE (1 << 1)
#endif

/* Format v2: the mmap address hints, the mTHP sizes, the pins and the second thread. */
#define HINT_BASE    0x200000000UL
#define HINT_STEP    0x40000000UL
#define MAX_PINS     64
#define MAX_ZONES    16
#define CPU1_STACK   (2UL * 1024 * 1024)
/* A move_pages status the kernel never writes: printed `?`. */
#define STATUS_UNSET INT_MIN

/* ------------------------------------------------------------------------------------------ */
/* Script representation                                                                        */

enum op { OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_TOUCH, OP_MLOCK, OP_MLOCK2, OP_MUNLOCK,
          OP_MLOCKALL, OP_MUNLOCKALL, OP_MADVISE, OP_DRAIN, OP_CHECK,
          /* v2 */
          OP_FORMAT, OP_THP, OP_MOVE, OP_PIN, OP_UNPIN, OP_FORK, OP_EXIT, OP_LIMIT, OP_NOCAP };

/* K_FILE_OF and K_FILE_PRIVATE_OF are v2's `file@S` and `file-private@S`. */
enum kind { K_ANON, K_SHMEM, K_FILE, K_FILE_PRIVATE, K_FILE_OF, K_FILE_PRIVATE_OF };

/* Who runs a command: the main thread (CPU 0), the CPU 1 thread (`on 1`), the child (`child`). */
enum where { ON_MAIN, ON_CPU1, ON_CHILD };

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
    /* v2 */
    enum where where;         /* which thread or process runs it */
    int src;                  /* mmap file@S: the region S */
    unsigned long index;      /* mmap: the i-th mmap command (address hint) */
    unsigned long value;      /* move: NODE; thp: SIZE (0 = off); limit: PAGES */
    int pin;                  /* pin/unpin: index into pins[] */
};

struct region {
    char name[MAX_NAME];
    unsigned long pages;      /* original size */
    char *addr;               /* NULL until mapped (or if the mmap failed) */
    int mapped;               /* the mmap succeeded: the region is printed by check */
};

static char script[MAX_SCRIPT + 1];
static char echo_buf[MAX_SCRIPT + MAX_CMDS];  /* echo strings, one per command */
static struct cmd cmds[MAX_CMDS + 1]; /* the last: the runner's own initial drain on CPU 1 */
static int ncmds;
static struct region regions[MAX_REGIONS];
static int nregions;
static enum kind region_kind[MAX_REGIONS]; /* the KIND of each region's mmap */

/* Transcript and scratch buffers: touched before the baseline, never grown. */
static char out[OUT_SIZE];
static size_t outlen;
static uint64_t pagemap_buf[MAX_PAGES];
static char procbuf[64 * 1024];

/* Order of regions by creation (successful mmap), for `check`. */
static int created[MAX_REGIONS];
static int ncreated;

/* Format v2. */
static int v2;
struct pin {
    int region;
    unsigned long start, len;
    int fd;                   /* the io_uring of a successful pin, -1 otherwise */
    int live;                 /* parse: pinned and not yet unpinned; run: registered */
};
static struct pin pins[MAX_PINS];
static int npins;
struct zone_span {
    int node, movable;
    unsigned long start, end; /* pfn range [start, end) */
};
static struct zone_span zones[MAX_ZONES];
static int nzones;
static char zonebuf[256 * 1024];
static void *move_addrs[MAX_PAGES];
static int move_nodes[MAX_PAGES];
static int move_status[MAX_PAGES];
static const int mthp_sizes[] = { 16, 32, 64, 128, 256, 512, 1024 };
#define PMD_THP_KB 2048 /* stays off: only written `never` */
#define NMTHP (sizeof(mthp_sizes) / sizeof(mthp_sizes[0]))
static const char *const mthp_names[] = {
    "anon_fault_alloc", "anon_fault_fallback", "split", "split_deferred", "nr_anon",
    "nr_anon_partially_mapped",
};
#define NMTHPSTAT (sizeof(mthp_names) / sizeof(mthp_names[0]))
static int mthp_fd[NMTHP][NMTHPSTAT];
static long mthp_base[NMTHP][NMTHPSTAT];
static int mthp_on[NMTHP];    /* enabled at least once by the script */
static int cpu1_cmd[2] = { -1, -1 }, cpu1_done[2] = { -1, -1 };
static pid_t child_pid = -1;
static int child_cmd[2] = { -1, -1 }, child_res[2] = { -1, -1 };

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
 * region's original size (LEN may be 0).
 */
static void parse_range(struct cmd *c, char **tok)
{
    c->region = find_region(tok[1]);
    if (c->region < 0)
        die("script error", "unknown region", c->line);
    if (parse_num(tok[2], &c->start) || parse_num(tok[3], &c->len))
        die("script error", "bad number", c->line);
    /* LEN 0 is a legal system-call length (docs/conformance-format.md): the call is made; START must still name a
     * page of the region. */
    if (c->start >= regions[c->region].pages || c->len > regions[c->region].pages - c->start)
        die("script error", "page outside region", c->line);
}

/* Parse state shared by the commands of one script. */
static int seen_munmap, nmmaps, child_alive;

static int parse_advice(const char *s)
{
    static const struct { const char *name; int advice, v2; } advices[] = {
        { "dontneed", MADV_DONTNEED, 0 }, { "cold", MADV_COLD, 0 },
        { "pageout", MADV_PAGEOUT, 0 }, { "willneed", MADV_WILLNEED, 0 },
        { "free", MADV_FREE, 1 }, { "dontneed_locked", MADV_DONTNEED_LOCKED, 1 },
        { "populate_read", MADV_POPULATE_READ, 1 }, { "populate_write", MADV_POPULATE_WRITE, 1 },
        { "hugepage", MADV_HUGEPAGE, 1 }, { "nohugepage", MADV_NOHUGEPAGE, 1 },
    };
    for (size_t i = 0; i < sizeof(advices) / sizeof(advices[0]); i++)
        if (strcmp(s, advices[i].name) == 0 && (v2 || !advices[i].v2))
            return advices[i].advice;
    return -1;
}

/* Parse one command (its words tok[0..ntok-1]) into c; `where` says who will run it. */
static void parse_words(struct cmd *c, char **tok, int ntok, int line, enum where where)
{
    const char *w = tok[0];
    c->where = where;
    if (where != ON_MAIN) {
        /* What `on 1` and `child` take. */
        static const char *const cpu1_ok[] = { "touch", "mlock", "mlock2", "munlock", "munmap",
            "mprotect", "madvise", "drain", "move", "pin", "unpin", "mlockall", "munlockall" };
        static const char *const child_ok[] = { "touch", "mlock", "mlock2", "munlock", "munmap",
            "mprotect", "madvise", "drain" };
        const char *const *ok = where == ON_CPU1 ? cpu1_ok : child_ok;
        size_t n = where == ON_CPU1 ? sizeof(cpu1_ok) / sizeof(cpu1_ok[0])
                                    : sizeof(child_ok) / sizeof(child_ok[0]);
        int found = 0;
        for (size_t i = 0; i < n; i++)
            found |= strcmp(w, ok[i]) == 0;
        if (!found)
            die("script error", where == ON_CPU1 ? "command not taken by on 1"
                                                 : "command not taken by child", line);
    }
    if (strcmp(w, "format") == 0) {
        if (ntok != 2 || strcmp(tok[1], "2") != 0)
            die("script error", "format 2", line);
        if (ncmds != 0)
            die("script error", "format 2 must be the first command line", line);
        v2 = 1;
        c->op = OP_FORMAT;
    } else if (strcmp(w, "on") == 0 && v2) {
        if (where != ON_MAIN)
            die("script error", "nested on", line);
        if (ntok < 3 || strcmp(tok[1], "1") != 0)
            die("script error", "on 1 CMD ARGS", line);
        parse_words(c, tok + 2, ntok - 2, line, ON_CPU1);
    } else if (strcmp(w, "child") == 0 && v2) {
        if (where != ON_MAIN)
            die("script error", "child inside on", line);
        if (ntok < 2)
            die("script error", "child CMD ARGS", line);
        if (!child_alive)
            die("script error", "child with no child", line);
        parse_words(c, tok + 1, ntok - 1, line, ON_CHILD);
    } else if (strcmp(w, "mmap") == 0) {
        /* mmap R N KIND PROT [populate] [locked] */
        if (ntok < 5 || ntok > 7)
            die("script error", "mmap R N KIND PROT [populate] [locked]", line);
        if (seen_munmap && !v2)
            die("script error", "mmap after munmap", line);
        if (find_region(tok[1]) >= 0)
            die("script error", "region mapped twice", line);
        if (strlen(tok[1]) >= MAX_NAME || nregions == MAX_REGIONS)
            die("script error", "region name too long or too many regions", line);
        unsigned long n;
        if (parse_num(tok[2], &n) || n == 0 || n > MAX_PAGES)
            die("script error", "bad number", line);
        c->src = -1;
        if (strcmp(tok[3], "anon") == 0)
            c->kind = K_ANON;
        else if (strcmp(tok[3], "shmem") == 0)
            c->kind = K_SHMEM;
        else if (strcmp(tok[3], "file") == 0)
            c->kind = K_FILE;
        else if (strcmp(tok[3], "file-private") == 0)
            c->kind = K_FILE_PRIVATE;
        else if (v2 && (strncmp(tok[3], "file@", 5) == 0 ||
                        strncmp(tok[3], "file-private@", 13) == 0)) {
            int shared = tok[3][4] == '@';
            c->kind = shared ? K_FILE_OF : K_FILE_PRIVATE_OF;
            c->src = find_region(tok[3] + (shared ? 5 : 13));
            if (c->src < 0 || (region_kind[c->src] != K_FILE &&
                               region_kind[c->src] != K_FILE_PRIVATE))
                die("script error", "file@S names no file or file-private region", line);
            if (n > regions[c->src].pages)
                die("script error", "file@S asks for more pages than S's file has", line);
        } else
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
        c->index = (unsigned long)nmmaps++;
        strcpy(regions[nregions].name, tok[1]);
        regions[nregions].pages = n;
        region_kind[nregions] = c->kind;
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
        c->flags = parse_advice(tok[4]);
        if (c->flags < 0)
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
    } else if (strcmp(w, "thp") == 0 && v2) {
        if (ntok != 2)
            die("script error", "thp SIZE|off", line);
        if (strcmp(tok[1], "off") == 0)
            c->value = 0;
        else if (parse_num(tok[1], &c->value) || c->value == 0)
            die("script error", "thp SIZE: a size in KiB or off", line);
        c->op = OP_THP;
    } else if (strcmp(w, "move") == 0 && v2) {
        if (ntok != 5)
            die("script error", "move R START LEN NODE", line);
        parse_range(c, tok);
        if (parse_num(tok[4], &c->value))
            die("script error", "bad node", line);
        c->op = OP_MOVE;
    } else if (strcmp(w, "pin") == 0 && v2) {
        if (ntok != 4)
            die("script error", "pin R START LEN", line);
        parse_range(c, tok);
        if (npins == MAX_PINS)
            die("script error", "too many pins", line);
        c->pin = npins;
        pins[npins].region = c->region;
        pins[npins].start = c->start;
        pins[npins].len = c->len;
        pins[npins].fd = -1;
        pins[npins].live = 1;
        npins++;
        c->op = OP_PIN;
    } else if (strcmp(w, "unpin") == 0 && v2) {
        if (ntok != 4)
            die("script error", "unpin R START LEN", line);
        parse_range(c, tok);
        c->pin = -1;
        for (int i = npins - 1; i >= 0 && c->pin < 0; i--)
            if (pins[i].live && pins[i].region == c->region && pins[i].start == c->start &&
                pins[i].len == c->len)
                c->pin = i;
        if (c->pin < 0)
            die("script error", "unpin of a range with no live pin", line);
        pins[c->pin].live = 0;
        c->op = OP_UNPIN;
    } else if (strcmp(w, "fork") == 0 && v2) {
        if (ntok != 1)
            die("script error", "fork takes no argument", line);
        if (child_alive)
            die("script error", "fork while a child exists", line);
        child_alive = 1;
        c->op = OP_FORK;
    } else if (strcmp(w, "exit") == 0 && v2) {
        if (ntok != 1)
            die("script error", "exit takes no argument", line);
        if (!child_alive)
            die("script error", "exit with no child", line);
        child_alive = 0;
        c->op = OP_EXIT;
    } else if (strcmp(w, "limit") == 0 && v2) {
        if (ntok != 3 || strcmp(tok[1], "memlock") != 0 || parse_num(tok[2], &c->value))
            die("script error", "limit memlock PAGES", line);
        c->op = OP_LIMIT;
    } else if (strcmp(w, "nocap") == 0 && v2) {
        if (ntok != 2 || strcmp(tok[1], "ipc_lock") != 0)
            die("script error", "nocap ipc_lock", line);
        c->op = OP_NOCAP;
    } else {
        die("script error", "unknown command", line);
    }
}

static void parse_script(void)
{
    char *p = script, *echo = echo_buf;
    int line = 0;

    seen_munmap = nmmaps = child_alive = 0;
    v2 = 0;
    npins = 0;
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

        parse_words(c, tok, ntok, line, ON_MAIN);
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
 * copy-on-write or first-touch fault of the runner's own happens while the script runs.  In the
 * child of `fork` (child = 1) the script's regions and the pad are left alone.
 */
static int overlaps_script(unsigned long lo, unsigned long hi);

static void prefault_self(int child)
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
        if (!special && rd && !(child && overlaps_script(lo, hi))) {
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

/* The first NVMSTAT_V1 are v1's vmstat line; v2's migrate line adds the last two. */
static const char *const vmstat_names[] = {
    "nr_mlock", "nr_unevictable", "unevictable_pgs_culled", "unevictable_pgs_scanned",
    "unevictable_pgs_rescued", "unevictable_pgs_mlocked", "unevictable_pgs_munlocked",
    "unevictable_pgs_cleared", "unevictable_pgs_stranded",
    "pgmigrate_success", "pgmigrate_fail",
};
#define NVMSTAT (sizeof(vmstat_names) / sizeof(vmstat_names[0]))
#define NVMSTAT_V1 9
static long vmstat_base[NVMSTAT], vmstat_now[NVMSTAT];

static void read_vmstat(long *vals)
{
    size_t n_read = v2 ? NVMSTAT : NVMSTAT_V1;
    /* Fold the per-CPU deltas of the nr_* counters into the global ones first. */
    if (pwrite(fd_refresh, "1", 1, 0) != 1)
        die("cannot write", "/proc/sys/vm/stat_refresh", 0);
    read_proc(fd_vmstat);
    for (size_t i = 0; i < n_read; i++) {
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
    static const struct { int bit; char letter; int v2; } flags[] = {
        { KPF_COMPOUND_HEAD, 'H', 1 }, { KPF_COMPOUND_TAIL, 'T', 1 },
        { KPF_ZERO_PAGE, 'Z', 0 }, { KPF_MLOCKED, 'M', 0 }, { KPF_UNEVICTABLE, 'U', 0 },
        { KPF_LRU, 'L', 0 }, { KPF_ACTIVE, 'A', 0 },
    };
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if ((v2 || !flags[i].v2) && (kf & (1ULL << flags[i].bit))) {
            emit_char(flags[i].letter);
            any = 1;
        }
    if (!any)
        emit_char('-');
}

/* v2's `@` token: the node of the page's zone, `m` for ZONE_MOVABLE, `k` for a kernel zone. */
static void emit_place_token(uint64_t pm)
{
    if (!(pm & PM_PRESENT)) {
        emit_char('.');
        return;
    }
    uint64_t pfn = pm & PM_PFN_MASK;
    for (int i = 0; i < nzones; i++)
        if (pfn >= zones[i].start && pfn < zones[i].end) {
            emit_long(zones[i].node);
            emit_char(zones[i].movable ? 'm' : 'k');
            return;
        }
    die("pfn in no zone of /proc/zoneinfo", NULL, 0);
}

/*
 * The zone table from /proc/zoneinfo: "Node N, zone NAME" headers, each zone's "spanned" and
 * (populated zones only) "start_pfn:" lines.
 */
static void read_zones(void)
{
    int fd = open_or_die("/proc/zoneinfo", O_RDONLY);
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, zonebuf + n, sizeof(zonebuf) - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    zonebuf[n] = '\0';
    int node = -1, movable = 0;
    unsigned long spanned = 0;
    for (const char *s = zonebuf; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : s) {
        while (*s == ' ')
            s++;
        if (strncmp(s, "Node ", 5) == 0) {
            const char *q = s + 5;
            node = 0;
            while (*q >= '0' && *q <= '9')
                node = node * 10 + (*q++ - '0');
            q = strstr(q, "zone");
            if (!q)
                die("cannot parse", "/proc/zoneinfo", 0);
            q += 4;
            while (*q == ' ')
                q++;
            movable = strncmp(q, "Movable", 7) == 0;
            spanned = 0;
        } else if (strncmp(s, "spanned ", 8) == 0) {
            const char *q = s + 8;
            while (*q == ' ')
                q++;
            spanned = 0;
            while (*q >= '0' && *q <= '9')
                spanned = spanned * 10 + (unsigned long)(*q++ - '0');
        } else if (strncmp(s, "start_pfn:", 10) == 0 && node >= 0) {
            const char *q = s + 10;
            unsigned long start = 0;
            while (*q == ' ')
                q++;
            while (*q >= '0' && *q <= '9')
                start = start * 10 + (unsigned long)(*q++ - '0');
            if (nzones == MAX_ZONES)
                die("too many zones", "/proc/zoneinfo", 0);
            zones[nzones].node = node;
            zones[nzones].movable = movable;
            zones[nzones].start = start;
            zones[nzones].end = start + spanned;
            nzones++;
        }
    }
    if (nzones == 0)
        die("no zones in", "/proc/zoneinfo", 0);
}

static long read_long_fd(int fd)
{
    char buf[32];
    ssize_t r = pread(fd, buf, sizeof(buf) - 1, 0);
    if (r <= 0)
        die("cannot read", "an mTHP stats file", 0);
    buf[r] = '\0';
    long v = 0;
    for (const char *q = buf; *q >= '0' && *q <= '9'; q++)
        v = v * 10 + (*q - '0');
    return v;
}

static void mthp_path(char *buf, int size, const char *leaf)
{
    char num[8];
    int i = 0, j = 0;
    char tmp[8];
    do {
        tmp[i++] = (char)('0' + size % 10);
        size /= 10;
    } while (size);
    while (i > 0)
        num[j++] = tmp[--i];
    num[j] = '\0';
    strcpy(buf, "/sys/kernel/mm/transparent_hugepage/hugepages-");
    strcat(buf, num);
    strcat(buf, "kB/");
    strcat(buf, leaf);
}

/* Open every mTHP stats file now (before the baseline). */
static void open_mthp_stats(void)
{
    char path[160], leaf[64];
    for (size_t i = 0; i < NMTHP; i++)
        for (size_t j = 0; j < NMTHPSTAT; j++) {
            strcpy(leaf, "stats/");
            strcat(leaf, mthp_names[j]);
            mthp_path(path, mthp_sizes[i], leaf);
            mthp_fd[i][j] = open_or_die(path, O_RDONLY);
        }
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
        if (v2) {
            emit("  ");
            emit(r->name);
            emit("@");
            for (unsigned long p = 0; p < r->pages; p++) {
                emit_char(' ');
                emit_place_token(pagemap_buf[p]);
            }
            emit_char('\n');
        }
    }
    emit("  vmlck ");
    emit_long(read_vmlck());
    emit_char('\n');
    read_vmstat(vmstat_now);
    emit("  vmstat");
    for (size_t i = 0; i < NVMSTAT_V1; i++) {
        emit_char(' ');
        emit(vmstat_names[i]);
        emit_char('=');
        emit_long(vmstat_now[i] - vmstat_base[i]);
    }
    emit_char('\n');
    if (!v2)
        return;
    emit("  migrate");
    for (size_t i = NVMSTAT_V1; i < NVMSTAT; i++) {
        emit_char(' ');
        emit(vmstat_names[i]);
        emit_char('=');
        emit_long(vmstat_now[i] - vmstat_base[i]);
    }
    emit_char('\n');
    for (size_t i = 0; i < NMTHP; i++) {
        if (!mthp_on[i])
            continue;
        emit("  mthp ");
        emit_long(mthp_sizes[i]);
        emit_char('K');
        for (size_t j = 0; j < NMTHPSTAT; j++) {
            emit_char(' ');
            emit(mthp_names[j]);
            emit_char('=');
            emit_long(read_long_fd(mthp_fd[i][j]) - mthp_base[i][j]);
        }
        emit_char('\n');
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Running commands                                                                             */

static void emit_errno(long e)
{
    switch (e) {
    case EINVAL: emit("-EINVAL"); return;
    case ENOMEM: emit("-ENOMEM"); return;
    case EPERM:  emit("-EPERM"); return;
    case EAGAIN: emit("-EAGAIN"); return;
    case EFAULT: emit("-EFAULT"); return;
    case EBUSY:  emit("-EBUSY"); return;
    case EACCES: emit("-EACCES"); return;
    }
    /* v2 names a few more (move_pages statuses and errors). */
    if (v2) {
        switch (e) {
        case ENOENT: emit("-ENOENT"); return;
        case ENODEV: emit("-ENODEV"); return;
        case ESRCH:  emit("-ESRCH"); return;
        case E2BIG:  emit("-E2BIG"); return;
        case ENOSPC: emit("-ENOSPC"); return;
        }
    }
    emit("-EOTHER");
}

static void emit_result(long rc)
{
    if (rc == 0)
        emit("0");
    else
        emit_errno(-rc);
}

/* A raw system call result as 0 or -errno. */
static long sys(long r)
{
    return r < 0 ? -(long)errno : 0;
}

/* Per thread: a fatal fault of `on 1 touch` is taken on the CPU 1 thread. */
static __thread sigjmp_buf touch_env;
static __thread volatile sig_atomic_t touch_signal;
static __thread volatile unsigned long touch_i; /* survives siglongjmp unchanged */

static void on_fault(int sig)
{
    touch_signal = sig;
    siglongjmp(touch_env, 1);
}

/* Returns the index of the page that faulted fatally, or -1. */
static long do_touch(char *base, unsigned long len, int write, int *sig)
{
    touch_i = 0;
    if (sigsetjmp(touch_env, 1)) {
        /* The access to page i raised SIGSEGV/SIGBUS; the handler jumped back here. */
        *sig = touch_signal;
        return (long)touch_i;
    }
    for (; touch_i < len; touch_i++) {
        volatile char *b = (volatile char *)(base + touch_i * PAGE);
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
    case K_FILE_OF:
    case K_FILE_PRIVATE_OF:
        /* The file of the earlier region S, from offset 0. */
        fd = open(file_path(regions[c->src].name), O_RDWR);
        if (fd < 0)
            return -(long)errno;
        flags |= c->kind == K_FILE_OF ? MAP_SHARED : MAP_PRIVATE;
        break;
    }
    /* v2: the i-th mmap command asks for 0x200000000 + i x 1 GiB (a hint, not MAP_FIXED). */
    void *hint = v2 ? (void *)(HINT_BASE + c->index * HINT_STEP) : NULL;
    void *a = mmap(hint, bytes, c->prot, flags, fd, 0);
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

/* move_pages(2) of the range to NODE: its result, then the per-page statuses. */
static void do_move(char *a, struct cmd *c)
{
    for (unsigned long i = 0; i < c->len; i++) {
        move_addrs[i] = a + i * PAGE;
        move_nodes[i] = (int)c->value;
        move_status[i] = STATUS_UNSET;
    }
    long r = syscall(SYS_move_pages, 0, c->len, move_addrs, move_nodes, move_status,
                     MPOL_MF_MOVE);
    if (r < 0) {
        emit_errno(errno);
        return;
    }
    emit_long(r);
    emit(" [");
    for (unsigned long i = 0; i < c->len; i++) {
        if (i)
            emit_char(' ');
        if (move_status[i] == STATUS_UNSET)
            emit_char('?');
        else if (move_status[i] < 0)
            emit_errno(-move_status[i]);
        else
            emit_long(move_status[i]);
    }
    emit_char(']');
}

/* A FOLL_WRITE | FOLL_LONGTERM pin: a new io_uring with the range registered as its buffer. */
static long do_pin(char *a, struct cmd *c)
{
    struct io_uring_params params;
    memset(&params, 0, sizeof(params));
    long fd = syscall(SYS_io_uring_setup, 1, &params);
    if (fd < 0)
        return -(long)errno;
    struct iovec iov = { .iov_base = a, .iov_len = c->len * PAGE };
    if (syscall(SYS_io_uring_register, (int)fd, IORING_REGISTER_BUFFERS, &iov, 1) < 0) {
        long e = -(long)errno;
        close((int)fd);
        return e;
    }
    pins[c->pin].fd = (int)fd;
    pins[c->pin].live = 1;
    return 0;
}

static long do_unpin(struct cmd *c)
{
    struct pin *p = &pins[c->pin];
    if (!p->live)
        die("script error", "unpin of a range with no live pin", c->line);
    p->live = 0;
    return syscall(SYS_io_uring_register, p->fd, IORING_UNREGISTER_BUFFERS, NULL, 0) < 0
        ? -(long)errno : 0;
}

static void thp_all_never(void)
{
    char path[160];
    for (size_t i = 0; i < NMTHP; i++) {
        mthp_path(path, mthp_sizes[i], "enabled");
        write_file(path, "never", 1);
    }
    mthp_path(path, PMD_THP_KB, "enabled");
    write_file(path, "never", 1);
}

/* mTHP: `thp SIZE` turns one size on, `thp off` turns every size off. */
static long do_thp(struct cmd *c)
{
    char path[160];
    if (c->value == 0) {
        thp_all_never();
        return 0;
    }
    for (size_t i = 0; i < NMTHP; i++) {
        if ((unsigned long)mthp_sizes[i] != c->value)
            continue;
        if (!mthp_on[i]) {
            /* The stats lines count from the first time a size is enabled. */
            for (size_t j = 0; j < NMTHPSTAT; j++)
                mthp_base[i][j] = read_long_fd(mthp_fd[i][j]);
            mthp_on[i] = 1;
        }
        mthp_path(path, mthp_sizes[i], "enabled");
        write_file(path, "always", 1);
        return 0;
    }
    return -EINVAL;
}

/* Drop CAP_IPC_LOCK from the calling thread's effective, permitted and inheritable sets. */
static void drop_ipc_lock(void)
{
    struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof(data));
    if (syscall(SYS_capget, &hdr, data) < 0)
        die("capget failed", NULL, 0);
    uint32_t bit = 1U << CAP_IPC_LOCK; /* CAP_IPC_LOCK < 32: in data[0] */
    data[0].effective &= ~bit;
    data[0].permitted &= ~bit;
    data[0].inheritable &= ~bit;
    if (syscall(SYS_capset, &hdr, data) < 0)
        die("capset failed", NULL, 0);
}

/* Run one command (not check, mmap, fork or exit) on the calling thread; emit its result. */
static void exec_op(struct cmd *c)
{
    struct region *r = c->region >= 0 ? &regions[c->region] : NULL;
    char *a = NULL;
    size_t bytes = c->len * PAGE;
    long rc = 0;

    if (r) {
        if (!r->mapped)
            die("script error", "region whose mmap failed", c->line);
        a = r->addr + c->start * PAGE;
    }
    switch (c->op) {
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
            return;
        }
        break;
    }
    case OP_MOVE:      do_move(a, c); return;
    case OP_PIN:       rc = do_pin(a, c); break;
    case OP_UNPIN:     rc = do_unpin(c); break;
    case OP_THP:       rc = do_thp(c); break;
    case OP_LIMIT: {
        struct rlimit rl = { c->value * PAGE, c->value * PAGE };
        rc = sys(setrlimit(RLIMIT_MEMLOCK, &rl));
        break;
    }
    default:
        die("runner error", "command run on the wrong thread", c->line);
    }
    emit_result(rc);
}

/* ---- the CPU 1 thread ---- */

#define CPU1_NOCAP (-2)

static void read_full(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            die("runner pipe closed", NULL, 0);
        p += r;
        n -= (size_t)r;
    }
}

static void *cpu1_thread(void *arg)
{
    (void)arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(1, &set);
    if (sched_setaffinity(0, sizeof(set), &set) < 0)
        die("cannot pin the second thread to CPU 1", NULL, 0);
    prefault_stack();
    char ok = 1;
    write_all(cpu1_done[1], &ok, 1);
    for (;;) {
        int i;
        read_full(cpu1_cmd[0], &i, sizeof(i));
        if (i == CPU1_NOCAP)
            drop_ipc_lock();
        else
            exec_op(&cmds[i]);
        write_all(cpu1_done[1], &ok, 1);
    }
    return NULL;
}

/* Run command i (or CPU1_NOCAP) on the CPU 1 thread and wait until it is done. */
static void on_cpu1(int i)
{
    char ok;
    write_all(cpu1_cmd[1], (const char *)&i, sizeof(i));
    read_full(cpu1_done[0], &ok, 1);
}

static void start_cpu1(void)
{
    pthread_attr_t attr;
    pthread_t t;
    if (pipe(cpu1_cmd) < 0 || pipe(cpu1_done) < 0)
        die("cannot create pipes", NULL, 0);
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, CPU1_STACK);
    if (pthread_create(&t, &attr, cpu1_thread, NULL) != 0)
        die("cannot start the CPU 1 thread", NULL, 0);
    char ok;
    read_full(cpu1_done[0], &ok, 1);
}

/* ---- the child of `fork` ---- */

static int overlaps_script(unsigned long lo, unsigned long hi)
{
    if (lo < (unsigned long)pad + PAGE && (unsigned long)pad < hi)
        return 1;
    for (int i = 0; i < ncreated; i++) {
        struct region *r = &regions[created[i]];
        unsigned long a = (unsigned long)r->addr, b = a + r->pages * PAGE;
        if (lo < b && a < hi)
            return 1;
    }
    return 0;
}

static void child_main(void)
{
    /* Write every page of the runner's own writable mappings, leaving the script's alone. */
    prefault_self(1);
    char ok = 1;
    write_all(child_res[1], &ok, 1);
    for (;;) {
        int i;
        read_full(child_cmd[0], &i, sizeof(i));
        if (i < 0)
            _exit(0);
        size_t before = outlen;
        exec_op(&cmds[i]);
        size_t n = outlen - before;
        write_all(child_res[1], (const char *)&n, sizeof(n));
        write_all(child_res[1], out + before, n);
        outlen = before;
    }
}

static long do_fork(void)
{
    if (pipe(child_cmd) < 0 || pipe(child_res) < 0)
        die("cannot create pipes", NULL, 0);
    pid_t pid = fork();
    if (pid < 0)
        return -(long)errno;
    if (pid == 0)
        child_main();
    child_pid = pid;
    char ok;
    read_full(child_res[0], &ok, 1);
    /* The parent's drain: nothing of the runner's own copy-on-write is left in a batch. */
    if (madvise(pad, PAGE, MADV_COLD) < 0)
        die("drain after fork failed", NULL, 0);
    return 0;
}

static void on_child(int i)
{
    size_t n;
    write_all(child_cmd[1], (const char *)&i, sizeof(i));
    read_full(child_res[0], &n, sizeof(n));
    if (outlen + n > sizeof(out))
        die("transcript too long", NULL, 0);
    read_full(child_res[0], out + outlen, n);
    outlen += n;
}

static long do_exit(void)
{
    int i = -1, status;
    write_all(child_cmd[1], (const char *)&i, sizeof(i));
    if (waitpid(child_pid, &status, 0) < 0)
        return -(long)errno;
    close(child_cmd[0]);
    close(child_cmd[1]);
    close(child_res[0]);
    close(child_res[1]);
    child_pid = -1;
    return 0;
}

static void run_command(struct cmd *c)
{
    if (c->op == OP_CHECK) {
        emit(c->echo);
        emit_char('\n');
        do_check();
        return;
    }
    emit(c->echo);
    emit(" = ");
    if (c->where == ON_CPU1)
        on_cpu1((int)(c - cmds));
    else if (c->where == ON_CHILD)
        on_child((int)(c - cmds));
    else if (c->op == OP_MMAP)
        emit_result(do_mmap(c));
    else if (c->op == OP_FORMAT)
        emit_result(0);
    else if (c->op == OP_FORK)
        emit_result(do_fork());
    else if (c->op == OP_EXIT)
        emit_result(do_exit());
    else if (c->op == OP_NOCAP) {
        /* Credentials are per thread: each thread drops its own. */
        drop_ipc_lock();
        on_cpu1(CPU1_NOCAP);
        emit_result(0);
    } else
        exec_op(c);
    emit_char('\n');
}

/* ------------------------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    int pid1 = getpid() == 1;
    /* As PID 1 the arguments are boot parameters the kernel did not know (v2: nokaslr). */
    const char *script_path = argc > 1 && !pid1 ? argv[1] : "/script";

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
    for (int i = 0; i < npins; i++)
        pins[i].live = 0; /* from now on: registered */

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

    if (v2) {
        /* Before the pad: mTHP sizes off, no NUMA balancing, no proactive compaction. */
        thp_all_never();
        write_file("/proc/sys/kernel/numa_balancing", "0", 1);
        write_file("/proc/sys/vm/compaction_proactiveness", "0", 1);
        open_mthp_stats();
        read_zones();
        /* The CPU 1 thread writes its own stack, then waits for commands. */
        start_cpu1();
    }

    /* Fault in the runner's own pages (static buffers included) and a deep stack. */
    prefault_stack();
    prefault_self(0);

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
    if (v2) {
        /* Drain CPU 1 (through its thread), then CPU 0. */
        static struct cmd drain1 = { .op = OP_DRAIN, .region = -1, .where = ON_CPU1 };
        size_t before = outlen;
        cmds[MAX_CMDS] = drain1;
        on_cpu1(MAX_CMDS);
        if (outlen != before + 1 || out[before] != '0')
            die("initial drain on CPU 1 failed", NULL, 0);
        outlen = before;
    }
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
