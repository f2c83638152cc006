/* SPDX-License-Identifier: MIT */
/*
 * A store into a MAP_SHARED mapping past the file's end, inside its last
 * page, then the file grows (ftruncate up, a write past the end, an
 * extending write starting in that tail): the bytes between the old end
 * and the page's end read as zeros, through read() and the mapping, as
 * on Linux's ext4 (pagecache_isize_extended zeroes them); the stores
 * inside the file stay. kbox's memfd kept the stores past the end, and
 * they came back with the growth.
 * Usage: shmap-eof-grow DIR (on an ext4 file system natively)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "guest-check.h"

#define PG 4096

static char path[4096];
/* Linux's tmpfs keeps the bytes (the native run's directory may be one):
 * the zeros are only checked on other file systems. */
static int on_tmpfs;

/* A 100-byte file of 'a', mapped a page long, with 'b' stored at byte 5
 * (in the file) and 'X' at bytes 100..199 (past its end). */
static char *prepare(int *fdp)
{
    char buf[100];
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    char *m;

    memset(buf, 'a', sizeof(buf));
    if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
        return NULL;
    m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return NULL;
    m[5] = 'b';
    memset(m + 100, 'X', 100);
    *fdp = fd;
    return m;
}

static int all_zero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

/* After the growth to @size (@what): zeros from 100 on, bar @skip..@to. */
static void verify(const char *what, int fd, const char *m, size_t size,
                   size_t skip, size_t to)
{
    char buf[PG], msg[160];
    ssize_t n = pread(fd, buf, sizeof(buf), 0);
    size_t zend = size < PG ? size : PG;

    snprintf(msg, sizeof(msg), "%s: read() gives zeros past the old end%s",
             what, on_tmpfs ? " (tmpfs: size only)" : "");
    check(n == (ssize_t)size &&
              (on_tmpfs || all_zero(buf + 100, (skip ? skip : zend) - 100)),
          msg);
    snprintf(msg, sizeof(msg), "%s: the mapping shows zeros past the old end%s",
             what, on_tmpfs ? " (tmpfs: not checked)" : "");
    check(on_tmpfs || all_zero(m + 100, (skip ? skip : zend) - 100), msg);
    snprintf(msg, sizeof(msg), "%s: the store inside the file stays", what);
    check(n > 5 && buf[5] == 'b' && m[5] == 'b' && buf[4] == 'a', msg);
    if (skip) {
        snprintf(msg, sizeof(msg), "%s: the written bytes are there", what);
        check(n >= (ssize_t)to && buf[skip] == 'w' && buf[to - 1] == 'w' &&
                  m[skip] == 'w',
              msg);
    }
}

int main(int argc, char **argv)
{
    char *m;
    int fd;

    snprintf(path, sizeof(path), "%s/shmap-eof-grow.%d",
             argc > 1 ? argv[1] : ".", (int)getpid());

    m = prepare(&fd);
    check(m != NULL, "prepared a mapped file with stores past its end");
    if (!m)
        return 1;
    {
        struct statfs sf;

        on_tmpfs = fstatfs(fd, &sf) == 0 && sf.f_type == 0x01021994;
    }
    check(ftruncate(fd, 300) == 0, "ftruncate up to 300");
    verify("ftruncate up", fd, m, 300, 0, 0);
    munmap(m, PG);
    close(fd);

    m = prepare(&fd);
    check(m && pwrite(fd, "w", 1, 1000) == 1, "pwrite at 1000");
    if (m) {
        verify("write past the end", fd, m, 1001, 1000, 1001);
        munmap(m, PG);
        close(fd);
    }

    m = prepare(&fd);
    check(m && pwrite(fd, "wwwwwwwwww", 10, 150) == 10, "pwrite at 150..160");
    if (m) {
        verify("write from inside the tail", fd, m, 160, 150, 160);
        munmap(m, PG);
        close(fd);
    }
    unlink(path);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
