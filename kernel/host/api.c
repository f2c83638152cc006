// SPDX-License-Identifier: GPL-2.0
/*
 * The public lx_* API (include/lx/lx.h) on top of the kernel entry point
 * lx_k_run() and the host runtime.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <asm/lx_host.h>
#include <lx/lx.h>
#include "runtime.h"

/* asm-generic syscall numbers the helpers below need (stable ABI). */
enum {
	LXN_mknodat = 33,
	LXN_mkdirat = 34,
	LXN_umount2 = 39,
	LXN_mount = 40,
	LXN_chdir = 49,
	LXN_chroot = 51,
	LXN_statx = 291,
	LXN_close_range = 436,
};
#define LX_AT_FDCWD (-100)
#define LX_MNT_DETACH 2

struct lx_task {
	void *ktask;		/* struct task_struct *, referenced */
	struct lx_thread *h;
	int pending_pid;	/* lx_task_set_pid_later(); under h->use_lock */
};

static struct {
	pthread_mutex_t lock;
	int booted, halted;
	sem_t boot_sem;
	struct lx_k_boot_args args;
	char *cmdline;
	void *pid1;
	struct lx_task *root;
	pthread_key_t key;
	int disk_fds[16];
	int ndisks;
	char *mounts[64];
	int nmounts;
	int pinned;		/* lx_pin_threads(1) in effect */
	cpu_set_t unpinned;	/* the caller's mask before it */
} lx = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void lx_booted(void *pid1)
{
	lx.pid1 = pid1;
	sem_post(&lx.boot_sem);
}

static void lx_idle_main(void *arg)
{
	lx_k_start_kernel(arg);
}

static long lx_call(struct lx_task *t, struct lx_k_req *req)
{
	long ret;

	if (__atomic_load_n(&lx.halted, __ATOMIC_ACQUIRE) || !t)
		return -ESHUTDOWN;
	req->task = t->ktask;
	req->caller = (unsigned long)pthread_self();
	pthread_mutex_lock(t->h->use_lock);
	req->set_pid = t->pending_pid;
	t->pending_pid = 0;
	ret = lx_host_entry(t->h, lx_k_run, req);
	pthread_mutex_unlock(t->h->use_lock);
	return ret;
}

static struct lx_task *lx_task_wrap(void *ktask)
{
	struct lx_task *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->ktask = ktask;
	t->h = lx_k_task_host(ktask);
	return t;
}

static void lx_thread_task_dtor(void *p)
{
	lx_task_exit(p);	/* after halt it only frees the handle */
}

int lx_boot(const struct lx_boot_opts *opts)
{
	/*
	 * Dirty data is written back after 5 s, not 30: killing kbox (the
	 * OOM killer, kill -9) is a power cut for the guest's filesystem,
	 * and lost up to 30 s of what it wrote. A later -k value wins.
	 */
	static const char defcmd[] =
		"loglevel=4 sysctl.vm.dirty_expire_centisecs=500 "
		"sysctl.vm.dirty_writeback_centisecs=100";
	struct lx_task pid1 = { 0 };
	size_t n;
	int err;

	pthread_mutex_lock(&lx.lock);
	if (lx.booted) {
		pthread_mutex_unlock(&lx.lock);
		return -EALREADY;
	}
	lx.booted = 1;
	pthread_mutex_unlock(&lx.lock);

	lx_rt.enter_tail = &lx_rt.enter_head;
	/*
	 * Every waiter may spin when there are CPUs to spin on (a waiter
	 * denied a spin sleeps, and waking it costs a cross-CPU wake-up);
	 * on one CPU a spinner would only steal it from the owner. Pinned
	 * (lx_pin_threads), the mask to count is the one given back later.
	 */
	cpu_set_t cpus;

	pthread_mutex_lock(&lx.lock);
	if (lx.pinned)
		cpus = lx.unpinned;
	else if (sched_getaffinity(0, sizeof(cpus), &cpus))
		CPU_ZERO(&cpus);
	if (CPU_COUNT(&cpus) > 1 && !getenv("LX_NO_SPIN"))
		lx_rt.spin_cpus = CPU_COUNT(&cpus);
	lx_rt.boot_cpus = cpus;
	__atomic_store_n(&lx_rt.spin, lx.pinned ? 0 : lx_rt.spin_cpus,
			 __ATOMIC_RELAXED);
	pthread_mutex_unlock(&lx.lock);
	lx_rt.console_fd = opts ? opts->console_fd : -1;
	if (opts && opts->thread_stack_size)
		lx_rt.stack_size = opts->thread_stack_size;
	n = strlen(defcmd) + 2 + (opts && opts->cmdline ? strlen(opts->cmdline) : 0);
	lx.cmdline = malloc(n);
	if (!lx.cmdline)
		return -ENOMEM;
	snprintf(lx.cmdline, n, "%s %s", defcmd,
		 opts && opts->cmdline ? opts->cmdline : "");
	lx.args.cmdline = lx.cmdline;
	lx.args.booted = lx_booted;
	lx.args.unknown = opts ? opts->unknown_param : NULL;
	sem_init(&lx.boot_sem, 0, 0);
	pthread_key_create(&lx.key, lx_thread_task_dtor);

	err = lx_rt_timer_start();
	if (err)
		return err;
	err = lx_host_thread_start(NULL, lx_idle_main, &lx.args);
	if (err)
		return err;
	while (sem_wait(&lx.boot_sem) && errno == EINTR)
		;
	/* long done by now; no thread of it may outlive boot */
	lx_rt_prefault_join();

	/* The root task: a fork of pid 1 with its own fs and fd table. */
	pid1.ktask = lx.pid1;
	pid1.h = lx_k_task_host(lx.pid1);
	lx.root = lx_task_fork(&pid1, 0);
	if (!lx.root)
		return -ENOMEM;
	/* Inherited console descriptors mean nothing to callers. */
	lx_task_syscall(lx.root, LXN_close_range,
			(long[6]){ 0, ~0U, 0 });
	return 0;
}

