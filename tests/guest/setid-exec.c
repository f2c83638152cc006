/* SPDX-License-Identifier: MIT */
/*
 * setid-exec: what exec of a set-user-ID or set-group-ID program does to
 * the ids, from the inside.
 *   setid-exec ids          print "uid R E S gid R E S preload VALUE"
 *   setid-exec e2big PROG   exec PROG with an argument list too long
 *                           (E2BIG), then print the ids: unchanged
 *   setid-exec run PROG     exec PROG ids with LD_PRELOAD and a long
 *                           LD_LIBRARY_PATH set
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int print_ids(void)
{
    uid_t r, e, s;
    gid_t gr, ge, gs;
    const char *pre = getenv("LD_PRELOAD");
    const char *lib = getenv("LD_LIBRARY_PATH");

    if (getresuid(&r, &e, &s) || getresgid(&gr, &ge, &gs))
        return 1;
    printf("uid %u %u %u gid %u %u %u preload %s libpath %s\n", r, e, s, gr, ge,
           gs, pre ? pre : "(unset)", lib ? "(set)" : "(unset)");
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 2 && !strcmp(argv[1], "e2big")) {
        /* 40 strings of 128 KiB: far past what exec accepts */
        static char *av[42];
        size_t len = 128 * 1024;

        av[0] = argv[2];
        for (int i = 1; i < 41; i++) {
            av[i] = malloc(len);
            memset(av[i], 'a', len - 1);
            av[i][len - 1] = '\0';
        }
        execv(argv[2], av);
        printf("exec failed: %s\n", strerror(errno));
        return print_ids();
    }
    if (argc > 2 && !strcmp(argv[1], "run")) {
        char *av[] = { argv[2], "ids", NULL };

        char longpath[300];

        /* a value longer than the supervisor's first look at a string */
        memset(longpath, 'x', sizeof(longpath) - 1);
        longpath[0] = '/';
        longpath[sizeof(longpath) - 1] = '\0';
        setenv("LD_PRELOAD", "/nonexistent.so", 1);
        setenv("LD_LIBRARY_PATH", longpath, 1);
        execv(argv[2], av);
        printf("exec failed: %s\n", strerror(errno));
        return 1;
    }
    return print_ids();
}
