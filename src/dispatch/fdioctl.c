/* SPDX-License-Identifier: MIT */
/*
 * ioctl on the guest's fds (split from fd.c): lx files' ioctls with their
 * arguments copied in and out of the guest, host objects' checked then
 * CONTINUEd or made by kbox (hostfd.c); and the fcntl commands on lx
 * files whose argument is a pointer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/fscrypt.h>
#include <linux/fsverity.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "hostfd.h"
#include "kbox/abi.h"
#include "kbox/dispatch.h"
#include "kbox/uapi-compat.h"

#define A(i)  ((long)r->args[i])
#define FD(i) ((int)kbox_arg_int(r->args[i]))

/* An lx ioctl whose argument points to @in bytes it reads or @out bytes
 * it writes. */
static struct kbox_resp ioctl_copy(struct kbox_req *r, int fd,
                                   unsigned long req, size_t in, size_t out)
{
    unsigned char buf[FSLABEL_MAX]; /* the largest: lx writes it whole */
    long rc;

    if (in > sizeof(buf) || out > sizeof(buf))
        return kbox_ret(-EINVAL);
    memset(buf, 0, sizeof(buf));
    if (in && r->ops->read(r, r->args[2], buf, in))
        return kbox_ret(-EFAULT);
    rc = kbox_lx(r, LX__NR_ioctl, fd, (long)req, (long)buf, 0, 0, 0);
    if (rc >= 0 && out && r->ops->write(r, r->args[2], buf, out))
        rc = -EFAULT;
    return kbox_ret(rc);
}

/*
 * FS_IOC_FIEMAP (filefrag, e2fsprogs, copy tools): the header in, the
 * header and the extents out. At most FIEMAP_MAX extents a call: a
 * caller asking for more gets the first ones without FIEMAP_EXTENT_LAST
 * on the last, and asks again from there, as filefrag does.
 */
#define FIEMAP_MAX 4096
static struct kbox_resp ioctl_fiemap(struct kbox_req *r, int fd)
{
    struct fiemap h, *fm;
    size_t n;
    long rc;

    if (r->ops->read(r, r->args[2], &h, sizeof(h))) {
        /* a file system without FIEMAP says so before reading it */
        memset(&h, 0, sizeof(h));
        rc = kbox_lx(r, LX__NR_ioctl, fd, FS_IOC_FIEMAP, (long)&h, 0, 0, 0);
        return kbox_ret(rc == -EOPNOTSUPP || rc == -ENOTTY ? rc : -EFAULT);
    }
    if (h.fm_extent_count > UINT_MAX / sizeof(struct fiemap_extent))
        return kbox_ret(-EINVAL); /* FIEMAP_MAX_EXTENTS */
    n = h.fm_extent_count < FIEMAP_MAX ? h.fm_extent_count : FIEMAP_MAX;
    fm = calloc(1, sizeof(h) + n * sizeof(struct fiemap_extent));
    if (!fm)
        return kbox_ret(-ENOMEM);
    *fm = h;
    fm->fm_extent_count = (uint32_t)n;
    /* Stores into a shared mapping are extents (delalloc) in Linux: lx
     * must see them first, as for SEEK_DATA (h_lseek). */
    if (kbox_shmap_any())
        kbox_shmap_sync_fd(r, fd);
    rc = kbox_lx(r, LX__NR_ioctl, fd, FS_IOC_FIEMAP, (long)fm, 0, 0, 0);
    if (rc >= 0 || rc == -EBADR) { /* EBADR: fm_flags says which */
        size_t out = n ? fm->fm_mapped_extents : 0;

        fm->fm_extent_count = h.fm_extent_count;
        if (r->ops->write(r, r->args[2], fm,
                          sizeof(h) + out * sizeof(struct fiemap_extent)))
            rc = -EFAULT;
    }
    free(fm);
    return kbox_ret(rc);
}

/* Is @g an open host fd of the caller's? */
static bool fcntl_host_open(struct kbox_req *r, int g)
{
    int c = g < 0 ? -1 : kbox_guest_sock(r, g);

    if (c < 0)
        return false;
    close(c);
    return true;
}

