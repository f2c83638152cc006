/* SPDX-License-Identifier: MIT */
/*
 * Differential fuzzer for ioctl and fcntl on every kind of file.
 *
 * usage: ioctl-fuzz DIR SEED NOPS
 *
 * DIR must be empty. The program makes a file with data (f0, opened
 * read-write; f1 the same file read-only), a directory (d0), a FIFO (p0)
 * there, and opens /dev/null, zero, full, random, urandom, tty (no
 * controlling terminal: the program makes its own session), a pty pair,
 * /proc and /sys files, a pipe, a unix and a UDP socket, a memfd and an
 * eventfd. Then NOPS seeded calls: FIONREAD, FIONBIO, FIOASYNC, FIOCLEX/
 * FIONCLEX, FIOQSIZE, FIGETBSZ, FIBMAP, FS_IOC_GETFLAGS/SETFLAGS (and the
 * effect of a, i, d, A on writes, opens, truncates, renames, unlinks,
 * links, chmod), GETVERSION/SETVERSION, FSGETXATTR/FSSETXATTR (flags and
 * project id), FICLONE/FICLONERANGE/FIDEDUPERANGE, FITRIM, BLK*, TCGETS
 * and TIOCGWINSZ, GETFSLABEL/GETFSUUID/GETFSSYSFSPATH, the encryption
 * policy, FIEMAP, unknown numbers, bad pointers; fcntl F_GETFL/F_SETFL
 * (O_APPEND, O_NONBLOCK, O_DIRECT, O_NOATIME, O_ASYNC), F_GET/SET_RW_HINT,
 * F_GET/SETPIPE_SZ, F_ADD/GET_SEALS, F_SETSIG/F_GETSIG, F_GETOWN_EX/
 * F_SETOWN_EX. One line per call, errno names, values only where the
 * same on every file system of a kind.
 *
 * Lines starting "F " depend on the file system of DIR (ext4 and tmpfs
 * differ): compare them only between directories on the same kind. "X "
 * lines depend on its features too (ext4's metadata_csum).
 * IOFUZZ_NOROOT=1 leaves out what needs a real root (chattr +i/+a), for
 * a native run as root of a user namespace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/fscrypt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "fuzz-util.h"
#include "kbox/uapi-compat.h"
#include "op-trace.h"

static bool isroot, noroot;

/* a call's result, errno taken at once */
#define R(call)            \
    ({                     \
        long r_;           \
        errno = 0;         \
        r_ = (long)(call); \
        res(r_, errno);    \
    })

enum kind {
    KFILE,
    KDIR,
    KFIFO,
    KDEV,
    KTTY,
    KPROC,
    KPIPE,
    KSOCK,
    KMEMFD,
    KEVFD
};
struct obj {
    const char *name;
    enum kind k;
    bool fs; /* in DIR: its results may be the file system's */
    int fd;
};
static struct obj objs[] = {
    { "f0", KFILE, true, -1 },       { "f1", KFILE, true, -1 },
    { "d0", KDIR, true, -1 },        { "dot", KDIR, true, -1 },
    { "p0", KFIFO, true, -1 },       { "null", KDEV, false, -1 },
    { "zero", KDEV, false, -1 },     { "full", KDEV, false, -1 },
    { "random", KDEV, false, -1 },   { "urandom", KDEV, false, -1 },
    { "ptmx", KTTY, false, -1 },     { "pts", KTTY, false, -1 },
    { "procver", KPROC, false, -1 }, { "procstat", KPROC, false, -1 },
    { "procdir", KPROC, false, -1 }, { "sysfile", KPROC, false, -1 },
    { "pipe-r", KPIPE, false, -1 },  { "pipe-w", KPIPE, false, -1 },
    { "unix", KSOCK, false, -1 },    { "udp", KSOCK, false, -1 },
    { "memfd", KMEMFD, false, -1 },  { "eventfd", KEVFD, false, -1 },
};
#define NOBJ (int)(sizeof(objs) / sizeof(objs[0]))

