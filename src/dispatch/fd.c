/* SPDX-License-Identifier: MIT */
/*
 * fd family. Model: a file opened in lx is given a guest fd number that
 * the host reserves with a placeholder fd (one shared /dev/null
 * description) injected with SECCOMP_IOCTL_NOTIF_ADDFD; the per-process
 * map (src/fdtable) says which lx fd is behind it. Guest numbers not in
 * the map are host objects: their calls are CONTINUEd (no path, no
 * TOCTOU) without asking lx anything. Every call that creates, moves or
 * closes numbers (open, dup*, fcntl F_DUPFD, close, close_range) updates
 * host table, map and lx table together; fork copies all three; exec
 * closes O_CLOEXEC in all three.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/fs.h>
#include <linux/kcmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "hostfd.h"
#include "kbox/abi.h"
#include "kbox/cache.h"
#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/exec.h"
#include "kbox/fdtable.h"
#include "kbox/mntview.h"
#include "kbox/path.h"

#define CHUNK (1u << 20)

#define A(i)  ((long)r->args[i])
#define FD(i) ((int)kbox_arg_int(r->args[i]))

int kbox_lxfd(struct kbox_req *r, int fd)
{
    return kbox_fdt_lookup(r->proc->fdt, fd);
}

bool kbox_fd_is_lx(struct kbox_req *r, int fd)
{
    return kbox_lxfd(r, fd) >= 0;
}

static void lx_close(struct kbox_req *r, int lxfd)
{
    if (lxfd >= 0)
        kbox_lx(r, LX__NR_close, lxfd, 0, 0, 0, 0, 0);
}

int kbox_lxfd_hold(struct kbox_req *r, int gfd, struct kbox_fdt **t)
{
    *t = r->proc->fdt;
    return kbox_fdt_hold(*t, gfd);
}

void kbox_fd_fork_drop_held(struct kbox_fdt *parent, struct lx_task *child)
{
    int v[64], n = kbox_fdt_closed_held(parent, v, 64);

    for (int i = 0; i < n; i++) {
        long a[6] = { v[i], 0, 0, 0, 0, 0 };

        lx_task_syscall(child, LX__NR_close, a);
    }
}

void kbox_lxfd_release(struct kbox_req *r, struct kbox_fdt *t, int lxfd)
{
    if (lxfd >= 0 && kbox_fdt_release(t, lxfd)) {
        lx_close(r, lxfd); /* its number was closed meanwhile */
        kbox_mirror_gc();
    }
}

/*
 * After a close, dup2 or close_range: a file a call in flight still
 * holds (kbox_fdt_hold) stays open in lx until the call returns, but the
 * close drops the process's POSIX locks on it now, as Linux's close does
 * (filp_flush); another process's F_GETLK or F_SETLK sees them gone.
 */
static void unlock_closed_held(struct kbox_req *r)
{
    struct kbox_fdt *t = r->proc->fdt;
    int v[16], n;

    do {
        n = kbox_fdt_take_unlocks(t, v, 16);
        for (int i = 0; i < n; i++) {
            struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };

            kbox_lx(r, LX__NR_fcntl, v[i], F_SETLK, (long)&fl, 0, 0, 0);
            kbox_lxfd_release(r, t, v[i]);
        }
    } while (n == 16);
}

struct place_ctx {
    struct kbox_req *r;
    int src, target;
    bool cloexec, reply;
};

static int place_fd(void *arg)
{
    struct place_ctx *c = arg;

    return c->r->ops->addfd(c->r, c->src, c->target, c->cloexec, c->reply);
}

/* Put host fd @src (placeholder, content memfd or mirror) at a guest
 * number mapped to @lxfd. */
static long install(struct kbox_req *r, int lxfd, int src,
                    enum kbox_fdt_host host, int target, bool cloexec,
                    bool reply)
{
    struct place_ctx c = { r, src, target, cloexec, reply };
    bool mirror = target >= 0 && kbox_fdt_mirror(r->proc->fdt, target);
    int old, gfd;

    gfd = kbox_fdt_place(r->proc->fdt, place_fd, &c, lxfd, cloexec, host, &old);
    if (gfd < 0) {
        /* -ENOMEM for the map after a reply: the guest holds a plain
         * placeholder (reads as empty); nothing better is possible. */
        lx_close(r, lxfd);
        return gfd;
    }
    lx_close(r, old);
    if (old < 0 && target >= 0)
        unlock_closed_held(r);
    if (old >= 0 && mirror) /* a FIFO's end replaced by dup2 goes */
        kbox_mirror_gc();
    return gfd;
}

/*
 * A FIFO write end's host fd: an eventfd of its own, which polls writable
 * and never readable. One file per open file, as natively: an epoll item
 * goes away when the guest closes its last fd of the file, and a new
 * file at the same number can be added again (with one shared placeholder
 * the item stayed, reported EPOLLOUT for a closed fd, and a new ADD at
 * that number failed with EEXIST). *own says the caller closes it.
 */
static int wend_placeholder(bool *own)
{
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

    *own = fd >= 0;
    return fd >= 0 ? fd : kbox_sup.placeholder_w_fd;
}

/*
 * The placeholder for lx fd @lxfd without a mirror: a FIFO's write end
 * (read ends and O_RDWR ones have mirrors) gets a write end's, as at its
 * open - a dup or a received copy of it polled readable with the shared
 * placeholder. *own as above.
 */
static int placeholder_of(struct kbox_req *r, int lxfd, bool *own)
{
    struct kbox_gstat g;

    *own = false;
    if (kbox_lx(r, LX__NR_fstat, lxfd, (long)&g, 0, 0, 0, 0) == 0 &&
        S_ISFIFO(g.st_mode))
        return wend_placeholder(own);
    return kbox_sup.placeholder_fd;
}

long kbox_fd_install(struct kbox_req *r, int lxfd, int target, bool cloexec)
{
    /* A file with a readiness mirror (received with SCM_RIGHTS) brings
     * the mirror's pipe, as dup does. */
    int rfd = kbox_mirror_guest_fd(r, lxfd), src;
    bool own;
    long gfd;

    if (rfd >= 0)
        return install(r, lxfd, rfd, KBOX_FDT_MIRROR, target, cloexec, false);
    src = placeholder_of(r, lxfd, &own);
    gfd = install(r, lxfd, src, KBOX_FDT_PLACEHOLDER, target, cloexec, false);
    if (own)
        close(src);
    return gfd;
}

