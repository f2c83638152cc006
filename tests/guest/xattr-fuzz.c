/* SPDX-License-Identifier: MIT */
/*
 * Differential fuzzer for extended attributes and POSIX ACLs.
 *
 * usage: xattr-fuzz DIR SEED NOPS
 *
 * DIR must be the current directory and empty: only relative paths are
 * used. The program makes files (f0, f1, fbig), directories (d0, d1),
 * symlinks (s0 -> f0, s1 -> d0, s2 dangling), a FIFO (p0) and, where
 * mknod is allowed, a null device (c0), then runs NOPS seeded calls on
 * them, on "." and on names with a trailing slash: set/lset/fsetxattr
 * with XATTR_CREATE/XATTR_REPLACE, both or a bad flag, get with a size
 * query, an exact, a too-small and a large buffer, list (names sorted),
 * remove, names in user.*, trusted.*, security.* (security.capability
 * too, then dropped by chown, a write or a truncate), unknown prefixes,
 * empty, "user." and too-long names; system.posix_acl_access/default
 * values built here (valid, or broken on purpose), chmod and its effect
 * on the ACL mask, files and directories made in a directory with a
 * default ACL (the umask ignored then) and, as root, a forked child with
 * uid/gids among 1000..1004 checking access(), getxattr, setxattr and a
 * create against the ACLs. One line per call: values as length and hash,
 * ACLs as hex, errno names. No times, inode numbers or owners, so the
 * same seed gives the same trace natively and under kbox.
 *
 * Lines starting "L " concern fbig, which gets values up to and past
 * the filesystem's limits (ext4 and tmpfs differ there); lines starting
 * "D " concern c0 (mknod needs a real root). XFUZZ_NOPRIV=1 skips
 * trusted.* and security.* (a user namespace's root may not set them on
 * a host filesystem).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fuzz-util.h"
#include "op-trace.h"

static bool nopriv, isroot;

static uint32_t fnv(const void *p, size_t n)
{
    const unsigned char *c = p;
    uint32_t h = 2166136261u;

    while (n--)
        h = (h ^ *c++) * 16777619u;
    return h;
}

static void hex(char *dst, const void *p, size_t n)
{
    const unsigned char *c = p;

    for (size_t i = 0; i < n; i++)
        sprintf(dst + 2 * i, "%02x", c[i]);
    dst[2 * n] = 0;
}

enum otype { OFILE, ODIR, OLINK, OFIFO, ODEV };
static const struct obj {
    const char *name;
    enum otype t;
} objs[] = {
    { "f0", OFILE }, { "f1", OFILE }, { "d0", ODIR },  { "d1", ODIR },
    { "s0", OLINK }, { "s1", OLINK }, { "s2", OLINK }, { "p0", OFIFO },
    { "c0", ODEV },  { ".", ODIR },
};
#define NOBJ (int)(sizeof(objs) / sizeof(objs[0]))
static int fds[3]; /* f0 O_RDWR, f1 O_RDONLY, d0 O_DIRECTORY */
static const char *fdname[3] = { "f0", "f1", "d0" };

static const char *tagof(const char *o)
{
    return !strncmp(o, "c0", 2) ? "D " : !strcmp(o, "fbig") ? "L " : "";
}

static char longname[400], toolong[400], waytoolong[400];

static const char *pick_name(void)
{
    static const char *pool[] = {
        "user.a",
        "user.a",
        "user.b",
        "user.b",
        "user.c",
        "user.c",
        "trusted.t1",
        "trusted.t1",
        "security.s1",
        "security.capability",
        "system.posix_acl_access",
        "system.posix_acl_default",
        "",
        "user.",
        "foo.bar",
        "system.foo",
        "trusted.",
        longname,
        toolong,
        waytoolong,
    };

    return pool[rnd(sizeof(pool) / sizeof(pool[0]))];
}

static bool skipped(const char *name)
{
    return nopriv &&
           (!strncmp(name, "trusted.", 8) || !strncmp(name, "security.", 9));
}

