/* SPDX-License-Identifier: MIT */
/*
 * fhandle: name_to_handle_at and open_by_handle_at (both were EPERM under
 * kbox until the twenty-seventh session).
 *   check DIR root|user   handles of files in DIR: the mount id is
 *                         statx's, EOVERFLOW tells the size, Linux's
 *                         errors; open_by_handle_at opens the same file
 *                         (root) or is EPERM (user)
 *   save FILE OUT         write FILE's handle to OUT (run on the host)
 *   open MOUNTDIR IN      open_by_handle_at(MOUNTDIR, handle in IN): a
 *                         handle of a host file outside a bind must not
 *                         open through the bind: ESTALE
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "guest-check.h"

#ifndef AT_HANDLE_FID
#define AT_HANDLE_FID 0x200
#endif
#define HANDLE_UNIQUE 0x001 /* AT_HANDLE_MNT_ID_UNIQUE, Linux 6.12 */
#define STATX_UNIQUE  0x4000U

struct fh {
    unsigned int bytes;
    int type;
    unsigned char f[128];
};

static long n2h(int dfd, const char *p, struct fh *h, void *mnt, int flags)
{
    return syscall(SYS_name_to_handle_at, dfd, p, h, mnt, flags);
}

static long obh(int mfd, struct fh *h, int flags)
{
    return syscall(SYS_open_by_handle_at, mfd, h, flags);
}

static int same(const struct fh *a, const struct fh *b)
{
    return a->bytes == b->bytes && a->type == b->type &&
           !memcmp(a->f, b->f, a->bytes);
}