static struct kbox_resp replied(struct kbox_req *r, long v)
{
    struct kbox_resp resp = kbox_ret(v);

    if (r->replied)
        resp.kind = KBOX_RESP_SENT;
    return resp;
}

struct kbox_resp kbox_fd_install_reply(struct kbox_req *r, int lxfd, int target,
                                       bool cloexec)
{
    return replied(r, install(r, lxfd, kbox_sup.placeholder_fd,
                              KBOX_FDT_PLACEHOLDER, target, cloexec, true));
}

struct kbox_resp kbox_fd_install_host_reply(struct kbox_req *r, int lxfd,
                                            int src, enum kbox_fdt_host host,
                                            int target, bool cloexec)
{
    return replied(r, install(r, lxfd, src, host, target, cloexec, true));
}

/*
 * A new guest number for lx fd @lxfd, a dup of the file at guest fd
 * @from: a mirrored file brings its mirror along (the host fd at the new
 * number must be the same pipe, or poll would see the placeholder).
 */
static struct kbox_resp dup_reply(struct kbox_req *r, int from, int lxfd,
                                  int target, bool cloexec)
{
    if (kbox_fdt_mirror(r->proc->fdt, from)) {
        int rfd = kbox_mirror_guest_fd(r, lxfd);

        if (rfd >= 0)
            return kbox_fd_install_host_reply(r, lxfd, rfd, KBOX_FDT_MIRROR,
                                              target, cloexec);
    }
    {
        bool own;
        int src = placeholder_of(r, lxfd, &own);
        long gfd =
            install(r, lxfd, src, KBOX_FDT_PLACEHOLDER, target, cloexec, true);

        if (own)
            close(src);
        return replied(r, gfd);
    }
}

struct kbox_resp kbox_fd_open_reply(struct kbox_req *r, int lxfd, int oflags)
{
    bool cloexec = (oflags & O_CLOEXEC) != 0;
    int src = kbox_sup.placeholder_fd, mfd = -1, mode = oflags & O_ACCMODE;
    struct kbox_gstat g;
    struct kbox_cache_key k;
    long gfd;

    if ((oflags & (O_PATH | O_DIRECTORY)) ||
        kbox_lx(r, LX__NR_fstat, lxfd, (long)&g, 0, 0, 0, 0) != 0)
        g.st_mode = 0;
    /* A file mapped shared was emptied: so is its memfd. */
    if ((oflags & O_TRUNC) && S_ISREG(g.st_mode))
        kbox_shmap_resize(g.st_dev, g.st_ino, g.st_size);
    /* A FIFO end that a killed process's end let open waits for a peer. */
    if (S_ISFIFO(g.st_mode) && mode != O_RDWR &&
        (lxfd = kbox_exits_fifo(r, lxfd, oflags)) < 0)
        return kbox_ret(lxfd);
    /* A FIFO: the guest may poll it, and epoll refuses /dev/null. */
    if (S_ISFIFO(g.st_mode) && mode == O_WRONLY)
        return kbox_mirror_install_wend_reply(r, lxfd, cloexec);
    if (S_ISFIFO(g.st_mode))
        return kbox_mirror_install_reply(r, lxfd, cloexec, mode == O_RDWR);
    /*
     * A read-only regular file whose content is already cached (a shared
     * library the previous program mapped): hand out the content memfd
     * itself, so the loader's mmaps need no fd swap. Reads still go to lx
     * through the map; the memfd is only what the host maps. (Asking lx
     * for the change counter only when it may matter.)
     */
    if (mode == O_RDONLY && S_ISREG(g.st_mode) &&
        !kbox_shmap_has(g.st_dev, g.st_ino) &&
        kbox_cache_holds_file(g.st_dev, g.st_ino)) {
        kbox_cache_key_from(&k, &g, 0);
        k.version = kbox_file_version(r->task, lxfd);
        /* Memory only: a disk lookup on every open costs more than the
         * one fd swap at the first mmap of a library. */
        mfd = kbox_cache_lookup(&k);
        if (mfd >= 0)
            src = mfd;
    }
    gfd =
        install(r, lxfd, src, mfd >= 0 ? KBOX_FDT_SHADOW : KBOX_FDT_PLACEHOLDER,
                -1, cloexec, true);
    if (mfd >= 0)
        close(mfd);
    return replied(r, gfd);
}

struct kbox_resp kbox_fd_give_reply(struct kbox_req *r, int src, bool cloexec)
{
    return replied(r, r->ops->addfd(r, src, -1, cloexec, true));
}

/*
 * Linux copies a read's or write's bytes page by page and stops at the
 * first page it cannot reach: the call returns what it copied (EFAULT only
 * when nothing), and a read moves the file offset by that much only.
 * After a failed whole copy, this finds how many bytes from @addr can be
 * copied (into @buf from the guest, or out of @buf into it), page by page.
 */
static size_t guest_prefix(struct kbox_req *r, uint64_t addr, char *buf,
                           size_t len, bool to_guest)
{
    size_t done = 0;

    while (done < len) {
        size_t n = 4096 - (size_t)((addr + done) & 4095);

        if (n > len - done)
            n = len - done;
        if (to_guest ? r->ops->write(r, addr + done, buf + done, n)
                     : r->ops->read(r, addr + done, buf + done, n))
            break;
        done += n;
    }
    return done;
}

/*
 * access_ok() of the whole range, which Linux checks before it caps a
 * count at 2 GiB: a length no address space holds is EFAULT even where
 * the bytes actually moved would fit. 2^56 bounds every user address
 * space kbox runs on (x86-64 with five-level paging, arm64's 52 bits).
 */
static bool guest_range_ok(uint64_t addr, uint64_t len)
{
    const uint64_t top = (1ULL << 56) - 4096;

    return !len || (addr <= top && len <= top - addr);
}

/* After a read from or a write to a mirrored file: the mirror may have to
 * go unready (nothing left to read, a FIFO now full). */
static void after_io(struct kbox_req *r, int gfd, int lxfd)
{
    if (kbox_fdt_mirror(r->proc->fdt, gfd))
        kbox_mirror_sync(r, lxfd);
}

static struct kbox_resp read_lx(struct kbox_req *r, int fd)
{
    size_t cnt = (size_t)r->args[2], done = 0;
    char *buf;
    long n = 0;

