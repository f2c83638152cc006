/* SPDX-License-Identifier: MIT */
/*
 * Differential fuzzer for what a program learns about file systems and
 * mounts (df, findmnt, stat -f, systemd, container and backup tools):
 *   mount-fuzz -s            survey: every visible mount in
 *                            /proc/self/mountinfo against stat, statx,
 *                            statfs, fdinfo, /proc/self/mounts, /proc/mounts
 *   mount-fuzz DIR SEED NOPS [h]
 *                            seeded operations on a few objects in DIR
 *                            (create, rename, unlink, statfs, fstatfs,
 *                            statx masks and flags, fdinfo mnt_id,
 *                            name_to_handle_at, open_by_handle_at, ustat,
 *                            sysfs, FS_IOC_[GS]ETFLAGS with the statx
 *                            attributes they give); flag h leaves
 *                            out open_by_handle_at of a symlink's own
 *                            handle (kbox, in a bind: EOPNOTSUPP, as for
 *                            any O_PATH open of a symlink there)
 * The host's mounts differ from the box's, so the trace holds invariants,
 * not values: "the mount id statx gives is the one of the mountinfo line
 * whose mount point covers DIR", "fstatfs equals statfs of DIR", ... Only
 * what breaks one is printed with its values; a correct run prints the
 * same text everywhere. Per file system type facts (f_namelen, magic,
 * statx's attribute mask) are checked against a small table.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fuzz-util.h"

#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x1000U
#endif
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x2000
#endif
#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x200000
#endif
#ifndef AT_HANDLE_FID
#define AT_HANDLE_FID 0x200
#endif
#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif

/* ---- the mount table ------------------------------------------------- */

#define MAXM 256

struct mnt {
    int id, parent;
    unsigned maj, min;
    char root[256], mp[256], opts[256], type[64], src[256], sopts[512];
    int visible;
};

static struct mnt mt[MAXM];
static int nmt;

/* mountinfo's octal escapes (\040 for a space) */
static void unescape(char *s)
{
    char *o = s;

    for (; *s; s++) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
            *o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 3;
        } else {
            *o++ = *s;
        }
    }
    *o = 0;
}

static int load_mountinfo(void)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    char line[2048];

    if (!f)
        return -1;
    nmt = 0;
    while (nmt < MAXM && fgets(line, sizeof(line), f)) {
        struct mnt *m = &mt[nmt];
        char *sep = strstr(line, " - ");

        if (!sep ||
            sscanf(line, "%d %d %u:%u %255s %255s %255s", &m->id, &m->parent,
                   &m->maj, &m->min, m->root, m->mp, m->opts) != 7 ||
            sscanf(sep + 3, "%63s %255s %511s", m->type, m->src, m->sopts) !=
                3) {
            printf("mountinfo: bad line\n");
            continue;
        }
        unescape(m->root);
        unescape(m->mp);
        unescape(m->src);
        nmt++;
    }
    fclose(f);
    /* visible: no later mount at or above its mount point */
    for (int i = 0; i < nmt; i++) {
        mt[i].visible = 1;
        for (int j = i + 1; j < nmt; j++) {
            size_t n = strlen(mt[j].mp);

            if (!strcmp(mt[j].mp, "/") ||
                (!strncmp(mt[i].mp, mt[j].mp, n) &&
                 (mt[i].mp[n] == 0 || mt[i].mp[n] == '/')))
                mt[i].visible = 0;
        }
    }
    return 0;
}

/* The visible mount whose mount point covers the absolute path @p. */
static struct mnt *mount_of(const char *p)
{
    struct mnt *best = NULL;
    size_t bl = 0;

    for (int i = 0; i < nmt; i++) {
        size_t n = strlen(mt[i].mp);

        if (!mt[i].visible)
            continue;
        if (!strcmp(mt[i].mp, "/"))
            n = 0;
        else if (strncmp(p, mt[i].mp, n) || (p[n] != 0 && p[n] != '/'))
            continue;
        if (!best || n >= bl) {
            best = &mt[i];
            bl = n;
        }
    }
    return best;
}