struct lx_task *lx_task_root(void)
{
	return lx.root;
}

struct lx_task *lx_task_fork(struct lx_task *parent, unsigned long flags)
{
	struct lx_k_req req = { .op = LX_K_FORK, .nr = (long)flags };
	struct lx_k_req nop = { .op = LX_K_NOP };
	struct lx_task *t;
	long ret;

	ret = lx_call(parent ? parent : lx.root, &req);
	if (ret < 0 || !req.ret_task) {
		errno = ret < 0 ? (int)-ret : ENOMEM;
		return NULL;
	}
	t = lx_task_wrap(req.ret_task);
	if (!t)
		abort();	/* the new kernel task would never be parked */
	/* Park the child properly before anyone else needs the CPU. */
	lx_call(t, &nop);
	return t;
}

long lx_task_syscall(struct lx_task *t, long nr, const long args[6])
{
	struct lx_k_req req = { .op = LX_K_SYSCALL, .nr = nr, .args = args };

	return lx_call(t, &req);
}

long lx_task_mirror(struct lx_task *t, int cmd, int fd, int a, int b)
{
	long args[6] = { cmd, fd, a, b };
	struct lx_k_req req = { .op = LX_K_MIRROR, .args = args };

	if (cmd == LX_MIRROR_GC)
		return -EINVAL;
	return lx_call(t ? t : lx.root, &req);
}

long lx_task_getfd(struct lx_task *to, struct lx_task *from, int fd,
		   int flags)
{
	long args[6] = { (long)from->ktask, fd, flags };
	struct lx_k_req req = { .op = LX_K_GETFD, .args = args };

	return lx_call(to, &req);
}

int lx_pid_is_kthread(int pid)
{
	long args[6] = { pid };
	struct lx_k_req req = { .op = LX_K_KTHREAD, .args = args };

	return lx_call(lx.root, &req);
}

int lx_task_may_read(struct lx_task *t, struct lx_task *target)
{
	long args[6] = { (long)target->ktask };
	struct lx_k_req req = { .op = LX_K_MAYREAD, .args = args };

	return lx_call(t, &req);
}

static int task_ids(struct lx_task *target, int real, unsigned int *uid,
		    unsigned int *gid)
{
	long args[6] = { (long)target->ktask, real };
	struct lx_k_req req = { .op = LX_K_IDS, .args = args };
	long v = lx_call(lx.root, &req);

	if (v < 0 && v >= -4095)
		return (int)v;
	*uid = (unsigned int)(v & 0xffffffff);
	*gid = (unsigned int)((unsigned long)v >> 32);
	return 0;
}

int lx_task_ids(struct lx_task *target, unsigned int *euid, unsigned int *egid)
{
	return task_ids(target, 0, euid, egid);
}

int lx_task_real_ids(struct lx_task *target, unsigned int *uid,
		     unsigned int *gid)
{
	return task_ids(target, 1, uid, gid);
}

