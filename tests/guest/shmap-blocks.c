/* SPDX-License-Identifier: MIT */
/*
 * shmap-blocks: stores through a MAP_SHARED mapping into a sparse file's
 * holes count in st_blocks at once (fstat, stat, statx), before any
 * msync, as Linux's page cache allocates or reserves the blocks at the
 * store's fault; msync and munmap keep them. Under kbox the stores sit
 * in a memfd until written back, and st_blocks stayed as it was until
 * an msync or the process's exit.
 *
 * Usage: shmap-blocks DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

#define LEN (1 << 20)

static long long fblocks(int fd)
{
    struct stat st;

    return fstat(fd, &st) ? -1 : (long long)st.st_blocks;
}

static long long pblocks(const char *path)
{
    struct stat st;

    return stat(path, &st) ? -1 : (long long)st.st_blocks;
}

static long long xblocks(const char *path)
{
    struct statx sx;

    return statx(AT_FDCWD, path, 0, STATX_BLOCKS, &sx)
               ? -1
               : (long long)sx.stx_blocks;
}

int main(int argc, char **argv)
{
    char path[512];
    long long b0, b1, b2;
    char *p;
    int fd;

    if (argc != 2) {
        fprintf(stderr, "usage: shmap-blocks DIR\n");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/shmap-blocks.%d", argv[1], (int)getpid());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    check(fd >= 0 && ftruncate(fd, LEN) == 0, "a sparse file of 1 MiB");
    b0 = fblocks(fd);
    check(b0 == 0, "no blocks yet (%lld)", b0);
    p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(p != MAP_FAILED, "mapped shared");
    if (p == MAP_FAILED)
        return 1;
    check(p[4096] == 0, "a hole reads as zero through the mapping");
    p[0] = 'a';
    p[LEN / 2] = 'b';
    p[LEN - 1] = 'c';
    b1 = fblocks(fd);
    check(b1 >= 3 * 8, "three pages stored into: fstat counts them (%lld)", b1);
    check(b1 < LEN / 512, "not the whole file (%lld)", b1);
    check(pblocks(path) == b1, "stat says the same (%lld)", pblocks(path));
    check(xblocks(path) == b1, "statx says the same (%lld)", xblocks(path));
    p[1] = 'd'; /* the same page again: no more blocks */
    check(fblocks(fd) == b1, "a store into a stored page: no more (%lld)",
          fblocks(fd));
    check(msync(p, LEN, MS_SYNC) == 0, "msync");
    b2 = fblocks(fd);
    check(b2 == b1, "after msync the same (%lld)", b2);
    check(munmap(p, LEN) == 0 && close(fd) == 0, "unmapped, closed");
    check(pblocks(path) == b1, "after close the same (%lld)", pblocks(path));
    unlink(path);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