/* objects the caller owns natively and under kbox (a host object of a
 * root kbox is root's, so owner checks on others differ) */
static bool owned(const struct obj *o)
{
    return o->fs || o->k == KPIPE || o->k == KSOCK || o->k == KMEMFD;
}

static struct obj *pick(void)
{
    return &objs[rnd(NOBJ)];
}

static const char *tag(const struct obj *o)
{
    return o->fs ? "F " : "";
}

/* ---- ioctls with a value out ---- */

static void op_getint(void)
{
    static const struct {
        const char *n;
        unsigned long req;
        bool show; /* the value is the same wherever the call works */
        bool fs;   /* the result is the file system's */
    } t[] = {
        { "FIONREAD", FIONREAD, true, false },
        { "FIGETBSZ", FIGETBSZ, true, true },
        { "FS_IOC_GETFLAGS", FS_IOC_GETFLAGS, false, true },
        { "FS_IOC_GETVERSION", FS_IOC_GETVERSION, false, true },
        { "TIOCOUTQ", TIOCOUTQ, false, false },
        { "TIOCGPTN", TIOCGPTN, false, false },
        { "BLKSSZGET", BLKSSZGET, true, false },
        { "BLKROGET", BLKROGET, true, false },
        { "TIOCGPGRP", TIOCGPGRP, false, false },
    };
    struct obj *o = pick();
    int i = (int)rnd(sizeof(t) / sizeof(t[0]));
    int v = -12345;
    bool bad = rnd(8) == 0;
    long rc;

    errno = 0;
    rc = ioctl(o->fd, t[i].req, bad ? (void *)8 : (void *)&v);
    if (rc == 0 && !bad && t[i].show)
        out(o->fs && t[i].fs ? "F " : "", "%s %s -> ok %d", t[i].n, o->name, v);
    else
        out(o->fs && t[i].fs ? "F " : "", "%s %s%s -> %s", t[i].n, o->name,
            bad ? " badptr" : "", res(rc, errno));
}

static void op_getbig(void)
{
    static const struct {
        const char *n;
        unsigned long req;
    } t[] = {
        { "TCGETS", TCGETS },
        { "TIOCGWINSZ", TIOCGWINSZ },
        { "BLKGETSIZE64", BLKGETSIZE64 },
        { "FS_IOC_GETFSLABEL", FS_IOC_GETFSLABEL },
        { "FS_IOC_GETFSUUID", FS_IOC_GETFSUUID },
        { "FS_IOC_GETFSSYSFSPATH", FS_IOC_GETFSSYSFSPATH },
        { "FS_IOC_GET_ENCRYPTION_POLICY", FS_IOC_GET_ENCRYPTION_POLICY },
        { "FS_IOC_GET_ENCRYPTION_POLICY_EX", FS_IOC_GET_ENCRYPTION_POLICY_EX },
        { "FIOQSIZE", FIOQSIZE },
    };
    static unsigned char buf[512];
    struct obj *o = pick();
    int i = (int)rnd(sizeof(t) / sizeof(t[0]));
    bool bad = rnd(8) == 0;
    char extra[64] = "";
    long rc;

    memset(buf, 0, sizeof(buf));
    if (t[i].req == FS_IOC_GET_ENCRYPTION_POLICY_EX)
        buf[0] = 0xff; /* the size of the buffer, in a u64 */
    errno = 0;
    rc = ioctl(o->fd, t[i].req, bad ? (void *)8 : (void *)buf);
    if (rc == 0 && !bad) {
        if (t[i].req == FS_IOC_GETFSUUID)
            snprintf(extra, sizeof(extra), " len %u", buf[0]);
        else if (t[i].req == FS_IOC_GETFSSYSFSPATH)
            snprintf(extra, sizeof(extra), " %.*s",
                     (int)strcspn((char *)buf + 1, "/"), buf + 1);
    }
    out(o->fs || t[i].req != TIOCGWINSZ ? tag(o) : "", "%s %s%s -> %s%s",
        t[i].n, o->name, bad ? " badptr" : "", res(rc, errno), extra);
}