int lx_task_groups(struct lx_task *target, unsigned int *gids, int room)
{
	long args[6] = { (long)target->ktask, (long)gids, room };
	struct lx_k_req req = { .op = LX_K_GROUPS, .args = args };

	return (int)lx_call(lx.root, &req);
}

long lx_task_fd_path(struct lx_task *t, int fd, char *buf, size_t len)
{
	long args[6] = { fd, (long)buf, (long)len };
	struct lx_k_req req = { .op = LX_K_FDPATH, .args = args };

	return lx_call(t, &req);
}

long lx_task_bindtrap(struct lx_task *t, const char *path)
{
	return lx_task_bindtrap_at(t, -100 /* AT_FDCWD */, path);
}

long lx_task_bindtrap_at(struct lx_task *t, int dirfd, const char *path)
{
	long args[6] = { (long)path, dirfd };
	struct lx_k_req req = { .op = LX_K_BINDTRAP, .args = args };

	return lx_call(t, &req);
}

long lx_task_shm(struct lx_task *t, int cmd, long a, long b, long c, long d)
{
	long args[6] = { a, b, c, d };
	struct lx_k_req req = { .op = LX_K_SHM, .nr = cmd, .args = args };

	if (cmd == LX_SHM_PERM) {
		const long *p = (const long *)a;

		for (int i = 0; i < 5; i++)
			args[i] = p[i];
		args[5] = b;
	}
	return lx_call(t, &req);
}

long lx_task_file_version(struct lx_task *t, int fd)
{
	long args[6] = { fd };
	struct lx_k_req req = { .op = LX_K_FILEVER, .args = args };

	return lx_call(t, &req);
}

long lx_task_exec_version(struct lx_task *t, int fd)
{
	long args[6] = { fd, 1 };
	struct lx_k_req req = { .op = LX_K_FILEVER, .args = args };

	return lx_call(t, &req);
}

int lx_task_interrupt(struct lx_task *t, unsigned long caller)
{
	long args[6] = { (long)t->ktask, (long)caller };
	struct lx_k_req req = { .op = LX_K_INTERRUPT, .args = args };

	return lx_call(lx.root, &req);
}

long lx_mirror_gc(int *closed, int max)
{
	long args[6] = { LX_MIRROR_GC, (long)closed, max };
	struct lx_k_req req = { .op = LX_K_MIRROR, .args = args };

	return lx_call(lx.root, &req);
}

long lx_signals(long *out, int max)
{
	long args[6] = { (long)out, max };
	struct lx_k_req req = { .op = LX_K_SIGS, .nr = LX_SIGS_TAKE,
				.args = args };

	return lx_call(lx.root, &req);
}

int lx_task_tid(struct lx_task *t)
{
	long args[6] = { (long)t->ktask };
	struct lx_k_req req = { .op = LX_K_SIGS, .nr = LX_SIGS_PID,
				.args = args };

	return lx_call(lx.root, &req);
}

int lx_task_set_pgrp(struct lx_task *t, int pgrp)
{
	long args[6] = { (long)t->ktask, pgrp };
	struct lx_k_req req = { .op = LX_K_SIGS, .nr = LX_SIGS_PGRP,
				.args = args };

	return lx_call(lx.root, &req);
}

int lx_signals_fd(int wfd)
{
	long args[6] = { wfd };
	struct lx_k_req req = { .op = LX_K_SIGS, .nr = LX_SIGS_FD,
				.args = args };

	return lx_call(lx.root, &req);
}

int lx_task_exec(struct lx_task *t)
{
	struct lx_k_req req = { .op = LX_K_EXEC };

	return lx_call(t, &req);
}

long lx_task_exec_creds(struct lx_task *t, int cmd, long arg, int *secure)
{
	int dummy = 0;
	long args[6] = { cmd, arg, (long)(secure ? secure : &dummy) };
	struct lx_k_req req = { .op = LX_K_CREDS, .args = args };

	return lx_call(t, &req);
}

int lx_task_adopt(struct lx_task *t, struct lx_task *from)
{
	long args[6] = { (long)from->ktask };
	struct lx_k_req req = { .op = LX_K_ADOPT, .args = args };

	return lx_call(t, &req);
}

int lx_task_pid(struct lx_task *t)
{
	struct lx_k_req req = { .op = LX_K_PID };

	return lx_call(t, &req);
}

