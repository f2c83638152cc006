/* SPDX-License-Identifier: MIT */
/*
 * proc-unseen: a child that has made no supervised call yet (here: it
 * spins from the moment clone returns) is a process like any other in
 * /proc - status, cmdline, stat() of its directory, the listing - and
 * stopping it shows in its state. The supervisor learned of a child only
 * at its first notified call, and until then /proc/<pid> was ENOENT
 * (`cmd & kill -STOP $!; cat /proc/$!/status`).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static int status_has(pid_t pid, const char *what)
{
    char path[64], buf[4096];
    ssize_t n;
    int fd;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return strstr(buf, what) != NULL;
}

static int listed(pid_t pid)
{
    char want[16];
    struct dirent *e;
    int found = 0;
    DIR *d = opendir("/proc");

    snprintf(want, sizeof(want), "%d", (int)pid);
    while (d && (e = readdir(d)))
        found |= !strcmp(e->d_name, want);
    if (d)
        closedir(d);
    return found;
}

int main(void)
{
    char path[64], want[64];
    struct stat st;
    pid_t pid;
    int ws;

    setvbuf(stdout, NULL, _IOLBF, 0);
    /* A raw clone: glibc's fork makes calls in the child. */
    pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (pid == 0)
        for (volatile int spin = 1; spin;)
            ;
    check(pid > 0, "clone a child that spins without system calls");
    if (pid <= 0)
        return 1;
    /* the listing first: nothing has looked the pid up yet */
    check(listed(pid), "/proc lists it");
    snprintf(path, sizeof(path), "/proc/%d", (int)pid);
    check(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "stat %s", path);
    snprintf(want, sizeof(want), "PPid:\t%d\n", (int)getpid());
    check(status_has(pid, want), "its status names this process as parent");
    check(kill(pid, SIGSTOP) == 0 && waitpid(pid, &ws, WUNTRACED) == pid &&
              WIFSTOPPED(ws),
          "SIGSTOP stops it");
    check(status_has(pid, "State:\tT (stopped)"), "its status says stopped");
    check(kill(pid, SIGKILL) == 0 && waitpid(pid, &ws, 0) == pid &&
              WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL,
          "SIGKILL ends it");
    check(stat(path, &st) != 0, "and its /proc entry is gone");
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
