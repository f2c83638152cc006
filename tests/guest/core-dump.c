/* SPDX-License-Identifier: MIT */
/*
 * Dies of SIGSEGV with RLIMIT_CORE raised, so the host writes its core
 * (tests/integration/128-core-dump.sh checks where it ends up).
 */
#include <stdio.h>
#include <sys/resource.h>

int main(void)
{
    struct rlimit r;

    if (getrlimit(RLIMIT_CORE, &r) == 0) {
        r.rlim_cur = r.rlim_max;
        setrlimit(RLIMIT_CORE, &r);
    }
    fflush(stdout);
    *(volatile int *)0 = 1;
    return 0;
}