/* FIONBIO and FIOASYNC, then the file status flags */
static void op_fionbio(void)
{
    struct obj *o = pick();
    bool async = rnd(3) == 0;
    int v = (int)rnd(2), fl;
    bool bad = rnd(10) == 0;
    long rc;

    errno = 0;
    rc = ioctl(o->fd, async ? FIOASYNC : FIONBIO, bad ? (void *)8 : (void *)&v);
    fl = fcntl(o->fd, F_GETFL);
    out("", "%s %s %d%s -> %s nonblock %d async %d",
        async ? "FIOASYNC" : "FIONBIO", o->name, v, bad ? " badptr" : "",
        res(rc, errno), !!(fl & O_NONBLOCK), !!(fl & O_ASYNC));
}

static void op_cloexec(void)
{
    struct obj *o = pick();
    bool set = rnd(2);
    long rc;

    errno = 0;
    rc = ioctl(o->fd, set ? FIOCLEX : FIONCLEX);
    out("", "%s %s -> %s fd %d", set ? "FIOCLEX" : "FIONCLEX", o->name,
        res(rc, errno), fcntl(o->fd, F_GETFD));
}

/* ---- file attributes ---- */

static const struct {
    char c;
    int fl;
} attrs[] = {
    { 'a', FS_APPEND_FL },  { 'i', FS_IMMUTABLE_FL }, { 'd', FS_NODUMP_FL },
    { 'A', FS_NOATIME_FL }, { 'S', FS_SYNC_FL },      { 'D', FS_DIRSYNC_FL },
    { 's', FS_SECRM_FL },   { 'u', FS_UNRM_FL },      { 'c', FS_COMPR_FL },
    { 't', FS_NOTAIL_FL },  { 'T', FS_TOPDIR_FL }, /* not j: a host's ext4
                                                        may refuse it */
};
#define NATTR (int)(sizeof(attrs) / sizeof(attrs[0]))
/* what both ext4 and tmpfs keep */
#define COMMON_FL \
    (FS_APPEND_FL | FS_IMMUTABLE_FL | FS_NODUMP_FL | FS_NOATIME_FL)

static void attrstr(char *b, int fl)
{
    int n = 0;

    for (int i = 0; i < NATTR; i++)
        if (fl & attrs[i].fl)
            b[n++] = attrs[i].c;
    if (!n)
        b[n++] = '-';
    b[n] = 0;
}

static struct obj *attr_target(void)
{
    static const int t[] = { 0, 0, 0, 2, 3, 5, 12, 16, 20 };

    return &objs[t[rnd(sizeof(t) / sizeof(t[0]))]];
}

static void show_flags(struct obj *o)
{
    int fl = 0;
    char b[16];
    long rc;

    errno = 0;
    rc = ioctl(o->fd, FS_IOC_GETFLAGS, &fl);
    attrstr(b, fl & COMMON_FL);
    out(tag(o), "  flags %s -> %s %s", o->name, res(rc, errno), rc ? "" : b);
}

static void op_setflags(void)
{
    struct obj *o = attr_target();
    int fl = 0, want = 0;
    char b[16];
    long rc;
    bool other = rnd(6) == 0;

    if (!o->fs && rnd(2))
        o = &objs[0];
    ioctl(o->fd, FS_IOC_GETFLAGS, &fl);
    for (int i = 0; i < 4; i++)
        if (rnd(3) == 0)
            want |= attrs[i].fl;
    /* a and i need CAP_LINUX_IMMUTABLE: a root kbox's host objects let
     * a guest user set them (a known gap) */
    if (noroot || !o->fs)
        want &= ~(FS_APPEND_FL | FS_IMMUTABLE_FL);
    if (other)
        want |= attrs[4 + rnd(NATTR - 4)].fl;
    fl = (fl & ~(COMMON_FL)) | want;
    attrstr(b, want);
    errno = 0;
    rc = ioctl(o->fd, FS_IOC_SETFLAGS, rnd(12) ? (void *)&fl : (void *)8);
    out(other ? "F " : tag(o), "SETFLAGS %s %s -> %s", o->name, b,
        res(rc, errno));
    show_flags(o);
}