static const char *shown(const char *name)
{
    static char b[4][40];
    static int i;

    i = (i + 1) % 4;
    if (strlen(name) > 20)
        snprintf(b[i], sizeof(b[i]), "<%.5s%zu>", name, strlen(name));
    else
        snprintf(b[i], sizeof(b[i]), "'%s'", name);
    return b[i];
}

static const char *flagname(int f)
{
    static char b[8];

    if (f == XATTR_CREATE || f == XATTR_REPLACE || !f)
        return f == XATTR_CREATE ? "C" : f == XATTR_REPLACE ? "R" : "0";
    snprintf(b, sizeof(b), "%d", f);
    return b;
}

/* The call's target: a path, a path without following, or an fd. */
struct tgt {
    int how; /* 0 path, 1 l-path, 2 fd */
    const char *o;
    int fd;
};

static struct tgt pick_tgt(void)
{
    struct tgt t = { (int)rnd(3), NULL, -1 };

    if (t.how == 2) {
        int i = (int)rnd(3);

        t.fd = fds[i];
        t.o = fdname[i];
    } else {
        static char slashed[NOBJ][8];
        int i = (int)rnd(NOBJ);

        t.o = objs[i].name;
        if (rnd(6) == 0) { /* a trailing slash: ENOTDIR or followed */
            snprintf(slashed[i], sizeof(slashed[i]), "%s/", t.o);
            t.o = slashed[i];
        }
    }
    return t;
}

static const char *how(const struct tgt *t)
{
    return t->how == 0 ? "" : t->how == 1 ? "l" : "f";
}

static long x_set(const struct tgt *t, const char *n, const void *v, size_t s,
                  int f)
{
    return t->how == 0   ? setxattr(t->o, n, v, s, f)
           : t->how == 1 ? lsetxattr(t->o, n, v, s, f)
                         : fsetxattr(t->fd, n, v, s, f);
}

static long x_get(const struct tgt *t, const char *n, void *v, size_t s)
{
    return t->how == 0   ? getxattr(t->o, n, v, s)
           : t->how == 1 ? lgetxattr(t->o, n, v, s)
                         : fgetxattr(t->fd, n, v, s);
}

static long x_list(const struct tgt *t, char *v, size_t s)
{
    return t->how == 0   ? listxattr(t->o, v, s)
           : t->how == 1 ? llistxattr(t->o, v, s)
                         : flistxattr(t->fd, v, s);
}

static long x_remove(const struct tgt *t, const char *n)
{
    return t->how == 0   ? removexattr(t->o, n)
           : t->how == 1 ? lremovexattr(t->o, n)
                         : fremovexattr(t->fd, n);
}

static unsigned char vbuf[70000], gbuf[70000];

static void fill(size_t n)
{
    for (size_t i = 0; i < n; i++)
        vbuf[i] = (unsigned char)rnd(256);
}

static void op_set(void)
{
    static const size_t lens[] = { 0, 1, 5, 16, 100, 255 };
    struct tgt t = pick_tgt();
    const char *n = pick_name();
    size_t len = lens[rnd(6)];
    int f = (int)rnd(8);
    bool null = len == 0 && rnd(2);
    long rc;

    /* 3 is both flags, 4 an unknown one (EINVAL) */
    f = f == 1 || f == 5   ? XATTR_CREATE
        : f == 2 || f == 6 ? XATTR_REPLACE
        : f == 3 || f == 4 ? f
                           : 0;
    fill(len);
    if (skipped(n)) {
        out("", "skip");
        return;
    }
    errno = 0;
    rc = x_set(&t, n, null ? NULL : vbuf, len, f);
    out(tagof(t.o), "%sset %s %s len %zu%s fl %s h %08x -> %s", how(&t), t.o,
        shown(n), len, null ? " null" : "", flagname(f), fnv(vbuf, len),
        res(rc, errno));
}

