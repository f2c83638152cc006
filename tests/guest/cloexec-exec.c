/* SPDX-License-Identifier: MIT */
/*
 * cloexec-exec: exec closes exactly the close-on-exec fds.
 *
 * The parent opens fds with and without O_CLOEXEC (open, fcntl F_SETFD,
 * dup3, F_DUPFD_CLOEXEC, pipe2, socket SOCK_CLOEXEC, close_range
 * CLOSE_RANGE_CLOEXEC, flag cleared again, dup2 of a CLOEXEC fd), then
 * execs itself (argv[0], else /proc/self/exe) with "--child SPEC" where
 * SPEC lists which fds must be open (with inode and offset) and which
 * closed. It does that from a forked child, and then once more in-process
 * (exec replaces the parent, whose exit status is the child's verdict).
 *
 * Usage: cloexec-exec [SCRATCH_BASE]   (default $TMPDIR or /tmp)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct want {
    int fd;
    int open;          /* must be open after exec */
    unsigned long ino; /* 0: don't check */
    long off;          /* -1: don't check */
    char what[48];
};

#define MAXW 32
static struct want wants[MAXW];
static int nwant;

static void add(int fd, int open_after, const char *what)
{
    struct stat st;
    struct want *w = &wants[nwant++];

    w->fd = fd;
    w->open = open_after;
    w->ino = 0;
    w->off = -1;
    snprintf(w->what, sizeof(w->what), "%s", what);
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        w->ino = (unsigned long)st.st_ino;
        w->off = (long)lseek(fd, 0, SEEK_CUR);
    }
    if (fd < 0)
        check(0, "setup %s", what);
}