static void check_dir(const char *dir, int root)
{
    char f[600], g[600], l[600], buf[16] = { 0 };
    struct fh h, h2, hl;
    struct statx sx, su;
    uint64_t umnt = 0;
    int mnt = -1, fd, dfd, o;
    long rc;

    snprintf(f, sizeof(f), "%s/fh-file", dir);
    snprintf(g, sizeof(g), "%s/fh-gone", dir);
    snprintf(l, sizeof(l), "%s/fh-link", dir);
    unlink(f);
    unlink(g);
    unlink(l);
    fd = open(f, O_RDWR | O_CREAT, 0644);
    check(fd >= 0 && write(fd, "handled", 7) == 7 && symlink("fh-file", l) == 0,
          "set-up");
    memset(&h, 0, sizeof(h));
    h.bytes = sizeof(h.f);
    rc = n2h(AT_FDCWD, f, &h, &mnt, 0);
    check(rc == 0 && h.bytes > 0 && h.bytes <= 128, "a handle (%ld, %u bytes)",
          rc, h.bytes);
    check(statx(AT_FDCWD, f, 0, STATX_MNT_ID, &sx) == 0 &&
              (uint64_t)mnt == sx.stx_mnt_id,
          "its mount id is statx's (%d, %llu)", mnt,
          (unsigned long long)sx.stx_mnt_id);
    memset(&h2, 0, sizeof(h2));
    h2.bytes = sizeof(h2.f);
    check(n2h(fd, "", &h2, &mnt, AT_EMPTY_PATH) == 0 && same(&h, &h2),
          "AT_EMPTY_PATH on its fd: the same handle");
    memset(&h2, 0, sizeof(h2));
    h2.bytes = sizeof(h2.f);
    rc = n2h(AT_FDCWD, f, &h2, &umnt, HANDLE_UNIQUE);
    check(rc == 0 && statx(AT_FDCWD, f, 0, STATX_UNIQUE, &su) == 0 &&
              (!(su.stx_mask & STATX_UNIQUE) || umnt == su.stx_mnt_id),
          "AT_HANDLE_MNT_ID_UNIQUE: statx's unique id (%llu, %llu)",
          (unsigned long long)umnt, (unsigned long long)su.stx_mnt_id);
    /* too small: EOVERFLOW, the size it needs, the mount id all the same */
    memset(&h2, 0, sizeof(h2));
    mnt = -1;
    errno = 0;
    rc = n2h(AT_FDCWD, f, &h2, &mnt, 0);
    check(rc == -1 && errno == EOVERFLOW && h2.bytes == h.bytes &&
              (uint64_t)mnt == sx.stx_mnt_id,
          "size 0: EOVERFLOW with the size (%u) and the mount id", h2.bytes);
    h2.bytes = 129;
    WANT(n2h(AT_FDCWD, f, &h2, &mnt, 0), EINVAL, "size 129");
    h2.bytes = 128;
    WANT(n2h(AT_FDCWD, f, &h2, &mnt, 0x8000), EINVAL, "an unknown flag");
    WANT(n2h(AT_FDCWD, g, &h2, &mnt, 0), ENOENT, "a missing name");
    WANT(n2h(AT_FDCWD, g, NULL, &mnt, 0), ENOENT,
         "a missing name, handle at NULL");
    WANT(n2h(AT_FDCWD, f, NULL, &mnt, 0), EFAULT, "handle at NULL");
    WANT(n2h(AT_FDCWD, f, &h2, NULL, 0), EFAULT, "mount id at NULL");
    /* a symlink's own handle, unless followed */
    memset(&hl, 0, sizeof(hl));
    hl.bytes = sizeof(hl.f);
    check(n2h(AT_FDCWD, l, &hl, &mnt, 0) == 0 && !same(&h, &hl),
          "the link's own handle");
    memset(&hl, 0, sizeof(hl));
    hl.bytes = sizeof(hl.f);
    check(n2h(AT_FDCWD, l, &hl, &mnt, AT_SYMLINK_FOLLOW) == 0 && same(&h, &hl),
          "AT_SYMLINK_FOLLOW: the target's");
    memset(&h2, 0, sizeof(h2));
    h2.bytes = sizeof(h2.f);
    check(n2h(AT_FDCWD, f, &h2, &mnt, AT_HANDLE_FID) == 0 && h2.bytes > 0,
          "AT_HANDLE_FID");
    dfd = open(dir, O_RDONLY | O_DIRECTORY);
    WANT(obh(12345, &h, O_RDONLY), EBADF, "open_by_handle_at: a bad mount fd");
    if (!root) {
        WANT(obh(dfd, &h, O_RDONLY), EPERM,
             "open_by_handle_at without CAP_DAC_READ_SEARCH");
    } else {
        struct stat a, b;

        o = (int)obh(dfd, &h, O_RDONLY | O_CLOEXEC);
        check(o >= 0 && read(o, buf, sizeof(buf) - 1) == 7 &&
                  !strcmp(buf, "handled") && fstat(o, &a) == 0 &&
                  fstat(fd, &b) == 0 && a.st_ino == b.st_ino &&
                  (fcntl(o, F_GETFD) & FD_CLOEXEC),
              "open_by_handle_at opens the file");
        if (o >= 0)
            close(o);
        o = (int)obh(AT_FDCWD, &h, O_RDONLY);
        check(o >= 0, "open_by_handle_at relative to the cwd's mount");
        if (o >= 0)
            close(o);
        h2 = h;
        h2.bytes = 0;
        WANT(obh(dfd, &h2, O_RDONLY), EINVAL, "open_by_handle_at: size 0");
        WANT(obh(dfd, NULL, O_RDONLY), EFAULT, "open_by_handle_at: NULL");
        /* the file gone: its handle is stale */
        close(fd);
        fd = -1;
        check(unlink(f) == 0, "unlink");
        WANT(obh(dfd, &h, O_RDONLY), ESTALE, "open_by_handle_at: gone");
    }
    if (fd >= 0)
        close(fd);
    close(dfd);
    unlink(f);
    unlink(l);
}

int main(int argc, char **argv)
{
    struct fh h;
    int mnt, fd;

    if (argc == 4 && !strcmp(argv[1], "check")) {
        chdir(argv[2]);
        check_dir(argv[2], !strcmp(argv[3], "root"));
    } else if (argc == 4 && !strcmp(argv[1], "save")) {
        memset(&h, 0, sizeof(h));
        h.bytes = sizeof(h.f);
        fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        check(n2h(AT_FDCWD, argv[2], &h, &mnt, 0) == 0 && fd >= 0 &&
                  write(fd, &h, sizeof(h)) == (ssize_t)sizeof(h),
              "saved a handle");
    } else if (argc == 4 && !strcmp(argv[1], "open")) {
        int dfd = open(argv[2], O_RDONLY | O_DIRECTORY);

        fd = open(argv[3], O_RDONLY);
        check(dfd >= 0 && fd >= 0 && read(fd, &h, sizeof(h)) == sizeof(h),
              "read the handle");
        WANT(obh(dfd, &h, O_RDONLY), ESTALE,
             "a host file's handle outside the bind");
    } else {
        fprintf(stderr, "usage: fhandle check DIR root|user | save FILE OUT | "
                        "open MOUNTDIR IN\n");
        return 2;
    }
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
