/* SPDX-License-Identifier: MIT */
/*
 * Benchmark (make bench): a MAP_SHARED mapping of MB MiB, then N times a
 * 16 KiB store at a pseudo-random place and msync(MS_SYNC) of the whole
 * mapping, as fio's mmap engine with fsync= and databases that msync
 * their whole file do. Prints "msync us/msync".
 * Usage: msync-bench DIR [MB] [N]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    size_t len = (size_t)(argc > 2 ? atol(argv[2]) : 64) << 20;
    int n = argc > 3 ? atoi(argv[3]) : 20, fd;
    unsigned seed = 1;
    struct timespec a, b;
    char path[512];
    char *p;

    snprintf(path, sizeof(path), "%s/msync-bench.%d", dir, (int)getpid());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || len < 16384 || n <= 0 || ftruncate(fd, (off_t)len)) {
        perror("msync-bench: setup");
        return 2;
    }
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        perror("msync-bench: mmap");
        return 2;
    }
    memset(p, 1, len);
    msync(p, len, MS_SYNC);
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        memset(p + (size_t)(seed % (len / 16384)) * 16384, i, 16384);
        if (msync(p, len, MS_SYNC)) {
            perror("msync-bench: msync");
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("msync %.1f\n", ((double)(b.tv_sec - a.tv_sec) * 1e9 +
                            (double)(b.tv_nsec - a.tv_nsec)) /
                               1e3 / n);
    munmap(p, len);
    close(fd);
    unlink(path);
    return 0;
}
