/* SPDX-License-Identifier: MIT */
/*
 * Landlock for kbox's own domains (src/exec/execlock.c: what the host
 * may exec for the guest; src/dispatch/sockbind.c: a socket bound
 * beneath a bind): the uapi, and the syscall numbers older libc headers
 * lack (the same on every architecture, Linux 5.13 on).
 */
#ifndef KBOX_LANDLOCK_H
#define KBOX_LANDLOCK_H

#include <linux/landlock.h>
#include <sys/syscall.h>

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule       445
#define __NR_landlock_restrict_self  446
#endif

#endif
