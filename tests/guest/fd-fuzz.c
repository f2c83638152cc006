/* SPDX-License-Identifier: MIT */
/*
 * fd-fuzz: a seeded random sequence of fd-table operations that prints a
 * canonical trace (no pids, inode numbers or times), so that a run under
 * kbox can be diffed against a native run of the same seeds.
 *
 * After every operation it prints the result (value or errno name) and the
 * fd table: for each open fd its number, close-on-exec, access mode and
 * O_APPEND/O_NONBLOCK/O_PATH, kind (file name relative to the test
 * directory, or the anonymous object's type), offset and size of regular
 * files, and which lower fd shares its open file description (found by
 * toggling O_NONBLOCK on one and reading the other's flags back).
 *
 * Usage: fd-fuzz DIR SEED COUNT NOPS [NOFLAGS]
 *   runs seeds SEED..SEED+COUNT-1, each in a fresh child, in directory DIR
 *   (files f0 f1 f2 and directory d are made there). NOFLAGS is a bit mask
 *   of operation groups to leave out (1 = O_PATH opens, 2 = setrlimit,
 *   4 = opens of /proc/self/fd/N). The trace goes to stdout; all other
 *   fds are closed first.
 * Internal: fd-fuzz --resume DIR SEED OPIDX RNG NOPS NOFLAGS (after execve).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz-util.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define TRACE_FD      1000 /* never touched by the operations */
#define MAXFD         1024
#define NOFLAG_OPATH  1
#define NOFLAG_RLIMIT 2
#define NOFLAG_REOPEN 4

static char dir[PATH_MAX], self[PATH_MAX];
static unsigned long seed;
static int nops, noflags, in_child;
static char out[1 << 16];
static size_t outlen;

static void flush_out(void)
{
    size_t off = 0;

    while (off < outlen) {
        ssize_t n = write(TRACE_FD, out + off, outlen - off);

        if (n <= 0)
            _exit(99);
        off += (size_t)n;
    }
    outlen = 0;
}

__attribute__((format(printf, 1, 2))) static void P(const char *fmt, ...)
{
    va_list ap;

    if (outlen > sizeof(out) - 4096)
        flush_out();
    va_start(ap, fmt);
    outlen += (size_t)vsnprintf(out + outlen, sizeof(out) - outlen, fmt, ap);
    va_end(ap);
}

static int R(int n)
{
    return (int)(rnd64() % (uint64_t)n);
}

static const char *ename(int e)
{
    static char b[32];

    switch (e) {
#define E(x) \
    case x:  \
        return #x
        E(EBADF);
        E(EINVAL);
        E(EMFILE);
        E(ENFILE);
        E(ENOENT);
        E(ENOTDIR);
        E(EISDIR);
        E(EACCES);
        E(EPERM);
        E(ENXIO);
        E(EAGAIN);
        E(EEXIST);
        E(ESPIPE);
        E(EOPNOTSUPP);
        E(ELOOP);
        E(ENODEV);
        E(EFAULT);
        E(EXDEV);
        E(EROFS);
        E(ENOTSOCK);
        E(ENOSYS);
        E(EINTR);
        E(EPIPE);
        E(ENOMEM);
        E(EFBIG);
#undef E
    }
    snprintf(b, sizeof(b), "E%d", e);
    return b;
}

static void result(long r)
{
    if (r < 0)
        P(" = -1 %s\n", ename(errno));
    else
        P(" = %ld\n", r);
}

/* Numbers the table lists: 0..63 and the windows the high ops land in. */
static int listed(int fd)
{
    return fd != TRACE_FD &&
           (fd < 64 || (fd >= 96 && fd < 112) || (fd >= 250 && fd < 262) ||
            (fd >= 505 && fd < 515) || (fd >= 1015 && fd < MAXFD));
}

static int openfds[MAXFD], nopen;

static void kind_of(int fd, const struct stat *st, char *k, size_t n)
{
    char path[64], link[PATH_MAX];
    ssize_t l;
    size_t dl = strlen(dir);

    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    l = readlink(path, link, sizeof(link) - 1);
    if (l < 0) {
        snprintf(k, n, "?%s", ename(errno));
        return;
    }
    link[l] = 0;
    if (!strncmp(link, "pipe:", 5))
        snprintf(k, n, "pipe");
    else if (!strncmp(link, "socket:", 7))
        snprintf(k, n, "socket");
    else if (!strncmp(link, "anon_inode:", 11))
        snprintf(k, n, "%s", link);
    else if (!strncmp(link, "/memfd:", 7))
        snprintf(k, n, "memfd%s", strstr(link, "(deleted)") ? "-d" : "");
    else if (strstr(link, "/#"))
        snprintf(k, n, "tmpfile%s", strstr(link, "(deleted)") ? "-d" : "");
    else if (!strncmp(link, dir, dl) && (link[dl] == '/' || !link[dl]))
        snprintf(k, n, ".%s", link + dl);
    else
        snprintf(k, n, "%s", link);
    {
        size_t kl = strlen(k);

        snprintf(k + kl, n - kl, "/%o", (unsigned)(st->st_mode & S_IFMT) >> 12);
    }
}