    if (!guest_range_ok(r->args[1], cnt))
        return kbox_ret(-EFAULT);
    if (cnt > 0x7ffff000)
        cnt = 0x7ffff000;
    buf = malloc(cnt < CHUNK ? (cnt ? cnt : 1) : CHUNK);
    if (!buf)
        return kbox_ret(-ENOMEM);
    do {
        size_t want = cnt - done < CHUNK ? cnt - done : CHUNK;

        long long at = A(3) + (long)done;

        n = kbox_shmap_pread(r, fd, buf, want,
                             r->nr == SYS_pread64 ? &at : NULL);
        if (n != -ENOENT)
            ; /* mapped writable: the stores are the content */
        else if (r->nr == SYS_pread64)
            n = kbox_lx(r, LX__NR_pread64, fd, (long)buf, (long)want,
                        A(3) + (long)done, 0, 0);
        else
            n = kbox_lx(r, LX__NR_read, fd, (long)buf, (long)want, 0, 0, 0);
        if (n < 0) {
            free(buf);
            return kbox_ret(done ? (long)done : n);
        }
        if (n > 0 && r->ops->write(r, r->args[1] + done, buf, (size_t)n)) {
            size_t got =
                guest_prefix(r, r->args[1] + done, buf, (size_t)n, true);

            /* the bytes the guest did not get stay unread */
            if (r->nr == SYS_read)
                kbox_lx(r, LX__NR_lseek, fd, -(n - (long)got), SEEK_CUR, 0, 0,
                        0);
            free(buf);
            done += got;
            return kbox_ret(done ? (long)done : -EFAULT);
        }
        done += (size_t)n;
    } while (n == (long)CHUNK && done < cnt);
    free(buf);
    return kbox_ret((long)done);
}

static struct kbox_resp h_read(struct kbox_req *r)
{
    struct kbox_fdt *t;
    int fd = kbox_lxfd_hold(r, FD(0), &t);
    struct kbox_resp resp;
    bool mirror;

    if (fd == -ENOMEM)
        return kbox_ret(-ENOMEM);
    if (fd < 0)
        return kbox_continue(); /* host fd: stdin, pipes, sockets */
    mirror = kbox_fdt_mirror(r->proc->fdt, FD(0));
    if (mirror && r->nr == SYS_read && kbox_watch_read(r, fd, &resp)) {
        kbox_lxfd_release(r, t, fd);
        return resp; /* inotify with watches on host paths */
    }
    resp = read_lx(r, fd);
    if (mirror)
        kbox_mirror_sync(r, fd); /* as after_io(), flag already known */
    kbox_lxfd_release(r, t, fd);
    return resp;
}

static struct kbox_resp write_lx(struct kbox_req *r, int fd)
{
    size_t cnt = (size_t)r->args[2], done = 0;
    char *buf;
    long n;
    int rc;

    if (!guest_range_ok(r->args[1], cnt))
        return kbox_ret(-EFAULT);
    if (cnt > 0x7ffff000)
        cnt = 0x7ffff000;
    buf = malloc(cnt < CHUNK ? (cnt ? cnt : 1) : CHUNK);
    if (!buf)
        return kbox_ret(-ENOMEM);
    do {
        size_t want = cnt - done < CHUNK ? cnt - done : CHUNK;

        rc = r->ops->read(r, r->args[1] + done, buf, want);
        if (rc) { /* what can be read of it is written */
            want = guest_prefix(r, r->args[1] + done, buf, want, false);
            cnt = done + want;
            if (!want) {
                free(buf);
                return kbox_ret(done ? (long)done : rc);
            }
        }
        if (r->nr == SYS_pwrite64)
            n = kbox_lx_change(r, fd, A(3) + (long)done, LX__NR_pwrite64, fd,
                               (long)buf, (long)want, A(3) + (long)done, 0, 0);
        else
            n = kbox_lx_change(r, fd, -1, LX__NR_write, fd, (long)buf,
                               (long)want, 0, 0, 0);
        if (n < 0) {
            free(buf);
            return kbox_ret(done ? (long)done : n);
        }
        done += (size_t)n;
        if ((size_t)n < want)
            break;
    } while (done < cnt);
    free(buf);
    return kbox_ret((long)done);
}

static struct kbox_resp h_write(struct kbox_req *r)
{
    struct kbox_fdt *t;
    int fd = kbox_lxfd_hold(r, FD(0), &t);
    struct kbox_resp resp;

    if (fd == -ENOMEM)
        return kbox_ret(-ENOMEM);
    if (fd < 0) {
        long rc = kbox_hostfd_kill_privs(r, FD(0), false);

        /* host fd (stdout, pipes): fast path */
        return rc ? kbox_ret(rc) : kbox_continue();
    }
    resp = write_lx(r, fd);
    after_io(r, FD(0), fd);
    kbox_lxfd_release(r, t, fd);
    return resp;
}

static struct kbox_resp readv_writev_lx(struct kbox_req *r, int fd);

static struct kbox_resp h_readv_writev(struct kbox_req *r)
{
    struct kbox_fdt *t;
    int fd = kbox_lxfd_hold(r, FD(0), &t);
    bool wr =
        r->nr == SYS_writev || r->nr == SYS_pwritev || r->nr == SYS_pwritev2;
    struct kbox_resp resp;

    if (fd == -ENOMEM)
        return kbox_ret(-ENOMEM);
    if (fd < 0) {
        long rc = wr ? kbox_hostfd_kill_privs(r, FD(0), false) : 0;

        return rc ? kbox_ret(rc) : kbox_continue();
    }
    resp = readv_writev_lx(r, fd);
    kbox_lxfd_release(r, t, fd);
    return resp;
}

static struct kbox_resp readv_writev_lx(struct kbox_req *r, int fd)
{
    int iovcnt = (int)kbox_arg_int(r->args[2]);
    bool wr =
        r->nr == SYS_writev || r->nr == SYS_pwritev || r->nr == SYS_pwritev2;
    bool v2 = r->nr == SYS_preadv2 || r->nr == SYS_pwritev2;
    bool pos = r->nr == SYS_preadv || r->nr == SYS_pwritev || v2;
    struct iovec *iov, *kiov;
    size_t total = 0, done = 0, off = 0;
    char *buf;
    long n;

