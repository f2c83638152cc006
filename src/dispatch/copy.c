/* SPDX-License-Identifier: MIT */
/*
 * sendfile, splice, tee and copy_file_range when an image file is at one
 * end. Between two image files lx runs the call itself. Between an image
 * file and a host object (a socket, a pipe, a file in a bind) the
 * supervisor moves the bytes in chunks, through a copy of the guest's
 * host fd: sendfile of an image file to a socket is how web servers send
 * files, and it failed with EINVAL. A host end that would block is
 * waited for in short polls, so a signal to the guest or its exit ends
 * the call with what was copied so far, as natively.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"

#define A(i)  ((long)r->args[i])
#define FD(i) ((int)kbox_arg_int(r->args[i]))

/* The host kernel restarts the call or fails it with EINTR, per the
 * guest's handler (kernel-internal value, as in inflight.c). */
#define ERESTARTSYS 512

/* Bytes moved per step; Linux caps one call at MAX_RW_COUNT. */
#define CHUNK     (128 << 10)
#define MAX_COUNT 0x7ffff000L

/* One end of a copy: an lx file, or the guest's host object. */
struct end {
    int lxfd;     /* >= 0: an lx file */
    int hfd;      /* else: kbox's copy of the guest's host fd */
    int nbfd;     /* a pipe's own non-blocking open file, or -1 */
    bool sock;    /* hfd is a socket: send/recv with MSG_DONTWAIT */
    bool nb;      /* the guest's file is O_NONBLOCK */
    int64_t *off; /* explicit offset, or NULL: the file position */
};

#define END(lx)                          \
    {                                    \
        (lx), -1, -1, false, false, NULL \
    }

/*
 * The guest's host object @gfd as end @e. kbox must never block inside a
 * read or write for the guest (a signal could not end it), and the
 * guest's file status flags are shared with the copy: sockets are used
 * with MSG_DONTWAIT, and pipes through a non-blocking open file of their
 * own (/proc/<pid>/fd/N opens the same pipe).
 */
