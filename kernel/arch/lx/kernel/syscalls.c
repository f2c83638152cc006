// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall table and the entry point host callers come in through.
 */
#include <linux/syscalls.h>
#include <linux/signal.h>
#include <linux/unistd.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/sched/coredump.h>
#include <linux/sched/task.h>
#include <linux/sched/signal.h>
#include <linux/ptrace.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/errno.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/idr.h>
#include <linux/iversion.h>
#include <linux/cred.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <asm/syscalls.h>
#include <asm/lx_host.h>

#include "lx.h"

/*
 * lx tasks run no user code, so calls that create, replace or map user
 * contexts have no meaning here; the host kernel serves those.
 */
#define sys_clone	sys_ni_syscall
#define sys_clone3	sys_ni_syscall
#define sys_execve	sys_ni_syscall
#define sys_execveat	sys_ni_syscall
#define sys_rt_sigreturn sys_ni_syscall
#define sys_mmap	sys_ni_syscall

#undef __SYSCALL
#define __SYSCALL(nr, call) [nr] = (lx_syscall_fn)(call),
#define __SYSCALL_WITH_COMPAT(nr, native, compat) __SYSCALL(nr, native)

const lx_syscall_fn lx_sys_call_table[__NR_syscalls] = {
	[0 ... __NR_syscalls - 1] = (lx_syscall_fn)sys_ni_syscall,
#include <asm/syscall_table_64.h>
};

static long lx_do_syscall(long nr, const long *a)
{
	long ret;

	if (nr < 0 || nr >= __NR_syscalls)
		return -ENOSYS;
	ret = lx_sys_call_table[nr](a[0], a[1], a[2], a[3], a[4], a[5]);
	switch (ret) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		ret = -EINTR;
		break;
	}
	return ret;
}

/*
 * What exec does to the credentials of a program that is neither set-ID
 * nor has file capabilities (lx has no security xattrs; set-ID programs
 * get theirs from execcred.c, committed after this): the saved and fs
 * ids become the effective ones (prepare_exec_creds), and commoncap's
 * cap_bprm_creds_from_file gives root its bounding set and others only
 * their ambient capabilities, and clears SECURE_KEEP_CAPS. Without it a
 * capability kept with PR_SET_KEEPCAPS survived exec, and so did a saved
 * uid of 0 behind a dropped effective one.
 */
static int lx_exec_creds_plain(void)
{
	const struct cred *old = current_cred();
	struct cred *new = prepare_exec_creds();
	bool root;

	if (!new)
		return -ENOMEM;
	root = !issecure(SECURE_NOROOT) &&
	       (uid_eq(new->euid, GLOBAL_ROOT_UID) ||
		uid_eq(new->uid, GLOBAL_ROOT_UID));
	cap_clear(new->cap_permitted);
	if (root)
		new->cap_permitted = cap_combine(old->cap_bset,
						 old->cap_inheritable);
	new->cap_permitted = cap_combine(new->cap_permitted, new->cap_ambient);
	if (root && uid_eq(new->euid, GLOBAL_ROOT_UID))
		new->cap_effective = new->cap_permitted;
	else
		new->cap_effective = new->cap_ambient;
	new->securebits &= ~issecure_mask(SECURE_KEEP_CAPS);
	return commit_creds(new);
}

/* What execve does to the fd table: unshare it and close O_CLOEXEC files. */
static long lx_do_exec(void)
{
	int err = unshare_files();

	if (err)
		return err;
	err = lx_exec_creds_plain();
	if (err)
		return err;
	do_close_on_exec(current->files);
	/* As exec does: dumpable again unless the ids differ (setuid). */
	if (current->mm && uid_eq(current_euid(), current_uid()) &&
	    gid_eq(current_egid(), current_gid()))
		set_dumpable(current->mm, SUID_DUMP_USER);
	return 0;
}

/*
 * An exec by a thread that is not the process's first: the host makes
 * that thread the process (de_thread), with its own credentials (a raw
 * setresuid changes one thread's) and fs (cwd, root, umask: it may have
 * unshared CLONE_FS), so the process's task takes them from the thread's
 * task @from. The fs is shared, not copied, as the thread's was: exec
 * does not unshare it.
 */
