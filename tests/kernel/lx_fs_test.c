/* SPDX-License-Identifier: MIT */
/*
 * lx end to end: boot, mount the ext4 test image given as argv[1] at /mnt,
 * exercise the VFS, the pseudo filesystems, threads and task contexts, then
 * leave /mnt/kt/written.txt behind and halt. run.sh checks the image on the
 * host afterwards (e2fsck -fn, debugfs).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define KTEST_IMPLEMENTATION
#include "ktest.h"
#include "lxt.h"

static const char *corrupt_path;

static long openat_rd(const char *p)
{
    return LX4(openat, LX_AT_FDCWD, p, LX_O_RDONLY | LX_O_CLOEXEC, 0);
}

static long read_file(const char *p, char *buf, size_t n)
{
    long fd = openat_rd(p), r;

    if (fd < 0)
        return fd;
    r = LX3(read, fd, buf, n - 1);
    LX1(close, fd);
    if (r >= 0)
        buf[r] = 0;
    return r;
}

static void write_file(const char *p, const char *s)
{
    long fd = LX4(openat, LX_AT_FDCWD, p, LX_O_WRONLY | LX_O_CREAT | LX_O_TRUNC,
                  0644);
    KT_ASSERT(fd >= 0);
    KT_EQ(LX3(write, fd, s, strlen(s)), (long)strlen(s));
    KT_EQ(LX1(close, fd), 0);
}

KTEST(read_known_file)
{
    char buf[256];

    KT_ASSERT(read_file("/mnt/etc/hello.txt", buf, sizeof(buf)) > 0);
    KT_STREQ(buf, "hello from the image\n");
    KT_EQ(openat_rd("/mnt/no/such/file"), -LX_ENOENT);
}

KTEST(create_write_pwrite_truncate_fallocate)
{
    char buf[64];
    struct lx_stat st;
    long fd = LX4(openat, LX_AT_FDCWD, "/mnt/kt/data",
                  LX_O_RDWR | LX_O_CREAT | LX_O_EXCL, 0600);

    KT_ASSERT(fd >= 0);
    KT_EQ(LX3(write, fd, "abcdef", 6), 6);
    KT_EQ(LX4(pwrite64, fd, "XY", 2, 2), 2);
    KT_EQ(LX4(pread64, fd, buf, 6, 0), 6);
    KT_ASSERT(memcmp(buf, "abXYef", 6) == 0);
    KT_EQ(LX2(ftruncate, fd, 3), 0);
    KT_EQ(LX2(fstat, fd, &st), 0);
    KT_EQ(st.st_size, 3);
    KT_EQ(LX4(fallocate, fd, 0, 0, 1 << 20), 0);
    KT_EQ(LX2(fstat, fd, &st), 0);
    KT_EQ(st.st_size, 1 << 20);
    KT_ASSERT(st.st_blocks >= (1 << 20) / 512);
    KT_EQ(LX1(fsync, fd), 0);
    KT_EQ(LX1(close, fd), 0);
    KT_EQ(LX4(openat, LX_AT_FDCWD, "/mnt/kt/data",
              LX_O_RDWR | LX_O_CREAT | LX_O_EXCL, 0600),
          -LX_EEXIST);
}

KTEST(rename_and_exchange)
{
    char buf[32];

    write_file("/mnt/kt/a", "A");
    write_file("/mnt/kt/b", "B");
    KT_EQ(LX5(renameat2, LX_AT_FDCWD, "/mnt/kt/a", LX_AT_FDCWD, "/mnt/kt/b",
              LX_RENAME_EXCHANGE),
          0);
    read_file("/mnt/kt/a", buf, sizeof(buf));
    KT_STREQ(buf, "B");
    KT_EQ(LX4(renameat, LX_AT_FDCWD, "/mnt/kt/a", LX_AT_FDCWD, "/mnt/kt/c"), 0);
    KT_EQ(openat_rd("/mnt/kt/a"), -LX_ENOENT);
    KT_EQ(LX5(renameat2, LX_AT_FDCWD, "/mnt/kt/b", LX_AT_FDCWD, "/mnt/kt/c",
              LX_RENAME_NOREPLACE),
          -LX_EEXIST);
}

KTEST(link_symlink_readlink_unlink)
{
    char buf[64];
    struct lx_stat st;

    write_file("/mnt/kt/orig", "x");
    KT_EQ(LX5(linkat, LX_AT_FDCWD, "/mnt/kt/orig", LX_AT_FDCWD, "/mnt/kt/hard",
              0),
          0);
    KT_EQ(LX4(newfstatat, LX_AT_FDCWD, "/mnt/kt/orig", &st, 0), 0);
    KT_EQ(st.st_nlink, 2);
    KT_EQ(LX3(symlinkat, "orig", LX_AT_FDCWD, "/mnt/kt/sym"), 0);
    long n = LX4(readlinkat, LX_AT_FDCWD, "/mnt/kt/sym", buf, sizeof(buf));
    KT_EQ(n, 4);
    KT_ASSERT(memcmp(buf, "orig", 4) == 0);
    KT_EQ(LX4(newfstatat, LX_AT_FDCWD, "/mnt/kt/sym", &st,
              LX_AT_SYMLINK_NOFOLLOW),
          0);
    KT_EQ(st.st_mode & LX_S_IFMT, LX_S_IFLNK);
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/mnt/kt/hard", 0), 0);
    KT_EQ(LX4(newfstatat, LX_AT_FDCWD, "/mnt/kt/orig", &st, 0), 0);
    KT_EQ(st.st_nlink, 1);
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/mnt/kt/hard", 0), -LX_ENOENT);
}

KTEST(mkdir_rmdir_getdents)
{
    char buf[4096];
    int seen = 0;

    KT_EQ(LX3(mkdirat, LX_AT_FDCWD, "/mnt/kt/dir", 0755), 0);
    KT_EQ(LX3(mkdirat, LX_AT_FDCWD, "/mnt/kt/dir", 0755), -LX_EEXIST);
    write_file("/mnt/kt/dir/f1", "1");
    write_file("/mnt/kt/dir/f2", "2");
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/mnt/kt/dir", LX_AT_REMOVEDIR),
          -LX_ENOTEMPTY);
    long fd = LX4(openat, LX_AT_FDCWD, "/mnt/kt/dir",
                  LX_O_RDONLY | LX_O_DIRECTORY, 0);
    KT_ASSERT(fd >= 0);
    for (;;) {
        long n = LX3(getdents64, fd, buf, sizeof(buf));
        KT_ASSERT(n >= 0);
        if (n == 0)
            break;
        for (long off = 0; off < n;) {
            struct lx_linux_dirent64 *d = (void *)(buf + off);
            if (!strcmp(d->d_name, "f1") || !strcmp(d->d_name, "f2")) {
                KT_EQ(d->d_type, 8 /* DT_REG */);
                seen++;
            }
            off += d->d_reclen;
        }
    }
    LX1(close, fd);
    KT_EQ(seen, 2);
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/mnt/kt/dir/f1", 0), 0);
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/mnt/kt/dir/f2", 0), 0);
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/mnt/kt/dir", LX_AT_REMOVEDIR), 0);
}

KTEST(chmod_chown_utimensat_statx)
{
    struct lx_statx sx;
    struct lx_timespec ts[2] = { { 1000000000, 123 }, { 1234567890, 456789 } };

    write_file("/mnt/kt/meta", "meta");
    KT_EQ(LX3(fchmodat, LX_AT_FDCWD, "/mnt/kt/meta", 0640), 0);
    KT_EQ(LX5(fchownat, LX_AT_FDCWD, "/mnt/kt/meta", 1000, 1001, 0), 0);
    KT_EQ(LX4(utimensat, LX_AT_FDCWD, "/mnt/kt/meta", ts, 0), 0);
    memset(&sx, 0, sizeof(sx));
    KT_EQ(LX5(statx, LX_AT_FDCWD, "/mnt/kt/meta", 0, LX_STATX_ALL, &sx), 0);
    KT_EQ(sx.stx_mode & 07777, 0640);
    KT_EQ(sx.stx_mode & LX_S_IFMT, LX_S_IFREG);
    KT_EQ(sx.stx_uid, 1000);
    KT_EQ(sx.stx_gid, 1001);
    KT_EQ(sx.stx_size, 4);
    KT_EQ(sx.stx_atime.tv_sec, 1000000000);
    KT_EQ(sx.stx_atime.tv_nsec, 123);
    KT_EQ(sx.stx_mtime.tv_sec, 1234567890);
    KT_EQ(sx.stx_mtime.tv_nsec, 456789);
    KT_ASSERT(sx.stx_mask & LX_STATX_BTIME);
}