/* Print the table and remember which fds are open. */
static void table(void)
{
    static int fl[MAXFD], cls[MAXFD];
    int fd, i, j;

    nopen = 0;
    for (fd = 0; fd < MAXFD; fd++) {
        if (!listed(fd))
            continue;
        if (fcntl(fd, F_GETFD) < 0)
            continue;
        openfds[nopen++] = fd;
    }
    for (i = 0; i < nopen; i++) {
        fd = openfds[i];
        fl[fd] = fcntl(fd, F_GETFL);
        cls[fd] = -1;
    }
    /* Description identity: toggle O_NONBLOCK on one, look at the rest. */
    for (i = 0; i < nopen; i++) {
        int a = openfds[i];

        if (cls[a] >= 0)
            continue;
        cls[a] = a;
        if (fl[a] & O_PATH)
            continue;
        if (fcntl(a, F_SETFL, fl[a] ^ O_NONBLOCK) < 0)
            continue;
        for (j = i + 1; j < nopen; j++) {
            int b = openfds[j], f;

            if (cls[b] >= 0 || (fl[b] & O_PATH))
                continue;
            f = fcntl(b, F_GETFL);
            if (f >= 0 && ((f ^ fl[b]) & O_NONBLOCK))
                cls[b] = a;
        }
        fcntl(a, F_SETFL, fl[a]);
    }
    for (i = 0; i < nopen; i++) {
        struct stat st;
        char k[PATH_MAX + 32];
        int f;

        fd = openfds[i];
        f = fl[fd];
        P("  %d:%s%c%s%s%s", fd, (fcntl(fd, F_GETFD) & FD_CLOEXEC) ? "x" : "",
          (f & O_ACCMODE) == O_RDONLY   ? 'r'
          : (f & O_ACCMODE) == O_WRONLY ? 'w'
                                        : 'b',
          (f & O_APPEND) ? "a" : "", (f & O_NONBLOCK) ? "n" : "",
          (f & O_PATH) ? "p" : "");
        if (fstat(fd, &st) < 0) {
            P(" fstat=%s", ename(errno));
        } else {
            kind_of(fd, &st, k, sizeof(k));
            P(" %s", k);
            if (S_ISREG(st.st_mode)) {
                P(" sz=%lld", (long long)st.st_size);
                if (!(f & O_PATH))
                    P(" off=%lld", (long long)lseek(fd, 0, SEEK_CUR));
            }
        }
        if (cls[fd] != fd)
            P(" =%d", cls[fd]);
        P("\n");
    }
}

static int pick_fd(void)
{
    static const int high[] = {
        100, 101, 255, 256, 511, 1022, 1023, 1024, 5000
    };
    int r = R(100);

    if (r < 65 && nopen)
        return openfds[R(nopen)];
    if (r < 85)
        return R(20);
    if (r < 95)
        return high[R((int)(sizeof(high) / sizeof(high[0])))];
    return r < 98 ? -1 : 999;
}

static const char *pick_name(void)
{
    static const char *names[] = { "f0", "f1",        "f2",    "d",
                                   ".",  "/dev/null", "nofile" };

    return names[R((int)(sizeof(names) / sizeof(names[0])))];
}

static int pick_oflags(void)
{
    static const int acc[] = { O_RDONLY, O_WRONLY, O_RDWR };
    int f = acc[R(3)];

    if (R(3) == 0)
        f |= O_APPEND;
    if (R(3) == 0)
        f |= O_CLOEXEC;
    if (R(6) == 0)
        f |= O_NONBLOCK;
    if (R(8) == 0)
        f |= O_DIRECTORY;
    if (R(8) == 0 && !(noflags & NOFLAG_OPATH))
        f = O_PATH | (R(2) ? O_CLOEXEC : 0);
    return f;
}

static void do_exec(int opidx)
{
    char a[6][40];
    char *av[] = { "fd-fuzz", "--resume", dir,  a[0], a[1],
                   a[2],      a[3],       a[4], NULL };

    snprintf(a[0], 40, "%lu", seed);
    snprintf(a[1], 40, "%d", opidx);
    snprintf(a[2], 40, "%llu", (unsigned long long)rng);
    snprintf(a[3], 40, "%d", nops);
    snprintf(a[4], 40, "%d", noflags);
    flush_out();
    execv(self, av);
    P(" = -1 %s\n", ename(errno));
}

