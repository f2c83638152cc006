/* SPDX-License-Identifier: MIT */
/*
 * A read or write whose buffer runs into an unmapped page moves the bytes
 * before that page and returns their count; EFAULT only when none moved.
 * A read moves the file offset by what it copied, so nothing is consumed
 * that the caller did not get. kbox copied per 1 MiB chunk, all or nothing:
 * EFAULT for all of these, and the read's offset had moved past the bytes.
 * A length no address space holds is EFAULT before any count is capped
 * (an iovec of SSIZE_MAX wrote 2 GiB under kbox).
 * Usage: partial-copy DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "guest-check.h"

int main(int argc, char **argv)
{
    static char g[16384];
    char path[4096], c = 0, *m;
    struct iovec iov[2];
    long rc;
    int fd;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 2) {
        fprintf(stderr, "usage: partial-copy DIR\n");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/partial-copy.dat", argv[1]);
    m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED || munmap(m + 4096, 4096)) {
        check(0, "a buffer with a hole");
        return 1;
    }
    memset(m, 'a', 4096);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0, "create %s", path);
    rc = write(fd, m, 8192);
    check(rc == 4096 && lseek(fd, 0, SEEK_END) == 4096,
          "write of 8192 bytes, the second page unmapped: 4096 (%ld)", rc);
    rc = write(fd, m + 4000, 8192);
    check(rc == 96 && lseek(fd, 0, SEEK_END) == 4192,
          "the same from 96 bytes before the hole: 96 (%ld)", rc);
    errno = 0;
    rc = write(fd, m + 4096, 10);
    check(rc == -1 && errno == EFAULT, "a write from the hole: EFAULT");

    memset(g, 'g', sizeof(g));
    check(pwrite(fd, g, sizeof(g), 0) == (long)sizeof(g), "16 KiB of g");
    lseek(fd, 0, SEEK_SET);
    rc = read(fd, m, 8192);
    check(rc == 4096, "read of 8192 bytes into it: 4096 (%ld)", rc);
    check(lseek(fd, 0, SEEK_CUR) == 4096,
          "the offset moved by what was copied only (%ld)",
          (long)lseek(fd, 0, SEEK_CUR));
    errno = 0;
    rc = read(fd, m + 4096, 10);
    check(rc == -1 && errno == EFAULT && lseek(fd, 0, SEEK_CUR) == 4096,
          "a read into the hole: EFAULT, the offset stays");

    iov[0].iov_base = m;
    iov[0].iov_len = 100;
    iov[1].iov_base = m + 4096;
    iov[1].iov_len = 100;
    rc = pwritev(fd, iov, 2, 0);
    check(rc == 100, "pwritev whose second iovec is in the hole: 100 (%ld)",
          rc);
    rc = preadv(fd, iov, 2, 0);
    check(rc == 100, "preadv likewise: 100 (%ld)", rc);
    lseek(fd, 0, SEEK_SET);
    rc = readv(fd, iov, 2);
    check(rc == 100 && lseek(fd, 0, SEEK_CUR) == 100,
          "readv likewise, the offset moved by 100 (%ld)", rc);

    iov[0].iov_len = SSIZE_MAX;
    iov[1].iov_base = m;
    iov[1].iov_len = 10;
    errno = 0;
    rc = pwritev(fd, iov, 2, 0);
    check(rc == -1 && errno == EFAULT,
          "an iovec of SSIZE_MAX bytes: EFAULT, nothing written (%ld)", rc);
    check(pread(fd, &c, 1, 0) == 1 && c == m[0] &&
              lseek(fd, 0, SEEK_END) == (off_t)sizeof(g),
          "the file is as before");
    close(fd);
    unlink(path);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
