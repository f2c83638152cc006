// SPDX-License-Identifier: GPL-2.0
/*
 * lx host runtime: the host services the kernel side calls (lx_host_*):
 * thread records and semaphores, host threads, interrupts and idle, the
 * single timer thread, RAM, console and block I/O.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

#include <asm/lx_host.h>
#include "runtime.h"

/* Where idle's host thread is, see lx_host_idle_wait(). */
enum { IDLE_RUN, IDLE_FREE, IDLE_LENT };

struct lx_runtime lx_rt = {
	/* Held briefly by every entry: spin on contention, do not sleep. */
	.lock = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP,
	.cond = PTHREAD_COND_INITIALIZER,
	.quiet = PTHREAD_COND_INITIALIZER,
	.console_fd = -1,
	.stack_size = 128 * 1024,
};

/* A node of a circular doubly linked list (the runtime's registries). */
struct lx_link {
	struct lx_link *next, *prev;
};

#define LX_LIST(name) struct lx_link name = { &name, &name }

/* Callers hold lx_rt.lock. */
static void lx_link_add(struct lx_link *head, struct lx_link *n)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}

static void lx_link_del(struct lx_link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

/* Every record ever allocated, so halt can free what the kernel still holds. */
struct lx_thread_rec {
	struct lx_thread t;
	sem_t sem;
	pthread_mutex_t use_lock;
	int busy;		/* host threads inside lx_host_entry() on it */
	int free_pending;	/* the kernel freed it while busy */
	struct lx_link link;
};

#define lx_rec_of(l) \
	((struct lx_thread_rec *)((char *)(l) - offsetof(struct lx_thread_rec, link)))

static LX_LIST(lx_recs);

struct lx_thread *lx_host_thread_alloc(void)
{
	struct lx_thread_rec *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	sem_init(&r->sem, 0, 0);
	pthread_mutex_init(&r->use_lock, NULL);
	r->t.sem = &r->sem;
	r->t.use_lock = &r->use_lock;
	pthread_mutex_lock(&lx_rt.lock);
	lx_link_add(&lx_recs, &r->link);
	pthread_mutex_unlock(&lx_rt.lock);
	return &r->t;
}

static void lx_rec_destroy(struct lx_thread_rec *r)
{
	sem_destroy(&r->sem);
	pthread_mutex_destroy(&r->use_lock);
	free(r);
}

void lx_host_thread_free(struct lx_thread *t)
{
	struct lx_thread_rec *r = (struct lx_thread_rec *)t;

	pthread_mutex_lock(&lx_rt.lock);
	lx_link_del(&r->link);
	if (r->busy) {
		/* Its caller is still on the way out; it frees the record. */
		r->free_pending = 1;
		r = NULL;
	}
	pthread_mutex_unlock(&lx_rt.lock);
	if (r)
		lx_rec_destroy(r);
}

struct lx_start {
	void (*fn)(void *);
	void *arg;
};

/* The host threads the runtime started, so their CPU mask can be set. */
struct lx_host_thr {
	struct lx_link link;	/* first: the list's nodes are these */
	pid_t tid;
};

static LX_LIST(lx_thrs);
/*
 * The mask lx_rt_set_affinity() last gave every thread. A thread inherits
 * its creator's mask, which may be the one before a change that ran
 * between its creation and its registration: it takes the current one
 * when it registers (a kworker started during an unpin stayed pinned).
 */
static cpu_set_t lx_thr_cpus;
static int lx_thr_cpus_set;

static void lx_thr_register(struct lx_host_thr *h)
{
	h->tid = gettid();
	pthread_mutex_lock(&lx_rt.lock);
	lx_link_add(&lx_thrs, &h->link);
	if (lx_thr_cpus_set)
		sched_setaffinity(h->tid, sizeof(lx_thr_cpus), &lx_thr_cpus);
	pthread_mutex_unlock(&lx_rt.lock);
}

static void lx_thr_unregister(struct lx_host_thr *h)
{
	pthread_mutex_lock(&lx_rt.lock);
	lx_link_del(&h->link);
	pthread_mutex_unlock(&lx_rt.lock);
}

int lx_rt_set_affinity(const cpu_set_t *cpus)
{
	int err = 0;

	pthread_mutex_lock(&lx_rt.lock);
	lx_thr_cpus = *cpus;
	lx_thr_cpus_set = 1;
	for (struct lx_link *l = lx_thrs.next; l != &lx_thrs; l = l->next) {
		struct lx_host_thr *h = (struct lx_host_thr *)l;

		if (sched_setaffinity(h->tid, sizeof(*cpus), cpus) && !err)
			err = -errno;
	}
	pthread_mutex_unlock(&lx_rt.lock);
	return err;
}

/*
 * Where a thread of ours ends: lx_host_thread_exit() jumps back here
 * rather than calling pthread_exit(), whose unwinding makes glibc
 * dlopen() libgcc_s the first time (~1 ms of every boot, since boot
 * always ends some kernel thread) and walks the kernel frames each time.
 */
static __thread jmp_buf *lx_thread_end;

static void *lx_thread_main(void *p)
{
	struct lx_start s = *(struct lx_start *)p;
	struct lx_host_thr me;
	jmp_buf end;
	sigset_t all;

	free(p);
	lx_thr_register(&me);
	/* Host signals belong to the program, never to kernel threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (_setjmp(end) == 0) {
		lx_thread_end = &end;
		s.fn(s.arg);
		lx_host_thread_exit();
	}
	lx_thr_unregister(&me);
	return NULL;
}

int lx_host_thread_start(struct lx_thread *t, void (*fn)(void *), void *arg)
{
	struct lx_start *s = malloc(sizeof(*s));
	pthread_attr_t attr;
	pthread_t tid;
	int err;

	(void)t;
	if (!s)
		return -ENOMEM;
	s->fn = fn;
	s->arg = arg;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, lx_rt.stack_size);
	pthread_mutex_lock(&lx_rt.lock);
	lx_rt.threads++;
	pthread_mutex_unlock(&lx_rt.lock);
	err = pthread_create(&tid, &attr, lx_thread_main, s);
	pthread_attr_destroy(&attr);
	if (err) {
		free(s);
		pthread_mutex_lock(&lx_rt.lock);
		lx_rt.threads--;
		pthread_mutex_unlock(&lx_rt.lock);
		return -err;
	}
	return 0;
}

void lx_host_thread_exit(void)
{
	pthread_mutex_lock(&lx_rt.lock);
	lx_rt.threads--;
	if (lx_rt.halting)
		pthread_cond_broadcast(&lx_rt.quiet);
	pthread_mutex_unlock(&lx_rt.lock);
	if (lx_thread_end)
		longjmp(*lx_thread_end, 1);
	pthread_exit(NULL);
}

/*
 * Spin a little before sleeping: a hand-off between host threads on two
 * vCPUs otherwise costs a cross-CPU wake-up (~20 us on small VMs), far more
 * than the kernel work in between.
 */
#define LX_SPIN_NS 30000ULL

static inline void lx_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

void lx_host_sem_down(void *sem)
{
	if (sem_trywait(sem) == 0)
		return;
	/* At most ncpus spinners at a time. */
	int spin = __atomic_load_n(&lx_rt.spin, __ATOMIC_RELAXED);

	if (spin && atomic_fetch_add(&lx_rt.spinners, 1) < spin) {
		unsigned long long end = lx_host_time_ns() + LX_SPIN_NS;

		do {
			for (int i = 0; i < 64; i++)
				lx_cpu_relax();
			if (sem_trywait(sem) == 0) {
				atomic_fetch_sub(&lx_rt.spinners, 1);
				return;
			}
		} while (lx_host_time_ns() < end);
		atomic_fetch_sub(&lx_rt.spinners, 1);
	} else if (spin) {
		atomic_fetch_sub(&lx_rt.spinners, 1);
	}
	while (sem_wait(sem) && errno == EINTR)
		;
}

void lx_host_sem_up(void *sem)
{
	sem_post(sem);
}

void lx_host_longjmp(void *jb)
{
	longjmp(*(jmp_buf *)jb, 1);
}

long lx_host_entry(struct lx_thread *t, void (*fn)(void *), void *arg)
{
	struct lx_thread_rec *r = (struct lx_thread_rec *)t;
	jmp_buf jb;
	long result;
	int destroy;

	pthread_mutex_lock(&lx_rt.lock);
	if (lx_rt.halting) {
		/* Counted entries only: halt frees RAM once none is left. */
		pthread_mutex_unlock(&lx_rt.lock);
		return -ESHUTDOWN;
	}
	lx_rt.inside++;
	r->busy++;
	pthread_mutex_unlock(&lx_rt.lock);
	t->leave_jb = &jb;
	if (setjmp(jb) == 0)
		fn(arg);
	result = t->result;
	pthread_mutex_lock(&lx_rt.lock);
	lx_rt.inside--;
	destroy = --r->busy == 0 && r->free_pending;
	/* Only halt waits for callers to drain; do not wake idle for it. */
	if (lx_rt.halting)
		pthread_cond_broadcast(&lx_rt.quiet);
	pthread_mutex_unlock(&lx_rt.lock);
	if (destroy)
		lx_rec_destroy(r);
	return result;
}

/* --- interrupts and idle --- */

void lx_host_irq_raise(int irq)
{
	atomic_fetch_or(&lx_rt.irq_pending, 1UL << irq);
	pthread_mutex_lock(&lx_rt.lock);
	/*
	 * Only an idle thread holding a free CPU acts on interrupts; a busy
	 * or lent CPU runs them at its next interrupt enable.
	 */
	if (lx_rt.idle_state == IDLE_FREE)
		pthread_cond_broadcast(&lx_rt.cond);
	pthread_mutex_unlock(&lx_rt.lock);
}

unsigned long lx_host_irq_pending(void)
{
	return atomic_load(&lx_rt.irq_pending);
}

unsigned long lx_host_irq_fetch(void)
{
	return atomic_exchange(&lx_rt.irq_pending, 0);
}

int lx_host_idle_wait(void)
{
	int ret;

	pthread_mutex_lock(&lx_rt.lock);
	lx_rt.idle_state = IDLE_FREE;
	for (;;) {
		if (lx_rt.halting) {
			ret = LX_IDLE_IRQ;
			break;
		}
		if (lx_rt.idle_state == IDLE_FREE &&
		    atomic_load(&lx_rt.irq_pending)) {
			ret = LX_IDLE_IRQ;
			break;
		}
		if (lx_rt.idle_state == IDLE_LENT && lx_rt.idle_wake) {
			ret = lx_rt.idle_wake;
			break;
		}
		pthread_cond_wait(&lx_rt.cond, &lx_rt.lock);
	}
	lx_rt.idle_state = IDLE_RUN;
	lx_rt.idle_wake = 0;
	pthread_mutex_unlock(&lx_rt.lock);
	return ret;
}

/*
 * Whoever enters raises an overdue tick itself: on a loaded host the
 * timer thread can wait tens of milliseconds for a CPU, and lx's clock,
 * which file times come from, stood still meanwhile (a file written 10
 * ms after another got the same mtime; make compares them). A tick
 * raised twice runs once or finds nothing due.
 */
static void lx_timer_catch_up(void)
{
	unsigned long long d =
		__atomic_load_n(&lx_rt.timer_deadline, __ATOMIC_RELAXED);

	if (d && lx_host_time_ns() >= d)
		atomic_fetch_or(&lx_rt.irq_pending, 1UL << LX_IRQ_TIMER);
}

int lx_host_cpu_borrow(void)
{
	int ok;

	lx_timer_catch_up();
	pthread_mutex_lock(&lx_rt.lock);
	ok = lx_rt.idle_state == IDLE_FREE && !lx_rt.halting;
	if (ok)
		lx_rt.idle_state = IDLE_LENT;
	pthread_mutex_unlock(&lx_rt.lock);
	return ok;
}

int lx_host_idle_lent(void)
{
	int lent;

	pthread_mutex_lock(&lx_rt.lock);
	lent = lx_rt.idle_state == IDLE_LENT && !lx_rt.idle_wake;
	pthread_mutex_unlock(&lx_rt.lock);
	return lent;
}

void lx_host_idle_release(int kick)
{
	pthread_mutex_lock(&lx_rt.lock);
	if (kick || atomic_load(&lx_rt.irq_pending)) {
		lx_rt.idle_wake = LX_IDLE_KICK;
		pthread_cond_broadcast(&lx_rt.cond);
	} else {
		/* Idle's thread need not wake: the CPU is simply free again. */
		lx_rt.idle_state = IDLE_FREE;
	}
	pthread_mutex_unlock(&lx_rt.lock);
}

void lx_host_idle_resume(void *idle_sem)
{
	pthread_mutex_lock(&lx_rt.lock);
	if (lx_rt.idle_state == IDLE_LENT) {
		lx_rt.idle_wake = LX_IDLE_RESUME;
		pthread_cond_broadcast(&lx_rt.cond);
	} else {
		sem_post(idle_sem);
	}
	pthread_mutex_unlock(&lx_rt.lock);
}

int lx_host_enter_begin(struct lx_thread *t)
{
	lx_timer_catch_up();
	pthread_mutex_lock(&lx_rt.lock);
	if (lx_rt.halting) {
		pthread_mutex_unlock(&lx_rt.lock);
		return -1;
	}
	t->wants_enter = 1;
	/* A stale entry from an earlier call may still be queued. */
	if (!t->queued) {
		t->queued = 1;
		t->enter_next = NULL;
		*lx_rt.enter_tail = t;
		lx_rt.enter_tail = &t->enter_next;
	}
	pthread_mutex_unlock(&lx_rt.lock);
	lx_host_irq_raise(LX_IRQ_ENTER);
	return 0;
}

struct lx_thread *lx_host_enter_pop(void)
{
	struct lx_thread *t;

	pthread_mutex_lock(&lx_rt.lock);
	t = lx_rt.enter_head;
	if (t) {
		lx_rt.enter_head = t->enter_next;
		if (!lx_rt.enter_head)
			lx_rt.enter_tail = &lx_rt.enter_head;
		t->queued = 0;
	}
	pthread_mutex_unlock(&lx_rt.lock);
	return t;
}

void lx_rt_halt_waiters(void)
{
	pthread_mutex_lock(&lx_rt.lock);
	lx_rt.halting = 1;
	for (struct lx_link *l = lx_recs.next; l != &lx_recs; l = l->next) {
		struct lx_thread_rec *r = lx_rec_of(l);

		if (r->t.wants_enter)
			sem_post(&r->sem);
	}
	pthread_cond_broadcast(&lx_rt.cond);
	pthread_mutex_unlock(&lx_rt.lock);
}


/* --- time: one timer thread waits for the next absolute deadline --- */

unsigned long long lx_host_time_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

unsigned long long lx_host_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * With tickless idle the deadline moves on every idle entry and exit. Wake
 * the timer thread only when it would sleep past the new deadline; a later
 * or cleared deadline it finds when its current wait ends (one spurious
 * wake-up at most, instead of one per reprogramming).
 */
void lx_host_timer_set(unsigned long long deadline_ns)
{
	pthread_mutex_lock(&lx_rt.timer_lock);
	__atomic_store_n(&lx_rt.timer_deadline, deadline_ns, __ATOMIC_RELAXED);
	if (deadline_ns && deadline_ns < lx_rt.timer_sleep_until)
		pthread_cond_signal(&lx_rt.timer_cond);
	pthread_mutex_unlock(&lx_rt.timer_lock);
}

static void *lx_timer_main(void *arg)
{
	struct lx_host_thr me;
	sigset_t all;

	(void)arg;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	lx_thr_register(&me);
	pthread_mutex_lock(&lx_rt.timer_lock);
	while (!lx_rt.timer_stop) {
		unsigned long long d = lx_rt.timer_deadline;

		if (!d) {
			lx_rt.timer_sleep_until = ~0ULL;
			pthread_cond_wait(&lx_rt.timer_cond, &lx_rt.timer_lock);
			continue;
		}
		/* awake: lx_host_timer_set() need not signal */
		lx_rt.timer_sleep_until = 0;
		if (lx_host_time_ns() >= d) {
			/* raised before the deadline goes, so that an entry
			 * (lx_timer_catch_up) sees one or the other */
			pthread_mutex_unlock(&lx_rt.timer_lock);
			lx_host_irq_raise(LX_IRQ_TIMER);
			pthread_mutex_lock(&lx_rt.timer_lock);
			if (lx_rt.timer_deadline == d)
				__atomic_store_n(&lx_rt.timer_deadline, 0,
						 __ATOMIC_RELAXED);
			continue;
		}
		struct timespec ts = { .tv_sec = d / 1000000000ULL,
				       .tv_nsec = d % 1000000000ULL };
		lx_rt.timer_sleep_until = d;
		pthread_cond_timedwait(&lx_rt.timer_cond, &lx_rt.timer_lock, &ts);
	}
	pthread_mutex_unlock(&lx_rt.timer_lock);
	lx_thr_unregister(&me);
	return NULL;
}

int lx_rt_timer_start(void)
{
	pthread_condattr_t ca;
	pthread_attr_t attr;
	int err;

	pthread_mutex_init(&lx_rt.timer_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&lx_rt.timer_cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	err = pthread_create(&lx_rt.timer_thread, &attr, lx_timer_main, NULL);
	pthread_attr_destroy(&attr);
	return -err;
}

void lx_rt_timer_stop(void)
{
	pthread_mutex_lock(&lx_rt.timer_lock);
	lx_rt.timer_stop = 1;
	pthread_cond_signal(&lx_rt.timer_cond);
	pthread_mutex_unlock(&lx_rt.timer_lock);
	pthread_join(lx_rt.timer_thread, NULL);
	pthread_cond_destroy(&lx_rt.timer_cond);
	pthread_mutex_destroy(&lx_rt.timer_lock);
}

/* --- memory, console, panic --- */

/*
 * RAM is placed low (4 GiB) when that range is free: physical addresses
 * are host addresses, and at boot the kernel walks the "hole" below the
 * first page frame one pageblock at a time - ~25 ms for a RAM mapping near
 * the top of the address space, nothing at 4 GiB. Anywhere else works too.
 */
#define LX_RAM_HINT ((void *)(4UL << 30))

void *lx_host_mem_alloc(unsigned long size)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	void *p = MAP_FAILED;

	if (sizeof(long) == 8)
		p = mmap(LX_RAM_HINT, size, PROT_READ | PROT_WRITE,
			 flags | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED)
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/*
	 * Huge pages where the host allows them: boot initialises the page
	 * array and the early allocations in a few 2 MiB faults instead of
	 * hundreds of 4 KiB ones.
	 */
	madvise(p, size, MADV_HUGEPAGE);
	/*
	 * Not in a child: the one kbox forks (the guest) only execs, and
	 * with the RAM in it the fork copied its page tables and left every
	 * page copy-on-write, so the kernel's next write to each faulted.
	 */
	madvise(p, size, MADV_DONTFORK);
	lx_rt.ram = p;
	lx_rt.ram_size = size;
	return p;
}

/*
 * RAM the kernel has freed and reported (arch/lx/kernel/freeram.c): the
 * host takes the pages back, and the next touch faults in zeroed ones.
 */
void lx_host_mem_discard(unsigned long start, unsigned long len)
{
	madvise((void *)start, len, MADV_DONTNEED);
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static struct {
	pthread_t thread;
	int started, n;
	unsigned long r[8];
} lx_pf;

static void *lx_prefault_main(void *arg)
{
	(void)arg;
	/* Anywhere but pinned: the point is to run beside the kernel. */
	sched_setaffinity(0, sizeof(lx_rt.boot_cpus), &lx_rt.boot_cpus);
	/* Faults in as a write would, without changing a byte (Linux 5.14+). */
	for (int i = 0; i < lx_pf.n; i++)
		madvise((void *)lx_pf.r[2 * i], lx_pf.r[2 * i + 1],
			MADV_POPULATE_WRITE);
	return NULL;
}

void lx_host_mem_prefault(const unsigned long *ranges, int n)
{
	pthread_attr_t attr;

	/* One CPU: the faults would only queue behind the kernel's work. */
	if (lx_pf.started || n > 4 || CPU_COUNT(&lx_rt.boot_cpus) < 2)
		return;
	for (int i = 0; i < 2 * n; i++)
		lx_pf.r[i] = ranges[i];
	lx_pf.n = n;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	lx_pf.started = !pthread_create(&lx_pf.thread, &attr, lx_prefault_main,
					NULL);
	pthread_attr_destroy(&attr);
}

void lx_rt_prefault_join(void)
{
	if (lx_pf.started)
		pthread_join(lx_pf.thread, NULL);
	lx_pf.started = 0;
}

void lx_host_mem_free(void *p, unsigned long size)
{
	munmap(p, size);
}

void lx_host_console_write(const char *s, unsigned int len)
{
	if (lx_rt.console_fd < 0)
		return;
	while (len) {
		ssize_t n = write(lx_rt.console_fd, s, len);

		if (n <= 0)
			return;
		s += n;
		len -= n;
	}
}

/*
 * The end of kbox when its kernel cannot go on: one line and status 1, no
 * core dump - a bad -k (mem=100T) got here, and a kernel panic does.
 */
void lx_host_panic(const char *msg)
{
	fprintf(stderr, "kbox: %s\n", msg);
	_exit(1);
}

unsigned long long lx_host_ram_bytes(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);

	return pages > 0 && size > 0 ? (unsigned long long)pages * size : 0;
}

/* --- block I/O --- */

/*
 * The first error of a host write or flush of a disk (-errno), for
 * lx_disk_write_error(): the kernel turns it into a bio error, ext4 logs
 * it (or aborts its journal and goes read-only) in a log nobody reads,
 * and a guest that never calls fsync exits 0 with its writes lost (the
 * host file system under the image full: kbox exited 0, saying nothing).
 */
static int lx_rt_blk_werr;

static long blk_werr(long err)
{
	int none = 0;

	if (err)
		__atomic_compare_exchange_n(&lx_rt_blk_werr, &none, (int)err,
					    0, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
	return err;
}

int lx_disk_write_error(void)
{
	return __atomic_load_n(&lx_rt_blk_werr, __ATOMIC_RELAXED);
}

long lx_host_blk_rw(int fd, int write, void *buf, unsigned long len,
		    unsigned long long off)
{
	while (len) {
		ssize_t n = write ? pwrite(fd, buf, len, off)
				  : pread(fd, buf, len, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return write ? blk_werr(-errno) : -errno;
		}
		if (n == 0) {
			if (write)
				return blk_werr(-EIO);
			memset(buf, 0, len); /* past the end of the image */
			return 0;
		}
		buf = (char *)buf + n;
		len -= n;
		off += n;
	}
	return 0;
}

long lx_host_blk_rwv(int fd, int write, struct lx_host_iov *iov, int n,
		     unsigned long long off)
{
	struct iovec *v = (struct iovec *)iov;

	_Static_assert(sizeof(struct lx_host_iov) == sizeof(struct iovec),
		       "lx_host_iov must match struct iovec");
	while (n > 0) {
		ssize_t got = write ? pwritev(fd, v, n, off) : preadv(fd, v, n, off);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return write ? blk_werr(-errno) : -errno;
		}
		if (got == 0) /* short image: finish buffer by buffer */
			break;
		off += got;
		while (n > 0 && (size_t)got >= v->iov_len) {
			got -= v->iov_len;
			v++;
			n--;
		}
		if (n > 0 && got) { /* partial buffer: its rest on its own */
			long err = lx_host_blk_rw(fd, write,
						  (char *)v->iov_base + got,
						  v->iov_len - got, off);
			if (err)
				return err;
			off += v->iov_len - got;
			v++;
			n--;
		}
	}
	for (; n > 0; n--, v++) {
		long err = lx_host_blk_rw(fd, write, v->iov_base, v->iov_len,
					  off);
		if (err)
			return err;
		off += v->iov_len;
	}
	return 0;
}


/*
 * The flusher: one host thread that runs the disks' fdatasyncs, so that
 * lx's CPU serves other tasks while one waits for the host's disk (a
 * flush under load took up to 1.9 s, and every other guest's file call
 * waited behind it). The kernel keeps at most one flush in flight per
 * disk; each finished one raises LX_IRQ_BLK.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	int started, stop;
	int nq, ndone;
	struct {
		int fd;
		void *cookie;
	} q[LX_HOST_BLK_FLUSHES];
	struct {
		void *cookie;
		long err;
	} done[LX_HOST_BLK_FLUSHES];
	long (*hook)(int fd);	/* tests: stands in for fdatasync */
} lx_bf = { .lock = PTHREAD_MUTEX_INITIALIZER,
	    .cond = PTHREAD_COND_INITIALIZER };

long lx_host_blk_flush(int fd)
{
	long (*hook)(int) = __atomic_load_n(&lx_bf.hook, __ATOMIC_ACQUIRE);

	if (hook)
		return blk_werr(hook(fd));
	return fdatasync(fd) ? blk_werr(-errno) : 0;
}

static void *lx_flusher_main(void *arg)
{
	struct lx_host_thr me;
	sigset_t all;

	(void)arg;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	lx_thr_register(&me);
	pthread_mutex_lock(&lx_bf.lock);
	while (!lx_bf.stop || lx_bf.nq) {
		if (!lx_bf.nq) {
			pthread_cond_wait(&lx_bf.cond, &lx_bf.lock);
			continue;
		}
		int fd = lx_bf.q[0].fd;
		void *cookie = lx_bf.q[0].cookie;

		lx_bf.nq--;
		memmove(&lx_bf.q[0], &lx_bf.q[1], lx_bf.nq * sizeof(lx_bf.q[0]));
		pthread_mutex_unlock(&lx_bf.lock);
		long err = lx_host_blk_flush(fd);
		pthread_mutex_lock(&lx_bf.lock);
		lx_bf.done[lx_bf.ndone].cookie = cookie;
		lx_bf.done[lx_bf.ndone].err = err;
		lx_bf.ndone++;
		pthread_mutex_unlock(&lx_bf.lock);
		lx_host_irq_raise(LX_IRQ_BLK);
		pthread_mutex_lock(&lx_bf.lock);
	}
	pthread_mutex_unlock(&lx_bf.lock);
	lx_thr_unregister(&me);
	return NULL;
}

int lx_host_blk_flush_start(int fd, void *cookie)
{
	int err = 0;

	pthread_mutex_lock(&lx_bf.lock);
	if (lx_bf.nq + lx_bf.ndone >= LX_HOST_BLK_FLUSHES || lx_bf.stop) {
		err = -EBUSY;
		goto out;
	}
	if (!lx_bf.started) {
		pthread_attr_t attr;

		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		err = -pthread_create(&lx_bf.thread, &attr, lx_flusher_main,
				      NULL);
		pthread_attr_destroy(&attr);
		if (err)
			goto out;
		lx_bf.started = 1;
	}
	lx_bf.q[lx_bf.nq].fd = fd;
	lx_bf.q[lx_bf.nq].cookie = cookie;
	lx_bf.nq++;
	pthread_cond_signal(&lx_bf.cond);
out:
	pthread_mutex_unlock(&lx_bf.lock);
	return err;
}

void *lx_host_blk_flush_done(long *err)
{
	void *cookie = NULL;

	pthread_mutex_lock(&lx_bf.lock);
	if (lx_bf.ndone) {
		cookie = lx_bf.done[0].cookie;
		*err = lx_bf.done[0].err;
		lx_bf.ndone--;
		memmove(&lx_bf.done[0], &lx_bf.done[1],
			lx_bf.ndone * sizeof(lx_bf.done[0]));
	}
	pthread_mutex_unlock(&lx_bf.lock);
	return cookie;
}

/* At halt, after the kernel's last sync: no flush can be queued after. */
void lx_rt_flusher_stop(void)
{
	pthread_mutex_lock(&lx_bf.lock);
	lx_bf.stop = 1;
	pthread_cond_signal(&lx_bf.cond);
	pthread_mutex_unlock(&lx_bf.lock);
	if (lx_bf.started)
		pthread_join(lx_bf.thread, NULL);
	lx_bf.started = 0;
}

void lx_blk_flush_hook(long (*hook)(int fd))
{
	__atomic_store_n(&lx_bf.hook, hook, __ATOMIC_RELEASE);
}

long lx_host_blk_discard(int fd, unsigned long long off,
			 unsigned long long len)
{
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off,
		      len) == 0)
		return 0;
	/* Where the host file cannot punch holes, write zeroes. */
	static const char zero[4096];
	while (len) {
		unsigned long n = len < sizeof(zero) ? len : sizeof(zero);
		long err = lx_host_blk_rw(fd, 1, (void *)zero, n, off);

		if (err)
			return err;
		off += n;
		len -= n;
	}
	return 0;
}

