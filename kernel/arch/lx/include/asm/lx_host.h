/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The boundary between the lx kernel and its host runtime. Included by
 * kernel code and by host (libc) code alike, so it uses plain C types only.
 */
#ifndef _ASM_LX_HOST_H
#define _ASM_LX_HOST_H

#define LX_IRQ_TIMER	1	/* the one-shot host timer expired */
#define LX_IRQ_ENTER	2	/* a host thread waits to enter a task */
#define LX_IRQ_BLK	3	/* a disk flush the host ran finished */
#define LX_IRQ_MAX	8

/*
 * Host-side record of one kernel task: the semaphore its host thread parks
 * on while the task is switched out, and the entry state of the host
 * thread that "embodies" the task while it runs a syscall for a caller.
 */
struct lx_thread {
	void *sem;			/* host semaphore */
	void *use_lock;			/* host mutex: one caller at a time */
	void *task;			/* struct task_struct * */
	void *leave_jb;			/* jmp_buf * of the current entry */
	struct lx_thread *enter_next;	/* LX_IRQ_ENTER queue link */
	long result;			/* syscall result handed to the caller */
	int embodied;			/* no host thread of its own */
	int wants_enter;		/* a caller waits to run as this task */
	int queued;			/* on the LX_IRQ_ENTER queue (host lock) */
	int leaving;			/* next switch-out returns to the caller */
	int started;			/* own host thread has been created */
	unsigned long caller;		/* host thread of the current call */
};

/* --- provided by the host runtime (kernel/host) --- */
struct lx_thread *lx_host_thread_alloc(void);
void lx_host_thread_free(struct lx_thread *t);
/* Start a host thread that runs fn(arg); it is counted until it exits. */
int lx_host_thread_start(struct lx_thread *t, void (*fn)(void *), void *arg);
void lx_host_thread_exit(void) __attribute__((noreturn));
void lx_host_sem_down(void *sem);
void lx_host_sem_up(void *sem);
void lx_host_longjmp(void *jb) __attribute__((noreturn));
/*
 * Run fn(arg) with t->leave_jb pointing into this frame; returns when the
 * task leaves the kernel (a longjmp from __switch_to).
 */
long lx_host_entry(struct lx_thread *t, void (*fn)(void *), void *arg);
/*
 * Mark t as wanting to be entered and queue it for LX_IRQ_ENTER (raised
 * here); the handler pops it. Fails (-1) once the kernel is halting, so no
 * caller can park after halt has unparked everyone.
 */
int lx_host_enter_begin(struct lx_thread *t);
struct lx_thread *lx_host_enter_pop(void);

/* Interrupts: raise from any host thread; fetch/clear by the CPU owner. */
void lx_host_irq_raise(int irq);
unsigned long lx_host_irq_pending(void);
unsigned long lx_host_irq_fetch(void);
/* Idle: block until an interrupt is pending or the kernel halts. */
/*
 * The idle task's host thread waits in lx_host_idle_wait() with the CPU
 * free. A caller may then borrow the CPU (lx_host_cpu_borrow) and run
 * kernel code as idle on its own thread, with no thread hand-off; idle's
 * thread keeps waiting until the CPU is given back (lx_host_idle_release),
 * or idle is switched back in (lx_host_idle_resume).
 */
#define LX_IDLE_IRQ	0	/* an interrupt arrived (or halt) */
#define LX_IDLE_RESUME	1	/* switched back in: finish the switch */
#define LX_IDLE_KICK	2	/* given back with work to do: just return */
int lx_host_idle_wait(void);
int lx_host_cpu_borrow(void);
int lx_host_idle_lent(void);
void lx_host_idle_release(int kick);
void lx_host_idle_resume(void *idle_sem);

/* Time. */
unsigned long long lx_host_time_ns(void);	/* CLOCK_MONOTONIC */
unsigned long long lx_host_realtime_ns(void);	/* CLOCK_REALTIME */
void lx_host_timer_set(unsigned long long deadline_ns); /* 0 = cancel */

/* Memory for the kernel's RAM. */
void *lx_host_mem_alloc(unsigned long size);
void lx_host_mem_free(void *p, unsigned long size);
unsigned long long lx_host_ram_bytes(void);	/* 0: unknown */

/* Console and fatal errors. */
void lx_host_console_write(const char *s, unsigned int len);
void lx_host_panic(const char *msg) __attribute__((noreturn));

/* Block I/O on a host file descriptor; 0 or -errno. */
long lx_host_blk_rw(int fd, int write, void *buf, unsigned long len,
		    unsigned long long off);
/* Same layout as the host's struct iovec. */
struct lx_host_iov {
	void *base;
	unsigned long len;
};
/* @n contiguous-on-disk buffers from @off in one host call (n <= 64). */
long lx_host_blk_rwv(int fd, int write, struct lx_host_iov *iov, int n,
		     unsigned long long off);
long lx_host_blk_flush(int fd);
/*
 * The same on the host's flush thread: queue fdatasync(@fd) and return
 * (0, or -errno if it cannot be queued); LX_IRQ_BLK is raised when it is
 * done, and lx_host_blk_flush_done() then hands back @cookie and the
 * result, NULL when no more are done. At most LX_HOST_BLK_FLUSHES queued
 * and unreaped at once.
 */
#define LX_HOST_BLK_FLUSHES	16
int lx_host_blk_flush_start(int fd, void *cookie);
void *lx_host_blk_flush_done(long *err);
long lx_host_blk_discard(int fd, unsigned long long off,
			 unsigned long long len);
