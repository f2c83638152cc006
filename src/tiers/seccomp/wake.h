/* SPDX-License-Identifier: MIT */
/*
 * What wakes the seccomp serve loop (serve.c, kbox_seccomp_serve), and
 * what it does on a SIGCHLD or a timer: see wake.c.
 */
#ifndef KBOX_SECCOMP_WAKE_H
#define KBOX_SECCOMP_WAKE_H

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

/* The serving thread, before any worker: SIGCHLD blocked, its handler,
 * the kick eventfd. */
void kbox_serve_wakes_init(void);
/* ppoll() with SIGCHLD let in; *@chld: one came (then often EINTR). */
int kbox_serve_wait(struct pollfd *pf, nfds_t n, int ms, bool *chld);
/* The eventfd the loop polls; kick it (async-signal-safe); empty it. */
int kbox_serve_kick_fd(void);
void kbox_serve_kick(void);
void kbox_serve_drain_kicks(void);
/* A worker answered a fork: a sweep is due in a second. */
void kbox_serve_sweep_soon(void);
/* A sweep outside the timer left work for another. */
void kbox_serve_sweep_arm(void);
/* The sweep timer: ms until the next sweep, -1 for none. */
int kbox_serve_sweep_timer(struct timespec *at, bool *set, pid_t main_pid);
/* Reap exited children but @main_pid (orphans kbox adopted). */
void kbox_serve_reap_others(pid_t main_pid);
/* The main process stopped: follow it; true to look again in a while. */
bool kbox_serve_follow_stop(pid_t main_pid);
long kbox_ms_between(const struct timespec *a, const struct timespec *b);

#endif
