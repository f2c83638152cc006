// SPDX-License-Identifier: GPL-2.0
/*
 * The syscall table and the entry point host callers come in through.
 */
#include <linux/syscalls.h>
#include <linux/signal.h>
#include <linux/unistd.h>
#include <linux/fdtable.h>
#include <linux/file.h>
#include <linux/sched/task.h>
#include <linux/sched/signal.h>
#include <linux/fs.h>
#include <linux/errno.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/cred.h>
#include <linux/init_task.h>
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

/* What execve does to the fd table: unshare it and close O_CLOEXEC files. */
static long lx_do_exec(void)
{
	int err = unshare_files();

	if (err)
		return err;
	do_close_on_exec(current->files);
	return 0;
}

/*
 * Give a freshly forked, single-threaded task the number @nr, so that the
 * kernel's pids (in /proc, in pidfds) are the host pids the guest sees.
 * Only the task's own PID and TGID links move; its process group and
 * session stay those it inherited.
 */
static long lx_set_pid(struct task_struct *p, pid_t nr)
{
	const struct cred *old_cred;
	struct pid *new;

	if (p->pid == nr)
		return 0;
	if (!thread_group_leader(p) || !thread_group_empty(p))
		return -EBUSY;
	/* set_tid needs CAP_CHECKPOINT_RESTORE; the caller may be a user. */
	old_cred = override_creds(&init_cred);
	new = alloc_pid(&init_pid_ns, &nr, 1);
	revert_creds(old_cred);
	if (IS_ERR(new))
		return PTR_ERR(new);
	write_lock_irq(&tasklist_lock);
	change_pid(p, PIDTYPE_TGID, new);
	change_pid(p, PIDTYPE_PID, new);
	WRITE_ONCE(p->pid, nr);
	WRITE_ONCE(p->tgid, nr);
	write_unlock_irq(&tasklist_lock);
	return 0;
}

struct lx_thread *lx_k_task_host(void *task)
{
	return ((struct task_struct *)task)->thread.host;
}

static void __noreturn lx_halt_now(void)
{
	struct task_struct *g, *t;
	struct lx_thread *me = current->thread.host;

	ksys_sync();
	lx_halting = 1;
	/* Unpark every host thread: each sees lx_halting and goes away. */
	rcu_read_lock();
	for_each_process_thread(g, t) {
		if (t != current && t->thread.host)
			lx_host_sem_up(t->thread.host->sem);
	}
	rcu_read_unlock();
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
		/* Drop the reference lx_fork_embodied() took for the caller. */
		put_task_struct(p);
		h->result = 0;
		do_exit(0);
	case LX_K_PID:
		ret = task_pid_nr(p);
		break;
	case LX_K_DISK_ADD:
		ret = lx_blk_add(req->args[0], req->args[1]);
		break;
	case LX_K_DISK_DEVNO:
		ret = lx_blk_devno(req->args[0]);
		break;
	case LX_K_SETPID:
		ret = lx_set_pid(p, (pid_t)req->args[0]);
		break;
	case LX_K_HALT:
		lx_halt_now();
	default:
		ret = -EINVAL;
	}
	h->result = ret;
	lx_leave();
}