static long lx_adopt(struct task_struct *from)
{
	const struct cred *fc;
	struct cred *new;
	struct fs_struct *fs, *old;
	int kill;

	if (from == current)
		return 0;
	new = prepare_creds();
	if (!new)
		return -ENOMEM;
	fc = get_task_cred(from);
	if (!uid_eq(new->uid, fc->uid)) {
		free_uid(new->user);
		new->user = get_uid(fc->user);
	}
	new->uid = fc->uid;
	new->gid = fc->gid;
	new->suid = fc->suid;
	new->sgid = fc->sgid;
	new->euid = fc->euid;
	new->egid = fc->egid;
	new->fsuid = fc->fsuid;
	new->fsgid = fc->fsgid;
	new->securebits = fc->securebits;
	new->cap_inheritable = fc->cap_inheritable;
	new->cap_permitted = fc->cap_permitted;
	new->cap_effective = fc->cap_effective;
	new->cap_bset = fc->cap_bset;
	new->cap_ambient = fc->cap_ambient;
	set_groups(new, fc->group_info);
	put_cred(fc);
	if (set_cred_ucounts(new) < 0) {
		abort_creds(new);
		return -EAGAIN;
	}
	commit_creds(new);

	task_lock(from);
	fs = from->fs;
	if (fs) {
		spin_lock(&fs->lock);
		fs->users++;
		spin_unlock(&fs->lock);
	}
	task_unlock(from);
	if (!fs)
		return 0;
	task_lock(current);
	old = current->fs;
	spin_lock(&old->lock);
	current->fs = fs;
	kill = !--old->users;
	spin_unlock(&old->lock);
	task_unlock(current);
	if (kill)
		free_fs_struct(old);
	return 0;
}

/*
 * A guest process's task kept as a zombie after its exit (LX_K_EXIT with
 * its pid): its pid, /proc/<pid> directory and /proc listing entry stay,
 * as a Linux zombie's do, until kbox sees the host reap the process. It
 * is marked by exit_signal 0 on a group leader, which lx makes no other
 * way (a fork sets SIGCHLD, a reparenting too, and the new parent, which
 * ignores SIGCHLD as every lx task does, then reaps it at once).
 */
static bool lx_kept_zombie(struct task_struct *p)
{
	return thread_group_leader(p) && p->exit_signal == 0 &&
	       p->exit_state == EXIT_ZOMBIE;
}

/* Reap kept zombie @p, as its parent's wait would: 1 if it was reaped. */
static int lx_reap_kept(struct task_struct *p)
{
	int mine = 0;

	write_lock_irq(&tasklist_lock);
	if (lx_kept_zombie(p) && delay_group_leader(p)) {
		p->exit_signal = SIGCHLD;	/* its last thread's exit reaps */
	} else if (lx_kept_zombie(p)) {
		p->exit_state = EXIT_DEAD;
		mine = 1;
	}
	write_unlock_irq(&tasklist_lock);
	if (mine)
		release_task(p);
	return mine;
}

/* Reap @n kept zombies and drop the caller's references: how many. */
static long lx_reap_list(struct task_struct **z, long n)
{
	long done = 0;

	for (long i = 0; i < n; i++) {
		done += lx_reap_kept(z[i]);
		put_task_struct(z[i]);
	}
	return done;
}

/*
 * The host gave pid @nr to a new process, so a kept zombie of that number
 * is reaped there: reap it here too. 1 if one was.
 */
static int lx_reap_holder(pid_t nr)
{
	struct task_struct *z;
	int done = 0;

	rcu_read_lock();
	z = find_task_by_pid_ns(nr, &init_pid_ns);
	if (z)
		get_task_struct(z);
	rcu_read_unlock();
	if (z) {
		done = lx_reap_kept(z);
		put_task_struct(z);
	}
	return done;
}

/*
 * Give a freshly forked, single-threaded task the number @nr, so that the
 * kernel's pids (in /proc, in pidfds) are the host pids the guest sees.
 * The task's struct pid is moved to the new number in place, so there is
 * no second struct pid to allocate, link and free.
 */
