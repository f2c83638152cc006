/* SPDX-License-Identifier: MIT */
/*
 * Differential fuzzer for path resolution.
 *
 * usage: path-fuzz BASE OTHER SEED NOPS [-m|-k]
 *
 * BASE and OTHER are directories (made if missing; best on different
 * file systems: the image, lx's tmpfs, a bind). The program makes a
 * cushion of directories under each (BASE/c/c/c/c/c/c/T and
 * OTHER/c/c/c/c/c/c/O) so that the few ".." a random path holds never
 * leave what it made, then a seeded tree in T: files, directories,
 * relative and absolute symlinks, dangling ones, loops, a chain of
 * 38..42 links (the limit is 40), a magic link (/proc/self/cwd), a link
 * to "/", a link into O and one from O back, names of 255 and 256
 * bytes. It then runs NOPS random calls on random paths made of those
 * names, ".", "..", "//", a trailing "/" or "/.", an absolute prefix
 * (T's or O's path, or 40 ".." then T's path: through "/" and back),
 * or padded with "./" to 4094..4096 bytes: openat (O_NOFOLLOW, O_PATH,
 * O_DIRECTORY, O_CREAT|O_EXCL, O_TMPFILE), openat2 with RESOLVE_*
 * combinations, fstatat, statx, readlinkat, linkat, symlinkat,
 * mkdirat, unlinkat, renameat2, faccessat2, fchownat (to -1, -1),
 * utimensat, chdir and fchdir; dirfds are the cwd, T, an O_PATH fd of
 * T/d0, a file (ENOTDIR), a removed directory (whose name is made
 * again), O and the last opened fd.
 *
 * One line per call: the path as built (T's path as "@", O's as "&"),
 * the result as an errno name or "ok" and what was reached, named by
 * the object it is (its name when made, "/" for the root, "c" for the
 * cushion), never by an inode number, so the same seed gives the same
 * trace natively and in kbox.
 *
 * Environment differences it masks: two-path calls never cross between
 * T and O (EXDEV only where they are on different file systems);
 * RESOLVE_NO_XDEV is reported only for walks that stay beneath the
 * dirfd (the mounts above differ); RESOLVE_CACHED's EAGAIN is retried
 * without it (the dcache decides). Guest root drops its capabilities
 * (natively the reference runs as a user).
 *
 * -m masks kbox's known gaps with the tree in the image or lx's tmpfs
 * and O in a bind (docs/supervisor-status.md, twenty-eighth session):
 * the magic link is not named while the cwd is in O (a link in the
 * image to /proc/self/cwd reaches lx's cwd, not the bind's) or removed
 * (O_TMPFILE there: ext4's answer and lx tmpfs's differ); no path is
 * padded to PATH_MAX that may lead into O, or in a two-path call (kbox
 * joins it to its directory's path; reads both names first); the chain
 * of links is only a path's first name and link targets made are
 * relative (kbox restarts a walk after a link leaving a bind, counting
 * the 40 links anew, and resolves ".." after it by the text); no ".."
 * after a way up to "/" from O's side or after a link into O (a path
 * from a bind into the image is normalised by its text); a name to
 * make or remove is not "." or ".."; an O_PATH fd of a symlink in a
 * bind (EOPNOTSUPP) is shown as what lstat sees; a path from a removed
 * directory does not lead into O; the chain is not renamed (a path
 * names it first only).
 * -k masks those and the gaps of a tree in a bind: a removed file's fd
 * is not used; no path is padded (kbox joins it to the dirfd's path);
 * no ".." after an absolute link; RESOLVE_NO_SYMLINKS paths have no "." or
 * ".."; two-path calls name no absolute link, and link's new name is
 * not relative to a file (kbox's order of errors there); no whiteouts
 * (one cannot be an O_PATH fd in a bind).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

#include "fuzz-util.h"
#include "op-trace.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE  2
#define RENAME_WHITEOUT  4
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif

static char T[1024], O[1024]; /* absolute paths of the two trees */
static char OB[1040];         /* OTHER's, the base of O */
static char L255[256], L256[257];

/* ---- what an object is: a table of (dev, ino) -> name ---- */
#define NOBJ 4096
static struct {
    dev_t dev;
    ino_t ino;
    char name[24];
} tab[NOBJ];
static int ntab, nmade;

static void remember(dev_t d, ino_t i, const char *name)
{
    for (int k = 0; k < ntab; k++)
        if (tab[k].dev == d && tab[k].ino == i) { /* an inode reused */
            snprintf(tab[k].name, sizeof(tab[k].name), "%s", name);
            return;
        }
    if (ntab < NOBJ) {
        tab[ntab].dev = d;
        tab[ntab].ino = i;
        snprintf(tab[ntab].name, sizeof(tab[ntab].name), "%s", name);
        ntab++;
    }
}

static void remember_at(int dfd, const char *p, const char *name)
{
    struct stat st;

    if (!fstatat(dfd, p, &st, AT_SYMLINK_NOFOLLOW))
        remember(st.st_dev, st.st_ino, name);
}

static char typec(mode_t m)
{
    return S_ISREG(m)   ? 'f'
           : S_ISDIR(m) ? 'd'
           : S_ISLNK(m) ? 'l'
           : S_ISCHR(m) ? 'c'
                        : '?';
}

