/* SPDX-License-Identifier: MIT */
/*
 * Appenders and short-lived processes that map the file shared at once:
 * every record written must be in the file. A writer that found no map
 * of the file wrote without kbox's map lock; a map made meanwhile was
 * filled from lx before its bytes landed, and the stale memfd was later
 * written back over them: thousands of records read back as zeros.
 * Usage: append-map-churn FILE [APPENDERS] [RECORDS]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define REC 32

/* Map the file shared and writable in a new process each time, as a
 * reader of a growing log would, until killed. */
static void mapper(int fd)
{
    for (;;) {
        pid_t c = fork();

        if (c > 0) {
            waitpid(c, NULL, 0);
            continue;
        }
        if (c == 0) {
            struct stat st;
            char *m;

            if (fstat(fd, &st) == 0 && st.st_size > 0) {
                m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
                         MAP_SHARED, fd, 0);
                if (m != MAP_FAILED) {
                    volatile char c0 = m[st.st_size - 1];

                    (void)c0;
                    usleep(1000);
                    munmap(m, (size_t)st.st_size);
                }
            }
            _exit(0);
        }
    }
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/tmp/append-map-churn";
    int n = argc > 2 ? atoi(argv[2]) : 4,
        recs = argc > 3 ? atoi(argv[3]) : 2500;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644), bad = 0, st;
    long zero = 0, missing = 0, dup = 0, size;
    unsigned char *seen;
    char *buf;
    pid_t mp;

    check(fd >= 0 && write(fd, "append-map-churn ..............\n", REC) == REC,
          "file made");
    mp = fork();
    if (mp == 0)
        mapper(fd);
    for (int i = 0; i < n; i++) {
        if (fork() == 0) {
            int afd = open(path, O_WRONLY | O_APPEND);
            char b[64];

            for (int k = 0; k < recs; k++) {
                /* 32 bytes: "wII rKKKKKKKK " and 17 dots, a newline */
                snprintf(b, sizeof(b), "w%02d r%08d .................\n",
                         i % 100, k % 100000000);
                if (write(afd, b, REC) != REC)
                    _exit(2);
            }
            _exit(0);
        }
    }
    for (int i = 0; i < n; i++)
        if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
            bad++;
    kill(mp, SIGKILL);
    waitpid(mp, NULL, 0);
    check(!bad, "%d appenders wrote %d records each", n, recs);
    size = lseek(fd, 0, SEEK_END);
    check(size == REC + (long)REC * n * recs, "the file's size is %ld", size);
    buf = calloc(1, (size_t)size + 1);
    seen = calloc((size_t)n * recs, 1);
    if (!buf || !seen || pread(fd, buf, (size_t)size, 0) != size) {
        check(0, "read the file back");
        return 1;
    }
    for (long o = REC; o + REC <= size; o += REC) {
        int w, k;

        if (sscanf(buf + o, "w%d r%d", &w, &k) != 2 || w < 0 || w >= n ||
            k < 0 || k >= recs) {
            zero++;
            continue;
        }
        if (seen[(long)w * recs + k]++)
            dup++;
    }
    for (long i = 0; i < (long)n * recs; i++)
        missing += !seen[i];
    check(!zero && !missing && !dup,
          "every record once (%ld unreadable, %ld missing, %ld twice)", zero,
          missing, dup);
    unlink(path);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
