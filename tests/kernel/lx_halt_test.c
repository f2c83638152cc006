/* SPDX-License-Identifier: MIT */
/*
 * Halting while another host thread is blocked inside lx (a read on an
 * empty lx pipe) must return, and the blocked call must come back with
 * -ESHUTDOWN; every later call fails the same way.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define KTEST_IMPLEMENTATION
#include "ktest.h"
#include "lxt.h"

static int pipefd[2];
static volatile long blocked_result = 1;
static volatile int about_to_block;

static void *reader(void *arg)
{
    char c;

    (void)arg;
    about_to_block = 1;
    blocked_result = LX3(read, pipefd[0], &c, 1);
    return NULL;
}

KTEST(halt_with_a_blocked_caller)
{
    struct lx_boot_opts opts = { .cmdline = "mem=32M",
                                 .console_fd = getenv("LX_CONSOLE") ? 2 : -1 };
    pthread_t t;
    int lxpipe[2];

    KT_EQ(lx_boot(&opts), 0);
    KT_EQ(lx_boot(NULL), -LX_EALREADY);
    KT_EQ(lx_task_syscall(lx_task_root(), LX__NR_pipe2,
                          (long[6]){ LXA(lxpipe), 0 }),
          0);
    pipefd[0] = lxpipe[0];
    pipefd[1] = lxpipe[1];
    /* The reader runs as its own task, forked from the root: same fds. */
    KT_EQ(pthread_create(&t, NULL, reader, NULL), 0);
    while (!about_to_block)
        usleep(1000);
    usleep(100 * 1000);
    KT_EQ(blocked_result, 1); /* still blocked */
    KT_EQ(lx_halt(), 0);
    pthread_join(t, NULL);
    KT_EQ(blocked_result, -LX_ESHUTDOWN);
    KT_EQ(LX0(getpid), -LX_ESHUTDOWN);
    KT_EQ(lx_halt(), 0); /* a second halt is harmless */
}

int main(int argc, char **argv)
{
    return ktest_main(argc, argv);
}
