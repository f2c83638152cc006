/* SPDX-License-Identifier: MIT */
/*
 * Differential fuzzer for directory and name operations.
 *
 * usage: ns-fuzz DIR SEED NOPS
 *
 * Creates DIR (which must not exist) and the test dir DIR/s1/s2/t, makes
 * that the cwd and runs NOPS
 * seeded random name operations (mkdir, rmdir, unlink, rename(at2), link,
 * symlink, readlink, openat/openat2 flag mixes, O_TMPFILE, truncate,
 * chmod, utimensat, faccessat2, stat/statx, chdir/fchdir, getcwd) on a
 * small tree of few names, so collisions are frequent. Each operation
 * prints one canonical line (arguments, result or errno name); every few
 * operations the whole tree is listed (sorted names, type, mode, nlink,
 * size of regular files, symlink targets). Fd numbers, times and owners
 * are never printed, so the trace of a native run and of a kbox run of
 * the same seed at the same DIR can be compared with diff.
 *
 * Run it natively only inside a chroot (paths with ".." and symlinks may
 * leave DIR) and as an unprivileged user.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include "fuzz-util.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE  (1 << 1)
#define RENAME_WHITEOUT  (1 << 2)
#endif
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

static const char *box; /* DIR: everything the fuzzer touches is below */
static char top[512];   /* DIR/s1/s2/t: the test dir, the start cwd */

static unsigned pick(unsigned n)
{
    return rnd32() % n;
}

static void res(long r)
{
    if (r < 0)
        printf(" = -1 %s\n", errname(errno));
    else
        printf(" = %ld\n", r);
}

#define NSLOT 6
static struct {
    int fd;
    char what[640];
} slot[NSLOT];

static const char *names[] = { "a", "b", "c", "d" };

/* a random path of 0..3 components, mostly names, sometimes ".", "..",
 * "" (a doubled slash), a trailing slash, or absolute into DIR */
static void gen_path(char *p, size_t sz)
{
    unsigned form = pick(100);
    p[0] = 0;
    if (form < 4)
        return; /* empty */
    if (form < 8) {
        snprintf(p, sz, "%s", pick(2) ? "." : "..");
        return;
    }
    if (form < 20)
        snprintf(p, sz, "%.400s/", top);
    unsigned n = 1 + pick(3);
    for (unsigned i = 0; i < n; i++) {
        unsigned k = pick(100);
        const char *c;
        if (k < 88)
            c = names[pick(4)];
        else if (k < 93)
            c = ".";
        else if (k < 97)
            c = "..";
        else
            c = i ? "" : "."; /* "a//b", never "/" (outside DIR) */
        if (i)
            strncat(p, "/", sz - strlen(p) - 1);
        strncat(p, c, sz - strlen(p) - 1);
    }
    if (pick(100) < 12)
        strncat(p, "/", sz - strlen(p) - 1);
}

/* a dirfd: AT_FDCWD mostly, else one of the slots (maybe closed: -1) */
static int gen_dfd(char *desc, size_t sz)
{
    unsigned s = pick(NSLOT);
    if (pick(100) < 60 || (slot[s].fd < 0 && pick(100) < 80)) {
        snprintf(desc, sz, "CWD");
        return AT_FDCWD;
    }
    snprintf(desc, sz, "s%u", s);
    return slot[s].fd;
}

static void put_slot(int fd, const char *what)
{
    unsigned s = pick(NSLOT);
    if (slot[s].fd >= 0)
        close(slot[s].fd);
    slot[s].fd = fd;
    snprintf(slot[s].what, sizeof(slot[s].what), "%s", what);
    printf("  -> s%u\n", s);
}

static const char *ftype(mode_t m)
{
    switch (m & S_IFMT) {
    case S_IFREG:
        return "f";
    case S_IFDIR:
        return "d";
    case S_IFLNK:
        return "l";
    case S_IFCHR:
        return "c";
    case S_IFIFO:
        return "p";
    default:
        return "?";
    }
}

