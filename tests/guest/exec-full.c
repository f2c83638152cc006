/* SPDX-License-Identifier: MIT */
/*
 * An exec takes no fd number: natively it works with every number below
 * the soft RLIMIT_NOFILE taken (a static program), or with one free (a
 * dynamic one: its loader opens the libraries). kbox injects the
 * program's copy, and the loader's, into the guest's table before the
 * host's exec; with fewer free numbers that said EMFILE ("Too many open
 * files" under `ulimit -Sn 4` for /bin/echo). The hard limit is left
 * above the soft one here (see exec_addfd in src/exec/exec.c).
 * Found by tests/guest/fd-fuzz. Usage: exec-full [DYNAMIC-PROGRAM]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

/* Fill every number below @lim + @above, leave @nfree below @lim (the
 * top ones) free, lower the limit to @lim and exec @argv in a child; its
 * exit status. */
static int run_full(int lim, int above, int nfree, char *const argv[])
{
    pid_t pid = fork();
    int st = -1;

    if (pid == 0) {
        struct rlimit rl;
        int fd;

        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = (rlim_t)(lim + above);
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max <= rl.rlim_cur + 2)
            _exit(90);
        if (setrlimit(RLIMIT_NOFILE, &rl))
            _exit(91);
        while ((fd = open("/dev/null", O_RDONLY)) >= 0)
            ;
        if (errno != EMFILE)
            _exit(92);
        for (fd = lim - nfree; fd < lim; fd++)
            close(fd);
        rl.rlim_cur = (rlim_t)lim;
        if (setrlimit(RLIMIT_NOFILE, &rl))
            _exit(95);
        execv(argv[0], argv);
        _exit(errno == EMFILE ? 93 : 94);
    }
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
    char *self[] = { "/proc/self/exe", "child", NULL };
    int st;

    if (argc > 1 && !strcmp(argv[1], "child"))
        return 42;
    self[0] = realpath("/proc/self/exe", NULL);
    if (!self[0])
        self[0] = "/proc/self/exe";
    st = run_full(8, 0, 0, self);
    check(st == 42, "static program, no number free: ran (status %d)", st);
    st = run_full(8, 0, 1, self);
    check(st == 42, "static program, one number free: ran (status %d)", st);
    st = run_full(3, 0, 0, self);
    check(st == 42, "static program, limit 3: ran (status %d)", st);
    /* numbers past the limit are taken too (opened before it was lowered) */
    st = run_full(8, 4, 0, self);
    check(st == 42,
          "static program, 8..11 open past the limit 8: ran (status %d)", st);
    if (argc > 1) {
        char *dyn[] = { argv[1], NULL };

        st = run_full(8, 0, 1, dyn);
        check(st == 0, "%s, one number free: ran (status %d)", argv[1], st);
    }
    return n_fail ? 1 : 0;
}