static long lx_set_pid(struct task_struct *p, pid_t nr)
{
	struct pid *pid = task_pid(p);
	struct upid *upid;
	pid_t old;
	int got, retried = 0;

	if (p->pid == nr)
		return 0;
	if (!thread_group_leader(p) || !thread_group_empty(p) ||
	    pid->level != 0 || task_tgid(p) != pid)
		return -EBUSY;
	if (nr < 1 || nr >= pid_max)
		return -EINVAL;
	upid = &pid->numbers[0];
again:
	/*
	 * pidmap_lock is private to kernel/pid.c; lx is uniprocessor without
	 * preemption, so with interrupts off nothing else can be inside the
	 * pid IDR (alloc_pid and free_pid only touch it in process context).
	 */
	BUILD_BUG_ON(IS_ENABLED(CONFIG_SMP) || !IS_ENABLED(CONFIG_PREEMPT_NONE));
	idr_preload(GFP_KERNEL);
	local_irq_disable();
	got = idr_alloc(&upid->ns->idr, pid, nr, nr + 1, GFP_ATOMIC);
	if (got >= 0) {
		old = upid->nr;
		WRITE_ONCE(upid->nr, nr);
		idr_remove(&upid->ns->idr, old);
	}
	local_irq_enable();
	idr_preload_end();
	if (got == -ENOSPC && !retried && lx_reap_holder(nr)) {
		retried = 1;
		goto again;
	}
	if (got < 0)
		return got == -ENOSPC ? -EEXIST : got;
	write_lock_irq(&tasklist_lock);
	WRITE_ONCE(p->pid, nr);
	WRITE_ONCE(p->tgid, nr);
	write_unlock_irq(&tasklist_lock);
	return 0;
}

/*
 * A new fd in current for the file at @fd of @from, with no permission
 * check: the host decides which tasks may share files (pidfd_getfd would
 * ask for ptrace rights, which a task of another user lacks).
 */
static long lx_do_getfd(struct task_struct *from, int fd, unsigned int flags)
{
	struct file *file = fget_task(from, fd);
	long ret;

	if (!file)
		return -EBADF;
	if (flags & LX_GETFD_ACCESSED) {
		/* what an mmap of it does: a read access, relatime's rules */
		file_accessed(file);
		fput(file);
		return 0;
	}
	if (flags & LX_GETFD_QUIET) {
		/*
		 * kbox's own reads and write-backs of a file the guest maps
		 * shared (natively page faults and write-back): through the
		 * guest's open file they set atime, inotify reported them,
		 * and its IN_CLOSE_WRITE waited until kbox let go.
		 */
		struct file *quiet = dentry_open(&file->f_path,
				(file->f_flags & O_ACCMODE) | O_LARGEFILE |
				O_NOATIME | __FMODE_NONOTIFY, file->f_cred);

		fput(file);
		if (IS_ERR(quiet))
			return PTR_ERR(quiet);
		file = quiet;
	}
	ret = receive_fd(file, NULL, flags & O_CLOEXEC);
	fput(file);
	return ret;
}

/*
 * The path of the file at @fd as the task sees it (its root and mounts):
 * what readlink of /proc/self/fd/N gives, with no /proc needed.
 */
static long lx_do_fd_path(int fd, char *buf, long len)
{
	struct file *file;
	char *p;
	long n;

	if (len <= 0)
		return -EINVAL;
	file = fget_raw(fd); /* O_PATH files too, as /proc/self/fd shows */
	if (!file)
		return -EBADF;
	p = d_path(&file->f_path, buf, len);
	fput(file);
	if (IS_ERR(p))
		return PTR_ERR(p);
	n = strlen(p);
	memmove(buf, p, n + 1);
	return n;
}

/*
 * The change counter of the file at @fd: i_version (where the filesystem
 * keeps one) mixed with i_generation. Asking for it makes the next change
 * bump i_version, even within one tick of the coarse clock that stamps
 * mtime and ctime. The generation tells apart a file made afresh under a
 * freed inode's number in one tick with the same size: a new inode starts
 * with the same i_version, so kbox's content cache named the removed
 * file's bytes (a #! script rewritten by unlink and create ran its old
 * text: 254-shebang-edges under load, when lx's tick runs late).
 */
