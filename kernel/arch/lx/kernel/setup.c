// SPDX-License-Identifier: GPL-2.0
/*
 * Boot, memory and halt.
 *
 * The host runtime starts the kernel on a host thread of its own, which
 * becomes the idle task once start_kernel() is done. RAM is one anonymous
 * host mapping; physical addresses are host addresses.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/start_kernel.h>
#include <linux/random.h>
#include <linux/string.h>
#include <linux/binfmts.h>
#include <linux/fs.h>
#include <linux/init_syscalls.h>
#include <linux/fcntl.h>
#include <linux/fdtable.h>
#include <linux/kdev_t.h>
#include <linux/reboot.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/task_work.h>
#include <linux/panic_notifier.h>
#include <linux/kmsg_dump.h>
#include <linux/ctype.h>
#include <linux/pid.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <asm/setup.h>
#include <asm/lx_host.h>

#include "lx.h"

unsigned long memory_start, memory_end;
unsigned long lx_mem_size = CONFIG_LX_DEFAULT_MEM_MB * 1024UL * 1024UL;
void *empty_zero_page;
void (*pm_power_off)(void);
EXPORT_SYMBOL(pm_power_off);

static struct lx_k_boot_args *lx_boot_args;
static void *lx_ram;
static unsigned long lx_ram_size;

static int __init lx_parse_mem(char *p)
{
	unsigned long size = memparse(p, &p);

	if (size < 16UL << 20)
		size = 16UL << 20;
	lx_mem_size = PAGE_ALIGN(size);
	return 0;
}
early_param("mem", lx_parse_mem);

/*
 * mem= is the size of lx's RAM, which boot gives a page array (64 bytes
 * a page, all touched): mem=256G took 3.9 GB of the host's memory and
 * mem=1T would not finish booting. More than the host has is refused.
 */
static void __init lx_check_mem_size(void)
{
	unsigned long long host = lx_host_ram_bytes();
	static char msg[128];

	if (!host || lx_mem_size <= host)
		return;
	snprintf(msg, sizeof(msg),
		 "-k mem=%luM is more than the host's memory (%lluM)",
		 lx_mem_size >> 20, host >> 20);
	lx_host_panic(msg);
}

/*
 * The last line of lx's log at KERN_CRIT or more urgent before the panic
 * (not panic()'s own "Kernel panic - not syncing"), into @out, or "".
 * errors=panic ends in "EXT4-fs (device lxda): panic forced after error":
 * what is corrupt ("EXT4-fs error (device lxda): ext4_...: inode #N: ...",
 * KERN_CRIT; jbd2's "Aborting journal" after it is KERN_ERR) was only in
 * the log, which nobody sees without --verbose.
 */
static void lx_panic_cause(char *out, size_t size)
{
	static struct kmsg_dump_iter iter;
	static char line[512];
	size_t len;

	out[0] = '\0';
	kmsg_dump_rewind(&iter);
	while (kmsg_dump_get_line(&iter, true, line, sizeof(line), &len)) {
		char *text = line, *end;
		unsigned long prio;

		/*
		 * syslog=true: "<prio>", prio = facility * 8 + level; only
		 * the kernel's own (facility 0), not a guest's /dev/kmsg.
		 */
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		line[len] = '\0';
		if (*text != '<')
			continue;
		for (prio = 0, end = text + 1; isdigit(*end); end++)
			prio = prio * 10 + *end - '0';
		if (*end != '>' || prio > LOGLEVEL_CRIT)
			continue;
		text = end + 1;
		/* printk.time=1: "[    1.234567] " */
		if (*text == '[' && strchr(text, ']'))
			text = skip_spaces(strchr(text, ']') + 1);
		if (strstarts(text, "Kernel panic - not syncing"))
			continue;
		strscpy(out, text, size);
		len = strlen(out);
		while (len && out[len - 1] == '\n')
			out[--len] = '\0';
	}
}

/*
 * A panic ends kbox with the kernel's message. panic() itself spins for
 * ever (there is no reboot here): kbox hung, saying nothing unless
 * --verbose showed the console (-k with more than 32 unknown words:
 * "Too many boot init vars").
 */
static int lx_panic_event(struct notifier_block *nb, unsigned long event,
			  void *buf)
{
	static char cause[256];
	static char msg[sizeof(cause) + 256];

	lx_panic_cause(cause, sizeof(cause));
	if (cause[0])
		snprintf(msg, sizeof(msg), "%s\nkbox: kernel panic: %s", cause,
			 (const char *)buf);
	else
		snprintf(msg, sizeof(msg), "kernel panic: %s",
			 (const char *)buf);
	lx_host_panic(msg);
}

