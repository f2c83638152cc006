/* SPDX-License-Identifier: MIT */
/*
 * The first process's parent (getppid()) is a live process it may query
 * and signal, as natively: "is my parent alive" is kill(getppid(), 0),
 * and Python's test_posix asks sched_getscheduler(getppid()). Under kbox
 * that parent is kbox itself: queries answer, signals are accepted and
 * go nowhere (a SIGUSR1 used to come back to this process through kbox's
 * forwarding and kill it; a SIGKILL would have ended kbox unsynced).
 * Usage: outside-parent FILE (written after the signals, then checked)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "guest-check.h"

int main(int argc, char **argv)
{
    pid_t pp = getppid();
    struct sched_param sp;
    pid_t r;
    int fd;

    if (argc != 2) {
        fprintf(stderr, "usage: outside-parent FILE\n");
        return 2;
    }
    check(pp > 1, "getppid() is %d", (int)pp);
    check(kill(pp, 0) == 0, "kill(ppid, 0): the parent is alive");
    check(kill(pp, 65) == -1 && errno == EINVAL, "kill(ppid, 65) is EINVAL");
    check(sched_getscheduler(pp) >= 0, "sched_getscheduler(ppid)");
    check(sched_getparam(pp, &sp) == 0, "sched_getparam(ppid)");
    errno = 0;
    getpriority(PRIO_PROCESS, (id_t)pp);
    check(errno == 0, "getpriority(PRIO_PROCESS, ppid)");
    /* 0, not an error, when the leader lives in an ancestor pid
     * namespace (CI containers run kbox in such a session) */
    r = getpgid(pp);
    check(r >= 0, "getpgid(ppid) is %d", (int)r);
    r = getsid(pp);
    check(r >= 0, "getsid(ppid) is %d", (int)r);
    /* default dispositions: delivered back here, either would end us */
    signal(SIGUSR1, SIG_DFL);
    check(kill(pp, SIGUSR1) == 0, "kill(ppid, SIGUSR1)");
    check(kill(pp, SIGKILL) == 0, "kill(ppid, SIGKILL)");
    usleep(200 * 1000);
    fd = open(argv[1], O_CREAT | O_TRUNC | O_WRONLY, 0644);
    check(fd >= 0 && write(fd, "after\n", 6) == 6 && close(fd) == 0,
          "a file written after them");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
