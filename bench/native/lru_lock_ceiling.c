/*
 * lru_lock_ceiling: how far can folio_add_lru() scale from 1 to 2 CPUs on this machine when it is done in
 * native code, with the kernel's own shared writes and nothing else?
 *
 * The same loop as the Java LruAddBench (work=none, release=apart): each thread owns a pool of 992
 * 64-byte folio descriptors; an invocation takes a reference on each folio and puts it in the thread's
 * 31-slot batch; a full batch moves under the one shared lru_lock (per folio: test-and-clear
 * PG_unevictable, the evictable test, the lru size update through a per-CPU counter diff that folds into
 * the shared counter past its threshold, the list insertion at the head, set PG_lru), then the batch's
 * references are dropped after the unlock. The release (untimed, the threads meet before and after it)
 * takes the folios off the list 31 per lock hold. The lock is a test-and-test-and-set spinlock with
 * PAUSE, as the qspinlock's uncontended and pending paths behave with two CPUs; the lruvec keeps the
 * lock beside its list heads, as struct lruvec does.
 *
 * This is our own code, written for the measurement; it copies no kernel source.
 *
 * Build and run:  cc -O2 -pthread -o lru_lock_ceiling lru_lock_ceiling.c && ./lru_lock_ceiling [seconds]
 * (seconds per case, default 3; a warm-up of a third of that runs first)
 * Prints, for 1 and 2 threads on one lruvec and for 2 threads on two lruvecs (the control): folios per
 * microsecond (summed over threads, each over its own timed adds, as JMH sums threads), thread CPU ns per
 * folio, and the scaling ratios.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POOL 992
#define BATCH 31
#define NR_LRU 5
#define PG_LRU 4UL
#define PG_ACTIVE 6UL
#define PG_UNEVICTABLE 18UL
#define PG_MLOCKED 19UL
#define PG_SWAPBACKED 20UL
#define STAT_THRESHOLD 32

#define CACHELINE 64
#define cpu_relax() __builtin_ia32_pause()

struct list_head { struct list_head *next, *prev; };

struct folio {                      /* 64 bytes, like struct page */
	_Atomic unsigned long flags;
	struct list_head lru;
	void *mapping;
	unsigned long index;
	unsigned long priv;
	_Atomic int mapcount;
	_Atomic int refcount;
	unsigned long memcg;
} __attribute__((aligned(CACHELINE)));

struct lruvec {                     /* the lists, then the lock, as in struct lruvec */
	struct list_head lists[NR_LRU];
	_Atomic int lru_lock;
	long lru_size[NR_LRU];
} __attribute__((aligned(CACHELINE)));

struct vmstat_global { _Atomic long nr_lru[NR_LRU]; } __attribute__((aligned(CACHELINE)));

struct cpu {                        /* per-CPU data, a line (or more) of its own */
	struct folio *batch[BATCH];
	int nr;
	signed char stat_diff[NR_LRU];
	struct lruvec *lruvec;
	struct folio *pool;
	long cpu_ns;
	long wall_ns;
	long folios;
} __attribute__((aligned(CACHELINE)));

static struct lruvec lruvecs[2];
static struct vmstat_global vmstat;
static _Atomic int arrived;
static _Atomic int generation;   /* the last meeting every thread has reached */
static _Atomic int stop;         /* set by main when the time is up */
static _Atomic int decided_stop; /* stop as the last thread to reach a meeting saw it: one answer for all */
static int nthreads;

static void list_init(struct list_head *h) { h->next = h->prev = h; }

static void list_add(struct list_head *n, struct list_head *h)
{
	struct list_head *next = h->next;
	next->prev = n;
	n->next = next;
	n->prev = h;
	h->next = n;
}

static void list_del(struct list_head *e)
{
	e->next->prev = e->prev;
	e->prev->next = e->next;
}

static void spin_lock(_Atomic int *l)
{
	int zero = 0;
	if (atomic_compare_exchange_strong_explicit(l, &zero, 1, memory_order_acquire, memory_order_relaxed))
		return;
	for (;;) {
		while (atomic_load_explicit(l, memory_order_relaxed))
			cpu_relax();
		zero = 0;
		if (atomic_compare_exchange_strong_explicit(l, &zero, 1, memory_order_acquire, memory_order_relaxed))
			return;
	}
}

