/* SPDX-License-Identifier: MIT */
/*
 * Differential fuzzer for credentials and permission checks.
 *
 * usage: cred-fuzz DIR SEED NOPS
 *
 * DIR must be the current directory and empty: the program refuses to
 * run otherwise, uses only relative paths and touches nothing outside
 * it. As root it builds a seeded tree (directories and files with random
 * modes, including set-group-ID, sticky, 0000 and 0111 ones, owned by
 * uids/gids among 0, 1000, 1001 and 2000), then runs children one after
 * the other. Each takes a random identity (setgroups, setresgid,
 * setresuid, sometimes PR_SET_KEEPCAPS and capset of a subset of the
 * file capabilities, setfsuid/setfsgid) and runs a seeded sequence of
 * open, access/faccessat2(AT_EACCESS), creat, mkdir, chmod, chown/
 * fchown/lchown, utimensat, unlink/rmdir/rename, truncate, link, write
 * and further id changes on the tree. Every operation prints one line
 * (its result or errno and, where it matters, the resulting mode and
 * owners); after each child the parent prints the whole tree. The trace
 * holds no times, inode numbers or pids, so the same seed gives the same
 * trace natively (root, in an empty directory) and under kbox.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz-util.h"

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

static char line[4096];
static size_t llen;

static void out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line + llen, sizeof(line) - llen, fmt, ap);
    va_end(ap);
    if (n > 0)
        llen += (size_t)n < sizeof(line) - llen ? (size_t)n
                                                : sizeof(line) - llen - 1;
}

static void endl(void)
{
    out("\n");
    size_t off = 0;
    while (off < llen) {
        ssize_t w = write(1, line + off, llen - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    llen = 0;
}

static void res(long r)
{
    if (r < 0)
        out(" = -%s", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
    else
        out(" = %ld", r);
}

static const unsigned ids[] = { 0, 1000, 1001, 2000 };
#define NIDS 4
static unsigned rid(void)
{
    return ids[rnd(NIDS)];
}

/* The tree: top-level directories d0..d3, each with files f0..f2 and a
 * subdirectory e0; new names n0..n2 in each. */
#define NTOP 4
static void rpath(char *p, size_t n, int want_new)
{
    int d = (int)rnd(NTOP);
    int k = (int)rnd(want_new ? 3 : 8);
    if (want_new || k >= 5)
        snprintf(p, n, "d%d/n%d", d, (int)rnd(3));
    else if (k == 4)
        snprintf(p, n, "d%d/e0", d);
    else if (k == 3)
        snprintf(p, n, "d%d", d);
    else
        snprintf(p, n, "d%d/f%d", d, k);
}

static unsigned rmode(int dir)
{
    static const unsigned special[] = { 0,     0111,  0777, 01777, 02775,
                                        02770, 0755,  0700, 0644,  06755,
                                        04755, 02644, 0600, 0666,  03777 };
    unsigned m;
    switch (rnd(3)) {
    case 0:
        m = special[rnd(sizeof(special) / sizeof(special[0]))];
        break;
    case 1:
        m = rnd(010000);
        break;
    default:
        m = dir ? 0755 : 0644;
        m |= rnd(2) ? 02000 : 0;
        m |= rnd(4) == 0 ? 04000 : 0;
        m |= dir && rnd(3) == 0 ? 01000 : 0;
        m |= rnd(2) ? 020 : 0;
        break;
    }
    return m;
}

