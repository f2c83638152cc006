/* SPDX-License-Identifier: MIT */
/*
 * A store through a MAP_SHARED mapping into a hole of a sparse file is
 * data to SEEK_DATA and SEEK_HOLE at once, without msync, as on Linux
 * (the dirty page is in the page cache): kbox kept the store in the
 * map's memfd and lx, which had not seen it, answered with the hole
 * (found by fsx; cp of such a file copied a hole). Also after the
 * mapping is gone, for a store into the only page of an otherwise empty
 * (all-hole) file, and FIEMAP's extent count.
 * Usage: shmap-seek-data DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest-check.h"

#define PG   4096
#define SIZE (256 * PG)
#define AT   (128 * PG + 100)

int main(int argc, char **argv)
{
    char path[4096];
    int fd;
    char *m;
    off_t d, h;

    if (argc != 2) {
        fprintf(stderr, "usage: shmap-seek-data DIR\n");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/shmap-seek-data.%d", argv[1],
             (int)getpid());
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0, "create %s", path);
    if (fd < 0)
        return 1;
    /* Data in the first page only; the rest of the 1 MiB is a hole. */
    check(pwrite(fd, "head", 4, 0) == 4, "pwrite the first page");
    check(ftruncate(fd, SIZE) == 0, "ftruncate to %d", SIZE);
    m = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(m != MAP_FAILED, "mmap shared writable");
    if (m == MAP_FAILED)
        return 1;
    m[AT] = 'x';

    d = lseek(fd, PG, SEEK_DATA);
    check(d >= PG && d <= AT,
          "SEEK_DATA from %d after a mapped store at %d: %jd", PG, AT,
          (intmax_t)d);
    h = lseek(fd, AT, SEEK_HOLE);
    check(h > AT, "SEEK_HOLE from the stored byte %d: %jd (not at it)", AT,
          (intmax_t)h);
    d = lseek(fd, AT, SEEK_DATA);
    check(d >= PG && d <= AT, "SEEK_DATA from the stored byte: %jd",
          (intmax_t)d);

    /* A second store, then the mapping goes without msync. */
    m[AT + 64 * PG] = 'y';
    check(munmap(m, SIZE) == 0, "munmap");
    d = lseek(fd, AT + PG, SEEK_DATA);
    check(d >= AT + PG && d <= AT + 64 * PG,
          "SEEK_DATA after munmap finds the second store: %jd", (intmax_t)d);
    check(close(fd) == 0, "close");
    unlink(path);

    /* A file that is one hole, one store through a read-write map. */
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0 && ftruncate(fd, 16 * PG) == 0, "an all-hole file");
    m = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(m != MAP_FAILED, "mmap it");
    if (m == MAP_FAILED)
        return 1;
    m[5 * PG + 7] = 'z';
    d = lseek(fd, 0, SEEK_DATA);
    check(d >= 0 && d <= 5 * PG + 7, "SEEK_DATA from 0: %jd", (intmax_t)d);
    h = lseek(fd, 5 * PG, SEEK_HOLE);
    check(h > 5 * PG + 7, "SEEK_HOLE from the stored page: %jd", (intmax_t)h);
    /* FIEMAP (filefrag, older cp) sees it as an extent (ext4: delalloc);
     * file systems without FIEMAP (tmpfs) are skipped. */
    struct fiemap fm = { .fm_start = 0, .fm_length = 16 * PG };
    if (ioctl(fd, FS_IOC_FIEMAP, &fm) == 0)
        check(fm.fm_mapped_extents >= 1, "FIEMAP counts the stored page: %u",
              fm.fm_mapped_extents);
    else
        check(errno == EOPNOTSUPP, "FIEMAP: EOPNOTSUPP if not served");
    munmap(m, 16 * PG);
    close(fd);
    unlink(path);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
