/* SPDX-License-Identifier: MIT */
/*
 * Settling exits (notify.c's held exits): a child's exit_group we let go
 * without waiting for the child to be gone, kept until it is, so that
 * its SIGCHLD cannot withdraw a request of its parent's not yet
 * received. See settle.c.
 */
#ifndef KBOX_SECCOMP_SETTLE_H
#define KBOX_SECCOMP_SETTLE_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * How long a released exit is waited for. Normally microseconds; on a
 * loaded machine the child may wait its turn for the CPU for longer
 * than the 20 ms this was, and its SIGCHLD then landed in one of the
 * parent's later calls.
 */
#define KBOX_SC_RELEASE_WAIT_MS 100

/* Has the child of @pidfd gone (waiting up to @ms)? */
bool kbox_sc_child_gone(int pidfd, int ms);
/* @parent's child (its pidfd @pidfd, duplicated) is let go now. */
void kbox_sc_settling_add(pid_t parent, int pidfd);
/* Any settling at all (no lock: a hint). */
bool kbox_sc_settling_any(void);
/* Before a reply to @pid, or once its request is received: wait until its
 * settling children are gone (bounded). */
void kbox_sc_settle(pid_t pid);
/* Drop the entries whose child is gone or older than @max_us; all with
 * @max_us < 0. */
void kbox_sc_settling_prune(long max_us);

#endif
