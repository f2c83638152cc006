// SPDX-License-Identifier: GPL-2.0
/*
 * Tasks and context switches.
 *
 * Every kernel task is backed by a host thread record (struct lx_thread).
 * Kernel threads own a host thread; "embodied" tasks (the task contexts the
 * library's callers run syscalls in) have none: the calling host thread
 * becomes the task while it runs the call. There is one CPU; whoever was
 * last switched to runs, everyone else is parked on their semaphore.
 * __switch_to() publishes the next task, unparks its host thread and parks
 * the previous one, so the CPU is handed over without any lock.
 */
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/sched/signal.h>
#include <linux/task_work.h>
#include <linux/printk.h>
#include <linux/interrupt.h>
#include <linux/rcupdate.h>
#include <linux/tick.h>
#include <asm/lx_host.h>

#include "lx.h"

struct task_struct *lx_current_task = &init_task;
/* The task that ran before the one being switched in (switch_to's "last"). */
static struct task_struct *lx_switch_prev;
/* Set while lx_k_* creates a task that callers will embody. */
static int lx_creating_embodied;
/* The caller running as idle on a borrowed CPU, about to become its task. */
static struct lx_thread *lx_borrower;
/* Entry of a leaving caller that switches on from idle to a woken task. */
static void *lx_handoff_jb;

/* Make next runnable on its host thread; idle may be lent out. */
static void lx_unpark(struct task_struct *next, struct lx_thread *nh)
{
	if (next == &init_task)
		lx_host_idle_resume(nh->sem);
	else
		lx_host_sem_up(nh->sem);
}
int lx_halting;

static struct lx_thread *task_host(struct task_struct *t)
{
	return t->thread.host;
}

struct task_struct *__switch_to(struct task_struct *prev,
				struct task_struct *next)
{
	struct lx_thread *ph = task_host(prev);
	struct lx_thread *nh = task_host(next);
	struct lx_thread *b = lx_borrower;

	lx_switch_prev = prev;
	lx_current_task = next;

	if (lx_handoff_jb && prev == &init_task) {
		/* A leaving caller hands the CPU on, see below; then it leaves. */
		void *jb = lx_handoff_jb;

		lx_handoff_jb = NULL;
		lx_unpark(next, nh);
		lx_host_longjmp(jb);
	}

	if (b) {
		/* A caller borrowed the CPU as idle to become b's task. */
		lx_borrower = NULL;
		if (next == b->task)
			return prev;
		lx_host_sem_up(nh->sem);
		lx_host_sem_down(b->sem);
		if (lx_halting)
			lx_thread_halted(b);
		return lx_switch_prev;
	}

	if (prev->__state == TASK_DEAD) {
		void *jb = ph->leave_jb;
		int embodied = ph->embodied;

		/* After unparking next, prev's records may be freed at once. */
		lx_unpark(next, nh);
		if (embodied)
			lx_host_longjmp(jb);
		lx_host_thread_exit();
	}

	if (ph->leaving && next == &init_task && lx_host_idle_lent()) {
		/*
		 * Idle's thread still waits for the CPU it lent us: finish
		 * the switch to idle here, give the CPU back and leave. (No
		 * return into schedule(): its loop would run on as idle.)
		 */
		void *jb = ph->leave_jb;

		/* Enabling interrupts here runs what is pending, as idle. */
		schedule_tail(prev);
		for (;;) {
			lx_idle_tick_reclaim();
			local_irq_disable();
			if (need_resched()) {
				lx_idle_tick_lend();
				/*
				 * Someone was woken (another caller's entry,
				 * say): switch to it from here, as idle,
				 * rather than wake idle's own thread for it.
				 */
				lx_handoff_jb = jb;
				schedule();
				lx_handoff_jb = NULL;
				continue;
			}
			if (!lx_host_irq_pending())
				break;
			local_irq_enable();
		}
		/*
		 * The tick still runs (see lx_idle_tick_lend()): its next
		 * interrupt wakes idle's thread, whose loop stops it if the
		 * CPU is still idle. Stopping it here instead cost every
		 * call a tick stop and restart.
		 */
		lx_host_idle_release(0);
		lx_host_longjmp(jb);
	}
	lx_unpark(next, nh);
	if (ph->leaving)
		lx_host_longjmp(ph->leave_jb);
	lx_host_sem_down(ph->sem);

	/* Switched back in (or woken to die at halt). */
	if (lx_halting)
		lx_thread_halted(ph);
	return lx_switch_prev;
}

/* Idle's own thread finishes the switch a lending borrower left open. */
void lx_idle_switched_in(void)
{
	schedule_tail(lx_switch_prev);
}

/* A host thread woken during halt never touches the kernel again. */
void lx_thread_halted(struct lx_thread *h)
{
	if (h->embodied) {
		h->result = -ESHUTDOWN;
		lx_host_longjmp(h->leave_jb);
	}
	lx_host_thread_exit();
}

/* Host thread of a kernel thread: wait for the first switch-in, then run. */
static void lx_thread_bootstrap(void *arg)
{
	struct task_struct *p = arg;
	struct lx_thread *h = task_host(p);
	int (*fn)(void *) = p->thread.fn;
	void *fn_arg = p->thread.arg;

	lx_host_sem_down(h->sem);
	if (lx_halting)
		lx_thread_halted(h);
	if (!h->task) {
		/* The task was freed before it ever ran (see below). */
		lx_host_thread_free(h);
		lx_host_thread_exit();
	}
	schedule_tail(lx_switch_prev);

	fn(fn_arg);

	/*
	 * Only user_mode_thread()s return: that is pid 1 having "exec"ed its
	 * init. From now on it is a task callers embody; this host thread
	 * leaves as a caller would and ends.
	 */
	lx_init_returned();
}