/*
 * The guest's argument cannot be read: Linux says EOPNOTSUPP (an image
 * without -O verity), EBADF or ENODATA (no verity file) before it reads
 * it. lx is asked with @probe, which fails at the first check after the
 * copy (@after, no side effect): that one is the copy's EFAULT.
 */
static struct kbox_resp verity_unreadable(struct kbox_req *r, int fd,
                                          unsigned long req, void *probe,
                                          long after)
{
    long rc = kbox_lx(r, LX__NR_ioctl, fd, req, (long)probe, 0, 0, 0);

    return kbox_ret(rc == after || rc >= 0 ? -EFAULT : rc);
}

/*
 * fs-verity (fsverity enable/measure, e.g. from fsverity-utils, on an
 * image made -O verity): the arguments hold pointers into the guest (the
 * salt, the signature, the metadata buffer), copied through kbox.
 */
static struct kbox_resp ioctl_verity_enable(struct kbox_req *r, int fd)
{
    struct fsverity_enable_arg a;
    unsigned char salt[32]; /* FS_VERITY's descriptor holds 32 */
    void *sig = NULL;
    long rc;

    if (r->ops->read(r, r->args[2], &a, sizeof(a))) {
        memset(&a, 0, sizeof(a)); /* version 0: EINVAL */
        return verity_unreadable(r, fd, FS_IOC_ENABLE_VERITY, &a, -EINVAL);
    }
    /* lx's EMSGSIZE comes after its EINVALs, before the file is used */
    if (a.salt_size > sizeof(salt) || a.sig_size > 16128) {
        a.salt_ptr = a.sig_ptr = 0;
        return kbox_ret(kbox_lx(r, LX__NR_ioctl, fd, FS_IOC_ENABLE_VERITY,
                                (long)&a, 0, 0, 0));
    }
    if (a.salt_size && r->ops->read(r, a.salt_ptr, salt, a.salt_size))
        return kbox_ret(-EFAULT);
    if (a.sig_size) {
        sig = malloc(a.sig_size);
        if (!sig)
            return kbox_ret(-ENOMEM);
        if (r->ops->read(r, a.sig_ptr, sig, a.sig_size)) {
            free(sig);
            return kbox_ret(-EFAULT);
        }
    }
    a.salt_ptr = a.salt_size ? (uintptr_t)salt : 0;
    a.sig_ptr = (uintptr_t)sig;
    rc = kbox_lx(r, LX__NR_ioctl, fd, FS_IOC_ENABLE_VERITY, (long)&a, 0, 0, 0);
    free(sig);
    return kbox_ret(rc);
}

/* The caller's digest_size in, the header and the digest out. */
static struct kbox_resp ioctl_verity_measure(struct kbox_req *r, int fd)
{
    struct {
        struct fsverity_digest h;
        unsigned char d[64]; /* FS_VERITY_MAX_DIGEST_SIZE */
    } m;
    long rc;

    if (r->ops->read(r, r->args[2], &m.h, sizeof(m.h))) {
        m.h.digest_size = 0; /* EOVERFLOW */
        return verity_unreadable(r, fd, FS_IOC_MEASURE_VERITY, &m, -EOVERFLOW);
    }
    if (m.h.digest_size > sizeof(m.d))
        m.h.digest_size = sizeof(m.d);
    rc = kbox_lx(r, LX__NR_ioctl, fd, FS_IOC_MEASURE_VERITY, (long)&m, 0, 0, 0);
    if (rc >= 0 &&
        r->ops->write(r, r->args[2], &m, sizeof(m.h) + m.h.digest_size))
        rc = -EFAULT;
    return kbox_ret(rc);
}

/* Up to 64 KiB a call: a read of the metadata may be short, as read(2)
 * is, and fsverity dump_metadata reads on until 0. */
static struct kbox_resp ioctl_verity_read(struct kbox_req *r, int fd)
{
    struct fsverity_read_metadata_arg a;
    uint64_t to;
    void *buf;
    long rc;

