/* SPDX-License-Identifier: MIT */
/*
 * stat-layout: every stat flavour must report the same, known values.
 *
 * Creates a file with a known size, mode, atime and mtime (utimensat, with
 * nanoseconds and a pre-1970 time to catch sign-extension bugs), a sparse
 * 5 GiB file (64-bit sizes), a directory, a symlink and a hard link, then
 * compares stat, fstat, lstat, fstatat (plain, AT_SYMLINK_NOFOLLOW,
 * AT_EMPTY_PATH), the raw legacy x86_64 stat/lstat/fstat syscalls and statx
 * field by field.
 *
 * Usage: stat-layout [SCRATCH_BASE]   (default $TMPDIR or /tmp)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "guest-check.h"

static int n_skip;
static char scratch[1024];

static void skip(const char *what, const char *why)
{
    printf("skip - %s: %s\n", what, why);
    n_skip++;
}

static char *P(const char *name)
{
    static char bufs[4][PATH_MAX];
    static int i;
    char *b = bufs[i++ % 4];

    snprintf(b, PATH_MAX, "%s/%s", scratch, name);
    return b;
}

#define FILE_SIZE  12345
#define ATIME_SEC  1000000000LL
#define ATIME_NSEC 123456789L
#define MTIME_SEC  1234567890LL
#define MTIME_NSEC 987654321L
#define OLD_SEC    (-86400LL * 365 * 2 - 7) /* 1968 */
#define OLD_NSEC   5L

struct expect {
    const char *what;
    mode_t mode;
    off_t size;
    nlink_t nlink;
    uid_t uid;
    gid_t gid;
    long long asec, msec;
    long ansec, mnsec;
    int check_times;
};

static void compare(const char *how, const struct stat *s,
                    const struct expect *e, const struct stat *ref)
{
    check(s->st_mode == e->mode, "%s %s: st_mode 0%o == 0%o", how, e->what,
          (unsigned)s->st_mode, (unsigned)e->mode);
    check(s->st_size == e->size, "%s %s: st_size %lld == %lld", how, e->what,
          (long long)s->st_size, (long long)e->size);
    check(s->st_nlink == e->nlink, "%s %s: st_nlink %lu == %lu", how, e->what,
          (unsigned long)s->st_nlink, (unsigned long)e->nlink);
    check(s->st_uid == e->uid && s->st_gid == e->gid,
          "%s %s: st_uid:st_gid %u:%u == %u:%u", how, e->what,
          (unsigned)s->st_uid, (unsigned)s->st_gid, (unsigned)e->uid,
          (unsigned)e->gid);
    if (e->check_times) {
        check(s->st_atim.tv_sec == e->asec && s->st_atim.tv_nsec == e->ansec,
              "%s %s: atime %lld.%09ld == %lld.%09ld", how, e->what,
              (long long)s->st_atim.tv_sec, s->st_atim.tv_nsec, e->asec,
              e->ansec);
        check(s->st_mtim.tv_sec == e->msec && s->st_mtim.tv_nsec == e->mnsec,
              "%s %s: mtime %lld.%09ld == %lld.%09ld", how, e->what,
              (long long)s->st_mtim.tv_sec, s->st_mtim.tv_nsec, e->msec,
              e->mnsec);
    }
    check(s->st_blksize > 0 && (s->st_blksize & (s->st_blksize - 1)) == 0,
          "%s %s: st_blksize %ld is a power of two", how, e->what,
          (long)s->st_blksize);
    if (ref) {
        check(s->st_ino == ref->st_ino && s->st_dev == ref->st_dev,
              "%s %s: st_ino/st_dev %llu/%llx agree with stat "
              "(%llu/%llx)",
              how, e->what, (unsigned long long)s->st_ino,
              (unsigned long long)s->st_dev, (unsigned long long)ref->st_ino,
              (unsigned long long)ref->st_dev);
        check(s->st_blocks == ref->st_blocks && s->st_rdev == ref->st_rdev &&
                  s->st_ctim.tv_sec == ref->st_ctim.tv_sec &&
                  s->st_ctim.tv_nsec == ref->st_ctim.tv_nsec,
              "%s %s: st_blocks %lld, st_rdev, ctime agree with stat", how,
              e->what, (long long)s->st_blocks);
    }
}