static void one_op(int opidx, int depth);

static void do_fork(int opidx, int depth)
{
    pid_t pid;
    int st, k;

    flush_out();
    pid = fork();
    if (pid < 0) {
        P(" = -1 %s\n", ename(errno));
        return;
    }
    if (pid == 0) {
        in_child = 1;
        P(" child\n");
        table();
        k = 1 + R(4);
        while (k--)
            one_op(opidx, depth + 1);
        flush_out();
        _exit(0);
    }
    waitpid(pid, &st, 0);
    P(" parent: child status %d\n", st);
    /* The child used the same generator: skip ahead the same way. */
    rnd64();
}

static void one_op(int opidx, int depth)
{
    int op = R(40), fd = pick_fd(), fd2, f;
    long r = 0;
    int p[2];
    char buf[64];

    P("%s%d:", depth ? "  c " : "", opidx);
    switch (op) {
    case 0:
    case 1:
    case 2: {
        const char *n = pick_name();

        f = pick_oflags();
        if (R(4) == 0)
            f |= O_CREAT;
        P("open(%s,%#o)", n, f);
        r = open(n, f, 0644);
        break;
    }
    case 3: {
        const char *n = pick_name();
        int dfd = R(3) ? fd : AT_FDCWD;

        if (n[0] != '/' && n[0] != '.' && R(2))
            n = "x";
        f = pick_oflags();
        P("openat(%d,%s,%#o)", dfd == AT_FDCWD ? -100 : dfd, n, f);
        r = openat(dfd, n, f, 0644);
        break;
    }
    case 4:
        f = (R(2) ? O_RDWR : O_WRONLY) | (R(2) ? O_CLOEXEC : 0);
        P("tmpfile(%#o)", f);
        r = open(R(2) ? "." : "d", O_TMPFILE | f, 0600);
        break;
    case 5:
        f = (R(2) ? O_CLOEXEC : 0) | (R(2) ? O_NONBLOCK : 0);
        P("pipe2(%#o)", f);
        r = pipe2(p, f);
        if (r == 0)
            P("[%d,%d]", p[0], p[1]);
        break;
    case 6:
        f = (R(2) ? SOCK_CLOEXEC : 0) | (R(2) ? SOCK_NONBLOCK : 0);
        P("socketpair(%#o)", f);
        r = socketpair(AF_UNIX, SOCK_STREAM | f, 0, p);
        if (r == 0)
            P("[%d,%d]", p[0], p[1]);
        break;
    case 7:
        switch (R(6)) {
        case 0:
            f = R(2) ? EFD_CLOEXEC : 0;
            P("eventfd(%#o)", f);
            r = eventfd(0, f | (R(2) ? EFD_NONBLOCK : 0));
            break;
        case 1:
            f = R(2) ? MFD_CLOEXEC : 0;
            P("memfd(%#o)", f);
            r = memfd_create("fz", f);
            break;
        case 2:
            f = R(2) ? EPOLL_CLOEXEC : 0;
            P("epoll(%#o)", f);
            r = epoll_create1(f);
            break;
        case 3:
            f = (R(2) ? IN_CLOEXEC : 0) | (R(2) ? IN_NONBLOCK : 0);
            P("inotify(%#o)", f);
            r = inotify_init1(f);
            break;
        case 4:
            f = (R(2) ? TFD_CLOEXEC : 0) | (R(2) ? TFD_NONBLOCK : 0);
            P("timerfd(%#o)", f);
            r = timerfd_create(CLOCK_MONOTONIC, f);
            break;
        default: {
            sigset_t m;

            sigemptyset(&m);
            sigaddset(&m, SIGUSR1);
            f = (R(2) ? SFD_CLOEXEC : 0) | (R(2) ? SFD_NONBLOCK : 0);
            P("signalfd(%#o)", f);
            r = signalfd(-1, &m, f);
            break;
        }
        }
        break;
    case 8:
    case 9:
        P("dup(%d)", fd);
        r = dup(fd);
        break;
    case 10:
    case 11:
        fd2 = R(4) == 0 ? fd : pick_fd();
        P("dup2(%d,%d)", fd, fd2);
        r = dup2(fd, fd2);
        break;
    case 12:
        fd2 = R(5) == 0 ? fd : pick_fd();
        f = R(2) ? O_CLOEXEC : (R(5) ? 0 : 1);
        P("dup3(%d,%d,%#o)", fd, fd2, f);
        r = dup3(fd, fd2, f);
        break;
    case 13:
    case 14: {
        static const int mins[] = { 0,   3,    10,   30,   63,   100,
                                    255, 1020, 1023, 1024, 5000, -1 };
        int m = mins[R((int)(sizeof(mins) / sizeof(mins[0])))];
        int c = R(2);

        P("F_DUPFD%s(%d,%d)", c ? "_CLOEXEC" : "", fd, m);
        r = fcntl(fd, c ? F_DUPFD_CLOEXEC : F_DUPFD, m);
        break;
    }
    case 15:
        P("F_GETFD(%d)", fd);
        r = fcntl(fd, F_GETFD);
        break;
    case 16:
    case 17:
        f = R(2) ? FD_CLOEXEC : 0;
        if (R(8) == 0)
            f = 3;
        P("F_SETFD(%d,%d)", fd, f);
        r = fcntl(fd, F_SETFD, f);
        break;
    case 18:
        if (R(2)) {
            P("FIOCLEX(%d)", fd);
            r = ioctl(fd, FIOCLEX);
        } else {
            P("FIONCLEX(%d)", fd);
            r = ioctl(fd, FIONCLEX);
        }
        break;
    case 19:
    case 20: {
        int g = fcntl(fd, F_GETFL), t = R(3) == 0 ? O_APPEND : O_NONBLOCK;

        if (g < 0)
            g = 0;
        if (R(10) == 0)
            t = O_RDWR; /* ignored by F_SETFL */
        P("F_SETFL(%d,^%#o)", fd, t);
        r = fcntl(fd, F_SETFL, g ^ t);
        break;
    }
    case 21:
    case 22:
    case 23:
        P("close(%d)", fd);
        r = close(fd);
        break;
    case 24: {
        unsigned lo = (unsigned)R(30), hi;
        unsigned fl = 0;

        switch (R(4)) {
        case 0:
            hi = lo;
            break;
        case 1:
            hi = lo + (unsigned)R(20);
            break;
        case 2:
            hi = 999; /* spares TRACE_FD */
            break;
        default:
            hi = lo > 2 ? lo - 2 : lo + 5; /* may be EINVAL */
        }
        switch (R(4)) {
        case 1:
            fl = CLOSE_RANGE_CLOEXEC;
            break;
        case 2:
            fl = CLOSE_RANGE_UNSHARE;
            break;
        case 3:
            fl = CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC;
        }
        P("close_range(%u,%u,%u)", lo, hi, fl);
        r = syscall(SYS_close_range, lo, hi, fl);
        break;
    }
    case 25:
    case 26: {
        static const int wh[] = { SEEK_SET, SEEK_CUR, SEEK_END };
        int w = wh[R(3)];
        long o = R(12) - (w == SEEK_SET ? 0 : 4);

        struct stat st;

        /* a directory's offsets are the filesystem's own (ext4 hashes) */
        if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            P("lseek-dir-skipped");
            break;
        }
        P("lseek(%d,%ld,%d)", fd, o, w);
        r = lseek(fd, o, w);
        break;
    }
    case 27:
    case 28: {
        int n = 1 + R(4);

        P("write(%d,%d)", fd, n);
        r = write(fd, "ABCDEFGH" + R(4), (size_t)n);
        break;
    }
    case 29: {
        struct stat st;
        int g = fcntl(fd, F_GETFL);

        /* never block: only files, directories, devices or O_NONBLOCK */
        if (fstat(fd, &st) == 0 &&
            !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ||
              S_ISCHR(st.st_mode) || (g >= 0 && (g & O_NONBLOCK)))) {
            P("read(%d) skipped", fd);
            r = 0;
            break;
        }
        P("read(%d)", fd);
        r = read(fd, buf, 1 + R(6));
        if (r > 0)
            P("'%.*s'", (int)r, buf);
        break;
    }
    case 30: {
        static const int lims[] = { 3, 5, 8, 12, 20, 40, 64, 1024 };
        struct rlimit rl;

        if (noflags & NOFLAG_RLIMIT) {
            P("setrlimit-skipped");
            break;
        }
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = (rlim_t)lims[R(8)];
        P("setrlimit(NOFILE,%lu)", (unsigned long)rl.rlim_cur);
        r = setrlimit(RLIMIT_NOFILE, &rl);
        break;
    }
    case 31:
        if (depth) {
            P("fork-skipped");
            break;
        }
        P("fork()");
        do_fork(opidx, depth);
        return;
    case 32:
        if (depth || R(2)) {
            P("exec-skipped");
            break;
        }
        P("execve(self)");
        do_exec(opidx);
        return;
    case 33:
    case 34: {
        char path[64];

        f = (R(3) == 0 ? O_WRONLY
             : R(2)    ? O_RDWR
                       : O_RDONLY) |
            (R(3) == 0 ? O_CLOEXEC : 0);
        if (R(6) == 0 && !(noflags & NOFLAG_OPATH))
            f = O_PATH;
        if (noflags & NOFLAG_REOPEN) {
            P("reopen-skipped");
            break;
        }
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        P("reopen(%d,%#o)", fd, f);
        r = open(path, f);
        break;
    }
    case 35: {
        char path[64], link[PATH_MAX];

        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        P("readlink(%d)", fd);
        r = readlink(path, link, sizeof(link));
        if (r >= 0)
            r = 0; /* the link is in the table */
        break;
    }
    case 36: {
        struct stat st;

        P("fstat(%d)", fd);
        r = fstat(fd, &st);
        if (r == 0)
            P("[%o]", st.st_mode & S_IFMT);
        break;
    }
    case 37:
        P("pread(%d)", fd);
        r = pread(fd, buf, 3, R(10));
        if (r > 0)
            P("'%.*s'", (int)r, buf);
        break;
    case 38:
        P("ftruncate(%d)", fd);
        r = ftruncate(fd, R(20));
        break;
    default:
        P("fchdir(%d)", fd);
        r = fchdir(fd);
        if (r == 0 && chdir(dir) != 0)
            _exit(98);
        break;
    }
    result(r);
    table();
    /* each op's lines out at once: a later SIGPIPE must not eat them */
    flush_out();
}

