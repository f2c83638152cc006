/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _UAPI_ASM_LX_PTRACE_H
#define _UAPI_ASM_LX_PTRACE_H

/* lx tasks never run user code; there are no user registers to trace. */
#ifndef __ASSEMBLY__
struct user_regs_struct {
	unsigned long regs[1];
};
#endif

#endif
