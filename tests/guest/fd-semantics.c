/* SPDX-License-Identifier: MIT */
/*
 * fd-semantics: Linux file-descriptor semantics inside one process.
 *
 * dup/dup2/dup3, F_DUPFD/F_DUPFD_CLOEXEC, FD_CLOEXEC via fcntl, file status
 * flags, close_range, lowest-free-number allocation, O_APPEND, lseek,
 * pread/pwrite, readv/writev, access-mode errors.
 *
 * Usage: fd-semantics [SCRATCH_BASE]   (default $TMPDIR or /tmp)
 * Prints one "ok"/"FAIL"/"skip" line per check; exits 0 only if none failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static int n_ok, n_fail, n_skip;

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

/* ret must be -1 with errno == want */
static void check_err(long ret, int want, const char *what)
{
    int e = errno;

    if (ret == -1 && e == want) {
        printf("ok - %s fails with %s\n", what, strerrorname_np(want));
        n_ok++;
    } else {
        printf("FAIL - %s: ret %ld errno %d (%s), want %s\n", what, ret,
               ret == -1 ? e : 0, ret == -1 ? strerror(e) : "-",
               strerrorname_np(want));
        n_fail++;
    }
}

static int is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

static int cloexec_of(int fd)
{
    int f = fcntl(fd, F_GETFD);

    return f < 0 ? -1 : !!(f & FD_CLOEXEC);
}

static off_t pos(int fd)
{
    return lseek(fd, 0, SEEK_CUR);
}

static char scratch[1024];

static void path(char *buf, const char *name)
{
    snprintf(buf, PATH_MAX, "%s/%s", scratch, name);
}