int lx_task_set_pid(struct lx_task *t, int pid)
{
	long a[6] = { pid };
	struct lx_k_req req = { .op = LX_K_SETPID, .args = a };

	return lx_call(t, &req);
}

void lx_task_set_pid_later(struct lx_task *t, int pid)
{
	pthread_mutex_lock(t->h->use_lock);
	t->pending_pid = pid;
	pthread_mutex_unlock(t->h->use_lock);
}

void lx_task_exit(struct lx_task *t)
{
	struct lx_k_req req = { .op = LX_K_EXIT, .task = t ? t->ktask : NULL };

	if (!t)
		return;
	if (!__atomic_load_n(&lx.halted, __ATOMIC_ACQUIRE)) {
		/* Wait for other callers, then let the task die unlocked. */
		pthread_mutex_lock(t->h->use_lock);
		pthread_mutex_unlock(t->h->use_lock);
		lx_host_entry(t->h, lx_k_run, &req);
	}
	free(t);
}

struct lx_zombie *lx_task_exit_zombie(struct lx_task *t, int pid,
				     struct lx_zombie *const *reap, int nreap)
{
	long args[6] = { (long)reap, nreap > 0 ? nreap : 0 };
	struct lx_k_req req = { .op = LX_K_EXIT, .nr = pid, .args = args };
	void *ktask;
	long kept = 0;

	if (!t)
		return NULL;
	ktask = t->ktask;
	req.task = ktask;
	if (!__atomic_load_n(&lx.halted, __ATOMIC_ACQUIRE)) {
		pthread_mutex_lock(t->h->use_lock);
		/* a number still pending is taken first: the zombie's is it */
		req.set_pid = t->pending_pid;
		t->pending_pid = 0;
		pthread_mutex_unlock(t->h->use_lock);
		kept = lx_host_entry(t->h, lx_k_run, &req);
	}
	free(t);
	return kept == 1 ? (struct lx_zombie *)ktask : NULL;
}

int lx_zombie_reap(struct lx_zombie *const *z, int n)
{
	long args[6] = { (long)z, n };
	struct lx_k_req req = { .op = LX_K_REAP, .args = args };

	if (n <= 0)
		return 0;
	return (int)lx_call(lx.root, &req);
}

static struct lx_task *lx_thread_task(void)
{
	struct lx_task *t = pthread_getspecific(lx.key);

	if (!t && lx.root && !lx.halted) {
		t = lx_task_fork(lx.root, 0);
		if (t)
			pthread_setspecific(lx.key, t);
	}
	return t;
}

long lx_syscall(long nr, const long args[6])
{
	static const long zero[6];
	struct lx_task *t;

	if (!lx.root || __atomic_load_n(&lx.halted, __ATOMIC_ACQUIRE))
		return -ESHUTDOWN;
	t = lx_thread_task();
	if (!t)
		return -ENOMEM;
	return lx_task_syscall(t, nr, args ? args : zero);
}

long lx_syscall6(long nr, long a1, long a2, long a3, long a4, long a5,
		 long a6)
{
	long args[6] = { a1, a2, a3, a4, a5, a6 };

	return lx_syscall(nr, args);
}

void lx_thread_detach(void)
{
	struct lx_task *t;

	if (!lx.root)
		return;
	t = pthread_getspecific(lx.key);
	if (t) {
		pthread_setspecific(lx.key, NULL);
		lx_task_exit(t);
	}
}

int lx_disk_add(int fd, int readonly)
{
	long args[6] = { 0 };
	struct lx_k_req req = { .op = LX_K_DISK_ADD, .args = args };
	long ret;
	int dfd;

	if (!lx.root)
		return -ENODEV;
	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dfd < 0)
		return -errno;
	args[0] = dfd;
	args[1] = readonly;
	ret = lx_call(lx.root, &req);
	if (ret < 0) {
		close(dfd);
		return ret;
	}
	pthread_mutex_lock(&lx.lock);
	if (lx.ndisks < (int)(sizeof(lx.disk_fds) / sizeof(lx.disk_fds[0])))
		lx.disk_fds[lx.ndisks++] = dfd;
	pthread_mutex_unlock(&lx.lock);
	return ret;
}

static long lx_part_devno(int idx, int part)
{
	long args[6] = { idx, part };
	struct lx_k_req req = { .op = LX_K_DISK_DEVNO, .args = args };

	return lx_call(lx.root, &req);
}

long lx_disk_devno(int idx)
{
	return lx_part_devno(idx, 0);
}

