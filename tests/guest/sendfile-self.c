/* SPDX-License-Identifier: MIT */
/*
 * sendfile-self DIR: sendfile from a file into itself (one fd, and two fds
 * on the same file), the source and destination in one page cache page or
 * across pages. Ranges that do not overlap are copied exactly, the offset
 * and the file position advance by the count, the size grows only when the
 * copy ends past EOF. Overlapping ranges: only the count and the bytes
 * outside the destination are checked; the destination's bytes are left
 * undefined by Linux (the page is copied onto itself with memcpy: its
 * result depends on the compiler and CPU, see docs/kernel-port.md).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

#define FSZ 12288

/* Room for the case that grows the file. */
static unsigned char file0[FSZ], want[2 * FSZ], got[2 * FSZ];
static char path[4096];

static unsigned char pat(int i)
{
    return (unsigned char)(i * 7 + (i >> 8) * 13 + 1);
}

/* A fresh file of FSZ pattern bytes; its fd, positioned at @pos. */
static int fresh(off_t pos)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

    if (fd < 0 || write(fd, file0, FSZ) != FSZ)
        return -1;
    lseek(fd, pos, SEEK_SET);
    return fd;
}

/* The first byte index where @a and @b differ in [from, to), or -1. */
static long differs(const unsigned char *a, const unsigned char *b, long from,
                    long to)
{
    for (long i = from; i < to; i++)
        if (a[i] != b[i])
            return i;
    return -1;
}

/*
 * sendfile(out, in, &in_off, len) on one file, out at @out_pos. @twofd:
 * a second fd opened on the path serves as the input.
 */
static void copy_case(long out_pos, long in_off, long len, int twofd)
{
    long overlap = out_pos < in_off + len && in_off < out_pos + len;
    long end = out_pos + len > FSZ ? out_pos + len : FSZ;
    int out = fresh(out_pos), in = out;
    off_t off = in_off;
    struct stat st;
    ssize_t n;
    long bad;

    if (twofd && out >= 0)
        in = open(path, O_RDONLY);
    if (out < 0 || in < 0) {
        check(0, "set up %s", path);
        return;
    }
    memset(want, 0, sizeof(want));
    memcpy(want, file0, FSZ);
    memmove(want + out_pos, file0 + in_off, len);
    n = sendfile(out, in, &off, len);
    check(n == len, "sendfile out %ld in %ld len %ld%s: %ld bytes (got %zd)",
          out_pos, in_off, len, twofd ? " (two fds)" : "", len, n);
    check(off == in_off + len, "  the offset advanced to %ld (got %ld)",
          in_off + len, (long)off);
    check(lseek(out, 0, SEEK_CUR) == out_pos + len,
          "  the output's position advanced to %ld", out_pos + len);
    if (twofd)
        check(lseek(in, 0, SEEK_CUR) == 0, "  the input's position stayed");
    check(fstat(out, &st) == 0 && st.st_size == end, "  size %ld (got %ld)",
          end, (long)st.st_size);
    memset(got, 0, sizeof(got));
    if (pread(out, got, end, 0) != end) {
        check(0, "  read back %ld bytes", end);
    } else if (overlap) {
        bad = differs(got, want, 0, out_pos);
        if (bad < 0)
            bad = differs(got, want, out_pos + len, end);
        check(bad < 0,
              "  overlapping: the bytes outside the destination "
              "are unchanged (first difference %ld)",
              bad);
    } else {
        bad = differs(got, want, 0, end);
        check(bad < 0, "  the file is the expected copy (first difference %ld)",
              bad);
    }
    if (in != out)
        close(in);
    close(out);
}

int main(int argc, char **argv)
{
    /* out, in, len: none overlap but the last group. */
    static const long cases[][3] = {
        { 0, 2000, 1000 },     /* one page, destination before */
        { 3000, 0, 1000 },     /* one page, destination after */
        { 100, 0, 100 },       /* adjacent: the destination starts at the end */
        { 0, 100, 100 },       /* adjacent: the source starts at the end */
        { 0, 10, 10 },         /* adjacent, short */
        { 6000, 4000, 200 },   /* the source across a page boundary */
        { 4090, 100, 50 },     /* the destination across one */
        { 4000, 100, 3900 },   /* a near page of bytes into the next pages */
        { 12000, 8000, 1000 }, /* past EOF: the file grows */
        { 0, 10, 100 },        /* overlapping, destination before */
        { 0, 100, 4000 },
        { 10, 0, 100 }, /* overlapping, destination after */
        { 1, 0, 100 },
    };
    const char *dir = argc > 1 ? argv[1] : "/var/tmp";

    snprintf(path, sizeof(path), "%s/sendfile-self.%d", dir, (int)getpid());
    for (int i = 0; i < FSZ; i++)
        file0[i] = pat(i);
    for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        copy_case(cases[c][0], cases[c][1], cases[c][2], 0);
        copy_case(cases[c][0], cases[c][1], cases[c][2], 1);
    }
    unlink(path);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