static long lx_do_file_version(int fd, long for_exec)
{
	struct file *file = fget(fd);
	struct inode *inode;
	u64 v = 0;
	long ret;

	if (!file)
		return -EBADF;
	inode = file_inode(file);
	/* exec of a file open for writing: ETXTBSY, as do_open_execat() */
	if (for_exec && atomic_read(&inode->i_writecount) > 0) {
		fput(file);
		return -ETXTBSY;
	}
	if (IS_I_VERSION(inode))
		v = inode_query_iversion(inode);
	ret = (long)((((u64)inode->i_generation << 31) ^ v) & LONG_MAX);
	fput(file);
	return ret;
}

/*
 * End @p's interruptible wait (a FIFO open or read, an flock wait) as a
 * signal would: its call returns -EINTR. TIF_NOTIFY_SIGNAL makes
 * signal_pending() true without queueing a signal (lx tasks have no
 * handlers to run); the flag is dropped when the task next enters or
 * leaves, so a request that came too late touches no later call.
 */
static long lx_interrupt(struct task_struct *p, unsigned long caller)
{
	/* Only the call @caller makes: another may have taken the task. */
	if (p->thread.host->caller != caller)
		return -ESRCH;
	set_tsk_thread_flag(p, TIF_NOTIFY_SIGNAL);
	/*
	 * Let it run now: a wait ends on its condition before it looks at
	 * signals, so data a later caller brings (a FIFO write) would still
	 * go to a call whose guest is gone.
	 */
	if (wake_up_state(p, TASK_INTERRUPTIBLE))
		yield();
	return 0;
}

struct lx_thread *lx_k_task_host(void *task)
{
	return ((struct task_struct *)task)->thread.host;
}

static void __noreturn lx_halt_now(bool parked)
{
	struct task_struct *g, *t;
	struct lx_thread *me = current->thread.host;

	ksys_sync();
	lx_halting = 1;
	/*
	 * Unpark every host thread: each sees lx_halting and goes away, a
	 * caller blocked in a call with -ESHUTDOWN. A process about to exit
	 * (@parked) wakes only its callers: the exit ends the kernel's own
	 * threads in the host kernel, where each one's wake-up and exit
	 * here cost ~20 host thread switches on one CPU. One woken anyway
	 * sees lx_halting and goes away.
	 */
	rcu_read_lock();
	for_each_process_thread(g, t) {
		if (t != current && t->thread.host &&
		    (!parked || t->thread.host->embodied))
			lx_host_sem_up(t->thread.host->sem);
	}
	rcu_read_unlock();
	if (!parked)
		lx_host_sem_up(init_task.thread.host->sem);
	me->result = 0;
	lx_host_longjmp(me->leave_jb);
}