    if (iovcnt < 0 || iovcnt > 1024)
        return kbox_ret(-EINVAL);
    iov = calloc((size_t)iovcnt + 1, sizeof(*iov));
    if (!iov)
        return kbox_ret(-ENOMEM);
    if (iovcnt &&
        r->ops->read(r, r->args[1], iov, (size_t)iovcnt * sizeof(*iov))) {
        free(iov);
        return kbox_ret(-EFAULT);
    }
    for (int i = 0; i < iovcnt; i++) {
        if ((ssize_t)iov[i].iov_len < 0) {
            free(iov);
            return kbox_ret(-EINVAL);
        }
        if (!guest_range_ok((uint64_t)(uintptr_t)iov[i].iov_base,
                            iov[i].iov_len)) {
            free(iov);
            return kbox_ret(-EFAULT);
        }
        if (iov[i].iov_len > 0x7ffff000 - total)
            iov[i].iov_len = 0x7ffff000 - total;
        total += iov[i].iov_len;
    }
    buf = malloc(total ? total : 1);
    if (!buf) {
        free(iov);
        return kbox_ret(-ENOMEM);
    }
    /*
     * lx gets the same iovecs, over one staging buffer: Linux reads an
     * inotify instance one iovec at a time, and a first iovec too small
     * for an event is EINVAL there.
     */
    kiov = calloc((size_t)iovcnt + 1, sizeof(*kiov));
    if (!kiov) {
        free(buf);
        free(iov);
        return kbox_ret(-ENOMEM);
    }
    for (int i = 0; i < iovcnt; i++) {
        kiov[i].iov_base = buf + off;
        kiov[i].iov_len = iov[i].iov_len;
        off += iov[i].iov_len;
    }
    off = 0;
    if (wr) {
        for (int i = 0; i < iovcnt; i++) {
            if (iov[i].iov_len &&
                r->ops->read(r, (uint64_t)(uintptr_t)iov[i].iov_base, buf + off,
                             iov[i].iov_len)) {
                /* the bytes before the first bad page are written */
                kiov[i].iov_len =
                    guest_prefix(r, (uint64_t)(uintptr_t)iov[i].iov_base,
                                 buf + off, iov[i].iov_len, false);
                off += kiov[i].iov_len;
                iovcnt = i + 1;
                break;
            }
            off += iov[i].iov_len;
        }
        if (!off && total) {
            free(kiov);
            free(buf);
            free(iov);
            return kbox_ret(-EFAULT);
        }
        if (v2) /* offset -1: the file position; flags RWF_* */
            n = kbox_lx_change(r, fd, A(3), LX__NR_pwritev2, fd, (long)kiov,
                               iovcnt, A(3), 0, A(5));
        else
            n = kbox_lx_change(r, fd, pos ? A(3) : -1,
                               pos ? LX__NR_pwritev : LX__NR_writev, fd,
                               (long)kiov, iovcnt, pos ? A(3) : 0, 0, 0);
        after_io(r, FD(0), fd);
    } else {
        long long at = A(3); /* preadv2's -1: the file position */

        n = kbox_shmap_pread(r, fd, buf, total,
                             pos && !(v2 && at == -1) ? &at : NULL);
        if (n != -ENOENT)
            ; /* mapped writable: the stores are the content */
        else if (v2)
            n = kbox_lx(r, LX__NR_preadv2, fd, (long)kiov, iovcnt, A(3), 0,
                        A(5));
        else if (pos)
            n = kbox_lx(r, LX__NR_preadv, fd, (long)kiov, iovcnt, A(3), 0, 0);
        else if (!kbox_fdt_mirror(r->proc->fdt, FD(0)) ||
                 !kbox_watch_read_buf(r, fd, buf, total, &n))
            n = kbox_lx(r, LX__NR_readv, fd, (long)kiov, iovcnt, 0, 0, 0);
        for (int i = 0; n > 0 && i < iovcnt && done < (size_t)n; i++) {
            size_t c = iov[i].iov_len;

            if (c > (size_t)n - done)
                c = (size_t)n - done;
            if (c && r->ops->write(r, (uint64_t)(uintptr_t)iov[i].iov_base,
                                   buf + done, c)) {
                size_t got =
                    guest_prefix(r, (uint64_t)(uintptr_t)iov[i].iov_base,
                                 buf + done, c, true);

                /* the bytes the guest did not get stay unread */
                if (!pos || (v2 && A(3) == -1))
                    kbox_lx(r, LX__NR_lseek, fd, -(n - (long)(done + got)),
                            SEEK_CUR, 0, 0, 0);
                n = done + got ? (long)(done + got) : -EFAULT;
                break;
            }
            done += c;
        }
        after_io(r, FD(0), fd);
    }
    free(kiov);
    free(buf);
    free(iov);
    return kbox_ret(n);
}

static struct kbox_resp h_lseek(struct kbox_req *r)
{
    int fd = kbox_lxfd(r, FD(0));

    if (fd < 0)
        return kbox_continue();
    /*
     * Stores into a shared mapping of the file are data to SEEK_DATA and
     * SEEK_HOLE at once in Linux (a dirty page is in the page cache), but
     * sit in the map's memfd until write-back: lx saw a hole there and
     * answered with it (fsx, a hole found where mapped stores were).
     */
    if ((A(2) == SEEK_DATA || A(2) == SEEK_HOLE) && kbox_shmap_any())
        kbox_shmap_sync_fd(r, fd);
    return kbox_ret(kbox_lx(r, LX__NR_lseek, fd, A(1), (int)A(2), 0, 0, 0));
}

static struct kbox_resp h_close(struct kbox_req *r)
{
    bool mirror = kbox_fdt_mirror(r->proc->fdt, FD(0));
    int old = kbox_fdt_clear(r->proc->fdt, FD(0));

    /* Close the lx file, then let the host drop the placeholder. */
    if (old >= 0)
        lx_close(r, old);
    else
        unlock_closed_held(r); /* a call in flight holds it */
    if (mirror)
        kbox_mirror_gc();
    return kbox_continue();
}

static struct kbox_resp h_close_range(struct kbox_req *r)
{
    unsigned flags = (unsigned)r->args[2];
    unsigned first = (unsigned)r->args[0], last = (unsigned)r->args[1];
    bool cloexec = (flags & CLOSE_RANGE_CLOEXEC) != 0;
    int *v, n;