static void pst(const char *p)
{
    struct stat st;
    if (lstat(p, &st) < 0) {
        out(" [stat -%s]", strerrorname_np(errno));
        return;
    }
    out(" [%c%05o %u:%u n%lu s%lld]",
        S_ISDIR(st.st_mode)   ? 'd'
        : S_ISREG(st.st_mode) ? 'f'
                              : '?',
        (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
        (unsigned)st.st_gid,
        S_ISDIR(st.st_mode) ? 0ul : (unsigned long)st.st_nlink,
        S_ISDIR(st.st_mode) ? 0ll : (long long)st.st_size);
}

/*
 * Only the capabilities the operations use are printed: a native root's
 * sets depend on the host (containers) and kbox drops some (documented).
 */
#define SHOWN 0x1ffull
static const int fcaps[] = { CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
                             CAP_FOWNER, CAP_FSETID,       CAP_SETGID,
                             CAP_SETUID };

static void creds(const char *why)
{
    uid_t r, e, s;
    gid_t gr, ge, gs;
    gid_t g[32];
    out("  creds(%s)", why);
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    out(" uid=%u,%u,%u fsuid=%d gid=%u,%u,%u fsgid=%d", r, e, s, setfsuid(-1),
        gr, ge, gs, setfsgid(-1));
    int n = getgroups(32, g);
    out(" groups=");
    for (int i = 0; i < n; i++)
        out("%s%u", i ? "," : "", g[i]);
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof(d));
    if (syscall(SYS_capget, &h, d) == 0) {
        uint64_t pe = d[0].effective | (uint64_t)d[1].effective << 32;
        uint64_t pp = d[0].permitted | (uint64_t)d[1].permitted << 32;
        uint64_t pi = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
        out(" capget=e%llx,p%llx,i%llx", (unsigned long long)(pe & SHOWN),
            (unsigned long long)(pp & SHOWN), (unsigned long long)(pi & SHOWN));
    }
    out(" keep=%d", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
    endl();
    /* /proc/self/status, with absolute paths only for /proc */
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) {
        out("  status -%s", strerrorname_np(errno));
        endl();
        return;
    }
    char buf[512];
    out("  status");
    while (fgets(buf, sizeof(buf), f)) {
        buf[strcspn(buf, "\n")] = 0;
        if (!strncmp(buf, "Uid:", 4) || !strncmp(buf, "Gid:", 4) ||
            !strncmp(buf, "Groups:", 7)) {
            for (char *c = buf; *c; c++)
                if (*c == '\t')
                    *c = ' ';
            out(" |%s", buf);
        } else if (!strncmp(buf, "Cap", 3) && strncmp(buf, "CapBnd", 6)) {
            char *c = strchr(buf, ':');
            if (c) {
                *c = 0;
                unsigned long long v = strtoull(c + 1, NULL, 16);
                out(" |%s:%llx", buf, v & SHOWN);
            }
        }
    }
    fclose(f);
    endl();
}

static uint64_t rcaps(void)
{
    uint64_t m = 0;
    for (size_t i = 0; i < sizeof(fcaps) / sizeof(fcaps[0]); i++)
        if (rnd(2))
            m |= 1ull << fcaps[i];
    return m;
}

static void do_capset(uint64_t m)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof(d));
    d[0].effective = d[0].permitted = (uint32_t)m;
    d[1].effective = d[1].permitted = (uint32_t)(m >> 32);
    out("  capset %llx", (unsigned long long)m);
    res(syscall(SYS_capset, &h, d));
    endl();
}