static void op_get(void)
{
    struct tgt t = pick_tgt();
    const char *n = pick_name();
    int mode = (int)rnd(4);
    long q, rc = 0;
    int e;

    if (skipped(n)) {
        out("", "skip");
        return;
    }
    errno = 0;
    q = x_get(&t, n, NULL, 0);
    e = errno;
    if (q < 0 || mode == 0) {
        out(tagof(t.o), "%sget %s %s size0 -> %s", how(&t), t.o, shown(n),
            res(q, e));
        return;
    }
    if (mode == 1 && q > 0) { /* one byte short */
        errno = 0;
        rc = x_get(&t, n, gbuf, (size_t)q - 1);
        out(tagof(t.o), "%sget %s %s short -> %s / %s", how(&t), t.o, shown(n),
            res(q, e), res(rc, errno));
        return;
    }
    errno = 0;
    rc = x_get(&t, n, gbuf, mode == 3 ? sizeof(gbuf) : (size_t)q);
    e = errno;
    if (!strncmp(n, "system.posix_acl", 16) && rc > 0 && rc < 400) {
        char h[800];

        hex(h, gbuf, (size_t)rc);
        out(tagof(t.o), "%sget %s %s -> %s %s", how(&t), t.o, shown(n),
            res(rc, e), h);
    } else {
        out(tagof(t.o), "%sget %s %s %s -> %s h %08x", how(&t), t.o, shown(n),
            mode == 3 ? "big" : "exact", res(rc, e),
            rc > 0 ? fnv(gbuf, (size_t)rc) : 0);
    }
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* names of a list sorted and joined by commas into dst */
static void sorted(char *dst, size_t dsz, char *l, long n)
{
    char *v[512];
    int c = 0;
    size_t o = 0;

    for (long i = 0; i < n && c < 512; i += (long)strlen(l + i) + 1)
        v[c++] = l + i;
    qsort(v, (size_t)c, sizeof(v[0]), cmpstr);
    dst[0] = 0;
    for (int i = 0; i < c; i++)
        o += (size_t)snprintf(dst + o, dsz - o, "%s%s", i ? "," : "",
                              shown(v[i]));
}

static void op_list(void)
{
    struct tgt t = pick_tgt();
    bool shortbuf = rnd(3) == 0;
    long q, rc;
    int e, e2;
    char s[4096];

    errno = 0;
    q = x_list(&t, NULL, 0);
    e = errno;
    errno = 0;
    if (q > 0 && shortbuf) {
        rc = x_list(&t, (char *)gbuf, (size_t)q - 1);
        out(tagof(t.o), "%slist %s short -> %s", how(&t), t.o, res(rc, errno));
        return;
    }
    rc = x_list(&t, (char *)gbuf, sizeof(gbuf));
    e2 = errno;
    if (rc >= 0)
        sorted(s, sizeof(s), (char *)gbuf, rc);
    out(tagof(t.o), "%slist %s -> %s%s %s [%s]", how(&t), t.o,
        q == rc ? "" : "query-differs ", q == rc ? "" : res(q, e), res(rc, e2),
        rc >= 0 ? s : "");
}

static void op_remove(void)
{
    struct tgt t = pick_tgt();
    const char *n = pick_name();
    long rc;

    if (skipped(n)) {
        out("", "skip");
        return;
    }
    errno = 0;
    rc = x_remove(&t, n);
    out(tagof(t.o), "%sremove %s %s -> %s", how(&t), t.o, shown(n),
        res(rc, errno));
}

/* ---- POSIX ACLs in the xattr format ---- */
#define ACL_VERSION 2
enum {
    T_USER_OBJ = 1,
    T_USER = 2,
    T_GROUP_OBJ = 4,
    T_GROUP = 8,
    T_MASK = 0x10,
    T_OTHER = 0x20
};

struct acl_ent {
    uint16_t tag, perm;
    uint32_t id;
};

static size_t acl_add(unsigned char *b, size_t o, int tag, int perm,
                      uint32_t id)
{
    struct acl_ent e = { (uint16_t)tag, (uint16_t)perm, id };

    memcpy(b + o, &e, sizeof(e));
    return o + sizeof(e);
}

/* A random ACL in b; returns its size and says how it is broken. */
static size_t acl_build(unsigned char *b, const char **what)
{
    static const uint32_t uids[] = { 1000, 1001, 1003 };
    static const uint32_t gids[] = { 1000, 1002, 1004 };
    uint32_t ver = ACL_VERSION;
    int nu = (int)rnd(3), ng = (int)rnd(3);
    int bad = rnd(6) == 0 ? (int)rnd(8) + 1 : 0;
    bool mask = nu || ng || rnd(8) == 0;
    size_t o = 4;

    *what = "ok";
    if (bad == 1 && (nu || ng)) {
        mask = false;
        *what = "nomask";
    }
    memcpy(b, &ver, 4);
    o = acl_add(b, o, T_USER_OBJ, (int)rnd(8), (uint32_t)-1);
    for (int i = 0, s = (int)rnd(3); i < nu; i++)
        o = acl_add(b, o, T_USER, (int)rnd(8), uids[(s + i) % 3]);
    o = acl_add(b, o, T_GROUP_OBJ, (int)rnd(8), (uint32_t)-1);
    for (int i = 0, s = (int)rnd(3); i < ng; i++)
        o = acl_add(b, o, T_GROUP, (int)rnd(8), gids[(s + i) % 3]);
    if (mask)
        o = acl_add(b, o, T_MASK, (int)rnd(8), (uint32_t)-1);
    o = acl_add(b, o, T_OTHER, (int)rnd(8), (uint32_t)-1);
    switch (bad) {
    case 2:
        ver = 1;
        memcpy(b, &ver, 4);
        *what = "version1";
        break;
    case 3:
        o -= 3;
        *what = "truncated";
        break;
    case 4:
        o = acl_add(b, o, T_OTHER, 0, (uint32_t)-1);
        *what = "twoother";
        break;
    case 5:
        b[4 + 2] = 9; /* a USER_OBJ permission past rwx */
        *what = "badperm";
        break;
    case 6:
        o = 4;
        *what = "empty";
        break;
    case 7:
        o = acl_add(b, 4, T_USER, 7, (uint32_t)-1);
        o = acl_add(b, o, T_OTHER, 7, (uint32_t)-1);
        *what = "unmapped";
        break;
    case 8:
        o = acl_add(b, o, 0x40, 7, 0);
        *what = "badtag";
        break;
    }
    return o;
}

static void show_acl(const char *tag, const char *o, int def, bool follow)
{
    const char *n =
        def ? "system.posix_acl_default" : "system.posix_acl_access";
    char h[800];
    long rc;

    errno = 0;
    rc = follow ? getxattr(o, n, gbuf, 400) : lgetxattr(o, n, gbuf, 400);
    if (rc > 0)
        hex(h, gbuf, (size_t)rc);
    out(tag, "  %s %s %s", o, def ? "dacl" : "acl",
        rc > 0 ? h : res(rc, errno));
}

static void show_mode(const char *tag, const char *o)
{
    struct stat st;

    if (stat(o, &st))
        out(tag, "  %s mode %s", o, strerrorname_np(errno));
    else
        out(tag, "  %s mode %04o", o, (unsigned)st.st_mode & 07777);
}

static void op_aclset(void)
{
    struct tgt t = pick_tgt();
    int def = rnd(3) == 0;
    const char *what;
    size_t len = acl_build(vbuf, &what);
    const char *n =
        def ? "system.posix_acl_default" : "system.posix_acl_access";
    int f = rnd(5) == 0 ? XATTR_CREATE : 0;
    long rc;

    errno = 0;
    rc = x_set(&t, n, vbuf, len, f);
    out(tagof(t.o), "%saclset %s %s %s fl %s -> %s", how(&t), t.o,
        def ? "default" : "access", what, flagname(f), res(rc, errno));
    if (t.how != 1 && strcmp(t.o, "s2")) {
        const char *o = t.o;

        show_mode(tagof(o), o);
        show_acl(tagof(o), o, 0, true);
        show_acl(tagof(o), o, 1, true);
    }
}

static void op_chmod(void)
{
    static const mode_t modes[] = { 0,     0644, 0750, 0777,  0705,  0640,
                                    02770, 0460, 0711, 01777, 04755, 0070 };
    static const char *tg[] = { "f0", "f1", "d0", "d1", "s0", "s1" };
    mode_t m = modes[rnd(sizeof(modes) / sizeof(modes[0]))];
    int byfd = rnd(4) == 0;
    const char *o;
    long rc;

    errno = 0;
    if (byfd) {
        int i = (int)rnd(3);

        o = fdname[i];
        rc = fchmod(fds[i], m);
    } else {
        o = tg[rnd(6)];
        rc = chmod(o, m);
    }
    out("", "%schmod %s %04o -> %s", byfd ? "f" : "", o, (unsigned)m,
        res(rc, errno));
    show_mode("", o);
    show_acl("", o, 0, true);
}

/* a file and a directory made in d0 or d1: inherited ACLs, umask */
static void op_inherit(void)
{
    static const mode_t um[] = { 0, 022, 077, 027, 0777 };
    static const mode_t fm[] = { 0666, 0600, 0777, 0640, 0 };
    const char *d = rnd(2) ? "d1" : "d0";
    mode_t u = um[rnd(5)], m1 = fm[rnd(5)], m2 = fm[rnd(5)] | 0111;
    char p[32];
    int fd;

    umask(u);
    snprintf(p, sizeof(p), "%s/n", d);
    errno = 0;
    fd = open(p, O_CREAT | O_EXCL | O_WRONLY, m1);
    out("", "inherit %s umask %03o file %04o -> %s", d, (unsigned)u,
        (unsigned)m1, res(fd < 0 ? -1 : 0, errno));
    if (fd >= 0) {
        close(fd);
        show_mode("", p);
        show_acl("", p, 0, true);
        unlink(p);
    }
    snprintf(p, sizeof(p), "%s/m", d);
    errno = 0;
    fd = mkdir(p, m2);
    out("", "inherit %s umask %03o dir %04o -> %s", d, (unsigned)u,
        (unsigned)m2, res(fd, errno));
    if (!fd) {
        show_mode("", p);
        show_acl("", p, 0, true);
        show_acl("", p, 1, true);
        rmdir(p);
    }
    umask(0);
}

static const char *perms(const char *o)
{
    static char b[4][4];
    static int i;

    i = (i + 1) % 4;
    b[i][0] = access(o, R_OK) ? '-' : 'r';
    b[i][1] = access(o, W_OK) ? '-' : 'w';
    b[i][2] = access(o, X_OK) ? '-' : 'x';
    b[i][3] = 0;
    return b[i];
}

/* a child with another identity checks its rights against the ACLs */
static void op_access(void)
{
    static const uid_t uids[] = { 1000, 1001, 1003 };
    static const gid_t gids[] = { 1000, 1002, 1004 };
    uid_t u = uids[rnd(3)];
    gid_t g = gids[rnd(3)], sup[2];
    int ns = 0, bits = (int)rnd(4);
    pid_t pid;
    int st;

    if (bits & 1)
        sup[ns++] = 1000;
    if (bits & 2)
        sup[ns++] = 1002;
    if (!isroot)
        return;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        long rc;
        char p[16];
        int fd;

        if (setgroups((size_t)ns, sup) || setgid(g) || setuid(u)) {
            out("", "access: ids %s", strerrorname_np(errno));
            fflush(stdout);
            _exit(1);
        }
        out("", "access u%u g%u s%d: f0 %s f1 %s d0 %s d1 %s s0 %s",
            (unsigned)u, (unsigned)g, bits, perms("f0"), perms("f1"),
            perms("d0"), perms("d1"), perms("s0"));
        errno = 0;
        rc = getxattr("f0", "user.a", gbuf, sizeof(gbuf));
        out("", "  get f0 user.a -> %s", res(rc, errno));
        errno = 0;
        rc = setxattr("f1", "user.c", "k", 1, 0);
        out("", "  set f1 user.c -> %s", res(rc, errno));
        errno = 0;
        rc = setxattr("d1", "user.c", "k", 1, 0);
        out("", "  set d1 user.c -> %s", res(rc, errno));
        /* the parent's fds: the checks are the inode's, not the fd's */
        for (int i = 0; i < 3; i++) {
            char s[4096];

            errno = 0;
            rc = fgetxattr(fds[i], "user.a", gbuf, sizeof(gbuf));
            out("", "  fget %s user.a -> %s", fdname[i], res(rc, errno));
            errno = 0;
            rc = fsetxattr(fds[i], "user.b", "k", 1, 0);
            out("", "  fset %s user.b -> %s", fdname[i], res(rc, errno));
            errno = 0;
            rc = flistxattr(fds[i], (char *)gbuf, sizeof(gbuf));
            if (rc >= 0)
                sorted(s, sizeof(s), (char *)gbuf, rc);
            out("", "  flist %s -> %s [%s]", fdname[i], res(rc, errno),
                rc >= 0 ? s : "");
        }
        errno = 0;
        rc = setxattr("f0", "system.posix_acl_access", "\2\0\0\0", 4, 0);
        out("", "  aclset f0 -> %s", res(rc, errno));
        snprintf(p, sizeof(p), "%s/u", rnd(2) ? "d1" : "d0");
        umask(022);
        errno = 0;
        fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0666);
        out("", "  create %s -> %s", p, res(fd < 0 ? -1 : 0, errno));
        if (fd >= 0) {
            close(fd);
            show_mode("", p);
            show_acl("", p, 0, true);
            unlink(p);
        }
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st))
        out("", "access child status %x", st);
}