    /* The host's EINVAL closes nothing: neither may lx (unknown flags
     * closed the lx files and left their placeholders open). */
    if (first > last || (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)))
        return kbox_continue();
    if (flags & CLOSE_RANGE_UNSHARE)
        kbox_proc_unshare_files(r); /* its sharer keeps its fds */
    n = kbox_fdt_range(r->proc->fdt, first, last, cloexec, &v);
    for (int i = 0; i < n; i++) {
        if (cloexec)
            kbox_lx(r, LX__NR_fcntl, v[i], F_SETFD, FD_CLOEXEC, 0, 0, 0);
        else
            lx_close(r, v[i]);
    }
    free(v);
    if (!cloexec)
        unlock_closed_held(r);
    if (n > 0 && !cloexec)
        kbox_mirror_gc();
    return kbox_continue();
}

/*
 * Lowest free guest fd >= min, looking at the host table. F_DUPFD with a
 * minimum is on hot paths (gnulib's fts in find, du, rm -r dups each
 * directory fd to >= 3), so the numbers from @min up are probed one by
 * one with kcmp (EBADF: not open; ~0.3 us each) instead of listing
 * /proc/<pid>/fd (~17 us). The listing stays for a caller kcmp refuses
 * (a guest that made itself undumpable) and for long runs of open fds.
 */
static int lowest_free(struct kbox_req *r, int min)
{
    char path[64];
    DIR *d;
    struct dirent *de;
    unsigned char *used;
    int lim = 1 << 16, fd;

    if (min < 0)
        min = 0;
    for (fd = min; fd < min + 64; fd++) {
        if (syscall(SYS_kcmp, r->pid, r->pid, KCMP_FILE, fd, fd) == 0)
            continue;
        if (errno == EBADF)
            return fd;
        break;
    }

    snprintf(path, sizeof(path), "/proc/%d/fd", (int)r->pid);
    d = opendir(path);
    if (!d)
        return -EBADF;
    used = calloc((size_t)lim, 1);
    if (!used) {
        closedir(d);
        return -ENOMEM;
    }
    while ((de = readdir(d))) {
        int n = atoi(de->d_name);
        if (de->d_name[0] >= '0' && de->d_name[0] <= '9' && n < lim)
            used[n] = 1;
    }
    closedir(d);
    for (fd = min < 0 ? 0 : min; fd < lim && used[fd]; fd++)
        ;
    free(used);
    return fd < lim ? fd : -EMFILE;
}

/*
 * No free guest number below RLIMIT_NOFILE? Linux reserves the new
 * number before it looks the path up (do_sys_openat2), so an open into
 * a full table is EMFILE whatever the path says, and creates or
 * truncates nothing. A table can only be full when its last allowed
 * number is taken: one kcmp says no for nearly every call.
 */
bool kbox_fd_table_full(struct kbox_req *r)
{
    struct rlimit rl;
    int last, fd;

    if (!r->proc || prlimit(r->proc->tgid, RLIMIT_NOFILE, NULL, &rl) != 0)
        return false;
    if (rl.rlim_cur == 0)
        return true;
    if (rl.rlim_cur > 1 << 16)
        return false;
    last = (int)rl.rlim_cur - 1;
    if (syscall(SYS_kcmp, r->pid, r->pid, KCMP_FILE, last, last) != 0)
        return false; /* free (EBADF), or kcmp refused: as before */
    fd = lowest_free(r, 0);
    return fd == -EMFILE || (fd >= 0 && fd >= (int)rl.rlim_cur);
}

/* A new lx fd for the same open file as lx fd @lxfd. */
static long lx_dup(struct kbox_req *r, int lxfd, bool cloexec)
{
    return kbox_lx(r, LX__NR_fcntl, lxfd, cloexec ? F_DUPFD_CLOEXEC : F_DUPFD,
                   0, 0, 0, 0);
}

static struct kbox_resp h_dup(struct kbox_req *r)
{
    int old = kbox_lxfd(r, FD(0));
    long lxfd;

    if (old < 0)
        return kbox_continue();
    lxfd = lx_dup(r, old, false);
    if (lxfd < 0)
        return kbox_ret(lxfd);
    return dup_reply(r, FD(0), (int)lxfd, -1, false);
}

static struct kbox_resp h_dup3(struct kbox_req *r)
{
    int old = FD(0), nfd = FD(1);
    int flags = r->nr == SYS_dup3 ? (int)A(2) : 0;
    int lold = kbox_lxfd(r, old);
    long lxfd;

    if (r->nr == SYS_dup2 && old == nfd) {
        if (lold >= 0)
            return kbox_ret(nfd);
        return kbox_continue();
    }
    if (r->nr == SYS_dup3 && (old == nfd || (flags & ~O_CLOEXEC)))
        return kbox_ret(-EINVAL);
    if (nfd < 0)
        return kbox_ret(-EBADF);
    if (lold < 0) {
        /* Host source: drop any lx file at the target, host does the rest;
         * not when the host will refuse it (a bad source left the target
         * mapped to nothing: gnulib's test-dup2 lost its file) */
        char src[64];
        bool mirrored;

        snprintf(src, sizeof(src), "%d/fd/%d", (int)r->pid, old);
        if (old < 0 || (kbox_sup.hostproc_dir >= 0 &&
                        faccessat(kbox_sup.hostproc_dir, src, F_OK,
                                  AT_SYMLINK_NOFOLLOW) != 0 &&
                        errno == ENOENT))
            return kbox_ret(-EBADF);
        /* nor when the target is at or past the guest's RLIMIT_NOFILE
         * (the host says EBADF; the file at the target stayed open but
         * read as the /dev/null placeholder) */
        if (kbox_lxfd(r, nfd) >= 0) {
            struct rlimit rl;

            if (prlimit(r->proc->tgid, RLIMIT_NOFILE, NULL, &rl) == 0 &&
                (unsigned long)nfd >= rl.rlim_cur)
                return kbox_ret(-EBADF);
        }
        mirrored = kbox_fdt_mirror(r->proc->fdt, nfd);
        lx_close(r, kbox_fdt_clear(r->proc->fdt, nfd));
        unlock_closed_held(r);
        if (mirrored)
            kbox_mirror_gc();
        return kbox_continue();
    }
    lxfd = lx_dup(r, lold, flags & O_CLOEXEC);
    if (lxfd < 0)
        return kbox_ret(lxfd);
    return dup_reply(r, old, (int)lxfd, nfd, flags & O_CLOEXEC);
}

