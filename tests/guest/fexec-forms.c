/* SPDX-License-Identifier: MIT */
/*
 * Exec forms kbox got wrong (helper h15):
 * - fexecve of a host object (a memfd, a file in a bind) was handed to the
 *   host as it was: its #! interpreter and PT_INTERP came from the host's
 *   file system (a bind script naming a host-only interpreter ran it), and
 *   exec's bookkeeping was skipped: an image file opened O_CLOEXEC stayed
 *   in kbox's map, so a pipe the new program made at that number read
 *   the image file; /proc/self/exe named the old program.
 * - fexecve of an O_PATH fd of an image program was EBADF (unless
 *   kbox had it in its content cache).
 * - exec of /proc/self/fd/N of a bind file: /proc/self/exe was that text.
 * - exec of a FIFO in a bind waited for a writer for ever (EACCES).
 * - a program with mode 0111 was EACCES for a non-root guest.
 * - a #! line ending in CR ran (natively ENOENT: "/bin/sh\r").
 * Usage: fexec-forms BINDDIR HOSTONLY (HOSTONLY: a host path that the
 * guest does not have); "fexec-forms child FD" is the exec'd program.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

extern char **environ;

/* exec'd: report /proc/self/exe and whether fd @argv[2] is closed */
static int child(int argc, char **argv)
{
    char exe[4096], buf[64] = { 0 };
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    int fd, p[2];

    exe[n > 0 ? n : 0] = '\0';
    printf("exe=%s\n", exe);
    fd = open("/proc/self/comm", O_RDONLY);
    n = fd >= 0 ? read(fd, exe, sizeof(exe) - 1) : -1;
    exe[n > 0 ? n : 0] = '\0';
    printf("comm=%s", exe);
    if (fd >= 0)
        close(fd);
    fd = argc > 2 ? atoi(argv[2]) : -1;
    if (fd >= 0) {
        printf("cloexec fd %s\n", fcntl(fd, F_GETFD) < 0 ? "closed" : "open");
        if (pipe(p) == 0 && write(p[1], "PIPE", 4) == 4 &&
            read(p[0], buf, sizeof(buf) - 1) > 0)
            printf("pipe read=%s\n", buf);
    }
    return 0;
}

/* Run @fn in a child (output to a file): its exit status, or -errno of
 * a failed exec; the output in @out. */
static int run(void (*fn)(void *), void *arg, char *out, size_t outlen)
{
    char tmpl[] = "/tmp/fexec-out.XXXXXX";
    int o = mkstemp(tmpl), st = 0, e[2], err = 0;
    pid_t pid;
    ssize_t n;

    if (o < 0 || pipe2(e, O_CLOEXEC))
        return -1000;
    unlink(tmpl);
    pid = fork();
    if (pid == 0) {
        dup2(o, 1);
        alarm(10); /* an exec that hangs */
        fn(arg);
        err = errno;
        if (write(e[1], &err, sizeof(err)) != sizeof(err))
            _exit(99);
        _exit(127);
    }
    close(e[1]);
    if (read(e[0], &err, sizeof(err)) != sizeof(err))
        err = 0;
    close(e[0]);
    waitpid(pid, &st, 0);
    n = pread(o, out, outlen - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(o);
    if (err)
        return -err;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1000 + WTERMSIG(st);
}

static const char *self_path = "/opt/kbox-tests/fexec-forms";

static void fexec_memfd(void *arg)
{
    (void)arg;
    int in = open(self_path, O_RDONLY), m = memfd_create("fexec", MFD_CLOEXEC);
    int keep = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
    char b[65536], num[16];
    ssize_t n;

    while ((n = read(in, b, sizeof(b))) > 0)
        if (write(m, b, (size_t)n) != n)
            return;
    close(in);
    snprintf(num, sizeof(num), "%d", keep);
    char *av[] = { "prog", "child", num, NULL };
    fexecve(m, av, environ);
}

static void fexec_opath(void *arg)
{
    int fd = open((const char *)arg, O_PATH);
    char *av[] = { "prog", "child", NULL };

    fexecve(fd, av, environ);
}

static void exec_emptypath(void *arg)
{
    int fd = open((const char *)arg, O_RDONLY);
    char *av[] = { "prog", "child", NULL };

    syscall(SYS_execveat, fd, "", av, environ, AT_EMPTY_PATH);
}

static void exec_pipe(void *arg)
{
    int p[2];
    char *av[] = { "prog", "child", NULL };

    (void)arg;
    if (pipe(p) == 0)
        syscall(SYS_execveat, p[0], "", av, environ, AT_EMPTY_PATH);
}

static void exec_procfd(void *arg)
{
    int fd = open((const char *)arg, O_RDONLY);
    char p[64];
    char *av[] = { "prog", "child", NULL };

    snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
    execve(p, av, environ);
}

static void exec_plain(void *arg)
{
    char *av[] = { "prog", "child", NULL };

    execve((const char *)arg, av, environ);
}

static int write_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0700);
    size_t l = strlen(text);
    int ok = fd >= 0 && write(fd, text, l) == (ssize_t)l;

    if (fd >= 0)
        close(fd);
    return ok && chmod(path, mode) == 0 ? 0 : -1;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
    int in = open(from, O_RDONLY), out;
    char b[65536];
    ssize_t n;

    unlink(to);
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700);
    if (in < 0 || out < 0)
        return -1;
    while ((n = read(in, b, sizeof(b))) > 0)
        if (write(out, b, (size_t)n) != n)
            return -1;
    close(in);
    close(out);
    return chmod(to, mode);
}

