/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LX_PROCESSOR_H
#define _ASM_LX_PROCESSOR_H

#ifndef __ASSEMBLY__

struct task_struct;
struct lx_thread;

struct thread_struct {
	struct lx_thread *host;		/* host thread state, see lx_host.h */
	int (*fn)(void *);		/* kernel thread function */
	void *arg;
};

#define INIT_THREAD { .host = NULL }

static inline void cpu_relax(void)
{
	__asm__ __volatile__("" : : : "memory");
}

/* Every host address is a "user" address: user copies are memcpy. */
#define TASK_SIZE		(~0UL)
#define TASK_SIZE_MAX		TASK_SIZE
#define STACK_TOP		TASK_SIZE
#define STACK_TOP_MAX		TASK_SIZE
#define TASK_UNMAPPED_BASE	0

#define KSTK_EIP(tsk)		(0)
#define KSTK_ESP(tsk)		(0)

#define task_pt_regs(tsk)	((struct pt_regs *)0)

unsigned long __get_wchan(struct task_struct *p);

#define prepare_to_copy(tsk)	do { } while (0)

#endif /* __ASSEMBLY__ */
#endif