static long flock_op(struct kbox_req *r, int fd, int cmd)
{
    struct flock fl;
    long rc;

    if (r->ops->read(r, r->args[2], &fl, sizeof(fl)))
        return -EFAULT;
    if ((cmd == F_SETLKW || cmd == F_OFD_SETLKW) && fl.l_type != F_UNLCK &&
        r->ops->will_block) {
        /* Free now: taken without waiting. Else others must be received
         * while this one waits (the holder's unlock among them). */
        rc = kbox_lx(r, LX__NR_fcntl, fd,
                     cmd == F_SETLKW ? F_SETLK : F_OFD_SETLK, (long)&fl, 0, 0,
                     0);
        if (rc != -EAGAIN && rc != -EACCES)
            return rc;
        r->ops->will_block(r);
    }
    rc = kbox_lx(r, LX__NR_fcntl, fd, cmd, (long)&fl, 0, 0, 0);
    if (rc >= 0 && (cmd == F_GETLK || cmd == F_OFD_GETLK) &&
        r->ops->write(r, r->args[2], &fl, sizeof(fl)))
        return -EFAULT;
    return rc;
}

static struct kbox_resp h_fcntl(struct kbox_req *r)
{
    int gfd = FD(0), cmd = (int)A(1);
    int fd = kbox_lxfd(r, gfd);
    long rc;

    if (fd < 0)
        return kbox_hostfd_fcntl(r, gfd, cmd);
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
        int target = -1; /* lowest free: the host picks it */
        /* the kernel takes the minimum as an unsigned int (a long with
         * bits above 32 was EINVAL here) */
        unsigned min = (unsigned)A(2);
        long lxfd;

        struct rlimit rl;

        /* at or past the fd limit: EINVAL, as the kernel says */
        if ((int)min < 0 ||
            (prlimit(r->proc->tgid, RLIMIT_NOFILE, NULL, &rl) == 0 &&
             min >= rl.rlim_cur))
            return kbox_ret(-EINVAL);
        if (min > 0)
            target = lowest_free(r, (int)min);
        if (target < -1)
            return kbox_ret(target);
        /* no free number below the limit: EMFILE (the injection past it
         * said EBADF) */
        if (target >= 0 &&
            prlimit(r->proc->tgid, RLIMIT_NOFILE, NULL, &rl) == 0 &&
            (unsigned long)target >= rl.rlim_cur)
            return kbox_ret(-EMFILE);
        lxfd = lx_dup(r, fd, cmd == F_DUPFD_CLOEXEC);
        if (lxfd < 0)
            return kbox_ret(lxfd);
        return dup_reply(r, gfd, (int)lxfd, target, cmd == F_DUPFD_CLOEXEC);
    }
    case F_SETFD:
        rc = kbox_lx(r, LX__NR_fcntl, fd, F_SETFD, A(2), 0, 0, 0);
        if (rc < 0)
            return kbox_ret(rc);
        kbox_fdt_set_cloexec(r->proc->fdt, gfd, (A(2) & FD_CLOEXEC) != 0);
        /* The host sets the placeholder's own flag to match. */
        return kbox_continue();
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
        return kbox_ret(flock_op(r, fd, cmd));
    case F_SETOWN: /* the signals lx sends: sigfwd.c */
    case F_SETOWN_EX:
    case F_GETOWN_EX:
    case F_SETSIG:
    case F_NOTIFY:
        return kbox_ret(kbox_sigfwd_fcntl(r, fd, cmd));
    case F_SETLEASE: {
        long rc = kbox_sigfwd_fcntl(r, fd, cmd);
        struct kbox_gstat g;

        /* lx counts kbox's held fd of a file once mapped shared as an
         * open for writing: a read lease was EAGAIN after the mapping
         * was gone */
        if (rc == -EAGAIN && A(2) != F_UNLCK && kbox_shmap_any() &&
            kbox_lx(r, LX__NR_fstat, fd, (long)&g, 0, 0, 0, 0) == 0 &&
            kbox_shmap_let_go(g.st_dev, g.st_ino))
            rc = kbox_sigfwd_fcntl(r, fd, cmd);
        return kbox_ret(rc);
    }
    case F_GETFD:
    case F_GETFL:
    case F_GETOWN:
    case F_GETSIG:
    case F_GETLEASE:
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ:
        return kbox_ret(kbox_lx(r, LX__NR_fcntl, fd, cmd, A(2), 0, 0, 0));
    default: /* F_SETFL, pointers (fdioctl.c) */
        return kbox_ret(kbox_fd_fcntl_lx(r, fd, cmd));
    }
}

static struct kbox_resp h_fstat(struct kbox_req *r)
{
    struct kbox_gstat g;
    struct kbox_hstat h;
    int fd = kbox_lxfd(r, FD(0));
    long rc;

    if (fd < 0)
        return kbox_continue();
    rc = kbox_shmap_fstat(r, fd, &g);
    if (rc < 0)
        return kbox_ret(rc);
    kbox_abi_stat_to_host(&g, &h);
    if (r->ops->write(r, r->args[1], &h, sizeof(h)))
        return kbox_ret(-EFAULT);
    return kbox_ret(0);
}

static struct kbox_resp h_fstatfs(struct kbox_req *r)
{
    struct kbox_gstatfs g;
    struct kbox_hstatfs h;
    int fd = kbox_lxfd(r, FD(0));
    long rc;

    if (fd < 0)
        return kbox_mntview_fstatfs(r, FD(0));
    rc = kbox_lx(r, LX__NR_fstatfs, fd, (long)&g, 0, 0, 0, 0);
    if (rc < 0)
        return kbox_ret(rc);
    kbox_abi_statfs_to_host(&g, &h);
    if (r->ops->write(r, r->args[1], &h, sizeof(h)))
        return kbox_ret(-EFAULT);
    return kbox_ret(0);
}

/* Is lx fd @fd the root of a procfs? */
static bool proc_root(struct kbox_req *r, int fd)
{
    struct kbox_gstat g;
    int64_t sf[16]; /* struct statfs: f_type first */

    return kbox_lx(r, LX__NR_fstat, fd, (long)&g, 0, 0, 0, 0) == 0 &&
           g.st_ino == 1 &&
           kbox_lx(r, LX__NR_fstatfs, fd, (long)sf, 0, 0, 0, 0) == 0 &&
           sf[0] == 0x9fa0; /* PROC_SUPER_MAGIC */
}

/* Does /proc list pid entry @name? Guest processes (zombies too) and
 * lx's kernel threads; not the tasks kbox keeps in lx for itself (its root
 * task, tasks parked for forks, threads' tasks). */
