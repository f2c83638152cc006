/* SPDX-License-Identifier: MIT */
/*
 * RLIMIT_MSGQUEUE (ulimit -q) bounds the bytes of a user's POSIX message
 * queues: a queue that does not fit is EMFILE. lx serves message queues
 * and counted them against its own copy of the limit, Linux's default,
 * so a guest started under `ulimit -q 0` created queues natively refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <sys/resource.h>

#include "guest-check.h"

int main(void)
{
    struct mq_attr a = { .mq_maxmsg = 10, .mq_msgsize = 8192 };
    const char *name = "/kbox-mq-limit";
    struct rlimit rl;
    mqd_t q;

    setvbuf(stdout, NULL, _IOLBF, 0);
    getrlimit(RLIMIT_MSGQUEUE, &rl);
    mq_unlink(name);
    errno = 0;
    q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 10 * 8192) {
        check(q == (mqd_t)-1 && errno == EMFILE,
              "a queue past RLIMIT_MSGQUEUE is EMFILE");
    } else {
        check(q != (mqd_t)-1, "a queue within RLIMIT_MSGQUEUE");
    }
    if (q != (mqd_t)-1) {
        mq_close(q);
        mq_unlink(name);
    }
    printf("limit %llu\n", (unsigned long long)rl.rlim_cur);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