/*
 * security.capability (root only): a v2 value, then what drops it: chown,
 * a write, a truncate (the kernel's killpriv), or nothing.
 */
static void op_cap(void)
{
    static const char *acts[] = { "chown", "write", "truncate", "none" };
    uint32_t v[5] = { 0x02000000u | (rnd(2) ? 1u : 0u), rnd(2) ? 0x400u : 0,
                      rnd(2) ? 0x2000u : 0, 0, 0 };
    int i = (int)rnd(2), act = (int)rnd(4);
    size_t len = rnd(5) ? sizeof(v) : rnd(2) ? 7 : 0; /* not a capability */
    const char *o = fdname[i];
    struct stat st;
    long rc;

    if (nopriv) {
        out("", "skip");
        return;
    }
    errno = 0;
    rc = setxattr(o, "security.capability", v, len, 0);
    out("", "capset %s len %zu %08x %08x %08x -> %s", o, len, v[0], v[1], v[2],
        res(rc, errno));
    errno = 0;
    switch (act) {
    case 0:
        rc = chown(o, geteuid(), getegid());
        break;
    case 1:
        o = "f0";
        /* a write to a set-ID file in a bind of a root kbox is the host's
         * as root without CAP_FSETID: it drops set-group-ID where Linux
         * keeps it (no group execute); not what is fuzzed here */
        if (!stat(o, &st) && (st.st_mode & (S_ISUID | S_ISGID))) {
            rc = 0;
            break;
        }
        rc = pwrite(fds[0], "w", 1, 0);
        break;
    case 2:
        rc = truncate(o, 0);
        break;
    default:
        rc = 0;
    }
    out("", "  %s %s -> %s", acts[act], o, res(rc, errno));
    errno = 0;
    rc = getxattr(o, "security.capability", gbuf, sizeof(gbuf));
    if (rc > 0) {
        char h[200];

        hex(h, gbuf, (size_t)(rc < 64 ? rc : 64));
        out("", "  %s cap %s", o, h);
    } else {
        out("", "  %s cap %s", o, res(rc, errno));
    }
}