static struct notifier_block lx_panic_nb = {
	.notifier_call = lx_panic_event,
	.priority = INT_MIN,
};

/*
 * Seed the random pool from the host, as a boot loader hands a seed over
 * (credited unless random.trust_bootloader=off): the crng is ready at
 * boot, so getrandom(GRND_NONBLOCK) works at once, as on any running
 * host.
 */
static void __init lx_seed_random(void)
{
	u8 seed[32];

	if (lx_host_random(seed, sizeof(seed)))
		return;
	add_bootloader_randomness(seed, sizeof(seed));
	memzero_explicit(seed, sizeof(seed));
}

/*
 * Boot's longest step writes the page array (64 bytes a page: 8 MiB for
 * 512 MiB), which memblock puts at the top of RAM. Each 2 MiB of it is a
 * transparent huge page the host zeroes at the first touch, ~0.15 ms
 * apiece on these VMs. A host thread on another free CPU faults in all
 * but the first while this one initialises the array from its start.
 */
static void __init lx_prefault_boot_memory(void)
{
	unsigned long map = PAGE_ALIGN((lx_mem_size >> PAGE_SHIFT) *
				       sizeof(struct page));
	unsigned long r[2];

	r[0] = ALIGN_DOWN(memory_end - map, SZ_2M) + SZ_2M;
	if (r[0] >= memory_end || r[0] < memory_start)
		return;
	r[1] = memory_end - r[0];
	lx_host_mem_prefault(r, 1);
}

void __init setup_arch(char **cmdline_p)
{
	unsigned long align = PAGE_SIZE << MAX_PAGE_ORDER;
	unsigned long max_zone_pfn[MAX_NR_ZONES] = { 0 };

	*cmdline_p = boot_command_line;
	parse_early_param();
	/* Guest tasks are renumbered to host pids, which go this high. */
	pid_max = pid_max_max;

	atomic_notifier_chain_register(&panic_notifier_list, &lx_panic_nb);
	lx_check_mem_size();
	lx_ram_size = lx_mem_size + align;
	lx_ram = lx_host_mem_alloc(lx_ram_size);
	if (!lx_ram)
		lx_host_panic("the kernel's memory (mem=) could not be allocated");
	memory_start = ALIGN((unsigned long)lx_ram, align);
	memory_end = memory_start + lx_mem_size;

	min_low_pfn = PFN_UP(memory_start);
	max_low_pfn = PFN_DOWN(memory_end);
	max_pfn = max_low_pfn;
	max_mapnr = max_pfn - ARCH_PFN_OFFSET;
	high_memory = (void *)memory_end;

	memblock_add(memory_start, lx_mem_size);
	lx_prefault_boot_memory();

	max_zone_pfn[ZONE_NORMAL] = max_pfn;
	free_area_init(max_zone_pfn);

	empty_zero_page = memblock_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!empty_zero_page)
		panic("lx: no zero page");
	lx_seed_random();
}

void __init mem_init(void)
{
	memblock_free_all();
}

/* The kernel image is part of the host program, not of our RAM. */
void free_initmem(void)
{
}

void __ref lx_k_start_kernel(void *arg)
{
	lx_boot_args = arg;
	init_task.thread.host = lx_host_thread_alloc();
	if (!init_task.thread.host)
		lx_host_panic("out of host memory at boot");
	init_task.thread.host->task = &init_task;
	init_task.thread.host->started = 1;
	strscpy(boot_command_line, lx_boot_args->cmdline ?: "",
		COMMAND_LINE_SIZE);
	start_kernel();
}

/*
 * pid 1 must exec an init. /init is created below and "executed" by a
 * binary format that accepts only it; kernel_init() then returns as if to
 * user space, which is where lx hands pid 1 to the library's callers.
 */
static const char lx_init_magic[] = "#!lx-init\n";

/*
 * Linux hands the command line's words it does not know to init, as
 * arguments (argv[1]...) or, with a '=', as environment (after HOME and
 * TERM): the words its "Unknown kernel command line parameters" notice
 * lists, and those after "--". lx has no init to take them, so the host
 * is told of each.
 */
static void lx_report_unknown(struct linux_binprm *bprm)
{
	unsigned long pos = bprm->p;
	char *word;
	int i, n;

	if (!lx_boot_args->unknown)
		return;
	word = kmalloc(COMMAND_LINE_SIZE, GFP_KERNEL);
	if (!word)
		return;
	/* nommu: argv then envp, one string after another, in bprm->page[] */
	for (i = 0; i < bprm->argc + bprm->envc; i++) {
		for (n = 0;; n++, pos++) {
			struct page *page = bprm->page[pos / PAGE_SIZE];
			char *text = page ? page_address(page) : NULL;
			char c = text ? text[pos % PAGE_SIZE] : 0;

			if (n < COMMAND_LINE_SIZE - 1)
				word[n] = c;
			if (!c)
				break;
		}
		pos++;
		word[min(n, COMMAND_LINE_SIZE - 1)] = 0;
		if ((i >= 1 && i < bprm->argc) || i >= bprm->argc + 2)
			lx_boot_args->unknown(word);
	}
	kfree(word);
}

