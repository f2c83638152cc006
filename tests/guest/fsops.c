/* SPDX-License-Identifier: MIT */
/*
 * File system semantics a guest relies on, checked from inside the box
 * (and natively, as a reference). Works in a fresh directory under
 * $TMPDIR or /tmp; prints "N passed, N failed" last.
 */
#define _GNU_SOURCE /* sync_file_range, syncfs */
#define KTEST_IMPLEMENTATION
#include "ktest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static char base[PATH_MAX / 2];

static const char *p(const char *name)
{
    static char buf[4][PATH_MAX];
    static int n;
    char *b = buf[n++ % 4];
    snprintf(b, PATH_MAX, "%s/%s", base, name);
    return b;
}

static void put(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    KT_ASSERT(fd >= 0);
    KT_EQ(write(fd, data, strlen(data)), (long)strlen(data));
    KT_EQ(close(fd), 0);
}

static const char *get(const char *path)
{
    static char buf[4096];
    int fd = open(path, O_RDONLY);
    KT_ASSERT(fd >= 0);
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    KT_ASSERT(n >= 0);
    buf[n] = '\0';
    close(fd);
    return buf;
}

KTEST(write_read_stat)
{
    put(p("a"), "hello kbox\n");
    KT_STREQ(get(p("a")), "hello kbox\n");
    struct stat st;
    KT_EQ(stat(p("a"), &st), 0);
    KT_EQ(st.st_size, 11);
    KT_ASSERT(S_ISREG(st.st_mode));
    KT_EQ(st.st_nlink, 1);
}

KTEST(create_exclusive)
{
    int fd = open(p("x"), O_WRONLY | O_CREAT | O_EXCL, 0600);
    KT_ASSERT(fd >= 0);
    close(fd);
    KT_EQ(open(p("x"), O_WRONLY | O_CREAT | O_EXCL, 0600), -1);
    KT_EQ(errno, EEXIST);
}

KTEST(umask_applies_to_mode)
{
    mode_t old = umask(022);
    int fd = open(p("m"), O_WRONLY | O_CREAT | O_TRUNC, 0777);
    umask(old);
    KT_ASSERT(fd >= 0);
    close(fd);
    struct stat st;
    KT_EQ(stat(p("m"), &st), 0);
    KT_EQ(st.st_mode & 07777, 0755);
    KT_EQ(chmod(p("m"), 0640), 0);
    KT_EQ(stat(p("m"), &st), 0);
    KT_EQ(st.st_mode & 07777, 0640);
}

KTEST(pread_pwrite_truncate)
{
    int fd = open(p("pw"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    KT_ASSERT(fd >= 0);
    KT_EQ(pwrite(fd, "0123456789", 10, 0), 10);
    KT_EQ(pwrite(fd, "AB", 2, 4), 2);
    char b[11] = { 0 };
    KT_EQ(pread(fd, b, 10, 0), 10);
    KT_STREQ(b, "0123AB6789");
    KT_EQ(ftruncate(fd, 3), 0);
    KT_EQ(lseek(fd, 0, SEEK_END), 3);
    KT_EQ(ftruncate(fd, 8192), 0);
    KT_EQ(pread(fd, b, 1, 5000), 1);
    KT_EQ(b[0], 0);
    close(fd);
}

KTEST(rename_and_unlink)
{
    put(p("r1"), "r");
    KT_EQ(rename(p("r1"), p("r2")), 0);
    KT_EQ(access(p("r1"), F_OK), -1);
    KT_EQ(errno, ENOENT);
    KT_STREQ(get(p("r2")), "r");
    KT_EQ(unlink(p("r2")), 0);
    KT_EQ(unlink(p("r2")), -1);
    KT_EQ(errno, ENOENT);
}

KTEST(symlink_and_hardlink)
{
    put(p("t"), "target");
    KT_EQ(symlink("t", p("s")), 0);
    char buf[64];
    ssize_t n = readlink(p("s"), buf, sizeof(buf) - 1);
    KT_EQ(n, 1);
    buf[n] = '\0';
    KT_STREQ(buf, "t");
    KT_STREQ(get(p("s")), "target");
    struct stat st;
    KT_EQ(lstat(p("s"), &st), 0);
    KT_ASSERT(S_ISLNK(st.st_mode));
    KT_EQ(link(p("t"), p("h")), 0);
    KT_EQ(stat(p("t"), &st), 0);
    KT_EQ(st.st_nlink, 2);
}

KTEST(directories)
{
    KT_EQ(mkdir(p("d"), 0755), 0);
    KT_EQ(mkdir(p("d"), 0755), -1);
    KT_EQ(errno, EEXIST);
    put(p("d/f1"), "1");
    put(p("d/f2"), "2");
    KT_EQ(rmdir(p("d")), -1);
    KT_EQ(errno, ENOTEMPTY);
    DIR *d = opendir(p("d"));
    KT_ASSERT(d);
    int seen = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, "f1") == 0 || strcmp(e->d_name, "f2") == 0)
            seen++;
    closedir(d);
    KT_EQ(seen, 2);
    int dfd = open(p("d"), O_RDONLY | O_DIRECTORY);
    KT_ASSERT(dfd >= 0);
    KT_EQ(unlinkat(dfd, "f1", 0), 0);
    KT_EQ(unlinkat(dfd, "f2", 0), 0);
    close(dfd);
    KT_EQ(rmdir(p("d")), 0);
}