/* what the attributes allow now in DIR */
static void op_effects(void)
{
    int fd;
    long rc;
    struct stat st;

    errno = 0;
    rc = pwrite(objs[0].fd, "w", 1, 3);
    out("F ", "  pwrite f0 -> %s", res(rc, errno));
    errno = 0;
    fd = open("f0", O_WRONLY);
    out("F ", "  open f0 wronly -> %s", res(fd < 0 ? -1 : 0, errno));
    if (fd >= 0)
        close(fd);
    errno = 0;
    fd = open("f0", O_WRONLY | O_APPEND);
    out("F ", "  open f0 append -> %s", res(fd < 0 ? -1 : 0, errno));
    if (fd >= 0) {
        errno = 0;
        rc = write(fd, "ap", 2);
        out("F ", "  append f0 -> %s", res(rc, errno));
        close(fd);
    }
    errno = 0;
    rc = ftruncate(objs[0].fd, 200);
    out("F ", "  ftruncate f0 -> %s", res(rc, errno));
    errno = 0;
    rc = chmod("f0", 0644);
    out("F ", "  chmod f0 -> %s", res(rc, errno));
    errno = 0;
    rc = link("f0", "f0.l");
    out("F ", "  link f0 -> %s", res(rc, errno));
    unlink("f0.l");
    errno = 0;
    rc = rename("f0", "f0.r");
    out("F ", "  rename f0 -> %s", res(rc, errno));
    if (!rc)
        rename("f0.r", "f0");
    errno = 0;
    fd = open("d0/n", O_CREAT | O_WRONLY, 0644);
    out("F ", "  create d0/n -> %s", res(fd < 0 ? -1 : 0, errno));
    if (fd >= 0)
        close(fd);
    errno = 0;
    rc = unlink("d0/n");
    out("F ", "  unlink d0/n -> %s", res(rc, errno));
    errno = 0;
    rc = stat("f0", &st);
    out("F ", "  size f0 %lld", rc ? -1LL : (long long)st.st_size);
}

/* clear what can be cleared, so that the directory can go */
static void clear_flags(void)
{
    for (int i = 0; i < 4; i++) {
        int fl = 0;

        if (i == 1 || objs[i].fd < 0)
            continue;
        if (!ioctl(objs[i].fd, FS_IOC_GETFLAGS, &fl) && (fl & COMMON_FL)) {
            fl &= ~COMMON_FL;
            ioctl(objs[i].fd, FS_IOC_SETFLAGS, &fl);
        }
    }
}

static void op_fsxattr(void)
{
    struct obj *o = attr_target();
    struct fsxattr fa;
    static const uint32_t xf[] = { 0,
                                   FS_XFLAG_NODUMP,
                                   FS_XFLAG_NOATIME,
                                   FS_XFLAG_APPEND,
                                   FS_XFLAG_IMMUTABLE,
                                   FS_XFLAG_SYNC,
                                   FS_XFLAG_PROJINHERIT,
                                   FS_XFLAG_REALTIME };
    uint32_t x = xf[rnd(sizeof(xf) / sizeof(xf[0]))];
    uint32_t proj = rnd(4) == 0 ? 42 : 0;
    long rc;

    if ((noroot || !o->fs) && (x == FS_XFLAG_APPEND || x == FS_XFLAG_IMMUTABLE))
        x = 0;
    memset(&fa, 0, sizeof(fa));
    errno = 0;
    rc = ioctl(o->fd, FS_IOC_FSGETXATTR, &fa);
    out(tag(o), "FSGETXATTR %s -> %s xflags %x proj %u", o->name,
        res(rc, errno), rc ? 0 : fa.fsx_xflags & 0xc8, rc ? 0 : fa.fsx_projid);
    fa.fsx_xflags = x;
    fa.fsx_projid = proj;
    errno = 0;
    rc = ioctl(o->fd, FS_IOC_FSSETXATTR, &fa);
    out(tag(o), "FSSETXATTR %s %x proj %u -> %s", o->name, x, proj,
        res(rc, errno));
    show_flags(o);
}

