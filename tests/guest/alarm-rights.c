/* SPDX-License-Identifier: MIT */
/*
 * The alarm clocks (CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM) can wake
 * the machine from suspend: timerfd_create, timer_create and
 * clock_nanosleep on them need CAP_WAKE_ALARM. The host checked kbox's
 * rights: under kbox run by root a guest user got alarm timerfds
 * (stress-ng's timerfd stressor: "timerfd_create without capability
 * CAP_WAKE_ALARM unexpectedly succeeded"). timer_create and
 * clock_nanosleep are EOPNOTSUPP on a host without an RTC, before the
 * capability is looked at.
 * Usage: alarm-rights (as a user other than root)
 *        alarm-rights root (as root: the timerfds are made)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

int main(int argc, char **argv)
{
    static const clockid_t alarms[] = { CLOCK_REALTIME_ALARM,
                                        CLOCK_BOOTTIME_ALARM };
    int root = argc > 1 && !strcmp(argv[1], "root");
    struct timespec ns = { 0, 1 };
    struct sigevent ev = { .sigev_notify = SIGEV_NONE };

    if (root != (getuid() == 0)) {
        fprintf(stderr, "usage: alarm-rights (not as root) | root\n");
        return 2;
    }
    for (int i = 0; i < 2; i++) {
        clockid_t c = alarms[i];
        int fd = timerfd_create(c, TFD_CLOEXEC), r;
        timer_t t;

        if (root) {
            check(fd >= 0, "clock %d: timerfd_create as root", c);
            if (fd >= 0)
                close(fd);
            continue;
        }
        check(fd == -1 && errno == EPERM, "clock %d: timerfd_create is EPERM",
              c);
        if (fd >= 0)
            close(fd);
        fd = timerfd_create(c, 0x40 /* not a flag */);
        check(fd == -1 && errno == EINVAL,
              "clock %d: timerfd_create with a bad flag is EINVAL", c);
        r = timer_create(c, &ev, &t);
        check(r == -1 && (errno == EPERM || errno == EOPNOTSUPP),
              "clock %d: timer_create is EPERM (EOPNOTSUPP without an RTC)", c);
        if (r == 0)
            timer_delete(t);
        r = clock_nanosleep(c, 0, &ns, NULL);
        check(r == EPERM || r == EOPNOTSUPP,
              "clock %d: clock_nanosleep is EPERM (EOPNOTSUPP without an "
              "RTC): %d",
              c, r);
    }
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    check(fd >= 0, "timerfd_create(CLOCK_MONOTONIC)");
    check(clock_nanosleep(CLOCK_MONOTONIC, 0, &ns, NULL) == 0,
          "clock_nanosleep(CLOCK_MONOTONIC)");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