static void compare_statx(const char *how, const struct statx *x,
                          const struct expect *e, const struct stat *ref)
{
    check((x->stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS,
          "%s %s: stx_mask 0x%x has STATX_BASIC_STATS", how, e->what,
          x->stx_mask);
    check(x->stx_mode == e->mode, "%s %s: stx_mode 0%o == 0%o", how, e->what,
          (unsigned)x->stx_mode, (unsigned)e->mode);
    check((off_t)x->stx_size == e->size, "%s %s: stx_size %llu == %lld", how,
          e->what, (unsigned long long)x->stx_size, (long long)e->size);
    check(x->stx_nlink == e->nlink, "%s %s: stx_nlink %u == %lu", how, e->what,
          x->stx_nlink, (unsigned long)e->nlink);
    check(x->stx_uid == e->uid && x->stx_gid == e->gid,
          "%s %s: stx_uid:stx_gid %u:%u", how, e->what, x->stx_uid, x->stx_gid);
    if (e->check_times) {
        check(x->stx_atime.tv_sec == e->asec &&
                  x->stx_atime.tv_nsec == (uint32_t)e->ansec,
              "%s %s: stx_atime %lld.%09u", how, e->what,
              (long long)x->stx_atime.tv_sec, x->stx_atime.tv_nsec);
        check(x->stx_mtime.tv_sec == e->msec &&
                  x->stx_mtime.tv_nsec == (uint32_t)e->mnsec,
              "%s %s: stx_mtime %lld.%09u", how, e->what,
              (long long)x->stx_mtime.tv_sec, x->stx_mtime.tv_nsec);
    }
    check(x->stx_ino == ref->st_ino &&
              makedev(x->stx_dev_major, x->stx_dev_minor) == ref->st_dev,
          "%s %s: stx_ino and stx_dev_major:minor %u:%u agree with stat", how,
          e->what, x->stx_dev_major, x->stx_dev_minor);
    check((long long)x->stx_blocks == (long long)ref->st_blocks &&
              (long)x->stx_blksize == (long)ref->st_blksize,
          "%s %s: stx_blocks/stx_blksize agree with stat", how, e->what);
    check(x->stx_ctime.tv_sec == ref->st_ctim.tv_sec &&
              x->stx_ctime.tv_nsec == (uint32_t)ref->st_ctim.tv_nsec,
          "%s %s: stx_ctime agrees with stat", how, e->what);
    if (x->stx_mask & STATX_BTIME)
        check(x->stx_btime.tv_sec > 0, "%s %s: stx_btime is set (%lld)", how,
              e->what, (long long)x->stx_btime.tv_sec);
}

/* all the ways of stat'ing path; follow says whether a symlink is followed */
static void stat_all(const char *path, int follow, const struct expect *e)
{
    struct stat ref, s;
    struct statx x;
    int fd, r;
    char how[64];

    memset(&ref, 0xa5, sizeof(ref));
    r = follow ? stat(path, &ref) : lstat(path, &ref);
    check(r == 0, "%s %s", follow ? "stat" : "lstat", e->what);
    if (r != 0)
        return;
    compare(follow ? "stat" : "lstat", &ref, e, NULL);

    memset(&s, 0x5a, sizeof(s));
    r = fstatat(AT_FDCWD, path, &s, follow ? 0 : AT_SYMLINK_NOFOLLOW);
    check(r == 0, "fstatat %s", e->what);
    if (r == 0)
        compare("fstatat", &s, e, &ref);

    /* relative to a directory fd */
    {
        char dir[PATH_MAX];
        const char *slash = strrchr(path, '/');
        int dfd;

        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
        dfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY);
        memset(&s, 0x5a, sizeof(s));
        r = fstatat(dfd, slash + 1, &s, follow ? 0 : AT_SYMLINK_NOFOLLOW);
        check(r == 0, "fstatat(dirfd, name) %s", e->what);
        if (r == 0)
            compare("fstatat(dirfd)", &s, e, &ref);
        close(dfd);
    }

#ifdef SYS_stat
    memset(&s, 0x5a, sizeof(s));
    r = (int)syscall(follow ? SYS_stat : SYS_lstat, path, &s);
    snprintf(how, sizeof(how), "raw SYS_%s", follow ? "stat" : "lstat");
    check(r == 0, "%s %s", how, e->what);
    if (r == 0)
        compare(how, &s, e, &ref);
#endif
    memset(&s, 0x5a, sizeof(s));
    r = (int)syscall(SYS_newfstatat, AT_FDCWD, path, &s,
                     follow ? 0 : AT_SYMLINK_NOFOLLOW);
    check(r == 0, "raw SYS_newfstatat %s", e->what);
    if (r == 0)
        compare("raw SYS_newfstatat", &s, e, &ref);

    memset(&x, 0x5a, sizeof(x));
    r = statx(AT_FDCWD, path, follow ? 0 : AT_SYMLINK_NOFOLLOW,
              STATX_BASIC_STATS | STATX_BTIME, &x);
    if (r != 0 && errno == ENOSYS) {
        skip("statx", "ENOSYS");
    } else {
        check(r == 0, "statx %s", e->what);
        if (r == 0)
            compare_statx("statx", &x, e, &ref);
    }

    /* fd-based forms */
    fd = open(path, (follow ? O_RDONLY : O_PATH | O_NOFOLLOW));
    if (fd < 0) {
        check(0, "open %s for fstat", e->what);
        return;
    }
    if (follow) {
        memset(&s, 0x5a, sizeof(s));
        r = fstat(fd, &s);
        check(r == 0, "fstat %s", e->what);
        if (r == 0)
            compare("fstat", &s, e, &ref);
#ifdef SYS_fstat
        memset(&s, 0x5a, sizeof(s));
        r = (int)syscall(SYS_fstat, fd, &s);
        check(r == 0, "raw SYS_fstat %s", e->what);
        if (r == 0)
            compare("raw SYS_fstat", &s, e, &ref);
#endif
    }
    memset(&s, 0x5a, sizeof(s));
    r = fstatat(fd, "", &s, AT_EMPTY_PATH);
    check(r == 0, "fstatat(fd, \"\", AT_EMPTY_PATH) %s", e->what);
    if (r == 0)
        compare("fstatat AT_EMPTY_PATH", &s, e, &ref);
    memset(&x, 0x5a, sizeof(x));
    r = statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &x);
    if (r == 0)
        compare_statx("statx AT_EMPTY_PATH", &x, e, &ref);
    else if (errno != ENOSYS)
        check(0, "statx AT_EMPTY_PATH %s", e->what);
    close(fd);
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : getenv("TMPDIR");
    struct timespec ts[2];
    struct expect e;
    struct stat st, st2;
    char *buf;
    int fd, r;
    time_t t0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!base || !*base)
        base = "/tmp";
    snprintf(scratch, sizeof(scratch), "%s/stat-layout-XXXXXX", base);
    if (!mkdtemp(scratch)) {
        printf("FAIL - mkdtemp in %s: %s\n", base, strerror(errno));
        return 1;
    }
    umask(022);
    t0 = time(NULL);

    /* regular file with known contents, mode and times */
    fd = open(P("file"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    buf = malloc(FILE_SIZE);
    for (int i = 0; i < FILE_SIZE; i++)
        buf[i] = (char)('a' + i % 26);
    check(fd >= 0 && write(fd, buf, FILE_SIZE) == FILE_SIZE, "write %d bytes",
          FILE_SIZE);
    check(fchmod(fd, 0640) == 0, "fchmod 0640");
    fsync(fd);
    close(fd);
    ts[0].tv_sec = ATIME_SEC;
    ts[0].tv_nsec = ATIME_NSEC;
    ts[1].tv_sec = MTIME_SEC;
    ts[1].tv_nsec = MTIME_NSEC;
    check(utimensat(AT_FDCWD, P("file"), ts, 0) == 0,
          "utimensat atime/mtime with nanoseconds");

    memset(&e, 0, sizeof(e));
    e.what = "file";
    e.mode = S_IFREG | 0640;
    e.size = FILE_SIZE;
    e.nlink = 1;
    e.uid = geteuid();
    e.gid = getegid();
    e.asec = ATIME_SEC;
    e.ansec = ATIME_NSEC;
    e.msec = MTIME_SEC;
    e.mnsec = MTIME_NSEC;
    e.check_times = 1;
    if (stat(scratch, &st) == 0 && (st.st_mode & S_ISGID))
        e.gid = st.st_gid;
    stat_all(P("file"), 1, &e);

    r = stat(P("file"), &st);
    check(r == 0 && st.st_blocks >= (FILE_SIZE + 511) / 512,
          "st_blocks %lld covers %d bytes", (long long)st.st_blocks, FILE_SIZE);
    check(st.st_ctim.tv_sec >= t0 - 2 && st.st_ctim.tv_sec <= time(NULL) + 2,
          "ctime %lld is now (%lld)", (long long)st.st_ctim.tv_sec,
          (long long)t0);
    check(st.st_rdev == 0, "st_rdev of a regular file is 0");

    /* hard link: nlink 2 everywhere, same inode */
    check(link(P("file"), P("hard")) == 0, "link file hard");
    e.nlink = 2;
    stat_all(P("file"), 1, &e);
    e.what = "hard";
    stat_all(P("hard"), 1, &e);
    r = stat(P("hard"), &st2);
    check(r == 0 && st2.st_ino == st.st_ino, "hard link shares the inode");

    /* symlink: lstat sees the link, stat the file */
    check(symlink("file", P("link")) == 0, "symlink link -> file");
    {
        struct expect l = e;

        l.what = "symlink";
        l.mode = S_IFLNK | 0777;
        l.size = 4; /* strlen("file") */
        l.nlink = 1;
        l.check_times = 0;
        stat_all(P("link"), 0, &l);
    }
    e.what = "symlink->file";
    stat_all(P("link"), 1, &e);

    /* pre-1970 mtime and utimensat UTIME_OMIT */
    ts[0].tv_nsec = UTIME_OMIT;
    ts[1].tv_sec = OLD_SEC;
    ts[1].tv_nsec = OLD_NSEC;
    check(utimensat(AT_FDCWD, P("file"), ts, 0) == 0,
          "utimensat pre-1970 mtime, UTIME_OMIT atime");
    e.what = "file (1968 mtime)";
    e.msec = OLD_SEC;
    e.mnsec = OLD_NSEC;
    stat_all(P("file"), 1, &e);

    /* chmod bits incl. setuid/setgid/sticky survive */
    check(chmod(P("file"), 07755) == 0 || chmod(P("file"), 01755) == 0,
          "chmod with special bits");
    r = stat(P("file"), &st);
    check(r == 0 && (st.st_mode & 0777) == 0755 && (st.st_mode & S_ISVTX),
          "special mode bits reported (0%o)", (unsigned)st.st_mode);

    /* a sparse 5 GiB file: 64-bit st_size, few blocks */
    fd = open(P("big"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    r = fd >= 0 ? ftruncate(fd, 5LL << 30) : -1;
    if (r != 0 && (errno == EFBIG || errno == ENOSPC)) {
        skip("5 GiB sparse file", strerror(errno));
    } else {
        check(r == 0, "ftruncate to 5 GiB");
        check(pwrite(fd, "end", 3, (5LL << 30) - 3) == 3,
              "pwrite at 5 GiB - 3");
        memset(&e, 0, sizeof(e));
        e.what = "5GiB sparse";
        e.mode = S_IFREG | 0644;
        e.size = 5LL << 30;
        e.nlink = 1;
        e.uid = geteuid();
        e.gid = st.st_gid;
        r = stat(P("big"), &st);
        e.gid = st.st_gid;
        stat_all(P("big"), 1, &e);
        check(r == 0 && st.st_blocks < 1024,
              "sparse file has few blocks (%lld)", (long long)st.st_blocks);
        check(lseek(fd, 0, SEEK_END) == (5LL << 30),
              "lseek SEEK_END of 5 GiB file");
    }
    if (fd >= 0)
        close(fd);

    /* directory: nlink counts subdirectories */
    check(mkdir(P("dir"), 0750) == 0, "mkdir dir 0750");
    check(mkdir(P("dir/a"), 0755) == 0 && mkdir(P("dir/b"), 0755) == 0,
          "mkdir dir/a dir/b");
    r = stat(P("dir"), &st);
    check(r == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0750,
          "dir mode 0%o", (unsigned)st.st_mode);
    check(st.st_nlink == 4, "dir nlink == 4 with two subdirs (%lu)",
          (unsigned long)st.st_nlink);
    {
        struct statx x;

        r = statx(AT_FDCWD, P("dir"), 0, STATX_BASIC_STATS, &x);
        check(r == 0 && x.stx_nlink == 4 && S_ISDIR(x.stx_mode) &&
                  x.stx_ino == st.st_ino,
              "statx dir agrees");
    }

    /* character device and fifo */
    if (stat("/dev/null", &st) == 0) {
        check(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
                  minor(st.st_rdev) == 3,
              "/dev/null is char 1:3");
        fd = open("/dev/null", O_RDONLY);
        r = fstat(fd, &st2);
        check(fd >= 0 && r == 0 && st2.st_rdev == st.st_rdev,
              "fstat /dev/null agrees");
        close(fd);
    } else {
        skip("/dev/null", "absent");
    }
    {
        int pf[2];

        check(pipe(pf) == 0 && fstat(pf[0], &st) == 0 && S_ISFIFO(st.st_mode),
              "fstat on a pipe gives S_IFIFO");
        close(pf[0]);
        close(pf[1]);
    }
    check(mkfifo(P("fifo"), 0600) == 0 && lstat(P("fifo"), &st) == 0 &&
              S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0600,
          "mkfifo: S_IFIFO 0600");

    /* cleanup */
    unlink(P("file"));
    unlink(P("hard"));
    unlink(P("link"));
    unlink(P("big"));
    unlink(P("fifo"));
    rmdir(P("dir/a"));
    rmdir(P("dir/b"));
    rmdir(P("dir"));
    check(rmdir(scratch) == 0, "remove scratch dir");
    free(buf);
    printf("# stat-layout: %d ok, %d failed, %d skipped\n", n_ok, n_fail,
           n_skip);
    return n_fail ? 1 : 0;
}