static int end_host(struct kbox_req *r, struct end *e, int gfd, bool writing)
{
    struct stat st;
    char p[64];
    int fl;

    e->hfd = kbox_guest_sock(r, gfd);
    if (e->hfd < 0)
        return e->hfd == -ENOENT ? -EBADF : e->hfd;
    fl = fcntl(e->hfd, F_GETFL);
    e->nb = fl >= 0 && (fl & O_NONBLOCK);
    if (fstat(e->hfd, &st))
        return -errno;
    e->sock = S_ISSOCK(st.st_mode);
    if (!S_ISFIFO(st.st_mode))
        return 0;
    if ((fl & O_ACCMODE) != (writing ? O_WRONLY : O_RDONLY) &&
        (fl & O_ACCMODE) != O_RDWR)
        return -EBADF;
    snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)r->pid, gfd);
    e->nbfd = open(p, (writing ? O_WRONLY : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
    if (e->nbfd < 0)
        return errno == ENXIO ? -EPIPE : -errno; /* no reader left */
    return 0;
}

static void end_close(struct end *e)
{
    if (e->hfd >= 0)
        close(e->hfd);
    if (e->nbfd >= 0)
        close(e->nbfd);
}

/*
 * Wait until host fd @fd is ready for @ev. 0: go ahead (ready, or an
 * error the call itself will report); -EAGAIN when it must not block;
 * -ERESTARTSYS/-EINTR when the guest takes a signal or is gone.
 */
static int wait_host(struct kbox_req *r, const struct end *e, short ev,
                     bool nonblock)
{
    for (;;) {
        struct pollfd p = { .fd = e->hfd, .events = ev };
        int n = poll(&p, 1, nonblock ? 0 : 20);

        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return -errno;
        if (nonblock)
            return -EAGAIN;
        if (!r->ops->valid(r))
            return -EINTR;
        if (r->ops->pending_signal) {
            int why = r->ops->pending_signal(r);

            if (why == KBOX_INTR_RESTART)
                return -ERESTARTSYS;
            if (why != KBOX_INTR_NONE)
                return -EINTR;
        }
    }
}

static long end_read(struct kbox_req *r, struct end *e, char *buf, size_t n)
{
    long got;

    if (e->lxfd >= 0) {
        long long at = e->off ? *e->off : 0;

        got = kbox_shmap_pread(r, e->lxfd, buf, n, e->off ? &at : NULL);
        if (got != -ENOENT)
            return got; /* mapped writable: the stores are the content */
        if (e->off)
            return kbox_lx(r, LX__NR_pread64, e->lxfd, (long)buf, (long)n,
                           (long)*e->off, 0, 0);
        return kbox_lx(r, LX__NR_read, e->lxfd, (long)buf, (long)n, 0, 0, 0);
    }
    if (e->sock)
        got = recv(e->hfd, buf, n, MSG_DONTWAIT);
    else if (e->nbfd >= 0)
        got = read(e->nbfd, buf, n);
    else
        got = e->off ? pread(e->hfd, buf, n, *e->off) : read(e->hfd, buf, n);
    return got < 0 ? -errno : got;
}

static long end_write(struct kbox_req *r, struct end *e, const char *buf,
                      size_t n)
{
    long put;

    if (e->lxfd >= 0) {
        if (e->off)
            return kbox_lx_change(r, e->lxfd, *e->off, LX__NR_pwrite64, e->lxfd,
                                  (long)buf, (long)n, (long)*e->off, 0, 0);
        return kbox_lx_change(r, e->lxfd, -1, LX__NR_write, e->lxfd, (long)buf,
                              (long)n, 0, 0, 0);
    }
    if (e->sock)
        put = send(e->hfd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL);
    else if (e->nbfd >= 0)
        put = write(e->nbfd, buf, n);
    else
        put = e->off ? pwrite(e->hfd, buf, n, *e->off) : write(e->hfd, buf, n);
    return put < 0 ? -errno : put;
}

/* Give back @n bytes read from @e's file position but not written. */
static void end_unread(struct kbox_req *r, struct end *e, long n)
{
    if (n <= 0 || e->off)
        return;
    if (e->lxfd >= 0)
        kbox_lx(r, LX__NR_lseek, e->lxfd, -n, SEEK_CUR, 0, 0, 0);
    else
        lseek(e->hfd, -n, SEEK_CUR);
}

/* Read into @buf from @in, waiting as the guest would; >0, 0 or -errno. */
static long wait_read(struct kbox_req *r, struct end *in, char *buf, size_t n,
                      bool nonblock)
{
    for (;;) {
        long got;

        if (in->lxfd < 0 && !in->nb) {
            int rc = wait_host(r, in, POLLIN, nonblock);

            if (rc)
                return rc;
        }
        got = end_read(r, in, buf, n);
        if (got != -EAGAIN || in->lxfd >= 0 || in->nb || nonblock)
            return got;
    }
}

/* Write @n bytes of @buf to @out; the count written, or -errno if none. */
static long wait_write(struct kbox_req *r, struct end *out, const char *buf,
                       size_t n, bool nonblock)
{
    size_t done = 0;

    while (done < n) {
        long w;

        if (out->lxfd < 0 && !out->nb) {
            int rc = wait_host(r, out, POLLOUT, nonblock);

            if (rc)
                return done ? (long)done : rc;
        }
        w = end_write(r, out, buf + done, n - done);
        /* Linux fills a pipe once and returns what fit */
        if (w == -EAGAIN && out->nbfd >= 0 && done)
            return (long)done;
        if (w == -EAGAIN && out->lxfd < 0 && !out->nb && !nonblock)
            continue;
        if (w <= 0)
            return done ? (long)done : (w ? w : -EIO);
        done += (size_t)w;
        if (out->off)
            *out->off += w;
    }
    return (long)done;
}

/* Move up to @count bytes; the count moved, or -errno if none was. */
static long move(struct kbox_req *r, struct end *in, struct end *out,
                 size_t count, bool nonblock)
{
    char *buf = malloc(CHUNK);
    size_t total = 0;
    long rc = 0;

    if (!buf)
        return -ENOMEM;
    while (total < count) {
        size_t want = count - total < CHUNK ? count - total : CHUNK;
        /* after the first bytes, a pipe or socket gives what it has */
        long n = wait_read(r, in, buf, want,
                           nonblock || (total && in->lxfd < 0)),
             done;

        if (n <= 0) {
            rc = total ? 0 : n;
            break;
        }
        done = wait_write(r, out, buf, (size_t)n, nonblock);
        if (done < 0) {
            rc = done;
            done = 0;
        }
        total += (size_t)done;
        if (in->off)
            *in->off += done;
        end_unread(r, in, n - done);
        if (done < n || (in->lxfd < 0 && n < (long)want))
            break; /* the output is full, or a pipe gave what it had */
    }
    free(buf);
    if (total)
        return (long)total;
    if (rc == -EPIPE) /* natively the writer gets SIGPIPE too */
        syscall(SYS_tgkill, (int)r->proc->tgid, (int)r->pid, SIGPIPE);
    return rc;
}

static long read_off(struct kbox_req *r, uint64_t addr, int64_t *v)
{
    return addr && r->ops->read(r, addr, v, sizeof(*v)) ? -EFAULT : 0;
}

/* sendfile(out, in, offset, count) with an lx file at either end. */
static long do_sendfile(struct kbox_req *r, int gout, int gin, int lout,
                        int lin)
{
    size_t count = (size_t)A(3) > MAX_COUNT ? MAX_COUNT : (size_t)A(3);
    struct end in = END(lin), out = END(lout);
    int64_t off = 0;
    long rc;

    if (read_off(r, r->args[2], &off))
        return -EFAULT;
    if (r->args[2]) {
        if (off < 0)
            return -EINVAL;
        in.off = &off;
    }
    if (lin >= 0 && lout >= 0) {
        kbox_shmap_sync_fd(r, lin); /* lx copies from its own pages */
        rc = kbox_lx_change(r, lout, -1, LX__NR_sendfile, lout, lin,
                            in.off ? (long)&off : 0, (long)count, 0, 0);
    } else {
        rc = lin < 0 ? end_host(r, &in, gin, false) : 0;
        if (!rc && lout < 0)
            rc = end_host(r, &out, gout, true);
        if (!rc)
            rc = move(r, &in, &out, count, false);
        else if (rc == -EPIPE)
            syscall(SYS_tgkill, (int)r->proc->tgid, (int)r->pid, SIGPIPE);
    }
    if (rc >= 0 && r->args[2] &&
        r->ops->write(r, r->args[2], &off, sizeof(off)))
        rc = -EFAULT;
    end_close(&in);
    end_close(&out);
    return rc;
}

/* splice(in, off_in, out, off_out, len, flags): one end is a pipe. */
static long do_splice(struct kbox_req *r, int gin, int gout, int lin, int lout)
{
    size_t count = (size_t)A(4) > MAX_COUNT ? MAX_COUNT : (size_t)A(4);
    struct end in = END(lin), out = END(lout);
    int64_t oin = 0, oout = 0;
    long rc;

    if (read_off(r, r->args[1], &oin) || read_off(r, r->args[3], &oout))
        return -EFAULT;
    if (lin >= 0 && lout >= 0) { /* lx's own: its FIFOs, its errors */
        rc = kbox_lx_change(r, lout, r->args[3] ? oout : -1, LX__NR_splice, lin,
                            r->args[1] ? (long)&oin : 0, lout,
                            r->args[3] ? (long)&oout : 0, (long)count, A(5));
        goto offsets;
    }
    rc = lin < 0 ? end_host(r, &in, gin, false) : 0;
    if (!rc && lout < 0)
        rc = end_host(r, &out, gout, true);
    if (rc == -EPIPE)
        syscall(SYS_tgkill, (int)r->proc->tgid, (int)r->pid, SIGPIPE);
    if (rc)
        goto out;
    /* The host end must be the pipe; a pipe takes no offset. */
    rc = -EINVAL;
    if ((in.hfd >= 0 && in.nbfd < 0) || (out.hfd >= 0 && out.nbfd < 0))
        goto out;
    rc = -ESPIPE;
    if ((r->args[1] && in.hfd >= 0) || (r->args[3] && out.hfd >= 0))
        goto out;
    if (r->args[1])
        in.off = &oin;
    if (r->args[3])
        out.off = &oout;
    rc = -EINVAL;
    if ((in.off && *in.off < 0) || (out.off && *out.off < 0))
        goto out;
    rc = move(r, &in, &out, count, (A(5) & SPLICE_F_NONBLOCK) != 0);
offsets:
    if (rc >= 0 && ((r->args[1] && r->ops->write(r, r->args[1], &oin, 8)) ||
                    (r->args[3] && r->ops->write(r, r->args[3], &oout, 8))))
        rc = -EFAULT;
out:
    end_close(&in);
    end_close(&out);
    return rc;
}

/* The type and access mode of copy_file_range's end @gfd (lx's or the
 * host's), for Linux's checks before the filesystems are compared. */
static long cfr_end(struct kbox_req *r, int gfd, int lxfd, mode_t *mode,
                    int *fl)
{
    struct kbox_gstat g;
    struct stat st;
    int hfd;

    if (lxfd >= 0) {
        long rc = kbox_lx(r, LX__NR_fstat, lxfd, (long)&g, 0, 0, 0, 0);

        if (rc < 0)
            return rc;
        *mode = g.st_mode;
        *fl = (int)kbox_lx(r, LX__NR_fcntl, lxfd, F_GETFL, 0, 0, 0, 0);
        return *fl < 0 ? *fl : 0;
    }
    hfd = kbox_guest_sock(r, gfd);
    if (hfd < 0)
        return hfd == -ENOENT ? -EBADF : hfd;
    *fl = fcntl(hfd, F_GETFL);
    if (*fl < 0 || fstat(hfd, &st)) {
        int e = errno;

        close(hfd);
        return -e;
    }
    close(hfd);
    *mode = st.st_mode;
    return 0;
}

/* copy_file_range: both in the image runs in lx; across filesystems
 * Linux says EXDEV, and libc and coreutils copy by read/write. Before
 * that come generic_file_rw_checks': a directory EISDIR, a pipe, socket
 * or device EINVAL, a wrong access mode EBADF (Go and libuv tell EINVAL
 * and EXDEV apart). */
static long do_copy_file_range(struct kbox_req *r, int lin, int lout)
{
    int64_t oi = 0, oo = 0;
    long rc;

    if (lin < 0 || lout < 0) {
        mode_t mi, mo;
        int fi, fo;

        if ((rc = cfr_end(r, FD(0), lin, &mi, &fi)) ||
            (rc = cfr_end(r, FD(2), lout, &mo, &fo)))
            return rc;
        if (A(5))
            return -EINVAL;
        if (S_ISDIR(mi) || S_ISDIR(mo))
            return -EISDIR;
        if (!S_ISREG(mi) || !S_ISREG(mo))
            return -EINVAL;
        if ((fi & O_ACCMODE) == O_WRONLY || (fo & O_ACCMODE) == O_RDONLY ||
            (fo & O_APPEND))
            return -EBADF;
        return -EXDEV;
    }
    if (read_off(r, r->args[1], &oi) || read_off(r, r->args[3], &oo))
        return -EFAULT;
    kbox_shmap_sync_fd(r, lin); /* lx copies from its own pages */
    rc = kbox_lx_change(r, lout, r->args[3] ? oo : -1, LX__NR_copy_file_range,
                        lin, r->args[1] ? (long)&oi : 0, lout,
                        r->args[3] ? (long)&oo : 0, A(4), A(5));
    if (rc >= 0 && r->args[1])
        r->ops->write(r, r->args[1], &oi, sizeof(oi));
    if (rc >= 0 && r->args[3])
        r->ops->write(r, r->args[3], &oo, sizeof(oo));
    return rc;
}

struct kbox_resp kbox_copy_handle(struct kbox_req *r)
{
    int a = FD(0), b;
    int la, lb;
    long rc;

    switch (r->nr) {
    case SYS_vmsplice: /* guest memory and a pipe: the host's, or none */
        return kbox_lxfd(r, a) < 0 ? kbox_continue() : kbox_ret(-EBADF);
    case SYS_sendfile:
        b = FD(1);
        break;
    default:
        b = FD(2);
        break;
    }
    la = kbox_lxfd(r, a);
    lb = kbox_lxfd(r, b);
    if (la < 0 && lb < 0)
        return kbox_continue(); /* host objects only: the host's call */
    switch (r->nr) {
    case SYS_sendfile:
        rc = do_sendfile(r, a, b, la, lb);
        break;
    case SYS_splice:
        rc = do_splice(r, a, b, la, lb);
        break;
    case SYS_copy_file_range:
        rc = do_copy_file_range(r, la, lb);
        break;
    default: /* tee: both ends are pipes, and lx FIFOs are not the host's */
        return kbox_ret(-EINVAL);
    }
    /* A FIFO drained or filled: its readiness mirrors follow. */
    if (la >= 0 && kbox_fdt_mirror(r->proc->fdt, a))
        kbox_mirror_sync(r, la);
    if (lb >= 0 && kbox_fdt_mirror(r->proc->fdt, b))
        kbox_mirror_sync(r, lb);
    return kbox_ret(rc);
}