int main(int argc, char **argv)
{
    char out[8192], p[2048], want[4096];
    const char *bind, *hostonly;
    int rc;

    if (argc > 1 && !strcmp(argv[1], "child"))
        return child(argc, argv);
    if (argc < 3) {
        fprintf(stderr, "usage: fexec-forms BINDDIR HOSTONLY\n");
        return 2;
    }
    bind = argv[1];
    hostonly = argv[2];
    setvbuf(stdout, NULL, _IOLBF, 0);

    rc = run(fexec_memfd, NULL, out, sizeof(out));
    check(rc == 0, "fexecve of a memfd ran (%d)", rc);
    check(strstr(out, "exe=/memfd:fexec") != NULL,
          "its /proc/self/exe names the memfd: %s", strtok(out, "\n"));
    rc = run(fexec_memfd, NULL, out, sizeof(out));
    check(strstr(out, "comm=memfd:fexec\n") != NULL,
          "its comm is the memfd's name, as the host names it");
    check(strstr(out, "cloexec fd closed") != NULL,
          "an image file opened O_CLOEXEC is closed after it");
    check(strstr(out, "pipe read=PIPE") != NULL,
          "a pipe at that number reads its own data");

    rc = run(exec_pipe, NULL, out, sizeof(out));
    check(rc == -EACCES, "execveat(AT_EMPTY_PATH) of a pipe: EACCES (%d)", rc);

    /* a fresh copy: one kbox has in its content cache needs no read */
    check(copy_file(self_path, "/tmp/fexec-opath", 0755) == 0,
          "a program in /tmp");
    rc = run(fexec_opath, "/tmp/fexec-opath", out, sizeof(out));
    check(rc == 0, "fexecve of an O_PATH fd of it (%d)", rc);

    snprintf(p, sizeof(p), "%s/fexec-copy", bind);
    check(copy_file(self_path, p, 0755) == 0, "a copy in the bind");
    rc = run(exec_procfd, p, out, sizeof(out));
    snprintf(want, sizeof(want), "exe=%s", p);
    check(rc == 0 && strstr(out, want) != NULL,
          "exec of /proc/self/fd/N of a bind file: %s", strtok(out, "\n"));
    rc = run(exec_emptypath, p, out, sizeof(out));
    check(rc == 0 && strstr(out, want) != NULL,
          "execveat(AT_EMPTY_PATH) of a bind file: %s", strtok(out, "\n"));

    /* a bind script whose interpreter is a host path only */
    snprintf(p, sizeof(p), "%s/fexec-hostonly.sh", bind);
    snprintf(want, sizeof(want), "#!%s\n", hostonly);
    check(write_file(p, want, 0755) == 0, "a script naming %s", hostonly);
    rc = run(exec_emptypath, p, out, sizeof(out));
    check(rc == -ENOENT,
          "its fexecve: ENOENT, as its interpreter is not "
          "in the guest (%d)",
          rc);

    snprintf(p, sizeof(p), "%s/fexec-fifo", bind);
    unlink(p);
    check(mkfifo(p, 0755) == 0, "a FIFO in the bind");
    rc = run(exec_plain, p, out, sizeof(out));
    check(rc == -EACCES, "exec of it: EACCES, no wait (%d)", rc);

    check(copy_file(self_path, "/tmp/fexec-0111", 0111) == 0,
          "a mode 0111 copy in /tmp");
    rc = run(exec_plain, "/tmp/fexec-0111", out, sizeof(out));
    check(rc == 0, "it runs, as uid %d (%d)", (int)getuid(), rc);
    snprintf(p, sizeof(p), "%s/fexec-0111", bind);
    check(copy_file(self_path, p, 0111) == 0, "a mode 0111 copy in the bind");
    rc = run(exec_plain, p, out, sizeof(out));
    check(rc == 0, "it runs (%d)", rc);

    check(write_file("/tmp/fexec-crlf.sh", "#!/bin/sh\r\nexit 0\r\n", 0755) ==
              0,
          "a CRLF script");
    rc = run(exec_plain, "/tmp/fexec-crlf.sh", out, sizeof(out));
    check(rc == -ENOENT, "its exec: ENOENT (\"/bin/sh\\r\") (%d)", rc);

    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
