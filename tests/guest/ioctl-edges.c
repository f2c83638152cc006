/* SPDX-License-Identifier: MIT */
/*
 * ioctl and fcntl on files of lx's file systems (the image's ext4, lx's
 * tmpfs) that kbox answered wrongly (found by tests/guest/ioctl-fuzz):
 *   ioctl-edges ioctl DIR   FIOASYNC 0, FIOQSIZE, FS_IOC_GETFSUUID,
 *                           GETFSLABEL and GETFSSYSFSPATH (ext4), the
 *                           encryption policy, FIDEDUPERANGE, FITRIM
 *                           (EPERM for a user) were all ENOTTY; FIEMAP
 *                           with a bad pointer on tmpfs EFAULT
 *   ioctl-edges fcntl DIR   F_GETOWN_EX/F_SETOWN_EX and F_GET/SET_RW_HINT
 *                           were EINVAL; F_SETFL with O_DIRECT passed on
 *                           a directory (and set the other flags); seals:
 *                           EINVAL where Linux says EPERM (a read-only fd,
 *                           a tmpfs file's F_SEAL_SEAL) and F_GET_SEALS
 *                           of a tmpfs file EINVAL
 *   ioctl-edges host DIR    FICLONE/FICLONERANGE into a host file (a
 *                           memfd, /dev/null) from an lx file: EXDEV, not
 *                           the EINVAL
 *                           of kbox's placeholder; FITRIM on a pipe or a
 *                           socket ENOTTY, not EPERM
 * DIR is on ext4 or tmpfs; the program says which it found.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/fscrypt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "guest-check.h"
#include "kbox/uapi-compat.h"

static bool ext4;

static void t_ioctl(int f, int d)
{
    int v = 1;
    long long q = -1;
    struct fsuuid2 u = { 0, { 0 } };
    struct fs_sysfs_path sp;
    char label[FSLABEL_MAX];
    struct fscrypt_policy_v1 pol;
    struct fstrim_range tr = { 0, UINT64_MAX, 0 };
    struct {
        struct file_dedupe_range r;
        struct file_dedupe_range_info i;
    } dd;

    /* a regular file has no fasync: turning it on is ENOTTY */
    WANT(ioctl(f, FIOASYNC, &v), ENOTTY, "FIOASYNC 1 on a file");
    v = 0;
    check(ioctl(f, FIOASYNC, &v) == 0 && !(fcntl(f, F_GETFL) & O_ASYNC),
          "FIOASYNC 0 on a file");
    check(ioctl(f, FIOQSIZE, &q) == 0 && q >= 0, "FIOQSIZE of a file");
    check(ioctl(d, FIOQSIZE, &q) == 0 && q >= 0, "FIOQSIZE of a directory");
    check(ioctl(f, FS_IOC_GETFSUUID, &u) == 0 && u.len == 16,
          "FS_IOC_GETFSUUID: 16 bytes (len %u)", u.len);
    WANT(ioctl(f, FS_IOC_GETFSUUID, (void *)8), EFAULT,
         "FS_IOC_GETFSUUID to a bad pointer");
    if (ext4) {
        check(ioctl(d, FS_IOC_GETFSLABEL, label) == 0, "FS_IOC_GETFSLABEL");
        check(ioctl(f, FS_IOC_GETFSSYSFSPATH, &sp) == 0 &&
                  !strncmp((char *)sp.name, "ext4/", 5),
              "FS_IOC_GETFSSYSFSPATH ext4/...");
        WANT(ioctl(f, FS_IOC_GET_ENCRYPTION_POLICY, &pol), EOPNOTSUPP,
             "no encryption policy: EOPNOTSUPP");
        if (geteuid())
            WANT(ioctl(f, FITRIM, &tr), EPERM, "FITRIM needs CAP_SYS_ADMIN");
    } else {
        WANT(ioctl(f, FS_IOC_GET_ENCRYPTION_POLICY, &pol), ENOTTY,
             "tmpfs: no encryption ioctls");
        WANT(ioctl(f, FS_IOC_FIEMAP, (void *)8), EOPNOTSUPP,
             "tmpfs: FIEMAP unsupported before its argument is read");
    }
    memset(&dd, 0, sizeof(dd));
    dd.r.src_length = 4;
    dd.r.dest_count = 1;
    dd.i.dest_fd = f;
    WANT(ioctl(f, FIDEDUPERANGE, &dd), EOPNOTSUPP,
         "FIDEDUPERANGE: no remap on this file system");
    WANT(ioctl(d, FIDEDUPERANGE, &dd), EISDIR,
         "FIDEDUPERANGE from a directory");
}