    if (r->ops->read(r, r->args[2], &a, sizeof(a))) {
        memset(&a, 0, sizeof(a));
        a.__reserved = 1; /* EINVAL */
        return verity_unreadable(r, fd, FS_IOC_READ_VERITY_METADATA, &a,
                                 -EINVAL);
    }
    if (a.length > 65536)
        a.length = 65536;
    buf = malloc(a.length ? a.length : 1);
    if (!buf)
        return kbox_ret(-ENOMEM);
    to = a.buf_ptr;
    a.buf_ptr = (uintptr_t)buf;
    rc = kbox_lx(r, LX__NR_ioctl, fd, FS_IOC_READ_VERITY_METADATA, (long)&a, 0,
                 0, 0);
    if (rc > 0 && r->ops->write(r, to, buf, (size_t)rc))
        rc = -EFAULT;
    free(buf);
    return kbox_ret(rc);
}

/*
 * FS_IOC_GET_ENCRYPTION_POLICY_EX: the caller's buffer size in the first
 * u64, then as much of the policy as lx says it has.
 */
static struct kbox_resp ioctl_policy_ex(struct kbox_req *r, int fd)
{
    unsigned char buf[8 + sizeof(struct fscrypt_policy_v2)];
    uint64_t sz;
    long rc;

    memset(buf, 0, sizeof(buf));
    if (r->ops->read(r, r->args[2], buf, sizeof(sz))) {
        /* a file system without the ioctl says so before reading */
        rc = kbox_lx(r, LX__NR_ioctl, fd, FS_IOC_GET_ENCRYPTION_POLICY_EX,
                     (long)buf, 0, 0, 0);
        return kbox_ret(rc == -EOPNOTSUPP || rc == -ENOTTY ? rc : -EFAULT);
    }
    memcpy(&sz, buf, sizeof(sz));
    if (sz > sizeof(struct fscrypt_policy_v2))
        sz = sizeof(struct fscrypt_policy_v2);
    memcpy(buf, &sz, sizeof(sz));
    rc = kbox_lx(r, LX__NR_ioctl, fd, FS_IOC_GET_ENCRYPTION_POLICY_EX,
                 (long)buf, 0, 0, 0);
    if (rc >= 0) {
        memcpy(&sz, buf, sizeof(sz));
        if (r->ops->write(r, r->args[2], buf, sizeof(sz) + sz))
            rc = -EFAULT;
    }
    return kbox_ret(rc);
}

/*
 * FIDEDUPERANGE: the source is this lx fd, the destinations guest fds.
 * Those of host objects are another file system's: EXDEV in their
 * status, as natively (the call itself fails only on the source).
 */
static struct kbox_resp ioctl_dedupe(struct kbox_req *r, int fd)
{
    struct file_dedupe_range h, *d;
    size_t sz;
    long rc;

    if (r->ops->read(r, r->args[2], &h, sizeof(h)))
        return kbox_ret(-EFAULT);
    sz = sizeof(h) + (size_t)h.dest_count * sizeof(d->info[0]);
    if (sz > 4096) /* PAGE_SIZE, as Linux limits it */
        return kbox_ret(-ENOMEM);
    d = calloc(1, sz);
    if (!d)
        return kbox_ret(-ENOMEM);
    if (r->ops->read(r, r->args[2], d, sz)) {
        free(d);
        return kbox_ret(-EFAULT);
    }
    /* the count read first sized the copy: another guest thread may
     * have changed it since */
    uint16_t n = h.dest_count;
    uint8_t host[n ? n : 1];

    d->dest_count = n;

    for (uint16_t i = 0; i < n; i++) {
        int g = (int)d->info[i].dest_fd, l = kbox_lxfd(r, g);

        /* a host object, or no fd at all (lx says EBADF) */
        host[i] = l < 0 && fcntl_host_open(r, g);
        d->info[i].dest_fd = l < 0 ? -1 : l;
    }
    rc = kbox_lx(r, LX__NR_ioctl, fd, FIDEDUPERANGE, (long)d, 0, 0, 0);
    for (uint16_t i = 0; i < n; i++) {
        if (host[i] && d->info[i].status == -EBADF)
            d->info[i].status = -EXDEV;
    }
    if (rc >= 0 && r->ops->write(r, r->args[2], d, sz))
        rc = -EFAULT;
    free(d);
    return kbox_ret(rc);
}