static long lx_root_call(long nr, long a0, long a1, long a2, long a3,
			 long a4)
{
	long args[6] = { a0, a1, a2, a3, a4, 0 };

	return lx_task_syscall(lx.root, nr, args);
}

static int lx_mkdir_p(const char *path)
{
	char *p = strdup(path);
	long ret = 0;

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			ret = lx_root_call(LXN_mkdirat, LX_AT_FDCWD, (long)p,
					   0755, 0, 0);
			*s = c;
			if (ret < 0 && ret != -EEXIST)
				break;
			ret = 0;
			if (!c)
				break;
		}
	}
	free(p);
	return ret;
}

int lx_mount(const char *source, const char *target, const char *fstype,
	     unsigned long flags, const char *data)
{
	long ret;

	if (!lx.root)
		return -ENODEV;
	ret = lx_mkdir_p(target);
	if (ret < 0)
		return ret;
	ret = lx_root_call(LXN_mount, (long)source, (long)target, (long)fstype,
			   flags, (long)data);
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&lx.lock);
	if (lx.nmounts < (int)(sizeof(lx.mounts) / sizeof(lx.mounts[0])))
		lx.mounts[lx.nmounts++] = strdup(target);
	pthread_mutex_unlock(&lx.lock);
	return 0;
}

/* Is the file system at target the one on device dev (mknod's encoding)? */
static int lx_mounted_from(const char *target, long dev)
{
	struct statx stx;
	unsigned int major = (dev & 0xfff00) >> 8;
	unsigned int minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);

	memset(&stx, 0, sizeof(stx));
	if (lx_root_call(LXN_statx, LX_AT_FDCWD, (long)target, 0,
			 STATX_BASIC_STATS, (long)&stx) < 0)
		return 1; /* cannot tell: keep the mount */
	return stx.stx_dev_major == major && stx.stx_dev_minor == minor;
}

int lx_mount_disk_part(int idx, int part, const char *target,
		       const char *fstype, unsigned long flags,
		       const char *data)
{
	char dev[32];
	long devno, ret;

	if (idx < 0 || idx >= 26 || part < 0 || part > 255)
		return -ENXIO;
	devno = lx_part_devno(idx, part);
	if (devno < 0)
		return devno;
	if (part)
		snprintf(dev, sizeof(dev), "/dev/lxd%c%d", 'a' + idx, part);
	else
		snprintf(dev, sizeof(dev), "/dev/lxd%c", 'a' + idx);
	/* Without devtmpfs on /dev the node is ours to make. */
	lx_mkdir_p("/dev");
	ret = lx_root_call(LXN_mknodat, LX_AT_FDCWD, (long)dev, 060600,
			   devno, 0);
	if (ret < 0 && ret != -EEXIST)
		return ret;
	ret = lx_mount(dev, target, fstype, flags, data);
	if (ret < 0)
		return ret;
	/*
	 * A file system that needs no device (tmpfs, proc) mounts whatever
	 * the source: the caller asked for the disk, so that is an error.
	 */
	if (!lx_mounted_from(target, devno)) {
		lx_root_call(LXN_umount2, (long)target, LX_MNT_DETACH, 0, 0, 0);
		return -ENOTBLK;
	}
	return 0;
}

int lx_mount_disk(int idx, const char *target, const char *fstype,
		  unsigned long flags, const char *data)
{
	return lx_mount_disk_part(idx, 0, target, fstype, flags, data);
}

int lx_chroot(const char *path)
{
	long ret = lx_root_call(LXN_chdir, (long)path, 0, 0, 0, 0);

	if (ret < 0)
		return ret;
	ret = lx_root_call(LXN_chroot, (long)".", 0, 0, 0, 0);
	if (ret < 0)
		return ret;
	/* Mount points recorded so far are now seen from the new root. */
	pthread_mutex_lock(&lx.lock);
	for (int i = 0; i < lx.nmounts; i++) {
		size_t n = strlen(path);

		if (!strncmp(lx.mounts[i], path, n) &&
		    (lx.mounts[i][n] == '/' || lx.mounts[i][n] == '\0')) {
			char *rel = lx.mounts[i][n] ? strdup(lx.mounts[i] + n)
						    : strdup("/");
			if (rel) {
				free(lx.mounts[i]);
				lx.mounts[i] = rel;
			}
		}
	}
	pthread_mutex_unlock(&lx.lock);
	ret = lx_root_call(LXN_chdir, (long)"/", 0, 0, 0, 0);
	if (ret == 0) {
		/* an unchanged "last mounted on" is not rewritten (lastmnt.c) */
		struct lx_k_req req = { .op = LX_K_LASTMNT };

		lx_call(lx.root, &req);
	}
	return ret;
}