static const char *label(const struct stat *st)
{
    for (int k = 0; k < ntab; k++)
        if (tab[k].dev == st->st_dev && tab[k].ino == st->st_ino)
            return tab[k].name;
    return "?";
}

/* "name:t" and, for files, the link count (dirs' differ by fs) */
static const char *what(const struct stat *st)
{
    static char b[4][64];
    static int bi;
    const char *n = label(st);

    bi = (bi + 1) % 4;
    if (S_ISCHR(st->st_mode)) /* whiteouts: inodes are the fs's own */
        n = "w";
    if (S_ISREG(st->st_mode))
        snprintf(b[bi], sizeof(b[bi]), "%s:f%lu s%lld", n,
                 (unsigned long)st->st_nlink, (long long)st->st_size);
    else
        snprintf(b[bi], sizeof(b[bi]), "%s:%c", n, typec(st->st_mode));
    return b[bi];
}

static const char *fdwhat(int fd)
{
    struct stat st;

    if (fstat(fd, &st))
        return errname(errno);
    return what(&st);
}

static const char *er(long rc, int e)
{
    return rc < 0 ? errname(e) : "ok";
}

/* ---- dirfds ---- */
enum { D_CWD, D_T, D_D0P, D_FILE, D_GONE, D_O, D_LAST, ND };
static const char *dname[ND] = {
    "cwd", "T", "d0p", "file", "gone", "O", "last"
};
static int dfds[ND];
static bool cwd_in_o, known_gaps, image_gaps;
static bool from_gone; /* the dirfd picked last is the removed one */
static bool making;    /* the path is a name to make (mkdir, symlink) */
static bool nodots;    /* -k: no "." or ".." in it */
static bool pad_ok;    /* -m: the dirfd picked is T's side */

static const char *label(const struct stat *st);

/* only what the program made: "/" (or any host object) is not ours to
 * write in, and guest root owns the image's */
