/* SPDX-License-Identifier: MIT */
/*
 * usage: nodac-exec PROG [ARGS...] (as root)
 *
 * Runs PROG without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, as
 * `setpriv --bounding-set=-dac_override,-dac_read_search` does (the
 * image has no setpriv): both leave the bounding set, so root's exec
 * does not give them back, and the effective and permitted sets.
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    const unsigned int dac =
        (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH);

    if (argc < 2) {
        fprintf(stderr, "usage: nodac-exec PROG [ARGS...]\n");
        return 2;
    }
    if (prctl(PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, 0, 0, 0) ||
        prctl(PR_CAPBSET_DROP, CAP_DAC_READ_SEARCH, 0, 0, 0) ||
        syscall(SYS_capget, &h, d)) {
        perror("nodac-exec: drop");
        return 125;
    }
    d[0].effective &= ~dac;
    d[0].permitted &= ~dac;
    d[0].inheritable &= ~dac;
    if (syscall(SYS_capset, &h, d)) {
        perror("nodac-exec: capset");
        return 125;
    }
    execvp(argv[1], argv + 1);
    perror("nodac-exec: exec");
    return 127;
}
