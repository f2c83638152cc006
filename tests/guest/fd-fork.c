/* SPDX-License-Identifier: MIT */
/*
 * fd-fork: fd tables after fork are independent copies; open file
 * descriptions (offset, status flags) are shared; per-process state (cwd,
 * umask) is independent; what one process writes the other reads at once.
 *
 * Usage: fd-fork [SCRATCH_BASE]   (default $TMPDIR or /tmp)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static char scratch[1024];

static char *P(const char *name)
{
    static char bufs[4][PATH_MAX];
    static int i;
    char *b = bufs[i++ % 4];

    snprintf(b, PATH_MAX, "%s/%s", scratch, name);
    return b;
}

static int is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

/*
 * Run fn in a child and return its exit status (0 = all child checks
 * passed). Child failures are reported by the child itself on stdout.
 */
static int in_child(int (*fn)(void *), void *arg)
{
    pid_t pid;
    int st;

    fflush(stdout);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(fn(arg));
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

struct ctx {
    int fd, rfd, pipe_r, pipe_w, dupfd;
};

static int child_table(void *arg)
{
    struct ctx *c = arg;
    int bad = 0, nfd;

    /* inherited: same numbers, same files */
    if (!is_open(c->fd) || !is_open(c->rfd) || !is_open(c->dupfd)) {
        printf("FAIL - child: inherited fds are open\n");
        bad = 1;
    }
    /* close, dup2 over, open new: must not affect the parent */
    close(c->fd);
    dup2(c->rfd, c->dupfd);
    nfd = open(P("childfile"), O_RDWR | O_CREAT, 0644);
    if (nfd < 0) {
        printf("FAIL - child: open new file\n");
        bad = 1;
    }
    /* give it a number the parent does not use, report it */
    if (nfd >= 0 && dup2(nfd, 77) != 77)
        bad = 1;
    nfd = 77;
    if (write(c->pipe_w, &nfd, sizeof(nfd)) != sizeof(nfd))
        bad = 1;
    /* fd flags are per table: set FD_CLOEXEC on rfd here */
    fcntl(c->rfd, F_SETFD, FD_CLOEXEC);
    return bad;
}

static int child_offset(void *arg)
{
    struct ctx *c = arg;

    /* shared offset: parent is at 5; write 3 bytes -> 8; then seek 2 */
    if (write(c->fd, "XYZ", 3) != 3)
        return 1;
    if (lseek(c->fd, 0, SEEK_CUR) != 8)
        return 2;
    /* status flags are shared with the parent */
    if (fcntl(c->fd, F_SETFL, O_APPEND | O_NONBLOCK) != 0)
        return 3;
    return 0;
}

static int child_state(void *arg)
{
    (void)arg;
    /* cwd and umask changes are private to the child */
    if (chdir(P("sub")) != 0)
        return 1;
    umask(077);
    return 0;
}

static int child_coherent(void *arg)
{
    struct ctx *c = arg;
    char buf[32];
    int fd, n;

    /* wait for the parent to write, then read the file by path */
    if (read(c->pipe_r, buf, 1) != 1)
        return 1;
    fd = open(P("shared"), O_RDONLY);
    if (fd < 0)
        return 2;
    n = (int)read(fd, buf, sizeof(buf));
    close(fd);
    if (n != 6 || memcmp(buf, "parent", 6) != 0)
        return 3;
    /* write back; the parent reads at once after we exit */
    fd = open(P("shared"), O_WRONLY | O_APPEND);
    if (fd < 0 || write(fd, "+child", 6) != 6)
        return 4;
    close(fd);
    return 0;
}

static int grandchild(void *arg)
{
    struct ctx *c = arg;
    char b;

    /* a grandchild inherits through two forks */
    if (lseek(c->rfd, 0, SEEK_SET) != 0 || read(c->rfd, &b, 1) != 1 || b != '0')
        return 1;
    return 0;
}

static int child_fork_again(void *arg)
{
    int r = in_child(grandchild, arg);

    return r;
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : getenv("TMPDIR");
    struct ctx c;
    int pf[2], r, nfd, flags;
    char cwd1[PATH_MAX], cwd2[PATH_MAX], buf[64];
    mode_t um;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!base || !*base)
        base = "/tmp";
    snprintf(scratch, sizeof(scratch), "%s/fd-fork-XXXXXX", base);
    if (!mkdtemp(scratch)) {
        printf("FAIL - mkdtemp in %s: %s\n", base, strerror(errno));
        return 1;
    }
    mkdir(P("sub"), 0755);

    c.fd = open(P("data"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(c.fd >= 0 && write(c.fd, "01234", 5) == 5, "parent writes 5");
    c.rfd = open(P("data"), O_RDONLY);
    c.dupfd = dup(c.fd);
    check(pipe(pf) == 0, "pipe");
    c.pipe_r = pf[0];
    c.pipe_w = pf[1];

    /* 1. table independence */
    r = in_child(child_table, &c);
    check(r == 0, "child saw inherited fds and changed its own table");
    check(read(pf[0], &nfd, sizeof(nfd)) == sizeof(nfd), "child fd number");
    check(is_open(c.fd), "child's close(fd) left parent's fd open");
    check(fcntl(c.dupfd, F_GETFL) >= 0 &&
              (fcntl(c.dupfd, F_GETFL) & O_ACCMODE) == O_RDWR,
          "child's dup2 over dupfd did not change parent's dupfd");
    check(nfd == 77 && !is_open(nfd),
          "fd %d opened by the child does not exist in the parent", nfd);
    check(fcntl(c.rfd, F_GETFD) == 0,
          "child's FD_CLOEXEC on rfd did not change the parent's flags");

    /* 2. shared open file description */
    check(lseek(c.fd, 0, SEEK_CUR) == 5, "parent offset 5 before child");
    r = in_child(child_offset, &c);
    check(r == 0, "child wrote through the shared description (%d)", r);
    check(lseek(c.fd, 0, SEEK_CUR) == 8,
          "parent sees the offset moved by the child (%lld)",
          (long long)lseek(c.fd, 0, SEEK_CUR));
    check(lseek(c.dupfd, 0, SEEK_CUR) == 8,
          "parent's dup sees the same offset");
    flags = fcntl(c.fd, F_GETFL);
    check(flags >= 0 && (flags & O_APPEND) && (flags & O_NONBLOCK),
          "status flags set by the child are visible (0x%x)", flags);
    fcntl(c.fd, F_SETFL, 0);
    check(pread(c.rfd, buf, 8, 0) == 8 && memcmp(buf, "01234XYZ", 8) == 0,
          "file content is 01234XYZ");
    /* rfd (a second description) is inherited and shared as well */
    check(lseek(c.rfd, 3, SEEK_SET) == 3, "rfd at 3");
    r = in_child(grandchild, &c);
    check(r == 0, "child read rfd from 0");
    check(lseek(c.rfd, 0, SEEK_CUR) == 1,
          "child's lseek+read on rfd moved parent's rfd to 1 (%lld)",
          (long long)lseek(c.rfd, 0, SEEK_CUR));

    /* 3. per-process cwd and umask */
    check(getcwd(cwd1, sizeof(cwd1)) != NULL, "getcwd");
    um = umask(022);
    umask(um);
    r = in_child(child_state, &c);
    check(r == 0, "child changed cwd and umask");
    check(getcwd(cwd2, sizeof(cwd2)) && strcmp(cwd1, cwd2) == 0,
          "parent cwd unchanged (%s)", cwd2);
    check(umask(um) == um, "parent umask unchanged (0%o)", (unsigned)um);

    /* 4. coherence: parent writes, child reads by path, and back */
    {
        int fd = open(P("shared"), O_RDWR | O_CREAT | O_TRUNC, 0644);
        pid_t pid;
        int st;

        fflush(stdout);
        pid = fork();
        if (pid == 0)
            _exit(child_coherent(&c));
        check(fd >= 0 && write(fd, "parent", 6) == 6, "parent writes 'parent'");
        check(write(pf[1], "g", 1) == 1, "parent signals child");
        check(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
                  WEXITSTATUS(st) == 0,
              "child read 'parent' and appended (status 0x%x)", st);
        memset(buf, 0, sizeof(buf));
        check(pread(fd, buf, sizeof(buf), 0) == 12 &&
                  memcmp(buf, "parent+child", 12) == 0,
              "parent reads 'parent+child' at once [%s]", buf);
        close(fd);
    }

    /* 5. two levels of fork */
    r = in_child(child_fork_again, &c);
    check(r == 0, "grandchild inherits through two forks");

    /* 6. pipe ends: closing the child's write end gives EOF only when
     * every copy is closed */
    {
        int p2[2];
        pid_t pid;
        char b;

        check(pipe(p2) == 0, "pipe 2");
        fflush(stdout);
        pid = fork();
        if (pid == 0) {
            close(p2[0]);
            if (write(p2[1], "k", 1) != 1)
                _exit(1);
            _exit(0);
        }
        close(p2[1]);
        check(read(p2[0], &b, 1) == 1 && b == 'k',
              "parent reads the child's byte");
        check(read(p2[0], &b, 1) == 0,
              "EOF once the child exited and parent closed its copy");
        waitpid(pid, NULL, 0);
        close(p2[0]);
    }

    close(c.fd);
    close(c.rfd);
    close(c.dupfd);
    close(pf[0]);
    close(pf[1]);
    unlink(P("data"));
    unlink(P("childfile"));
    unlink(P("shared"));
    rmdir(P("sub"));
    check(rmdir(scratch) == 0, "remove scratch dir");
    printf("# fd-fork: %d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
