// SPDX-License-Identifier: GPL-2.0
/* Hooks generic code expects from every architecture. */
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/utsname.h>

long arch_ptrace(struct task_struct *child, long request, unsigned long addr,
		 unsigned long data)
{
	return -EINVAL;
}

void ptrace_disable(struct task_struct *child)
{
}

void show_regs(struct pt_regs *regs)
{
	show_regs_print_info(KERN_DEFAULT);
}

/* /proc/cpuinfo: one CPU, described by the host. */
static int lx_cpuinfo_show(struct seq_file *m, void *v)
{
	seq_printf(m, "processor\t: 0\nvendor_id\t: lx\nmodel name\t: lx (Linux in-process)\n\n");
	return 0;
}

static void *lx_cpuinfo_start(struct seq_file *m, loff_t *pos)
{
	return *pos == 0 ? (void *)1 : NULL;
}

static void *lx_cpuinfo_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return NULL;
}

static void lx_cpuinfo_stop(struct seq_file *m, void *v)
{
}

const struct seq_operations cpuinfo_op = {
	.start	= lx_cpuinfo_start,
	.next	= lx_cpuinfo_next,
	.stop	= lx_cpuinfo_stop,
	.show	= lx_cpuinfo_show,
};
