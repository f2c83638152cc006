/* SPDX-License-Identifier: MIT */
/*
 * execveat(fd, "", AT_EMPTY_PATH) of an O_PATH|O_NOFOLLOW fd of a
 * symlink: the file exec would open is the link itself, and Linux
 * refuses it with ELOOP (may_open), whatever it points to; kbox said
 * EACCES. Through the link (O_PATH alone) the program runs. @argv[1]: a
 * directory to put the links in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static char *const args[] = { "true", NULL };
static char *const envs[] = { NULL };

/* execveat(open(@link, @oflags), "", AT_EMPTY_PATH) in a child: its
 * errno, or 0 when the program ran (and exited 0) */
static int exec_link(const char *link, int oflags)
{
    int fd = open(link, oflags), st, pf[2], e = 0;
    pid_t p;

    if (fd < 0 || pipe(pf))
        return -1;
    p = fork();
    if (!p) {
        close(pf[0]);
        fcntl(pf[1], F_SETFD, FD_CLOEXEC);
        syscall(SYS_execveat, fd, "", args, envs, AT_EMPTY_PATH);
        e = errno;
        if (write(pf[1], &e, sizeof(e)) != sizeof(e))
            _exit(3);
        _exit(2);
    }
    close(pf[1]);
    if (read(pf[0], &e, sizeof(e)) != sizeof(e))
        e = 0;
    close(pf[0]);
    close(fd);
    waitpid(p, &st, 0);
    if (!e && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
        e = -2;
    return e;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    char l1[4096], l2[4096], l3[4096];
    int e;

    snprintf(l1, sizeof(l1), "%s/esl-prog.%d", dir, (int)getpid());
    snprintf(l2, sizeof(l2), "%s/esl-dir.%d", dir, (int)getpid());
    snprintf(l3, sizeof(l3), "%s/esl-none.%d", dir, (int)getpid());
    if (symlink("/bin/true", l1) || symlink("/", l2) ||
        symlink("/nonexistent", l3)) {
        check(0, "symlinks made");
        return 1;
    }
    e = exec_link(l1, O_PATH | O_NOFOLLOW);
    check(e == ELOOP, "O_PATH|O_NOFOLLOW fd of a link to a program: ELOOP (%d)",
          e);
    e = exec_link(l2, O_PATH | O_NOFOLLOW);
    check(e == ELOOP, "... of a link to a directory: ELOOP (%d)", e);
    e = exec_link(l3, O_PATH | O_NOFOLLOW);
    check(e == ELOOP, "... of a dangling link: ELOOP (%d)", e);
    e = exec_link(l1, O_PATH);
    check(e == 0, "O_PATH fd through the link: the program runs (%d)", e);
    unlink(l1);
    unlink(l2);
    unlink(l3);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
