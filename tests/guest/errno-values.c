/* SPDX-License-Identifier: MIT */
/*
 * errno-values: the exact errno Linux returns for common failing file
 * syscalls (ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY, EBADF, EACCES,
 * EPERM, ELOOP, ENAMETOOLONG, EINVAL, EFAULT, ERANGE, EXDEV-free renames).
 * Permission checks (EACCES/EPERM) need a non-root identity and are
 * reported as "skip" when running as uid 0.
 *
 * Usage: errno-values [SCRATCH_BASE]   (default $TMPDIR or /tmp)
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
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static int n_ok, n_fail, n_skip;
static char scratch[1024];

static void check(int cond, const char *fmt, ...)
{
    va_list ap;
    int e = errno;

    printf("%s - ", cond ? "ok" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (!cond)
        printf(" (errno %d %s)", e, strerror(e));
    printf("\n");
    if (cond)
        n_ok++;
    else
        n_fail++;
}

static void skip(const char *what, const char *why)
{
    printf("skip - %s: %s\n", what, why);
    n_skip++;
}

/* ret must be -1 with errno == want (or alt, if alt != 0) */
static void expect2(long ret, int want, int alt, const char *fmt, ...)
{
    int e = errno;
    va_list ap;
    int good = ret == -1 && (e == want || (alt && e == alt));

    printf("%s - ", good ? "ok" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (good)
        printf(" -> %s\n", strerrorname_np(e));
    else if (ret == -1)
        printf(": got %s, want %s\n", strerrorname_np(e),
               strerrorname_np(want));
    else
        printf(": succeeded (ret %ld), want %s\n", ret, strerrorname_np(want));
    if (good)
        n_ok++;
    else
        n_fail++;
}

#define expect(ret, want, ...) expect2((long)(ret), want, 0, __VA_ARGS__)

static char *P(const char *name)
{
    static char bufs[8][PATH_MAX];
    static int i;
    char *b = bufs[i++ % 8];

    snprintf(b, PATH_MAX, "%s/%s", scratch, name);
    return b;
}

static void touch(const char *p, mode_t mode)
{
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);

    if (fd < 0 || write(fd, "data\n", 5) != 5) {
        printf("FAIL - setup: create %s: %s\n", p, strerror(errno));
        n_fail++;
    }
    if (fd >= 0)
        close(fd);
}

static void test_enoent(void)
{
    struct stat st;

    expect(open(P("missing"), O_RDONLY), ENOENT, "open missing file");
    expect(stat(P("missing"), &st), ENOENT, "stat missing file");
    expect(lstat(P("missing"), &st), ENOENT, "lstat missing file");
    expect(open(P("nodir/x"), O_RDONLY | O_CREAT, 0644), ENOENT,
           "O_CREAT under a missing directory");
    expect(mkdir(P("nodir/sub"), 0755), ENOENT,
           "mkdir under a missing directory");
    expect(unlink(P("missing")), ENOENT, "unlink missing");
    expect(rmdir(P("missing")), ENOENT, "rmdir missing");
    expect(rename(P("missing"), P("other")), ENOENT, "rename missing");
    expect(chdir(P("missing")), ENOENT, "chdir missing");
    expect(access(P("missing"), F_OK), ENOENT, "access missing");
    expect(open("", O_RDONLY), ENOENT, "open empty path");
    expect(stat("", &st), ENOENT, "stat empty path");
    expect(readlink(P("missing"), (char[16]){ 0 }, 16), ENOENT,
           "readlink missing");
    expect(symlink("target", P("nodir/link")), ENOENT,
           "symlink under a missing directory");
    if (symlink(P("missing"), P("dangling")) == 0) {
        expect(stat(P("dangling"), &st), ENOENT,
               "stat through a dangling symlink");
        check(lstat(P("dangling"), &st) == 0 && S_ISLNK(st.st_mode),
              "lstat of a dangling symlink succeeds");
        expect(open(P("dangling"), O_RDONLY), ENOENT,
               "open through a dangling symlink");
    } else {
        check(0, "symlink dangling");
    }
    expect(link(P("missing"), P("hard")), ENOENT, "link from missing");
    expect(truncate(P("missing"), 0), ENOENT, "truncate missing");
    expect(chmod(P("missing"), 0644), ENOENT, "chmod missing");
}

