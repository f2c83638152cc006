/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lx: Linux 6.12 as an in-process library - the public API.
 *
 * Every function here may be called from any host thread. Syscall numbers,
 * flags and structure layouts are the kernel's asm-generic ABI: use the
 * LX_-prefixed names from <lx/uapi.h>, never the host's.
 *
 * Return convention: >= 0 on success, -errno (asm-generic numbering, which
 * equals the host's on x86_64 and aarch64) on failure.
 */
#ifndef LX_LX_H
#define LX_LX_H

#ifdef __cplusplus
extern "C" {
#endif

/* A kernel task context: its own cwd, root, umask, credentials, fd table. */
struct lx_task;

struct lx_boot_opts {
	/* Kernel command line, e.g. "mem=128M loglevel=4". NULL: defaults. */
	const char *cmdline;
	/* Kernel log (printk) is written here when >= 0; -1 = silent. */
	int console_fd;
	/* Host stack size for kernel threads in bytes; 0 = default (128 KiB). */
	unsigned long thread_stack_size;
	/*
	 * Called during boot, from a kernel thread, with each word of
	 * cmdline the kernel does not know, which Linux hands to init: its
	 * "Unknown kernel command line parameters" notice's words and those
	 * after "--" (module parameters "mod.param=" are not among them).
	 * May be NULL.
	 */
	void (*unknown_param)(const char *word);
};

/* Boot the kernel. Returns 0 once the kernel can take syscalls. */
int lx_boot(const struct lx_boot_opts *opts);

/*
 * on != 0: hold the kernel's host threads, those it starts from now on and
 * the caller to the caller's current CPU; on == 0: give them all the
 * caller's mask from before. Boot, mount and unmount are chains of
 * hand-offs between kernel threads: on one CPU each is a plain switch,
 * across CPUs a cross-CPU wake-up (~20 us on small VMs). Waiters do not
 * spin while pinned. A no-op when the caller may run on one CPU only.
 * Returns 0 or -errno.
 */
int lx_pin_threads(int on);

/*
 * Register a disk backed by host fd @fd (the library dups it). Works before
 * or after boot. Returns the disk index (0 for the first, the kernel names
 * it /dev/lxda, 1 -> /dev/lxdb, ...) or -errno.
 */
int lx_disk_add(int fd, int readonly);

/* Device number (MKDEV form, new_encode_dev) of disk @idx, or -errno. */
long lx_disk_devno(int idx);

/*
 * Issue syscall @nr with six arguments as the calling host thread's own
 * task. That task is created on first use as a fork of the root task
 * (see lx_task_root) and lives until lx_thread_detach() or halt.
 * Pointer arguments are plain host pointers.
 */
long lx_syscall(long nr, const long args[6]);
long lx_syscall6(long nr, long a1, long a2, long a3, long a4, long a5,
		 long a6);

/* Forget the calling thread's own task (ends it). */
void lx_thread_detach(void);

/*
 * Task contexts. lx_task_fork() makes a new task as a fork of @parent
 * (NULL: the root task): it gets a copy of the parent's fd table, fs
 * (cwd, root, umask) and credentials unless @clone_flags (LX_CLONE_FILES,
 * LX_CLONE_FS) asks to share them. A task runs syscalls from any host
 * thread, one call at a time (concurrent callers on one task serialise).
 */
struct lx_task *lx_task_root(void);
struct lx_task *lx_task_fork(struct lx_task *parent, unsigned long clone_flags);
long lx_task_syscall(struct lx_task *task, long nr, const long args[6]);
/*
 * A new fd in @to for the open file at @fd of @from (as pidfd_getfd, but
 * with no ptrace check: tasks of different users may share files this
 * way). @flags: LX_O_CLOEXEC or 0, and LX_GETFD_QUIET for a new open of
 * the same file with the same access mode instead, whose opening, reads,
 * writes and closing inotify does not see (as fanotify's own opens), that
 * sets no atime and shares no offset or flags with @fd's;
 * LX_GETFD_ACCESSED installs nothing and marks the file accessed, as an
 * mmap of it does. Returns the fd (0) or -errno.
 */
#define LX_GETFD_QUIET    0x1
#define LX_GETFD_ACCESSED 0x2
long lx_task_getfd(struct lx_task *to, struct lx_task *from, int fd,
		   int flags);
/*
 * Is @pid (the kernel's number) a kernel thread's? 1, 0 for any other
 * task (a guest process's, one the host keeps for itself), -ESRCH.
 */
int lx_pid_is_kthread(int pid);
/*
 * May @task read @target's private /proc entries (environ, maps, fd/, the
 * exe link: ptrace's read access, in the tasks' credentials)? 0, or
 * -EACCES as /proc answers.
 */
int lx_task_may_read(struct lx_task *task, struct lx_task *target);
/*
 * The path of @task's open file @fd as @task sees it (from its root), as
 * readlink of /proc/self/fd/N gives it, into @buf of @len bytes. Returns
 * its length or -errno (-ENAMETOOLONG when it does not fit).
 */
long lx_task_fd_path(struct lx_task *task, int fd, char *buf, size_t len);
/*
 * Which "kbox-bind" trap the last component of absolute @path reaches
 * when @task walks it (its root and mounts; a last symlink is not
 * followed): the id given in the trap's mount data ("id=N"), or 0 when
 * it reaches something else (a mount over the trap's parent, a trap
 * above the last component) or fails.
 */
long lx_task_bindtrap(struct lx_task *task, const char *path);
/*
 * The same for @path relative to @task's directory fd @dirfd (no ".."
 * in it: the walk cannot leave that directory upwards): a name relative
 * to a directory opened before a guest mount covered it reaches what is
 * beneath, as natively.
 */
long lx_task_bindtrap_at(struct lx_task *task, int dirfd, const char *path);
/*
 * End the interruptible wait (a FIFO open or read, an flock or F_SETLKW
 * wait, an inotify read) of the call host thread @caller (a pthread_t)
 * is making as @task, as a signal would: that call returns -EINTR. From
 * another thread. -ESRCH when @task runs no call of @caller's; a request
 * that arrives between calls is dropped. 0 or -errno.
 */
int lx_task_interrupt(struct lx_task *task, unsigned long caller);
/*
 * The effective uid and gid of @task's credentials, read without waiting
 * for @task (it may be blocked in a call). 0 or -errno.
 */
int lx_task_ids(struct lx_task *task, unsigned int *euid, unsigned int *egid);
/* The same for the real uid and gid (SCM_CREDENTIALS carries those). */
int lx_task_real_ids(struct lx_task *task, unsigned int *uid,
		     unsigned int *gid);
/*
 * @task's supplementary groups, the first @room of them into @gids, read
 * as lx_task_ids() does. Their number, or -errno.
 */
int lx_task_groups(struct lx_task *task, unsigned int *gids, int room);
/*
 * Readiness mirrors: keep a host pipe readable exactly while an lx file
 * (an inotify instance, a FIFO or a POSIX message queue) is readable, so
 * that a host fd standing for the file can be polled.
 * LX_MIRROR_ADD (@a = read end, @b = write end of a non-blocking host
 *   pipe): mirror lx fd @fd of @task; lx owns both ends from then on and
 *   closes them when the mirror goes. -EEXIST if the file has a mirror,
 *   -EINVAL if it is of another kind. An O_RDWR FIFO or a queue needs a
 *   socket pair (SO_SNDBUF at its minimum) instead; a FIFO's write end a
 *   pipe with @a its write end (the guest's) and @b its read end.
 * LX_MIRROR_SYNC: re-check the file after a read (readiness that went
 *   away is not signalled by the file). With @fd < 0 the mirror is the one
 *   whose read end is @a. @b >= 0 sets the host's own readiness (the pipe
 *   is readable while it or the file says so). -ENOENT without a mirror.
 * LX_MIRROR_RFD: the read end of @fd's mirror, or -ENOENT.
 * <asm/lx_host.h> defines the same macros for the kernel side; api.c
 * sees both, so a mismatch is a redefinition error.
 */
#define LX_MIRROR_ADD	0
#define LX_MIRROR_SYNC	1
#define LX_MIRROR_RFD	2
#define LX_MIRROR_GC	3
long lx_task_mirror(struct lx_task *task, int cmd, int fd, int a, int b);
/*
 * Drop the mirrors of files no task holds any more; returns how many went
 * and stores up to @max of their read ends (closed now) in @closed.
 */
long lx_mirror_gc(int *closed, int max);
/*
 * The signals lx has sent for the guest since the last call: those of
 * send_sigio (a lease break, dnotify, O_ASYNC: si_code SI_KERNEL or a
 * POLL_* reason), send_sigurg and mq_notify(SIGEV_SIGNAL) (SI_MESGQ). lx
 * tasks never run signal handlers, so the host must send them to the
 * processes the tasks stand for. Takes them from every task and stores
 * up to @max of them in @out, LX_SIG_LONGS longs each: the target's
 * tgid, its thread's pid for a signal to one thread (else 0), the signal,
 * si_code, then si_band and si_fd (-1: none), or for SI_MESGQ its
 * sigev_value and 0, then the sender's pid and uid (si_pid, si_uid; 0
 * but for SI_MESGQ). Returns how many there were: call until it is 0.
 * lx_signals_fd(@wfd): a non-blocking host pipe's write end that lx
 * writes a byte to when it queues a signal (at most once between calls
 * of lx_signals; the caller keeps the fd). -1: none.
 * <asm/lx_host.h> defines the same macro for the kernel side.
 */
#define LX_SIG_LONGS	8
long lx_signals(long *out, int max);
int lx_signals_fd(int wfd);
/* The task's kernel pid, read without waiting for a call it is in. */
int lx_task_tid(struct lx_task *task);
/*
 * Put the task's process in process group @pgrp (a host pgid) in lx, so
 * that F_SETOWN of the group finds it and signals the group's members.
 * 0 or -errno.
 */
int lx_task_set_pgrp(struct lx_task *task, int pgrp);
/*
 * System V shared memory whose memory is a host segment (the guest maps
 * the host's; lx names it and checks permissions), as @task:
 * LX_SHM_CREATE (@a = key, @b = size, @c = shmget flags, @d = id):
 *   shmget(), except that a segment it makes gets the id @d (that of the
 *   host segment behind it). Returns the id or -errno.
 * LX_SHM_MAY_ATTACH (@a = id, @b = shmat flags): 0 if @task may attach
 *   it, or -errno as shmat() gives.
 * LX_SHM_PERM (@a = array of uid, gid, cuid, cgid, mode; @b = shmat
 *   flags or LX_SHM_PERM_OWNER): the same check, or the owner check of
 *   IPC_SET and IPC_RMID, for a segment lx no longer has (removed while
 *   attached). 0 or -errno.
 * <asm/lx_host.h> defines the same macros for the kernel side.
 */
#define LX_SHM_CREATE		0
#define LX_SHM_MAY_ATTACH	1
#define LX_SHM_PERM		2
#define LX_SHM_PERM_OWNER	(-1L)
long lx_task_shm(struct lx_task *task, int cmd, long a, long b, long c, long d);
/*
 * The change counter (i_version) of @task's file @fd: it differs after
 * any change of the file's data or size made after the call, however
 * soon (mtime and ctime come from a coarse clock). 0 for a filesystem
 * that keeps none; -errno.
 */
long lx_task_file_version(struct lx_task *task, int fd);
/* The same for an exec of it: -ETXTBSY while it is open for writing. */
long lx_task_exec_version(struct lx_task *task, int fd);
/* Close the task's O_CLOEXEC files, as execve does. */
int lx_task_exec(struct lx_task *task);
/*
 * The credentials execve gives (set-user/group-ID bits, capability
 * rules), in two steps, so that a failed host exec leaves them alone:
 * LX_CREDS_PREPARE with @arg = the task's fd of the program returns a
 * handle (> 0) or -errno, and sets *@secure when the exec is a secure
 * one (AT_SECURE: the ids or capabilities change); LX_CREDS_COMMIT gives
 * the task the handle's credentials, LX_CREDS_DROP forgets them. Every
 * handle is committed or dropped once.
 */
#define LX_CREDS_PREPARE	0
#define LX_CREDS_COMMIT		1
#define LX_CREDS_DROP		2
long lx_task_exec_creds(struct lx_task *task, int cmd, long arg, int *secure);
/*
 * An exec by a thread whose task is @from (not @task, its process's):
 * @task takes @from's credentials and fs (cwd, root, umask), as the host
 * makes the thread the process. 0 or -errno.
 */
int lx_task_adopt(struct lx_task *task, struct lx_task *from);
/* The task's kernel pid. */
int lx_task_pid(struct lx_task *task);
/*
 * Renumber a single-threaded task to @pid (the host pid of the process it
 * serves). Returns 0 or -errno (-EEXIST when the number is taken).
 */
int lx_task_set_pid(struct lx_task *task, int pid);
/*
 * The same, done on entry to the task's next call (no round trip of its
 * own); if the number is taken then, the task keeps its own.
 */
void lx_task_set_pid_later(struct lx_task *task, int pid);
/* End the task: its files are closed before this returns. */
void lx_task_exit(struct lx_task *task);
/*
 * End the task as lx_task_exit() does (the handle is freed), but keep it
 * a zombie numbered @pid, as Linux keeps an exited process until its
 * parent reaps it: /proc/<pid> and the /proc listing show it. Returns the
 * zombie for lx_zombie_reap(), or NULL if the task did not have number
 * @pid (it is then gone as with lx_task_exit()). The @nreap zombies of
 * @reap are reaped in the same call (as by lx_zombie_reap()).
 */
struct lx_zombie;
struct lx_zombie *lx_task_exit_zombie(struct lx_task *task, int pid,
				      struct lx_zombie *const *reap,
				      int nreap);
/*
 * Reap @n zombies of lx_task_exit_zombie() (the host reaped their
 * processes). One lx reaped already (its number went to a new process's
 * task, or its lx parent ended) is only forgotten. Returns how many lx
 * reaped here.
 */
int lx_zombie_reap(struct lx_zombie *const *zombies, int n);

/*
 * Halt: sync, unmount everything lx_mount*() mounted (in reverse), stop
 * every kernel thread. Threads blocked in a syscall get -ESHUTDOWN, as
 * does every later call. Returns 0, or -errno if a filesystem could not be
 * unmounted cleanly (it is still synced).
 */
int lx_halt(void);
/*
 * lx_halt() for a process that exits right after: the same sync and
 * unmounts, but the kernel's threads stay parked and its RAM mapped for
 * the exit to reclaim, instead of each thread being woken to end itself
 * (~1 ms on one CPU). Later calls fail with -ESHUTDOWN, as after
 * lx_halt(); nothing of lx's is freed.
 */
int lx_halt_exiting(void);
/*
 * The first error (-errno) a host write or flush of any disk returned
 * (the host file system under the image full, the image made read-only
 * or removed under a running lx), or 0: writes since may be lost.
 */
int lx_disk_write_error(void);
/*
 * For tests: run @hook(fd) instead of fdatasync(fd) for every disk flush
 * from now on (NULL: fdatasync again). Its -errno is the flush's result.
 */
void lx_blk_flush_hook(long (*hook)(int fd));

/* Helpers, run as the root task (affect every task forked afterwards). */
/* mount(2) that also creates @target (mkdir -p) and records it for halt. */
int lx_mount(const char *source, const char *target, const char *fstype,
	     unsigned long flags, const char *data);
/* Mount disk @idx at @target. */
int lx_mount_disk(int idx, const char *target, const char *fstype,
		  unsigned long flags, const char *data);
/*
 * Mount partition @part (1-15, as the kernel's partition parser numbered
 * it: MBR or GPT) of disk @idx at @target. -ENXIO if there is no such
 * partition.
 */
int lx_mount_disk_part(int idx, int part, const char *target,
		       const char *fstype, unsigned long flags,
		       const char *data);
/* chdir(@path) + chroot(".") in the root task. */
int lx_chroot(const char *path);

/* errno name for an -errno value, for messages. */
const char *lx_strerror(long err);

#ifdef __cplusplus
}
#endif
#endif
