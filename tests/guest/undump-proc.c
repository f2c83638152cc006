/* SPDX-License-Identifier: MIT */
/*
 * prctl(PR_SET_DUMPABLE) as /proc shows it: a process that is not
 * dumpable has its /proc/<pid> files (not the directory) owned by root, and
 * another process of its user (without CAP_SYS_PTRACE) may not open its environ
 * or read its exe link (root may with CAP_SYS_PTRACE), though a stat shows the
 * owner; PR_GET_DUMPABLE tells the setting. Dumpable again, the
 * files are its user's; a second thread's setting is the process's.
 * Usage: undump-proc
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static uid_t owner(pid_t pid, const char *file)
{
    char path[64];
    struct stat st;

    snprintf(path, sizeof path, "/proc/%d%s%s", (int)pid, *file ? "/" : "",
             file);
    return stat(path, &st) ? (uid_t)-2 : st.st_uid;
}

/* CAP_SYS_PTRACE (19) in the effective set? */
static bool has_ptrace(void)
{
    char line[256];
    unsigned long long eff = 0;
    FILE *f = fopen("/proc/self/status", "r");

    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "CapEff: %llx", &eff) == 1)
            break;
    if (f)
        fclose(f);
    return eff & (1ull << 19);
}

static void *undump_thread(void *arg)
{
    prctl(PR_SET_DUMPABLE, 0);
    return arg;
}

static void kid_says(int fd, char want)
{
    char c = 0;

    if (read(fd, &c, 1) != 1 || c != want) {
        printf("FAIL - the child did not report '%c'\n", want);
        exit(1);
    }
}

int main(void)
{
    int to_kid[2], from_kid[2], st;
    uid_t me = geteuid();
    bool user = me != 0;
    char path[64], link[PATH_MAX];
    pid_t kid;

    if (pipe(to_kid) || pipe(from_kid))
        return 1;
    kid = fork();
    if (kid == 0) {
        char c;

        /* 'u': undumpable; 'd': dumpable again */
        prctl(PR_SET_DUMPABLE, 0);
        c = prctl(PR_GET_DUMPABLE) == 0 ? 'u' : 'x';
        if (write(from_kid[1], &c, 1) != 1 || read(to_kid[0], &c, 1) != 1)
            _exit(1);
        prctl(PR_SET_DUMPABLE, 1);
        c = prctl(PR_GET_DUMPABLE) == 1 ? 'd' : 'x';
        if (write(from_kid[1], &c, 1) != 1 || read(to_kid[0], &c, 1) != 1)
            _exit(1);
        /* 't': a second thread made the process undumpable */
        {
            pthread_t t;

            if (pthread_create(&t, NULL, undump_thread, NULL) ||
                pthread_join(t, NULL))
                _exit(1);
        }
        c = prctl(PR_GET_DUMPABLE) == 0 ? 't' : 'x';
        if (write(from_kid[1], &c, 1) != 1 || read(to_kid[0], &c, 1) != 1)
            _exit(1);
        _exit(0);
    }
    kid_says(from_kid[0], 'u');
    check(1, "the child's PR_GET_DUMPABLE says 0 after PR_SET_DUMPABLE 0");
    /* the directory stays its user's: Linux keeps ps's stat of it */
    check(owner(kid, "") == me, "/proc/<pid> of an undumpable process is "
                                "its user's");
    check(owner(kid, "status") == 0, "its status file is root's (uid %d)",
          (int)owner(kid, "status"));
    check(owner(kid, "environ") == 0, "and its environ (a stat)");
    {
        char l[64];
        struct stat ls;

        snprintf(l, sizeof l, "/proc/%d/exe", (int)kid);
        check(lstat(l, &ls) == 0 && ls.st_uid == 0, "and its exe link");
    }
    snprintf(path, sizeof path, "/proc/%d/environ", (int)kid);
    if (user) {
        WANT(open(path, O_RDONLY), EACCES,
             "another process of its user "
             "opens its environ");
        snprintf(path, sizeof path, "/proc/%d/exe", (int)kid);
        WANT(readlink(path, link, sizeof link), EACCES,
             "or reads its exe link");
    } else if (has_ptrace()) {
        int fd = open(path, O_RDONLY);

        check(fd >= 0, "root with CAP_SYS_PTRACE opens its environ");
        if (fd >= 0)
            close(fd);
    } else {
        /* kbox's root, as a container's, has no CAP_SYS_PTRACE */
        WANT(open(path, O_RDONLY), EACCES,
             "root without CAP_SYS_PTRACE opens its environ");
    }
    snprintf(path, sizeof path, "/proc/%d/stat", (int)kid);
    {
        int fd = open(path, O_RDONLY);
        check(fd >= 0, "its stat stays readable");
        if (fd >= 0)
            close(fd);
    }
    if (write(to_kid[1], "n", 1) != 1)
        return 1;
    kid_says(from_kid[0], 'd');
    check(1, "PR_GET_DUMPABLE says 1 after PR_SET_DUMPABLE 1");
    check(owner(kid, "status") == me,
          "dumpable again, its status is its "
          "user's (uid %d)",
          (int)owner(kid, "status"));
    snprintf(path, sizeof path, "/proc/%d/environ", (int)kid);
    {
        int fd = open(path, O_RDONLY);
        check(fd >= 0, "and its environ opens");
        if (fd >= 0)
            close(fd);
    }
    if (write(to_kid[1], "n", 1) != 1)
        return 1;
    kid_says(from_kid[0], 't');
    check(1, "a second thread's PR_SET_DUMPABLE 0 holds for the process");
    check(owner(kid, "status") == 0, "its status file is root's again");
    if (write(to_kid[1], "n", 1) != 1)
        return 1;
    check(waitpid(kid, &st, 0) == kid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "the child exits 0");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
