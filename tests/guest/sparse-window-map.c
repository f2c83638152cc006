/* SPDX-License-Identifier: MIT */
/*
 * sparse-window-map: a read-only mapping of a big sparse file (over
 * 1 GiB, so kbox copies the mapped window rather than keeping a shared
 * memfd) is quick, holds the file's data at the right places and zeros in
 * its holes, and leaves the fd's offset alone. kbox read every hole
 * through lx to find its zeros: CPython's test_mmap LargeMmapTests
 * (test_around_4GB) took 12-30 s per mapping, natively nothing. The same
 * for a private mapping of all of a sparse file just under 1 GiB (kbox
 * copies it whole: 5-8 s), whose stores stay private. Passes natively
 * too.
 *
 * Usage: sparse-window-map [DIR]   (default /var/tmp)
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

#define GIB (1LL << 30)

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char tail[] = "  DEARdear  ";

/* Data at the start, across a page boundary near 1 GiB (unaligned), and
 * at the end of a 4 GiB + 6 byte file; holes between. */
static const struct {
    off_t at;
    const char *s;
} data[] = {
    { 0, "head of the file" },
    { GIB + 4090, "crosses a page boundary" },
    { 3 * GIB, "at three GiB" },
    { 4 * GIB - 6, tail },
};
#define NDATA (sizeof(data) / sizeof(data[0]))

static int mapped_ok(const char *m, off_t base, off_t len)
{
    static const off_t zeros[] = { 4096,       GIB - 1, GIB + 4089,
                                   GIB + 8192, 2 * GIB, 4 * GIB - 7 };

    for (size_t i = 0; i < NDATA; i++) {
        off_t at = data[i].at - base;

        if (at >= 0 && at < len &&
            memcmp(m + at, data[i].s, strlen(data[i].s)) != 0)
            return 0;
    }
    for (size_t i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++) {
        off_t at = zeros[i] - base;

        if (at >= 0 && at < len && m[at] != 0)
            return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/var/tmp";
    off_t size = 4 * GIB + 6, wbase = GIB - (16 << 20), wlen = 64 << 20;
    char path[512];
    double t0, t;
    char *m;
    int fd;

    setvbuf(stdout, NULL, _IOLBF, 0);
    snprintf(path, sizeof(path), "%s/sparse-window-map.%d", dir, getpid());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    check(fd >= 0, "create %s", path);
    if (fd < 0)
        return 1;
    for (size_t i = 0; i < NDATA; i++) {
        size_t n = strlen(data[i].s);

        check(pwrite(fd, data[i].s, n, data[i].at) == (ssize_t)n,
              "write at %lld", (long long)data[i].at);
    }
    check(lseek(fd, 12345, SEEK_SET) == 12345, "offset set to 12345");

    t0 = now();
    m = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
    t = now() - t0;
    check(m != MAP_FAILED, "MAP_SHARED read-only mapping of all 4 GiB");
    if (m != MAP_FAILED) {
        check(t < 2.0, "mapping it took %.3f s (< 2 s: holes not read)", t);
        check(mapped_ok(m, 0, size), "data where written, zeros in holes");
        munmap(m, (size_t)size);
    }

    t0 = now();
    m = mmap(NULL, (size_t)wlen, PROT_READ, MAP_PRIVATE, fd, wbase);
    t = now() - t0;
    check(m != MAP_FAILED, "MAP_PRIVATE 64 MiB window around 1 GiB");
    if (m != MAP_FAILED) {
        check(t < 2.0, "mapping the window took %.3f s", t);
        check(mapped_ok(m, wbase, wlen), "window: data and zeros");
        munmap(m, (size_t)wlen);
    }

    t0 = now();
    m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4 * GIB - 4096);
    t = now() - t0;
    check(m != MAP_FAILED, "the last whole page, offset 4 GiB - 4 KiB");
    if (m != MAP_FAILED) {
        check(t < 2.0, "mapping the last page took %.3f s", t);
        check(memcmp(m + 4090, tail, 6) == 0, "its last bytes are the data");
        munmap(m, 4096);
    }

    check(lseek(fd, 0, SEEK_CUR) == 12345, "the fd's offset is still 12345");
    close(fd);
    check(unlink(path) == 0, "unlink");

    /* Just under 1 GiB, mapped whole and private: a whole copy. */
    size = GIB - 4096;
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    check(fd >= 0, "create the second file");
    if (fd < 0)
        return 1;
    check(pwrite(fd, data[0].s, strlen(data[0].s), 0) > 0, "write at 0");
    check(pwrite(fd, tail, 12, 512 << 20 | 4090) == 12, "write mid-file");
    check(pwrite(fd, tail, 12, size - 12) == 12, "write at its end");
    t0 = now();
    m = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    t = now() - t0;
    check(m != MAP_FAILED, "MAP_PRIVATE mapping of all of it");
    if (m != MAP_FAILED) {
        char c = 1;

        check(t < 2.0, "mapping it took %.3f s (< 2 s: holes not read)", t);
        check(memcmp(m, data[0].s, strlen(data[0].s)) == 0 &&
                  memcmp(m + (512 << 20 | 4090), tail, 12) == 0 &&
                  memcmp(m + size - 12, tail, 12) == 0,
              "its data in place");
        check(m[4096] == 0 && m[(512 << 20) + 4089] == 0 &&
                  m[(512 << 20) + 8192] == 0 && m[size - 13] == 0,
              "zeros in its holes");
        m[8192] = 'x';
        check(pread(fd, &c, 1, 8192) == 1 && c == 0,
              "a store into the private mapping stays out of the file");
        munmap(m, (size_t)size);
    }
    close(fd);
    check(unlink(path) == 0, "unlink the second file");
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
