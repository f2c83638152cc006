/* SPDX-License-Identifier: MIT */
/*
 * bench-test: per-call cost of a few syscalls, in microseconds.
 *
 * Usage: bench-test [ITERATIONS] [SCRATCH_BASE]
 *   ITERATIONS defaults to 20000; SCRATCH_BASE to $TMPDIR or /tmp.
 *
 * Output (one row per operation, machine-readable after the header):
 *   name us/call
 *   stat 0.812
 *   ...
 * A result is checked for correctness on every iteration; the program
 * exits non-zero (with a FAIL line) only when a call fails, never because
 * of timing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int failed;

static void fail(const char *what, long i)
{
    printf("FAIL - %s at iteration %ld: %s\n", what, i, strerror(errno));
    failed = 1;
}

int main(int argc, char **argv)
{
    long iters = 20000;
    const char *base = getenv("TMPDIR");
    char dir[1024], file[PATH_MAX];
    const char *wpath = "/dev/null";
    struct stat st;
    double t0, t;
    char c;
    int fd, wfd;
    long i;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1) {
        iters = strtol(argv[1], NULL, 10);
        if (iters <= 0) {
            fprintf(stderr, "usage: %s [ITERATIONS] [DIR]\n", argv[0]);
            return 2;
        }
    }
    if (argc > 2)
        base = argv[2];
    if (!base || !*base)
        base = "/tmp";
    snprintf(dir, sizeof(dir), "%s/bench-test-XXXXXX", base);
    if (!mkdtemp(dir)) {
        printf("FAIL - mkdtemp in %s: %s\n", base, strerror(errno));
        return 1;
    }
    snprintf(file, sizeof(file), "%s/data", dir);
    fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "0123456789abcdef", 16) != 16) {
        printf("FAIL - create %s: %s\n", file, strerror(errno));
        return 1;
    }
    wfd = open(wpath, O_WRONLY);
    if (wfd < 0) {
        /* no /dev/null in this root: write to a file instead */
        static char wfile[PATH_MAX];

        snprintf(wfile, sizeof(wfile), "%s/sink", dir);
        wpath = wfile;
        wfd = open(wpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (wfd < 0) {
            printf("FAIL - open %s: %s\n", wpath, strerror(errno));
            return 1;
        }
    }

    printf("# %ld iterations, file %s, write target %s\n", iters, file, wpath);
    printf("name us/call\n");

    /* warm-up: populate caches, fault in code */
    for (i = 0; i < 100; i++)
        stat(file, &st);

    t0 = now_us();
    for (i = 0; i < iters; i++)
        if (stat(file, &st) != 0 || st.st_size != 16) {
            fail("stat", i);
            break;
        }
    t = now_us() - t0;
    printf("stat %.3f\n", t / (double)iters);

    t0 = now_us();
    for (i = 0; i < iters; i++) {
        int f = open(file, O_RDONLY);

        if (f < 0 || close(f) != 0) {
            fail("open+close", i);
            break;
        }
    }
    t = now_us() - t0;
    printf("open+close %.3f\n", t / (double)iters);

    t0 = now_us();
    for (i = 0; i < iters; i++)
        if (lseek(fd, (off_t)(i & 7), SEEK_SET) != (off_t)(i & 7) ||
            read(fd, &c, 1) != 1 || c != "01234567"[i & 7]) {
            fail("lseek+read", i);
            break;
        }
    t = now_us() - t0;
    printf("lseek+read %.3f\n", t / (double)iters);

    t0 = now_us();
    for (i = 0; i < iters; i++)
        if (write(wfd, "x", 1) != 1) {
            fail("write", i);
            break;
        }
    t = now_us() - t0;
    printf("write %.3f\n", t / (double)iters);

    t0 = now_us();
    for (i = 0; i < iters; i++)
        if (syscall(SYS_getpid) <= 0) {
            fail("getpid", i);
            break;
        }
    t = now_us() - t0;
    printf("getpid %.3f\n", t / (double)iters);

    close(fd);
    close(wfd);
    unlink(file);
    if (strcmp(wpath, "/dev/null") != 0)
        unlink(wpath);
    rmdir(dir);
    return failed;
}
