/* SPDX-License-Identifier: MIT */
/*
 * The files exec reads (split from exec.c): a program or interpreter
 * opened in lx and copied through the content cache, or a host file (a
 * bind, a memfd the guest holds) copied into a sealed memfd - or, where
 * exec may not need the copy, only its first bytes read.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "internal.h"
#include "journal.h"
#include "kbox/cache.h"
#include "kbox/dispatch.h"
#include "kbox/exec.h"

#define MAX_EXEC_SIZE (1L << 30)
/*
 * What exec reads of a host file before it knows whether it needs the
 * whole of it: the ELF and program headers, PT_INTERP, a #! line; and
 * what its cache key checks (kbox_cache_key_host).
 */
#define HEAD_MAX      KBOX_CACHE_HEAD

static long lx_t(struct lx_task *t, long nr, long a0, long a1, long a2, long a3,
                 long a4)
{
    long args[6] = { a0, a1, a2, a3, a4, 0 };

    return lx_task_syscall(t, nr, args);
}

void kbox_prog_close(struct image *img)
{
    if (img->head)
        free((void *)img->buf);
    else if (img->buf && img->len)
        munmap((void *)img->buf, img->len);
    if (img->hostfd >= 0)
        close(img->hostfd);
    img->hostfd = -1;
    img->head = false;
    if (img->fd >= 0)
        close(img->fd);
    if (img->lxfd >= 0)
        lx_t(img->t, LX__NR_close, img->lxfd, 0, 0, 0, 0);
    img->buf = NULL;
    img->fd = -1;
    img->lxfd = -1;
}

/*
 * The file exec runs, opened for reading in task @t as Linux's open for
 * exec does: the exec permission (checked by the caller) is enough, read
 * permission is not asked (a mode 0111 program ran natively and was
 * EACCES here for a non-root guest). @path "" is the file of fd @dirfd,
 * opened anew (an O_PATH fd does not read: fexecve of one was EBADF).
 */
static long lx_open_exec(struct lx_task *t, int dirfd, const char *path,
                         int extra_flags)
{
    struct lx_task *root = lx_task_root();
    char self[64];
    long fd, op, rfd, rr;

    snprintf(self, sizeof(self), "/proc/self/fd/%d", dirfd);
    if (path[0])
        fd = lx_t(t, LX__NR_openat, dirfd, (long)path,
                  O_RDONLY | O_CLOEXEC | extra_flags, 0, 0);
    else
        fd = lx_t(t, LX__NR_openat, AT_FDCWD, (long)self, O_RDONLY | O_CLOEXEC,
                  0, 0);
    if (fd != -EACCES && !(fd < 0 && !path[0]))
        return fd;
    if (fd != -EACCES) /* no lx /proc: the fd itself */
        return lx_t(t, LX__NR_dup, dirfd, 0, 0, 0, 0);
    /* no read permission: lx's root reads it for exec */
    op = path[0] ? lx_t(t, LX__NR_openat, dirfd, (long)path,
                        O_PATH | O_CLOEXEC | extra_flags, 0, 0)
                 : lx_t(t, LX__NR_dup, dirfd, 0, 0, 0, 0);
    /* the check on the file opened (the caller's was on the path) */
    if (op >= 0 && lx_t(t, LX__NR_faccessat2, op, (long)"", X_OK,
                        AT_EACCESS | AT_EMPTY_PATH, 0) < 0) {
        lx_t(t, LX__NR_close, op, 0, 0, 0, 0);
        return -EACCES;
    }
    if (op < 0)
        return -EACCES;
    rfd = lx_task_getfd(root, t, (int)op, LX_O_CLOEXEC);
    lx_t(t, LX__NR_close, op, 0, 0, 0, 0);
    if (rfd < 0)
        return -EACCES;
    snprintf(self, sizeof(self), "/proc/self/fd/%ld", rfd);
    rr = lx_t(root, LX__NR_openat, AT_FDCWD, (long)self, O_RDONLY | O_CLOEXEC,
              0, 0);
    lx_t(root, LX__NR_close, rfd, 0, 0, 0, 0);
    if (rr < 0)
        return -EACCES;
    fd = lx_task_getfd(t, root, (int)rr, LX_O_CLOEXEC);
    lx_t(root, LX__NR_close, rr, 0, 0, 0, 0);
    return fd < 0 ? -EACCES : fd;
}