long long lx_host_blk_size(int fd);

/* @len bytes from the host's random generator; 0 or -errno. */
long lx_host_random(void *buf, unsigned long len);

/*
 * Readiness mirrors: make a host pipe readable (one byte written to its
 * non-blocking write end @fd), drain it again (read end), close a host fd.
 * A socket mirror's read end stops polling writable once
 * lx_host_fd_fill() filled its send buffer, and polls writable again when
 * its peer @fd is drained; a pipe's write end the same way. A new file of
 * the pipe host fd @fd is part of, its write end if @write else its read
 * end, non-blocking: lx_host_fd_reopen() returns its fd or -1.
 */
void lx_host_fd_signal(int fd);
void lx_host_fd_drain(int fd);
void lx_host_fd_fill(int fd);
void lx_host_fd_close(int fd);
int lx_host_fd_reopen(int fd, int write);
/* Wake the writers of the host pipe @fd is part of (an epoll edge). */
void lx_host_fd_poke(int fd);

/* Boot parameters the host passed to lx_k_boot. */
struct lx_k_boot_args {
	const char *cmdline;
	void (*booted)(void *pid1); /* pid 1 is ready to be embodied */
	/* each word of cmdline Linux would hand to init; may be NULL */
	void (*unknown)(const char *word);
};

/* --- provided by the kernel side (arch/lx) --- */
void lx_k_start_kernel(void *boot_args);

enum lx_k_op {
	LX_K_NOP,	/* enter and leave: parks a freshly forked task */
	LX_K_SYSCALL,	/* nr, args[6] */
	LX_K_FORK,	/* nr = clone flags; returns the task in ret_task */
	LX_K_EXEC,	/* close O_CLOEXEC files */
	LX_K_EXIT,	/* do_exit() the task; nr = its pid: kept a zombie */
	LX_K_PID,
	LX_K_DISK_ADD,	/* args[0] = fd, args[1] = read-only */
	LX_K_DISK_DEVNO,/* args[0] = index, args[1] = partition (0: disk) */
	LX_K_HALT,	/* sync, stop every host thread of the kernel;
			 * nr != 0: leave them parked (the process exits) */
	LX_K_SETPID,	/* args[0] = the pid the task should have */
	LX_K_MIRROR,	/* args[0] = LX_MIRROR_*, then its arguments */
	LX_K_GETFD,	/* args[0] = task to take fd args[1] from, args[2] = O_CLOEXEC or 0 */
	LX_K_INTERRUPT,	/* args[0] = task, args[1] = its caller: end its wait */
	LX_K_CREDS,	/* args[0] = LX_CREDS_*, args[1], args[2]: exec's ids */
	LX_K_FDPATH,	/* args[0] = fd, args[1] = buffer, args[2] = its size */
	LX_K_MAYREAD,	/* args[0] = task: may current read its /proc entries */
	LX_K_KTHREAD,	/* args[0] = pid: is it a kernel thread's */
	LX_K_SHM,	/* nr = LX_SHM_*, then its arguments */
	LX_K_FILEVER,	/* args[0] = fd: its inode's change counter */
	LX_K_IDS,	/* args[0] = task, [1] = real: its (e)uid | (e)gid << 32 */
	LX_K_GROUPS,	/* args[0] = task, [1] = gid buffer, [2] = its room: count */
	LX_K_ADOPT,	/* args[0] = thread task: take its ids and fs (its exec) */
	LX_K_SIGS,	/* nr = LX_SIGS_*, then its arguments: signals for the host */
	LX_K_LASTMNT,	/* keep ext4's "last mounted on" if current's root has it */
	LX_K_BINDTRAP,	/* args[0] = path, [1] = dir fd: the trap id reached */
	LX_K_REAP,	/* args[0] = array of kept zombies, args[1] = count */
};

/* LX_K_MIRROR commands (see lx_task_mirror() in lx/lx.h). */
#define LX_MIRROR_ADD	0
#define LX_MIRROR_SYNC	1
#define LX_MIRROR_RFD	2
#define LX_MIRROR_GC	3
/* LX_K_GETFD flags beside O_CLOEXEC (see lx_task_getfd() in lx/lx.h). */
#define LX_GETFD_QUIET		0x1
#define LX_GETFD_ACCESSED	0x2
/* LX_K_SIGS (see lx_signals() in lx/lx.h). */
#define LX_SIG_LONGS	8
#define LX_SIGS_TAKE	0
#define LX_SIGS_FD	1
#define LX_SIGS_PID	2
#define LX_SIGS_PGRP	3
/* LX_K_SHM commands (see lx_task_shm() in lx/lx.h). */
#define LX_SHM_CREATE		0
#define LX_SHM_MAY_ATTACH	1
#define LX_SHM_PERM		2
#define LX_SHM_PERM_OWNER	(-1L)
#define LX_CREDS_PREPARE	0
#define LX_CREDS_COMMIT		1
#define LX_CREDS_DROP		2

struct lx_k_req {
	int op;
	void *task;		/* struct task_struct * to run as */
	long nr;
	const long *args;
	void *ret_task;
	int set_pid;		/* if non-zero, LX_K_SETPID first (errors ignored) */
	unsigned long caller;	/* the host thread making the call */
};

/* Entry from lx_host_entry(): run @req as req->task; result in t->result. */
void lx_k_run(void *req);
/* struct lx_thread of a task; take/drop a task_struct reference. */
struct lx_thread *lx_k_task_host(void *task);

#endif
