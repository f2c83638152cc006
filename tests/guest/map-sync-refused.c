/* SPDX-License-Identifier: MIT */
/*
 * mmap(MAP_SHARED_VALIDATE | MAP_SYNC) of a file without DAX is
 * EOPNOTSUPP, and the refused call leaves nothing behind: MariaDB 10.11
 * tries it on its redo log, and kbox gave the file a writable shared
 * memfd first, so every later fdatasync of the log compared the whole
 * file with the image (55 ms a commit with a 96 MiB log, 45 times
 * slower than natively). Usage: map-sync-refused DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

#define FILE_MB 32
#define ROUNDS  40

static int make(const char *path)
{
    static char buf[1 << 20];
    int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);

    memset(buf, 'z', sizeof(buf));
    for (int i = 0; fd >= 0 && i < FILE_MB; i++)
        if (write(fd, buf, sizeof(buf)) != sizeof(buf))
            return -1;
    return fd >= 0 && fsync(fd) == 0 ? fd : -1;
}

/* ms for ROUNDS of (a 4 KiB pwrite + fdatasync), as a redo log's commits */
static double commits(int fd)
{
    char page[4096];
    struct timespec a, b;

    memset(page, 'c', sizeof(page));
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < ROUNDS; i++)
        if (pwrite(fd, page, sizeof(page), (off_t)(i % 8) * 4096) !=
                sizeof(page) ||
            fdatasync(fd))
            return -1;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
}

int main(int argc, char **argv)
{
    char pa[4096], pb[4096], c;
    double plain, after;
    int fa, fb;
    void *m;

    if (argc != 2) {
        fprintf(stderr, "usage: map-sync-refused DIR\n");
        return 2;
    }
    snprintf(pa, sizeof(pa), "%s/msr-a.dat", argv[1]);
    snprintf(pb, sizeof(pb), "%s/msr-b.dat", argv[1]);
    fa = make(pa);
    fb = make(pb);
    check(fa >= 0 && fb >= 0, "two %d MiB files", FILE_MB);
    if (fa < 0 || fb < 0)
        return 1;
    errno = 0;
    m = mmap(NULL, (size_t)FILE_MB << 20, PROT_READ | PROT_WRITE,
             MAP_SHARED_VALIDATE | MAP_SYNC, fa, 0);
    check(m == MAP_FAILED && errno == EOPNOTSUPP,
          "MAP_SHARED_VALIDATE|MAP_SYNC: EOPNOTSUPP");
    plain = commits(fb);
    after = commits(fa);
    check(plain >= 0 && after >= 0, "%d pwrite+fdatasync rounds on each",
          ROUNDS);
    /* Not a speed target: a bound twenty times wide, which only the
     * whole-file compare per fdatasync (250 times) passes. */
    check(after <= 20 * plain + 500,
          "after the refused mmap as fast as on a file never mapped "
          "(%.1f ms, %.1f ms)",
          after, plain);
    check(pread(fa, &c, 1, 4096) == 1 && c == 'c' &&
              pread(fa, &c, 1, 8 * 4096) == 1 && c == 'z',
          "the file has the written pages");
    /* MAP_SHARED_VALIDATE without unknown flags still maps */
    m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE, fa, 0);
    check(m != MAP_FAILED, "MAP_SHARED_VALIDATE alone maps");
    if (m != MAP_FAILED) {
        memcpy((char *)m + 100, "store", 5);
        check(pread(fa, pa, 5, 100) == 5 && !memcmp(pa, "store", 5),
              "a store through it is seen by pread");
        munmap(m, 8192);
    }
    close(fa);
    close(fb);
    snprintf(pa, sizeof(pa), "%s/msr-a.dat", argv[1]);
    unlink(pa);
    unlink(pb);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