struct kbox_resp kbox_fd_ioctl(struct kbox_req *r)
{
    int gfd = FD(0), fd = kbox_lxfd(r, gfd);
    unsigned long req = (unsigned int)r->args[1];

    if (fd < 0 && kbox_hostfd_fs_admin_ioctl(req))
        return kbox_ret(kbox_hostfd_fs_admin_errno(r, gfd, req));
    if (fd < 0 && kbox_hostfd_net_admin_ioctl(req) && geteuid() == 0 &&
        !kbox_lx_capable(r, CAP_NET_ADMIN))
        return kbox_ret(-EPERM);
    if (fd < 0 && (req == 0x8901 || req == 0x8902)) /* FIOSETOWN,
                                                        SIOCSPGRP */
        return kbox_ret(kbox_hostfd_set_owner(r, gfd, req));
    if (fd < 0 && (req == FICLONE || req == FICLONERANGE)) {
        struct file_clone_range fcr;

        /* from an lx file: the host would see kbox's placeholder there
         * (EINVAL); it is another file system (EXDEV) */
        if (req == FICLONERANGE &&
            r->ops->read(r, r->args[2], &fcr, sizeof(fcr)))
            return kbox_ret(-EFAULT);
        if (kbox_lxfd(r, req == FICLONE ? (int)kbox_arg_int(r->args[2])
                                        : (int)fcr.src_fd) >= 0)
            return kbox_ret(-EXDEV);
        return kbox_continue();
    }
    if (fd < 0) {
        long rc = kbox_hostfd_tty_admin_ioctl(r, gfd, req);

        /* terminals, pipes, sockets: native; a bind's files too */
        if (rc == 1)
            return kbox_ret(0); /* made here */
        return rc ? kbox_ret(rc) : kbox_hostfd_setflags(r, gfd, req);
    }
    switch (req) {
    case FIOCLEX:
    case FIONCLEX: {
        /* lx's ioctl, not F_SETFD: an O_PATH fd is EBADF, as natively */
        long rc = kbox_lx(r, LX__NR_ioctl, fd, req, 0, 0, 0, 0);
        if (rc < 0)
            return kbox_ret(rc);
        kbox_fdt_set_cloexec(r->proc->fdt, gfd, req == FIOCLEX);
        return kbox_continue(); /* the placeholder's flag, on the host */
    }
    case FIONREAD: {
        int v = 0;
        long rc = kbox_lx(r, LX__NR_ioctl, fd, FIONREAD, (long)&v, 0, 0, 0);
        /* an inotify instance's events on binds wait in its host
         * instance, and read() returns them too: inotifywait waits for
         * FIONREAD to count them and saw none */
        if (rc >= 0)
            v += kbox_watch_host_pending(r, fd);
        if (rc >= 0 && r->ops->write(r, r->args[2], &v, sizeof(v)))
            rc = -EFAULT;
        return kbox_ret(rc);
    }
    case FIONBIO: {
        int v;
        if (r->ops->read(r, r->args[2], &v, sizeof(v)))
            return kbox_ret(-EFAULT);
        return kbox_ret(
            kbox_lx(r, LX__NR_ioctl, fd, FIONBIO, (long)&v, 0, 0, 0));
    }
    case FICLONE: { /* the source is a guest fd: another file system's
                       (a host fd) is EXDEV */
        int src = kbox_lxfd(r, (int)kbox_arg_int(r->args[2]));

        if (src < 0)
            return kbox_ret(-EXDEV);
        return kbox_ret(kbox_lx(r, LX__NR_ioctl, fd, FICLONE, src, 0, 0, 0));
    }
    case FICLONERANGE: {
        struct file_clone_range fcr;

        if (r->ops->read(r, r->args[2], &fcr, sizeof(fcr)))
            return kbox_ret(-EFAULT);
        fcr.src_fd = kbox_lxfd(r, (int)fcr.src_fd);
        if (fcr.src_fd < 0)
            return kbox_ret(-EXDEV);
        return kbox_ret(
            kbox_lx(r, LX__NR_ioctl, fd, FICLONERANGE, (long)&fcr, 0, 0, 0));
    }
    /* the file's attributes, as lsattr/chattr and xfs_io use them */
    case FS_IOC_GETFLAGS:
    case FS_IOC_GETVERSION:
    case FIGETBSZ:
        return ioctl_copy(r, fd, req, 0, sizeof(int));
    case FS_IOC_SETFLAGS:
    case FS_IOC_SETVERSION: /* an int, whatever the number says */
        return ioctl_copy(r, fd, req, sizeof(int), 0);
    case FIOASYNC: /* the signals lx sends: sigfwd.c */
        return kbox_ret(kbox_sigfwd_ioctl(r, fd, req));
    case FIOQSIZE:
        return ioctl_copy(r, fd, req, 0, sizeof(long long));
    /* the file system's label, UUID and sysfs name (lsblk, systemd) */
    case FS_IOC_GETFSLABEL:
        return ioctl_copy(r, fd, req, 0, FSLABEL_MAX);
    case FS_IOC_GETFSUUID:
        return ioctl_copy(r, fd, req, 0, sizeof(struct fsuuid2));
    case FS_IOC_GETFSSYSFSPATH:
        return ioctl_copy(r, fd, req, 0, sizeof(struct fs_sysfs_path));
    case FS_IOC_GET_ENCRYPTION_POLICY:
        return ioctl_copy(r, fd, req, 0, sizeof(struct fscrypt_policy_v1));
    case FS_IOC_GET_ENCRYPTION_POLICY_EX:
        return ioctl_policy_ex(r, fd);
    case FS_IOC_ENABLE_VERITY:
        return ioctl_verity_enable(r, fd);
    case FS_IOC_MEASURE_VERITY:
        return ioctl_verity_measure(r, fd);
    case FS_IOC_READ_VERITY_METADATA:
        return ioctl_verity_read(r, fd);
    case FITRIM: /* lx's check (CAP_SYS_ADMIN), lx's disk */
        return ioctl_copy(r, fd, req, sizeof(struct fstrim_range),
                          sizeof(struct fstrim_range));
    case FIDEDUPERANGE:
        return ioctl_dedupe(r, fd);
    case FS_IOC_FSGETXATTR:
        return ioctl_copy(r, fd, req, 0, sizeof(struct fsxattr));
    case FS_IOC_FSSETXATTR:
        return ioctl_copy(r, fd, req, sizeof(struct fsxattr), 0);
    /* the disk's geometry (blockdev --getsize64 /dev/lxda, mkfs, dd) */
    case BLKGETSIZE64:
        return ioctl_copy(r, fd, req, 0, sizeof(uint64_t));
    case BLKGETSIZE:
        return ioctl_copy(r, fd, req, 0, sizeof(unsigned long));
    case BLKSSZGET:
    case BLKBSZGET:
    case BLKPBSZGET:
    case BLKROGET:
    case BLKIOMIN:
    case BLKIOOPT:
        return ioctl_copy(r, fd, req, 0, sizeof(int));
    /* where the file's blocks are in the image */
    case FS_IOC_FIEMAP:
        return ioctl_fiemap(r, fd);
    case FIBMAP:
        return ioctl_copy(r, fd, req, sizeof(int), sizeof(int));
    default:
        /* Terminal ioctls on a regular lx file. */
        return kbox_ret(-ENOTTY);
    }
}

