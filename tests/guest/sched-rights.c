/* SPDX-License-Identifier: MIT */
/*
 * A guest user without CAP_SYS_NICE may lower its priority but not raise
 * it again, nor take a real-time policy, leave SCHED_IDLE or renice a
 * process of another guest user (Linux's can_nice, RLIMIT_NICE 0,
 * RLIMIT_RTPRIO 0). The host checked kbox's identity: kbox run by root
 * let the guest user renice to -5 and take SCHED_FIFO on the host.
 * Usage: sched-rights (as a user other than root, soft RLIMIT_NICE and
 * RLIMIT_RTPRIO 0)
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "guest-check.h"

int main(void)
{
    struct sched_param sp = { 10 };
    struct rlimit zero = { 0, RLIM_INFINITY };
    int r;

    if (getuid() == 0) {
        fprintf(stderr, "usage: sched-rights (not as root)\n");
        return 2;
    }
    setrlimit(RLIMIT_NICE, &zero);
    setrlimit(RLIMIT_RTPRIO, &zero);
    r = setpriority(PRIO_PROCESS, 0, 5);
    check(r == 0 && getpriority(PRIO_PROCESS, 0) == 5, "lowering to nice 5");
    r = setpriority(PRIO_PROCESS, 0, -5);
    check(r == -1 && errno == EACCES && getpriority(PRIO_PROCESS, 0) == 5,
          "nice -5 is EACCES");
    r = setpriority(PRIO_PROCESS, getpid(), 4);
    check(r == -1 && errno == EACCES, "nice 4 by pid is EACCES");
    errno = 0;
    r = nice(-1);
    check(r == -1 && errno == EPERM, "nice(-1) is EPERM");
    /* EPERM natively when the group holds another user's process */
    r = setpriority(PRIO_PGRP, 0, 0);
    check(r == -1 && (errno == EACCES || errno == EPERM),
          "the group back to 0 is refused");
    r = sched_setscheduler(0, SCHED_FIFO, &sp);
    check(r == -1 && errno == EPERM && sched_getscheduler(0) == SCHED_OTHER,
          "SCHED_FIFO is EPERM");
    r = sched_setscheduler(0, SCHED_RR, &sp);
    check(r == -1 && errno == EPERM, "SCHED_RR is EPERM");
    sp.sched_priority = 0;
    r = sched_setscheduler(0, SCHED_BATCH, &sp);
    check(r == 0 && sched_getscheduler(0) == SCHED_BATCH, "SCHED_BATCH");
    r = sched_setscheduler(0, SCHED_IDLE, &sp);
    check(r == 0 && sched_getscheduler(0) == SCHED_IDLE, "SCHED_IDLE");
    r = sched_setscheduler(0, SCHED_OTHER, &sp);
    check(r == -1 && errno == EPERM && sched_getscheduler(0) == SCHED_IDLE,
          "leaving SCHED_IDLE is EPERM");
    r = setpriority(PRIO_PROCESS, getppid(), 19);
    check(r == -1 && errno == EPERM, "the parent (outside) is EPERM");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