KTEST(tmpfs_procfs_sysfs_devtmpfs)
{
    char buf[8192];

    KT_EQ(lx_mount("tmpfs", "/tmp", "tmpfs", 0, "mode=1777"), 0);
    write_file("/tmp/t", "tmp");
    KT_EQ(read_file("/tmp/t", buf, sizeof(buf)), 3);
    KT_ASSERT(read_file("/proc/meminfo", buf, sizeof(buf)) > 0);
    KT_ASSERT(strstr(buf, "MemTotal:") != NULL);
    KT_ASSERT(read_file("/proc/self/mounts", buf, sizeof(buf)) > 0);
    KT_ASSERT(strstr(buf, "/mnt ext4") != NULL);
    KT_ASSERT(strstr(buf, "/tmp tmpfs") != NULL);
    KT_ASSERT(read_file("/proc/version", buf, sizeof(buf)) > 0);
    KT_ASSERT(strncmp(buf, "Linux version 6.12.", 19) == 0);
    KT_ASSERT(read_file("/sys/block/lxda/size", buf, sizeof(buf)) > 0);
    KT_ASSERT(atol(buf) > 0);
    long fd = LX4(openat, LX_AT_FDCWD, "/dev/null", LX_O_RDWR, 0);
    KT_ASSERT(fd >= 0);
    KT_EQ(LX3(write, fd, "x", 1), 1);
    KT_EQ(LX3(read, fd, buf, 10), 0);
    LX1(close, fd);
}

static long tmpfs_free_pages(const char *dir, long *blocks, long *ffree)
{
    struct statfs sf;

    if (LX2(statfs, dir, &sf) != 0)
        return -1;
    if (sf.f_type != 0x01021994) /* TMPFS_MAGIC */
        return -2;
    if (blocks)
        *blocks = (long)sf.f_blocks;
    if (ffree)
        *ffree = (long)sf.f_ffree;
    return (long)sf.f_bavail;
}

/*
 * tmpfs has tmpfs's limits (lx's RAM is small and a full ramfs hung the
 * kernel): ENOSPC at size=, statfs counts, holes cost nothing, punching
 * and unlinking give pages back, nr_inodes, remount, bad options.
 */
KTEST(tmpfs_limits_and_accounting)
{
    static char chunk[64 << 10];
    char buf[4096];
    long blocks, ffree, fd, n, total = 0;

    memset(chunk, 'z', sizeof(chunk));
    KT_EQ(LX3(mkdirat, LX_AT_FDCWD, "/tlim", 0755), 0);
    KT_EQ(LX5(mount, "tmpfs", "/tlim", "tmpfs", 0, "size=1m,nr_inodes=4"), 0);
    KT_EQ(tmpfs_free_pages("/tlim", &blocks, &ffree), 256);
    KT_EQ(blocks, 256);
    KT_EQ(ffree, 3); /* the root is one */

    /* writing past the size stops at it, with ENOSPC */
    fd = LX4(openat, LX_AT_FDCWD, "/tlim/big", LX_O_RDWR | LX_O_CREAT, 0600);
    KT_ASSERT(fd >= 0);
    while ((n = LX3(write, fd, chunk, sizeof(chunk))) > 0)
        total += n;
    KT_EQ(n, -LX_ENOSPC);
    KT_EQ(total, 1 << 20);
    KT_EQ(tmpfs_free_pages("/tlim", NULL, NULL), 0);
    KT_EQ(LX4(pread64, fd, buf, 4, 1000000), 4);
    KT_ASSERT(memcmp(buf, "zzzz", 4) == 0);
    /* truncating gives the pages back */
    KT_EQ(LX2(ftruncate, fd, 4096), 0);
    KT_EQ(tmpfs_free_pages("/tlim", NULL, NULL), 255);

    /* a hole costs nothing, reads as zeros and stays a hole */
    KT_EQ(LX2(ftruncate, fd, 64L << 20), 0);
    KT_EQ(LX4(pread64, fd, buf, sizeof(buf), 32L << 20), (long)sizeof(buf));
    KT_ASSERT(buf[0] == 0 && buf[4095] == 0);
    KT_EQ(tmpfs_free_pages("/tlim", NULL, NULL), 255);

    /* fallocate charges up front; punching a hole uncharges */
    KT_EQ(LX4(fallocate, fd, 0, 0, 512 << 10), 0);
    KT_EQ(tmpfs_free_pages("/tlim", NULL, NULL), 128);
    KT_EQ(LX4(fallocate, fd, 0, 0, 4L << 20), -LX_ENOSPC);
    KT_EQ(tmpfs_free_pages("/tlim", NULL, NULL), 128);
    /* at once, however large (a page-by-page count hung the kernel) */
    KT_EQ(LX4(fallocate, fd, 0, 0, 1L << 62), -LX_ENOSPC);
    KT_EQ(LX4(fallocate, fd, LX_FALLOC_FL_KEEP_SIZE, 1L << 40, 1L << 40),
          -LX_ENOSPC);
    KT_EQ(tmpfs_free_pages("/tlim", NULL, NULL), 128);
    KT_EQ(LX4(fallocate, fd, LX_FALLOC_FL_PUNCH_HOLE | LX_FALLOC_FL_KEEP_SIZE,
              4096, 256 << 10),
          0);
    KT_EQ(tmpfs_free_pages("/tlim", NULL, NULL), 192);
    KT_EQ(LX4(pread64, fd, buf, 8, 0), 8);
    KT_ASSERT(memcmp(buf, "zzzzzzzz", 8) == 0);
    KT_EQ(LX4(pread64, fd, buf, 8, 8192), 8);
    KT_ASSERT(buf[0] == 0 && buf[7] == 0);

    /* remount: not below what is in use; larger is fine */
    KT_EQ(LX5(mount, "tmpfs", "/tlim", "tmpfs", LX_MS_REMOUNT, "size=64k"),
          -LX_EINVAL);
    KT_EQ(LX5(mount, "tmpfs", "/tlim", "tmpfs", LX_MS_REMOUNT, "size=2m"), 0);
    KT_EQ(tmpfs_free_pages("/tlim", &blocks, NULL), 512 - 64);
    KT_EQ(blocks, 512);
    KT_EQ(LX1(close, fd), 0);

    /* unlinking the last name frees it all */
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/tlim/big", 0), 0);
    KT_EQ(tmpfs_free_pages("/tlim", NULL, &ffree), 512);
    KT_EQ(ffree, 3);

    /* nr_inodes: the root and three more */
    KT_EQ(LX3(mkdirat, LX_AT_FDCWD, "/tlim/d", 0755), 0);
    KT_EQ(LX3(symlinkat, "/a/target", LX_AT_FDCWD, "/tlim/l"), 0);
    KT_EQ(LX4(readlinkat, LX_AT_FDCWD, "/tlim/l", buf, sizeof(buf)), 9);
    KT_ASSERT(memcmp(buf, "/a/target", 9) == 0);
    fd = LX4(openat, LX_AT_FDCWD, "/tlim/f", LX_O_RDWR | LX_O_CREAT, 0600);
    KT_ASSERT(fd >= 0);
    LX1(close, fd);
    KT_EQ(LX4(openat, LX_AT_FDCWD, "/tlim/g", LX_O_RDWR | LX_O_CREAT, 0600),
          -LX_ENOSPC);
    KT_EQ(LX3(mkdirat, LX_AT_FDCWD, "/tlim/e", 0755), -LX_ENOSPC);
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/tlim/f", 0), 0);
    KT_EQ(LX3(mkdirat, LX_AT_FDCWD, "/tlim/e", 0755), 0);

    KT_EQ(LX2(umount2, "/tlim", 0), 0);
    /* options Linux's tmpfs refuses are refused */
    KT_EQ(LX5(mount, "tmpfs", "/tlim", "tmpfs", 0, "bogus=1"), -LX_EINVAL);
    KT_EQ(LX5(mount, "tmpfs", "/tlim", "tmpfs", 0, "size=12q"), -LX_EINVAL);
    KT_EQ(LX5(mount, "tmpfs", "/tlim", "tmpfs", 0, "size=10%,huge=never"), 0);
    KT_ASSERT(tmpfs_free_pages("/tlim", &blocks, NULL) == blocks);
    KT_ASSERT(blocks > 0);
    KT_EQ(LX2(umount2, "/tlim", 0), 0);
}

/*
 * chattr's flags on lx's tmpfs, as on Linux's (lsattr/chattr on /tmp were
 * ENOTTY): append-only and immutable are enforced, nodump and noatime
 * pass to what a directory gets, other flags are EOPNOTSUPP; and
 * renameat2(RENAME_WHITEOUT) leaves a 0/0 character device (was EINVAL).
 */