/* Map the img->len bytes of copy img->fd for reading at img->buf. */
static long map_copy(struct image *img)
{
    void *m;

    if (!img->len)
        return 0;
    m = mmap(NULL, img->len, PROT_READ, MAP_PRIVATE, img->fd, 0);
    if (m == MAP_FAILED) {
        img->len = 0;
        kbox_prog_close(img);
        return -ENOMEM;
    }
    img->buf = m;
    return 0;
}

/* Open @path in lx as task @t (exec permission checked by the kernel). */
long kbox_prog_open(struct lx_task *t, int dirfd, const char *path,
                    int extra_flags, struct image *img)
{
    long fd, rc;

    memset(img, 0, sizeof(*img));
    img->fd = -1;
    img->lxfd = -1;
    img->hostfd = -1;
    rc = lx_t(t, LX__NR_faccessat2, dirfd, (long)path, X_OK,
              AT_EACCESS | (path[0] ? 0 : AT_EMPTY_PATH), 0);
    if (rc < 0)
        return rc;
    fd = lx_open_exec(t, dirfd, path, extra_flags);
    if (fd < 0)
        return fd;
    if (lx_task_fd_path(t, (int)fd, img->where, sizeof(img->where)) < 0)
        img->where[0] = '\0';
    rc = lx_t(t, LX__NR_fstat, fd, (long)&img->st, 0, 0, 0);
    /* an O_PATH|O_NOFOLLOW fd of a symlink (execveat AT_EMPTY_PATH) is
     * the link itself, which Linux's open for exec refuses first
     * (may_open: ELOOP, whatever the link points to) */
    if (rc >= 0 && S_ISLNK(img->st.st_mode))
        rc = -ELOOP;
    else if (rc >= 0 && !S_ISREG(img->st.st_mode))
        rc = -EACCES;
    if (rc >= 0) {
        /* Linux refuses to run a file open for writing (ETXTBSY), and
         * none can start while it reads it: a program being rewritten
         * never runs half written. Here a change while kbox copied it
         * gets the same answer. */
        long v = lx_task_exec_version(t, (int)fd);

        /* kbox's own writable fd of a file once mapped shared is no
         * writer natively: without one left, write back and let go */
        if (v == -ETXTBSY && kbox_shmap_let_go(img->st.st_dev, img->st.st_ino))
            v = lx_task_exec_version(t, (int)fd);
        rc = v < 0 && v != -EBADF ? v : 0;
        img->version = v > 0 ? (uint64_t)v : 0;
    }
    if (rc >= 0) {
        rc = kbox_exec_content_memfd(t, (int)fd, NULL, -1, &img->st,
                                     img->version);
        if (rc >= 0)
            img->fd = (int)rc;
        if (rc >= 0 && img->version &&
            kbox_file_version(t, (int)fd) != img->version)
            rc = -ETXTBSY;
    }
    /* File capabilities grant privileges as the set-ID bits do (ping,
     * a capability-marked tool): lx's exec rules read them off the file. */
    if (rc >= 0 && ((img->st.st_mode & (S_ISUID | S_ISGID)) ||
                    lx_t(t, LX__NR_fgetxattr, fd, (long)"security.capability",
                         0, 0, 0) > 0)) {
        img->lxfd = (int)fd; /* exec's credentials come from the file */
        img->t = t;
    } else {
        lx_t(t, LX__NR_close, fd, 0, 0, 0, 0);
    }
    if (rc < 0) {
        if (img->fd >= 0)
            close(img->fd);
        img->fd = -1;
        return rc;
    }
    /* What the copy holds: a file shortened while it was read (another
     * process rewriting it with O_TRUNC) gave a shorter copy, and the
     * stat's length mapped past its end (kbox died of SIGBUS). */
    {
        struct stat cst;

        img->len = fstat(img->fd, &cst) ? 0 : (size_t)cst.st_size;
        if (img->len < (size_t)img->st.st_size)
            img->st.st_size = (int64_t)img->len;
    }
    return map_copy(img);
}