static void take_identity(void)
{
    gid_t g[3];
    int ng = (int)rnd(4);
    for (int i = 0; i < ng; i++)
        g[i] = rnd(5) == 4 ? 3000 : rid();
    out("  setgroups %d", ng);
    for (int i = 0; i < ng; i++)
        out(" %u", g[i]);
    res(setgroups((size_t)ng, g));
    endl();
    unsigned a = rid(), b = rid(), c = rid();
    out("  setresgid %u %u %u", a, b, c);
    res(setresgid(a, b, c));
    endl();
    int keep = rnd(3) == 0;
    if (keep) {
        out("  keepcaps");
        res(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
        endl();
    }
    a = rid(), b = rid(), c = rid();
    if (rnd(3) == 0)
        b = a;
    out("  setresuid %u %u %u", a, b, c);
    res(setresuid(a, b, c));
    endl();
    if (keep)
        do_capset(rcaps());
    if (rnd(4) == 0) {
        a = rid();
        out("  setfsuid %u", a);
        setfsuid(a);
        out(" -> %d", setfsuid(-1));
        endl();
    }
    if (rnd(4) == 0) {
        a = rid();
        out("  setfsgid %u", a);
        setfsgid(a);
        out(" -> %d", setfsgid(-1));
        endl();
    }
    creds("start");
}

static void one_op(void)
{
    char p[64], q[64];
    int fd;
    struct timespec ts[2];
    static const char *const accn[] = { "F", "X",  "W",  "WX",
                                        "R", "RX", "RW", "RWX" };
    unsigned op = rnd(22);
    switch (op) {
    case 0:
    case 1: {
        static const int fl[] = { O_RDONLY,
                                  O_WRONLY,
                                  O_RDWR,
                                  O_RDONLY | O_DIRECTORY,
                                  O_WRONLY | O_TRUNC,
                                  O_RDONLY | O_NOATIME };
        static const char *const fn[] = { "r",    "w",      "rw",
                                          "rdir", "wtrunc", "noatime" };
        int k = (int)rnd(6);
        rpath(p, sizeof(p), 0);
        out("open %s %s", p, fn[k]);
        fd = open(p, fl[k]);
        res(fd < 0 ? -1 : 0);
        if (fd >= 0)
            close(fd);
        break;
    }
    case 2:
    case 3: {
        int m = (int)rnd(8);
        rpath(p, sizeof(p), 0);
        out("access %s %s", p, accn[m]);
        res(access(p, m));
        out(" eaccess");
        res(syscall(SYS_faccessat2, AT_FDCWD, p, m, AT_EACCESS));
        out(" faccessat2");
        res(syscall(SYS_faccessat2, AT_FDCWD, p, m, 0));
        break;
    }
    case 4:
    case 5: {
        unsigned um = rnd(2) ? 022 : rnd(01000);
        unsigned m = rmode(0);
        umask(um);
        rpath(p, sizeof(p), rnd(4) != 0);
        int ex = rnd(3) != 0;
        out("creat %s %04o umask %03o%s", p, m, um, ex ? " excl" : "");
        fd = open(p, O_CREAT | O_WRONLY | (ex ? O_EXCL : 0), m);
        res(fd < 0 ? -1 : 0);
        if (fd >= 0) {
            close(fd);
            pst(p);
        }
        break;
    }
    case 6: {
        unsigned um = rnd(2) ? 022 : rnd(01000);
        unsigned m = rmode(1);
        umask(um);
        rpath(p, sizeof(p), 1);
        out("mkdir %s %04o umask %03o", p, m, um);
        res(mkdir(p, m));
        pst(p);
        break;
    }
    case 7:
    case 8: {
        unsigned m = rmode(rnd(2));
        rpath(p, sizeof(p), 0);
        out("chmod %s %04o", p, m);
        res(chmod(p, m));
        pst(p);
        break;
    }
    case 9:
    case 10: {
        static const int cid[] = { -1, 0, 1000, 1001, 2000, 3000 };
        int u = cid[rnd(6)], g = cid[rnd(6)], how = (int)rnd(3);
        rpath(p, sizeof(p), 0);
        if (how == 0) {
            out("chown %s %d %d", p, u, g);
            res(chown(p, (uid_t)u, (gid_t)g));
        } else if (how == 1) {
            out("lchown %s %d %d", p, u, g);
            res(lchown(p, (uid_t)u, (gid_t)g));
        } else {
            out("fchown %s %d %d", p, u, g);
            fd = open(p, O_RDONLY);
            if (fd < 0) {
                out(" open");
                res(-1);
            } else {
                res(fchown(fd, (uid_t)u, (gid_t)g));
                close(fd);
            }
        }
        pst(p);
        break;
    }
    case 11: {
        int k = (int)rnd(4);
        rpath(p, sizeof(p), 0);
        ts[0].tv_sec = 1000000000;
        ts[0].tv_nsec = 0;
        ts[1].tv_sec = 1234567890;
        ts[1].tv_nsec = 0;
        if (k == 2)
            ts[0].tv_nsec = ts[1].tv_nsec = UTIME_NOW;
        if (k == 3) {
            ts[0].tv_nsec = UTIME_OMIT;
            ts[1].tv_nsec = UTIME_NOW;
        }
        static const char *const kn[] = { "null", "explicit", "now",
                                          "omit-now" };
        out("utimensat %s %s", p, kn[k]);
        int r = utimensat(AT_FDCWD, p, k ? ts : NULL, 0);
        res(r);
        if (k == 1 && r == 0) {
            struct stat st;
            if (stat(p, &st) == 0)
                out(" mtime=%lld", (long long)st.st_mtime);
        }
        break;
    }
    case 12:
        rpath(p, sizeof(p), 0);
        out("unlink %s", p);
        res(unlink(p));
        break;
    case 13:
        rpath(p, sizeof(p), 0);
        out("rmdir %s", p);
        res(rmdir(p));
        break;
    case 14:
    case 15:
        rpath(p, sizeof(p), 0);
        rpath(q, sizeof(q), rnd(2));
        out("rename %s %s", p, q);
        res(rename(p, q));
        break;
    case 16: {
        rpath(p, sizeof(p), 0);
        off_t len = (off_t)rnd(3) * 7;
        out("truncate %s %lld", p, (long long)len);
        res(truncate(p, len));
        pst(p);
        break;
    }
    case 17:
        rpath(p, sizeof(p), 0);
        rpath(q, sizeof(q), 1);
        out("link %s %s", p, q);
        res(link(p, q));
        pst(p);
        break;
    case 18:
        rpath(p, sizeof(p), 0);
        out("write %s", p);
        /* CRED_FUZZ_NOWRITE: a root kbox's binds do not clear set-ID
         * bits on a write (docs/supervisor.md) */
        fd = getenv("CRED_FUZZ_NOWRITE") ? -1 : open(p, O_WRONLY | O_APPEND);
        if (fd < 0 && getenv("CRED_FUZZ_NOWRITE")) {
            out(" skipped");
            break;
        }
        if (fd < 0) {
            out(" open");
            res(-1);
        } else {
            res(write(fd, "x", 1));
            close(fd);
        }
        pst(p);
        break;
    case 19: {
        unsigned a = rid(), b = rid(), c = rid();
        int k = (int)rnd(4);
        if (k == 0) {
            out("setresuid %u %u %u", a, b, c);
            res(setresuid(a, b, c));
        } else if (k == 1) {
            out("setresgid %u %u %u", a, b, c);
            res(setresgid(a, b, c));
        } else if (k == 2) {
            out("setfsuid %u", a);
            setfsuid(a);
            out(" -> %d", setfsuid(-1));
        } else {
            out("setfsgid %u", a);
            setfsgid(a);
            out(" -> %d", setfsgid(-1));
        }
        endl();
        creds("after");
        return;
    }
    case 20: {
        rpath(p, sizeof(p), 0);
        struct stat st;
        out("stat %s", p);
        int r = stat(p, &st);
        res(r);
        if (r == 0)
            pst(p);
        break;
    }
    default: {
        /* fchmod through an fd */
        unsigned m = rmode(0);
        rpath(p, sizeof(p), 0);
        out("fchmod %s %04o", p, m);
        fd = open(p, O_RDONLY);
        if (fd < 0) {
            out(" open");
            res(-1);
        } else {
            res(fchmod(fd, m));
            close(fd);
        }
        pst(p);
        break;
    }
    }
    endl();
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void dump(const char *d, int depth)
{
    DIR *dp = opendir(d);
    if (!dp)
        return;
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dp)) && n < 64) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        names[n++] = strdup(e->d_name);
    }
    closedir(dp);
    qsort(names, (size_t)n, sizeof(names[0]), cmpstr);
    for (int i = 0; i < n; i++) {
        char p[256];
        snprintf(p, sizeof(p), "%s/%s", d, names[i]);
        out("  %s", !strncmp(p, "./", 2) ? p + 2 : p);
        pst(p);
        endl();
        struct stat st;
        if (depth < 4 && lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            dump(p, depth + 1);
        free(names[i]);
    }
}