KTEST(tmpfs_chattr_flags_and_rename_whiteout)
{
    enum { GETFLAGS = 0x80086601, SETFLAGS = 0x40086602, EPERM_ = 1 };
    enum { APPEND = 0x20, IMMUTABLE = 0x10, NODUMP = 0x40, NOATIME = 0x80 };
    struct lx_statx sx;
    int fl; /* the ioctls move an int, whatever their number says */
    long fd;
    char buf[8];

    KT_EQ(LX3(mkdirat, LX_AT_FDCWD, "/tattr", 0755), 0);
    KT_EQ(LX5(mount, "tmpfs", "/tattr", "tmpfs", 0, "size=1m"), 0);
    write_file("/tattr/f", "ab");
    fd = openat_rd("/tattr/f");
    KT_ASSERT(fd >= 0);
    fl = -1;
    KT_EQ(LX3(ioctl, fd, GETFLAGS, &fl), 0);
    KT_EQ(fl, 0);
    fl = 0x4; /* FS_COMPR_FL: not tmpfs's */
    KT_EQ(LX3(ioctl, fd, SETFLAGS, &fl), -LX_EOPNOTSUPP);

    /* append-only: writes only through O_APPEND, no truncation or unlink */
    fl = APPEND;
    KT_EQ(LX3(ioctl, fd, SETFLAGS, &fl), 0);
    fl = 0;
    KT_EQ(LX3(ioctl, fd, GETFLAGS, &fl), 0);
    KT_EQ(fl, APPEND);
    KT_EQ(LX4(openat, LX_AT_FDCWD, "/tattr/f", LX_O_WRONLY, 0), -EPERM_);
    {
        long w =
            LX4(openat, LX_AT_FDCWD, "/tattr/f", LX_O_WRONLY | LX_O_APPEND, 0);

        KT_ASSERT(w >= 0);
        KT_EQ(LX3(write, w, "c", 1), 1);
        KT_EQ(LX2(ftruncate, w, 0), -EPERM_);
        LX1(close, w);
    }
    KT_EQ(LX4(pread64, fd, buf, 3, 0), 3);
    KT_ASSERT(memcmp(buf, "abc", 3) == 0);
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/tattr/f", 0), -EPERM_);
    memset(&sx, 0, sizeof(sx));
    KT_EQ(LX5(statx, LX_AT_FDCWD, "/tattr/f", 0, LX_STATX_BASIC_STATS, &sx), 0);
    KT_ASSERT(sx.stx_attributes & LX_STATX_ATTR_APPEND);
    KT_ASSERT(sx.stx_attributes_mask & LX_STATX_ATTR_IMMUTABLE);

    /* immutable: no write open, no rename, no chmod */
    fl = IMMUTABLE;
    KT_EQ(LX3(ioctl, fd, SETFLAGS, &fl), 0);
    KT_EQ(LX4(openat, LX_AT_FDCWD, "/tattr/f", LX_O_RDWR, 0), -EPERM_);
    KT_EQ(LX5(renameat2, LX_AT_FDCWD, "/tattr/f", LX_AT_FDCWD, "/tattr/g", 0),
          -EPERM_);
    KT_EQ(LX3(fchmodat, LX_AT_FDCWD, "/tattr/f", 0600), -EPERM_);
    KT_EQ(LX5(statx, LX_AT_FDCWD, "/tattr/f", 0, LX_STATX_BASIC_STATS, &sx), 0);
    KT_ASSERT(sx.stx_attributes & LX_STATX_ATTR_IMMUTABLE);
    fl = 0;
    KT_EQ(LX3(ioctl, fd, SETFLAGS, &fl), 0);
    LX1(close, fd);
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/tattr/f", 0), 0);

    /* nodump and noatime pass from a directory to what is made in it */
    KT_EQ(LX3(mkdirat, LX_AT_FDCWD, "/tattr/d", 0755), 0);
    fd = LX4(openat, LX_AT_FDCWD, "/tattr/d", LX_O_RDONLY | LX_O_DIRECTORY, 0);
    KT_ASSERT(fd >= 0);
    fl = NODUMP | NOATIME;
    KT_EQ(LX3(ioctl, fd, SETFLAGS, &fl), 0);
    LX1(close, fd);
    write_file("/tattr/d/in", "x");
    fd = openat_rd("/tattr/d/in");
    KT_ASSERT(fd >= 0);
    fl = 0;
    KT_EQ(LX3(ioctl, fd, GETFLAGS, &fl), 0);
    KT_EQ(fl, NODUMP | NOATIME);
    LX1(close, fd);

    /* neither the root nor a symlink has ACLs to list (both listed the
     * two ACL names) */
    KT_EQ(LX3(listxattr, "/tattr", buf, sizeof(buf)), 0);
    KT_EQ(LX3(symlinkat, "in", LX_AT_FDCWD, "/tattr/d/l"), 0);
    KT_EQ(LX3(llistxattr, "/tattr/d/l", buf, sizeof(buf)), 0);

    /* RENAME_WHITEOUT: the old name becomes a 0/0 character device */
    KT_EQ(LX5(renameat2, LX_AT_FDCWD, "/tattr/d/in", LX_AT_FDCWD,
              "/tattr/moved", LX_RENAME_WHITEOUT),
          0);
    KT_EQ(read_file("/tattr/moved", buf, sizeof(buf)), 1);
    KT_EQ(LX5(statx, LX_AT_FDCWD, "/tattr/d/in", 0, LX_STATX_BASIC_STATS, &sx),
          0);
    KT_EQ(sx.stx_mode & LX_S_IFMT, LX_S_IFCHR);
    KT_EQ(sx.stx_rdev_major, 0);
    KT_EQ(sx.stx_rdev_minor, 0);
    /* onto a directory that is not empty: nothing made, nothing moved */
    KT_EQ(LX3(mkdirat, LX_AT_FDCWD, "/tattr/src", 0755), 0);
    KT_EQ(LX5(renameat2, LX_AT_FDCWD, "/tattr/src", LX_AT_FDCWD, "/tattr/d",
              LX_RENAME_WHITEOUT),
          -LX_ENOTEMPTY);
    KT_EQ(LX5(statx, LX_AT_FDCWD, "/tattr/src", 0, LX_STATX_BASIC_STATS, &sx),
          0);
    KT_EQ(sx.stx_mode & LX_S_IFMT, LX_S_IFDIR);
    KT_EQ(LX2(umount2, "/tattr", 0), 0);
}

/*
 * devtmpfs is lx's tmpfs, one instance for every mount, holding the
 * kernel's device nodes: the kernel's own was ramfs, and a root guest's
 * `dd of=/dev/sdb` (no such disk: a regular file) filled lx's memory
 * and hung the sandbox. Now that is ENOSPC.
 */
KTEST(devtmpfs_is_a_limited_tmpfs_with_the_device_nodes)
{
    static char chunk[64 << 10];
    struct lx_stat st;
    long fd, n, total = 0;

    memset(chunk, 'd', sizeof(chunk));
    KT_EQ(LX3(mkdirat, LX_AT_FDCWD, "/dv1", 0755), 0);
    KT_EQ(LX3(mkdirat, LX_AT_FDCWD, "/dv2", 0755), 0);
    KT_EQ(LX5(mount, "devtmpfs", "/dv1", "devtmpfs", 0, NULL), 0);
    KT_EQ(LX5(mount, "devtmpfs", "/dv2", "devtmpfs", 0, NULL), 0);
    KT_ASSERT(tmpfs_free_pages("/dv1", NULL, NULL) > 0);

    /* the kernel's nodes, with their modes */
    KT_EQ(LX4(newfstatat, LX_AT_FDCWD, "/dv1/null", &st, 0), 0);
    KT_EQ(st.st_mode, 020666);
    KT_EQ(st.st_rdev, (1 << 8) | 3);
    KT_EQ(LX4(newfstatat, LX_AT_FDCWD, "/dv1/lxda", &st, 0), 0);
    KT_EQ(st.st_mode & 0170000, 060000);
    fd = LX4(openat, LX_AT_FDCWD, "/dv1/zero", LX_O_RDONLY, 0);
    KT_ASSERT(fd >= 0);
    KT_EQ(LX3(read, fd, chunk, 8), 8);
    KT_EQ(chunk[0], 0);
    LX1(close, fd);

    /* one tree: what one mount gets, the other shows */
    KT_EQ(LX5(mount, "devtmpfs", "/dv1", "devtmpfs", LX_MS_REMOUNT, "size=1m"),
          0);
    fd = LX4(openat, LX_AT_FDCWD, "/dv1/sdb", LX_O_RDWR | LX_O_CREAT, 0644);
    KT_ASSERT(fd >= 0);
    memset(chunk, 'd', sizeof(chunk));
    while ((n = LX3(write, fd, chunk, sizeof(chunk))) > 0)
        total += n;
    KT_EQ(n, -LX_ENOSPC);
    KT_EQ(total, 1 << 20);
    LX1(close, fd);
    KT_EQ(LX4(newfstatat, LX_AT_FDCWD, "/dv2/sdb", &st, 0), 0);
    KT_EQ(st.st_size, 1 << 20);
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/dv2/sdb", 0), 0);
    KT_EQ(tmpfs_free_pages("/dv1", NULL, NULL), 256);
    KT_EQ(LX5(mount, "devtmpfs", "/dv1", "devtmpfs", LX_MS_REMOUNT, "size=50%"),
          0);

    KT_EQ(LX2(umount2, "/dv1", 0), 0);
    KT_EQ(LX2(umount2, "/dv2", 0), 0);
}

