/* SPDX-License-Identifier: MIT */
/*
 * mmap-shared: MAP_SHARED + PROT_WRITE mappings of a file. Stores are
 * seen by every mapping of the file in every process at once (a forked
 * child's own and inherited mappings, a fresh open's mapping), reach the
 * file on msync and fsync, follow ftruncate growth, and the access-mode
 * rules give EACCES as the kernel does. Leaves DIR/mmap-shared.bin with
 * "final" at offset 200, stored without msync just before exit, for the
 * caller to find in the image.
 *
 * Usage: mmap-shared [DIR]   (default /var/tmp)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

#define SZ 8192

static int has_at(int fd, off_t off, const char *s)
{
    char buf[64] = { 0 };
    size_t n = strlen(s);

    return pread(fd, buf, n, off) == (ssize_t)n && !memcmp(buf, s, n);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/var/tmp";
    char path[4096], zeros[SZ] = { 0 };
    char *m, *m2, *big;
    struct stat st;
    int fd, fd2, ro, wo, status;
    pid_t pid;

    snprintf(path, sizeof(path), "%s/mmap-shared.bin", dir);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0 && write(fd, zeros, SZ) == SZ, "create an 8 KiB file");
    m = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(m != MAP_FAILED, "mmap MAP_SHARED PROT_READ|PROT_WRITE");
    if (m == MAP_FAILED)
        return 1;
    memcpy(m, "hello", 5);
    check(msync(m, SZ, MS_SYNC) == 0, "msync");
    check(has_at(fd, 0, "hello"), "a store is in the file after msync");

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char *c = mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

        if (c == MAP_FAILED || memcmp(c, "hello", 5))
            _exit(2);
        memcpy(c + 100, "child", 5);  /* its own mapping */
        memcpy(m + 4096, "kiddo", 5); /* the inherited one */
        _exit(0);
    }
    check(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0,
          "a child maps the file, sees the parent's store and stores");
    check(!memcmp(m + 100, "child", 5) && !memcmp(m + 4096, "kiddo", 5),
          "the parent's mapping sees the child's stores");
    check(has_at(fd, 100, "child") && has_at(fd, 4096, "kiddo"),
          "the child's stores are in the file after it exited");

    fd2 = open(path, O_RDWR);
    m2 = fd2 >= 0 ? mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd2, 0)
                  : MAP_FAILED;
    check(m2 != MAP_FAILED && !memcmp(m2 + 100, "child", 5),
          "a second open's mapping sees the same content");
    if (m2 != MAP_FAILED) {
        memcpy(m2 + 50, "second", 6);
        check(!memcmp(m + 50, "second", 6), "and its stores show in the first");
        munmap(m2, SZ);
    }
    memcpy(m + 300, "synced", 6);
    check(fsync(fd2) == 0 && has_at(fd, 300, "synced"),
          "fsync of any descriptor of the file writes the stores");
    close(fd2);

    check(ftruncate(fd, 2 * SZ) == 0, "ftruncate grows the mapped file");
    big = mmap(NULL, 2 * SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    check(big != MAP_FAILED, "map the grown file");
    if (big != MAP_FAILED) {
        memcpy(big + SZ + 10, "grown", 5);
        check(!memcmp(big, "hello", 5), "the grown mapping keeps the content");
        check(msync(big, 2 * SZ, MS_SYNC) == 0 && has_at(fd, SZ + 10, "grown"),
              "a store past the old end reaches the file");
        munmap(big, 2 * SZ);
    }
    check(fstat(fd, &st) == 0 && st.st_size == 2 * SZ, "size 16 KiB");

    ro = open(path, O_RDONLY);
    errno = 0;
    check(ro >= 0 &&
              mmap(NULL, SZ, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) ==
                  MAP_FAILED &&
              errno == EACCES,
          "shared writable map of an O_RDONLY fd: EACCES");
    m2 = mmap(NULL, SZ, PROT_READ, MAP_SHARED, ro, 0);
    check(m2 != MAP_FAILED && !memcmp(m2 + 50, "second", 6),
          "a read-only shared map of an O_RDONLY fd sees the stores");
    if (m2 != MAP_FAILED)
        munmap(m2, SZ);
    close(ro);
    wo = open(path, O_WRONLY);
    errno = 0;
    check(wo >= 0 &&
              mmap(NULL, SZ, PROT_READ, MAP_SHARED, wo, 0) == MAP_FAILED &&
              errno == EACCES,
          "any map of an O_WRONLY fd: EACCES");
    close(wo);

    memcpy(m + 200, "final", 5); /* no msync: written back at exit */
    close(fd);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