static void set_last(int fd)
{
    struct stat st;
    const char *l;

    if (dfds[D_LAST] >= 0)
        close(dfds[D_LAST]);
    dfds[D_LAST] = fd;
    /* nor a link's O_PATH fd (kbox has none in a bind, -k) */
    if (fd < 0 || fstat(fd, &st) || !strcmp(l = label(&st), "/") ||
        !strcmp(l, "?") || S_ISLNK(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        dfds[D_LAST] = -1;
    }
}

/* a dirfd; cross: may be O (or the cwd when it is in O) */
static int pick_dfd(bool cross)
{
    int i = (int)rnd(ND + 3);

    if (i >= ND) /* the cwd and T more often */
        i = i == ND ? D_T : D_CWD;
    if (!cross && (i == D_O || (i == D_CWD && cwd_in_o) || i == D_LAST))
        i = D_T;
    from_gone = i == D_GONE;
    pad_ok = i == D_T || i == D_D0P || i == D_FILE || (i == D_CWD && !cwd_in_o);
    if (i == D_CWD) { /* the cwd may be a removed directory too */
        struct stat st;

        from_gone = stat(".", &st) || !st.st_nlink;
    }
    if (known_gaps && i == D_FILE) {
        struct stat st;

        if (!fstat(dfds[i], &st) && !st.st_nlink)
            i = D_T;
    }
    return i;
}

/* ---- paths ---- */
static const char *names[] = {
    ".",    "..",   "f0",   "d0",   "d0/d1", "d0/f1", "e0",  "sr",
    "sd",   "sa",   "sup",  "dang", "l0",    "l2",    "ch0", "chm",
    "L255", "L256", "to",   "mag",  "sroot", "n0",    "n1",  "n2",
    "nd",   "x",    "back", "od",   "f0",    "d0",    "sd",  "n0",
};
#define NNAMES (int)(sizeof(names) / sizeof(names[0]))

struct path {
    char real[8192];
    char shown[600];
};

static void addc(struct path *p, const char *real, const char *shown)
{
    size_t r = strlen(p->real), s = strlen(p->shown);

    snprintf(p->real + r, sizeof(p->real) - r, "%s", real);
    snprintf(p->shown + s, sizeof(p->shown) - s, "%s", shown);
}

/*
 * A random path. cross: may lead to O (the names "to", "back", "od" and
 * O's prefix); ro: may name the link to "/" (a call that writes there
 * would reach the host's or the image's root).
 */
static void gen_path(struct path *p, bool cross, bool ro)
{
    /* -m: from a removed directory, kbox cannot follow lx's walk into a
     * bind (lx names the directory "... (deleted)") */
    struct stat cw;
    /* -m: nor through the magic link to a removed cwd (O_TMPFILE in a
     * removed directory: ext4's answer natively, lx's tmpfs's here) */
    bool nomag = image_gaps && (cwd_in_o || stat(".", &cw) || !cw.st_nlink);

    if (image_gaps && from_gone)
        cross = false;
    uint32_t kn = rnd(20);
    int n = kn < 12 ? 1 : kn < 17 ? 2 : 3 + (int)rnd(2), dots = 0;
    bool pre = true;
    uint32_t k = rnd(100);

    p->real[0] = p->shown[0] = 0;
    /* -m, -k: a name to make or remove is not "." or ".." (after a link
     * out of a bind kbox's answer is not Linux's) */
    if (image_gaps && making)
        nodots = true;
    if (k < 4)
        return; /* "" */
    if (k < 14) {
        addc(p, T, "@");
    } else if (k < 20) {
        /* 40 "..": "/" from anywhere, then down again */
        for (int i = 0; i < 40; i++)
            addc(p, "../", "");
        addc(p, T + 1, "^@");
        /* -k: a path that leaves a bind and enters it again has its
         * ".." resolved by the text; -m: so has one from a bind's
         * dirfd or cwd (O's) into the image */
        if (known_gaps || (image_gaps && !pad_ok))
            dots = 2;
    } else if (k < 24 && cross) {
        addc(p, O, "&");
    } else {
        pre = false;
    }
    for (int i = 0; i < n; i++) {
        const char *c;

        if (i > 0 || pre) {
            bool two = rnd(10) == 0;

            addc(p, two ? "//" : "/", two ? "//" : "/");
        }
        do {
            c = names[rnd(NNAMES)];
        } while (
            (!cross &&
             (!strcmp(c, "to") || !strcmp(c, "back") || !strcmp(c, "od") ||
              !strcmp(c, "mag") || (known_gaps && !strcmp(c, "sa")))) ||
            (nomag && !strcmp(c, "mag")) ||
            (image_gaps && i > 0 && (!strcmp(c, "ch0") || !strcmp(c, "chm"))) ||
            (!ro && !strcmp(c, "sroot")) || (!strcmp(c, "..") && dots >= 2) ||
            (nodots && c[0] == '.'));
        if (!strcmp(c, ".."))
            dots++;
        /* -m: ".." after a link into O is the text's in kbox's walk;
         * -k: so it is after any absolute link in a bind */
        if ((image_gaps && (!strcmp(c, "to") || !strcmp(c, "back"))) ||
            (known_gaps &&
             (!strcmp(c, "sa") || !strcmp(c, "mag") || !strcmp(c, "sroot"))))
            dots = 2;
        addc(p, !strcmp(c, "L255") ? L255 : !strcmp(c, "L256") ? L256 : c, c);
    }
    switch (rnd(12)) {
    case 0:
        addc(p, "/", "/");
        break;
    case 1:
        if (nodots)
            break;
        /* -k: "link-out-of-the-bind/." as a new name is ENOENT, not
         * EEXIST */
        if (!(image_gaps && making))
            addc(p, "/.", "/.");
        break;
    case 2:
        addc(p, "//", "//");
        break;
    case 3:
        /* near PATH_MAX; -k: not into O (kbox's walk of lx's path
         * into a bind is limited to PATH_MAX with the cwd before it) */
        if (rnd(3) == 0 && p->real[0] != '/' && !known_gaps &&
            !(image_gaps && !pad_ok) &&
            !(image_gaps &&
              (strstr(p->shown, "to") || strstr(p->shown, "mag") ||
               strstr(p->shown, "back")))) {
            static const int lens[] = { 4094, 4095, 4096 };
            int want = lens[rnd(3)];
            size_t have = strlen(p->real);
            char *q = p->real;

            if (have + 2 < (size_t)want && want < (int)sizeof(p->real)) {
                size_t pad = (size_t)want - have;

                memmove(q + pad, q, have + 1);
                for (size_t i = 0; i < pad; i += 2)
                    memcpy(q + i, "./", 2);
                if (pad % 2) /* odd: one more slash */
                    q[pad - 1] = '/';
                char s[600];
                snprintf(s, sizeof(s), "pad%d:%.580s", want, p->shown);
                snprintf(p->shown, sizeof(p->shown), "%s", s);
            }
        }
        break;
    default:
        break;
    }
}

/* a symlink target: within T mostly; never "/" itself */
static void gen_target(struct path *p)
{
    static const char *rel[] = { "f0",  "d0",  "../T/d0", "nowhere",
                                 "n0",  "sd/", "d0/f1",   "l0",
                                 "ch0", "..",  ".",       "sd/d1/.." };
    uint32_t k = rnd(10);

    p->real[0] = p->shown[0] = 0;
    if (k < 6) {
        const char *r = rel[rnd(sizeof(rel) / sizeof(rel[0]))];

        /* -m: the whole chain only as a path's first name (see main) */
        if (image_gaps && !strcmp(r, "ch0"))
            r = "chm";
        addc(p, r, r);
    } else if (k < 8) {
        const char *r = rnd(2) ? "/d0" : "/f0";

        /* -m, -k: the program's own absolute links are enough: ".."
         * after one in a bind, or a path through one out of a bind and
         * back, has kbox's text and order of errors */
        if (!image_gaps)
            addc(p, T, "@");
        addc(p, image_gaps ? r + 1 : r, image_gaps ? r + 1 : r);
    } else if (k < 9) {
        addc(p, L255, "L255");
    } else {
        int want = rnd(2) ? 4095 : 4096; /* with the NUL: 4096, 4097 */

        memset(p->real, 'a', (size_t)want);
        p->real[want] = 0;
        snprintf(p->shown, sizeof(p->shown), "a*%d", want);
    }
}

/* a link's target as the trace shows it: T as "@", O as "&" */
static void show_target(char *dst, size_t dsz, const char *t, long n)
{
    size_t lt = strlen(T), lo = strlen(O);

    if (n > 300)
        snprintf(dst, dsz, "<%ld>", n);
    else if (!strncmp(t, T, lt))
        snprintf(dst, dsz, "@%.300s", t + lt);
    else if (!strncmp(t, O, lo))
        snprintf(dst, dsz, "&%.300s", t + lo);
    else if (!strncmp(t, L255, 255))
        snprintf(dst, dsz, "L255%.40s", t + 255);
    else
        snprintf(dst, dsz, "%.300s", t);
}

static void made(int dfd, const char *p)
{
    char n[24];
    struct stat st;

    snprintf(n, sizeof(n), "m%d", ++nmade);
    if (!fstatat(dfd, p, &st, AT_SYMLINK_NOFOLLOW | (*p ? 0 : AT_EMPTY_PATH)))
        remember(st.st_dev, st.st_ino, n);
}

/* whether an open with O_CREAT finds the file there (not a new one) */
static bool existed(int dfd, const char *p)
{
    struct stat st;

    return !fstatat(dfd, p, &st, 0);
}

/* ---- the calls ---- */
static void op_open(void)
{
    static const struct {
        int f;
        const char *n;
    } fl[] = {
        { O_RDONLY, "r" },
        { O_RDONLY | O_NOFOLLOW, "r|nofollow" },
        { O_PATH, "path" },
        { O_PATH | O_NOFOLLOW, "path|nofollow" },
        { O_RDONLY | O_DIRECTORY, "dir" },
        { O_PATH | O_DIRECTORY | O_NOFOLLOW, "path|dir|nofollow" },
        { O_WRONLY | O_CREAT, "w|creat" },
        { O_WRONLY | O_CREAT | O_EXCL, "w|creat|excl" },
        { O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, "w|creat|excl|nofollow" },
        { O_RDWR, "rw" },
        { O_RDWR | O_TMPFILE, "rw|tmpfile" },
        { O_WRONLY | O_TRUNC | O_NOFOLLOW, "w|trunc|nofollow" },
    };
    int i = (int)rnd(sizeof(fl) / sizeof(fl[0]));
    bool wr = (fl[i].f & O_ACCMODE) != O_RDONLY || (fl[i].f & O_CREAT);
    int d = pick_dfd(true);
    struct path p;
    int fd;

    making = (fl[i].f & O_CREAT) != 0;
    gen_path(&p, true, !wr);
    making = nodots = false;
    bool was = existed(dfds[d], p.real);
    errno = 0;
    fd = openat(dfds[d], p.real, fl[i].f, 0644);
    if (fd < 0 && errno == EOPNOTSUPP && image_gaps &&
        (fl[i].f & (O_PATH | O_NOFOLLOW)) == (O_PATH | O_NOFOLLOW)) {
        struct stat st;

        if (!fstatat(dfds[d], p.real, &st, AT_SYMLINK_NOFOLLOW) &&
            S_ISLNK(st.st_mode)) {
            out("", "open %s '%s' %s -> ok %s", dname[d], p.shown, fl[i].n,
                what(&st));
            set_last(-1); /* as a link's fd natively */
            return;
        }
        errno = EOPNOTSUPP;
    }
    if (fd >= 0 && (fl[i].f & (O_CREAT | O_TMPFILE)) &&
        (!was || (fl[i].f & O_TMPFILE) == O_TMPFILE))
        made(fd, "");
    out("", "open %s '%s' %s -> %s %s", dname[d], p.shown, fl[i].n,
        er(fd, errno), fd >= 0 ? fdwhat(fd) : "");
    if (fd >= 0)
        set_last(fd);
}

/* whether the walk leaves the dirfd (RESOLVE_BENEATH says EXDEV) */
static bool leaves(int dfd, const char *p, int flags)
{
    struct open_how h = { .flags = (uint64_t)(flags & O_NOFOLLOW) | O_PATH,
                          .resolve = RESOLVE_BENEATH };
    int fd = (int)syscall(SYS_openat2, dfd, p, &h, sizeof(h));

    if (fd >= 0)
        close(fd);
    return fd < 0 && errno == EXDEV;
}

static void op_openat2(void)
{
    static const int fl[] = { O_RDONLY,
                              O_PATH,
                              O_RDONLY | O_DIRECTORY,
                              O_WRONLY | O_CREAT,
                              O_RDONLY | O_NOFOLLOW,
                              O_PATH | O_NOFOLLOW };
    static const char *fn[] = { "r",       "path",       "dir",
                                "w|creat", "r|nofollow", "path|nofollow" };
    static const char *rn[] = { "B", "R", "S", "M", "X", "C" };
    int i = (int)rnd(6);
    unsigned res = rnd(64), rv = 0;
    int d = pick_dfd(true);
    char rs[16] = "";
    struct path p;
    int fd, e;
    bool was;

    /* NO_XDEV, BENEATH, IN_ROOT, NO_SYMLINKS, NO_MAGICLINKS, CACHED */
    static const unsigned bits[] = { RESOLVE_BENEATH,     RESOLVE_IN_ROOT,
                                     RESOLVE_NO_SYMLINKS, RESOLVE_NO_MAGICLINKS,
                                     RESOLVE_NO_XDEV,     RESOLVE_CACHED };
    for (int b = 0; b < 6; b++)
        if (res & (1u << b)) {
            rv |= bits[b];
            strcat(rs, rn[b]);
        }
    /* -k: a bind path's "." and ".." are looked up before the walk
     * RESOLVE_NO_SYMLINKS refuses (ENOENT, not ELOOP) */
    nodots = known_gaps && (rv & RESOLVE_NO_SYMLINKS);
    gen_path(&p, true, i != 3);
    nodots = false;
    struct open_how h = { .flags = (uint64_t)fl[i],
                          .mode = (fl[i] & O_CREAT) ? 0644 : 0,
                          .resolve = rv };
    if ((rv & RESOLVE_NO_XDEV) && !(rv & (RESOLVE_BENEATH | RESOLVE_IN_ROOT)) &&
        leaves(dfds[d], p.real, fl[i])) {
        /* above the dirfd the mounts are the environment's: not made */
        out("", "openat2 %s '%s' %s %s -> (leaves)", dname[d], p.shown, fn[i],
            rs);
        return;
    }
    was = existed(dfds[d], p.real);
    errno = 0;
    fd = (int)syscall(SYS_openat2, dfds[d], p.real, &h, sizeof(h));
    e = errno;
    if (fd < 0 && e == EAGAIN && (rv & RESOLVE_CACHED)) {
        /* not in the dcache: the kernel's choice, retried without */
        h.resolve &= ~(uint64_t)RESOLVE_CACHED;
        errno = 0;
        fd = (int)syscall(SYS_openat2, dfds[d], p.real, &h, sizeof(h));
        e = errno;
    }
    if (fd < 0 && e == EOPNOTSUPP && image_gaps &&
        (fl[i] & (O_PATH | O_NOFOLLOW)) == (O_PATH | O_NOFOLLOW)) {
        struct stat st;

        if (!fstatat(dfds[d], p.real, &st, AT_SYMLINK_NOFOLLOW) &&
            S_ISLNK(st.st_mode)) {
            out("", "openat2 %s '%s' %s %s -> ok %s", dname[d], p.shown, fn[i],
                rs, what(&st));
            set_last(-1); /* as a link's fd natively */
            return;
        }
    }
    if (fd >= 0 && (fl[i] & O_CREAT) && !was)
        made(fd, "");
    out("", "openat2 %s '%s' %s %s -> %s %s", dname[d], p.shown, fn[i], rs,
        er(fd, e), fd >= 0 ? fdwhat(fd) : "");
    if (fd >= 0)
        set_last(fd);
}

static void op_stat(void)
{
    static const int fl[] = { 0, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH,
                              AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
                              AT_NO_AUTOMOUNT };
    static const char *fn[] = { "0", "nofollow", "empty", "empty|nofollow",
                                "noauto" };
    int i = (int)rnd(5), d = pick_dfd(true);
    bool sx = rnd(2);
    struct path p;
    struct stat st;
    long rc;

    gen_path(&p, true, true);
    errno = 0;
    if (sx) {
        struct statx x;

        rc = statx(dfds[d], p.real, fl[i], STATX_BASIC_STATS, &x);
        if (!rc) {
            memset(&st, 0, sizeof(st));
            st.st_dev = makedev(x.stx_dev_major, x.stx_dev_minor);
            st.st_ino = x.stx_ino;
            st.st_mode = x.stx_mode;
            st.st_nlink = x.stx_nlink;
            st.st_size = (off_t)x.stx_size;
        }
    } else {
        rc = fstatat(dfds[d], p.real, &st, fl[i]);
    }
    out("", "%s %s '%s' %s -> %s %s", sx ? "statx" : "fstatat", dname[d],
        p.shown, fn[i], er(rc, errno), rc ? "" : what(&st));
}

static void op_readlink(void)
{
    int d = pick_dfd(true);
    struct path p;
    char b[8192], s[400];
    long rc;

    gen_path(&p, true, true);
    errno = 0;
    rc = readlinkat(dfds[d], p.real, b, sizeof(b) - 1);
    if (rc >= 0) {
        b[rc] = 0;
        show_target(s, sizeof(s), b, rc);
    }
    out("", "readlink %s '%s' -> %s %s", dname[d], p.shown, er(rc, errno),
        rc >= 0 ? s : "");
}

static void op_symlink(void)
{
    int d = pick_dfd(true);
    struct path p, t;
    long rc;

    gen_target(&t);
    making = true;
    gen_path(&p, true, false);
    making = nodots = false;
    errno = 0;
    rc = symlinkat(t.real, dfds[d], p.real);
    if (!rc)
        made(dfds[d], p.real);
    out("", "symlink '%s' %s '%s' -> %s", t.shown, dname[d], p.shown,
        er(rc, errno));
}

static void op_mkdir(void)
{
    int d = pick_dfd(true);
    struct path p;
    long rc;

    making = true;
    gen_path(&p, true, false);
    making = nodots = false;
    errno = 0;
    rc = mkdirat(dfds[d], p.real, 0755);
    if (!rc)
        made(dfds[d], p.real);
    out("", "mkdir %s '%s' -> %s", dname[d], p.shown, er(rc, errno));
}

/* the names a call must not move or unlink: they lead out of T */
static bool pinned(const struct path *p)
{
    const char *s = strrchr(p->shown, '/');

    s = s ? s + 1 : p->shown;
    return !strcmp(s, "to") || !strcmp(s, "sroot") || !strcmp(s, "mag");
}

/* does @p's last name name the chain of links? */
static bool chain_named(const struct path *p)
{
    const char *s = strrchr(p->shown, '/');

    s = s ? s + 1 : p->shown;
    return !strcmp(s, "ch0") || !strcmp(s, "chm");
}

static void op_unlink(void)
{
    int d = pick_dfd(false), dir = rnd(3) == 0;
    struct path p;
    long rc;

    making = true;
    gen_path(&p, false, false);
    making = nodots = false;
    if (pinned(&p)) {
        out("", "unlink skip");
        return;
    }
    errno = 0;
    rc = unlinkat(dfds[d], p.real, dir ? AT_REMOVEDIR : 0);
    out("", "unlink %s '%s' %s -> %s", dname[d], p.shown,
        dir ? "removedir" : "0", er(rc, errno));
}

static void op_link(void)
{
    static const int fl[] = { 0, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH };
    static const char *fn[] = { "0", "follow", "empty" };
    int i = (int)rnd(3), d1 = pick_dfd(false), d2 = pick_dfd(false);

    /* -k: after a link out of a bind kbox looks the new name's dirfd
     * up before the old name (ENOTDIR before ENOENT) */
    if (known_gaps && d2 == D_FILE)
        d2 = D_T;
    struct path p1, p2;
    long rc;

    pad_ok = false; /* -m: kbox reads both names before the old's walk */
    gen_path(&p1, false, false);
    gen_path(&p2, false, false);
    if (pinned(&p1)) {
        out("", "link skip");
        return;
    }
    if (i == 2 && rnd(2)) {
        /* an fd of p1 under T (an O_TMPFILE's too), by its own name
         * (the last fd may be O's: EXDEV before EPERM) */
        bool tmp = rnd(3) == 0;
        int fd = tmp ? openat(dfds[D_T], ".", O_TMPFILE | O_RDWR, 0644)
                     : openat(dfds[D_T], p1.real, O_PATH);

        if (tmp)
            made(fd, "");
        errno = 0;
        rc = fd < 0 ? -1 : linkat(fd, "", dfds[d2], p2.real, AT_EMPTY_PATH);
        out("", "link fd(%s) %s '%s' empty -> %s", tmp ? "tmpfile" : p1.shown,
            dname[d2], p2.shown, er(rc, errno));
        if (fd >= 0)
            close(fd);
        return;
    }
    errno = 0;
    rc = linkat(dfds[d1], p1.real, dfds[d2], p2.real, fl[i]);
    out("", "link %s '%s' %s '%s' %s -> %s", dname[d1], p1.shown, dname[d2],
        p2.shown, fn[i], er(rc, errno));
}

static void op_rename(void)
{
    static const unsigned fl[] = { 0, RENAME_NOREPLACE, RENAME_EXCHANGE,
                                   RENAME_WHITEOUT, 3 };
    static const char *fn[] = { "0", "noreplace", "exchange", "whiteout",
                                "noreplace|exchange" };
    int i = (int)rnd(5), d1 = pick_dfd(false), d2 = pick_dfd(false);
    struct path p1, p2;
    long rc;

    pad_ok = false; /* -m: kbox reads both names before the old's walk */
    gen_path(&p1, false, false);
    gen_path(&p2, false, false);
    /* -m, -k: the chain of links keeps its names (a path names it only
     * first: see gen_path), not exchanged onto another name */
    if (pinned(&p1) || (i == 2 && pinned(&p2)) ||
        (image_gaps && (chain_named(&p1) || chain_named(&p2)))) {
        out("", "rename skip");
        return;
    }
    if (known_gaps && i == 3) {
        /* -k: a whiteout (a 0/0 device) in a bind cannot be an O_PATH
         * fd there (kbox opens it for reading) */
        out("", "rename whiteout skip");
        return;
    }
    errno = 0;
    rc = renameat2(dfds[d1], p1.real, dfds[d2], p2.real, fl[i]);
    out("", "rename %s '%s' %s '%s' %s -> %s", dname[d1], p1.shown, dname[d2],
        p2.shown, fn[i], er(rc, errno));
    if (!rc && i == 3)
        made(dfds[d1], p1.real); /* the whiteout left in its place */
}

static void op_access(void)
{
    static const int fl[] = { 0, AT_SYMLINK_NOFOLLOW, AT_EACCESS,
                              AT_EMPTY_PATH };
    static const char *fn[] = { "0", "nofollow", "eaccess", "empty" };
    int i = (int)rnd(4), m = (int)rnd(8), d = pick_dfd(true);
    struct path p;
    long rc;

    gen_path(&p, true, !(m & W_OK)); /* guest root owns the image's "/" */
    errno = 0;
    rc = syscall(SYS_faccessat2, dfds[d], p.real, m, fl[i]);
    out("", "access %s '%s' %d %s -> %s", dname[d], p.shown, m, fn[i],
        er(rc, errno));
}

static void op_chown(void)
{
    static const int fl[] = { 0, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH };
    static const char *fn[] = { "0", "nofollow", "empty" };
    int i = (int)rnd(3), d = pick_dfd(true);
    struct path p;
    long rc;

    gen_path(&p, true, false);
    errno = 0;
    rc = fchownat(dfds[d], p.real, (uid_t)-1, (gid_t)-1, fl[i]);
    out("", "chown %s '%s' %s -> %s", dname[d], p.shown, fn[i], er(rc, errno));
}

static void op_utimens(void)
{
    int nof = (int)rnd(2), d = pick_dfd(true);
    long sec = 1000000 + (long)rnd(1000);
    struct timespec ts[2] = { { sec, 0 }, { sec, 0 } };
    struct path p;
    struct stat st;
    long rc;

    gen_path(&p, true, false);
    errno = 0;
    rc = utimensat(dfds[d], p.real, ts, nof ? AT_SYMLINK_NOFOLLOW : 0);
    if (!rc && !fstatat(dfds[d], p.real, &st, nof ? AT_SYMLINK_NOFOLLOW : 0))
        out("", "utimens %s '%s' %s -> ok %s mtime %s", dname[d], p.shown,
            nof ? "nofollow" : "0", what(&st),
            st.st_mtime == sec ? "set" : "other");
    else
        out("", "utimens %s '%s' %s -> %s", dname[d], p.shown,
            nof ? "nofollow" : "0", er(rc, errno));
}

/* the cwd is somewhere the program made; else back to T */
static void check_cwd(void)
{
    struct stat st;
    char cw[4096];

    if (stat(".", &st)) {
        out("", "  cwd: %s", errname(errno));
        cwd_in_o = false;
        return;
    }
    if (strcmp(label(&st), "?") && strcmp(label(&st), "/")) {
        cwd_in_o = getcwd(cw, sizeof(cw)) && !strncmp(cw, OB, strlen(OB));
        out("", "  cwd %s", what(&st));
        return;
    }
    out("", "  cwd out: back to T");
    if (fchdir(dfds[D_T]))
        out("", "  fchdir T: %s", errname(errno));
    cwd_in_o = false;
}

static void op_chdir(void)
{
    long rc;

    errno = 0;
    if (rnd(2)) {
        int d = (int)rnd(ND);

        rc = fchdir(dfds[d]);
        out("", "fchdir %s -> %s", dname[d], er(rc, errno));
    } else {
        struct path p;

        gen_path(&p, true, true);
        rc = chdir(p.real);
        out("", "chdir '%s' -> %s", p.shown, er(rc, errno));
    }
    if (!rc)
        check_cwd();
}

/* the removed directory's name made again: its fd must not see it */
static void op_regone(void)
{
    long rc;

    errno = 0;
    rc = mkdirat(dfds[D_T], "gone", 0755);
    out("", "mkdir T 'gone' -> %s", er(rc, errno));
    if (!rc) {
        made(dfds[D_T], "gone");
        rc = mkdirat(dfds[D_T], "gone/sub", 0755);
        if (!rc)
            made(dfds[D_T], "gone/sub");
    }
}

/* ---- setup ---- */
static int mk(int dfd, const char *p, const char *name)
{
    if (mkdirat(dfd, p, 0755) && errno != EEXIST)
        return -1;
    remember_at(dfd, p, name);
    return 0;
}

static int mkf(int dfd, const char *p, const char *name)
{
    int fd = openat(dfd, p, O_CREAT | O_EXCL | O_WRONLY, 0644);

    if (fd < 0)
        return -1;
    close(fd);
    remember_at(dfd, p, name);
    return 0;
}

static int mkl(const char *target, int dfd, const char *p)
{
    if (symlinkat(target, dfd, p))
        return -1;
    remember_at(dfd, p, p);
    return 0;
}

/* base/c/c/c/c/c/c/LEAF, its path in out */
static int cushion(const char *base, const char *leaf, char *out, size_t osz)
{
    char p[1024];
    struct stat st;

    if (mkdir(base, 0755) && errno != EEXIST)
        return -1;
    if (!realpath(base, p))
        return -1;
    if (leaf[0] == 'O')
        snprintf(OB, sizeof(OB), "%s/", p);
    if (!stat(p, &st))
        remember(st.st_dev, st.st_ino, "base");
    for (int i = 0; i < 6; i++) {
        strcat(p, "/c");
        if (mkdir(p, 0755) || stat(p, &st))
            return -1;
        remember(st.st_dev, st.st_ino, leaf[0] == 'T' ? "c" : "cO");
    }
    snprintf(out, osz, "%s/%s", p, leaf);
    if (mkdir(out, 0755) || stat(out, &st))
        return -1;
    remember(st.st_dev, st.st_ino, leaf);
    return 0;
}

static void dropcaps(void)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];

    memset(d, 0, sizeof(d));
    if (geteuid() == 0 && syscall(SYS_capset, &h, d))
        perror("capset");
}