/*
 * exec's credentials in two steps (lx_task_exec_creds): a set-user-ID
 * root file gives a uid 1000 task euid and saved uid 0, only once
 * committed; a dropped preparation changes nothing; a plain file and a
 * nosuid mount give nothing either.
 */
KTEST(exec_creds_of_a_set_user_id_file)
{
    struct lx_task *user = lx_task_fork(NULL, 0);
    unsigned int r = 9, e = 9, sv = 9;
    long fd, h;
    int secure = -1;

    KT_ASSERT(user != NULL);
    write_file("/mnt/kt/suid", "x");
    KT_EQ(LX4(fchmodat, LX_AT_FDCWD, "/mnt/kt/suid", 04755, 0), 0);
    write_file("/mnt/kt/plain", "x");
    KT_EQ(LX4(fchmodat, LX_AT_FDCWD, "/mnt/kt/plain", 0755, 0), 0);
    KT_EQ(LXT3(user, setresuid, 1000, 1000, 1000), 0);

    fd = LXT3(user, openat, LX_AT_FDCWD, "/mnt/kt/suid", LX_O_RDONLY);
    KT_ASSERT(fd >= 0);
    h = lx_task_exec_creds(user, LX_CREDS_PREPARE, fd, &secure);
    KT_ASSERT(h > 0);
    KT_EQ(secure, 1);
    KT_EQ(lx_task_exec_creds(user, LX_CREDS_DROP, h, NULL), 0);
    KT_EQ(LXT3(user, getresuid, &r, &e, &sv), 0);
    KT_ASSERT(r == 1000 && e == 1000 && sv == 1000);
    h = lx_task_exec_creds(user, LX_CREDS_PREPARE, fd, &secure);
    KT_ASSERT(h > 0);
    KT_EQ(lx_task_exec_creds(user, LX_CREDS_COMMIT, h, NULL), 0);
    KT_EQ(LXT3(user, getresuid, &r, &e, &sv), 0);
    KT_ASSERT(r == 1000 && e == 0 && sv == 0);
    LXT3(user, close, fd, 0, 0);
    KT_EQ(LXT3(user, setresuid, 1000, 1000, 1000), 0);

    fd = LXT3(user, openat, LX_AT_FDCWD, "/mnt/kt/plain", LX_O_RDONLY);
    h = lx_task_exec_creds(user, LX_CREDS_PREPARE, fd, &secure);
    KT_ASSERT(h > 0);
    KT_EQ(secure, 0);
    KT_EQ(lx_task_exec_creds(user, LX_CREDS_COMMIT, h, NULL), 0);
    KT_EQ(LXT3(user, getresuid, &r, &e, &sv), 0);
    KT_ASSERT(r == 1000 && e == 1000 && sv == 1000);
    LXT3(user, close, fd, 0, 0);

    KT_EQ(LX3(mkdirat, LX_AT_FDCWD, "/nosuid", 0755), 0);
    KT_EQ(LX5(mount, "tmpfs", "/nosuid", "tmpfs", 2 /* MS_NOSUID */, NULL), 0);
    write_file("/nosuid/suid", "x");
    KT_EQ(LX4(fchmodat, LX_AT_FDCWD, "/nosuid/suid", 04755, 0), 0);
    fd = LXT3(user, openat, LX_AT_FDCWD, "/nosuid/suid", LX_O_RDONLY);
    h = lx_task_exec_creds(user, LX_CREDS_PREPARE, fd, &secure);
    KT_ASSERT(h > 0);
    KT_EQ(secure, 0);
    KT_EQ(lx_task_exec_creds(user, LX_CREDS_COMMIT, h, NULL), 0);
    KT_EQ(LXT3(user, getresuid, &r, &e, &sv), 0);
    KT_EQ(e, 1000);
    LXT3(user, close, fd, 0, 0);
    KT_EQ(LX2(umount2, "/nosuid", 0), 0);
    KT_EQ(lx_task_exec_creds(user, LX_CREDS_PREPARE, 999, NULL), -LX_EBADF);
    lx_task_exit(user);
}

KTEST(uname_reports_6_12)
{
    char u[6 * 65];

    KT_EQ(LX1(uname, u), 0);
    KT_STREQ(u, "Linux");
    KT_ASSERT(strncmp(u + 2 * 65, "6.12.", 5) == 0);
}

KTEST(close_then_umount_is_immediate)
{
    KT_EQ(lx_mount("tmpfs", "/mnt2", "tmpfs", 0, NULL), 0);
    write_file("/mnt2/f", "busy?");
    long fd = openat_rd("/mnt2/f");
    KT_ASSERT(fd >= 0);
    KT_EQ(LX2(umount2, "/mnt2", 0), -LX_EBUSY);
    KT_EQ(LX1(close, fd), 0);
    KT_EQ(LX2(umount2, "/mnt2", 0), 0);
}

KTEST(forked_task_is_independent)
{
    struct lx_task *child = lx_task_fork(NULL, 0);
    char cwd[256];

    KT_ASSERT(child != NULL);
    KT_ASSERT(lx_task_pid(child) > 1);
    long fd = lx_task_syscall(
        child, LX__NR_openat,
        (long[6]){ LX_AT_FDCWD, LXA("/mnt/etc/hello.txt"), LX_O_RDONLY });
    KT_ASSERT(fd >= 0);
    KT_EQ(LXT3(child, chdir, "/mnt/kt", 0, 0), 0);
    KT_EQ(LXT3(child, umask, 077, 0, 0), 022);
    KT_EQ(LXT3(child, setuid, 1000, 0, 0), 0);
    KT_EQ(LXT3(child, getuid, 0, 0, 0), 1000);
    /* The child, now unprivileged, gets real permission errors. */
    KT_EQ(LXT3(child, mkdirat, LX_AT_FDCWD, "/mnt/etc/nope", 0755), -LX_EACCES);
    /* None of it leaked into the root task. */
    KT_EQ(LX0(getuid), 0);
    KT_ASSERT(LX2(getcwd, cwd, sizeof(cwd)) > 0);
    KT_STREQ(cwd, "/");
    KT_EQ(LX1(umask, 022), 022);
    char b[4];
    KT_EQ(LX3(read, fd, b, 1), -LX_EBADF);
    /* A grandchild inherits the child's state, and exec closes CLOEXEC. */
    long cfd = lx_task_syscall(
        child, LX__NR_openat,
        (long[6]){ LX_AT_FDCWD, LXA("hello-cloexec"),
                   LX_O_WRONLY | LX_O_CREAT | LX_O_CLOEXEC, 0666 });
    KT_EQ(cfd, -LX_EACCES);
    struct lx_task *gc = lx_task_fork(child, 0);
    KT_ASSERT(gc != NULL);
    KT_EQ(LXT3(gc, getuid, 0, 0, 0), 1000);
    KT_ASSERT(lx_task_syscall(gc, LX__NR_getcwd, (long[6]){ LXA(cwd), 256 }) >
              0);
    KT_STREQ(cwd, "/mnt/kt");
    KT_EQ(LXT3(gc, fcntl, fd, LX_F_SETFD, LX_FD_CLOEXEC), 0);
    KT_EQ(lx_task_exec(gc), 0);
    KT_EQ(LXT3(gc, read, fd, b, 1), -LX_EBADF);
    KT_EQ(LXT3(child, read, fd, b, 1), 1); /* still open in the child */
    lx_task_exit(gc);
    lx_task_exit(child);
}

