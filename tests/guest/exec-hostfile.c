/* SPDX-License-Identifier: MIT */
/*
 * Exec of files in DIR (a bind under kbox) as Linux does it:
 * - a program open for writing (by this process, even close-on-exec) is
 *   ETXTBSY;
 * - execveat(AT_SYMLINK_NOFOLLOW) of a symlink is ELOOP;
 * - a #! script's interpreter is what /proc/self/exe names;
 * - after fexecve of a file fd that is not close-on-exec, the new
 *   program holds that file at that number, at its offset, read-only.
 *
 * usage: exec-hostfile DIR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define FD 7

static char dir[4096], prog[4200];

/* In the exec'd copy: what the parent checks, on stdout. */
static int report(void)
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    struct stat st;

    buf[n < 0 ? 0 : n] = '\0';
    printf("exe %s\n", buf);
    if (fcntl(FD, F_GETFD) >= 0 && !fstat(FD, &st))
        printf("fd off %lld acc %d ino %llu\n",
               (long long)lseek(FD, 0, SEEK_CUR),
               fcntl(FD, F_GETFL) & O_ACCMODE, (unsigned long long)st.st_ino);
    else
        printf("fd closed\n");
    return 0;
}

/* Run @fn in a child with stdout to a pipe; the output in @out, the
 * child's exit status returned. */
static int run(void (*fn)(void), char *out, size_t size)
{
    int p[2], st;
    size_t n = 0;
    ssize_t k;
    pid_t pid;

    fflush(stdout);
    if (pipe(p))
        exit(2);
    pid = fork();
    if (pid == 0) {
        close(p[0]);
        dup2(p[1], 1);
        close(p[1]);
        fn();
        printf("errno %s\n", strerrorname_np(errno));
        fflush(stdout);
        _exit(99);
    }
    close(p[1]);
    while (n < size - 1 && (k = read(p[0], out + n, size - 1 - n)) > 0)
        n += (size_t)k;
    out[n] = '\0';
    close(p[0]);
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *const rargv[] = { (char *)"prog", (char *)"report", NULL };

static void busy(void)
{
    int w = open(prog, O_WRONLY | O_CLOEXEC);

    if (w < 0)
        return;
    execv(prog, rargv);
}

static void nofollow(void)
{
    syscall(SYS_execveat, AT_FDCWD, "link", rargv, environ,
            AT_SYMLINK_NOFOLLOW);
}

static void script(void)
{
    execl("script", "script", (char *)NULL);
}

static void fexec(void)
{
    int fd = open(prog, O_RDONLY);

    if (fd < 0 || dup2(fd, FD) < 0)
        return;
    lseek(FD, 100, SEEK_SET);
    fexecve(FD, rargv, environ);
}

int main(int argc, char **argv)
{
    char out[8192], want[8400], text[4400];
    struct stat st;
    int fd, in, rc;
    ssize_t n;

    if (argc > 1 && !strcmp(argv[1], "report"))
        return report();
    if (argc != 2 || chdir(argv[1]) || !getcwd(dir, sizeof(dir))) {
        fprintf(stderr, "usage: exec-hostfile DIR\n");
        return 2;
    }
    snprintf(prog, sizeof(prog), "%s/prog", dir);
    in = open("/proc/self/exe", O_RDONLY);
    fd = open("prog", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    while (in >= 0 && fd >= 0 && (n = read(in, text, sizeof(text))) > 0)
        if (write(fd, text, (size_t)n) != n)
            return 2;
    close(in);
    close(fd);
    unlink("link");
    symlink("prog", "link");
    fd = open("script", O_WRONLY | O_CREAT | O_TRUNC, 0755);
    n = snprintf(text, sizeof(text), "#!%s report\n", prog);
    if (fd < 0 || write(fd, text, (size_t)n) != n)
        return 2;
    close(fd);
    stat(prog, &st);

    rc = run(busy, out, sizeof(out));
    check(rc == 99 && !strcmp(out, "errno ETXTBSY\n"),
          "exec of a program open for writing: ETXTBSY (got %d: %s)", rc, out);
    rc = run(nofollow, out, sizeof(out));
    check(rc == 99 && !strcmp(out, "errno ELOOP\n"),
          "execveat AT_SYMLINK_NOFOLLOW of a symlink: ELOOP (got %d: %s)", rc,
          out);
    rc = run(script, out, sizeof(out));
    snprintf(want, sizeof(want), "exe %s\n", prog);
    check(rc == 0 && !strncmp(out, want, strlen(want)),
          "a script's /proc/self/exe is its interpreter (got %d: %s)", rc, out);
    rc = run(fexec, out, sizeof(out));
    snprintf(want, sizeof(want), "exe %s\nfd off 100 acc 0 ino %llu\n", prog,
             (unsigned long long)st.st_ino);
    check(rc == 0 && !strcmp(out, want),
          "after fexecve the fd is the program file at its offset "
          "(got %d: %s)",
          rc, out);
    unlink("link");
    unlink("script");
    unlink("prog");
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