static void spin_unlock(_Atomic int *l) { atomic_store_explicit(l, 0, memory_order_release); }

/* A per-CPU counter diff that folds into the shared counter past its threshold. */
static void mod_lru_stat(struct cpu *c, int lru, int delta)
{
	int x = c->stat_diff[lru] + delta;
	if (x > STAT_THRESHOLD || x < -STAT_THRESHOLD) {
		atomic_fetch_add_explicit(&vmstat.nr_lru[lru], x, memory_order_relaxed);
		x = 0;
	}
	c->stat_diff[lru] = (signed char)x;
}

static int folio_lru_list(struct folio *f)
{
	unsigned long fl = atomic_load_explicit(&f->flags, memory_order_relaxed);
	if (fl & (1UL << PG_UNEVICTABLE))
		return 4;
	return (fl & (1UL << PG_SWAPBACKED) ? 0 : 2) + (fl & (1UL << PG_ACTIVE) ? 1 : 0);
}

static void batch_move(struct cpu *c)
{
	struct lruvec *lv = c->lruvec;
	spin_lock(&lv->lru_lock);
	for (int i = 0; i < c->nr; i++) {
		struct folio *f = c->batch[i];
		unsigned long was = atomic_fetch_and_explicit(&f->flags, ~(1UL << PG_UNEVICTABLE), memory_order_relaxed);
		(void)was;
		int lru = folio_lru_list(f);
		if (atomic_load_explicit(&f->flags, memory_order_relaxed) & (1UL << PG_MLOCKED))
			abort();
		mod_lru_stat(c, lru, 1);
		lv->lru_size[lru]++;
		list_add(&f->lru, &lv->lists[lru]);
		atomic_fetch_or_explicit(&f->flags, 1UL << PG_LRU, memory_order_relaxed);
	}
	spin_unlock(&lv->lru_lock);
	for (int i = 0; i < c->nr; i++)         /* folios_put() after the unlock */
		atomic_fetch_sub_explicit(&c->batch[i]->refcount, 1, memory_order_release);
	c->nr = 0;
}

static void add_all(struct cpu *c)
{
	for (int i = 0; i < POOL; i++) {
		struct folio *f = &c->pool[i];
		atomic_fetch_add_explicit(&f->refcount, 1, memory_order_relaxed);
		c->batch[c->nr++] = f;
		if (c->nr == BATCH)
			batch_move(c);
	}
	if (c->nr)
		batch_move(c);
}

static void release_all(struct cpu *c)
{
	struct lruvec *lv = c->lruvec;
	for (int s = 0; s < POOL; s += BATCH) {
		int e = s + BATCH < POOL ? s + BATCH : POOL;
		for (int i = s; i < e; i++)
			atomic_fetch_and_explicit(&c->pool[i].flags, ~(1UL << PG_LRU), memory_order_relaxed);
		spin_lock(&lv->lru_lock);
		for (int i = s; i < e; i++) {
			int lru = folio_lru_list(&c->pool[i]);
			list_del(&c->pool[i].lru);
			lv->lru_size[lru]--;
			mod_lru_stat(c, lru, -1);
		}
		spin_unlock(&lv->lru_lock);
	}
}

/*
 * Wait until every thread has reached this meeting; returns whether to stop. The last thread to arrive
 * reads the stop flag for all of them, so the threads never disagree (one leaving while the other waits
 * at the next meeting for ever).
 */
static int meet(int *round)
{
	int r = ++*round;
	if (atomic_fetch_add(&arrived, 1) + 1 == r * nthreads) {
		atomic_store(&decided_stop, atomic_load(&stop));
		atomic_store(&generation, r);
	} else {
		while (atomic_load(&generation) < r)
			cpu_relax();
	}
	return atomic_load(&decided_stop);
}

