/* SPDX-License-Identifier: MIT */
/*
 * adjtimex(2) and clock_adjtime(2). Any user may read the clock's
 * discipline (glibc's ntp_gettime, ntpstat, hwclock and `adjtimex -p`
 * do, with modes 0 or ADJ_OFFSET_SS_READ); changing it needs
 * CAP_SYS_TIME, which no guest has (kbox keeps it from guest root, as a
 * container does). The filter used to refuse both calls whole (EPERM),
 * reads included. kbox now validates the guest's struct timex as 6.12's
 * timekeeping_validate_timex does for a caller without the capability
 * and answers a read from its own call on a copy with the read-only
 * modes: the host's clock is never changed, whatever the guest rewrites
 * in its memory meanwhile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "kbox/dispatch.h"

/* The kernel's own names for the bits userspace sees in 0x8001/0xa001. */
#define K_ADJ_OFFSET_SINGLESHOT 0x0001
#define K_ADJ_OFFSET_READONLY   0x2000
#define K_ADJ_ADJTIME           0x8000

/* Linux's answer to @modes from a caller without CAP_SYS_TIME: 0 when it
 * only reads. */
static long validate_modes(unsigned int modes)
{
    if (modes & K_ADJ_ADJTIME) {
        if (!(modes & K_ADJ_OFFSET_SINGLESHOT))
            return -EINVAL;
        return (modes & K_ADJ_OFFSET_READONLY) ? 0 : -EPERM;
    }
    return modes ? -EPERM : 0;
}

static struct kbox_resp h_adjtime(struct kbox_req *r)
{
    bool clk_call = r->nr == SYS_clock_adjtime;
    clockid_t clk = clk_call ? (clockid_t)(int)r->args[0] : CLOCK_REALTIME;
    uint64_t addr = clk_call ? r->args[1] : r->args[0];
    struct timex tx;
    long ret;

    if (r->ops->read(r, addr, &tx, sizeof(tx)))
        return kbox_ret(-EFAULT);
    /*
     * A dynamic clock (a PTP device's fd, clock ids below 0) is the
     * guest's fd number, not kbox's: still refused.
     */
    if (clk < 0)
        return kbox_ret(-EPERM);
    /*
     * clock_adjtime looks up the clock first (EINVAL for no clock,
     * EOPNOTSUPP for one that cannot be adjusted, CLOCK_MONOTONIC):
     * the host's read-only call on it says which.
     */
    if (clk_call && clk != CLOCK_REALTIME) {
        struct timex probe = { .modes = 0 };

        if (syscall(SYS_clock_adjtime, clk, &probe) < 0)
            return kbox_ret(-errno);
    }
    ret = validate_modes(tx.modes);
    if (ret)
        return kbox_ret(ret);
    /* Read with the guest's read-only modes (adjtime's read reports the
     * offset left); the rest of the struct is the kernel's to fill. */
    struct timex mine = { .modes = tx.modes };

    ret = clk_call ? syscall(SYS_clock_adjtime, clk, &mine)
                   : syscall(SYS_adjtimex, &mine);
    if (ret < 0)
        return kbox_ret(-errno);
    if (r->ops->write(r, addr, &mine, sizeof(mine)))
        return kbox_ret(-EFAULT);
    return kbox_ret(ret);
}

kbox_handler kbox_clockadj_handler(long nr)
{
    return nr == SYS_adjtimex || nr == SYS_clock_adjtime ? h_adjtime : NULL;
}
