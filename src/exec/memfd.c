/* SPDX-License-Identifier: MIT */
/*
 * The memfds exec runs programs from (split from exec.c): a sealed,
 * executable copy of a file's bytes from lx, through the content cache,
 * or a window of a big file; and comm named for the program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/cache.h"
#include "kbox/exec.h"

#define MAX_EXEC_SIZE (1L << 30)
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

static long lx_t(struct lx_task *t, long nr, long a0, long a1, long a2, long a3,
                 long a4)
{
    long args[6] = { a0, a1, a2, a3, a4, 0 };

    return lx_task_syscall(t, nr, args);
}

/* An executable, sealable memfd (MFD_EXEC where the kernel knows it). */
static int new_memfd(const char *name)
{
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

    if (fd < 0 && errno == EINVAL)
        fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    return fd < 0 ? -errno : fd;
}

static void seal_memfd(int fd)
{
    fcntl(fd, F_ADD_SEALS,
          F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
}

int kbox_exec_memfd(const char *name, const void *buf, size_t len)
{
    int fd = new_memfd(name);
    size_t off = 0;

    if (fd < 0)
        return fd;
    while (off < len) {
        ssize_t n = write(fd, (const char *)buf + off, len - off);
        if (n <= 0) {
            close(fd);
            return -ENOMEM;
        }
        off += (size_t)n;
    }
    seal_memfd(fd);
    return fd;
}

int kbox_exec_memfd_copy(const char *name, int src, size_t len, size_t *got)
{
    off_t off = 0;
    int fd = new_memfd(name);

    *got = 0;
    if (fd < 0)
        return fd;
    /* in the kernel, page cache to the memfd's pages: one copy, no
     * bounce buffer to fault in */
    while ((size_t)off < len) {
        ssize_t n = sendfile(fd, src, &off, len - (size_t)off);
        if (n < 0 && off == 0) { /* no sendfile here: by pread and write */
            char buf[65536];

            while (
                (size_t)off < len &&
                (n = pread(src, buf,
                           len - (size_t)off < sizeof(buf) ? len - (size_t)off
                                                           : sizeof(buf),
                           off)) > 0) {
                if (write(fd, buf, (size_t)n) != n) {
                    close(fd);
                    return -ENOMEM;
                }
                off += n;
            }
        }
        if (n <= 0)
            break; /* shrank under us: the copy is what we read */
    }
    seal_memfd(fd);
    *got = (size_t)off;
    return fd;
}

void kbox_exec_set_comm(struct lx_task *t, const char *path)
{
    const char *b = strrchr(path, '/');
    char comm[16];

    snprintf(comm, sizeof(comm), "%s", b ? b + 1 : path);
    lx_t(t, LX__NR_prctl, PR_SET_NAME, (long)comm, 0, 0, 0);
}

struct lx_file_ref {
    struct lx_task *t;
    int lxfd;
};

/* Verification reads of the persistent content cache. */
static long lx_file_pread(void *ctx, void *buf, size_t len, int64_t off)
{
    struct lx_file_ref *f = ctx;

    return lx_t(f->t, LX__NR_pread64, f->lxfd, (long)buf, (long)len, (long)off,
                0);
}

int kbox_exec_cached_content(struct lx_task *t, int lxfd,
                             const struct kbox_cache_key *k)
{
    struct lx_file_ref f = { t, lxfd };

    return kbox_cache_get(k, lx_file_pread, &f);
}

uint64_t kbox_file_version(struct lx_task *t, int lxfd)
{
    long v = lx_task_file_version(t, lxfd);

    return v > 0 ? (uint64_t)v : 0;
}

/*
 * Where the data at or after @at starts in lx fd @seekfd (its own open
 * file description: the probe moves its offset), and in *@hole where it
 * ends; @end when there is none before @end. Without a probe fd, or where
 * the file system cannot say, all of it is data.
 */
static uint64_t next_data(struct lx_task *t, long seekfd, uint64_t at,
                          uint64_t end, uint64_t *hole)
{
    long d, h;

    *hole = end;
    if (seekfd < 0)
        return at;
    d = lx_t(t, LX__NR_lseek, seekfd, (long)at, SEEK_DATA, 0, 0);
    if (d == -ENXIO || (d >= 0 && (uint64_t)d >= end))
        return end; /* only a hole from here on */
    if (d < 0)
        return at;
    h = lx_t(t, LX__NR_lseek, seekfd, d, SEEK_HOLE, 0, 0);
    if (h > d && (uint64_t)h < end)
        *hole = (uint64_t)h;
    return (uint64_t)d;
}

int kbox_exec_content_memfd(struct lx_task *t, int lxfd, struct lx_task *st,
                            long seekfd, const struct kbox_gstat *g,
                            uint64_t version)
{
    struct kbox_cache_key k;
    size_t size = (size_t)g->st_size, off = 0;
    char *map = NULL;
    int fd;

    kbox_cache_key_from(&k, g, 0);
    k.version = version;
    fd = kbox_exec_cached_content(t, lxfd, &k);
    if (fd >= 0)
        return fd;
    if (g->st_size > MAX_EXEC_SIZE)
        return -EFBIG;
    fd = new_memfd("kbox-file");
    if (fd < 0)
        return fd;
    /* lx reads straight into the memfd's pages: one copy, no bounce. A
     * sparse file's holes are neither read nor given pages. */
    if (size) {
        if (ftruncate(fd, (off_t)size) ||
            (map = mmap(NULL, size, PROT_READ | PROT_WRITE,
                        MAP_SHARED | (seekfd < 0 ? MAP_POPULATE : 0), fd, 0)) ==
                MAP_FAILED) {
            close(fd);
            return -ENOMEM;
        }
    }
    while (off < size) {
        uint64_t hole;
        long n;

        off = (size_t)next_data(st, seekfd, off, size, &hole);
        if (off >= size)
            break;
        n = lx_t(t, LX__NR_pread64, lxfd, (long)(map + off), (long)(hole - off),
                 (long)off, 0);
        if (n < 0) {
            munmap(map, size);
            close(fd);
            return (int)n;
        }
        if (n == 0)
            break; /* shrank under us: the copy is what we read */
        off += (size_t)n;
    }
    if (size)
        munmap(map, size);
    if (off < size && ftruncate(fd, (off_t)off)) {
        close(fd);
        return -ENOMEM;
    }
    seal_memfd(fd);
    if (off < size)
        return fd; /* not the content the key names: not cached */
    return kbox_cache_add(&k, fd);
}

int kbox_exec_window_memfd(struct lx_task *t, int lxfd, struct lx_task *st,
                           long seekfd, const struct kbox_gstat *g,
                           uint64_t off, uint64_t len)
{
    static const char zero[4096];
    uint64_t size = g->st_size > 0 ? (uint64_t)g->st_size : 0, end, hole;
    size_t chunk = 1 << 20;
    char *buf;
    int fd;

    off &= ~(uint64_t)4095;
    end = len > size - (off < size ? off : size) ? size : off + len;
    fd = new_memfd("kbox-window");
    if (fd < 0)
        return fd;
    buf = malloc(chunk);
    /* The file's whole size (a sparse memfd): pages past the window read
     * as zeros, pages past the end give SIGBUS, as for the file. */
    if (!buf || ftruncate(fd, (off_t)size)) {
        free(buf);
        close(fd);
        return -ENOMEM;
    }
    /* The file's holes are not read at all: lx zero-filled each page of
     * them only for the copy to find zeros (a mapping of a 4 GiB sparse
     * file took 12-30 s, natively nothing). */
    for (uint64_t at = next_data(st, seekfd, off, end, &hole) & ~4095ULL;
         at < end;) {
        uint64_t stop = hole < end ? (hole + 4095) & ~4095ULL : end;
        long n;

        if (stop > end)
            stop = end;
        if (at >= stop) {
            at = next_data(st, seekfd, at, end, &hole) & ~4095ULL;
            continue;
        }
        n = lx_t(t, LX__NR_pread64, lxfd, (long)buf,
                 (long)(stop - at < chunk ? stop - at : chunk), (long)at, 0);
        if (n <= 0)
            break; /* shrank under us: the rest reads as zeros */
        /* Pages of zeros (holes of a sparse file) stay unallocated. */
        for (long p = 0; p < n; p += 4096) {
            size_t c = (size_t)(n - p) < 4096 ? (size_t)(n - p) : 4096;

            if (memcmp(buf + p, zero, c) &&
                pwrite(fd, buf + p, c, (off_t)(at + (uint64_t)p)) != (ssize_t)c)
                n = -1;
        }
        if (n < 0) {
            free(buf);
            close(fd);
            return -ENOMEM;
        }
        at += (uint64_t)n;
    }
    free(buf);
    seal_memfd(fd);
    return fd;
}