static int lx_wait_quiet(int ms)
{
	struct timespec ts;
	int ok;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&lx_rt.lock);
	while (lx_rt.threads > 0 || lx_rt.inside > 0)
		if (pthread_cond_timedwait(&lx_rt.quiet, &lx_rt.lock, &ts))
			break;
	ok = lx_rt.threads == 0 && lx_rt.inside == 0;
	pthread_mutex_unlock(&lx_rt.lock);
	return ok;
}

int lx_pin_threads(int on)
{
	cpu_set_t one;
	int cpu, err = 0;

	pthread_mutex_lock(&lx.lock);
	if (!on == !lx.pinned)
		goto out;
	if (on) {
		if (sched_getaffinity(0, sizeof(lx.unpinned), &lx.unpinned)) {
			err = -errno;
			goto out;
		}
		cpu = sched_getcpu();
		/* One CPU (or none we can name): nothing to gain. */
		if (CPU_COUNT(&lx.unpinned) < 2 || cpu < 0 ||
		    !CPU_ISSET(cpu, &lx.unpinned))
			goto out;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		if (sched_setaffinity(0, sizeof(one), &one)) {
			err = -errno;
			goto out;
		}
		lx.pinned = 1;
		/* A spinner on the owner's only CPU would only delay it. */
		__atomic_store_n(&lx_rt.spin, 0, __ATOMIC_RELAXED);
		err = lx_rt_set_affinity(&one);
	} else {
		lx.pinned = 0;
		err = lx_rt_set_affinity(&lx.unpinned);
		if (sched_setaffinity(0, sizeof(lx.unpinned), &lx.unpinned) &&
		    !err)
			err = -errno;
		__atomic_store_n(&lx_rt.spin, lx_rt.spin_cpus,
				 __ATOMIC_RELAXED);
	}
out:
	pthread_mutex_unlock(&lx.lock);
	return err;
}

static int lx_halt_common(int exiting)
{
	struct lx_k_req req = { .op = LX_K_HALT, .nr = exiting };
	int err = 0;

	pthread_mutex_lock(&lx.lock);
	if (!lx.root || lx.halted) {
		pthread_mutex_unlock(&lx.lock);
		return 0;
	}
	pthread_mutex_unlock(&lx.lock);

	/* Unmount what we mounted, innermost first; sync covers the rest. */
	for (int i = lx.nmounts - 1; i >= 0; i--) {
		long ret = lx_root_call(LXN_umount2, (long)lx.mounts[i], 0, 0, 0, 0);

		if (ret == -EBUSY) {
			err = err ? err : -EBUSY;
			lx_root_call(LXN_umount2, (long)lx.mounts[i],
				     LX_MNT_DETACH, 0, 0, 0);
		}
		free(lx.mounts[i]);
	}
	lx.nmounts = 0;

	lx_call(lx.root, &req);
	__atomic_store_n(&lx.halted, 1, __ATOMIC_RELEASE);
	lx_rt_halt_waiters();
	lx_rt_timer_stop();
	lx_rt_flusher_stop();
	/*
	 * The exit reclaims the rest: the RAM stays mapped and the disks
	 * open for a thread still parked, whose exit is the host's now.
	 */
	if (exiting)
		return err;

	/*
	 * Free the kernel's RAM once no host thread can touch it any more.
	 * Thread records stay (reachable): late callers still read them.
	 */
	if (lx_wait_quiet(5000)) {
		if (lx_rt.ram)
			lx_host_mem_free(lx_rt.ram, lx_rt.ram_size);
		lx_rt.ram = NULL;
	}
	for (int i = 0; i < lx.ndisks; i++)
		close(lx.disk_fds[i]);
	lx.ndisks = 0;
	free(lx.root);
	free(lx.cmdline);
	struct lx_task *mine = pthread_getspecific(lx.key);
	pthread_setspecific(lx.key, NULL);
	free(mine);
	return err;
}

int lx_halt(void)
{
	return lx_halt_common(0);
}

int lx_halt_exiting(void)
{
	return lx_halt_common(1);
}

const char *lx_strerror(long err)
{
	return strerror(err < 0 ? (int)-err : (int)err);
}
