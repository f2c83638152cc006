/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LX_PTRACE_H
#define _ASM_LX_PTRACE_H

#include <uapi/asm/ptrace.h>

#ifndef __ASSEMBLY__
/* lx tasks have no user register state; this exists for generic code. */
struct pt_regs {
	unsigned long regs[1];
};

#define user_mode(regs)			(0)
#define instruction_pointer(regs)	(0)
#define profile_pc(regs)		instruction_pointer(regs)
#define user_stack_pointer(regs)	(0)
#define current_pt_regs()		((struct pt_regs *)0)
#define signal_pt_regs()		((struct pt_regs *)0)

static inline long regs_return_value(struct pt_regs *regs)
{
	return 0;
}
#endif

#endif