long lx_host_random(void *buf, unsigned long len)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (unsigned long)n;
	}
	return 0;
}

long long lx_host_blk_size(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		unsigned long long sz;

		if (ioctl(fd, BLKGETSIZE64, &sz))
			return -errno;
		return sz;
	}
	if (!S_ISREG(st.st_mode))
		return -ENOTBLK;
	return st.st_size;
}

/* --- readiness mirrors (arch/lx/kernel/mirror.c) --- */

void lx_host_fd_signal(int fd)
{
	static const char one = 1;

	/* Non-blocking pipe: full means already readable, which is enough. */
	while (write(fd, &one, 1) < 0 && errno == EINTR)
		;
}

void lx_host_fd_drain(int fd)
{
	char buf[64];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t)sizeof(buf))
			return;
	}
}

void lx_host_fd_fill(int fd)
{
	static const char zeros[1024];

	/*
	 * Until the send buffer is full: a stream socket whose sent data
	 * nobody reads stops polling writable. MSG_DONTWAIT, as the guest
	 * shares this file and may have cleared its O_NONBLOCK.
	 */
	for (;;) {
		ssize_t n = send(fd, zeros, sizeof(zeros), MSG_DONTWAIT);

		/* A pipe (a FIFO write end's mirror): non-blocking, and the
		 * guest's F_SETFL goes to lx, not to this file. */
		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, zeros, sizeof(zeros));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
	}
}

void lx_host_fd_poke(int fd)
{
	int sz = fcntl(fd, F_GETPIPE_SZ);

	/* A resize, even to the same size, wakes the pipe's writers. */
	if (sz > 0)
		fcntl(fd, F_SETPIPE_SZ, sz);
}

int lx_host_fd_reopen(int fd, int write)
{
	char path[64];
	int n;

	/* A pipe's inode opened again is one more reader or writer. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = open(path, (write ? O_WRONLY : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
	return n < 0 ? -1 : n;
}

void lx_host_fd_close(int fd)
{
	close(fd);
}
