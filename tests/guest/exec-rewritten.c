/* SPDX-License-Identifier: MIT */
/*
 * Exec a program while other processes rewrite it (O_TRUNC, then write):
 * each exec runs some version or fails; kbox itself died of SIGBUS when
 * the file shrank while it copied it. Usage: exec-rewritten DIR SECONDS
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static char *self;
static off_t self_len;

static void rewrite_until(const char *path, time_t end)
{
    while (time(NULL) < end) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);

        if (fd < 0)
            continue;
        for (off_t o = 0; o < self_len; o += 32768) {
            size_t n = self_len - o < 32768 ? (size_t)(self_len - o) : 32768;

            if (write(fd, self + o, n) != (ssize_t)n)
                break;
        }
        close(fd);
    }
}

int main(int argc, char **argv)
{
    char path[4096];
    long runs = 0, ran = 0;
    struct stat st;
    time_t end;
    int fd;

    if (argc == 2 && !strcmp(argv[1], "--ran"))
        return 0;
    if (argc != 3) {
        fprintf(stderr, "usage: exec-rewritten DIR SECONDS\n");
        return 2;
    }
    fd = open("/proc/self/exe", O_RDONLY);
    check(fd >= 0 && fstat(fd, &st) == 0, "read myself");
    self_len = st.st_size;
    self = malloc((size_t)self_len);
    check(self && pread(fd, self, (size_t)self_len, 0) == self_len,
          "%lld bytes", (long long)self_len);
    snprintf(path, sizeof(path), "%s/exec-rewritten.bin", argv[1]);
    /* open for writing: the exec is refused with ETXTBSY */
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    check(fd >= 0 && write(fd, self, (size_t)self_len) == self_len,
          "a copy of myself, still open for writing");
    {
        pid_t pid = fork();
        int s = 0;

        if (pid == 0) {
            execl(path, path, "--ran", (char *)NULL);
            _exit(errno == ETXTBSY ? 42 : 43);
        }
        check(pid > 0 && waitpid(pid, &s, 0) == pid && WIFEXITED(s) &&
                  WEXITSTATUS(s) == 42,
              "its exec: ETXTBSY");
    }
    close(fd);
    end = time(NULL) + atoi(argv[2]);
    for (int w = 0; w < 2; w++)
        if (fork() == 0) {
            rewrite_until(path, end);
            _exit(0);
        }
    while (time(NULL) < end) {
        pid_t pid = fork();
        int s;

        if (pid == 0) {
            alarm(10); /* a half-written program must not hang the test */
            execl(path, path, "--ran", (char *)NULL);
            _exit(100);
        }
        if (pid > 0 && waitpid(pid, &s, 0) == pid) {
            runs++;
            ran += WIFEXITED(s) && WEXITSTATUS(s) == 0;
        }
    }
    while (wait(NULL) > 0)
        ;
    check(runs > 0, "%ld execs while rewritten, %ld ran it", runs, ran);
    unlink(path);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
