/* SPDX-License-Identifier: MIT */
/*
 * Settling exits (pool.c's held exits): a child's exit_group we let go
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
/* @parent's child (its pidfd @pidfd, duplicated) is let go now; @others:
 * its SIGCHLD goes to a thread other than @parent's main one. */
void kbox_sc_settling_add(pid_t parent, int pidfd, bool others);
/* Any settling at all (no lock: a hint). */
bool kbox_sc_settling_any(void);
/* Before a reply to thread @pid, or once its request is received: wait
 * until its process's settling children are gone (bounded). */
void kbox_sc_settle(pid_t pid);
/* Drop the entries whose child is gone or older than @max_us; all with
 * @max_us < 0. */
void kbox_sc_settling_prune(long max_us);

/*
 * The threads of a parent its child's SIGCHLD may go to (sigchld.c): the
 * main thread, or the others that do not block it when it does (the main
 * thread again when all do). kbox_sc_parent_at(): could the SIGCHLD now
 * cost one of them a request (running, or in a supervised call: the most
 * exposed of them); *@in_flight: is one's request in flight (a worker
 * has it); *@others: are they threads other than the main one.
 * kbox_sc_parent_cpu_ns(): their CPU time (ns), or -1.
 */
enum kbox_sc_at { KBOX_SC_SAFE, KBOX_SC_IN_CALL, KBOX_SC_RUNNING };
enum kbox_sc_at kbox_sc_parent_at(pid_t parent, bool *in_flight, bool *others);
long long kbox_sc_parent_cpu_ns(pid_t parent);
/* Is thread @tid (not @parent's main one) one of those threads now? */
bool kbox_sc_releases(pid_t tid, pid_t parent);
/* The process of thread @tid, or 0. */
pid_t kbox_sc_tgid_of(pid_t tid);

#endif
