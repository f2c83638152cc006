// SPDX-License-Identifier: GPL-2.0
/*
 * Time: a clocksource reading the host's CLOCK_MONOTONIC in nanoseconds and
 * a one-shot clockevent served by the host runtime's single timer thread.
 */
#include <linux/clocksource.h>
#include <linux/clockchips.h>
#include <linux/interrupt.h>
#include <linux/sched_clock.h>
#include <linux/timekeeping.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/sched.h>
#include <linux/workqueue.h>
#include <asm/lx_host.h>

#include "lx.h"

static u64 lx_cs_read(struct clocksource *cs)
{
	return lx_host_time_ns();
}

static struct clocksource lx_clocksource = {
	.name	= "lx-host",
	.rating	= 400,
	.read	= lx_cs_read,
	.mask	= CLOCKSOURCE_MASK(64),
	.flags	= CLOCK_SOURCE_IS_CONTINUOUS,
};

unsigned long long sched_clock(void)
{
	return lx_host_time_ns();
}

static int lx_ce_next_event(unsigned long delta, struct clock_event_device *ce)
{
	lx_host_timer_set(lx_host_time_ns() + delta);
	return 0;
}

static int lx_ce_shutdown(struct clock_event_device *ce)
{
	lx_host_timer_set(0);
	return 0;
}

static struct clock_event_device lx_clockevent = {
	.name			= "lx-host-timer",
	.features		= CLOCK_EVT_FEAT_ONESHOT,
	.set_next_event		= lx_ce_next_event,
	.set_state_shutdown	= lx_ce_shutdown,
	.set_state_oneshot	= lx_ce_shutdown,
	/* idle with no timer pending: the host thread sleeps until armed */
	.set_state_oneshot_stopped = lx_ce_shutdown,
	.rating			= 100,
};

static irqreturn_t lx_timer_interrupt(int irq, void *dev)
{
	struct clock_event_device *ce = dev;

	if (clockevent_state_oneshot(ce))
		ce->event_handler(ce);
	return IRQ_HANDLED;
}

void read_persistent_clock64(struct timespec64 *ts)
{
	*ts = ns_to_timespec64(lx_host_realtime_ns());
}

/*
 * Until clocksource_done_booting() (fs_initcall) time is kept with the
 * jiffies clocksource, which moves one tick per tick interrupt: each tick
 * the host timer thread delivered late was lost for good, and lx's
 * realtime - file times - stayed that far behind the host's for the
 * whole run (a few ms idle, tens of ms on a loaded host). The host's
 * clock is lx's clocksource by now: take its realtime over again.
 *
 * The coarse clocks advance in whole tick intervals counted from the
 * clock read of the last settimeofday, while the tick fires at multiples
 * of TICK_NSEC: read just before such a multiple, so that each tick
 * finds a whole interval to account and the coarse time it leaves is at
 * most one tick (plus the tick's latency) old, not up to two. Done from
 * a work item so that boot does not wait for the boundary.
 */
#define LX_RESYNC_EARLY_NS	(100 * NSEC_PER_USEC)
#define LX_RESYNC_WAKE_NS	(400 * NSEC_PER_USEC)

static void lx_time_set_host(void)
{
	struct timespec64 ts = ns_to_timespec64(lx_host_realtime_ns());

	do_settimeofday64(&ts);
}

static void lx_time_align(struct work_struct *work)
{
	int tries;

	for (tries = 0; tries < 20; tries++) {
		u64 now = ktime_get_ns();
		u64 edge = now - now % TICK_NSEC + TICK_NSEC;
		ktime_t wake = ns_to_ktime(edge - LX_RESYNC_WAKE_NS);
		unsigned long flags;

		if (now < edge - LX_RESYNC_WAKE_NS) {
			set_current_state(TASK_UNINTERRUPTIBLE);
			schedule_hrtimeout(&wake, HRTIMER_MODE_ABS);
		}
		local_irq_save(flags);
		now = ktime_get_ns();
		if (now <= edge - LX_RESYNC_EARLY_NS &&
		    now >= edge - LX_RESYNC_WAKE_NS) {
			while (ktime_get_ns() < edge - LX_RESYNC_EARLY_NS)
				cpu_relax();
			local_irq_restore(flags);
			lx_time_set_host();
			return;
		}
		local_irq_restore(flags);	/* woken too late: next tick */
	}
	lx_time_set_host();
}

static DECLARE_WORK(lx_time_align_work, lx_time_align);

static int __init lx_time_resync(void)
{
	lx_time_set_host();
	schedule_work(&lx_time_align_work);
	return 0;
}
fs_initcall_sync(lx_time_resync);

void __init time_init(void)
{
	if (clocksource_register_hz(&lx_clocksource, NSEC_PER_SEC))
		panic("lx: cannot register the clocksource");
	if (request_irq(LX_IRQ_TIMER, lx_timer_interrupt, IRQF_TIMER,
			"lx-timer", &lx_clockevent))
		panic("lx: cannot request the timer interrupt");
	lx_clockevent.cpumask = cpumask_of(0);
	clockevents_config_and_register(&lx_clockevent, NSEC_PER_SEC, 1,
					ULONG_MAX);
	lpj_fine = NSEC_PER_SEC / HZ;	/* __delay() counts nanoseconds */
}

void __delay(unsigned long loops)
{
	unsigned long long end = lx_host_time_ns() + loops;

	while (lx_host_time_ns() < end)
		cpu_relax();
}

void __udelay(unsigned long usecs)
{
	__delay(usecs * NSEC_PER_USEC);
}

void __ndelay(unsigned long nsecs)
{
	__delay(nsecs);
}