static int setup(void)
{
    int t = dfds[D_T], o = dfds[D_O], nch = 38 + (int)rnd(5);
    char b[1200], c[16], n[16];
    struct stat st;

    if (!stat("/", &st))
        remember(st.st_dev, st.st_ino, "/");
    if (mkf(t, "f0", "f0") || mk(t, "d0", "d0") || mk(t, "d0/d1", "d1") ||
        mkf(t, "d0/f1", "f1") || mk(t, "e0", "e0") || mkf(t, L255, "L255") ||
        mkl("d0/f1", t, "sr") || mkl("d0", t, "sd") ||
        mkl("nowhere", t, "dang") || mkl("l1", t, "l0") || mkl("l0", t, "l1") ||
        mkl("l2", t, "l2") || mkl("/proc/self/cwd", t, "mag") ||
        mkl("/", t, "sroot") || mkl("../T/f0", t, "sup") || mkf(o, "x", "x") ||
        mk(o, "od", "od") || mkf(o, "od/y", "y"))
        return -1;
    snprintf(b, sizeof(b), "%s/d0", T);
    if (mkl(b, t, "sa"))
        return -1;
    if (mkl(O, t, "to") || mkl(T, o, "back"))
        return -1;
    /* ch0 -> ch1 -> ... -> chN -> f0: nch links to follow */
    for (int i = 0; i < nch; i++) {
        snprintf(c, sizeof(c), "ch%d", i);
        if (i == nch - 1)
            snprintf(n, sizeof(n), "f0");
        else
            snprintf(n, sizeof(n), "ch%d", i + 1);
        if (mkl(n, t, c))
            return -1;
    }
    snprintf(n, sizeof(n), "ch%d", nch / 2);
    if (mkl(n, t, "chm"))
        return -1;
    out("", "tree chain %d", nch);
    /* a random part: a few more of each */
    for (int i = 0, m = (int)rnd(4); i < m; i++) {
        static const char *nn[] = { "n0", "n1", "n2", "nd", "x" };
        const char *name = nn[rnd(5)];
        long rc;

        switch (rnd(3)) {
        case 0:
            rc = mkdirat(t, name, 0755);
            break;
        case 1:
            rc = close(openat(t, name, O_CREAT | O_WRONLY, 0644));
            break;
        default:
            rc = symlinkat(rnd(2)       ? "d0/d1"
                           : image_gaps ? "chm"
                                        : "ch0",
                           t, name);
            break;
        }
        if (!rc)
            remember_at(t, name, name);
        out("", "tree %s -> %s", name, er(rc, errno));
    }
    if (mk(t, "gone", "gone0"))
        return -1;
    dfds[D_GONE] = openat(t, "gone", O_RDONLY | O_DIRECTORY);
    dfds[D_D0P] = openat(t, "d0", O_PATH);
    dfds[D_FILE] = openat(t, "f0", O_RDONLY);
    if (dfds[D_GONE] < 0 || dfds[D_D0P] < 0 || dfds[D_FILE] < 0 ||
        unlinkat(t, "gone", AT_REMOVEDIR))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    int nops;

    if (argc != 5 &&
        (argc != 6 || (strcmp(argv[5], "-k") && strcmp(argv[5], "-m")))) {
        fprintf(stderr, "usage: path-fuzz BASE OTHER SEED NOPS [-k|-m]\n");
        return 2;
    }
    known_gaps = argc == 6 && !strcmp(argv[5], "-k");
    image_gaps = argc == 6;
    setvbuf(stdout, NULL, _IOLBF, 0);
    rng = strtoull(argv[3], NULL, 0) * 0x9E3779B97F4A7C15ull + 7;
    nops = atoi(argv[4]);
    memset(L255, 'N', 255);
    memset(L256, 'N', 256);
    umask(022);
    dropcaps();
    if (cushion(argv[1], "T", T, sizeof(T)) ||
        cushion(argv[2], "O", O, sizeof(O))) {
        perror("cushion (BASE and OTHER must be new)");
        return 2;
    }
    dfds[D_CWD] = AT_FDCWD;
    dfds[D_LAST] = -1;
    dfds[D_T] = open(T, O_RDONLY | O_DIRECTORY);
    dfds[D_O] = open(O, O_RDONLY | O_DIRECTORY);
    if (dfds[D_T] < 0 || dfds[D_O] < 0 || chdir(T) || setup()) {
        perror("setup");
        return 2;
    }
    for (opno = 1; opno <= nops; opno++) {
        uint32_t k = rnd(100);

        if (k < 16)
            op_open();
        else if (k < 30)
            op_openat2();
        else if (k < 44)
            op_stat();
        else if (k < 50)
            op_readlink();
        else if (k < 55)
            op_symlink();
        else if (k < 60)
            op_mkdir();
        else if (k < 66)
            op_unlink();
        else if (k < 71)
            op_link();
        else if (k < 77)
            op_rename();
        else if (k < 83)
            op_access();
        else if (k < 87)
            op_chown();
        else if (k < 91)
            op_utimens();
        else if (k < 97)
            op_chdir();
        else
            op_regone();
    }
    out("", "end");
    printf("path-fuzz: done\n");
    return 0;
}