/* spec: fd:open:ino:off:what,... (what has no ',' or ':') */
static int child_main(const char *spec)
{
    char *s = strdup(spec), *save = NULL, *tok;
    int bad = 0;

    for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int fd, want_open;
        unsigned long ino;
        long off;
        char what[48];
        int isopen;

        if (sscanf(tok, "%d:%d:%lu:%ld:%47[^,]", &fd, &want_open, &ino, &off,
                   what) != 5) {
            printf("FAIL - exec'd child: bad spec item %s\n", tok);
            bad = 1;
            continue;
        }
        isopen = fcntl(fd, F_GETFD) != -1;
        check(isopen == want_open, "after exec: fd %d (%s) is %s", fd, what,
              want_open ? "open" : "closed");
        if (!isopen || !want_open)
            continue;
        if (ino) {
            struct stat st;

            check(fstat(fd, &st) == 0 && (unsigned long)st.st_ino == ino,
                  "after exec: fd %d is the same file", fd);
        }
        if (off >= 0)
            check(lseek(fd, 0, SEEK_CUR) == off,
                  "after exec: fd %d offset %ld kept", fd, off);
        check(fcntl(fd, F_GETFD) == 0, "after exec: fd %d has FD_CLOEXEC clear",
              fd);
    }
    free(s);
    (void)bad;
    printf("# cloexec-exec child (pid %d): %d ok, %d failed\n", (int)getpid(),
           n_ok, n_fail);
    return n_fail || bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    const char *base;
    char dir[1024], path[PATH_MAX], spec[4096], *self;
    int fd, pf[2], sv[2], r;
    size_t len = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 3 && strcmp(argv[1], "--child") == 0)
        return child_main(argv[2]);

    base = argc > 1 ? argv[1] : getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    snprintf(dir, sizeof(dir), "%s/cloexec-exec-XXXXXX", base);
    if (!mkdtemp(dir)) {
        printf("FAIL - mkdtemp in %s: %s\n", base, strerror(errno));
        return 1;
    }
    snprintf(path, sizeof(path), "%s/f", dir);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "0123456789", 10) != 10) {
        printf("FAIL - create %s\n", path);
        return 1;
    }
    close(fd);

    fd = open(path, O_RDONLY);
    lseek(fd, 3, SEEK_SET);
    add(fd, 1, "plain open at offset 3");
    fd = open(path, O_RDONLY | O_CLOEXEC);
    add(fd, 0, "open O_CLOEXEC");
    fd = open(path, O_RDWR);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    add(fd, 0, "fcntl F_SETFD FD_CLOEXEC");
    fd = open(path, O_RDONLY | O_CLOEXEC);
    fcntl(fd, F_SETFD, 0);
    lseek(fd, 7, SEEK_SET);
    add(fd, 1, "O_CLOEXEC then F_SETFD 0");
    r = dup3(wants[0].fd, 30, O_CLOEXEC);
    add(r, 0, "dup3 O_CLOEXEC");
    r = dup2(wants[1].fd, 31); /* dup2 of a CLOEXEC fd: flag clear */
    add(r, 1, "dup2 of an O_CLOEXEC fd");
    r = fcntl(wants[0].fd, F_DUPFD_CLOEXEC, 32);
    add(r, 0, "F_DUPFD_CLOEXEC");
    r = fcntl(wants[1].fd, F_DUPFD, 33);
    add(r, 1, "F_DUPFD of an O_CLOEXEC fd");
    check(pipe2(pf, O_CLOEXEC) == 0, "pipe2 O_CLOEXEC");
    add(pf[0], 0, "pipe2 O_CLOEXEC read end");
    add(pf[1], 0, "pipe2 O_CLOEXEC write end");
    check(pipe(pf) == 0, "pipe");
    add(pf[0], 1, "pipe read end");
    add(pf[1], 1, "pipe write end");
    check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0,
          "socketpair SOCK_CLOEXEC");
    add(sv[0], 0, "socketpair SOCK_CLOEXEC");
    close(sv[1]);
    fd = open(path, O_RDONLY);
    r = dup2(fd, 40);
    close(fd);
    dup2(40, 41);
    dup2(40, 42);
    if (syscall(SYS_close_range, 40, 41, CLOSE_RANGE_CLOEXEC) == 0) {
        add(40, 0, "close_range CLOEXEC 40");
        add(41, 0, "close_range CLOEXEC 41");
    } else {
        close(40);
        close(41);
    }
    add(42, 1, "outside close_range");
    fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    add(fd, 0, "directory O_CLOEXEC");
    fd = open("/", O_RDONLY | O_DIRECTORY);
    add(fd, 1, "directory");

    for (int i = 0; i < nwant; i++)
        len += (size_t)snprintf(spec + len, sizeof(spec) - len,
                                "%s%d:%d:%lu:%ld:%s", i ? "," : "", wants[i].fd,
                                wants[i].open, wants[i].ino, wants[i].off,
                                wants[i].what);
    self = strchr(argv[0], '/') ? argv[0] : "/proc/self/exe";
    printf("# exec %s with %d fds to check\n", self, nwant);

    /* 1. fork + exec */
    {
        pid_t pid;
        int st;

        fflush(stdout);
        pid = fork();
        if (pid == 0) {
            execl(self, self, "--child", spec, (char *)NULL);
            printf("FAIL - execl %s: %s\n", self, strerror(errno));
            _exit(127);
        }
        check(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
                  WEXITSTATUS(st) == 0,
              "forked child exec'd and saw the right fds");
    }
    /* the parent's own fds are untouched by the child's exec */
    check(fcntl(wants[1].fd, F_GETFD) == FD_CLOEXEC,
          "parent still has its O_CLOEXEC fd");
    check(lseek(wants[0].fd, 0, SEEK_CUR) == 3, "parent offset still 3");

    unlink(path);
    rmdir(dir);
    printf("# cloexec-exec parent: %d ok, %d failed; exec in-process\n", n_ok,
           n_fail);
    if (n_fail)
        return 1;

    /* 2. exec in this very process: its status is the final verdict */
    fflush(stdout);
    execl(self, self, "--child", spec, (char *)NULL);
    printf("FAIL - in-process execl %s: %s\n", self, strerror(errno));
    return 1;
}