static void t_fcntl(int f, int d, const char *dir)
{
    struct f_owner_ex ex = { F_OWNER_PID, getpid() }, g = { 0, 0 };
    uint64_t h = 3, gh = 0;
    int fl, r;
    char p[4096];

    check(fcntl(f, F_SETOWN_EX, &ex) == 0, "F_SETOWN_EX pid");
    check(fcntl(f, F_GETOWN_EX, &g) == 0 && g.type == F_OWNER_PID &&
              g.pid == getpid(),
          "F_GETOWN_EX gives it back (type %d, pid is ours %d)", g.type,
          g.pid == getpid());
    check(fcntl(f, F_GETOWN) == getpid(), "F_GETOWN the same");
    WANT(fcntl(f, F_GETOWN_EX, (void *)8), EFAULT, "F_GETOWN_EX bad pointer");
    check(fcntl(f, F_SET_RW_HINT, &h) == 0, "F_SET_RW_HINT 3");
    check(fcntl(f, F_GET_RW_HINT, &gh) == 0 && gh == 3,
          "F_GET_RW_HINT 3 (%llu)", (unsigned long long)gh);
    h = 99;
    WANT(fcntl(f, F_SET_RW_HINT, &h), EINVAL, "F_SET_RW_HINT 99");
    WANT(fcntl(d, F_SETFL, O_DIRECT | O_NONBLOCK), EINVAL,
         "O_DIRECT on a directory");
    check(!(fcntl(d, F_GETFL) & O_NONBLOCK), "and nothing else was set");
    check(fcntl(f, F_SETFL, O_DIRECT | O_NONBLOCK) == 0 &&
              (fcntl(f, F_GETFL) & O_NONBLOCK),
          "O_DIRECT on a regular file");
    fcntl(f, F_SETFL, 0);
    WANT(fcntl(d, F_ADD_SEALS, F_SEAL_WRITE), EPERM,
         "F_ADD_SEALS on a read-only fd");
    WANT(fcntl(d, F_GET_SEALS), EINVAL, "F_GET_SEALS of a directory");
    if (ext4) {
        WANT(fcntl(f, F_ADD_SEALS, F_SEAL_WRITE), EINVAL, "ext4: no seals");
        WANT(fcntl(f, F_GET_SEALS), EINVAL, "ext4: F_GET_SEALS");
    } else {
        WANT(fcntl(f, F_ADD_SEALS, F_SEAL_WRITE), EPERM,
             "tmpfs: sealed with F_SEAL_SEAL");
        check(fcntl(f, F_GET_SEALS) == F_SEAL_SEAL, "tmpfs: F_GET_SEALS 1");
    }
    /* a FIFO's O_DIRECT is packet mode: accepted */
    snprintf(p, sizeof(p), "%s/fifo", dir);
    unlink(p);
    if (mkfifo(p, 0600) == 0) {
        r = open(p, O_RDWR);
        check(r >= 0 && fcntl(r, F_SETFL, O_DIRECT) == 0 &&
                  (fl = fcntl(r, F_GETFL)) >= 0 && (fl & O_DIRECT),
              "O_DIRECT on a FIFO (packet mode)");
        close(r);
        unlink(p);
    }
}

static void t_host(int f)
{
    int m = memfd_create("dst", 0), n = open("/dev/null", O_RDWR), p[2], s[2];
    struct file_clone_range cr = { f, 0, 0, 0 };
    struct fstrim_range tr = { 0, UINT64_MAX, 0 };

    check(m >= 0 && n >= 0 && !pipe(p) &&
              !socketpair(AF_UNIX, SOCK_STREAM, 0, s),
          "memfd, pipe, socketpair");
    WANT(ioctl(m, FICLONE, f), EXDEV, "FICLONE into a memfd from DIR");
    WANT(ioctl(m, FICLONERANGE, &cr), EXDEV,
         "FICLONERANGE into a memfd from DIR");
    /* the host saw kbox's placeholder for f, a /dev/null: the same
     * mount, so its own checks went on (EINVAL) */
    WANT(ioctl(n, FICLONE, f), EXDEV, "FICLONE into /dev/null from DIR");
    WANT(ioctl(n, FICLONERANGE, &cr), EXDEV,
         "FICLONERANGE into /dev/null from DIR");
    WANT(ioctl(p[0], FITRIM, &tr), ENOTTY, "FITRIM on a pipe");
    WANT(ioctl(s[0], FITRIM, &tr), ENOTTY, "FITRIM on a socket");
}

int main(int argc, char **argv)
{
    char path[4096];
    struct statfs sf;
    int f, d;

    if (argc != 3) {
        fprintf(stderr, "usage: ioctl-edges ioctl|fcntl|host DIR\n");
        return 2;
    }
    d = open(argv[2], O_RDONLY | O_DIRECTORY);
    snprintf(path, sizeof(path), "%s/ioctl-edges.f", argv[2]);
    unlink(path);
    f = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
    if (d < 0 || f < 0 || write(f, "data", 4) != 4 || fstatfs(f, &sf)) {
        perror(argv[2]);
        return 2;
    }
    ext4 = sf.f_type == 0xEF53;
    printf("# %s on %s, uid %d\n", argv[2], ext4 ? "ext4" : "tmpfs",
           (int)geteuid());
    if (!strcmp(argv[1], "ioctl"))
        t_ioctl(f, d);
    else if (!strcmp(argv[1], "fcntl"))
        t_fcntl(f, d, argv[2]);
    else
        t_host(f);
    unlink(path);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
