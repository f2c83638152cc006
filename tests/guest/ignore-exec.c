/* SPDX-License-Identifier: MIT */
/*
 * Set the given signals to SIG_IGN with the raw rt_sigaction, which also
 * takes glibc's own 32 and 33 (its sigaction refuses them), then exec the
 * command: a parent that starts kbox with signals ignored.
 * Usage: ignore-exec SIG[,SIG...] CMD [ARGS]
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        uint64_t mask;
    } ign = { SIG_IGN, 0, NULL, 0 };

    if (argc < 3) {
        fprintf(stderr, "usage: %s SIG[,SIG...] CMD [ARGS]\n", argv[0]);
        return 2;
    }
    for (char *p = argv[1]; *p;) {
        long s = strtol(p, &p, 10);

        if (syscall(SYS_rt_sigaction, s, &ign, NULL, 8)) {
            perror("rt_sigaction");
            return 2;
        }
        if (*p == ',')
            p++;
    }
    execvp(argv[2], argv + 2);
    perror(argv[2]);
    return 127;
}
