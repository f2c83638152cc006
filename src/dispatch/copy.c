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
#include <limits.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "hostfd.h"
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
    bool chr;     /* hfd is a device: reads move no offset (/dev/zero) */
    bool nb;      /* the guest's file is O_NONBLOCK */
    int64_t *off; /* explicit offset, or NULL: the file position */
};

#define END(lx)                                 \
    {                                           \
        (lx), -1, -1, false, false, false, NULL \
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

    if (e->hfd < 0) /* fmode_of may have taken it already */
        e->hfd = kbox_guest_sock(r, gfd);
    if (e->hfd < 0)
        return e->hfd == -ENOENT ? -EBADF : e->hfd;
    fl = fcntl(e->hfd, F_GETFL);
    e->nb = fl >= 0 && (fl & O_NONBLOCK);
    if (fstat(e->hfd, &st))
        return -errno;
    e->sock = S_ISSOCK(st.st_mode);
    e->chr = S_ISCHR(st.st_mode);
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
    if (n <= 0 || e->off || e->chr)
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

        /* Linux fills a pipe once and returns what fit: no wait after
         * the first bytes (a reader that only comes later must not
         * hold the call) */
        if (out->lxfd < 0 && !out->nb && !(done && out->nbfd >= 0)) {
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
        done = wait_write(r, out, buf, (size_t)n,
                          nonblock || (total && out->nbfd >= 0));
        if (done < 0) {
            rc = done;
            done = 0;
        }
        total += (size_t)done;
        if (in->off && !in->chr)
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

#define SPLICE_F_ALL \
    (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)

static void sigpipe(struct kbox_req *r)
{
    syscall(SYS_tgkill, (int)r->proc->tgid, (int)r->pid, SIGPIPE);
}

/*
 * What Linux's checks read of an end's struct file, for the order of
 * do_splice's, do_sendfile's and do_tee's errors: its f_mode, flags,
 * position, and whether it is splice's pipe end or has no splice_read.
 */
struct fmode {
    bool rd, wr;     /* FMODE_READ, FMODE_WRITE (an O_PATH fd has neither) */
    bool seek;       /* FMODE_LSEEK/PREAD/PWRITE: not a pipe or a socket */
    bool append, nb; /* O_APPEND, O_NONBLOCK */
    bool pipe;       /* a pipe or FIFO */
    bool reg;        /* a regular file */
    bool noread;     /* no splice_read: a directory, a FIFO, /dev/null */
    long long pos;   /* the file position */
};

/* @e (or NULL): where a host end's fd, once taken, is kept for end_host */
static long fmode_of(struct kbox_req *r, int gfd, int lxfd, struct fmode *m,
                     struct end *e)
{
    mode_t type;
    int fl, acc;

    memset(m, 0, sizeof(*m));
    if (lxfd >= 0) {
        struct kbox_gstat g;
        long rc = kbox_lx(r, LX__NR_fstat, lxfd, (long)&g, 0, 0, 0, 0);

        if (rc < 0)
            return rc;
        fl = (int)kbox_lx(r, LX__NR_fcntl, lxfd, F_GETFL, 0, 0, 0, 0);
        if (fl < 0)
            return fl;
        type = g.st_mode;
        m->pos = kbox_lx(r, LX__NR_lseek, lxfd, 0, SEEK_CUR, 0, 0, 0);
        m->seek = !S_ISFIFO(type) && !S_ISSOCK(type) && m->pos != -ESPIPE;
    } else {
        int hfd = kbox_guest_sock(r, gfd);
        struct stat st;

        if (hfd < 0)
            return hfd == -ENOENT ? -EBADF : hfd;
        fl = fcntl(hfd, F_GETFL);
        if (fl < 0 || fstat(hfd, &st)) {
            int e = errno;

            close(hfd);
            return -e;
        }
        m->pos = lseek(hfd, 0, SEEK_CUR);
        m->seek = m->pos >= 0 || errno != ESPIPE;
        if (e && e->hfd < 0)
            e->hfd = hfd;
        else
            close(hfd);
        type = st.st_mode;
        m->noread = S_ISCHR(type) && st.st_rdev == makedev(1, 3);
    }
    if (fl & O_PATH) /* fdget finds no file for these calls */
        return -EBADF;
    if (m->pos < 0)
        m->pos = 0;
    acc = fl & O_ACCMODE;
    m->rd = !(fl & O_PATH) && (acc == O_RDONLY || acc == O_RDWR);
    m->wr = !(fl & O_PATH) && (acc == O_WRONLY || acc == O_RDWR);
    m->append = (fl & O_APPEND) != 0;
    m->nb = (fl & O_NONBLOCK) != 0;
    m->pipe = S_ISFIFO(type);
    m->reg = S_ISREG(type);
    m->noread |= S_ISDIR(type) || S_ISFIFO(type);
    return 0;
}

/*
 * The s_maxbytes of @gfd's filesystem, for do_sendfile's EOVERFLOW: ext4
 * with huge_file (what mke2fs makes) holds 2^32 - 1 blocks per file,
 * tmpfs, pipes, sockets and the others LLONG_MAX. Only a host regular
 * file (a bind's) is asked: for a socket or pipe the answer is known, and
 * asking took the guest's fd again on every sendfile to a socket.
 */
static long long maxbytes_of(struct kbox_req *r, int gfd, int lxfd,
                             const struct fmode *m)
{
    struct statfs sf;
    long rc;

    if (lxfd < 0 && !m->reg)
        return LLONG_MAX;
    if (lxfd >= 0) {
        rc = kbox_lx(r, LX__NR_fstatfs, lxfd, (long)&sf, 0, 0, 0, 0);
    } else {
        int hfd = kbox_guest_sock(r, gfd);

        if (hfd < 0)
            return LLONG_MAX;
        rc = fstatfs(hfd, &sf) ? -errno : 0;
        close(hfd);
    }
    if (rc || sf.f_type != EXT4_SUPER_MAGIC || sf.f_bsize <= 0)
        return LLONG_MAX;
    return (long long)(((1ULL << 32) - 1) * (unsigned long long)sf.f_bsize);
}

/* rw_verify_area's checks of a position and a count, before the count
 * is capped: a negative position or an end past LLONG_MAX is EINVAL. */
static long rw_verify(long long pos, size_t count)
{
    if ((ssize_t)count < 0 || pos < 0 ||
        (long long)((unsigned long long)pos + count) < 0)
        return -EINVAL;
    return 0;
}

/*
 * splice_file_to_pipe's wait_for_space, before anything is read: a pipe
 * with no reader is EPIPE (and SIGPIPE) even when the file has nothing
 * to give, a full one EAGAIN or a wait. A host pipe's write end polls
 * POLLERR when its readers are gone.
 */
static long wait_space(struct kbox_req *r, const struct end *o, bool nonblock)
{
    if (o->lxfd >= 0)
        return 0; /* an lx FIFO: its own write tells */
    for (;;) {
        struct pollfd p = { .fd = o->hfd, .events = POLLOUT };
        long rc;

        if (poll(&p, 1, 0) < 0)
            return -errno;
        if (p.revents & POLLERR) {
            sigpipe(r);
            return -EPIPE;
        }
        if (p.revents & POLLOUT)
            return 0;
        if (nonblock || o->nb)
            return -EAGAIN;
        rc = wait_host(r, o, POLLOUT, false);
        if (rc)
            return rc;
    }
}

/*
 * sendfile(out, in, offset, count) with an lx file at either end. When
 * the other end is the host's, Linux's checks come first, in
 * do_sendfile's order: the input (readable, an offset only where it can
 * pread, the count against its position), then the output (writable; a
 * pipe with room and a reader, or else a file position that can take
 * the count, no O_APPEND, and an input that can seek).
 */
static long do_sendfile(struct kbox_req *r, int gout, int gin, int lout,
                        int lin)
{
    size_t count = (size_t)A(3) > MAX_COUNT ? MAX_COUNT : (size_t)A(3);
    struct end in = END(lin), out = END(lout);
    struct fmode mi, mo;
    int64_t off = 0;
    long rc;

    if (read_off(r, r->args[2], &off))
        return -EFAULT;
    if (r->args[2])
        in.off = &off;
    if (lin >= 0 && lout >= 0) {
        kbox_shmap_sync_fd(r, lin); /* lx copies from its own pages */
        /* the count as given: lx checks it against the position */
        rc = kbox_lx_change(r, lout, -1, LX__NR_sendfile, lout, lin,
                            in.off ? (long)&off : 0, A(3), 0, 0);
        goto offsets;
    }
    /* a host end's fd, taken once here, is the one end_host uses; an
     * error from here on leaves by "offsets" so it is closed */
    if ((rc = fmode_of(r, gin, lin, &mi, &in)))
        goto offsets;
    if (!mi.rd)
        rc = -EBADF;
    else if (r->args[2] && !mi.seek)
        rc = -ESPIPE;
    else
        rc = rw_verify(r->args[2] ? off : mi.pos, (size_t)A(3));
    if (rc || (rc = fmode_of(r, gout, lout, &mo, &out)))
        goto offsets;
    if (!mo.wr) {
        rc = -EBADF;
        goto offsets;
    }
    {
        long long pos = r->args[2] ? off : mi.pos;
        long long mi_max = maxbytes_of(r, gin, lin, &mi),
                  mo_max = maxbytes_of(r, gout, lout, &mo),
                  max = mi_max < mo_max ? mi_max : mo_max;

        if ((unsigned long long)pos + count > (unsigned long long)max) {
            rc = -EOVERFLOW;
            if (pos >= max)
                goto offsets;
            rc = 0;
            count = (size_t)(max - pos);
        }
    }
    if (!mo.pipe && ((rc = rw_verify(mo.pos, count)) ||
                     (rc = mo.append || !mi.seek ? -EINVAL : 0)))
        goto offsets;
    rc = lin < 0 ? end_host(r, &in, gin, false) : 0;
    if (!rc && lout < 0)
        rc = end_host(r, &out, gout, true);
    if (rc == -EPIPE)
        sigpipe(r);
    if (!rc && mo.pipe)
        rc = wait_space(r, &out, false);
    if (!rc && mi.noread && count) /* do_splice_read: 0 bytes first */
        rc = -EINVAL;
    if (!rc)
        rc = move(r, &in, &out, count, false);
offsets:
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
    bool nonblock = (A(5) & SPLICE_F_NONBLOCK) != 0;
    struct fmode mi, mo;
    int64_t oin = 0, oout = 0;
    long rc;

    if (read_off(r, r->args[1], &oin) || read_off(r, r->args[3], &oout))
        return -EFAULT;
    if (lin >= 0 && lout >= 0) { /* lx's own: its FIFOs, its errors */
        rc = kbox_lx_change(r, lout, r->args[3] ? oout : -1, LX__NR_splice, lin,
                            r->args[1] ? (long)&oin : 0, lout,
                            r->args[3] ? (long)&oout : 0, A(4), A(5));
        goto offsets;
    }
    /* do_splice's checks, in its order: the pipe end takes no offset,
     * the ends' modes, then the file end's offset and position */
    if (A(5) & ~SPLICE_F_ALL)
        return -EINVAL;
    /* a host end's fd, taken once here, is the one end_host uses */
    if ((rc = fmode_of(r, gin, lin, &mi, &in)) ||
        (rc = fmode_of(r, gout, lout, &mo, &out)))
        goto out;
    if ((mi.pipe && r->args[1]) || (mo.pipe && r->args[3]))
        rc = -ESPIPE;
    else if (!mi.rd || !mo.wr)
        rc = -EBADF;
    else if (mi.pipe && mo.pipe)
        nonblock = nonblock || mi.nb || mo.nb;
    else if (mi.pipe)
        rc = (r->args[3] && !mo.seek) || mo.append
                 ? -EINVAL
                 : rw_verify(r->args[3] ? oout : mo.pos, (size_t)A(4));
    else if (mo.pipe)
        rc = r->args[1] && !mi.seek
                 ? -EINVAL
                 : rw_verify(r->args[1] ? oin : mi.pos, (size_t)A(4));
    else
        rc = -EINVAL;
    if (rc)
        goto out;
    rc = lin < 0 ? end_host(r, &in, gin, false) : 0;
    if (!rc && lout < 0)
        rc = end_host(r, &out, gout, true);
    if (rc == -EPIPE)
        sigpipe(r);
    if (rc)
        goto out;
    if (r->args[1])
        in.off = &oin;
    if (r->args[3])
        out.off = &oout;
    if (mo.pipe && !mi.pipe) {
        rc = wait_space(r, &out, nonblock);
        if (!rc && mi.noread && count)
            rc = -EINVAL;
        if (rc)
            goto out;
    }
    rc = move(r, &in, &out, count, nonblock);
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
        return *fl < 0 ? *fl : *fl & O_PATH ? -EBADF : 0;
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
    return *fl & O_PATH ? -EBADF : 0; /* fdget finds no file */
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
        if (read_off(r, r->args[1], &oi) || read_off(r, r->args[3], &oo))
            return -EFAULT;
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

/* tee with an lx end: do_tee's order (flags, a zero length, the ends'
 * modes), then EINVAL, as an lx FIFO is no pipe of the host's. */
static long tee_lx(struct kbox_req *r, int a, int b, int la, int lb)
{
    struct fmode mi, mo;
    long rc;

    if (A(3) & ~SPLICE_F_ALL)
        return -EINVAL;
    if (!A(2))
        return 0;
    if ((rc = fmode_of(r, a, la, &mi, NULL)) ||
        (rc = fmode_of(r, b, lb, &mo, NULL)))
        return rc;
    return !mi.rd || !mo.wr ? -EBADF : -EINVAL;
}

/* vmsplice of an lx fd: the flags, the fd's mode and the iovec are
 * checked before Linux finds it is no pipe; an empty iovec is 0. */
static long vmsplice_lx(struct kbox_req *r, int lxfd)
{
    unsigned long n = (unsigned long)A(2);
    struct fmode m;
    size_t total = 0;
    long rc;

    if (A(3) & ~SPLICE_F_ALL)
        return -EINVAL;
    if ((rc = fmode_of(r, FD(0), lxfd, &m, NULL)))
        return rc;
    if (!m.rd && !m.wr)
        return -EBADF;
    if (n > IOV_MAX)
        return -EINVAL;
    for (unsigned long i = 0; i < n; i++) {
        struct iovec v;

        if (r->ops->read(r, r->args[1] + i * sizeof(v), &v, sizeof(v)))
            return -EFAULT;
        if ((ssize_t)v.iov_len < 0)
            return -EINVAL;
        total |= v.iov_len; /* only whether any byte is asked for */
    }
    return total ? -EBADF : 0;
}

struct kbox_resp kbox_copy_handle(struct kbox_req *r)
{
    struct kbox_fdt *ta, *tb;
    int a = FD(0), b;
    int la, lb;
    long rc;

    switch (r->nr) {
    case SYS_vmsplice: /* guest memory and a pipe: the host's, or none */
        return kbox_lxfd(r, a) < 0 ? kbox_continue()
                                   : kbox_ret(vmsplice_lx(r, kbox_lxfd(r, a)));
    case SYS_splice:
        if (!A(4)) /* before the flags and the fds are looked at */
            return kbox_lxfd(r, a) < 0 && kbox_lxfd(r, FD(2)) < 0
                       ? kbox_continue()
                       : kbox_ret(0);
        b = FD(2);
        break;
    case SYS_sendfile:
        b = FD(1);
        break;
    case SYS_copy_file_range:
        b = FD(2);
        break;
    default: /* tee */
        b = FD(1);
        break;
    }
    /* held: the copy may go on for a while, and the guest's close of
     * a number must not let the next open reuse the lx fd meanwhile */
    la = kbox_lxfd_hold(r, a, &ta);
    lb = kbox_lxfd_hold(r, b, &tb);
    if (la == -ENOMEM || lb == -ENOMEM) {
        rc = -ENOMEM;
        goto out;
    }
    /* a host file written: by the host's call, or by kbox from lx
     * (copy_file_range across file systems is EXDEV: nothing written) */
    if ((r->nr == SYS_sendfile ? la < 0 : lb < 0) &&
        (r->nr != SYS_copy_file_range || la < 0) &&
        (rc = kbox_hostfd_kill_privs(r, r->nr == SYS_sendfile ? a : b,
                                     la >= 0 || lb >= 0)))
        goto out;
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
        rc = tee_lx(r, a, b, la, lb);
        goto out;
    }
    /* A FIFO drained or filled: its readiness mirrors follow. */
    if (la >= 0 && kbox_fdt_mirror(r->proc->fdt, a))
        kbox_mirror_sync(r, la);
    if (lb >= 0 && kbox_fdt_mirror(r->proc->fdt, b))
        kbox_mirror_sync(r, lb);
out:
    kbox_lxfd_release(r, ta, la);
    kbox_lxfd_release(r, tb, lb);
    return kbox_ret(rc);
}
