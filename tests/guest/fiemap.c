/* SPDX-License-Identifier: MIT */
/*
 * Where a file's blocks are (filefrag, e2fsprogs): FS_IOC_FIEMAP counts
 * and lists the extents of a file on the image, FIBMAP maps a block
 * (root). They were ENOTTY. Usage: fiemap FILE (on the image)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "guest-check.h"

int main(int argc, char **argv)
{
    static char data[64 << 10];
    struct fiemap *fm = calloc(1, sizeof(*fm) + 16 * sizeof(fm->fm_extents[0]));
    unsigned long long covered = 0;
    int fd, blk = 0;

    if (argc != 2 || !fm) {
        fprintf(stderr, "usage: fiemap FILE\n");
        return 2;
    }
    memset(data, 'x', sizeof(data));
    fd = open(argv[1], O_CREAT | O_TRUNC | O_RDWR, 0644);
    check(fd >= 0 && write(fd, data, sizeof(data)) == sizeof(data) &&
              fsync(fd) == 0,
          "64 KiB written and synced");
    fm->fm_length = ~0ull;
    fm->fm_flags = FIEMAP_FLAG_SYNC;
    check(ioctl(fd, FS_IOC_FIEMAP, fm) == 0 && fm->fm_mapped_extents >= 1,
          "FIEMAP counts %u extent(s)", fm->fm_mapped_extents);
    fm->fm_extent_count = 16;
    check(ioctl(fd, FS_IOC_FIEMAP, fm) == 0 && fm->fm_mapped_extents >= 1 &&
              fm->fm_extent_count == 16,
          "FIEMAP lists them");
    for (unsigned i = 0; i < fm->fm_mapped_extents && i < 16; i++)
        covered += fm->fm_extents[i].fe_length;
    check(fm->fm_mapped_extents >= 1 && fm->fm_extents[0].fe_logical == 0 &&
              fm->fm_extents[0].fe_physical > 0 && covered >= sizeof(data) &&
              (fm->fm_extents[fm->fm_mapped_extents - 1].fe_flags &
               FIEMAP_EXTENT_LAST),
          "from 0, %llu bytes, the last one marked last", covered);
    check(ioctl(fd, FIBMAP, &blk) == 0 && blk > 0, "FIBMAP: block 0 is %d",
          blk);
    fm->fm_extent_count = 0;
    fm->fm_flags = 0x80000000u;
    errno = 0;
    check(ioctl(fd, FS_IOC_FIEMAP, fm) == -1 && errno == EBADR &&
              fm->fm_flags == 0x80000000u,
          "an unknown flag: EBADR, and it is named");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
