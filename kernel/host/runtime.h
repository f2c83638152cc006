/* SPDX-License-Identifier: GPL-2.0 */
/* State shared by the host runtime files. */
#ifndef LX_HOST_RUNTIME_H
#define LX_HOST_RUNTIME_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

struct lx_thread;

struct lx_runtime {
	pthread_mutex_t lock;	/* guards the fields below but the atomics */
	pthread_cond_t cond;	/* idle thread wake-ups */
	pthread_cond_t quiet;	/* halt: thread and entry counts changed */
	atomic_ulong irq_pending;
	struct lx_thread *enter_head, **enter_tail;
	int threads;		/* kernel host threads alive */
	int inside;		/* host threads inside lx_host_entry() */
	int halting;
	int spin;		/* how many threads may spin before parking */
	int spin_cpus;		/* the value of spin while not pinned */
	atomic_int spinners;
	int idle_state;		/* IDLE_RUN/FREE/LENT, see runtime.c */
	int idle_wake;		/* LX_IDLE_* reason for a lent idle thread */
	int console_fd;
	unsigned long stack_size;
	void *ram;
	unsigned long ram_size;
	cpu_set_t boot_cpus;	/* the CPUs lx_boot's caller may use */

	pthread_t timer_thread;
	pthread_mutex_t timer_lock;
	pthread_cond_t timer_cond;
	unsigned long long timer_deadline;
	/* what the timer thread waits until: 0 awake, ~0 no deadline */
	unsigned long long timer_sleep_until;
	int timer_stop;
};

extern struct lx_runtime lx_rt;

int lx_rt_timer_start(void);
void lx_rt_timer_stop(void);
/* Set the CPU mask of every host thread the runtime started. */
int lx_rt_set_affinity(const cpu_set_t *cpus);
/* Wait for the boot's prefault thread, if any (lx_host_mem_prefault). */
void lx_rt_prefault_join(void);
/* After the kernel halted: unpark callers still waiting to enter. */
void lx_rt_halt_waiters(void);
/* After the kernel halted: end the disks' flush thread (runtime.c). */
void lx_rt_flusher_stop(void);

#endif