/* The first @size bytes of host file @hfd into a sealed memfd named
 * @name (else "kbox-file"), mapped at img->buf: a file that shrank
 * meanwhile gives a shorter copy, and its size says so. */
static long copy_host(int hfd, struct image *img, size_t size, const char *name)
{
    size_t off;
    int fd = kbox_exec_memfd_copy(name ? name : "kbox-file", hfd, size, &off);

    if (fd < 0)
        return fd;
    img->fd = fd;
    img->st.st_size = (int64_t)off;
    img->len = off;
    return map_copy(img);
}

/*
 * Like kbox_prog_open, for a host file (a bind). With @lazy only its
 * head is read (kbox_prog_full copies the rest when exec needs it): a
 * dynamic program whose patched copy is cached by the file's identity
 * runs from that copy, and the full copy of a 1 MiB busybox at each exec
 * was a third of kbox's time in a bind's shell scripts.
 */
long kbox_prog_open_host(int hfd, struct image *img, const char *name,
                         bool lazy)
{
    struct stat st;

    memset(img, 0, sizeof(*img));
    img->fd = -1;
    img->lxfd = -1;
    img->hostfd = -1;
    img->host = true;
    if (fstat(hfd, &st))
        return -errno;
    if (!S_ISREG(st.st_mode))
        return -EACCES;
    if (faccessat(hfd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS))
        return -errno;
    if (kbox_host_file_busy(hfd))
        return -ETXTBSY;
    if (st.st_size > MAX_EXEC_SIZE)
        return -E2BIG;
    img->st.st_dev = st.st_dev;
    img->st.st_ino = st.st_ino;
    img->st.st_size = st.st_size;
    img->st.st_mtime_sec = st.st_mtim.tv_sec;
    img->st.st_mtime_nsec = (uint64_t)st.st_mtim.tv_nsec;
    img->st.st_ctime_sec = st.st_ctim.tv_sec;
    img->st.st_ctime_nsec = (uint64_t)st.st_ctim.tv_nsec;
    img->st.st_mode = st.st_mode;
    img->st.st_uid = st.st_uid;
    img->st.st_gid = st.st_gid;
    if (lazy && st.st_size > HEAD_MAX) {
        char *h = malloc(HEAD_MAX);
        size_t off = 0;

        while (h && off < HEAD_MAX) {
            ssize_t n = pread(hfd, h + off, HEAD_MAX - off, (off_t)off);
            if (n <= 0)
                break;
            off += (size_t)n;
        }
        /* a short read: it shrank; the copy below says how far */
        if (h && off == HEAD_MAX)
            img->hostfd = fcntl(hfd, F_DUPFD_CLOEXEC, 0);
        if (img->hostfd >= 0) {
            img->buf = h;
            img->len = off;
            img->head = true;
            return 0;
        }
        free(h);
    }
    return copy_host(hfd, img, (size_t)st.st_size, name);
}

long kbox_prog_full(struct image *img)
{
    int hfd = img->hostfd;
    long rc;

    if (!img->head)
        return 0;
    free((void *)img->buf);
    img->buf = NULL;
    img->len = 0;
    img->head = false;
    img->hostfd = -1;
    rc = copy_host(hfd, img, (size_t)img->st.st_size, NULL);
    close(hfd);
    return rc;
}