static bool proc_listed(const char *name)
{
    char *end;
    long n = strtol(name, &end, 10);

    if (name[0] < '0' || name[0] > '9' || *end || n <= 0 || n > INT_MAX)
        return true;
    return lx_pid_is_kthread((int)n) == 1 || kbox_proc_is_guest((pid_t)n) ||
           kbox_zombie_held((pid_t)n);
}

/* Keep the records of @buf (@n bytes of linux_dirent64) /proc lists. */
static long proc_filter(char *buf, long n)
{
    long in = 0, out = 0;

    while (in < n) {
        uint16_t rl;

        memcpy(&rl, buf + in + 16, 2);
        if (rl < 20 || in + rl > n)
            break;
        if (proc_listed(buf + in + 19)) {
            if (out != in)
                memmove(buf + out, buf + in, rl);
            out += rl;
        }
        in += rl;
    }
    return out;
}

/* lx's getdents64, but a procfs root lists no task kbox keeps for itself
 * (they showed as "swapper" processes: pid 1, parked). */
static long lx_getdents64(struct kbox_req *r, int fd, char *buf, size_t cnt)
{
    bool procfs = proc_root(r, fd);

    for (;;) {
        long n =
            kbox_lx(r, LX__NR_getdents64, fd, (long)buf, (long)cnt, 0, 0, 0);

        if (n <= 0 || !procfs)
            return n;
        n = proc_filter(buf, n);
        if (n > 0)
            return n; /* else all were hidden: read on */
    }
}

static struct kbox_resp h_getdents64(struct kbox_req *r)
{
    int fd = kbox_lxfd(r, FD(0));
    size_t cnt = (size_t)r->args[2];
    char *buf;
    long n;

    if (fd < 0)
        return kbox_continue(); /* a host directory (bind) */
    if (cnt > CHUNK)
        cnt = CHUNK;
    buf = malloc(cnt ? cnt : 1);
    if (!buf)
        return kbox_ret(-ENOMEM);
    n = lx_getdents64(r, fd, buf, cnt);
    if (n > 0 && r->ops->write(r, r->args[1], buf, (size_t)n))
        n = -EFAULT;
    free(buf);
    return kbox_ret(n);
}

static struct kbox_resp h_getdents(struct kbox_req *r)
{
    int fd = kbox_lxfd(r, FD(0));
    size_t cnt = (size_t)r->args[2], consumed = 0;
    char *in, *out;
    long n, m;
    long pos;

    if (cnt > CHUNK)
        cnt = CHUNK;
    if (fd < 0)
        return kbox_continue();
    pos = kbox_lx(r, LX__NR_lseek, fd, 0, SEEK_CUR, 0, 0, 0);
    if (pos < 0)
        return kbox_ret(pos);
    in = malloc(cnt + 1);
    out = malloc(cnt + 1);
    if (!in || !out) {
        free(in);
        free(out);
        return kbox_ret(-ENOMEM);
    }
    n = lx_getdents64(r, fd, in, cnt);
    if (n <= 0) {
        free(in);
        free(out);
        return kbox_ret(n);
    }
    m = kbox_abi_dirent64_to_dirent(in, (size_t)n, out, cnt, &consumed);
    if (m < 0) {
        m = -EINVAL;
    } else if (consumed < (size_t)n) {
        /* Rewind to the first record we could not return. */
        int64_t off;

        if (consumed == 0)
            off = pos;
        else {
            /* d_off of the last converted record */
            size_t p = 0, last = 0;
            while (p < consumed) {
                uint16_t rl;
                memcpy(&rl, in + p + 16, 2);
                last = p;
                p += rl;
            }
            memcpy(&off, in + last + 8, 8);
        }
        kbox_lx(r, LX__NR_lseek, fd, (long)off, SEEK_SET, 0, 0, 0);
    }
    if (m > 0 && r->ops->write(r, r->args[1], out, (size_t)m))
        m = -EFAULT;
    free(in);
    free(out);
    return kbox_ret(m);
}

/* Simple scalar fd calls: lx, or the host for host fds. */
static struct kbox_resp h_fd_scalar(struct kbox_req *r)
{
    int fd = kbox_lxfd(r, FD(0));
    long rc;