static void test_eexist(void)
{
    expect(mkdir(P("dir"), 0755), EEXIST, "mkdir an existing dir");
    expect(mkdir(P("file"), 0755), EEXIST, "mkdir over an existing file");
    expect(open(P("file"), O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST,
           "O_CREAT|O_EXCL on existing file");
    expect(open(P("dangling"), O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST,
           "O_CREAT|O_EXCL on a dangling symlink");
    expect(symlink("x", P("file")), EEXIST, "symlink onto existing name");
    expect(link(P("file"), P("dir")), EEXIST, "link onto existing name");
    expect(mkfifo(P("file"), 0644), EEXIST, "mkfifo onto existing name");
}

static void test_enotdir(void)
{
    struct stat st;

    expect(open(P("file/x"), O_RDONLY), ENOTDIR,
           "open with a file as a path component");
    expect(stat(P("file/x"), &st), ENOTDIR, "stat file/x");
    expect(mkdir(P("file/sub"), 0755), ENOTDIR, "mkdir under a file");
    expect(open(P("file"), O_RDONLY | O_DIRECTORY), ENOTDIR,
           "O_DIRECTORY on a regular file");
    expect(opendir(P("file")) ? 0 : -1, ENOTDIR, "opendir a file");
    expect(rmdir(P("file")), ENOTDIR, "rmdir a file");
    expect(chdir(P("file")), ENOTDIR, "chdir into a file");
    expect(rename(P("dir"), P("file")), ENOTDIR, "rename a dir over a file");
    expect(stat(P("file/"), &st), ENOTDIR, "stat file/ (trailing slash)");
    {
        int fd = open(P("file"), O_RDONLY);

        expect(openat(fd, "x", O_RDONLY), ENOTDIR,
               "openat relative to a file fd");
        expect(fchdir(fd), ENOTDIR, "fchdir to a file fd");
        close(fd);
    }
}

static void test_eisdir(void)
{
    char buf[8];
    int fd;

    expect(open(P("dir"), O_WRONLY), EISDIR, "open a dir O_WRONLY");
    expect(open(P("dir"), O_RDWR), EISDIR, "open a dir O_RDWR");
    expect(open(P("dir"), O_RDONLY | O_CREAT, 0644), EISDIR,
           "open a dir O_CREAT");
    expect(unlink(P("dir")), EISDIR, "unlink a dir");
    expect(rename(P("file"), P("dir")), EISDIR, "rename a file over a dir");
    expect(truncate(P("dir"), 0), EISDIR, "truncate a dir");
    fd = open(P("dir"), O_RDONLY | O_DIRECTORY);
    check(fd >= 0, "open a dir O_RDONLY|O_DIRECTORY");
    if (fd >= 0) {
        expect(read(fd, buf, sizeof(buf)), EISDIR, "read on a dir fd");
        close(fd);
    }
}

static void test_enotempty_einval(void)
{
    char cwd[4];

    touch(P("full/inner"), 0644);
    expect(rmdir(P("full")), ENOTEMPTY, "rmdir a non-empty dir");
    expect2(rename(P("dir"), P("full")), ENOTEMPTY, EEXIST,
            "rename a dir over a non-empty dir");
    expect(rename(P("full"), P("full/inner2")), EINVAL,
           "rename a dir into its own subdirectory");
    expect(rmdir(P("dir/.")), EINVAL, "rmdir dir/.");
    expect2(rmdir(P("dir/..")), ENOTEMPTY, EEXIST, "rmdir dir/..");
    expect(getcwd(cwd, 1) ? 0 : -1, ERANGE, "getcwd with a 1-byte buffer");
    expect(syscall(SYS_lseek, 9999, 0, SEEK_SET), EBADF,
           "raw lseek on fd 9999");
    expect(symlink("", P("emptylink")), ENOENT, "symlink with empty target");
    expect(readlink(P("file"), (char[16]){ 0 }, 16), EINVAL,
           "readlink on a regular file");
    expect(link(P("dir"), P("dirlink")), EPERM, "hard link to a directory");
}

static void test_ebadf(void)
{
    char buf[8];
    struct stat st;

    expect(read(-1, buf, 1), EBADF, "read(-1)");
    expect(write(9999, buf, 1), EBADF, "write(9999)");
    expect(fstat(9999, &st), EBADF, "fstat(9999)");
    expect(close(9999), EBADF, "close(9999)");
    expect(fchdir(9999), EBADF, "fchdir(9999)");
    expect(openat(9999, "x", O_RDONLY), EBADF, "openat(9999, relative)");
    expect(fstatat(9999, "x", &st, 0), EBADF, "fstatat(9999, relative)");
    expect(fcntl(9999, F_GETFL), EBADF, "fcntl(9999)");
    expect(dup(9999), EBADF, "dup(9999)");
    expect(ftruncate(9999, 0), EBADF, "ftruncate(9999)");
    expect(fsync(9999), EBADF, "fsync(9999)");
    {
        /* an absolute path ignores a bad dirfd */
        int fd = openat(9999, P("file"), O_RDONLY);

        check(fd >= 0, "openat(9999, absolute) ignores the dirfd");
        if (fd >= 0)
            close(fd);
    }
}

static void test_efault(void)
{
    struct stat st;

    /* raw syscalls: the compiler must not see the bad pointers */
    volatile uintptr_t bad = 8;

    expect(syscall(SYS_openat, AT_FDCWD, (void *)bad, O_RDONLY, 0), EFAULT,
           "openat(bad path pointer)");
    expect(syscall(SYS_newfstatat, AT_FDCWD, (void *)bad, &st, 0), EFAULT,
           "fstatat(bad path pointer)");
    expect(syscall(SYS_newfstatat, AT_FDCWD, P("file"), (void *)bad, 0), EFAULT,
           "fstatat to a bad stat buffer");
    {
        int fd = open(P("file"), O_RDONLY);

        expect(syscall(SYS_read, fd, (void *)bad, 4), EFAULT,
               "read to a bad buffer");
        close(fd);
    }
}

static void test_eloop_nametoolong(void)
{
    struct stat st;
    char *longname, *longpath;
    int fd;

    symlink("loop2", P("loop1"));
    symlink("loop1", P("loop2"));
    expect(open(P("loop1"), O_RDONLY), ELOOP, "open a symlink loop");
    expect(stat(P("loop1"), &st), ELOOP, "stat a symlink loop");
    check(lstat(P("loop1"), &st) == 0 && S_ISLNK(st.st_mode),
          "lstat a symlink in a loop");
    symlink("file", P("tofile"));
    expect(open(P("tofile"), O_RDONLY | O_NOFOLLOW), ELOOP,
           "O_NOFOLLOW on a symlink");
    fd = open(P("tofile"), O_RDONLY | O_NOFOLLOW | O_PATH);
    check(fd >= 0, "O_PATH|O_NOFOLLOW on a symlink opens the link");
    if (fd >= 0)
        close(fd);
    {
        /* a chain of 41 symlinks exceeds MAXSYMLINKS (40) */
        char a[32], b[32];

        for (int i = 0; i < 41; i++) {
            snprintf(a, sizeof(a), "chain%d", i);
            snprintf(b, sizeof(b), "chain%d", i + 1);
            symlink(b, P(a));
        }
        touch(P("chain41"), 0644);
        fd = open(P("chain1"), O_RDONLY);
        check(fd >= 0, "a chain of 40 symlinks resolves");
        if (fd >= 0)
            close(fd);
        expect(open(P("chain0"), O_RDONLY), ELOOP, "a chain of 41 symlinks");
    }

    longname = malloc(300);
    memset(longname, 'n', 256);
    longname[256] = 0;
    expect(open(P(longname), O_RDONLY | O_CREAT, 0644), ENAMETOOLONG,
           "component of 256 bytes");
    expect(mkdir(P(longname), 0755), ENAMETOOLONG,
           "mkdir component of 256 bytes");
    longname[255] = 0;
    fd = open(P(longname), O_RDWR | O_CREAT, 0644);
    check(fd >= 0, "component of 255 bytes is allowed");
    if (fd >= 0) {
        close(fd);
        unlink(P(longname));
    }
    longpath = malloc(PATH_MAX + 16);
    memset(longpath, 0, PATH_MAX + 16);
    for (size_t i = 0; i + 2 < PATH_MAX + 8; i += 2)
        memcpy(longpath + i, "./", 2);
    expect(stat(longpath, &st), ENAMETOOLONG, "path of > PATH_MAX bytes");
    expect(open(longpath, O_RDONLY), ENAMETOOLONG,
           "open a path of > PATH_MAX bytes");
    free(longname);
    free(longpath);
}

static void test_perm(void)
{
    struct stat st;
    int fd;

    if (geteuid() == 0) {
        skip("EACCES/EPERM checks", "running as uid 0");
        /* root bypasses permission bits: sanity-check that */
        touch(P("noperm"), 0000);
        fd = open(P("noperm"), O_RDONLY);
        check(fd >= 0, "root opens a mode 000 file");
        if (fd >= 0)
            close(fd);
        return;
    }
    touch(P("noperm"), 0644);
    chmod(P("noperm"), 0000);
    expect(open(P("noperm"), O_RDONLY), EACCES, "open a mode 000 file");
    expect(open(P("noperm"), O_WRONLY), EACCES,
           "open a mode 000 file for writing");
    expect(access(P("noperm"), R_OK), EACCES, "access R_OK on mode 000");
    touch(P("ro"), 0444);
    expect(open(P("ro"), O_WRONLY), EACCES, "open a 0444 file O_WRONLY");
    expect(truncate(P("ro"), 0), EACCES, "truncate a 0444 file");
    expect(execl(P("ro"), "ro", (char *)NULL), EACCES,
           "execve a non-executable file");

    mkdir(P("rodir"), 0755);
    touch(P("rodir/f"), 0644);
    chmod(P("rodir"), 0555);
    expect(open(P("rodir/new"), O_WRONLY | O_CREAT, 0644), EACCES,
           "create in a 0555 dir");
    expect(mkdir(P("rodir/sub"), 0755), EACCES, "mkdir in a 0555 dir");
    expect(unlink(P("rodir/f")), EACCES, "unlink in a 0555 dir");
    expect(rename(P("rodir/f"), P("moved")), EACCES,
           "rename out of a 0555 dir");
    chmod(P("rodir"), 0755);

    mkdir(P("nox"), 0755);
    touch(P("nox/f"), 0644);
    chmod(P("nox"), 0644);
    expect(stat(P("nox/f"), &st), EACCES,
           "stat through a dir without search permission");
    expect(chdir(P("nox")), EACCES, "chdir into a dir without x");
    chmod(P("nox"), 0311);
    expect(opendir(P("nox")) ? 0 : -1, EACCES,
           "opendir a dir without read permission");
    chmod(P("nox"), 0755);

    /* root-owned objects */
    expect(open("/etc/shadow-kbox-test", O_WRONLY | O_CREAT, 0644), EACCES,
           "create a file in /etc as non-root");
    expect(mkdir("/kbox-errno-test", 0755), EACCES, "mkdir in / as non-root");
    expect(chown(P("file"), 0, 0), EPERM, "chown to root as non-root");
    if (stat("/etc/passwd", &st) == 0 && st.st_uid == 0)
        expect(chmod("/etc/passwd", 0666), EPERM, "chmod a root-owned file");
    expect(setuid(0), EPERM, "setuid(0) as non-root");
    if (stat("/tmp", &st) == 0 && (st.st_mode & S_ISVTX))
        check(1, "/tmp is sticky (mode %o)", st.st_mode & 07777);
}

static void rm_tree(const char *p)
{
    DIR *d;
    struct dirent *de;
    char sub[PATH_MAX];

    chmod(p, 0755);
    d = opendir(p);
    if (!d) {
        unlink(p);
        return;
    }
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", p, de->d_name);
        if (de->d_type == DT_DIR)
            rm_tree(sub);
        else
            unlink(sub);
    }
    closedir(d);
    rmdir(p);
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : getenv("TMPDIR");
    struct stat st;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!base || !*base)
        base = "/tmp";
    snprintf(scratch, sizeof(scratch), "%s/errno-values-XXXXXX", base);
    if (!mkdtemp(scratch)) {
        printf("FAIL - mkdtemp in %s: %s\n", base, strerror(errno));
        return 1;
    }
    printf("# uid %d euid %d, scratch %s\n", (int)getuid(), (int)geteuid(),
           scratch);
    umask(022);
    touch(P("file"), 0644);
    mkdir(P("dir"), 0755);
    mkdir(P("full"), 0755);

    test_enoent();
    test_eexist();
    test_enotdir();
    test_eisdir();
    test_enotempty_einval();
    test_ebadf();
    test_efault();
    test_eloop_nametoolong();
    test_perm();

    rm_tree(scratch);
    check(stat(scratch, &st) == -1 && errno == ENOENT, "scratch dir removed");
    printf("# errno-values: %d ok, %d failed, %d skipped\n", n_ok, n_fail,
           n_skip);
    return n_fail ? 1 : 0;
}