KTEST(task_takes_a_given_pid)
{
    struct lx_task *a = lx_task_fork(NULL, 0), *b = lx_task_fork(NULL, 0);
    char link[64];
    long n;

    KT_ASSERT(a != NULL && b != NULL);
    /* beyond the default pid_max of 32768: host pids go that high */
    KT_EQ(lx_task_set_pid(a, 1234567), 0);
    KT_EQ(lx_task_pid(a), 1234567);
    KT_EQ(LXT3(a, getpid, 0, 0, 0), 1234567);
    /* the kernel's /proc knows it under the new number */
    n = lx_task_syscall(a, LX__NR_readlinkat,
                        (long[6]){ LX_AT_FDCWD, LXA("/proc/self"), LXA(link),
                                   sizeof(link) - 1 });
    KT_ASSERT(n > 0);
    link[n] = '\0';
    KT_STREQ(link, "1234567");
    /* taken numbers are refused and leave the task as it was */
    n = lx_task_pid(b);
    KT_EQ(lx_task_set_pid(b, 1234567), -LX_EEXIST);
    KT_EQ(lx_task_pid(b), n);
    KT_EQ(lx_task_set_pid(b, 0), -LX_EINVAL);
    KT_EQ(lx_task_set_pid(b, n), 0); /* its own number: nothing to do */
    /* deferred: applied on entry to the task's next call */
    lx_task_set_pid_later(b, 1234568);
    KT_EQ(LXT3(b, getpid, 0, 0, 0), 1234568);
    lx_task_set_pid_later(b, 1234567); /* taken: the task keeps its own */
    KT_EQ(LXT3(b, getpid, 0, 0, 0), 1234568);
    lx_task_exit(a);
    lx_task_exit(b);
    /* the number is free again once the task is gone and reaped */
    b = lx_task_fork(NULL, 0);
    KT_ASSERT(b != NULL);
    for (int i = 0; i < 100 && lx_task_set_pid(b, 1234567) == -LX_EEXIST; i++)
        usleep(1000);
    KT_EQ(lx_task_pid(b), 1234567);
    lx_task_exit(b);
}

/* Is there a /proc/@pid in lx (as its root task sees it)? */
static bool lx_proc_has(int pid)
{
    char path[64];
    struct lx_statx stx;

    snprintf(path, sizeof(path), "/proc/%d", pid);
    return LX5(statx, LX_AT_FDCWD, path, 0, 0, &stx) == 0;
}

KTEST(task_kept_a_zombie_until_reaped)
{
    struct lx_task *a = lx_task_fork(NULL, 0), *b = lx_task_fork(NULL, 0);
    struct lx_zombie *za, *zb;

    KT_ASSERT(a != NULL && b != NULL);
    /* the pending number is taken on the way out: the zombie's */
    lx_task_set_pid_later(a, 1234571);
    za = lx_task_exit_zombie(a, 1234571, NULL, 0);
    KT_ASSERT(za != NULL);
    KT_ASSERT(lx_proc_has(1234571));
    /* another number than the task's: gone at once */
    KT_ASSERT(lx_task_exit_zombie(b, 1234572, NULL, 0) == NULL);
    KT_ASSERT(!lx_proc_has(1234572));
    /* reaped in another task's exit */
    b = lx_task_fork(NULL, 0);
    KT_ASSERT(b != NULL);
    KT_ASSERT(lx_task_exit_zombie(b, 0, &za, 1) == NULL);
    KT_ASSERT(!lx_proc_has(1234571));
    /* a new task given a zombie's number reaps it (the host reused it) */
    a = lx_task_fork(NULL, 0);
    b = lx_task_fork(NULL, 0);
    KT_ASSERT(a != NULL && b != NULL);
    KT_EQ(lx_task_set_pid(a, 1234573), 0);
    zb = lx_task_exit_zombie(a, 1234573, NULL, 0);
    KT_ASSERT(zb != NULL);
    KT_EQ(lx_task_set_pid(b, 1234573), 0);
    KT_EQ(lx_task_pid(b), 1234573);
    KT_EQ(lx_zombie_reap(&zb, 1), 0); /* only forgotten */
    lx_task_exit(b);
}

struct hammer {
    int id;
    int errors;
};

static void *hammer_main(void *arg)
{
    struct hammer *h = arg;
    char path[64], buf[64];

    snprintf(path, sizeof(path), "/tmp/hammer-%d", h->id);
    for (int i = 0; i < 10000; i++) {
        switch (i % 5) {
        case 0: {
            long fd = LX4(openat, LX_AT_FDCWD, path,
                          LX_O_RDWR | LX_O_CREAT | LX_O_TRUNC, 0600);
            int n = snprintf(buf, sizeof(buf), "%d:%d", h->id, i);
            if (fd < 0 || LX3(write, fd, buf, n) != n)
                h->errors++;
            LX1(close, fd);
            break;
        }
        case 1: {
            struct lx_stat st;
            if (LX4(newfstatat, LX_AT_FDCWD, path, &st, 0) || st.st_size == 0)
                h->errors++;
            break;
        }
        case 2: {
            char want[64];
            int n = snprintf(want, sizeof(want), "%d:%d", h->id, i - 2);
            long fd = openat_rd(path);
            if (fd < 0 || LX3(read, fd, buf, sizeof(buf)) != n ||
                memcmp(buf, want, n))
                h->errors++;
            LX1(close, fd);
            break;
        }
        case 3:
            if (LX0(getpid) <= 1)
                h->errors++;
            break;
        case 4: {
            struct lx_stat st;
            if (LX4(newfstatat, LX_AT_FDCWD, "/mnt/etc/hello.txt", &st, 0) ||
                st.st_size != 21)
                h->errors++;
            break;
        }
        }
    }
    lx_thread_detach();
    return NULL;
}