/*
 * Seals on an lx file. lx has no memfd, so its fcntl says EINVAL; Linux
 * checks the fd's write mode first (EPERM), and a tmpfs file that is not
 * a memfd has the seal F_SEAL_SEAL from its creation: no seal can be
 * added (EPERM), F_GET_SEALS says that one.
 */
static long fcntl_seals(struct kbox_req *r, int fd, int cmd)
{
    struct kbox_gstat st;
    struct kbox_gstatfs sf;
    long fl = kbox_lx(r, LX__NR_fcntl, fd, F_GETFL, 0, 0, 0, 0);
    bool shm;

    if (fl < 0)
        return fl;
    if (kbox_lx(r, LX__NR_fstat, fd, (long)&st, 0, 0, 0, 0) ||
        kbox_lx(r, LX__NR_fstatfs, fd, (long)&sf, 0, 0, 0, 0))
        return -EBADF;
    shm = S_ISREG(st.st_mode) && sf.f_type == 0x01021994; /* TMPFS_MAGIC */
    if (cmd == F_GET_SEALS)
        return shm ? F_SEAL_SEAL : -EINVAL;
    if ((fl & O_ACCMODE) == O_RDONLY)
        return -EPERM;
    if ((unsigned int)A(2) & ~0x3fu) /* F_ALL_SEALS */
        return -EINVAL;
    return shm ? -EPERM : -EINVAL;
}