static void op_version(void)
{
    struct obj *o = attr_target();
    int v = 7;
    long rc;

    /* ext4 refuses it with metadata_csum (the image has it, a host's
     * file system may not): "X " lines */
    errno = 0;
    rc = ioctl(o->fd, FS_IOC_SETVERSION, &v);
    out(o->fs ? "X " : "", "SETVERSION %s -> %s", o->name, res(rc, errno));
    v = 0;
    errno = 0;
    rc = ioctl(o->fd, FS_IOC_GETVERSION, &v);
    out(o->fs ? "X " : "", "GETVERSION %s -> %s%s", o->name, res(rc, errno),
        rc == 0 && v == 7 ? " 7" : "");
}

/* ---- clones and dedupes: the source f1, the memfd, a pipe ---- */
static void op_clone(void)
{
    static const int srcs[] = { 1, 0, 20, 16, 5 };
    struct obj *d = attr_target(), *s = &objs[srcs[rnd(5)]];
    int k = (int)rnd(3);
    long rc;

    errno = 0;
    if (k == 0) {
        rc = ioctl(d->fd, FICLONE, s->fd);
    } else if (k == 1) {
        struct file_clone_range r = { (int64_t)s->fd, 0, 0, 0 };

        rc = ioctl(d->fd, FICLONERANGE, &r);
    } else {
        struct {
            struct file_dedupe_range r;
            struct file_dedupe_range_info i;
        } dd;

        memset(&dd, 0, sizeof(dd));
        dd.r.src_length = 4096;
        dd.r.dest_count = 1;
        dd.i.dest_fd = d->fd;
        rc = ioctl(s->fd, FIDEDUPERANGE, &dd);
        if (rc == 0) {
            out(tag(d), "FIDEDUPERANGE %s -> %s: ok status %d bytes %llu",
                s->name, d->name, dd.i.status,
                (unsigned long long)dd.i.bytes_deduped);
            return;
        }
    }
    out(d->fs || s->fs ? "F " : "", "%s %s -> %s: %s",
        k == 0   ? "FICLONE"
        : k == 1 ? "FICLONERANGE"
                 : "FIDEDUPERANGE",
        s->name, d->name, res(rc, errno));
}

static void op_admin(void)
{
    struct obj *o = pick();
    int k = (int)rnd(3);
    long rc;

    errno = 0;
    if (k == 0) {
        struct fstrim_range r = { 0, UINT64_MAX, 0 };

        /* a root's trim would run on the host's disk natively: only its
         * refusal is compared; a device's driver answers an unknown ioctl
         * itself (EINVAL for random) where kbox says ENOTTY */
        if ((isroot && o->fs) || o->k == KDEV) {
            out("", "skip");
            return;
        }
        rc = ioctl(o->fd, FITRIM, &r);
        out(tag(o), "FITRIM %s -> %s", o->name, res(rc, errno));
    } else if (k == 1) {
        int b = 0;

        rc = ioctl(o->fd, FIBMAP, &b);
        out(tag(o), "FIBMAP %s -> %s", o->name, res(rc, errno));
    } else {
        static const unsigned long bogus[] = {
            _IO('X', 0x7f),
            _IOR('f', 0x7e, int),
            _IOW(0x94, 0x70, long),
            0,
            0xdeadbeef,
            _IOWR('T', 0xee, int),
            _IO(0x15, 0x30),
            0x5401ff,
        };
        unsigned long req = bogus[rnd(sizeof(bogus) / sizeof(bogus[0]))];

        rc = ioctl(o->fd, req, 8);
        out(tag(o), "ioctl %s %lx -> %s", o->name, req, res(rc, errno));
    }
}

