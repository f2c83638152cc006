/* SPDX-License-Identifier: MIT */
/*
 * lx_pin_threads(): while pinned, every host thread of the process (the
 * caller and each kernel thread, those started during boot included) may
 * run on one CPU only; unpinned, all of them have the caller's mask from
 * before again. On a one-CPU mask it changes nothing.
 */
#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define KTEST_IMPLEMENTATION
#include "ktest.h"
#include "lxt.h"

/* Threads of this process whose mask is not @want; -1 on error. */
static int threads_not_on(const cpu_set_t *want, int *nthreads)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int bad = 0;

    if (!d)
        return -1;
    *nthreads = 0;
    while ((e = readdir(d))) {
        cpu_set_t m;
        int tid = atoi(e->d_name);

        if (tid <= 0)
            continue;
        if (sched_getaffinity(tid, sizeof(m), &m))
            continue; /* it just ended */
        (*nthreads)++;
        if (!CPU_EQUAL(&m, want))
            bad++;
    }
    closedir(d);
    return bad;
}

KTEST(pin_holds_every_kernel_thread_and_unpin_restores)
{
    struct lx_boot_opts opts = { .cmdline = "mem=32M",
                                 .console_fd = getenv("LX_CONSOLE") ? 2 : -1 };
    cpu_set_t all, one, now;
    int n = 0;

    KT_EQ(sched_getaffinity(0, sizeof(all), &all), 0);
    KT_EQ(lx_pin_threads(1), 0);
    KT_EQ(sched_getaffinity(0, sizeof(now), &now), 0);
    if (CPU_COUNT(&all) < 2) {
        /* Nothing to gain on one CPU: the mask is left alone. */
        KT_ASSERT(CPU_EQUAL(&now, &all));
        printf("# one CPU only: pinning is a no-op here\n");
    } else {
        KT_EQ(CPU_COUNT(&now), 1);
    }
    one = now;
    KT_EQ(lx_boot(&opts), 0);
    KT_EQ(LX0(getpid) > 0, 1);
    /* The kernel threads started during boot are held too. */
    KT_EQ(threads_not_on(&one, &n), 0);
    KT_ASSERT(n > 2);
    KT_EQ(lx_pin_threads(1), 0); /* again: no change */
    KT_EQ(threads_not_on(&one, &n), 0);

    KT_EQ(lx_pin_threads(0), 0);
    KT_EQ(threads_not_on(&all, &n), 0);
    KT_ASSERT(n > 2);
    KT_EQ(lx_pin_threads(0), 0); /* again: no change */
    KT_EQ(threads_not_on(&all, &n), 0);

    /* Pinned for the halt, the caller gets its mask back after it. */
    KT_EQ(lx_pin_threads(1), 0);
    KT_EQ(lx_halt(), 0);
    KT_EQ(lx_pin_threads(0), 0);
    KT_EQ(sched_getaffinity(0, sizeof(now), &now), 0);
    KT_ASSERT(CPU_EQUAL(&now, &all));
}

int main(int argc, char **argv)
{
    return ktest_main(argc, argv);
}
