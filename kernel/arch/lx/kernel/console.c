// SPDX-License-Identifier: GPL-2.0
/* The kernel log goes to a host file descriptor chosen at boot. */
#include <linux/console.h>
#include <linux/init.h>
#include <asm/lx_host.h>

static void lx_console_write(struct console *con, const char *s,
			     unsigned int n)
{
	lx_host_console_write(s, n);
}

static struct console lx_console = {
	.name	= "lxcon",
	.write	= lx_console_write,
	.flags	= CON_PRINTBUFFER | CON_ANYTIME,
	.index	= -1,
};

static int __init lx_console_register(void)
{
	register_console(&lx_console);
	return 0;
}
console_initcall(lx_console_register);