static void op_fiemap(void)
{
    struct obj *o = attr_target();
    struct {
        struct fiemap f;
        struct fiemap_extent e[4];
    } m;
    int k = (int)rnd(3);
    long rc;

    memset(&m, 0, sizeof(m));
    m.f.fm_length = ~0ULL;
    m.f.fm_flags = FIEMAP_FLAG_SYNC;
    m.f.fm_extent_count = k == 0 ? 0 : 4;
    if (k == 2)
        m.f.fm_flags |= 0x40000000; /* unknown: EBADR, fm_flags tells */
    errno = 0;
    rc = ioctl(o->fd, FS_IOC_FIEMAP, rnd(10) ? (void *)&m : (void *)8);
    out(tag(o), "FIEMAP %s k%d -> %s mapped %u flags %x", o->name, k,
        res(rc, errno), rc == 0 ? m.f.fm_mapped_extents : 0,
        rc == 0 || errno == EBADR ? m.f.fm_flags : 0);
}

/* ---- fcntl ---- */

static void op_setfl(void)
{
    static const int cand[] = { O_APPEND, O_NONBLOCK, O_DIRECT, O_NOATIME,
                                O_ASYNC };
    struct obj *o = pick();
    int fl = 0, got;
    long rc;

    for (int i = 0; i < 5; i++)
        if (rnd(3) == 0)
            fl |= cand[i];
    if ((isroot || !owned(o)) && (fl & O_NOATIME) && !o->fs)
        fl &= ~O_NOATIME; /* the owner's or a root's right */
    errno = 0;
    rc = fcntl(o->fd, F_SETFL, fl);
    got = fcntl(o->fd, F_GETFL);
    /* F_GETFL never shows O_DIRECT under kbox (a known gap): not shown,
     * and taken off again, so that later writes do the same */
    out(fl & (O_DIRECT | O_NOATIME) ? tag(o) : "",
        "F_SETFL %s %x -> %s getfl %x", o->name, (unsigned)fl, res(rc, errno),
        (unsigned)got &
            (O_APPEND | O_NONBLOCK | O_NOATIME | O_ASYNC | O_ACCMODE));
    if (got >= 0 && (got & O_DIRECT))
        fcntl(o->fd, F_SETFL, got & ~O_DIRECT);
}

static void op_rwhint(void)
{
    struct obj *o = pick();
    uint64_t h = rnd(7), g = 99;
    long rc, rc2;
    int e;

    while (!owned(o))
        o = pick();
    /* Linux 6.12 refuses a hint on an immutable file, later ones do not */
    if (!ioctl(o->fd, FS_IOC_GETFLAGS, &e) && (e & FS_IMMUTABLE_FL)) {
        out(tag(o), "skip");
        return;
    }
    if (h == 6)
        h = 9;
    errno = 0;
    rc = fcntl(o->fd, F_SET_RW_HINT, &h);
    e = errno;
    errno = 0;
    rc2 = fcntl(o->fd, F_GET_RW_HINT, &g);
    out(tag(o), "F_SET_RW_HINT %s %llu -> %s get %s %llu", o->name,
        (unsigned long long)h, res(rc, e), res(rc2, errno),
        (unsigned long long)(rc2 ? 0 : g));
}