KTEST(cwd_and_relative_paths)
{
    char old[PATH_MAX], now[PATH_MAX];
    KT_ASSERT(getcwd(old, sizeof(old)));
    KT_EQ(chdir(base), 0);
    KT_ASSERT(getcwd(now, sizeof(now)));
    KT_STREQ(now, base);
    put("rel", "relative");
    KT_STREQ(get(p("rel")), "relative");
    KT_EQ(chdir(old), 0);
}

/* preadv2/pwritev2 (offset -1: the file position) were ENOSYS. */
KTEST(preadv2_pwritev2)
{
    int fd = open(p("v2"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    char a[4] = "abcd", b[4] = "efgh", got[9] = { 0 };
    struct iovec w[2] = { { a, 4 }, { b, 4 } }, r1 = { got, 8 };

    KT_ASSERT(fd >= 0);
    KT_EQ(pwritev2(fd, w, 2, 0, RWF_DSYNC), 8);
    KT_EQ(lseek(fd, 0, SEEK_CUR), 0); /* at an offset: no position change */
    KT_EQ(preadv2(fd, &r1, 1, 0, 0), 8);
    KT_STREQ(got, "abcdefgh");
    KT_EQ(pwritev2(fd, w, 1, -1, 0), 4); /* -1: at and moving the position */
    KT_EQ(lseek(fd, 0, SEEK_CUR), 4);
    memset(got, 0, sizeof(got));
    r1.iov_len = 4;
    KT_EQ(preadv2(fd, &r1, 1, -1, 0), 4);
    KT_STREQ(got, "efgh");
    errno = 0;
    KT_EQ(preadv2(fd, &r1, 1, 0, 0x40000000), -1); /* unknown flag */
    KT_EQ(errno, EOPNOTSUPP);
    KT_EQ(close(fd), 0);
    KT_EQ(unlink(p("v2")), 0);
}

/* File ioctls reach the file system (they were all ENOTTY): lsattr's
 * flags and block size of the root directory, and FICLONE, which ext4
 * and tmpfs refuse with EOPNOTSUPP (cp --reflink said "Inappropriate
 * ioctl for device"). */
KTEST(file_ioctls)
{
    int root = open("/", O_RDONLY | O_DIRECTORY), a, b, flags = -1, bsz = 0;

    KT_ASSERT(root >= 0);
    KT_EQ(ioctl(root, FS_IOC_GETFLAGS, &flags), 0);
    KT_ASSERT(flags != -1);
    KT_EQ(ioctl(root, FIGETBSZ, &bsz), 0);
    KT_ASSERT(bsz >= 512);
    close(root);
    a = open(p("clone-a"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    b = open(p("clone-b"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    KT_ASSERT(a >= 0 && b >= 0);
    KT_EQ(write(a, "data", 4), 4);
    errno = 0;
    if (ioctl(b, FICLONE, a) != 0)
        KT_ASSERT(errno == EOPNOTSUPP || errno == EXDEV || errno == EINVAL);
    close(a);
    close(b);
    unlink(p("clone-a"));
    unlink(p("clone-b"));
}

/* dpkg hints every unpacked file with sync_file_range: it was ENOSYS. */
KTEST(sync_calls)
{
    int fd = open(p("sync"), O_RDWR | O_CREAT | O_TRUNC, 0644), pfd[2];

    KT_ASSERT(fd >= 0);
    KT_EQ(write(fd, "data", 4), 4);
    KT_EQ(sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE), 0);
    KT_EQ(sync_file_range(fd, 0, 0,
                          SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
                              SYNC_FILE_RANGE_WAIT_AFTER),
          0);
    errno = 0;
    KT_EQ(sync_file_range(fd, 0, 0, 0x80), -1);
    KT_EQ(errno, EINVAL);
    KT_EQ(fdatasync(fd), 0);
    KT_EQ(fsync(fd), 0);
    KT_EQ(syncfs(fd), 0);
    KT_EQ(close(fd), 0);
    KT_EQ(pipe(pfd), 0);
    errno = 0;
    KT_EQ(sync_file_range(pfd[0], 0, 0, SYNC_FILE_RANGE_WRITE), -1);
    KT_EQ(errno, ESPIPE);
    close(pfd[0]);
    close(pfd[1]);
    KT_EQ(unlink(p("sync")), 0);
}

static void rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[PATH_MAX];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            rm_tree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(base, sizeof(base), "%s/kbox-fsops.XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(base)) {
        perror("mkdtemp");
        printf("0 passed, 1 failed\n");
        return 1;
    }
    int rc = ktest_main(argc, argv);
    rm_tree(base);
    return rc;
}
