/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the lx arch files. */
#ifndef _LX_KERNEL_LX_H
#define _LX_KERNEL_LX_H

#include <linux/sched.h>
#include <asm/lx_host.h>

extern int lx_halting;
extern unsigned long lx_mem_size;

void lx_enter(struct task_struct *p);
void lx_enter_wake(struct lx_thread *h);
void __noreturn lx_leave(void);
struct task_struct *lx_fork_embodied(unsigned long flags);
int lx_embodied_fn(void *arg);
void lx_thread_halted(struct lx_thread *h) __noreturn;
void lx_init_returned(void);
void lx_idle_switched_in(void);
void lx_idle_tick_lend(void);
void lx_idle_tick_reclaim(void);
void lx_irq_init(void);
int lx_blk_add(int fd, int readonly);
long lx_blk_devno(int idx, int part);
void lx_console_init(void);
long lx_mirror_op(const long *args);
long lx_exec_creds(long cmd, long arg, long out);
long lx_shm_op(long cmd, const long *args);
void lx_sig_watch(struct task_struct *p);
long lx_sig_op(long cmd, const long *args);
long lx_ext4_keep_last_mounted(void);
long lx_bindtrap_probe(int dfd, const char *name);
/* host runtime: fault [start, start + len) pairs in on another CPU */
void lx_host_mem_prefault(const unsigned long *ranges, int n);
/* host runtime: give free RAM's host pages back (freeram.c) */
void lx_host_mem_discard(unsigned long start, unsigned long len);

#endif