static long ns(clockid_t clk)
{
	struct timespec t;
	clock_gettime(clk, &t);
	return t.tv_sec * 1000000000L + t.tv_nsec;
}

static void *run(void *arg)
{
	struct cpu *c = arg;
	int round = 0;
	for (;;) {
		if (meet(&round))
			break;
		long w0 = ns(CLOCK_MONOTONIC), c0 = ns(CLOCK_THREAD_CPUTIME_ID);
		add_all(c);
		c->cpu_ns += ns(CLOCK_THREAD_CPUTIME_ID) - c0;
		c->wall_ns += ns(CLOCK_MONOTONIC) - w0;
		c->folios += POOL;
		meet(&round);
		release_all(c);
	}
	return NULL;
}

/* One measurement: n threads, on one lruvec (lruvecs = 1) or one each (lruvecs = 2). */
static void measure(int n, int nlruvecs, double seconds, double *ops_per_us, double *cpu_ns_per_folio)
{
	struct cpu *cpus = aligned_alloc(CACHELINE, sizeof(struct cpu) * n);
	pthread_t th[2];
	memset(cpus, 0, sizeof(struct cpu) * n);
	for (int l = 0; l < 2; l++)
		for (int i = 0; i < NR_LRU; i++)
			list_init(&lruvecs[l].lists[i]);
	for (int t = 0; t < n; t++) {
		cpus[t].pool = aligned_alloc(CACHELINE, sizeof(struct folio) * POOL);
		memset(cpus[t].pool, 0, sizeof(struct folio) * POOL);
		for (int i = 0; i < POOL; i++) {
			cpus[t].pool[i].flags = 1UL << PG_SWAPBACKED;
			cpus[t].pool[i].refcount = 1;
		}
		cpus[t].lruvec = &lruvecs[nlruvecs == 2 ? t : 0];
	}
	nthreads = n;
	atomic_store(&arrived, 0);
	atomic_store(&generation, 0);
	atomic_store(&stop, 0);
	atomic_store(&decided_stop, 0);
	for (int t = 0; t < n; t++)
		pthread_create(&th[t], NULL, run, &cpus[t]);
	struct timespec d = { (time_t)seconds, (long)((seconds - (long)seconds) * 1e9) };
	nanosleep(&d, NULL);
	atomic_store(&stop, 1);
	for (int t = 0; t < n; t++)
		pthread_join(th[t], NULL);
	double ops = 0, cpu = 0, folios = 0;
	for (int t = 0; t < n; t++) {
		ops += cpus[t].folios / (cpus[t].wall_ns / 1000.0);
		cpu += cpus[t].cpu_ns;
		folios += cpus[t].folios;
		free(cpus[t].pool);
	}
	free(cpus);
	*ops_per_us = ops;
	*cpu_ns_per_folio = cpu / folios;
}

int main(int argc, char **argv)
{
	double seconds = 3.0;
	if (argc > 2 || (argc == 2 && (sscanf(argv[1], "%lf", &seconds) != 1 || !(seconds > 0 && seconds <= 3600)))) {
		fprintf(stderr, "usage: %s [seconds per case, more than 0 and at most 3600; default 3]\n", argv[0]);
		return 2;
	}
	double o1, c1, o2, c2, oc, cc;
	measure(1, 1, seconds / 3, &o1, &c1); /* warm-up */
	measure(1, 1, seconds, &o1, &c1);
	measure(2, 1, seconds, &o2, &c2);
	measure(2, 2, seconds, &oc, &cc);
	printf("%-34s %10s %14s\n", "case", "ops/us", "CPU ns/folio");
	printf("%-34s %10.2f %14.1f\n", "1 thread, one lruvec", o1, c1);
	printf("%-34s %10.2f %14.1f\n", "2 threads, one lruvec", o2, c2);
	printf("%-34s %10.2f %14.1f\n", "2 threads, a lruvec each (control)", oc, cc);
	printf("scaling one lruvec: %.2fx throughput, %.2fx CPU per folio; control: %.2fx, %.2fx\n",
	       o2 / o1, c2 / c1, oc / o1, cc / c1);
	return 0;
}