static void pstat(const struct stat *st)
{
    printf(" %s %04o n%lu", ftype(st->st_mode), st->st_mode & 07777,
           (unsigned long)st->st_nlink);
    if (S_ISREG(st->st_mode))
        printf(" s%lld", (long long)st->st_size);
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void snap(const char *path, const char *rel, int depth)
{
    DIR *d = opendir(path);
    if (!d) {
        printf("  %s/ opendir %s\n", rel, errname(errno));
        return;
    }
    char *ents[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        ents[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(ents, n, sizeof(*ents), cmpstr);
    for (int i = 0; i < n; i++) {
        char p[4096], r[4096];
        struct stat st;
        snprintf(p, sizeof(p), "%s/%s", path, ents[i]);
        snprintf(r, sizeof(r), "%s/%s", rel, ents[i]);
        if (lstat(p, &st) < 0) {
            printf("  %s lstat %s\n", r, errname(errno));
        } else {
            printf("  %s", r);
            pstat(&st);
            if (S_ISLNK(st.st_mode)) {
                char t[4096];
                ssize_t k = readlink(p, t, sizeof(t) - 1);
                if (k >= 0) {
                    t[k] = 0;
                    printf(" -> %s", t);
                }
            }
            printf("\n");
            if (S_ISDIR(st.st_mode) && depth < 9)
                snap(p, r, depth + 1);
        }
        free(ents[i]);
    }
}

/* repeated chdir("..") would leave DIR: go back to the test dir then
 * (a cwd that getcwd cannot name, removed, stays) */
static void stay_in_box(void)
{
    char b[4096];
    size_t n = strlen(box);
    if (syscall(SYS_getcwd, b, sizeof(b)) < 0)
        return;
    if (strncmp(b, box, n) || (b[n] && b[n] != '/')) {
        printf("  back to the test dir");
        res(chdir(top));
    }
}

static const int omodes[] = { 0755, 0700, 0555, 0644, 0000, 0444, 0311 };

static void op(unsigned i)
{
    char p1[512], p2[512], d1[8], d2[8];
    int fd1, fd2, fl;
    long r;
    unsigned k = pick(30);

    if (k == 29 && pick(2))
        k = 11; /* more opens: they fill the slots */

    gen_path(p1, sizeof(p1));
    gen_path(p2, sizeof(p2));
    printf("%u ", i);
    switch (k) {
    case 0:
    case 1: {
        int m = omodes[pick(3)];
        fd1 = gen_dfd(d1, sizeof(d1));
        printf("mkdirat %s '%s' %o", d1, p1, m);
        res(mkdirat(fd1, p1, m));
        break;
    }
    case 2:
        fd1 = gen_dfd(d1, sizeof(d1));
        printf("unlinkat %s '%s' REMOVEDIR", d1, p1);
        res(unlinkat(fd1, p1, AT_REMOVEDIR));
        break;
    case 3:
        fd1 = gen_dfd(d1, sizeof(d1));
        printf("unlinkat %s '%s' 0", d1, p1);
        res(unlinkat(fd1, p1, 0));
        break;
    case 4:
    case 5: {
        static const unsigned fls[] = { 0, 0, RENAME_NOREPLACE, RENAME_EXCHANGE,
                                        RENAME_WHITEOUT };
        unsigned f = fls[pick(5)];
        fd1 = gen_dfd(d1, sizeof(d1));
        fd2 = gen_dfd(d2, sizeof(d2));
        printf("renameat2 %s '%s' %s '%s' %u", d1, p1, d2, p2, f);
        res(syscall(SYS_renameat2, fd1, p1, fd2, p2, f));
        break;
    }
    case 6:
        fd1 = gen_dfd(d1, sizeof(d1));
        fd2 = gen_dfd(d2, sizeof(d2));
        fl = pick(2) ? AT_SYMLINK_FOLLOW : 0;
        printf("linkat %s '%s' %s '%s' %x", d1, p1, d2, p2, fl);
        res(linkat(fd1, p1, fd2, p2, fl));
        break;
    case 7: {
        /* link a held fd: AT_EMPTY_PATH, or its /proc/self/fd link */
        unsigned s = pick(NSLOT);
        fd2 = gen_dfd(d2, sizeof(d2));
        if (pick(2)) {
            printf("linkat s%u(%s) '' %s '%s' EMPTY_PATH", s, slot[s].what, d2,
                   p2);
            res(linkat(slot[s].fd, "", fd2, p2, AT_EMPTY_PATH));
        } else {
            char pp[64];
            snprintf(pp, sizeof(pp), "/proc/self/fd/%d", slot[s].fd);
            printf("linkat procfd s%u(%s) %s '%s' FOLLOW", s, slot[s].what, d2,
                   p2);
            res(linkat(AT_FDCWD, pp, fd2, p2, AT_SYMLINK_FOLLOW));
        }
        break;
    }
    case 8:
    case 9: {
        char t[600];
        unsigned f = pick(4);
        if (f == 0)
            snprintf(t, sizeof(t), "%s", p1); /* relative (maybe empty) */
        else if (f == 1)
            snprintf(t, sizeof(t), "%.200s/%.200s", top, p1); /* absolute */
        else if (f == 2)
            snprintf(t, sizeof(t), "nowhere/%s", p1); /* dangling */
        else
            snprintf(t, sizeof(t), "%s", p2); /* maybe a loop */
        fd2 = gen_dfd(d2, sizeof(d2));
        printf("symlinkat '%s' %s '%s'", t, d2, p2);
        res(symlinkat(t, fd2, p2));
        break;
    }
    case 10: {
        char t[4096];
        fd1 = gen_dfd(d1, sizeof(d1));
        printf("readlinkat %s '%s'", d1, p1);
        r = readlinkat(fd1, p1, t, sizeof(t) - 1);
        if (r >= 0) {
            t[r] = 0;
            printf(" = '%s'\n", t);
        } else {
            res(r);
        }
        break;
    }
    case 11:
    case 12:
    case 13: {
        static const int bits[] = { O_CREAT,     O_EXCL, O_NOFOLLOW,
                                    O_DIRECTORY, O_PATH, O_TRUNC };
        static const char *bn[] = { "CREAT",     "EXCL", "NOFOLLOW",
                                    "DIRECTORY", "PATH", "TRUNC" };
        static const int acc[] = { O_RDONLY, O_WRONLY, O_RDWR };
        unsigned a = pick(3);
        char fs[80] = "";
        fl = acc[a];
        for (unsigned b = 0; b < 6; b++)
            if (pick(100) < 30) {
                fl |= bits[b];
                strcat(fs, bn[b]);
                strcat(fs, "|");
            }
        fd1 = gen_dfd(d1, sizeof(d1));
        printf("openat %s '%s' %u|%s", d1, p1, a, fs);
        r = openat(fd1, p1, fl, 0644);
        res(r);
        if (r >= 0) {
            char w[640];
            snprintf(w, sizeof(w), "open:%s", p1);
            put_slot((int)r, w);
        }
        break;
    }
    case 14: {
        fd1 = gen_dfd(d1, sizeof(d1));
        printf("openat %s '%s' TMPFILE", d1, p1);
        r = openat(fd1, p1, O_TMPFILE | O_RDWR, 0600);
        res(r);
        if (r >= 0) {
            if (write((int)r, "tmp", 3) != 3)
                printf("  write failed\n");
            put_slot((int)r, "tmpfile");
        }
        break;
    }
    case 15: {
        unsigned len = pick(3) * 7;
        printf("truncate '%s' %u", p1, len);
        res(truncate(p1, len));
        break;
    }
    case 16: {
        static const int cm[] = { 0644, 0755, 0000, 0555, 0700, 0444, 0311 };
        int m = cm[pick(7)];
        fl = pick(3) == 0 ? AT_SYMLINK_NOFOLLOW : 0;
        fd1 = gen_dfd(d1, sizeof(d1));
        printf("fchmodat2 %s '%s' %o %x", d1, p1, m, fl);
        res(syscall(SYS_fchmodat2, fd1, p1, m, fl));
        break;
    }
    case 17: {
        struct timespec ts[2] = { { 0, pick(2) ? UTIME_NOW : UTIME_OMIT },
                                  { 0, pick(2) ? UTIME_NOW : UTIME_OMIT } };
        fl = pick(2) ? AT_SYMLINK_NOFOLLOW : 0;
        if (!p1[0] && pick(2))
            fl |= AT_EMPTY_PATH;
        fd1 = gen_dfd(d1, sizeof(d1));
        printf("utimensat %s '%s' %ld %ld %x", d1, p1, ts[0].tv_nsec,
               ts[1].tv_nsec, fl);
        res(utimensat(fd1, p1, ts, fl));
        break;
    }
    case 18: {
        static const int am[] = { F_OK, R_OK, W_OK, X_OK, R_OK | W_OK };
        static const int af[] = { 0, AT_EACCESS, AT_SYMLINK_NOFOLLOW,
                                  AT_EMPTY_PATH };
        int m = am[pick(5)];
        fl = af[pick(4)];
        fd1 = gen_dfd(d1, sizeof(d1));
        printf("faccessat2 %s '%s' %d %x", d1, p1, m, fl);
        res(syscall(SYS_faccessat2, fd1, p1, m, fl));
        break;
    }
    case 19:
    case 20: {
        struct stat st;
        static const int sf[] = { 0, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH,
                                  AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW };
        fl = sf[pick(4)];
        fd1 = gen_dfd(d1, sizeof(d1));
        printf("fstatat %s '%s' %x", d1, p1, fl);
        if (fstatat(fd1, p1, &st, fl) < 0) {
            res(-1);
        } else {
            printf(" =");
            pstat(&st);
            printf("\n");
        }
        break;
    }
    case 21: {
        struct statx sx;
        fl = pick(2) ? AT_SYMLINK_NOFOLLOW : 0;
        if (!p1[0] && pick(2))
            fl |= AT_EMPTY_PATH;
        fd1 = gen_dfd(d1, sizeof(d1));
        printf("statx %s '%s' %x", d1, p1, fl);
        if (statx(fd1, p1, fl, STATX_BASIC_STATS, &sx) < 0) {
            res(-1);
        } else {
            printf(" = %s %04o n%u", ftype(sx.stx_mode), sx.stx_mode & 07777,
                   sx.stx_nlink);
            if (S_ISREG(sx.stx_mode))
                printf(" s%llu", (unsigned long long)sx.stx_size);
            printf("\n");
        }
        break;
    }
    case 22:
        if (pick(3) == 0)
            snprintf(p1, sizeof(p1), "%s", top);
        else if (pick(2) == 0 && p1[0] != '/')
            snprintf(p1, sizeof(p1), "%.200s/%.200s", top, p2);
        printf("chdir '%s'", p1);
        res(chdir(p1));
        stay_in_box();
        break;
    case 23: {
        unsigned s = pick(NSLOT);
        printf("fchdir s%u(%s)", s, slot[s].what);
        res(fchdir(slot[s].fd));
        stay_in_box();
        break;
    }
    case 24: {
        char b[4096];
        printf("getcwd");
        r = syscall(SYS_getcwd, b, sizeof(b));
        if (r >= 0)
            printf(" = '%s'\n", b);
        else
            res(r);
        break;
    }
    case 25:
    case 26: {
        static const uint64_t rv[] = { 0,
                                       RESOLVE_BENEATH,
                                       RESOLVE_IN_ROOT,
                                       RESOLVE_NO_SYMLINKS,
                                       RESOLVE_NO_MAGICLINKS,
                                       RESOLVE_NO_XDEV };
        struct open_how how = { 0 };
        how.resolve = rv[pick(6)] | (pick(4) == 0 ? rv[pick(6)] : 0);
        how.flags = pick(2) ? O_PATH : O_RDONLY;
        if (pick(4) == 0)
            how.flags = O_RDONLY | O_DIRECTORY;
        fd1 = gen_dfd(d1, sizeof(d1));
        printf("openat2 %s '%s' fl%llo res%llx", d1, p1,
               (unsigned long long)how.flags, (unsigned long long)how.resolve);
        r = syscall(SYS_openat2, fd1, p1, &how, sizeof(how));
        res(r);
        if (r >= 0) {
            char w[640];
            snprintf(w, sizeof(w), "open2:%s", p1);
            put_slot((int)r, w);
        }
        break;
    }
    case 27: {
        unsigned s = pick(NSLOT);
        printf("close s%u(%s)", s, slot[s].what);
        if (slot[s].fd < 0) {
            printf(" = empty\n");
        } else {
            res(close(slot[s].fd));
            slot[s].fd = -1;
            slot[s].what[0] = 0;
        }
        break;
    }
    case 28: {
        /* a held fd's /proc/self/fd link target is where the object is now */
        unsigned s = pick(NSLOT);
        char pp[64], t[4096];
        if (slot[s].fd < 0) {
            printf("procfd s%u = empty\n", s);
            break;
        }
        snprintf(pp, sizeof(pp), "/proc/self/fd/%d", slot[s].fd);
        printf("procfd s%u(%s)", s, slot[s].what);
        r = readlink(pp, t, sizeof(t) - 1);
        if (r >= 0) {
            char *h;

            t[r] = 0;
            /* an O_TMPFILE's name carries its inode number */
            if ((h = strrchr(t, '#')) && h[1] >= '0' && h[1] <= '9')
                memmove(h + 1, h + 1 + strspn(h + 1, "0123456789"),
                        strlen(h + 1 + strspn(h + 1, "0123456789")) + 1);
            printf(" = '%s'\n", t);
        } else {
            res(r);
        }
        break;
    }
    default: {
        /* a relative path against a held dirfd, which may have been
         * renamed or removed since it was opened */
        unsigned s = pick(NSLOT);
        struct stat st;
        printf("fstatat s%u(%s) '%s' NOFOLLOW", s, slot[s].what, p1);
        if (fstatat(slot[s].fd, p1, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            res(-1);
        } else {
            printf(" =");
            pstat(&st);
            printf("\n");
        }
        break;
    }
    }
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: ns-fuzz DIR SEED NOPS\n");
        return 2;
    }
    box = argv[1];
    snprintf(top, sizeof(top), "%.400s/s1/s2/t", box);
    rng = strtoull(argv[2], NULL, 0) * 0x9E3779B97F4A7C15ull + 1;
    unsigned nops = (unsigned)strtoul(argv[3], NULL, 0);
    setvbuf(stdout, NULL, _IOLBF, 0);
    umask(022);
    for (int s = 0; s < NSLOT; s++)
        slot[s].fd = -1;
    if (mkdir(box, 0755) < 0 || chdir(box) < 0 || mkdir("s1", 0755) < 0 ||
        mkdir("s1/s2", 0755) < 0 || mkdir(top, 0755) < 0 || chdir(top) < 0) {
        printf("FAIL setup %s: %s\n", top, errname(errno));
        return 1;
    }
    /* a starting tree so early operations meet existing names */
    mkdir("a", 0755);
    mkdir("a/b", 0755);
    close(open("b", O_CREAT | O_WRONLY, 0644));
    symlink("a", "c");
    for (unsigned i = 0; i < nops; i++) {
        op(i);
        if (i % 8 == 7) {
            printf("snap\n");
            snap(box, "", 0);
        }
    }
    printf("snap\n");
    snap(box, "", 0);
    printf("ok ns-fuzz seed %s done\n", argv[2]);
    return 0;
}