/* statfs f_flags a mount's options imply (fs/statfs.c's flags_by_mnt) */
static unsigned long want_flags(const struct mnt *m)
{
    unsigned long f = 0;

    f |= has_opt(m->opts, "ro") ? ST_RDONLY : 0;
    f |= has_opt(m->opts, "nosuid") ? ST_NOSUID : 0;
    f |= has_opt(m->opts, "nodev") ? ST_NODEV : 0;
    f |= has_opt(m->opts, "noexec") ? ST_NOEXEC : 0;
    f |= has_opt(m->opts, "noatime") ? ST_NOATIME : 0;
    f |= has_opt(m->opts, "nodiratime") ? ST_NODIRATIME : 0;
    f |= has_opt(m->opts, "relatime") ? ST_RELATIME : 0;
    f |= has_opt(m->opts, "nosymfollow") ? ST_NOSYMFOLLOW : 0;
    return f;
}

#define FLAG_MASK                                                \
    (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_NOATIME | \
     ST_NODIRATIME | ST_RELATIME | ST_NOSYMFOLLOW)

static int sx(int dfd, const char *p, int flags, unsigned mask, struct statx *s)
{
    memset(s, 0, sizeof(*s));
    return (int)syscall(SYS_statx, dfd, p, flags, mask, s);
}

/* Per type facts: magic, f_namelen. */
static const struct {
    const char *type;
    long magic, namelen;
} kinds[] = {
    { "ext4", EXT4_SUPER_MAGIC, 255 },
    { "tmpfs", TMPFS_MAGIC, 255 },
    { "proc", PROC_SUPER_MAGIC, 255 },
    { "sysfs", SYSFS_MAGIC, 255 },
    { "devpts", DEVPTS_SUPER_MAGIC, 255 },
    { "devtmpfs", TMPFS_MAGIC, 255 },
    { "mqueue", 0x19800202, 255 },
    { "cgroup2", CGROUP2_SUPER_MAGIC, 255 },
};

static void check_kind(const char *what, const char *type,
                       const struct statfs *sf)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(kinds[i].type, type))
            continue;
        if ((long)sf->f_type != kinds[i].magic)
            printf("%s: %s f_type %#lx, not %#lx\n", what, type,
                   (long)sf->f_type, kinds[i].magic);
        if (sf->f_namelen != kinds[i].namelen)
            printf("%s: %s f_namelen %ld\n", what, type, (long)sf->f_namelen);
    }
    if (sf->f_frsize == 0 || sf->f_bsize == 0 || sf->f_bfree > sf->f_blocks ||
        sf->f_bavail > sf->f_bfree || sf->f_ffree > sf->f_files)
        printf("%s: %s statfs counts bsize %ld frsize %ld blocks %lu/%lu/%lu "
               "files %lu/%lu\n",
               what, type, (long)sf->f_bsize, (long)sf->f_frsize,
               (unsigned long)sf->f_blocks, (unsigned long)sf->f_bfree,
               (unsigned long)sf->f_bavail, (unsigned long)sf->f_files,
               (unsigned long)sf->f_ffree);
}

/* ---- survey ------------------------------------------------------------ */

/* /proc/self/mounts or /proc/mounts: the same mounts, in order */
static void survey_mounts(const char *file)
{
    FILE *f = fopen(file, "re");
    char line[2048];
    int i = 0, bad = 0;

    if (!f) {
        printf("%s: %s\n", file, strerrorname_np(errno));
        return;
    }
    while (fgets(line, sizeof(line), f)) {
        char src[256], mp[256], type[64], opts[512];
        int d1, d2;

        if (sscanf(line, "%255s %255s %63s %511s %d %d", src, mp, type, opts,
                   &d1, &d2) != 6) {
            printf("%s: bad line\n", file);
            continue;
        }
        unescape(src);
        unescape(mp);
        if (i >= nmt) {
            printf("%s: extra line for %s\n", file, mp);
            bad++;
            continue;
        }
        if (strcmp(mp, mt[i].mp) || strcmp(type, mt[i].type) ||
            strcmp(src, mt[i].src)) {
            printf("%s: line %d '%s %s %s' mountinfo '%s %s %s'\n", file, i,
                   src, mp, type, mt[i].src, mt[i].mp, mt[i].type);
            bad++;
        }
        /* the per-mount options come first, then the super block's */
        if (strncmp(opts, mt[i].opts, strlen(mt[i].opts))) {
            printf("%s: %s options '%s' mountinfo '%s'\n", file, mp, opts,
                   mt[i].opts);
            bad++;
        }
        if (d1 || d2)
            printf("%s: %s dump/pass %d %d\n", file, mp, d1, d2);
        i++;
    }
    fclose(f);
    if (i != nmt)
        printf("%s: %d lines, mountinfo %d\n", file, i, nmt);
    printf("%s: %s\n", file, bad || i != nmt ? "differs" : "same");
}

