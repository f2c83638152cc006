/* SPDX-License-Identifier: MIT */
/*
 * mmap with PROT_EXEC of a file on a noexec mount is EPERM (Linux's
 * do_mmap); a read-only mapping works, and PROT_EXEC of a file on an exec
 * mount too. kbox maps a memfd copy, on no such mount: the exec mapping
 * succeeded.
 * Usage: noexec-mmap FILE-ON-NOEXEC FILE-ON-EXEC
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest-check.h"

static int map(const char *path, int prot)
{
    int fd = open(path, O_RDONLY), e;
    void *p;

    if (fd < 0)
        return -errno;
    p = mmap(NULL, 4096, prot, MAP_PRIVATE, fd, 0);
    e = p == MAP_FAILED ? errno : 0;
    if (p != MAP_FAILED)
        munmap(p, 4096);
    close(fd);
    return -e;
}

int main(int argc, char **argv)
{
    int rc;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 3) {
        fprintf(stderr, "usage: noexec-mmap NOEXEC-FILE EXEC-FILE\n");
        return 2;
    }
    rc = map(argv[1], PROT_READ | PROT_EXEC);
    check(rc == -EPERM, "PROT_EXEC on a noexec mount: EPERM (%d)", rc);
    rc = map(argv[1], PROT_READ);
    check(rc == 0, "PROT_READ there works (%d)", rc);
    rc = map(argv[2], PROT_READ | PROT_EXEC);
    check(rc == 0, "PROT_EXEC on an exec mount works (%d)", rc);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
