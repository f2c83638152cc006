/* SPDX-License-Identifier: MIT */
/*
 * Reading the clock's discipline is any user's (adjtimex and
 * clock_adjtime with modes 0 or ADJ_OFFSET_SS_READ, glibc's
 * ntp_gettime); changing it needs CAP_SYS_TIME, which no guest has: the
 * errors come in Linux's order (EFAULT for the struct first, then the
 * clock, then the modes). kbox refused every call with EPERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static long adj(struct timex *tx)
{
    return syscall(SYS_adjtimex, tx);
}

static long clk_adj(long clk, struct timex *tx)
{
    return syscall(SYS_clock_adjtime, clk, tx);
}

int main(void)
{
    struct timex tx = { .modes = 0 };
    struct ntptimeval ntv;
    long rc;

    rc = adj(&tx);
    check(rc >= TIME_OK && rc <= TIME_ERROR, "adjtimex(modes 0) reads: %ld",
          rc);
    check(tx.tick >= 9000 && tx.tick <= 11000, "the tick is filled: %ld",
          tx.tick);
    check(tx.time.tv_sec > 1000000000, "the time is filled: %ld",
          (long)tx.time.tv_sec);
    tx = (struct timex){ .modes = ADJ_OFFSET_SS_READ };
    rc = adj(&tx);
    check(rc >= TIME_OK && rc <= TIME_ERROR, "adjtimex(ADJ_OFFSET_SS_READ)");
    rc = ntp_gettime(&ntv);
    check(rc >= TIME_OK && rc <= TIME_ERROR && ntv.time.tv_sec > 1000000000,
          "ntp_gettime: %ld", rc);
    tx = (struct timex){ .modes = 0 };
    rc = clk_adj(CLOCK_REALTIME, &tx);
    check(rc >= TIME_OK && rc <= TIME_ERROR && tx.tick > 0,
          "clock_adjtime(CLOCK_REALTIME, modes 0)");

    tx = (struct timex){ .modes = ADJ_FREQUENCY, .freq = 1 };
    WANT(adj(&tx), EPERM, "adjtimex(ADJ_FREQUENCY)");
    tx = (struct timex){ .modes = ADJ_OFFSET_SINGLESHOT, .offset = 1 };
    WANT(adj(&tx), EPERM, "adjtimex(ADJ_OFFSET_SINGLESHOT): adjtime(3)");
    tx = (struct timex){ .modes = 0x8000 };
    WANT(adj(&tx), EINVAL, "adjtimex(ADJ_ADJTIME alone)");
    tx = (struct timex){ .modes = ADJ_SETOFFSET };
    WANT(adj(&tx), EPERM, "adjtimex(ADJ_SETOFFSET)");
    WANT(adj(NULL), EFAULT, "adjtimex(NULL)");
    WANT(clk_adj(CLOCK_REALTIME, NULL), EFAULT,
         "clock_adjtime(CLOCK_REALTIME, NULL)");
    tx = (struct timex){ .modes = 0 };
    WANT(clk_adj(CLOCK_MONOTONIC, &tx), EOPNOTSUPP,
         "clock_adjtime(CLOCK_MONOTONIC)");
    WANT(clk_adj(99, &tx), EINVAL, "clock_adjtime(99)");
    tx = (struct timex){ .modes = ADJ_FREQUENCY };
    WANT(clk_adj(CLOCK_REALTIME, &tx), EPERM,
         "clock_adjtime(CLOCK_REALTIME, ADJ_FREQUENCY)");
    tx = (struct timex){ .modes = ADJ_FREQUENCY };
    WANT(clk_adj(99, &tx), EINVAL, "clock_adjtime(99, ADJ_FREQUENCY)");
    /* adjtime's read-only modes let other bits by to 6.12's later
     * checks: an offset to inject is refused, a frequency out of range
     * is EINVAL (kbox answered both with its own read) */
    tx = (struct timex){ .modes = ADJ_OFFSET_SS_READ | ADJ_SETOFFSET };
    WANT(adj(&tx), EPERM, "adjtimex(ADJ_OFFSET_SS_READ|ADJ_SETOFFSET)");
    tx = (struct timex){ .modes = ADJ_OFFSET_SS_READ | ADJ_FREQUENCY,
                         .freq = LONG_MIN };
    WANT(adj(&tx), EINVAL, "adjtimex(ADJ_OFFSET_SS_READ|ADJ_FREQUENCY)");
    tx = (struct timex){ .modes = ADJ_OFFSET_SS_READ | ADJ_FREQUENCY };
    rc = adj(&tx);
    check(rc >= TIME_OK && rc <= TIME_ERROR &&
              tx.modes == (ADJ_OFFSET_SS_READ | ADJ_FREQUENCY),
          "a read with a frequency in range: the modes come back: %ld %x", rc,
          (unsigned)tx.modes);
    /* a process's CPU clock has no clock_adj: EOPNOTSUPP, not EPERM */
    tx = (struct timex){ .modes = 0 };
    WANT(clk_adj(-6 /* MAKE_PROCESS_CPUCLOCK(0, CPUCLOCK_SCHED) */, &tx),
         EOPNOTSUPP, "clock_adjtime(the process's CPU clock)");
    WANT(clk_adj(10 /* CLOCK_SGI_CYCLE */, &tx), EINVAL, "clock_adjtime(10)");
    WANT(clk_adj(16 /* 6.18's first CLOCK_AUX */, &tx), EINVAL,
         "clock_adjtime(16): no such clock in 6.12");
    /* the struct's padding is the guest's: Linux writes back its copy */
    {
        unsigned char raw[sizeof(struct timex)];

        memset(raw, 0x5a, sizeof(raw));
        memset(raw, 0, sizeof(int)); /* modes 0 */
        rc = adj((struct timex *)raw);
        check(rc >= TIME_OK && rc <= TIME_ERROR && raw[sizeof(raw) - 1] == 0x5a,
              "the padding is left as it was: %ld %#x", rc,
              raw[sizeof(raw) - 1]);
    }
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