/* Is host fd @fd readable right now? */
static int host_readable(int fd)
{
    struct pollfd p = { fd, POLLIN, 0 };

    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

KTEST(readiness_mirror_follows_the_file)
{
    struct lx_task *t = lx_task_fork(NULL, 0);
    char buf[512];
    int p[2], closed[4];
    long ifd, fd;

    KT_ASSERT(t != NULL);
    KT_EQ(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
    ifd = LXT3(t, inotify_init1, 0, 0, 0);
    KT_ASSERT(ifd >= 0);
    KT_ASSERT(LXT3(t, inotify_add_watch, ifd, "/mnt/kt", 0x100) > 0);
    KT_EQ(lx_task_mirror(t, LX_MIRROR_ADD, (int)ifd, p[0], p[1]), 0);
    KT_EQ(lx_task_mirror(t, LX_MIRROR_ADD, (int)ifd, -1, -1), -LX_EEXIST);
    KT_EQ(lx_task_mirror(t, LX_MIRROR_RFD, (int)ifd, -1, -1), p[0]);
    KT_EQ(host_readable(p[0]), 0);

    /* An event made by another task: readable before that call returns */
    fd = LX4(openat, LX_AT_FDCWD, "/mnt/kt/mirrored",
             LX_O_WRONLY | LX_O_CREAT | LX_O_CLOEXEC, 0644);
    KT_ASSERT(fd >= 0);
    KT_EQ(host_readable(p[0]), 1);
    KT_EQ(LX1(close, fd), 0);
    KT_ASSERT(LXT3(t, read, ifd, buf, sizeof(buf)) > 0);
    KT_EQ(host_readable(p[0]), 1); /* nobody said the read happened */
    KT_EQ(lx_task_mirror(t, LX_MIRROR_SYNC, (int)ifd, -1, -1), 0);
    KT_EQ(host_readable(p[0]), 0);
    /* The host's own readiness, by read end: on, then off again */
    KT_EQ(lx_task_mirror(NULL, LX_MIRROR_SYNC, -1, p[0], 1), 0);
    KT_EQ(host_readable(p[0]), 1);
    KT_EQ(lx_task_mirror(NULL, LX_MIRROR_SYNC, -1, p[0], 0), 0);
    KT_EQ(host_readable(p[0]), 0);
    KT_EQ(lx_task_mirror(NULL, LX_MIRROR_SYNC, -1, 12345, 0), -LX_ENOENT);

    /* Only pollable kinds: not a regular file */
    fd = LXT3(t, openat, LX_AT_FDCWD, "/mnt/kt/mirrored", LX_O_RDONLY);
    KT_ASSERT(fd >= 0);
    KT_EQ(lx_task_mirror(t, LX_MIRROR_ADD, (int)fd, -1, -1), -LX_EINVAL);
    KT_EQ(lx_task_mirror(t, LX_MIRROR_SYNC, (int)fd, -1, -1), -LX_ENOENT);
    KT_EQ(LXT3(t, close, fd, 0, 0), 0);
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/mnt/kt/mirrored", 0), 0);

    /* Held while a task has the file; then dropped with its host fds */
    KT_EQ(lx_mirror_gc(closed, 4), 0);
    KT_EQ(LXT3(t, close, ifd, 0, 0), 0);
    KT_EQ(lx_mirror_gc(closed, 4), 1);
    KT_EQ(closed[0], p[0]);
    errno = 0;
    KT_EQ(fcntl(p[0], F_GETFD), -1);
    KT_EQ(errno, EBADF);
    KT_EQ(fcntl(p[1], F_GETFD), -1);
    lx_task_exit(t);
}

KTEST(getfd_between_tasks_of_different_users)
{
    struct lx_task *root = lx_task_fork(NULL, 0), *user = lx_task_fork(NULL, 0);
    char buf[64];
    long fd, got, pidfd;

    KT_ASSERT(root != NULL && user != NULL);
    KT_EQ(LXT3(user, setresuid, 1000, 1000, 1000), 0);
    fd = LXT3(root, openat, LX_AT_FDCWD, "/mnt/etc/hello.txt", LX_O_RDONLY);
    KT_ASSERT(fd >= 0);
    /* pidfd_getfd needs ptrace rights over the root task: refused */
    pidfd = LXT3(user, pidfd_open, lx_task_pid(root), 0, 0);
    KT_ASSERT(pidfd >= 0);
    KT_EQ(LXT3(user, pidfd_getfd, pidfd, fd, 0), -1 /* EPERM */);
    KT_EQ(LXT3(user, close, pidfd, 0, 0), 0);
    /* the host's transfer has no such check */
    got = lx_task_getfd(user, root, (int)fd, LX_O_CLOEXEC);
    KT_ASSERT(got >= 0);
    KT_EQ(LXT3(user, fcntl, got, 1 /* F_GETFD */, 0), 1);
    KT_EQ(LXT3(user, read, got, buf, 5), 5);
    KT_ASSERT(memcmp(buf, "hello", 5) == 0);
    got = lx_task_getfd(user, root, (int)fd, 0);
    KT_EQ(LXT3(user, fcntl, got, 1 /* F_GETFD */, 0), 0);
    KT_EQ(lx_task_getfd(user, root, 999, 0), -LX_EBADF);
    lx_task_exit(user);
    lx_task_exit(root);
}

/*
 * lx_task_may_read: ptrace's read access in the guest's identities, which
 * the supervisor asks before it serves another process's environ, maps
 * or fd/ from the host's /proc (opened with kbox's rights there).
 */
KTEST(may_read_is_ptrace_read_access_in_guest_ids)
{
    struct lx_task *root = lx_task_fork(NULL, 0);
    struct lx_task *user = lx_task_fork(NULL, 0);
    struct lx_task *same = lx_task_fork(NULL, 0);
    struct lx_task *other = lx_task_fork(NULL, 0);

    KT_ASSERT(root && user && same && other);
    KT_EQ(LXT3(user, setresuid, 1000, 1000, 1000), 0);
    KT_EQ(LXT3(same, setresuid, 1000, 1000, 1000), 0);
    KT_EQ(LXT3(other, setresuid, 1001, 1001, 1001), 0);
    /* a task that changed its ids is not dumpable until it execs */
    KT_EQ(lx_task_may_read(user, same), -LX_EACCES);
    KT_EQ(lx_task_exec(user), 0);
    KT_EQ(lx_task_exec(same), 0);
    KT_EQ(lx_task_exec(other), 0);
    KT_EQ(lx_task_may_read(root, user), 0);
    KT_EQ(lx_task_may_read(user, same), 0);
    KT_EQ(lx_task_may_read(user, user), 0);
    KT_EQ(lx_task_may_read(user, root), -LX_EACCES);
    KT_EQ(lx_task_may_read(other, user), -LX_EACCES);
    lx_task_exit(other);
    lx_task_exit(same);
    lx_task_exit(user);
    lx_task_exit(root);
}

/* lx_pid_is_kthread: the supervisor shows a guest lx's kernel threads in
 * /proc, never the tasks it keeps for itself. */
KTEST(pid_is_kthread_tells_kernel_threads_apart)
{
    struct lx_task *t = lx_task_fork(NULL, 0);

    KT_ASSERT(t != NULL);
    KT_EQ(lx_pid_is_kthread(2), 1); /* kthreadd */
    KT_EQ(lx_pid_is_kthread(lx_task_pid(t)), 0);
    KT_EQ(lx_pid_is_kthread(lx_task_pid(lx_task_root())), 0);
    KT_EQ(lx_pid_is_kthread(4000000), -LX_ESRCH);
    lx_task_exit(t);
}

static int host_flushes;

/* lx's block driver flushes with the host's fdatasync: count the calls
 * (this definition takes the place of libc's in the link). */
int fdatasync(int fd)
{
    __atomic_add_fetch(&host_flushes, 1, __ATOMIC_RELAXED);
    return (int)syscall(SYS_fdatasync, fd);
}

KTEST(block_device_fsync_reaches_the_host)
{
    char path[] = "/tmp/lx-flush-XXXXXX", buf[4096];
    int hfd = mkstemp(path), idx, before;
    long fd;

    KT_ASSERT(hfd >= 0);
    unlink(path);
    KT_EQ(ftruncate(hfd, 1 << 20), 0);
    idx = lx_disk_add(hfd, 0);
    KT_ASSERT(idx > 0);
    KT_EQ(
        LX4(mknodat, LX_AT_FDCWD, "/dev/kt-flush", 060600, lx_disk_devno(idx)),
        0);
    fd = LX4(openat, LX_AT_FDCWD, "/dev/kt-flush", LX_O_RDWR, 0);
    KT_ASSERT(fd >= 0);
    memset(buf, 'f', sizeof(buf));
    KT_EQ(LX3(write, fd, buf, sizeof(buf)), (long)sizeof(buf));
    /* write-back, then an empty REQ_PREFLUSH bio (blkdev_issue_flush) */
    before = host_flushes;
    KT_EQ(LX1(fsync, fd), 0);
    KT_EQ(host_flushes - before, 1);
    KT_EQ(pread(hfd, buf, 4, 0), 4);
    KT_ASSERT(memcmp(buf, "ffff", 4) == 0);
    /* nothing written since: no host call */
    before = host_flushes;
    KT_EQ(LX1(fsync, fd), 0);
    KT_EQ(host_flushes - before, 0);
    KT_EQ(LX1(close, fd), 0);
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/dev/kt-flush", 0), 0);
    close(hfd);
}

struct fifo_open {
    struct lx_task *task;
    long ret;
};

static void *open_fifo_main(void *arg)
{
    struct fifo_open *f = arg;

    f->ret =
        LXT3(f->task, openat, LX_AT_FDCWD, "/mnt/kt/intr-fifo", LX_O_RDONLY);
    return NULL;
}

KTEST(interrupt_ends_a_blocked_call_of_that_caller_only)
{
    struct fifo_open f = { lx_task_fork(NULL, 0), 1 };
    pthread_t th;

    KT_ASSERT(f.task != NULL);
    KT_EQ(LX4(mknodat, LX_AT_FDCWD, "/mnt/kt/intr-fifo", 010600, 0), 0);
    KT_EQ(pthread_create(&th, NULL, open_fifo_main, &f), 0);
    usleep(100 * 1000); /* the open now waits for a writer */
    KT_EQ(f.ret, 1);
    /* aimed at another caller: the waiting call is left alone */
    KT_EQ(lx_task_interrupt(f.task, (unsigned long)pthread_self()), -LX_ESRCH);
    usleep(50 * 1000);
    KT_EQ(f.ret, 1);
    KT_EQ(lx_task_interrupt(f.task, (unsigned long)th), 0);
    KT_EQ(pthread_join(th, NULL), 0);
    KT_EQ(f.ret, -LX_EINTR);
    /* nothing sticks: the task's next call runs normally */
    KT_EQ(LXT3(f.task, faccessat, LX_AT_FDCWD, "/mnt/kt/intr-fifo", 0), 0);
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/mnt/kt/intr-fifo", 0), 0);
    lx_task_exit(f.task);
}

KTEST(eight_threads_ten_thousand_calls)
{
    pthread_t t[8];
    struct hammer h[8];

    for (int i = 0; i < 8; i++) {
        h[i] = (struct hammer){ .id = i };
        KT_EQ(pthread_create(&t[i], NULL, hammer_main, &h[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        KT_EQ(h[i].errors, 0);
    }
}

KTEST(corrupt_image_mount_fails_cleanly)
{
    int fd = open(corrupt_path, O_RDONLY);
    KT_ASSERT(fd >= 0);
    int idx = lx_disk_add(fd, 1);
    close(fd);
    KT_ASSERT(idx > 0);
    KT_ASSERT(lx_disk_devno(idx) > 0);
    long r = lx_mount_disk(idx, "/bad", "ext4", 1 /* MS_RDONLY */, NULL);
    KT_ASSERT(r < 0);
    if (r != -LX_EINVAL && r != -LX_EUCLEAN && r != -LX_EIO)
        KT_FAIL("mount of a corrupt image: %ld", r);
}

struct watchdog {
    struct lx_task *task;
    pthread_t caller;
    volatile int done;
};

/* Ends the caller's blocked call if it is still blocked after 3 s. */
static void *watchdog_main(void *arg)
{
    struct watchdog *w = arg;

    for (int i = 0; i < 300 && !w->done; i++)
        usleep(10 * 1000);
    if (!w->done)
        lx_task_interrupt(w->task, (unsigned long)w->caller);
    return NULL;
}

static long long mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * A receive timeout sleeps in schedule_timeout(): a timer_list, which only
 * the tick's update_process_times() expires. (The socket constants are the
 * generic ones, the same in lx and on the host.)
 */
KTEST(timer_list_timeouts_expire)
{
    struct watchdog w = { lx_task_fork(NULL, 0), pthread_self(), 0 };
    long tv[2] = { 0, 50 * 1000 }; /* struct __kernel_old_timeval: 50 ms */
    int sv[2];
    char c;
    long long t0;
    long r;
    pthread_t th;

    KT_ASSERT(w.task != NULL);
    KT_EQ(LXT4(w.task, socketpair, AF_UNIX, SOCK_STREAM, 0, sv), 0);
    KT_EQ(LXT5(w.task, setsockopt, sv[0], SOL_SOCKET, SO_RCVTIMEO, tv,
               sizeof(tv)),
          0);
    KT_EQ(pthread_create(&th, NULL, watchdog_main, &w), 0);
    t0 = mono_ms();
    r = LXT6(w.task, recvfrom, sv[0], &c, 1, 0, 0, 0);
    w.done = 1;
    pthread_join(th, NULL);
    KT_EQ(r, -LX_EAGAIN); /* -EINTR: the watchdog had to end it */
    KT_ASSERT(mono_ms() - t0 >= 40);
    KT_EQ(LXT3(w.task, close, sv[0], 0, 0), 0);
    KT_EQ(LXT3(w.task, close, sv[1], 0, 0), 0);
    lx_task_exit(w.task);
}

/*
 * lx's memcpy/memmove/memset (arch/lx/lib/string.c) through the paths that
 * use them: user copies of every small size at every alignment, around the
 * word and string-instruction thresholds, with guard bytes that must stay;
 * overlapping memmoves in ext4's extent tree (extents inserted in front of
 * others) and its htree directory blocks. Data must come back exactly.
 */
static unsigned char copy_pat(long i)
{
    return (unsigned char)(i * 131 + (i >> 8) * 7 + 1);
}

KTEST(kernel_copies_every_size_and_alignment)
{
    static unsigned char src[8192], dst[8192];
    const char *path[] = { "/mnt/kt/copies", "/dev/kt-copies" };

    for (long i = 0; i < (long)sizeof(src); i++)
        src[i] = copy_pat(i);
    for (int p = 0; p < 2; p++) {
        long fd = LX4(openat, LX_AT_FDCWD, path[p],
                      LX_O_RDWR | LX_O_CREAT | LX_O_TRUNC, 0644);
        KT_ASSERT(fd >= 0);
        for (long n = 0; n <= 4200; n += n < 300 ? 1 : 97) {
            for (int a = 0; a < 8; a++) {
                long off = (n * 8 + a) % 5000;

                KT_EQ(LX4(pwrite64, fd, src + a, n, off), n);
                memset(dst, 0xa5, sizeof(dst));
                KT_EQ(LX4(pread64, fd, dst + 7 - a, n, off), n);
                KT_EQ(memcmp(dst + 7 - a, src + a, n), 0);
                if (a < 7)
                    KT_EQ(dst[6 - a], 0xa5);
                KT_EQ(dst[7 - a + n], 0xa5);
            }
        }
        KT_EQ(LX1(close, fd), 0);
        KT_EQ(LX3(unlinkat, LX_AT_FDCWD, path[p], 0), 0);
    }
}

KTEST(kernel_memmove_in_extent_tree_and_htree)
{
    static unsigned char blk[4096], got[4096];
    char name[64];
    long fd = LX4(openat, LX_AT_FDCWD, "/mnt/kt/extents",
                  LX_O_RDWR | LX_O_CREAT | LX_O_TRUNC, 0644);

    KT_ASSERT(fd >= 0);
    /* every other block from the end down: each extent goes in front */
    for (long b = 400; b >= 0; b -= 2) {
        for (int i = 0; i < 4096; i++)
            blk[i] = copy_pat(b * 4096 + i);
        KT_EQ(LX4(pwrite64, fd, blk, 4096, b * 4096), 4096);
    }
    KT_EQ(LX1(fsync, fd), 0);
    for (long b = 0; b <= 401; b++) {
        KT_EQ(LX4(pread64, fd, got, 4096, b * 4096), b == 401 ? 0 : 4096);
        for (int i = 0; b < 401 && i < 4096; i++)
            if (got[i] != (b % 2 ? 0 : copy_pat(b * 4096 + i))) {
                KT_EQ(got[i], b % 2 ? 0 : copy_pat(b * 4096 + i));
                break;
            }
    }
    KT_EQ(LX1(close, fd), 0);
    KT_EQ(LX3(mkdirat, LX_AT_FDCWD, "/mnt/kt/many", 0755), 0);
    for (int i = 0; i < 600; i++) {
        snprintf(name, sizeof(name), "/mnt/kt/many/f%04d-%s", (i * 37) % 600,
                 "a-longer-name-so-blocks-fill-and-split");
        fd = LX4(openat, LX_AT_FDCWD, name, LX_O_WRONLY | LX_O_CREAT, 0644);
        KT_ASSERT(fd >= 0);
        KT_EQ(LX1(close, fd), 0);
    }
    for (int i = 0; i < 600; i += 2) {
        snprintf(name, sizeof(name), "/mnt/kt/many/f%04d-%s", i,
                 "a-longer-name-so-blocks-fill-and-split");
        KT_EQ(LX3(unlinkat, LX_AT_FDCWD, name, 0), 0);
    }
    for (int i = 1; i < 600; i += 2) {
        struct lx_stat st;

        snprintf(name, sizeof(name), "/mnt/kt/many/f%04d-%s", i,
                 "a-longer-name-so-blocks-fill-and-split");
        KT_EQ(LX4(newfstatat, LX_AT_FDCWD, name, &st, 0), 0);
    }
}

/* Name byte j of a test name of length len: varied, never '/' or NUL. */
static char name_pat(int len, int j)
{
    return "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        [(len * 7 + j * 13) % 62];
}

/*
 * Path walks hash and compare names a word at a time (DCACHE_WORD_ACCESS,
 * lx's load_unaligned_zeropad) and ext4 compares entries with memcmp.
 * Every name length 1..255 is looked up from a path that ends right at
 * the end of a readable page followed by an unreadable one, at every start
 * alignment (a read past the NUL that crosses would kill the test), and
 * padded with slashes to 4095 bytes so that the last component ends at
 * the end of lx's getname buffer. Names differing in one byte (first,
 * middle, last) must miss.
 */
KTEST(names_every_length_and_alignment_hash_and_compare)
{
    long pg = sysconf(_SC_PAGESIZE);
    char *map = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    static char name[256], path[4096];
    const char *dir = "/mnt/kt/nm/";
    struct lx_stat st;

    KT_ASSERT(map != MAP_FAILED);
    KT_EQ(mprotect(map + pg, pg, PROT_NONE), 0);
    KT_EQ(LX3(mkdirat, LX_AT_FDCWD, "/mnt/kt/nm", 0755), 0);
    for (int len = 1; len <= 255; len++) {
        for (int j = 0; j < len; j++)
            name[j] = name_pat(len, j);
        name[len] = 0;
        snprintf(path, sizeof(path), "%s%s", dir, name);
        long fd = LX4(openat, LX_AT_FDCWD, path,
                      LX_O_WRONLY | LX_O_CREAT | LX_O_EXCL, 0644);
        KT_ASSERT(fd >= 0);
        KT_EQ(LX3(write, fd, name, len), len);
        KT_EQ(LX1(close, fd), 0);
    }
    for (int len = 1; len <= 255; len++) {
        int plen = (int)strlen(dir) + len;

        for (int j = 0; j < len; j++)
            name[j] = name_pat(len, j);
        name[len] = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (int a = 0; a < 8; a++) {
                /* NUL at the page's last byte, the start moved by a */
                char *p = map + pg - 1 - a - plen;

                memset(map, 'x', pg); /* not NULs past the NUL */
                memcpy(p, dir, strlen(dir));
                memcpy(p + strlen(dir), name, len);
                p[plen] = 0;
                memset(&st, 0, sizeof(st));
                KT_EQ(LX4(newfstatat, LX_AT_FDCWD, p, &st, 0), 0);
                KT_EQ(st.st_size, len);
                int pos[3] = { 0, len / 2, len - 1 };
                for (int k = 0; k < 3; k++) {
                    char c = p[strlen(dir) + pos[k]];

                    p[strlen(dir) + pos[k]] = c == 'z' ? 'y' : 'z';
                    if (memcmp(p + strlen(dir), name, len))
                        KT_EQ(LX4(newfstatat, LX_AT_FDCWD, p, &st, 0),
                              -LX_ENOENT);
                    p[strlen(dir) + pos[k]] = c;
                }
            }
            /* second pass: the names are in the dcache now */
        }
        /* last component ending at byte 4094 of a 4095-byte path */
        int pad = 4095 - plen;
        snprintf(path, sizeof(path), "/mnt/kt/nm%*s%s", pad + 1, "/", name);
        for (int j = 10; j < 10 + pad + 1; j++)
            path[j] = '/';
        KT_EQ((long)strlen(path), 4095);
        KT_EQ(LX4(newfstatat, LX_AT_FDCWD, path, &st, 0), 0);
        KT_EQ(st.st_size, len);
        path[4094] = path[4094] == 'z' ? 'y' : 'z';
        KT_EQ(LX4(newfstatat, LX_AT_FDCWD, path, &st, 0), -LX_ENOENT);
    }
    KT_EQ(munmap(map, 2 * pg), 0);
}

/*
 * readlink takes the length of a symlink's target with strlen, in lx's
 * memory: every target length on tmpfs (kmalloc'd up to 127 bytes, a page
 * above), up to 4095 (whose NUL is the last byte of that page).
 */
KTEST(symlink_targets_every_length_strlen)
{
    static char target[4096], got[4100];

    for (int len = 1; len <= 4095; len += len < 300 ? 1 : 61) {
        for (int j = 0; j < len; j++)
            target[j] = name_pat(len, j);
        target[len] = 0;
        KT_EQ(LX3(symlinkat, target, LX_AT_FDCWD, "/tmp/sl"), 0);
        memset(got, 0, sizeof(got));
        KT_EQ(LX4(readlinkat, LX_AT_FDCWD, "/tmp/sl", got, sizeof(got)), len);
        KT_EQ(memcmp(got, target, len), 0);
        KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/tmp/sl", 0), 0);
    }
    memset(target, 'q', 4095);
    target[4095] = 0;
    KT_EQ(LX3(symlinkat, target, LX_AT_FDCWD, "/tmp/sl"), 0);
    KT_EQ(LX4(readlinkat, LX_AT_FDCWD, "/tmp/sl", got, sizeof(got)), 4095);
    KT_EQ(LX3(unlinkat, LX_AT_FDCWD, "/tmp/sl", 0), 0);
}

KTEST(leave_written_data)
{
    write_file("/mnt/kt/written.txt", "written by lx\n");
    KT_EQ(LX0(sync), 0);
}

/* lx_task_shm: a System V segment lx names under the host segment's id,
 * checked as shmat() would check it, also after lx has removed it. */
KTEST(shm_segment_gets_the_given_id_and_lx_checks_attaches)
{
    enum { CREAT = 01000, EXCL = 02000, RDONLY = 010000, RMID = 0, EPERM_ = 1 };
    struct lx_task *owner = lx_task_fork(NULL, 0);
    struct lx_task *other = lx_task_fork(NULL, 0);
    long perm[5] = { 1000, 1000, 1000, 1000, 0640 };
    long id = 5 * 32768 + 77; /* sequence 5, index 77 */

    KT_ASSERT(owner && other);
    KT_EQ(LXT3(owner, setresuid, 1000, 1000, 1000), 0);
    KT_EQ(LXT3(other, setresgid, 1001, 1001, 1001), 0);
    KT_EQ(LXT3(other, setresuid, 1001, 1001, 1001), 0);
    KT_EQ(lx_task_shm(owner, LX_SHM_CREATE, 0x4b42, 1, CREAT | EXCL | 0604, id),
          id);
    /* the key now names it; a second creation with IPC_EXCL fails */
    KT_EQ(LXT3(owner, shmget, 0x4b42, 1, 0), id);
    KT_EQ(lx_task_shm(owner, LX_SHM_CREATE, 0x4b42, 1, CREAT | EXCL | 0600,
                      id + 1),
          -LX_EEXIST);
    KT_EQ(lx_task_shm(owner, LX_SHM_MAY_ATTACH, id, 0, 0, 0), 0);
    /* others may read (04), not write */
    KT_EQ(lx_task_shm(other, LX_SHM_MAY_ATTACH, id, RDONLY, 0, 0), 0);
    KT_EQ(lx_task_shm(other, LX_SHM_MAY_ATTACH, id, 0, 0, 0), -LX_EACCES);
    KT_EQ(lx_task_shm(owner, LX_SHM_MAY_ATTACH, id + 32768, 0, 0, 0),
          -LX_EINVAL);
    KT_EQ(LXT3(other, shmctl, id, RMID, 0), -EPERM_);
    KT_EQ(LXT3(owner, shmctl, id, RMID, 0), 0);
    KT_EQ(lx_task_shm(owner, LX_SHM_MAY_ATTACH, id, 0, 0, 0), -LX_EINVAL);
    /* a removed segment's recorded owner and mode (0640, gid 1000) */
    KT_EQ(lx_task_shm(owner, LX_SHM_PERM, (long)perm, 0, 0, 0), 0);
    KT_EQ(lx_task_shm(other, LX_SHM_PERM, (long)perm, RDONLY, 0, 0),
          -LX_EACCES);
    KT_EQ(lx_task_shm(owner, LX_SHM_PERM, (long)perm, LX_SHM_PERM_OWNER, 0, 0),
          0);
    KT_EQ(lx_task_shm(other, LX_SHM_PERM, (long)perm, LX_SHM_PERM_OWNER, 0, 0),
          -EPERM_);
    lx_task_exit(other);
    lx_task_exit(owner);
}

/* lx_task_file_version: every change of a file's data changes it, even
 * within one tick of the coarse clock that stamps mtime (kbox keys its
 * copies of files by it), on ext4 and on lx's tmpfs. */
static void version_changes_on_write(struct lx_task *t, const char *path)
{
    long fd = lx_task_syscall(
        t, LX__NR_openat,
        (long[6]){ LX_AT_FDCWD, (long)path, LX_O_RDWR | LX_O_CREAT, 0600 });
    long v1, v2;

    KT_ASSERT(fd >= 0);
    KT_EQ(LXT3(t, write, fd, "abcd", 4), 4);
    v1 = lx_task_file_version(t, (int)fd);
    KT_ASSERT(v1 >= 0); /* 0 for a new tmpfs file, until asked */
    KT_EQ(lx_task_file_version(t, (int)fd), v1); /* no change, no bump */
    KT_EQ(lx_task_syscall(t, LX__NR_pwrite64,
                          (long[6]){ fd, (long)"wxyz", 4, 0 }),
          4);
    v2 = lx_task_file_version(t, (int)fd);
    KT_ASSERT(v2 != v1);
    KT_EQ(lx_task_syscall(t, LX__NR_pwrite64,
                          (long[6]){ fd, (long)"WXYZ", 4, 0 }),
          4);
    KT_ASSERT(lx_task_file_version(t, (int)fd) != v2);
    KT_EQ(lx_task_file_version(t, 999), -LX_EBADF);
    KT_EQ(LXT3(t, close, fd, 0, 0), 0);
}

KTEST(file_version_changes_with_every_write)
{
    struct lx_task *t = lx_task_fork(NULL, 0);

    KT_ASSERT(t != NULL);
    version_changes_on_write(t, "/mnt/kt/version");
    KT_EQ(lx_mount("tmpfs", "/tver", "tmpfs", 0, "size=1m"), 0);
    version_changes_on_write(t, "/tver/f");
    lx_task_exit(t);
}

int main(int argc, char **argv)
{
    struct lx_boot_opts opts = { .cmdline = "mem=64M", .console_fd = -1 };
    int rc, fd;

    if (argc < 3) {
        fprintf(stderr, "usage: %s IMAGE CORRUPT-IMAGE [FILTER]\n", argv[0]);
        return 2;
    }
    corrupt_path = argv[2];
    if (getenv("LX_CONSOLE"))
        opts.console_fd = 2;
    if (lx_boot(&opts)) {
        fprintf(stderr, "lx_boot failed\n");
        return 1;
    }
    fd = open(argv[1], O_RDWR);
    if (fd < 0 || lx_disk_add(fd, 0) != 0) {
        fprintf(stderr, "cannot add %s\n", argv[1]);
        return 1;
    }
    close(fd);
    if (lx_mount_disk(0, "/mnt", "ext4", 0, NULL) ||
        LX3(mkdirat, LX_AT_FDCWD, "/mnt/kt", 0755) ||
        lx_mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) ||
        lx_mount("proc", "/proc", "proc", 0, NULL) ||
        lx_mount("sysfs", "/sys", "sysfs", 0, NULL)) {
        fprintf(stderr, "mount failed\n");
        return 1;
    }
    char *targv[2] = { argv[0], argc > 3 ? argv[3] : NULL };
    rc = ktest_main(argc > 3 ? 2 : 1, targv);
    int h = lx_halt();
    if (h) {
        fprintf(stderr, "lx_halt: %s\n", lx_strerror(h));
        rc = 1;
    }
    if (LX0(getpid) != -LX_ESHUTDOWN) {
        fprintf(stderr, "syscall after halt did not fail\n");
        rc = 1;
    }
    return rc;
}