int copy_thread(struct task_struct *p, const struct kernel_clone_args *args)
{
	struct lx_thread *h;

	if (!args->fn)
		return -EINVAL;	/* a user-space clone: lx runs no user code */

	h = lx_host_thread_alloc();
	if (!h)
		return -ENOMEM;
	h->task = p;
	p->thread.host = h;
	p->thread.fn = args->fn;
	p->thread.arg = args->fn_arg;

	if (lx_creating_embodied) {
		h->embodied = 1;
		if (!(args->flags & CLONE_SIGHAND))
			lx_sig_watch(p);
		return 0;
	}
	if (lx_host_thread_start(h, lx_thread_bootstrap, p)) {
		p->thread.host = NULL;
		lx_host_thread_free(h);
		return -EAGAIN;
	}
	h->started = 1;
	return 0;
}

void arch_release_task_struct(struct task_struct *t)
{
	struct lx_thread *h = task_host(t);

	if (!h)
		return;
	t->thread.host = NULL;
	/*
	 * A kernel thread whose task dies before it ever ran (copy_process
	 * failed after copy_thread) still waits for its first switch-in.
	 */
	if (h->started && t->__state == TASK_NEW && !h->embodied) {
		h->task = NULL;		/* its thread frees h and exits */
		lx_host_sem_up(h->sem);
		return;
	}
	lx_host_thread_free(h);
}

void flush_thread(void)
{
}

void show_stack(struct task_struct *task, unsigned long *esp,
		const char *loglvl)
{
}

unsigned long __get_wchan(struct task_struct *p)
{
	return 0;
}

/*
 * Embodying tasks. A caller that wants to run as @p queues itself and raises
 * LX_IRQ_ENTER; the handler wakes @p from its TASK_PARKED sleep, and the
 * next switch to @p unparks the caller, which then finishes the switch.
 */
void lx_enter(struct task_struct *p)
{
	struct lx_thread *h = task_host(p);
	int borrowed;

	h->leaving = 0;
	borrowed = lx_host_cpu_borrow();
	if (!borrowed) {
		if (lx_host_enter_begin(h))
			lx_thread_halted(h);
		/* The CPU may have come free meanwhile: take it ourselves. */
		borrowed = lx_host_cpu_borrow();
		if (borrowed)
			h->wants_enter = 0;
	}
	if (borrowed) {
		/*
		 * Fast path: the CPU was idle. Run the enter "interrupt"
		 * here, as idle, and switch to p on this very thread.
		 */
		irq_enter();
		wake_up_state(p, TASK_PARKED);
		irq_exit();
		lx_idle_tick_lend();
		lx_borrower = h;
		schedule();
		if (lx_halting)
			lx_thread_halted(h);
		if (current == p)
			return;
		/* p was not runnable: give idle back, take the slow path. */
		pr_warn_once("lx: borrowed entry did not switch to pid %d (state %x)\n",
			     p->pid, READ_ONCE(p->__state));
		lx_borrower = NULL;
		local_irq_disable();
		lx_host_idle_release(1);
		if (lx_host_enter_begin(h))
			lx_thread_halted(h);
	}
	lx_host_sem_down(h->sem);
	if (lx_halting)
		lx_thread_halted(h);
	h->wants_enter = 0;
	schedule_tail(lx_switch_prev);
}

/* Called from the LX_IRQ_ENTER handler. */
void lx_enter_wake(struct lx_thread *h)
{
	if (h->wants_enter)
		wake_up_state(h->task, TASK_PARKED);
}

/* Leave the kernel: park the task and return to the caller's entry point. */
void __noreturn lx_leave(void)
{
	struct lx_thread *h = task_host(current);

	if (task_work_pending(current))
		task_work_run();
	/* Signals are never delivered to lx tasks; do not let them stick. */
	if (signal_pending(current))
		flush_signals(current);
	clear_thread_flag(TIF_NOTIFY_SIGNAL);	/* lx_task_interrupt() */
	/*
	 * Leaving is a quiescent state, as a return to user mode is. Noted
	 * only at the switch away, Tiny RCU raised its softirq from there and
	 * woke ksoftirqd for the callbacks - an lx task switch, which is a
	 * hand-off between host threads, several times per guest process
	 * (closes, exits). Noted here with bottom halves off, the callbacks
	 * run on this thread as they are enabled again.
	 */
#ifdef CONFIG_TINY_RCU
	local_bh_disable();
	rcu_qs();
	local_bh_enable();
#endif
	h->leaving = 1;
	for (;;) {
		set_current_state(TASK_PARKED);
		schedule();
	}
}

/* Make a new task that callers embody, as a fork of current. */
struct task_struct *lx_fork_embodied(unsigned long flags)
{
	struct kernel_clone_args args = {
		.flags = (lower_32_bits(flags) & ~CSIGNAL) | CLONE_UNTRACED,
		.exit_signal = SIGCHLD,
		.fn = lx_embodied_fn,
		.fn_arg = NULL,
	};
	struct task_struct *p;
	pid_t pid;

	lx_creating_embodied = 1;
	pid = kernel_clone(&args);
	lx_creating_embodied = 0;
	if (pid < 0)
		return ERR_PTR(pid);
	rcu_read_lock();
	p = find_task_by_pid_ns(pid, &init_pid_ns);
	if (p)
		get_task_struct(p);
	rcu_read_unlock();
	return p ? p : ERR_PTR(-ESRCH);
}

/* Never runs: a caller embodies the task before its first switch-in. */
int lx_embodied_fn(void *arg)
{
	panic("lx: embodied task ran its own function");
}