static void test_alloc_and_dup(void)
{
    char p[PATH_MAX];
    int fd, fd2, fd3, r;

    path(p, "dup");
    fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
    check(fd >= 0, "open O_CREAT returns an fd (%d)", fd);
    if (fd < 0)
        return;
    check(fd < 64, "fd numbers are small (%d), not a high virtual range", fd);

    /* lowest free number */
    fd2 = open(p, O_RDONLY);
    close(fd2);
    fd3 = open(p, O_RDONLY);
    check(fd3 == fd2, "closed number %d is reused by next open (%d)", fd2, fd3);
    close(fd3);

    fd2 = dup(fd);
    check(fd2 >= 0 && fd2 != fd, "dup returns a new fd (%d)", fd2);
    check(fd2 == fd + 1 || fd2 < fd, "dup returns lowest free number");
    check(write(fd, "hello", 5) == 5, "write 5 bytes via original");
    check(pos(fd2) == 5, "dup shares the file offset (%ld)", (long)pos(fd2));
    check(lseek(fd2, 1, SEEK_SET) == 1, "lseek via dup");
    check(pos(fd) == 1, "original sees offset moved by dup (%ld)",
          (long)pos(fd));
    check(cloexec_of(fd2) == 0, "dup clears FD_CLOEXEC on the copy");

    /* status flags are shared, fd flags are not */
    r = fcntl(fd, F_SETFL, O_APPEND);
    check(r == 0, "F_SETFL O_APPEND");
    check((fcntl(fd2, F_GETFL) & O_APPEND) != 0,
          "O_APPEND set via one fd visible via its dup");
    fcntl(fd, F_SETFL, 0);
    check((fcntl(fd2, F_GETFL) & O_APPEND) == 0,
          "O_APPEND cleared via one fd cleared for its dup");
    check((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR,
          "F_GETFL access mode is O_RDWR");
    check(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 && cloexec_of(fd) == 1,
          "F_SETFD FD_CLOEXEC sets the flag");
    check(cloexec_of(fd2) == 0, "FD_CLOEXEC is per-descriptor (dup unset)");
    check(fcntl(fd, F_SETFD, 0) == 0 && cloexec_of(fd) == 0,
          "F_SETFD 0 clears the flag");
    close(fd2);

    /* dup2 */
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    r = dup2(fd, 40);
    check(r == 40, "dup2 to 40 returns 40 (%d)", r);
    check(cloexec_of(40) == 0, "dup2 target does not inherit FD_CLOEXEC");
    r = dup2(fd, fd);
    check(r == fd, "dup2(fd, fd) returns fd");
    check(cloexec_of(fd) == 1, "dup2(fd, fd) leaves FD_CLOEXEC alone");
    fd2 = open(p, O_RDONLY);
    r = dup2(fd, fd2); /* replaces an open fd silently */
    check(r == fd2, "dup2 onto an open fd closes and replaces it");
    check((fcntl(fd2, F_GETFL) & O_ACCMODE) == O_RDWR,
          "replaced fd now refers to the O_RDWR description");
    close(fd2);
    check_err(dup2(9999, 41), EBADF, "dup2 from a closed fd");
    check(!is_open(41), "failed dup2 does not create the target");
    check_err(dup2(fd, -1), EBADF, "dup2 to -1");
    check_err(dup2(fd, INT_MAX), EBADF, "dup2 to INT_MAX");

    /* dup3 */
    r = dup3(fd, 42, O_CLOEXEC);
    check(r == 42 && cloexec_of(42) == 1, "dup3 O_CLOEXEC sets FD_CLOEXEC");
    r = dup3(fd, 43, 0);
    check(r == 43 && cloexec_of(43) == 0, "dup3 0 leaves FD_CLOEXEC clear");
    check_err(dup3(fd, fd, 0), EINVAL, "dup3(fd, fd)");
    check_err(dup3(fd, 44, O_NONBLOCK), EINVAL, "dup3 with bad flags");

    /* F_DUPFD / F_DUPFD_CLOEXEC */
    r = fcntl(fd, F_DUPFD, 50);
    check(r == 50, "F_DUPFD 50 on a free range returns 50 (%d)", r);
    check(cloexec_of(50) == 0, "F_DUPFD result has FD_CLOEXEC clear");
    r = fcntl(fd, F_DUPFD, 50);
    check(r == 51, "F_DUPFD 50 when 50 is taken returns 51 (%d)", r);
    r = fcntl(fd, F_DUPFD_CLOEXEC, 50);
    check(r == 52 && cloexec_of(52) == 1,
          "F_DUPFD_CLOEXEC returns 52 with FD_CLOEXEC (%d)", r);
    r = fcntl(fd, F_DUPFD, 0);
    check(r >= 0 && r < 40, "F_DUPFD 0 returns a low free fd (%d)", r);
    if (r >= 0)
        close(r);
    check_err(fcntl(fd, F_DUPFD, -1), EINVAL, "F_DUPFD with negative min");
    check_err(fcntl(9999, F_DUPFD, 0), EBADF, "F_DUPFD on a closed fd");

    /* close and close_range */
    check(close(43) == 0, "close(43)");
    check_err(close(43), EBADF, "second close(43)");
    check_err(close(-1), EBADF, "close(-1)");
    r = (int)syscall(SYS_close_range, 50, 52, 0);
    if (r == -1 && errno == ENOSYS) {
        skip("close_range", "ENOSYS");
    } else {
        check(r == 0, "close_range(50, 52, 0)");
        check(!is_open(50) && !is_open(51) && !is_open(52),
              "close_range closed 50..52");
        check(is_open(42) && is_open(40) && is_open(fd),
              "close_range left others open");
        dup2(fd, 60);
        dup2(fd, 61);
        r = (int)syscall(SYS_close_range, 60, 61, CLOSE_RANGE_CLOEXEC);
        check(r == 0 && is_open(60) && cloexec_of(60) == 1 &&
                  cloexec_of(61) == 1,
              "close_range CLOSE_RANGE_CLOEXEC marks without closing");
        r = (int)syscall(SYS_close_range, 60, ~0U, 0);
        check(r == 0 && !is_open(60) && !is_open(61),
              "close_range(60, ~0U) closes to the end");
        check_err(syscall(SYS_close_range, 10, 5, 0), EINVAL,
                  "close_range with first > last");
    }
    close(40);
    close(42);
    close(fd);
    check_err(fcntl(fd, F_GETFD), EBADF, "F_GETFD on closed fd");
}

static void test_append_seek_pio(void)
{
    char p[PATH_MAX], buf[64];
    int fd, fd2, r;
    struct stat st;
    struct iovec iov[3];

    path(p, "append");
    fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    check(fd >= 0, "open O_APPEND");
    if (fd < 0)
        return;
    check((fcntl(fd, F_GETFL) & O_APPEND) != 0, "F_GETFL shows O_APPEND");
    check(write(fd, "abc", 3) == 3, "append write 1");
    check(lseek(fd, 0, SEEK_SET) == 0, "lseek to 0 on O_APPEND fd");
    check(write(fd, "def", 3) == 3, "append write 2 after lseek(0)");
    check(pos(fd) == 6, "offset after append is end of file (%ld)",
          (long)pos(fd));
    /* Linux: pwrite on O_APPEND appends regardless of offset */
    r = (int)pwrite(fd, "XY", 2, 0);
    check(r == 2, "pwrite on O_APPEND fd");
    fd2 = open(p, O_RDONLY);
    memset(buf, 0, sizeof(buf));
    r = (int)read(fd2, buf, sizeof(buf));
    check(r == 8 && memcmp(buf, "abcdefXY", 8) == 0,
          "content is abcdefXY (pwrite appended) [%.*s]", r > 0 ? r : 0, buf);
    /* second independent open with O_APPEND interleaves at end */
    {
        int fa = open(p, O_WRONLY | O_APPEND);

        check(write(fa, "1", 1) == 1 && write(fd, "2", 1) == 1 &&
                  write(fa, "3", 1) == 1,
              "two O_APPEND descriptions write");
        close(fa);
        r = (int)pread(fd2, buf, sizeof(buf), 0);
        check(r == 11 && memcmp(buf, "abcdefXY123", 11) == 0,
              "independent O_APPEND writes never overwrite");
    }
    check_err(read(fd, buf, 1), EBADF, "read on O_WRONLY fd");
    check_err(write(fd2, "x", 1), EBADF, "write on O_RDONLY fd");
    close(fd);
    close(fd2);

    /* lseek + pread/pwrite on a plain O_RDWR file */
    path(p, "seek");
    fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
    check(write(fd, "0123456789", 10) == 10, "write 10 bytes");
    check(lseek(fd, 0, SEEK_END) == 10, "SEEK_END == 10");
    check(lseek(fd, -3, SEEK_END) == 7, "SEEK_END -3 == 7");
    check(lseek(fd, 2, SEEK_CUR) == 9, "SEEK_CUR +2 == 9");
    check(lseek(fd, 4, SEEK_SET) == 4, "SEEK_SET 4");
    memset(buf, 0, sizeof(buf));
    check(read(fd, buf, 3) == 3 && memcmp(buf, "456", 3) == 0,
          "read at offset 4 gives 456");
    check(pos(fd) == 7, "offset advanced to 7");
    check(pread(fd, buf, 2, 1) == 2 && memcmp(buf, "12", 2) == 0,
          "pread at 1 gives 12");
    check(pos(fd) == 7, "pread does not move the offset");
    check(pwrite(fd, "AB", 2, 8) == 2, "pwrite at 8");
    check(pos(fd) == 7, "pwrite does not move the offset");
    check(pread(fd, buf, 10, 0) == 10 && memcmp(buf, "01234567AB", 10) == 0,
          "pwrite landed at 8");
    check(pread(fd, buf, 10, 10) == 0, "pread at EOF returns 0");
    check(pread(fd, buf, 10, 1000) == 0, "pread past EOF returns 0");
    check_err(lseek(fd, -1, SEEK_SET), EINVAL, "lseek to negative offset");
    check_err(lseek(fd, 0, 42), EINVAL, "lseek with bad whence");
    check_err(pread(fd, buf, 1, -1), EINVAL, "pread at negative offset");
    /* hole */
    check(lseek(fd, 100, SEEK_SET) == 100, "lseek past EOF");
    check(write(fd, "Z", 1) == 1, "write after hole");
    r = fstat(fd, &st);
    check(r == 0 && st.st_size == 101, "size after hole is 101 (%ld)",
          (long)st.st_size);
    memset(buf, 'q', sizeof(buf));
    check(pread(fd, buf, 5, 50) == 5 && memcmp(buf, "\0\0\0\0\0", 5) == 0,
          "hole reads as zeroes");
    /* writev/readv */
    iov[0].iov_base = "aa";
    iov[0].iov_len = 2;
    iov[1].iov_base = "bbb";
    iov[1].iov_len = 3;
    iov[2].iov_base = "c";
    iov[2].iov_len = 1;
    check(lseek(fd, 0, SEEK_SET) == 0 && writev(fd, iov, 3) == 6,
          "writev 3 iovecs");
    {
        char a[2], b[4];

        iov[0].iov_base = a;
        iov[0].iov_len = sizeof(a);
        iov[1].iov_base = b;
        iov[1].iov_len = sizeof(b);
        check(lseek(fd, 0, SEEK_SET) == 0 && readv(fd, iov, 2) == 6 &&
                  memcmp(a, "aa", 2) == 0 && memcmp(b, "bbbc", 4) == 0,
              "readv scatters aa|bbbc");
    }
    check(ftruncate(fd, 3) == 0 && fstat(fd, &st) == 0 && st.st_size == 3,
          "ftruncate to 3");
    check(pos(fd) == 6, "ftruncate does not move offset (%ld)", (long)pos(fd));
    check(read(fd, buf, 4) == 0, "read beyond truncated end returns 0");
    close(fd);

    /* lseek on a pipe */
    {
        int pf[2];

        check(pipe(pf) == 0, "pipe");
        check_err(lseek(pf[0], 0, SEEK_CUR), ESPIPE, "lseek on a pipe");
        check_err(pread(pf[0], buf, 1, 0), ESPIPE, "pread on a pipe");
        close(pf[0]);
        close(pf[1]);
    }

    /* O_TRUNC on reopen, O_EXCL */
    fd = open(p, O_RDWR | O_TRUNC);
    check(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0,
          "O_TRUNC truncates to 0");
    close(fd);
    check_err(open(p, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST,
              "O_CREAT|O_EXCL on existing file");
}

static void test_std_fds(void)
{
    struct stat st;

    check(fstat(0, &st) == 0 || errno == EBADF, "fstat(0) works or EBADF");
    check(fstat(1, &st) == 0, "stdout is open");
    check(fstat(2, &st) == 0, "stderr is open");
}

static int rm_rf(const char *dir)
{
    char cmd[PATH_MAX];

    /* avoid depending on a shell: remove the files we know */
    static const char *names[] = { "dup", "append", "seek", NULL };
    for (int i = 0; names[i]; i++) {
        snprintf(cmd, sizeof(cmd), "%s/%s", dir, names[i]);
        unlink(cmd);
    }
    return rmdir(dir);
}

/*
 * The supervisor holds a thread to one CPU while it injects an fd into it
 * (src/tiers/seccomp/notify.c): the thread's own affinity must be back
 * when the call returns, the full set and a set of its own choosing.
 */
static void test_affinity_kept(void)
{
    cpu_set_t all, mine, now;
    int n = 0, ok = 1, last = -1;
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/affinity", scratch);
    if (sched_getaffinity(0, sizeof(all), &all) != 0) {
        check(0, "sched_getaffinity");
        return;
    }
    for (int i = 0; i < 200 && ok; i++) {
        int fd = open(path, O_RDWR | O_CREAT, 0600);

        ok = fd >= 0 && sched_getaffinity(0, sizeof(now), &now) == 0 &&
             CPU_EQUAL(&now, &all);
        if (fd >= 0)
            close(fd);
    }
    check(ok, "200 opens leave the thread's affinity (%d CPUs) as it was",
          CPU_COUNT(&all));
    /* A set of the thread's choosing: every CPU but the last allowed. */
    mine = all;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &all))
            n++, last = c;
    if (n < 2) {
        skip("affinity of the guest's choosing", "one CPU only");
        unlink(path);
        return;
    }
    CPU_CLR(last, &mine);
    check(sched_setaffinity(0, sizeof(mine), &mine) == 0,
          "sched_setaffinity to all CPUs but %d", last);
    ok = 1;
    for (int i = 0; i < 200 && ok; i++) {
        int fd = open(path, O_RDONLY);

        ok = fd >= 0 && sched_getaffinity(0, sizeof(now), &now) == 0 &&
             CPU_EQUAL(&now, &mine) && sched_getcpu() != last;
        if (fd >= 0)
            close(fd);
    }
    check(ok, "200 opens keep a chosen affinity and never run on CPU %d", last);
    sched_setaffinity(0, sizeof(all), &all);
    unlink(path);
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : getenv("TMPDIR");

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!base || !*base)
        base = "/tmp";
    snprintf(scratch, sizeof(scratch), "%s/fd-semantics-XXXXXX", base);
    if (!mkdtemp(scratch)) {
        printf("FAIL - mkdtemp in %s: %s\n", base, strerror(errno));
        return 1;
    }
    test_std_fds();
    test_alloc_and_dup();
    test_append_seek_pio();
    test_affinity_kept();
    check(rm_rf(scratch) == 0, "remove scratch dir");
    printf("# fd-semantics: %d ok, %d failed, %d skipped\n", n_ok, n_fail,
           n_skip);
    return n_fail ? 1 : 0;
}
