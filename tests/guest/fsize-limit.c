/* SPDX-License-Identifier: MIT */
/*
 * RLIMIT_FSIZE (ulimit -f) holds for files in the image and on /tmp: a
 * write stops at the limit, the next one is EFBIG with SIGXFSZ, as are
 * ftruncate and fallocate past it, in a forked child too. Files there
 * grew past the limit with no error. Usage: fsize-limit DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static volatile sig_atomic_t xfsz;

static void on_xfsz(int sig)
{
    (void)sig;
    xfsz++;
}

int main(int argc, char **argv)
{
    struct rlimit rl = { 10000, RLIM_INFINITY };
    static char buf[8192];
    char path[4096];
    struct stat st;
    int fd, s = -1;
    pid_t pid;

    if (argc != 2) {
        fprintf(stderr, "usage: fsize-limit DIR\n");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/fsize-limit.dat", argv[1]);
    signal(SIGXFSZ, on_xfsz);
    check(setrlimit(RLIMIT_FSIZE, &rl) == 0, "RLIMIT_FSIZE 10000");
    fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
    check(fd >= 0 && write(fd, buf, sizeof(buf)) == sizeof(buf),
          "8192 bytes written");
    check(write(fd, buf, sizeof(buf)) == 10000 - 8192,
          "the next write stops at the limit");
    errno = 0;
    check(write(fd, buf, 1) == -1 && errno == EFBIG && xfsz == 1,
          "then EFBIG and SIGXFSZ (%d)", (int)xfsz);
    errno = 0;
    check(ftruncate(fd, 20000) == -1 && errno == EFBIG && xfsz == 2,
          "ftruncate past it: EFBIG, SIGXFSZ");
    errno = 0;
    check(fallocate(fd, 0, 0, 65536) == -1 && errno == EFBIG,
          "fallocate past it: EFBIG");
    check(fstat(fd, &st) == 0 && st.st_size == 10000, "the file has 10000");
    check(ftruncate(fd, 5000) == 0, "ftruncate below it works");
    pid = fork();
    if (pid == 0) {
        errno = 0;
        _exit(pwrite(fd, buf, 10, 20000) == -1 && errno == EFBIG ? 0 : 1);
    }
    if (pid > 0 && waitpid(pid, &s, 0) != pid)
        s = -1;
    check(WIFEXITED(s) && WEXITSTATUS(s) == 0, "a child has the limit too");
    close(fd);
    unlink(path);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
