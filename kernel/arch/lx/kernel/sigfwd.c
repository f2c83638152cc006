// SPDX-License-Identifier: GPL-2.0
/*
 * Signals lx sends for the guest: send_sigio's (a lease break, dnotify,
 * O_ASYNC on a FIFO), send_sigurg's and mq_notify's. lx tasks block every
 * signal and run no handlers, so such a signal only sits in its task's
 * pending queue; the host must send it to the process the task stands
 * for. Every embodied task's sighand gets a waiter on its signalfd queue,
 * which __send_signal_locked wakes for each signal it queues: the waiter
 * makes the host's notification pipe readable (once, until the host
 * collects), and the host takes the signals with LX_K_SIGS.
 */
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/poll.h>
#include <asm/lx_host.h>

#include "lx.h"

static int lx_sig_wfd = -1;
static atomic_t lx_sig_raised;

static int lx_sig_wake(struct wait_queue_entry *w, unsigned int mode,
		       int sync, void *key)
{
	if (key_to_poll(key) & POLLFREE) {
		/* the sighand goes (signalfd_cleanup): leave its queue */
		list_del_init(&w->entry);
		kfree(w);
		return 0;
	}
	if (READ_ONCE(lx_sig_wfd) >= 0 && !atomic_xchg(&lx_sig_raised, 1))
		lx_host_fd_signal(READ_ONCE(lx_sig_wfd));
	return 0;
}

/* Watch the signals queued to @p's (new, unshared) sighand. */
void lx_sig_watch(struct task_struct *p)
{
	struct wait_queue_entry *w = kmalloc(sizeof(*w), GFP_KERNEL);

	if (!w)
		return;	/* its signals stay lx's, as before */
	init_waitqueue_func_entry(w, lx_sig_wake);
	add_wait_queue(&p->sighand->signalfd_wqh, w);
}

/* Is @q a signal the host sends on to the guest? */
static bool lx_sig_forwarded(const struct sigqueue *q)
{
	int sig = q->info.si_signo, code = q->info.si_code;

	if (code == SI_MESGQ)
		return true;
	if (code == SI_KERNEL)	/* send_sigio without F_SETSIG, send_sigurg */
		return sig == SIGIO || sig == SIGURG;
	/*
	 * F_SETSIG's: SI_SIGIO for a signal with codes of its own (SIGCHLD,
	 * SIGSEGV, SIGSYS, ...: these were dropped), else a POLL_* reason
	 * (which such a signal's own codes, CLD_* or SEGV_*, look like).
	 */
	if (code == SI_SIGIO)
		return true;
	return code >= POLL_IN && code <= POLL_HUP &&
	       (sig == SIGIO || !sig_specific_sicodes(sig));
}

/*
 * Move the forwarded signals of @pending (of @t, @tid 0 when the queue is
 * the process's) to @out, up to @max records in all (*@n so far), and
 * free them.
 */
static void lx_sig_take(struct task_struct *t, struct sigpending *pending,
			pid_t tid, long *out, long max, long *n)
{
	struct sigqueue *q, *tmp;
	struct sigpending gone;

	init_sigpending(&gone);
	list_for_each_entry_safe(q, tmp, &pending->list, list) {
		long *o;
		int sig = q->info.si_signo;
		bool more = false;
		struct sigqueue *r;

		if (*n >= max)
			break;
		if (!lx_sig_forwarded(q))
			continue;
		o = out + (*n)++ * LX_SIG_LONGS;
		o[0] = task_tgid_nr(t);
		o[1] = tid;
		o[2] = sig;
		o[3] = q->info.si_code;
		if (q->info.si_code == SI_MESGQ) {
			o[4] = (long)q->info.si_value.sival_ptr;
			o[5] = 0;
			o[6] = q->info.si_pid;
			o[7] = q->info.si_uid;
		} else {
			o[4] = q->info.si_band;
			o[5] = q->info.si_code == SI_KERNEL ? -1 : q->info.si_fd;
			o[6] = 0;
			o[7] = 0;
		}
		list_move_tail(&q->list, &gone.list);
		list_for_each_entry(r, &pending->list, list)
			more |= r->info.si_signo == sig;
		if (!more)
			sigdelset(&pending->signal, sig);
	}
	flush_sigqueue(&gone);
}

/*
 * Take the forwarded signals of every task: LX_SIG_LONGS longs each into
 * @out, up to @max. Returns how many; call again until it returns 0.
 */
static long lx_sig_collect(long *out, long max)
{
	struct task_struct *p, *t;
	unsigned long flags;
	long n = 0;

	atomic_set(&lx_sig_raised, 0);
	rcu_read_lock();
	for_each_process(p) {
		if (n >= max)
			break;
		if (p->flags & PF_KTHREAD || !lock_task_sighand(p, &flags))
			continue;
		lx_sig_take(p, &p->signal->shared_pending, 0, out, max, &n);
		for_each_thread(p, t)
			lx_sig_take(t, &t->pending, task_pid_nr(t), out, max,
				    &n);
		unlock_task_sighand(p, &flags);
	}
	rcu_read_unlock();
	return n;
}

/*
 * Put @t's process in process group @nr, the host's number (lx has no
 * setpgid of its own: the host keeps the guest's groups), making the
 * group if lx has no pid of that number: F_SETOWN of a group then finds
 * it, and send_sigio queues to each member's task.
 */
static long lx_sig_pgrp(struct task_struct *t, pid_t nr)
{
	struct pid *grp;
	bool made = false, joined = false;
	pid_t want = nr;

	if (nr < 1 || nr >= pid_max)
		return -EINVAL;
	t = t->group_leader;
	rcu_read_lock();
	grp = get_pid(find_pid_ns(nr, &init_pid_ns));
	rcu_read_unlock();
	if (!grp) {
		/* its one reference is the pid table's, which free_pid drops */
		grp = alloc_pid(&init_pid_ns, &want, 1);
		if (IS_ERR(grp))
			return PTR_ERR(grp);
		made = true;
	}
	write_lock_irq(&tasklist_lock);
	if (pid_alive(t) && task_pgrp(t) != grp) {
		change_pid(t, PIDTYPE_PGID, grp);
		joined = true;
	}
	write_unlock_irq(&tasklist_lock);
	if (!made)
		put_pid(grp);
	else if (!joined)
		free_pid(grp);
	return 0;
}

long lx_sig_op(long cmd, const long *args)
{
	switch (cmd) {
	case LX_SIGS_TAKE:
		return lx_sig_collect((long *)args[0], args[1]);
	case LX_SIGS_FD:
		WRITE_ONCE(lx_sig_wfd, (int)args[0]);
		return 0;
	case LX_SIGS_PID:
		return task_pid_nr((struct task_struct *)args[0]);
	case LX_SIGS_PGRP:
		return lx_sig_pgrp((struct task_struct *)args[0], args[1]);
	}
	return -EINVAL;
}