static void setup(void)
{
    static const char *names[] = { "f0", "f1", "f2" };
    int i;

    if (chdir(dir) != 0) {
        P("chdir %s: %s\n", dir, ename(errno));
        flush_out();
        _exit(2);
    }
    mkdir("d", 0755);
    for (i = 0; i < 3; i++) {
        int fd = open(names[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);

        if (fd < 0 || write(fd, "0123456789abcdef", 16) != 16) {
            P("setup %s: %s\n", names[i], ename(errno));
            flush_out();
            _exit(2);
        }
        close(fd);
    }
    unlink("x");
    unlink("nofile");
}

static void run_seed(int from)
{
    int i;

    for (i = from; i < nops; i++)
        one_op(i, 0);
    flush_out();
    _exit(0);
}

int main(int argc, char **argv)
{
    struct rlimit rl = { MAXFD, MAXFD };
    unsigned long s0, count, s;
    ssize_t l;

    if (argc == 8 && !strcmp(argv[1], "--resume")) {
        snprintf(dir, sizeof(dir), "%s", argv[2]);
        seed = strtoul(argv[3], NULL, 0);
        rng = strtoull(argv[5], NULL, 0);
        nops = atoi(argv[6]);
        noflags = atoi(argv[7]);
        l = readlink("/proc/self/exe", self, sizeof(self) - 1);
        self[l > 0 ? l : 0] = 0;
        if (chdir(dir) != 0)
            _exit(2);
        P(" exec'd\n");
        table();
        flush_out();
        run_seed(atoi(argv[4]) + 1);
    }
    if (argc < 5) {
        fprintf(stderr, "usage: fd-fuzz DIR SEED COUNT NOPS [NOFLAGS]\n");
        return 2;
    }
    if (!realpath(argv[1], dir)) {
        perror(argv[1]);
        return 2;
    }
    s0 = strtoul(argv[2], NULL, 0);
    count = strtoul(argv[3], NULL, 0);
    nops = atoi(argv[4]);
    noflags = argc > 5 ? atoi(argv[5]) : 0;
    l = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (l <= 0) {
        perror("/proc/self/exe");
        return 2;
    }
    self[l] = 0;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        perror("setrlimit");
        return 2;
    }
    if (dup2(1, TRACE_FD) != TRACE_FD) {
        perror("dup2");
        return 2;
    }
    syscall(SYS_close_range, 0, TRACE_FD - 1, 0);
    for (s = s0; s < s0 + count; s++) {
        pid_t pid;
        int st;

        seed = s;
        rng = 0x9E3779B97F4A7C15ULL ^ (s * 0x2545F4914F6CDD1DULL);
        if (!rng)
            rng = 1;
        P("== seed %lu\n", s);
        flush_out();
        pid = fork();
        if (pid == 0) {
            setup();
            run_seed(0);
        }
        if (pid < 0 || waitpid(pid, &st, 0) != pid) {
            P("fork/wait failed: %s\n", ename(errno));
            break;
        }
        P("== end %lu status %d\n", s, st);
    }
    flush_out();
    return 0;
}
