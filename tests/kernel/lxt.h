/* SPDX-License-Identifier: MIT */
/* Shared helpers for the lx kernel tests. */
#ifndef LXT_H
#define LXT_H

#include <lx/lx.h>
#include <lx/uapi.h>

#define LXA(x)        ((long)(x))
#define LX0(nr)       lx_syscall6(LX__NR_##nr, 0, 0, 0, 0, 0, 0)
#define LX1(nr, a)    lx_syscall6(LX__NR_##nr, LXA(a), 0, 0, 0, 0, 0)
#define LX2(nr, a, b) lx_syscall6(LX__NR_##nr, LXA(a), LXA(b), 0, 0, 0, 0)
#define LX3(nr, a, b, c) \
    lx_syscall6(LX__NR_##nr, LXA(a), LXA(b), LXA(c), 0, 0, 0)
#define LX4(nr, a, b, c, d) \
    lx_syscall6(LX__NR_##nr, LXA(a), LXA(b), LXA(c), LXA(d), 0, 0)
#define LX5(nr, a, b, c, d, e) \
    lx_syscall6(LX__NR_##nr, LXA(a), LXA(b), LXA(c), LXA(d), LXA(e), 0)

/* The same, as a given task context. */
#define LXT3(t, nr, a, b, c) \
    lx_task_syscall((t), LX__NR_##nr, (long[6]){ LXA(a), LXA(b), LXA(c) })
#define LXT4(t, nr, a, b, c, d)       \
    lx_task_syscall((t), LX__NR_##nr, \
                    (long[6]){ LXA(a), LXA(b), LXA(c), LXA(d) })
#define LXT5(t, nr, a, b, c, d, e)    \
    lx_task_syscall((t), LX__NR_##nr, \
                    (long[6]){ LXA(a), LXA(b), LXA(c), LXA(d), LXA(e) })
#define LXT6(t, nr, a, b, c, d, e, f) \
    lx_task_syscall(                  \
        (t), LX__NR_##nr,             \
        (long[6]){ LXA(a), LXA(b), LXA(c), LXA(d), LXA(e), LXA(f) })

#endif
