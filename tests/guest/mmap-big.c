/* SPDX-License-Identifier: MIT */
/*
 * mmap-big: windows of a file bigger than 1 GiB map (kbox copied whole
 * files and refused those with EFBIG: git packs, databases), and a small
 * window of a big file does not cost a copy of the file. The file is
 * sparse, so the test needs little space. Passes natively too.
 *
 * Usage: mmap-big [DIR]   (default $TMPDIR or /tmp)
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

#define PG 4096

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("TMPDIR");
    const off_t size = (1LL << 30) + 8 * PG; /* just over 1 GiB */
    char path[512];
    const char *m;
    double t0, t;
    int fd;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(path, sizeof(path), "%s/mmap-big-%d", dir, (int)getpid());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    check(fd >= 0 && ftruncate(fd, size) == 0 && pwrite(fd, "B", 1, 0) == 1 &&
              pwrite(fd, "mid", 3, size / 2) == 3 &&
              pwrite(fd, "E", 1, size - 1) == 1,
          "a sparse file of 1 GiB + 32 KiB");

    t0 = now();
    m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, size - PG);
    t = now() - t0;
    check(m != MAP_FAILED && m[PG - 1] == 'E', "map its last page");
    /* a copy of the file took seconds; a page is nothing (generous) */
    check(t < 0.5, "mapping one page took %.3f s", t);
    if (m != MAP_FAILED)
        munmap((void *)m, PG);

    m = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, (size / 2) & ~(PG - 1));
    check(m != MAP_FAILED && !memcmp(m + (size / 2) % PG, "mid", 3),
          "a shared read-only window in the middle");
    if (m != MAP_FAILED)
        munmap((void *)m, 2 * PG);

    m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    check(m != MAP_FAILED && m[0] == 'B' && m[size - 1] == 'E' && m[PG] == 0 &&
              !memcmp(m + size / 2, "mid", 3),
          "map the whole file");
    if (m != MAP_FAILED)
        munmap((void *)m, (size_t)size);

    close(fd);
    unlink(path);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