static void op_pipesz(void)
{
    static const long sz[] = {
        0, 4096, 5000, 65536, 1 << 20, (1 << 20) + 1, -1
    };
    struct obj *o = pick();
    long s = sz[rnd(sizeof(sz) / sizeof(sz[0]))], rc;
    int e;

    if (isroot && s > (1 << 20))
        s = 65536; /* a root may pass the limit */
    errno = 0;
    rc = rnd(3) ? fcntl(o->fd, F_SETPIPE_SZ, s) : 0;
    e = errno;
    errno = 0;
    out("", "F_SETPIPE_SZ %s %ld -> %s get %s", o->name, s, res(rc, e),
        R(fcntl(o->fd, F_GETPIPE_SZ)));
}

static void op_seals(void)
{
    struct obj *o = rnd(2) ? &objs[20] : pick();
    static const int sl[] = { F_SEAL_WRITE,           F_SEAL_GROW,
                              F_SEAL_SHRINK,          F_SEAL_FUTURE_WRITE,
                              0x20 /* F_SEAL_EXEC */, 0x100 };
    int s = sl[rnd(6)];
    long rc;
    int e;

    errno = 0;
    rc = fcntl(o->fd, F_ADD_SEALS, s);
    e = errno;
    errno = 0;
    out(tag(o), "F_ADD_SEALS %s %x -> %s get %s", o->name, (unsigned)s,
        res(rc, e), R(fcntl(o->fd, F_GET_SEALS)));
    if (o == &objs[20]) {
        errno = 0;
        rc = pwrite(o->fd, "m", 1, 100);
        out("", "  pwrite memfd -> %s", res(rc, errno));
        errno = 0;
        rc = ftruncate(o->fd, 50);
        out("", "  ftruncate memfd -> %s", res(rc, errno));
    }
}

static void op_sig(void)
{
    struct obj *o = pick();
    const int sg[] = { 0, SIGUSR1, SIGRTMIN + 2, 64, 65, -1 };
    int s = sg[rnd(6)];
    long rc;
    int e;

    errno = 0;
    rc = fcntl(o->fd, F_SETSIG, s);
    e = errno;
    errno = 0;
    out("", "F_SETSIG %s %d -> %s get %s", o->name, s, res(rc, e),
        R(fcntl(o->fd, F_GETSIG)));
}

static void op_own(void)
{
    struct obj *o = pick();
    struct f_owner_ex ex = { 0, 0 };
    int k = (int)rnd(4);
    long rc = 0;
    int e = 0;

    /* not F_OWNER_PGRP: lx does not know the guest's process groups (a
     * known gap) */
    if (k < 3) {
        ex.type = k == 0 ? F_OWNER_PID : k == 1 ? F_OWNER_TID : 99;
        ex.pid = getpid();
        errno = 0;
        rc = fcntl(o->fd, F_SETOWN_EX, rnd(10) ? (void *)&ex : (void *)8);
        e = errno;
    }
    const char *g;

    memset(&ex, 0, sizeof(ex));
    g = R(fcntl(o->fd, F_GETOWN_EX, &ex));
    out("", "F_SETOWN_EX %s %d -> %s get %s type %d self %d getown %d", o->name,
        k, res(rc, e), g, ex.type, ex.pid == getpid(),
        fcntl(o->fd, F_GETOWN) == getpid());
    ex.type = F_OWNER_PID;
    ex.pid = 0;
    fcntl(o->fd, F_SETOWN_EX, &ex);
}

static int openit(const char *p, int fl)
{
    int fd = open(p, fl | O_CLOEXEC);

    if (fd < 0)
        out("", "open %s -> %s", p, strerrorname_np(errno));
    return fd;
}

