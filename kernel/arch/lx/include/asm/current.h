/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LX_CURRENT_H
#define _ASM_LX_CURRENT_H

#ifndef __ASSEMBLY__
struct task_struct;

/* One CPU: the running task is a global that __switch_to updates. */
extern struct task_struct *lx_current_task;

static __always_inline struct task_struct *get_current(void)
{
	return lx_current_task;
}

#define current get_current()
#endif

#endif