    if (fd < 0 && r->nr == SYS_fchdir) {
        /* A directory inside a bind becomes the cwd; other host objects
         * are not directories of the guest's tree. */
        char link[64], hp[4096];
        const struct kbox_opts *o = kbox_sup.opts;
        ssize_t n;

        snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)r->pid, FD(0));
        n = readlink(link, hp, sizeof(hp) - 1);
        if (n < 0)
            return kbox_ret(-EBADF);
        hp[n] = '\0';
        for (int i = 0; i < o->nbinds; i++) {
            const char *rest;
            struct stat st;

            if (hp[0] == '/' &&
                kbox_path_beneath(hp, o->binds[i].host_src, &rest) &&
                stat(link, &st) == 0 && S_ISDIR(st.st_mode)) {
                char g[2 * 4096 + 2], cw[4096];
                int c = kbox_guest_sock(r, FD(0)); /* a copy of the fd */

                /* the guest's search right on it, as fchdir checks (a
                 * guest user's fd of a directory made 0000 since): with
                 * the guest's ids (a root kbox, a guest user), else as
                 * chdir and -w judge it */
                kbox_ids_for_host(r);
                rc = c < 0         ? c
                     : r->host_ids ? (syscall(SYS_faccessat2, c, "", X_OK,
                                              AT_EMPTY_PATH | AT_EACCESS)
                                          ? -errno
                                          : 0)
                                   : kbox_exec_bind_may_search_fd(r->task, c);
                if (rc) {
                    if (c >= 0)
                        close(c);
                    return kbox_ret(rc);
                }

                snprintf(g, sizeof(g), "%s/%s", o->binds[i].guest_dst, rest);
                if (kbox_path_normalize(g, cw, sizeof(cw), false, NULL) < 0) {
                    close(c);
                    return kbox_ret(-ENAMETOOLONG);
                }
                /* the directory itself, as the guest's fd has it: a
                 * removed one stays the cwd (bindcwd.c); an O_PATH fd of
                 * it, not the guest's open file (its locks and lease) */
                rc = openat(c, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
                close(c);
                return kbox_ret(
                    kbox_bind_cwd_set(r->proc, r->task, (int)rc, cw));
            }
        }
        return kbox_ret(-ENOTDIR);
    }
    if (fd < 0 && r->nr == SYS_fchown) {
        /* a pty slave: its owner in guest ids (ptyown.c) */
        int c = kbox_guest_sock(r, FD(0)); /* a copy of any host fd */

        if (c >= 0) {
            rc = kbox_pty_chown(r, c, (uid_t)A(1), (gid_t)A(2));
            close(c);
            if (rc != -ENOSYS)
                return kbox_ret(rc);
        }
    }
    if (fd < 0 && (r->nr == SYS_fchmod || r->nr == SYS_fchown)) {
        /* kbox is the host's root, the guest is not: as the guest */
        int hfd = kbox_host_fd_as_guest(r, FD(0));

        /*
         * Otherwise (guest root, or no fd there a moment ago) on kbox's
         * copy too, never the host's call on that number: a second thread
         * could have put a bind's file there since (dup2), and the call
         * ran with root's CAP_CHOWN/CAP_FOWNER (a guest user gave its file
         * in a bind to root and made it set-user-ID).
         */
        if (hfd < 0 && geteuid() == 0) {
            hfd = kbox_guest_sock(r, FD(0));
            if (hfd < 0)
                return kbox_ret(hfd);
            if (!kbox_hostfd_lx_root(r)) {
                close(hfd);
                return kbox_ret(-EPERM);
            }
        }
        if (hfd >= 0) {
            rc = r->nr == SYS_fchmod ? fchmod(hfd, (mode_t)A(1))
                                     : fchown(hfd, (uid_t)A(1), (gid_t)A(2));
            rc = rc < 0 ? -errno : 0;
            close(hfd);
            return kbox_ret(rc);
        }
    }
    if (fd < 0) {
        rc = kbox_hostfd_kill_privs(r, FD(0), false); /* ftruncate... */
        return rc ? kbox_ret(rc) : kbox_continue();
    }
    /* A file mapped shared: its stores reach the image first. */
    if (r->nr == SYS_fsync || r->nr == SYS_fdatasync ||
        r->nr == SYS_sync_file_range)
        kbox_shmap_sync_fd(r, fd);
    switch (r->nr) {
    case SYS_ftruncate:
        rc = kbox_lx_change(r, fd, -1, LX__NR_ftruncate, fd, A(1), 0, 0, 0, 0);
        break;
    case SYS_fsync:
        rc = kbox_lx(r, LX__NR_fsync, fd, 0, 0, 0, 0, 0);
        break;
    case SYS_fdatasync:
        rc = kbox_lx(r, LX__NR_fdatasync, fd, 0, 0, 0, 0, 0);
        break;
    case SYS_syncfs:
        rc = kbox_lx(r, LX__NR_syncfs, fd, 0, 0, 0, 0, 0);
        break;
    case SYS_sync_file_range: /* dpkg's, per unpacked file */
        rc = kbox_lx(r, LX__NR_sync_file_range, fd, A(1), A(2), A(3), 0, 0);
        break;
    case SYS_fchmod:
        rc = kbox_lx(r, LX__NR_fchmod, fd, A(1), 0, 0, 0, 0);
        break;
    case SYS_fchown:
        rc = kbox_lx(r, LX__NR_fchown, fd, A(1), A(2), 0, 0, 0);
        break;
    case SYS_fallocate:
        rc = kbox_lx_change(r, fd, A(2), LX__NR_fallocate, fd, A(1), A(2), A(3),
                            0, 0);
        break;
    case SYS_flock:
        /* As F_SETLKW (flock_op): a wait lets another worker lead. */
        if (!(A(1) & LOCK_NB) && !(A(1) & LOCK_UN) && r->ops->will_block) {
            rc = kbox_lx(r, LX__NR_flock, fd, A(1) | LOCK_NB, 0, 0, 0, 0);
            if (rc != -EWOULDBLOCK)
                break;
            r->ops->will_block(r);
        }
        rc = kbox_lx(r, LX__NR_flock, fd, A(1), 0, 0, 0, 0);
        break;
    case SYS_fadvise64:
        rc = kbox_lx(r, LX__NR_fadvise64, fd, A(1), A(2), A(3), 0, 0);
        break;
    case SYS_fchdir:
        rc = kbox_lx(r, LX__NR_fchdir, fd, 0, 0, 0, 0, 0);
        if (rc == 0)
            kbox_bind_cwd_clear(r->proc, r->task);
        break;
    case SYS_readahead:
        rc = kbox_lx(r, LX__NR_readahead, fd, A(1), A(2), 0, 0, 0);
        break;
    default:
        rc = -ENOSYS;
    }
    return kbox_ret(rc);
}

kbox_handler kbox_fd_handler(long nr)
{
    switch (nr) {
    case SYS_read:
    case SYS_pread64:
        return h_read;
    case SYS_write:
    case SYS_pwrite64:
        return h_write;
    case SYS_readv:
    case SYS_writev:
    case SYS_preadv:
    case SYS_pwritev:
    case SYS_preadv2:
    case SYS_pwritev2:
        return h_readv_writev;
    case SYS_lseek:
        return h_lseek;
    case SYS_close:
        return h_close;
    case SYS_close_range:
        return h_close_range;
    case SYS_dup:
        return h_dup;
    case SYS_dup2:
    case SYS_dup3:
        return h_dup3;
    case SYS_fcntl:
        return h_fcntl;
    case SYS_fstat:
        return h_fstat;
    case SYS_fstatfs:
        return h_fstatfs;
    case SYS_getdents64:
        return h_getdents64;
    case SYS_getdents:
        return h_getdents;
    case SYS_ftruncate:
    case SYS_fsync:
    case SYS_fdatasync:
    case SYS_syncfs:
    case SYS_sync_file_range:
    case SYS_fchmod:
    case SYS_fchown:
    case SYS_fallocate:
    case SYS_flock:
    case SYS_fadvise64:
    case SYS_fchdir:
    case SYS_readahead:
        return h_fd_scalar;
    case SYS_ioctl:
        return kbox_fd_ioctl;
    case SYS_mmap:
        return kbox_mm_mmap;
    case SYS_msync:
        return kbox_mm_msync;
    case SYS_sendfile:
    case SYS_copy_file_range:
    case SYS_splice:
    case SYS_tee:
    case SYS_vmsplice:
        return kbox_copy_handle;
    default:
        return NULL;
    }
}