int main(int argc, char **argv)
{
    int nops, p[2], s[2];
    pid_t pid;

    if (argc != 4) {
        fprintf(stderr, "usage: ioctl-fuzz DIR SEED NOPS\n");
        return 2;
    }
    if (chdir(argv[1])) {
        perror(argv[1]);
        return 2;
    }
    rng = strtoull(argv[2], NULL, 0) * 0x9E3779B97F4A7C15ull + 1;
    nops = atoi(argv[3]);
    isroot = geteuid() == 0;
    noroot = getenv("IOFUZZ_NOROOT") != NULL;
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGIO, SIG_IGN);
    signal(SIGUSR1, SIG_IGN);
    signal(SIGRTMIN + 2, SIG_IGN);
    /* a session of its own: no controlling terminal */
    fflush(stdout);
    pid = fork();
    if (pid < 0)
        return 2;
    if (pid > 0) {
        int st;

        waitpid(pid, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 3;
    }
    setsid();
    umask(022);
    if (mkdir("d0", 0755) || mkfifo("p0", 0644)) {
        perror("setup (DIR must be empty)");
        return 2;
    }
    objs[0].fd = openit("f0", O_RDWR | O_CREAT | O_EXCL);
    if (objs[0].fd < 0 || pwrite(objs[0].fd, "0123456789abcdef", 16, 0) != 16)
        return 2;
    objs[1].fd = openit("f1", O_RDONLY | O_CREAT | O_EXCL);
    objs[2].fd = openit("d0", O_RDONLY | O_DIRECTORY);
    objs[3].fd = openit(".", O_RDONLY | O_DIRECTORY);
    objs[4].fd = openit("p0", O_RDWR);
    objs[5].fd = openit("/dev/null", O_RDWR);
    objs[6].fd = openit("/dev/zero", O_RDWR);
    objs[7].fd = openit("/dev/full", O_RDWR);
    objs[8].fd = openit("/dev/random", O_RDONLY);
    objs[9].fd = openit("/dev/urandom", O_RDWR);
    objs[10].fd = openit("/dev/ptmx", O_RDWR | O_NOCTTY);
    if (objs[10].fd >= 0 && !unlockpt(objs[10].fd))
        objs[11].fd = openit(ptsname(objs[10].fd), O_RDWR | O_NOCTTY);
    objs[12].fd = openit("/proc/version", O_RDONLY);
    objs[13].fd = openit("/proc/self/stat", O_RDONLY);
    objs[14].fd = openit("/proc/self", O_RDONLY | O_DIRECTORY);
    objs[15].fd = openit("/sys/kernel/uevent_seqnum", O_RDONLY);
    if (pipe2(p, O_CLOEXEC) || socketpair(AF_UNIX, SOCK_STREAM, 0, s))
        return 2;
    objs[16].fd = p[0];
    objs[17].fd = p[1];
    objs[18].fd = s[0];
    objs[19].fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    objs[20].fd = memfd_create("fz", MFD_ALLOW_SEALING | MFD_CLOEXEC);
    objs[21].fd = eventfd(0, EFD_CLOEXEC);
    if (objs[20].fd < 0 || pwrite(objs[20].fd, "memfd", 5, 0) != 5)
        return 2;
    write(p[1], "pipe", 4);
    write(s[1], "sock", 4);
    {
        int d = open("/dev/tty", O_RDWR);

        out("", "open /dev/tty -> %s", res(d < 0 ? -1 : 0, errno));
    }

    for (opno = 1; opno <= nops; opno++) {
        uint32_t k = rnd(100);

        if (k < 12)
            op_getint();
        else if (k < 22)
            op_getbig();
        else if (k < 28)
            op_fionbio();
        else if (k < 31)
            op_cloexec();
        else if (k < 41)
            op_setflags();
        else if (k < 47)
            op_effects();
        else if (k < 52)
            op_fsxattr();
        else if (k < 55)
            op_version();
        else if (k < 60)
            op_clone();
        else if (k < 65)
            op_admin();
        else if (k < 69)
            op_fiemap();
        else if (k < 77)
            op_setfl();
        else if (k < 81)
            op_rwhint();
        else if (k < 86)
            op_pipesz();
        else if (k < 91)
            op_seals();
        else if (k < 95)
            op_sig();
        else
            op_own();
        if (rnd(15) == 0)
            clear_flags();
    }
    clear_flags();
    opno = 0;
    out("", "end");
    return 0;
}
