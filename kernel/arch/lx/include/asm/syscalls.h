/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LX_SYSCALLS_H
#define _ASM_LX_SYSCALLS_H

typedef long (*lx_syscall_fn)(long, long, long, long, long, long);
extern const lx_syscall_fn lx_sys_call_table[];

#include <asm-generic/syscalls.h>

#endif