/* values up to and past the limits, on fbig only ("L " lines) */
static void op_big(void)
{
    static const size_t lens[] = {
        1000, 3000, 4000, 5000, 16000, 65536, 65537
    };
    static const char *names[] = { "user.big0", "user.big1", "trusted.big",
                                   "security.big" };
    const char *n = names[rnd(4)];
    size_t len = lens[rnd(7)];
    int k = (int)rnd(4);
    char s[4096];
    long rc;

    fill(len);
    if (skipped(n)) {
        out("", "skip");
        return;
    }
    errno = 0;
    switch (k) {
    case 0:
    case 1:
        rc = setxattr("fbig", n, vbuf, len, 0);
        out("L ", "bigset %s len %zu -> %s", n, len, res(rc, errno));
        break;
    case 2:
        rc = getxattr("fbig", n, gbuf, sizeof(gbuf));
        out("L ", "bigget %s -> %s h %08x", n, res(rc, errno),
            rc > 0 ? fnv(gbuf, (size_t)rc) : 0);
        break;
    default:
        rc = removexattr("fbig", n);
        out("L ", "bigremove %s -> %s", n, res(rc, errno));
        rc = listxattr("fbig", (char *)gbuf, sizeof(gbuf));
        if (rc >= 0)
            sorted(s, sizeof(s), (char *)gbuf, rc);
        out("L ", "  list fbig -> %s [%s]", res(rc, errno), rc >= 0 ? s : "");
        break;
    }
}