static void survey_one(struct mnt *m)
{
    struct stat st;
    struct statx s;
    struct statfs sf, sf2;
    int fd;

    if (lstat(m->mp, &st) < 0) {
        if (errno != EACCES)
            printf("survey %s: stat %s\n", m->mp, strerrorname_np(errno));
        return;
    }
    if (major(st.st_dev) != m->maj || minor(st.st_dev) != m->min)
        printf("survey %s (%s): st_dev %u:%u, mountinfo %u:%u\n", m->mp,
               m->type, major(st.st_dev), minor(st.st_dev), m->maj, m->min);
    if (sx(AT_FDCWD, m->mp, AT_SYMLINK_NOFOLLOW,
           STATX_BASIC_STATS | STATX_MNT_ID, &s) == 0) {
        if (!(s.stx_mask & STATX_MNT_ID))
            printf("survey %s: no STATX_MNT_ID\n", m->mp);
        else if (s.stx_mnt_id != (uint64_t)m->id)
            printf("survey %s (%s): stx_mnt_id %llu, mountinfo %d\n", m->mp,
                   m->type, (unsigned long long)s.stx_mnt_id, m->id);
        if (s.stx_dev_major != m->maj || s.stx_dev_minor != m->min)
            printf("survey %s (%s): stx_dev %u:%u, mountinfo %u:%u\n", m->mp,
                   m->type, s.stx_dev_major, s.stx_dev_minor, m->maj, m->min);
        if (!(s.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
            (!strcmp(m->root, "/") &&
             !(s.stx_attributes & STATX_ATTR_MOUNT_ROOT)))
            printf("survey %s (%s): no STATX_ATTR_MOUNT_ROOT\n", m->mp,
                   m->type);
    } else {
        printf("survey %s: statx %s\n", m->mp, strerrorname_np(errno));
    }
    if (statfs(m->mp, &sf) < 0) {
        if (errno != EACCES)
            printf("survey %s: statfs %s\n", m->mp, strerrorname_np(errno));
        return;
    }
    if ((sf.f_flags & FLAG_MASK) != want_flags(m))
        printf("survey %s (%s): f_flags %#lx, options %s say %#lx\n", m->mp,
               m->type, (unsigned long)(sf.f_flags & FLAG_MASK), m->opts,
               want_flags(m));
    check_kind("survey", m->type, &sf);
    fd = open(m->mp, O_PATH | O_CLOEXEC);
    if (fd < 0) {
        printf("survey %s: open %s\n", m->mp, strerrorname_np(errno));
        return;
    }
    if (fstatfs(fd, &sf2) < 0 || sf2.f_type != sf.f_type ||
        sf2.f_flags != sf.f_flags || memcmp(&sf2.f_fsid, &sf.f_fsid, 8))
        printf("survey %s: fstatfs differs from statfs\n", m->mp);
    if (fdinfo_mnt(fd) != m->id)
        printf("survey %s (%s): fdinfo mnt_id %ld, mountinfo %d\n", m->mp,
               m->type, fdinfo_mnt(fd), m->id);
    close(fd);
}

static int survey(void)
{
    int root = 0, orphans = 0;

    if (load_mountinfo() < 0) {
        printf("mountinfo: %s\n", strerrorname_np(errno));
        return 1;
    }
    for (int i = 0; i < nmt; i++) {
        int found = 0;

        for (int j = 0; j < nmt; j++) {
            if (j != i && mt[j].id == mt[i].id)
                printf("mountinfo: id %d twice\n", mt[i].id);
            if (mt[j].id == mt[i].parent)
                found = 1;
        }
        if (!strcmp(mt[i].mp, "/") && mt[i].visible)
            root++;
        else if (!found)
            orphans++;
        if (mt[i].mp[0] != '/' || mt[i].root[0] != '/')
            printf("mountinfo: %s root %s\n", mt[i].mp, mt[i].root);
    }
    printf("mountinfo: root %d, parentless others %d\n", root, orphans);
    survey_mounts("/proc/self/mounts");
    survey_mounts("/proc/mounts");
    for (int i = 0; i < nmt; i++)
        if (mt[i].visible)
            survey_one(&mt[i]);
    printf("survey done\n");
    return 0;
}

/* ---- the seeded part --------------------------------------------------- */

static const char *const names[] = { "f", "g", "d", "d/h", "s", "x", "p", "." };
#define NNAMES (sizeof(names) / sizeof(names[0]))

static struct mnt *base;
static struct statfs bsf;
static struct stat bst;
static unsigned long long buniq;
static uint64_t battrmask;
static char bdir[4096];
/* flag "h": no open_by_handle_at of a symlink (see the header) */
static int no_handles;

/* statfs results against DIR's */
static void cmp_statfs(const char *what, const struct statfs *sf)
{
    if (sf->f_type != bsf.f_type)
        printf("  %s: f_type %#lx\n", what, (long)sf->f_type);
    if (sf->f_bsize != bsf.f_bsize || sf->f_frsize != bsf.f_frsize ||
        sf->f_namelen != bsf.f_namelen)
        printf("  %s: bsize %ld frsize %ld namelen %ld\n", what,
               (long)sf->f_bsize, (long)sf->f_frsize, (long)sf->f_namelen);
    if (sf->f_flags != bsf.f_flags)
        printf("  %s: f_flags %#lx, DIR's %#lx\n", what,
               (unsigned long)sf->f_flags, (unsigned long)bsf.f_flags);
    if (memcmp(&sf->f_fsid, &bsf.f_fsid, sizeof(sf->f_fsid)))
        printf("  %s: f_fsid changed\n", what);
}

static void cmp_statx(const char *what, const char *name, int fd, int flags,
                      unsigned mask)
{
    struct statx s;
    struct stat st;
    int rc = fd >= 0 ? sx(fd, "", AT_EMPTY_PATH | flags, mask, &s)
                     : sx(AT_FDCWD, name, flags, mask, &s);

    if (rc < 0) {
        printf("  %s: %s\n", what, strerrorname_np(errno));
        return;
    }
    /* the basic fields when asked for: Linux 6.12 (lx) gives them
     * always, newer hosts only when asked */
    printf("  %s: ok%s%s%s\n", what, s.stx_mask & STATX_MNT_ID ? " mnt_id" : "",
           s.stx_mask & STATX_MNT_ID_UNIQUE ? " mnt_id_unique" : "",
           (s.stx_mask & mask & STATX_BASIC_STATS) == (mask & STATX_BASIC_STATS)
               ? ""
               : " lacks basic");
    if ((s.stx_mask & STATX_MNT_ID) && s.stx_mnt_id != (uint64_t)base->id)
        printf("  %s: stx_mnt_id %llu, DIR's mount %d\n", what,
               (unsigned long long)s.stx_mnt_id, base->id);
    if ((s.stx_mask & STATX_MNT_ID_UNIQUE) && s.stx_mnt_id != buniq)
        printf("  %s: unique mnt id %llu, DIR's %llu\n", what,
               (unsigned long long)s.stx_mnt_id, buniq);
    if (s.stx_dev_major != major(bst.st_dev) ||
        s.stx_dev_minor != minor(bst.st_dev))
        printf("  %s: stx_dev %u:%u, DIR's %u:%u\n", what, s.stx_dev_major,
               s.stx_dev_minor, major(bst.st_dev), minor(bst.st_dev));
    if (s.stx_attributes & STATX_ATTR_MOUNT_ROOT)
        printf("  %s: MOUNT_ROOT\n", what);
    if (s.stx_attributes & ~s.stx_attributes_mask)
        printf("  %s: attributes %#llx beyond the mask %#llx\n", what,
               (unsigned long long)s.stx_attributes,
               (unsigned long long)s.stx_attributes_mask);
    if (s.stx_attributes_mask != battrmask)
        printf("  %s: attributes mask %#llx, DIR's %#llx\n", what,
               (unsigned long long)s.stx_attributes_mask,
               (unsigned long long)battrmask);
    if (s.stx_attributes & (STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND))
        printf("  %s:%s%s\n", what,
               s.stx_attributes & STATX_ATTR_IMMUTABLE ? " immutable" : "",
               s.stx_attributes & STATX_ATTR_APPEND ? " append" : "");
    if (fd < 0 && (flags & AT_SYMLINK_NOFOLLOW) && lstat(name, &st) == 0 &&
        (st.st_ino != s.stx_ino || st.st_dev != bst.st_dev))
        printf("  %s: lstat differs\n", what);
}

static int open_any(const char *n)
{
    int fd = open(n, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0 && (errno == EACCES || errno == EISDIR || errno == ENXIO))
        fd = open(n, O_PATH | O_CLOEXEC);
    return fd;
}

/* FS_IOC_GETFLAGS's immutable and append bits */
static void show_flags(const char *n)
{
    int fd = open(n, O_RDONLY | O_NONBLOCK | O_CLOEXEC), fl = 0;

    if (fd < 0) {
        printf("  getflags: open %s\n", strerrorname_np(errno));
        return;
    }
    if (ioctl(fd, FS_IOC_GETFLAGS, &fl) < 0)
        printf("  getflags: %s\n", strerrorname_np(errno));
    else
        printf("  getflags:%s%s\n", fl & FS_IMMUTABLE_FL ? " i" : "",
               fl & FS_APPEND_FL ? " a" : "");
    close(fd);
}

static long set_flags(const char *n, int set)
{
    int fd = open(n, O_RDONLY | O_NONBLOCK | O_CLOEXEC), fl = 0;
    long rc;

    if (fd < 0)
        return -1;
    rc = ioctl(fd, FS_IOC_GETFLAGS, &fl);
    if (rc == 0) {
        fl = (fl & ~(FS_IMMUTABLE_FL | FS_APPEND_FL)) | set;
        rc = ioctl(fd, FS_IOC_SETFLAGS, &fl);
    }
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

static int unflag(const char *p, const struct stat *st, int type, struct FTW *f)
{
    (void)f;
    if (type == FTW_F || type == FTW_D || type == FTW_DP)
        if (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode))
            set_flags(p, 0);
    return 0;
}

static void handles(const char *n, int flags)
{
    struct {
        struct file_handle h;
        unsigned char b[128];
    } fh;
    int mid = -1, fd;
    struct stat st;

    fh.h.handle_bytes = 128;
    if (name_to_handle_at(AT_FDCWD, n, &fh.h, &mid, flags) < 0) {
        printf("  name_to_handle_at %#x: %s\n", flags, strerrorname_np(errno));
        return;
    }
    printf("  name_to_handle_at %#x: ok%s\n", flags,
           mid == base->id ? "" : " other mount id");
    if (no_handles && !(flags & AT_SYMLINK_FOLLOW) && lstat(n, &st) == 0 &&
        S_ISLNK(st.st_mode))
        fd = -2;
    else
        fd = open_by_handle_at(AT_FDCWD, &fh.h, O_RDONLY | O_CLOEXEC | O_PATH);
    printf("  open_by_handle_at: %s\n",
           fd == -2 ? "(a symlink)" : (fd < 0 ? strerrorname_np(errno) : "ok"));
    if (fd >= 0)
        close(fd);
    fh.h.handle_bytes = 0;
    if (name_to_handle_at(AT_FDCWD, n, &fh.h, &mid, flags) == 0 ||
        errno != EOVERFLOW || fh.h.handle_bytes == 0)
        printf("  name_to_handle_at size probe: %s %u\n",
               strerrorname_np(errno), fh.h.handle_bytes);
}

static void op(void)
{
    const char *n = names[rnd_lcg(NNAMES)], *m = names[rnd_lcg(4)];
    struct statfs sf;
    long rc = 0;
    int fd;
    static const unsigned masks[] = {
        STATX_BASIC_STATS, STATX_MNT_ID, STATX_MNT_ID_UNIQUE,
        STATX_BASIC_STATS | STATX_MNT_ID | STATX_BTIME, 0
    };
    unsigned k = rnd_lcg(20);

    switch (k) {
    case 0:
        rc = (fd = open(n, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
        if (fd >= 0)
            close(fd);
        printf("create %s", n);
        break;
    case 1:
        rc = mkdir(n, 0755);
        printf("mkdir %s", n);
        break;
    case 2:
        rc = unlink(n);
        printf("unlink %s", n);
        break;
    case 3:
        rc = rmdir(n);
        printf("rmdir %s", n);
        break;
    case 4:
        rc = rename(m, n);
        printf("rename %s %s", m, n);
        break;
    case 5:
        rc = symlink(m, n);
        printf("symlink %s %s", m, n);
        break;
    case 6:
        rc = mkfifo(n, 0644);
        printf("mkfifo %s", n);
        break;
    case 7:
    case 8:
        rc = statfs(n, &sf);
        printf("statfs %s = %ld %s\n", n, rc, rc ? strerrorname_np(errno) : "");
        if (rc == 0) {
            cmp_statfs("statfs", &sf);
            check_kind("statfs", base->type, &sf);
        }
        return;
    case 9:
        /* O_PATH following links: kbox cannot give an O_PATH fd of a
         * bind's symlink (EOPNOTSUPP, src/dispatch/fs.c reopen_for_path) */
        fd = rnd_lcg(2) ? open_any(n) : open(n, O_PATH | O_CLOEXEC);
        printf("fstatfs %s = %s\n", n, fd < 0 ? strerrorname_np(errno) : "ok");
        if (fd < 0)
            return;
        if (fstatfs(fd, &sf) < 0)
            printf("  fstatfs %s\n", strerrorname_np(errno));
        else
            cmp_statfs("fstatfs", &sf);
        if (fdinfo_mnt(fd) != base->id)
            printf("  fdinfo mnt_id %ld, DIR's mount %d\n", fdinfo_mnt(fd),
                   base->id);
        if (rnd_lcg(2))
            cmp_statx("statx fd", n, fd, 0, masks[rnd_lcg(5)]);
        close(fd);
        return;
    case 10:
    case 11:
    case 12: {
        static const int fl[] = { 0, AT_SYMLINK_NOFOLLOW, AT_STATX_DONT_SYNC,
                                  AT_STATX_FORCE_SYNC | AT_SYMLINK_NOFOLLOW };
        int f = fl[rnd_lcg(4)];
        unsigned mk = masks[rnd_lcg(5)];

        printf("statx %s %#x %#x\n", n, f, mk);
        cmp_statx("statx", n, -1, f, mk);
        return;
    }
    case 13: {
        int f = rnd_lcg(3) == 0 ? AT_SYMLINK_FOLLOW : 0;

        printf("handle %s\n", n);
        handles(n, f);
        return;
    }
    case 14: {
        struct stat st;

        if (lstat(n, &st) < 0) {
            printf("ustat %s: %s\n", n, strerrorname_np(errno));
            return;
        }
#ifdef SYS_ustat
        char ub[64];

        rc = syscall(SYS_ustat, (unsigned)st.st_dev, ub);
        /* on a file system without a block device Linux says EINVAL */
        printf("ustat %s = %s\n", n, rc ? strerrorname_np(errno) : "ok");
#else
        printf("ustat %s = ENOSYS\n", n);
#endif
        return;
    }
    case 15: {
        char nm[64];
        long idx = syscall(SYS_sysfs, 1, base->type);

        if (idx < 0) {
            printf("sysfs %s: %s\n", base->type, strerrorname_np(errno));
            return;
        }
        rc = syscall(SYS_sysfs, 2, idx, nm);
        printf("sysfs: %s\n", rc == 0 && !strcmp(nm, base->type)
                                  ? "index round trip"
                                  : "index does not name it");
        rc = syscall(SYS_sysfs, 3);
        if (rc <= idx)
            printf("sysfs: %ld types, index %ld\n", rc, idx);
        rc = syscall(SYS_sysfs, 1, "no-such-fs");
        printf("sysfs unknown: %s\n", rc < 0 ? strerrorname_np(errno) : "ok");
        return;
    }
    case 16:
    case 17: {
        static const int sets[] = { 0, FS_IMMUTABLE_FL, FS_APPEND_FL, 0 };
        int s = sets[rnd_lcg(4)];

        rc = set_flags(n, s);
        printf("setflags %s %#x = %ld %s\n", n, s, rc,
               rc ? strerrorname_np(errno) : "");
        show_flags(n);
        cmp_statx("statx", n, -1, 0, STATX_BASIC_STATS);
        return;
    }
    case 18: {
        struct statvfs v;

        rc = statvfs(n, &v);
        printf("statvfs %s = %ld %s\n", n, rc,
               rc ? strerrorname_np(errno) : "");
        if (rc == 0 && ((v.f_flag & FLAG_MASK) != (bsf.f_flags & FLAG_MASK) ||
                        v.f_namemax != (unsigned long)bsf.f_namelen))
            printf("  statvfs f_flag %#lx namemax %lu\n", v.f_flag,
                   v.f_namemax);
        return;
    }
    default:
        fd = open_any(n);
        if (fd >= 0) {
            int s = (int)syscall(SYS_statx, fd, "", AT_EMPTY_PATH, 0, NULL);
            printf("statx NULL buf %s = %s\n", n,
                   s < 0 ? strerrorname_np(errno) : "ok");
            close(fd);
        } else {
            printf("statx NULL buf %s: %s\n", n, strerrorname_np(errno));
        }
        return;
    }
    printf(" = %ld %s\n", rc < 0 ? -1L : 0L,
           rc < 0 ? strerrorname_np(errno) : "");
}

int main(int argc, char **argv)
{
    struct statx s;
    long nops;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 2 && !strcmp(argv[1], "-s"))
        return survey();
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: mount-fuzz -s | DIR SEED NOPS [FLAGS]\n");
        return 2;
    }
    no_handles = argc == 5 && strchr(argv[4], 'h');
    rng = strtoull(argv[2], NULL, 0) * 2654435761ULL + 1;
    nops = strtol(argv[3], NULL, 0);
    if (chdir(argv[1]) < 0 || !getcwd(bdir, sizeof(bdir))) {
        perror(argv[1]);
        return 2;
    }
    if (load_mountinfo() < 0 || !(base = mount_of(bdir))) {
        printf("no mount for DIR\n");
        return 1;
    }
    if (stat(".", &bst) < 0 || statfs(".", &bsf) < 0) {
        perror("stat");
        return 1;
    }
    if (major(bst.st_dev) != base->maj || minor(bst.st_dev) != base->min)
        printf("DIR st_dev %u:%u, its mountinfo line (%s) %u:%u\n",
               major(bst.st_dev), minor(bst.st_dev), base->mp, base->maj,
               base->min);
    if ((bsf.f_flags & FLAG_MASK) != want_flags(base))
        printf("DIR f_flags %#lx, its mount's options %s say %#lx\n",
               (unsigned long)(bsf.f_flags & FLAG_MASK), base->opts,
               want_flags(base));
    check_kind("DIR", base->type, &bsf);
    if (sx(AT_FDCWD, ".", 0, STATX_MNT_ID_UNIQUE, &s) == 0 &&
        (s.stx_mask & STATX_MNT_ID_UNIQUE))
        buniq = s.stx_mnt_id;
    if (sx(AT_FDCWD, ".", 0, STATX_BASIC_STATS | STATX_MNT_ID, &s) < 0) {
        perror("statx");
        return 1;
    }
    battrmask = s.stx_attributes_mask;
    if ((battrmask & (STATX_ATTR_MOUNT_ROOT | STATX_ATTR_DAX)) !=
        (STATX_ATTR_MOUNT_ROOT | STATX_ATTR_DAX))
        printf("DIR attributes mask %#llx lacks the VFS's bits\n",
               (unsigned long long)battrmask);
    if (s.stx_mnt_id != (uint64_t)base->id)
        printf("DIR stx_mnt_id %llu, its mountinfo line (%s) %d\n",
               (unsigned long long)s.stx_mnt_id, base->mp, base->id);
    if (buniq && buniq <= 0x80000000ULL)
        printf("DIR unique mount id %llu is small\n", buniq);
    if ((s.stx_attributes & STATX_ATTR_MOUNT_ROOT) !=
        (!strcmp(bdir, base->mp) ? STATX_ATTR_MOUNT_ROOT : 0))
        printf("DIR MOUNT_ROOT %d\n",
               !!(s.stx_attributes & STATX_ATTR_MOUNT_ROOT));
    if (mkdir("d", 0755) || close(open("f", O_CREAT | O_WRONLY, 0644)) ||
        symlink("f", "s")) {
        perror("setup");
        return 1;
    }
    for (long i = 0; i < nops; i++)
        op();
    /* nothing immutable or append-only left for the caller's rm -rf,
     * renamed into a directory included */
    nftw(".", unflag, 16, FTW_PHYS);
    printf("done\n");
    return 0;
}
