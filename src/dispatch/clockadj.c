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
#define K_ADJ_FREQUENCY         0x0002
#define K_ADJ_SETOFFSET         0x0100
#define K_ADJ_OFFSET_READONLY   0x2000
#define K_ADJ_ADJTIME           0x8000
#define K_PPM_SCALE             ((int64_t)1000 << 16)
#define K_CLOCKFD               3

/* 6.12's timekeeping_validate_timex for a caller without CAP_SYS_TIME:
 * 0 when it only reads. adjtime's read-only modes let other bits by to
 * the later checks (an offset to inject, a frequency out of range), which
 * a root kbox's own call would have obeyed on the host's clock. */
static long validate_timex(const struct timex *tx)
{
    unsigned int modes = (unsigned int)tx->modes;

    if (modes & K_ADJ_ADJTIME) {
        if (!(modes & K_ADJ_OFFSET_SINGLESHOT))
            return -EINVAL;
        if (!(modes & K_ADJ_OFFSET_READONLY))
            return -EPERM;
    } else if (modes) {
        return -EPERM;
    }
    if (modes & K_ADJ_SETOFFSET)
        return -EPERM;
    if ((modes & K_ADJ_FREQUENCY) && (INT64_MIN / K_PPM_SCALE > tx->freq ||
                                      INT64_MAX / K_PPM_SCALE < tx->freq))
        return -EINVAL;
    return 0;
}

/* 6.12's do_clock_adjtime before the clock's own call: the clocks it
 * has (EINVAL for none, EOPNOTSUPP for one without clock_adj), not the
 * host's (6.18's auxiliary clocks 16-23 are adjustable there). */
static long clock_check(clockid_t clk)
{
    if (clk < 0)
        return (clk & 7) == K_CLOCKFD ? 1 : -EOPNOTSUPP;
    if (clk == CLOCK_REALTIME)
        return 0;
    if (clk > CLOCK_TAI || clk == 10 /* CLOCK_SGI_CYCLE, gone */)
        return -EINVAL;
    return -EOPNOTSUPP;
}

static struct kbox_resp h_adjtime(struct kbox_req *r)
{
    bool clk_call = r->nr == SYS_clock_adjtime;
    clockid_t clk = clk_call ? (clockid_t)(int)r->args[0] : CLOCK_REALTIME;
    uint64_t addr = clk_call ? r->args[1] : r->args[0];
    struct timex tx;
    int modes;
    long ret;

    if (r->ops->read(r, addr, &tx, sizeof(tx)))
        return kbox_ret(-EFAULT);
    ret = clock_check(clk);
    /*
     * A dynamic clock (a PTP device's fd) is the guest's fd number, not
     * kbox's: still refused.
     */
    if (ret > 0)
        return kbox_ret(-EPERM);
    if (ret < 0)
        return kbox_ret(ret);
    ret = validate_timex(&tx);
    if (ret)
        return kbox_ret(ret);
    /*
     * kbox's own call gets only the read-only modes, whatever else the
     * guest set (a root kbox would obey them); the rest of the struct,
     * its padding and the guest's modes come back as Linux leaves them.
     */
    modes = tx.modes;
    tx.modes = (modes & K_ADJ_ADJTIME) ? ADJ_OFFSET_SS_READ : 0;
    ret = clk_call ? syscall(SYS_clock_adjtime, clk, &tx)
                   : syscall(SYS_adjtimex, &tx);
    if (ret < 0)
        return kbox_ret(-errno);
    tx.modes = modes;
    if (r->ops->write(r, addr, &tx, sizeof(tx)))
        return kbox_ret(-EFAULT);
    return kbox_ret(ret);
}

kbox_handler kbox_clockadj_handler(long nr)
{
    return nr == SYS_adjtimex || nr == SYS_clock_adjtime ? h_adjtime : NULL;
}
