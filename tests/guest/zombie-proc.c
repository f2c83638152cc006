/* SPDX-License-Identifier: MIT */
/*
 * An exited child its parent has not reaped yet is in /proc, as on Linux:
 * /proc/<pid> is a directory the /proc listing names (ps shows it as
 * <defunct>), stat's state is Z, status says "State: Z (zombie)",
 * cmdline is empty, the exe link ENOENT, kill(pid, 0) succeeds, and the
 * parent's task children file lists it; once reaped, all of it goes.
 * Children that exit (one, then forty at once), that are killed by
 * SIGKILL, and a grandchild whose parent is killed without reaping it
 * (it goes when its new parent reaps it). kbox's lx task of a process ended at
 * its exit_group, so the whole /proc/<pid> was ENOENT until the reap.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "guest-check.h"

/* Read /proc/<pid>/<name> into @buf: bytes read, -1 (errno) on error. */
static long proc_read(pid_t pid, const char *name, char *buf, size_t len)
{
    char path[64];
    long n, got = 0;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    while ((n = read(fd, buf + got, len - 1 - (size_t)got)) > 0)
        got += n;
    close(fd);
    buf[got] = '\0';
    return n < 0 ? -1 : got;
}

/* State letter of /proc/<pid>/stat, or 0. */
static char stat_state(pid_t pid)
{
    char buf[1024], *p;

    if (proc_read(pid, "stat", buf, sizeof(buf)) <= 0)
        return 0;
    p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : 0;
}

/* Does the /proc listing name @pid? */
static int listed(pid_t pid)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int found = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (atoi(e->d_name) == pid)
            found = 1;
    closedir(d);
    return found;
}

/* Is @pid in the caller's thread's children file? */
static int in_children(pid_t pid)
{
    char path[64], buf[4096], *p, *end;

    snprintf(path, sizeof(path), "task/%d/children", (int)gettid());
    if (proc_read(getpid(), path, buf, sizeof(buf)) < 0)
        return -1;
    for (p = buf;; p = end) {
        long v = strtol(p, &end, 10);

        if (end == p)
            return 0;
        if (v == pid)
            return 1;
    }
}

/* The checks on unreaped zombie @pid. */
static void zombie_checks(const char *what, pid_t pid)
{
    char buf[4096], path[64], link[256];
    struct stat st;
    long n;

    snprintf(path, sizeof(path), "/proc/%d", (int)pid);
    check(stat(path, &st) == 0 && S_ISDIR(st.st_mode),
          "%s: /proc/<pid> is a directory", what);
    check(listed(pid) == 1, "%s: the /proc listing names it", what);
    check(stat_state(pid) == 'Z', "%s: stat's state is Z (got %c)", what,
          stat_state(pid) ? stat_state(pid) : '-');
    n = proc_read(pid, "status", buf, sizeof(buf));
    check(n > 0 && strstr(buf, "State:\tZ (zombie)"),
          "%s: status says State: Z (zombie)", what);
    n = proc_read(pid, "cmdline", buf, sizeof(buf));
    check(n == 0, "%s: cmdline is empty (read %ld)", what, n);
    snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
    WANT(readlink(path, link, sizeof(link)), ENOENT, "zombie's exe link");
    check(kill(pid, 0) == 0, "%s: kill(pid, 0) succeeds", what);
}

/* The checks once @pid is reaped. */
static void gone_checks(const char *what, pid_t pid)
{
    char path[64];
    struct stat st;

    snprintf(path, sizeof(path), "/proc/%d", (int)pid);
    WANT(stat(path, &st), ENOENT, "reaped: /proc/<pid>");
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    WANT(open(path, O_RDONLY), ENOENT, "reaped: /proc/<pid>/stat");
    check(listed(pid) == 0, "%s: reaped, the /proc listing lacks it", what);
}

/* Wait until @pid is a zombie, without reaping it. */
static int wait_zombie(pid_t pid)
{
    siginfo_t si;

    memset(&si, 0, sizeof(si));
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT);
}

int main(void)
{
    int status, pfd[2];
    pid_t c, g;

    /* A child that exits. */
    c = fork();
    if (c == 0)
        _exit(3);
    check(wait_zombie(c) == 0, "exited child: waitid WNOWAIT");
    zombie_checks("exited child", c);
    check(in_children(c) == 1, "exited child: the parent's children lists it");
    check(waitpid(c, &status, 0) == c && WIFEXITED(status) &&
              WEXITSTATUS(status) == 3,
          "exited child: reaped, status 3");
    gone_checks("exited child", c);

    /* Many at once: each listed until reaped, none after. */
    {
        enum { MANY = 40 };
        pid_t kids[MANY];
        int nz = 0, nl = 0, left = 0;

        for (int i = 0; i < MANY; i++) {
            kids[i] = fork();
            if (kids[i] == 0)
                _exit(0);
        }
        for (int i = 0; i < MANY; i++) {
            wait_zombie(kids[i]);
            nz += stat_state(kids[i]) == 'Z';
            nl += listed(kids[i]) == 1;
        }
        check(nz == MANY && nl == MANY, "%d zombies: %d in state Z, %d listed",
              MANY, nz, nl);
        for (int i = 0; i < MANY; i++)
            waitpid(kids[i], &status, 0);
        for (int i = 0; i < MANY; i++)
            left += listed(kids[i]) != 0 || stat_state(kids[i]) != 0;
        check(left == 0, "%d zombies reaped: %d still in /proc", MANY, left);
    }

    /* A child killed by SIGKILL (no exit_group). */
    c = fork();
    if (c == 0) {
        for (;;)
            pause();
    }
    kill(c, SIGKILL);
    check(wait_zombie(c) == 0, "killed child: waitid WNOWAIT");
    zombie_checks("killed child", c);
    check(waitpid(c, &status, 0) == c && WIFSIGNALED(status) &&
              WTERMSIG(status) == SIGKILL,
          "killed child: reaped, SIGKILL");
    gone_checks("killed child", c);

    /*
     * A tree killed: a child whose own child exited unreaped. Killed, the
     * child leaves that zombie to its new parent (kbox, the subreaper;
     * init natively), which reaps it: its /proc entry goes.
     */
    if (pipe(pfd))
        return 1;
    c = fork();
    if (c == 0) {
        g = fork();
        if (g == 0)
            _exit(0);
        wait_zombie(g);
        if (write(pfd[1], &g, sizeof(g)) != sizeof(g))
            _exit(1);
        for (;;)
            pause();
    }
    close(pfd[1]);
    g = 0;
    check(read(pfd[0], &g, sizeof(g)) == sizeof(g) && g > 0,
          "tree: the grandchild's pid");
    close(pfd[0]);
    zombie_checks("grandchild", g);
    kill(c, SIGKILL);
    check(waitpid(c, &status, 0) == c, "tree: child killed and reaped");
    gone_checks("killed child of a tree", c);
    {
        /* its new parent reaps it when it learns of it: wait for that
         * (bounded), then it must be gone from /proc too */
        struct timespec ts = { 0, 10 * 1000 * 1000 };
        char path[64];

        snprintf(path, sizeof(path), "/proc/%d", (int)g);
        for (int i = 0; i < 500 && kill(g, 0) == 0; i++)
            nanosleep(&ts, NULL);
        check(kill(g, 0) == -1 && errno == ESRCH,
              "tree: the orphaned zombie was reaped by its new parent");
        gone_checks("orphaned grandchild", g);
    }
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
