/* SPDX-License-Identifier: MIT */
/*
 * msync(MS_SYNC) of a page in a shared mapping that starts past the
 * file's start puts that page's store in the image; refused calls are
 * refused as Linux does. Prints "synced" and waits: the test kills kbox
 * and reads the image. Usage: msync-range FILE
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest-check.h"

#define FILE_SIZE (1 << 20)
#define MAP_OFF   (64 << 10)

int main(int argc, char **argv)
{
    static char zero[FILE_SIZE];
    char *m;
    int fd;

    if (argc != 2) {
        fprintf(stderr, "usage: msync-range FILE\n");
        return 2;
    }
    fd = open(argv[1], O_CREAT | O_TRUNC | O_RDWR, 0644);
    check(fd >= 0 && write(fd, zero, sizeof(zero)) == sizeof(zero) &&
              fsync(fd) == 0,
          "a 1 MiB file");
    m = mmap(NULL, (512 << 10) + 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
             MAP_OFF);
    check(m != MAP_FAILED && munmap(m + (512 << 10), 4096) == 0,
          "mapped shared from 64 KiB, with a hole after it");
    if (m == MAP_FAILED)
        return 1;
    memcpy(m + 8192, "PAGE-A", 6);
    errno = 0;
    check(msync(m + 8192, 4096, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL,
          "MS_SYNC|MS_ASYNC: EINVAL");
    errno = 0;
    check(msync(m + 8193, 10, MS_SYNC) == -1 && errno == EINVAL,
          "an unaligned address: EINVAL");
    errno = 0;
    check(msync(m + (512 << 10), 4096, MS_SYNC) == -1 && errno == ENOMEM,
          "past the mapping: ENOMEM");
    check(msync(m + 8192, 10, MS_SYNC) == 0, "msync of that page");
    printf("synced\n");
    fflush(stdout);
    pause();
    return 0;
}