/*
 * fcntl commands on lx fd @fd that fd.c does not serve itself: the
 * write-life hints (a pointer, copied through kbox), seals, F_SETFL's
 * O_DIRECT checked (owners are sigfwd.c's). -EINVAL for unknown ones, as Linux.
 */
long kbox_fd_fcntl_lx(struct kbox_req *r, int fd, int cmd)
{
    unsigned char buf[sizeof(uint64_t)];
    size_t n = sizeof(uint64_t);
    long rc;

    switch (cmd) {
    case F_SETFL:
        /*
         * lx's files never get O_DIRECT (kbox's buffers are not aligned;
         * fs.c do_open) but F_SETFL with it fails where Linux's would:
         * files that cannot do direct I/O (directories, /proc). ext4's
         * and tmpfs's regular files can.
         */
        if (A(2) & O_ASYNC) /* the signals lx sends: sigfwd.c */
            kbox_sigfwd_arm();
        if (A(2) & O_DIRECT) {
            struct kbox_gstat st;
            struct kbox_gstatfs sf;

            if (kbox_lx(r, LX__NR_fstat, fd, (long)&st, 0, 0, 0, 0) ||
                kbox_lx(r, LX__NR_fstatfs, fd, (long)&sf, 0, 0, 0, 0))
                return -EBADF;
            /* a FIFO's is packet mode, kept */
            if (S_ISFIFO(st.st_mode))
                return kbox_lx(r, LX__NR_fcntl, fd, cmd, A(2), 0, 0, 0);
            if (!S_ISREG(st.st_mode) ||
                (sf.f_type != 0xEF53 && sf.f_type != 0x01021994)) {
                /* Linux checks O_APPEND (an append-only file) and
                 * O_NOATIME (the owner) first: lx checks them on a
                 * change of those two alone, undone at once */
                long cur = kbox_lx(r, LX__NR_fcntl, fd, F_GETFL, 0, 0, 0, 0);
                long both = O_APPEND | O_NOATIME, rc;

                if (cur < 0)
                    return cur;
                rc = kbox_lx(r, LX__NR_fcntl, fd, F_SETFL,
                             (cur & ~both) | (A(2) & both), 0, 0, 0);
                if (rc < 0)
                    return rc;
                kbox_lx(r, LX__NR_fcntl, fd, F_SETFL, cur, 0, 0, 0);
                return -EINVAL;
            }
        }
        return kbox_lx(r, LX__NR_fcntl, fd, cmd, A(2) & ~(long)O_DIRECT, 0, 0,
                       0);
    case F_ADD_SEALS:
    case F_GET_SEALS:
        return fcntl_seals(r, fd, cmd);
    case F_SET_RW_HINT:
        if (r->ops->read(r, r->args[2], buf, n))
            return -EFAULT;
        return kbox_lx(r, LX__NR_fcntl, fd, cmd, (long)buf, 0, 0, 0);
    case F_GET_RW_HINT:
        memset(buf, 0, sizeof(buf));
        rc = kbox_lx(r, LX__NR_fcntl, fd, cmd, (long)buf, 0, 0, 0);
        if (rc >= 0 && r->ops->write(r, r->args[2], buf, n))
            rc = -EFAULT;
        return rc;
    default:
        return -EINVAL;
    }
}
