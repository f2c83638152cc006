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
