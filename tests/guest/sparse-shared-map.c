/* SPDX-License-Identifier: MIT */
/*
 * A file mapped MAP_SHARED, stored to through the mapping, then written
 * one byte far past its end (a sparse file): "write" does that and exits,
 * "check" reads the file back. kbox's write-back of the stores walked the
 * whole sparse range through its memfd, which allocated it (2 GiB of host
 * memory here; trinity's pwrite at 500 GiB got kbox OOM-killed).
 * "fresh" maps a 2 GiB sparse file with data at 1 GiB: kbox's first
 * shared mapping copied it whole, zeros included (2 GiB of host memory,
 * 10 s); the data is there, and a hole punched later reads as zeros in
 * the mapping. Passes natively too.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

#define FAR (2LL << 30)

int main(int argc, char **argv)
{
    const char *path = "/var/tmp/sparse-shared";
    char c[2] = { 0, 0 };
    struct stat st;
    int fd;

    if (argc > 1 && !strcmp(argv[1], "fresh")) {
        const char *fp = "/var/tmp/sparse-fresh";
        char *p, *q;

        fd = open(fp, O_RDWR | O_CREAT | O_TRUNC, 0600);
        check(fd >= 0 && ftruncate(fd, FAR) == 0, "a 2 GiB sparse file");
        check(pwrite(fd, "abc", 3, FAR / 2) == 3, "data at 1 GiB");
        p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        q = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, FAR / 2);
        check(p != MAP_FAILED && q != MAP_FAILED, "mapped shared");
        if (p == MAP_FAILED || q == MAP_FAILED)
            return 1;
        check(p[0] == 0 && !memcmp(q, "abc", 3), "zeros, and the data");
        check(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, FAR / 2,
                        4096) == 0,
              "a hole punched over the data");
        check(q[0] == 0 && q[2] == 0, "the mapping reads zeros there");
        check(unlink(fp) == 0, "unlink");
        return n_fail ? 1 : 0;
    }
    if (argc > 1 && !strcmp(argv[1], "write")) {
        char *p;

        fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
        check(fd >= 0 && ftruncate(fd, 4096) == 0, "create");
        p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        check(p != MAP_FAILED, "mmap MAP_SHARED");
        if (p == MAP_FAILED)
            return 1;
        p[0] = 'a';
        check(pwrite(fd, "x", 1, FAR) == 1, "pwrite 2 GiB past the start");
        p[1] = 'b';
        check(fsync(fd) == 0, "fsync");
        p[2] = 'c'; /* written back when the process ends */
        return n_fail ? 1 : 0;
    }
    fd = open(path, O_RDONLY);
    check(fd >= 0 && fstat(fd, &st) == 0, "open");
    check(st.st_size == FAR + 1, "size is 2 GiB + 1 (%lld)",
          (long long)st.st_size);
    check(pread(fd, c, 1, FAR) == 1 && c[0] == 'x', "the far byte");
    check(pread(fd, c, 2, 0) == 2 && c[0] == 'a' && c[1] == 'b',
          "stores before fsync");
    check(pread(fd, c, 1, 2) == 1 && c[0] == 'c', "store before exit");
    check(pread(fd, c, 1, 1 << 20) == 1 && c[0] == 0, "a hole reads zero");
    check(unlink(path) == 0, "unlink");
    return n_fail ? 1 : 0;
}
