// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts. "Disabling interrupts" clears one global flag; host threads
 * (the timer thread, callers entering a task, block I/O) raise an interrupt
 * by marking it pending in the host runtime. The CPU owner runs pending
 * handlers when it re-enables interrupts, and idle waits for them.
 */
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/hardirq.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/tick.h>
#include <asm/irq_regs.h>
#include <asm/lx_host.h>

#include "lx.h"

static unsigned long lx_irq_flags = ARCH_IRQ_DISABLED;
static int lx_in_dispatch;
/*
 * The registers an interrupt "arrived" with: always kernel mode. The tick
 * handler runs update_process_times() (the timer wheel, the scheduler tick)
 * only when get_irq_regs() is set; without it no timer_list ever expired.
 */
static struct pt_regs lx_irq_regs;

unsigned long arch_local_save_flags(void)
{
	return lx_irq_flags;
}

static void lx_run_pending_irqs(void)
{
	struct pt_regs *old_regs = set_irq_regs(&lx_irq_regs);
	unsigned long pending;
	int irq;

	lx_in_dispatch = 1;
	while ((pending = lx_host_irq_fetch())) {
		for (irq = 0; irq < LX_IRQ_MAX; irq++) {
			if (!(pending & (1UL << irq)))
				continue;
			irq_enter();
			generic_handle_irq(irq);
			irq_exit();
		}
	}
	lx_in_dispatch = 0;
	set_irq_regs(old_regs);
}

void arch_local_irq_restore(unsigned long flags)
{
	if (flags == ARCH_IRQ_ENABLED && lx_irq_flags == ARCH_IRQ_DISABLED &&
	    !lx_in_dispatch && lx_host_irq_pending())
		lx_run_pending_irqs();
	lx_irq_flags = flags;
}

/*
 * Tickless idle. The generic idle loop pairs tick_nohz_idle_enter()/exit()
 * around its loop, but in lx a caller may borrow the idle CPU and switch to
 * a task from idle's context (lx_enter()) while idle's thread still waits
 * in arch_cpu_idle(). The borrower leaves tick idle for idle (the tick
 * runs while tasks do, so jiffies and the coarse clocks advance) and
 * whoever next runs as idle enters it again, before the loop stops the
 * tick once more.
 */
static int lx_idle_tick_lent;

void lx_idle_tick_lend(void)
{
	if (lx_idle_tick_lent)
		return;
	lx_idle_tick_lent = 1;
	tick_nohz_idle_exit();
}

void lx_idle_tick_reclaim(void)
{
	unsigned long flags;

	if (!lx_idle_tick_lent)
		return;
	lx_idle_tick_lent = 0;
	local_irq_save(flags);
	tick_nohz_idle_enter();
	local_irq_restore(flags);
}

void arch_cpu_idle(void)
{
	/* Called with interrupts disabled; the host wait is the "hlt". */
	int why = lx_host_idle_wait();

	if (lx_halting)
		lx_thread_halted(init_task.thread.host);
	/* A borrower switched away from idle; this is idle's switch back. */
	if (why == LX_IDLE_RESUME)
		lx_idle_switched_in();
	lx_idle_tick_reclaim();
}

static irqreturn_t lx_enter_interrupt(int irq, void *dev)
{
	struct lx_thread *h;

	while ((h = lx_host_enter_pop()))
		lx_enter_wake(h);
	return IRQ_HANDLED;
}

void __init init_IRQ(void)
{
	int irq;

	for (irq = 1; irq < LX_IRQ_MAX; irq++)
		irq_set_chip_and_handler(irq, &dummy_irq_chip,
					 handle_simple_irq);
}

void __init lx_irq_init(void)
{
	if (request_irq(LX_IRQ_ENTER, lx_enter_interrupt, 0, "lx-enter", NULL))
		panic("lx: cannot request the enter interrupt");
}