static int lx_init_load(struct linux_binprm *bprm)
{
	if (memcmp(bprm->buf, lx_init_magic, sizeof(lx_init_magic) - 1))
		return -ENOEXEC;
	lx_report_unknown(bprm);
	/*
	 * the "console" opened below: every task forked from pid 1 copies
	 * its files, and lx's callers start from none
	 */
	close_fd(0);
	close_fd(1);
	close_fd(2);
	return 0;
}

static struct linux_binfmt lx_init_format = {
	.module		= THIS_MODULE,
	.load_binary	= lx_init_load,
};

/*
 * Anonymous device numbers (tmpfs, proc, devpts, the bind traps: major 0)
 * that lx gives the guest's mounts must not equal the host's, which its
 * binds report: a bind file and an image file with the same (st_dev,
 * st_ino) are one file to tar and cp. Hosts use the low minors; the
 * mounts kbox makes after boot get numbers above these.
 */
#define LX_ANON_RESERVED 1024

static void __init lx_reserve_anon_devs(void)
{
	dev_t d;

	for (int i = 0; i < LX_ANON_RESERVED; i++)
		if (get_anon_bdev(&d))
			break;
}

static int __init lx_make_init(void)
{
	struct file *f;
	loff_t pos = 0;

	register_binfmt(&lx_init_format);
	lx_reserve_anon_devs();
	/*
	 * pid 1 opens /dev/console for its stdin, stdout and stderr, and
	 * said "unable to open an initial console" on every boot: lx has
	 * no tty console (its log goes to the host). So the node is
	 * /dev/null's, and /init closes what pid 1 opened.
	 */
	init_mkdir("/dev", 0755);
	init_unlink("/dev/console"); /* the built-in initramfs's (5, 1) */
	init_mknod("/dev/console", S_IFCHR | 0600, new_encode_dev(MKDEV(1, 3)));
	f = filp_open("/init", O_CREAT | O_WRONLY | O_TRUNC, 0700);
	if (IS_ERR(f))
		panic("lx: cannot create /init: %ld", PTR_ERR(f));
	kernel_write(f, lx_init_magic, sizeof(lx_init_magic) - 1, &pos);
	filp_close(f, NULL);
	/* pid 1 is not a kthread: run its deferred fput now, or exec says ETXTBSY. */
	task_work_run();
	lx_irq_init();
	return 0;
}
late_initcall(lx_make_init);

/*
 * Give pid 1 an empty address space, which every task forked from it
 * copies. /proc takes the owner of a task's files from its mm (a task
 * without one is owned by root, like a kernel thread), and access checks
 * on another task's /proc files want an mm dumpable by its user.
 */
static void lx_init_mm(struct task_struct *p)
{
	struct mm_struct *mm = mm_alloc(), *lazy;

	if (!mm)
		panic("lx: no memory for init's mm");
	set_dumpable(mm, SUID_DUMP_USER);
	task_lock(p);
	lazy = p->active_mm;
	p->mm = mm;
	p->active_mm = mm;
	task_unlock(p);
	if (lazy)
		mmdrop_lazy_tlb(lazy);
}

static void lx_init_leave(void *arg)
{
	struct task_struct *p = current;

	lx_init_mm(p);
	/* Children of pid 1 and of every task forked from it are reaped. */
	kernel_sigaction(SIGCHLD, SIG_IGN);
	/*
	 * lx tasks run no handlers: the host delivers the guest's signals.
	 * Blocked, a signal lx sends stays queued (mq_notify's, SIGIO's, for
	 * the host to take: sigfwd.c) instead of waking the task, or, with its
	 * default action fatal, marking its thread group as exiting, after
	 * which every later signal to it was dropped. Forks inherit it.
	 */
	{
		sigset_t all;

		sigfillset(&all);
		set_current_blocked(&all);
	}
	p->thread.host->embodied = 1;
	lx_leave();
}

void lx_init_returned(void)
{
	struct task_struct *p = current;

	lx_host_entry(p->thread.host, lx_init_leave, NULL);
	/* pid 1 is parked now: callers may embody it. */
	lx_boot_args->booted(p);
}

void machine_halt(void)
{
	lx_host_panic("the kernel halted outside lx_halt");
}

void machine_power_off(void)
{
	machine_halt();
}

void machine_restart(char *cmd)
{
	machine_halt();
}