static void build(void)
{
    umask(0);
    for (int d = 0; d < NTOP; d++) {
        char p[64];
        snprintf(p, sizeof(p), "d%d", d);
        if (mkdir(p, 0777) < 0)
            exit(2);
        for (int f = 0; f < 3; f++) {
            snprintf(p, sizeof(p), "d%d/f%d", d, f);
            int fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0600);
            if (fd < 0)
                exit(2);
            if (write(fd, "data\n", (size_t)rnd(6)) < 0)
                exit(2);
            close(fd);
            if (chown(p, rid(), rid()) < 0 || chmod(p, rmode(0)) < 0)
                exit(2);
        }
        snprintf(p, sizeof(p), "d%d/e0", d);
        if (mkdir(p, 0700) < 0 || chown(p, rid(), rid()) < 0 ||
            chmod(p, rmode(1)) < 0)
            exit(2);
    }
    /* top directories last, so their modes do not stop the build */
    for (int d = 0; d < NTOP; d++) {
        char p[64];
        snprintf(p, sizeof(p), "d%d", d);
        unsigned m = rmode(1);
        /* keep most top directories searchable so the ops reach files */
        if (rnd(3))
            m |= 0111;
        if (chown(p, rid(), rid()) < 0 || chmod(p, m) < 0)
            exit(2);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: cred-fuzz DIR SEED NOPS\n");
        return 2;
    }
    /* Refuse anything but an empty directory that is the cwd. */
    char cwd[4096], want[4096];
    if (!getcwd(cwd, sizeof(cwd)) || !realpath(argv[1], want) ||
        strcmp(cwd, want)) {
        fprintf(stderr, "cred-fuzz: cwd must be DIR\n");
        return 2;
    }
    DIR *dp = opendir(".");
    struct dirent *e;
    while (dp && (e = readdir(dp)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            fprintf(stderr, "cred-fuzz: DIR must be empty\n");
            return 2;
        }
    if (dp)
        closedir(dp);
    if (geteuid() != 0) {
        fprintf(stderr, "cred-fuzz: needs root\n");
        return 2;
    }
    uint64_t seed = strtoull(argv[2], NULL, 0);
    int nops = atoi(argv[3]);
    rng = seed * 0x9e3779b97f4a7c15ull + 12345;
    for (int i = 0; i < 8; i++)
        rnd(2);
    FILE *f = fopen("/proc/sys/fs/protected_hardlinks", "r");
    int ph = -1;
    if (f) {
        if (fscanf(f, "%d", &ph) != 1)
            ph = -1;
        fclose(f);
    }
    out("seed %llu protected_hardlinks=%d", (unsigned long long)seed, ph);
    endl();
    build();
    out("tree");
    endl();
    dump(".", 0);
    int child = 0;
    while (nops > 0) {
        int k = 4 + (int)rnd(12);
        if (k > nops)
            k = nops;
        nops -= k;
        uint64_t cseed = rng ^ (uint64_t)child * 0x1234567ull;
        out("child %d", child);
        endl();
        pid_t pid = fork();
        if (pid == 0) {
            rng = cseed | 1;
            take_identity();
            for (int i = 0; i < k; i++)
                one_op();
            _exit(0);
        }
        int st = 0;
        waitpid(pid, &st, 0);
        out("child %d exit %d", child, st);
        endl();
        umask(0);
        dump(".", 0);
        rnd(2);
        child++;
    }
    return 0;
}
