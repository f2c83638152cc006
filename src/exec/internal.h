/* SPDX-License-Identifier: MIT */
/*
 * Pieces of exec.c kept in files of their own (alias.c, claim.c).
 */
#ifndef KBOX_EXEC_INTERNAL_H
#define KBOX_EXEC_INTERNAL_H

#include "kbox/dispatch.h"

/* Make sure the alias @name under exec_dir points at the fd @n of the
 * thread that execs ("/proc/thread-self/fd/<n>"). */
int kbox_exec_alias(int n, const char *name);
/* Make @r's exec the process's only one (0), or -EINTR (the thread dies
 * in another's exec, or is gone) / -EAGAIN (30 s). Released by the
 * caller when the exec is refused; kept when it is let go. */
long kbox_exec_claim(struct kbox_req *r);

#endif
