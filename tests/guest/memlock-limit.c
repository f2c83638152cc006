/* SPDX-License-Identifier: MIT */
/*
 * Locking memory past RLIMIT_MEMLOCK needs CAP_IPC_LOCK: a user gets
 * ENOMEM from mlock and mlockall, root may. Under kbox run by root a guest
 * user is the host's root to the host kernel, and it locked 64 MiB past
 * an 8 MiB limit; a guest that starts as a user now runs without the
 * capabilities a user lacks on the host.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "guest-check.h"

int main(void)
{
    size_t n = 64 << 20;
    struct rlimit rl;
    void *p;
    int root = geteuid() == 0, rc;

    setvbuf(stdout, NULL, _IOLBF, 0);
    getrlimit(RLIMIT_MEMLOCK, &rl);
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= n) {
        /* no limit to go past: nothing to tell */
        printf("ok - RLIMIT_MEMLOCK is %llu: skipped\n",
               (unsigned long long)rl.rlim_cur);
        printf("1 passed, 0 failed\n");
        return 0;
    }
    p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
             0);
    check(p != MAP_FAILED, "64 MiB of memory");
    errno = 0;
    rc = mlock(p, n);
    if (root)
        check(rc == 0, "root locks 64 MiB past RLIMIT_MEMLOCK");
    else
        check(rc == -1 && errno == ENOMEM,
              "a user's mlock of 64 MiB past RLIMIT_MEMLOCK: ENOMEM");
    munlock(p, n);
    errno = 0;
    rc = mlockall(MCL_CURRENT);
    if (root)
        check(rc == 0, "root's mlockall");
    else
        check(rc == -1 && errno == ENOMEM, "a user's mlockall: ENOMEM");
    munlockall();
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