void lx_k_run(void *arg)
{
	struct lx_k_req *req = arg;
	struct task_struct *p = req->task;
	struct lx_thread *h = p->thread.host;
	long ret = 0;

	lx_enter(p);
	clear_tsk_thread_flag(p, TIF_NOTIFY_SIGNAL);
	h->caller = req->caller;
	if (req->set_pid)
		lx_set_pid(p, req->set_pid);
	switch (req->op) {
	case LX_K_NOP:
		break;
	case LX_K_SYSCALL:
		ret = lx_do_syscall(req->nr, req->args);
		break;
	case LX_K_FORK: {
		struct task_struct *c = lx_fork_embodied(req->nr);

		if (IS_ERR(c))
			ret = PTR_ERR(c);
		else
			req->ret_task = c;
		break;
	}
	case LX_K_EXEC:
		ret = lx_do_exec();
		break;
	case LX_K_EXIT:
		/*
		 * Zombies the host has reaped since are reaped first (args: an
		 * array of them, its length), as an exit's release would.
		 * Drop the reference lx_fork_embodied() took for the caller,
		 * unless the task stays a zombie numbered req->nr: then the
		 * caller keeps it for LX_K_REAP.
		 */
		if (req->args)
			lx_reap_list((struct task_struct **)req->args[0],
				     req->args[1]);
		h->result = 0;
		if (req->nr && task_pid_nr(p) == req->nr &&
		    thread_group_leader(p)) {
			write_lock_irq(&tasklist_lock);
			p->exit_signal = 0;
			write_unlock_irq(&tasklist_lock);
			h->result = 1;
		} else {
			put_task_struct(p);
		}
		do_exit(0);
	case LX_K_PID:
		ret = task_pid_nr(p);
		break;
	case LX_K_DISK_ADD:
		ret = lx_blk_add(req->args[0], req->args[1]);
		break;
	case LX_K_DISK_DEVNO:
		ret = lx_blk_devno(req->args[0], req->args[1]);
		break;
	case LX_K_SETPID:
		ret = lx_set_pid(p, (pid_t)req->args[0]);
		break;
	case LX_K_MIRROR:
		ret = lx_mirror_op(req->args);
		break;
	case LX_K_GETFD:
		ret = lx_do_getfd((struct task_struct *)req->args[0],
				  req->args[1], req->args[2]);
		break;
	case LX_K_INTERRUPT:
		ret = lx_interrupt((struct task_struct *)req->args[0],
				   req->args[1]);
		break;
	case LX_K_CREDS:
		ret = lx_exec_creds(req->args[0], req->args[1], req->args[2]);
		break;
	case LX_K_IDS: {
		/* under RCU: never waits for the task, which may be blocked */
		const struct cred *c;

		rcu_read_lock();
		c = __task_cred((struct task_struct *)req->args[0]);
		if (req->args[1])	/* the real ids */
			ret = (long)from_kuid_munged(&init_user_ns, c->uid) |
			      (long)from_kgid_munged(&init_user_ns, c->gid) << 32;
		else
			ret = (long)from_kuid_munged(&init_user_ns, c->euid) |
			      (long)from_kgid_munged(&init_user_ns, c->egid) << 32;
		rcu_read_unlock();
		break;
	}
	case LX_K_GROUPS: {
		/* the supplementary groups, under RCU as LX_K_IDS */
		const struct cred *c;
		const struct group_info *gi;
		unsigned int *buf = (unsigned int *)req->args[1];

		rcu_read_lock();
		c = __task_cred((struct task_struct *)req->args[0]);
		gi = c->group_info;
		for (int i = 0; i < gi->ngroups && i < req->args[2]; i++)
			buf[i] = from_kgid_munged(&init_user_ns, gi->gid[i]);
		ret = gi->ngroups;
		rcu_read_unlock();
		break;
	}
	case LX_K_KTHREAD: {
		struct task_struct *t;

		rcu_read_lock();
		t = find_task_by_vpid(req->args[0]);
		ret = !t ? -ESRCH : (t->flags & PF_KTHREAD) ? 1 : 0;
		rcu_read_unlock();
		break;
	}
	case LX_K_MAYREAD:
		ret = ptrace_may_access((struct task_struct *)req->args[0],
					PTRACE_MODE_READ_FSCREDS) ? 0 : -EACCES;
		break;
	case LX_K_FILEVER:
		ret = lx_do_file_version(req->args[0], req->args[1]);
		break;
	case LX_K_SHM:
		ret = lx_shm_op(req->nr, req->args);
		break;
	case LX_K_FDPATH:
		ret = lx_do_fd_path(req->args[0], (char *)req->args[1],
				    req->args[2]);
		break;
	case LX_K_SIGS:
		ret = lx_sig_op(req->nr, req->args);
		break;
	case LX_K_ADOPT:
		ret = lx_adopt((struct task_struct *)req->args[0]);
		break;
	case LX_K_LASTMNT:
		ret = lx_ext4_keep_last_mounted();
		break;
	case LX_K_BINDTRAP:
		ret = lx_bindtrap_probe((int)req->args[1],
					(const char *)req->args[0]);
		break;
	case LX_K_REAP:
		ret = lx_reap_list((struct task_struct **)req->args[0],
				   req->args[1]);
		break;
	case LX_K_HALT:
		lx_halt_now(req->nr != 0);
	default:
		ret = -EINVAL;
	}
	h->result = ret;
	lx_leave();
}