static void dump(void)
{
    char s[4096];

    for (int i = 0; i < NOBJ; i++) {
        const char *o = objs[i].name;
        long rc;

        errno = 0;
        rc = llistxattr(o, (char *)gbuf, sizeof(gbuf));
        if (rc >= 0)
            sorted(s, sizeof(s), (char *)gbuf, rc);
        out(tagof(o), "dump %s -> %s [%s]", o, res(rc, errno),
            rc >= 0 ? s : "");
        if (objs[i].t == OFILE || objs[i].t == ODIR) {
            show_mode("", o);
            show_acl("", o, 0, false);
        }
    }
}

int main(int argc, char **argv)
{
    char cwd[4096];
    int nops;
    long rc;

    if (argc != 4) {
        fprintf(stderr, "usage: xattr-fuzz DIR SEED NOPS\n");
        return 2;
    }
    if (chdir(argv[1]) || !getcwd(cwd, sizeof(cwd))) {
        perror(argv[1]);
        return 2;
    }
    rng = strtoull(argv[2], NULL, 0) * 0x9E3779B97F4A7C15ull + 1;
    nops = atoi(argv[3]);
    nopriv = getenv("XFUZZ_NOPRIV") != NULL;
    isroot = geteuid() == 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    memset(longname, 'n', 255);
    memcpy(longname, "user.", 5);
    memset(toolong, 'n', 256);
    memcpy(toolong, "user.", 5);
    memset(waytoolong, 'n', 300);
    memcpy(waytoolong, "user.", 5);

    umask(0);
    if (close(open("f0", O_CREAT | O_EXCL | O_WRONLY, 0644)) ||
        close(open("f1", O_CREAT | O_EXCL | O_WRONLY, 0644)) ||
        close(open("fbig", O_CREAT | O_EXCL | O_WRONLY, 0644)) ||
        mkdir("d0", 0755) || mkdir("d1", 0755) || symlink("f0", "s0") ||
        symlink("d0", "s1") || symlink("nowhere", "s2") || mkfifo("p0", 0644)) {
        perror("setup (DIR must be empty)");
        return 2;
    }
    errno = 0;
    rc = mknod("c0", S_IFCHR | 0666, makedev(1, 3));
    out("D ", "mknod c0 -> %s", res(rc, errno));
    fds[0] = open("f0", O_RDWR);
    fds[1] = open("f1", O_RDONLY);
    fds[2] = open("d0", O_RDONLY | O_DIRECTORY);
    if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0) {
        perror("open");
        return 2;
    }
    for (opno = 1; opno <= nops; opno++) {
        uint32_t k = rnd(100);

        if (k < 20)
            op_set();
        else if (k < 35)
            op_get();
        else if (k < 45)
            op_list();
        else if (k < 52)
            op_remove();
        else if (k < 67)
            op_aclset();
        else if (k < 75)
            op_chmod();
        else if (k < 82)
            op_inherit();
        else if (k < 90)
            op_access();
        else if (k < 94)
            op_big();
        else if (k < 96)
            op_cap();
        else
            dump();
    }
    dump();
    out("", "end");
    return 0;
}
