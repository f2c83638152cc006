/* SPDX-License-Identifier: MIT */
/*
 * A first MAP_SHARED mapping of a file leaves the fd's offset where it
 * was: kbox's copy of the file into its memfd probed holes with
 * SEEK_DATA/SEEK_HOLE on a dup of the guest's file, and a read() after
 * the mmap returned 0 (the offset was at the end). Usage:
 * mmap-shared-offset DIR...
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

static void one_dir(const char *dir)
{
    char f[512], buf[8192];
    void *m;
    int fd;

    snprintf(f, sizeof(f), "%s/mso-file", dir);
    memset(buf, 'x', sizeof(buf));
    fd = open(f, O_CREAT | O_TRUNC | O_RDWR, 0644);
    check(fd >= 0 && write(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf) &&
              close(fd) == 0,
          "%s: an 8 KiB file", dir);
    fd = open(f, O_RDONLY);
    check(lseek(fd, 100, SEEK_SET) == 100, "%s: offset 100", dir);
    m = mmap(NULL, sizeof(buf), PROT_READ, MAP_SHARED, fd, 0);
    check(m != MAP_FAILED, "%s: mapped shared", dir);
    check(lseek(fd, 0, SEEK_CUR) == 100, "%s: the offset is still 100", dir);
    check(read(fd, buf, sizeof(buf)) == (ssize_t)sizeof(buf) - 100,
          "%s: read() after the mmap reads the rest", dir);
    if (m != MAP_FAILED)
        munmap(m, sizeof(buf));
    close(fd);
    unlink(f);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        one_dir(argv[i]);
    return n_fail ? 1 : 0;
}
