/* SPDX-License-Identifier: MIT */
/* Image lifecycle. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/cli.h"
#include "kbox/exec.h"
#include "kbox/image.h"
#include "kbox/mntview.h"
#include "kbox/path.h"

#define ROOT_MNT "/kbox-root"

static void say(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "kbox: ");
    fprintf(stderr, fmt, a, b);
    fputc('\n', stderr);
}

/*
 * A read-write open refused with EPERM: chattr +i or +a on the image (a
 * backup tool's, or the user's own guard) - "Operation not permitted"
 * alone did not say why, nor that -m ro reads it. True when said.
 */
static bool image_attr_says(const char *image)
{
    int fd = open(image, O_RDONLY | O_CLOEXEC | O_NONBLOCK), flags = 0;
    bool said = false;
    int e = errno;

    if (fd < 0) {
        errno = e;
        return false;
    }
    if (!ioctl(fd, FS_IOC_GETFLAGS, &flags) &&
        (flags & (FS_IMMUTABLE_FL | FS_APPEND_FL))) {
        say("cannot open image '%s' read-write: it is %s; -m ro reads it",
            image,
            flags & FS_IMMUTABLE_FL ? "immutable (chattr +i)"
                                    : "append-only (chattr +a)");
        said = true;
    }
    close(fd);
    errno = e; /* the open's, for the caller's message */
    return said;
}

int kbox_image_open(const struct kbox_opts *o)
{
    struct stat st;
    /* O_NONBLOCK: a FIFO given as the image must not wait for a writer
     * (SIGINT is blocked this early); it is refused below, and the flag
     * is dropped again for a file or device. */
    int fd = open(o->image,
                  (o->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NONBLOCK);
    unsigned char sb[2];

    if (fd < 0 && !o->readonly && (errno == EACCES || errno == EROFS)) {
        int e = errno;

        /* -m ro helps only if the image can be read at all */
        if (access(o->image, R_OK))
            say("cannot open image '%s': %s", o->image, strerror(e));
        else
            say("cannot open image '%s' read-write: %s (use -m ro)", o->image,
                strerror(e));
        return -1;
    }
    if (fd < 0 && !o->readonly && errno == EPERM && image_attr_says(o->image))
        return -1;
    if (fd < 0) {
        say("cannot open image '%s': %s", o->image, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) || (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))) {
        say("image '%s' is not a regular file or block device%s", o->image, "");
        close(fd);
        return -1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    /*
     * One kernel at a time may have a file system mounted read-write: two
     * kbox runs on one image corrupted it (each lx caches and writes its
     * own bitmaps). Read-only runs share the image with one another.
     */
    if (flock(fd, (o->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB)) {
        int e = errno;

        /* Which kind of run holds it decides what helps: "-m ro shares"
         * sent a user whose image a writer held into the same refusal. */
        if (e == EWOULDBLOCK && !o->readonly && !flock(fd, LOCK_SH | LOCK_NB))
            say("image '%s' is in use by a read-only kbox (a read-write run "
                "needs it to itself; -m ro shares it)%s",
                o->image, "");
        else if (e == EWOULDBLOCK)
            say("image '%s' is in use by a read-write kbox (it has the "
                "image to itself until it exits)%s",
                o->image, "");
        else
            say("cannot lock image '%s': %s", o->image, strerror(e));
        close(fd);
        return -1;
    }
    /*
     * A hard file size limit below the image's size: writes past it
     * fail (kbox ignores SIGXFSZ and raises its soft limit), so the
     * guest's writes were lost and the image needed an e2fsck.
     */
    if (!o->readonly && S_ISREG(st.st_mode)) {
        struct rlimit fl;

        if (getrlimit(RLIMIT_FSIZE, &fl) == 0 && fl.rlim_max != RLIM_INFINITY &&
            (unsigned long long)st.st_size > (unsigned long long)fl.rlim_max) {
            say("image '%s' is larger than the file size limit (ulimit -f); "
                "-m ro reads it%s",
                o->image, "");
            close(fd);
            return -1;
        }
    }
    /* A partition's filesystem is checked by the kernel when mounted. */
    if (!o->partition && !strncmp(o->fs_type, "ext", 3)) {
        /* ext2/3/4 superblock magic 0xEF53 at 1024 + 56. */
        if (pread(fd, sb, 2, 1024 + 56) != 2 || sb[0] != 0x53 ||
            sb[1] != 0xEF) {
            say("'%s' is not an %s filesystem image", o->image, o->fs_type);
            close(fd);
            return -1;
        }
    }
    return fd;
}

static long tsys(struct lx_task *t, long nr, long a0, long a1, long a2);
static long tsys6(struct lx_task *t, long nr, long a0, long a1, long a2,
                  long a3, long a4);

/*
 * Whether the image's @path may take a profile mount: not when it, or a
 * directory on the way, is a symlink. mount(2) follows the link, so an
 * image whose /dev is a link to /etc (or whose /tmp is one to /var/tmp)
 * had devtmpfs (or a tmpfs) cover that real directory elsewhere, hiding
 * its files from the guest; container runtimes refuse or replace such a
 * link, and kbox does not change the image. A place the image lacks is
 * left to the mount, which fails (a warning with --verbose).
 */
static bool profile_place_ok(const char *path, const char *type)
{
    struct lx_task *root = lx_task_root();
    char where[KBOX_PATH_MAX];
    struct lx_statx stx;
    long fd, n;

    fd = tsys(root, LX__NR_openat, AT_FDCWD, (long)path,
              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd == -ENOENT)
        return true;
    n = fd < 0 ? fd : lx_task_fd_path(root, (int)fd, where, sizeof(where));
    if (fd >= 0)
        tsys(root, LX__NR_close, fd, 0, 0);
    if (n >= 0 && !strcmp(where, path))
        return true;
    if (n >= 0)
        fprintf(stderr,
                "kbox: warning: no %s on %s: it is under a symlink in the "
                "image (the mount would cover %s)\n",
                type, path, where);
    else if (tsys6(root, LX__NR_statx, AT_FDCWD, (long)path,
                   AT_SYMLINK_NOFOLLOW, STATX_TYPE, (long)&stx) == 0 &&
             S_ISLNK(stx.stx_mode))
        fprintf(stderr,
                "kbox: warning: no %s on %s: it is a symlink in the image "
                "(the mount would cover its target)\n",
                type, path);
    else
        fprintf(stderr, "kbox: warning: no %s on %s: not a directory\n", type,
                path);
    return false;
}

static bool profile_mount(const char *src, const char *tgt, const char *type,
                          unsigned long flags, const char *data, int verbose)
{
    int rc;

    if (!profile_place_ok(tgt, type))
        return false;
    rc = lx_mount(src, tgt, type, flags, data);
    if (rc < 0 && verbose)
        fprintf(stderr, "kbox: warning: mount %s on %s: %s\n", type, tgt,
                lx_strerror(rc));
    return rc == 0;
}

/*
 * The links udev (or systemd, or a container runtime) puts in /dev:
 * shells' process substitution opens /dev/fd/N, scripts read /dev/stdin.
 * The supervisor follows them onto the guest's own fds (fs.c).
 */
static void dev_links(int verbose)
{
    static const char *const links[][2] = {
        { "/proc/self/fd", "/dev/fd" },
        { "/proc/self/fd/0", "/dev/stdin" },
        { "/proc/self/fd/1", "/dev/stdout" },
        { "/proc/self/fd/2", "/dev/stderr" },
        { "/proc/kcore", "/dev/core" },
    };

    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        long rc = lx_syscall6(LX__NR_symlinkat, (long)links[i][0], AT_FDCWD,
                              (long)links[i][1], 0, 0, 0);

        if (rc < 0 && rc != -EEXIST && verbose)
            fprintf(stderr, "kbox: warning: symlink %s: %s\n", links[i][1],
                    lx_strerror(rc));
    }
}

/*
 * /run/lock in the fresh /run, mode 1777, as a Debian boot makes it
 * (systemd-tmpfiles, initscripts' mountkernfs): /var/lock is a symlink to
 * it in Debian (base-files) and Alpine images, and dangled.
 */
static void run_lock(int verbose)
{
    long rc = lx_syscall6(LX__NR_mkdirat, AT_FDCWD, (long)"/run/lock", 01777, 0,
                          0, 0);

    /* the umask may have taken bits: set the mode */
    if (rc == 0)
        rc = lx_syscall6(LX__NR_fchmodat, AT_FDCWD, (long)"/run/lock", 01777, 0,
                         0, 0);
    if (rc < 0 && verbose)
        fprintf(stderr, "kbox: warning: mkdir /run/lock: %s\n",
                lx_strerror(rc));
}

static long tsys(struct lx_task *t, long nr, long a0, long a1, long a2)
{
    long args[6] = { a0, a1, a2, 0, 0, 0 };

    return lx_task_syscall(t, nr, args);
}

static const struct kbox_opts *setup_opts; /* kbox_image_setup's */

/*
 * @path (absolute) read from the bind it reaches: lx's walk met the
 * bind's trap (EXDEV). A host passwd bound over /etc/passwd is what the
 * guest reads, so --change-id and the groups take it too.
 */
static char *slurp_bind(const char *path)
{
    const struct kbox_opts *o = setup_opts;
    struct kbox_route_result res;
    char host[KBOX_PATH_MAX];
    size_t cap = 65536, len = 0;
    char *buf;
    int fd;

    if (!o)
        return NULL;
    res = kbox_path_route(path, o->binds, o->nbinds, false);
    if (res.route != KBOX_ROUTE_BIND ||
        snprintf(host, sizeof(host), "%s%s%s",
                 o->binds[res.bind_index].host_src, *res.rest ? "/" : "",
                 res.rest) >= (int)sizeof(host))
        return NULL;
    fd = open(host, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    buf = malloc(cap + 1);
    while (buf && len < cap) {
        ssize_t n = read(fd, buf + len, cap - len);

        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    if (buf)
        buf[len] = '\0';
    return buf;
}

char *kbox_image_slurp(struct lx_task *t, const char *path)
{
    long a[6] = { AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0, 0, 0 };
    long fd = lx_task_syscall(t, LX__NR_openat, a), n;
    size_t cap = 65536, len = 0;
    char *buf;

    if (fd == -EXDEV)
        return slurp_bind(path);
    if (fd < 0)
        return NULL;
    buf = malloc(cap + 1);
    while (buf && len < cap) {
        long r[6] = { fd, (long)(buf + len), (long)(cap - len), 0, 0, 0 };

        n = lx_task_syscall(t, LX__NR_read, r);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    {
        long c[6] = { fd, 0, 0, 0, 0, 0 };
        lx_task_syscall(t, LX__NR_close, c);
    }
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* The fields of a colon-separated line, in place; how many (at most @n). */
static int split_colons(char *line, char **f, int n)
{
    int i = 0;

    while (i < n && line) {
        f[i++] = line;
        line = strchr(line, ':');
        if (line)
            *line++ = '\0';
    }
    return i;
}

/*
 * The supplementary groups of @uid's user in the image, as initgroups(3)
 * (login, su, chroot --userspec) gives them: @gid and every group of
 * /etc/group listing the name @uid has in /etc/passwd. How many in @out.
 */
static int image_groups(struct lx_task *t, unsigned uid, unsigned gid,
                        unsigned *out, int max)
{
    char *pw = kbox_image_slurp(t, "/etc/passwd"), *gr, *line, *save = NULL;
    char name[256] = "";
    int n = 0;

    for (line = pw ? strtok_r(pw, "\n", &save) : NULL; line && !name[0];
         line = strtok_r(NULL, "\n", &save)) {
        char *f[4];

        if (split_colons(line, f, 4) == 4 &&
            (unsigned)strtoul(f[2], NULL, 10) == uid)
            snprintf(name, sizeof(name), "%s", f[0]);
    }
    free(pw);
    out[n++] = gid;
    gr = name[0] ? kbox_image_slurp(t, "/etc/group") : NULL;
    save = NULL;
    for (line = gr ? strtok_r(gr, "\n", &save) : NULL; line && n < max;
         line = strtok_r(NULL, "\n", &save)) {
        char *f[4], *m, *msave = NULL;
        unsigned g;

        if (split_colons(line, f, 4) != 4)
            continue;
        g = (unsigned)strtoul(f[2], NULL, 10);
        for (m = strtok_r(f[3], ",", &msave); m;
             m = strtok_r(NULL, ",", &msave))
            if (!strcmp(m, name) && g != gid) {
                out[n++] = g;
                break;
            }
    }
    free(gr);
    return n;
}

/*
 * The field @want (0-based) of the line of the colon file @text whose
 * field @key is @val (a name, or a number when @num): into @out.
 */
static bool colon_lookup(const char *text, int key, const char *val, bool num,
                         int want, unsigned *out)
{
    char *copy = text ? strdup(text) : NULL, *line, *save = NULL;
    bool found = false;

    for (line = copy ? strtok_r(copy, "\n", &save) : NULL; line && !found;
         line = strtok_r(NULL, "\n", &save)) {
        char *f[4];

        if (split_colons(line, f, 4) < 3 || want >= 4 || !f[want])
            continue;
        if (num ? (f[key][0] &&
                   strtoul(f[key], NULL, 10) == strtoul(val, NULL, 10))
                : !strcmp(f[key], val)) {
            *out = (unsigned)strtoul(f[want], NULL, 10);
            found = true;
        }
    }
    free(copy);
    return found;
}

/*
 * --change-id names are the image's, as `su NAME` or `chroot --userspec`
 * inside it would see them, not the host's: read through lx once the
 * image is mounted, before anything runs. A user alone gets its primary
 * group, as su gives it.
 */
int kbox_image_resolve_ids(struct kbox_opts *o)
{
    struct lx_task *t;
    char *pw = NULL, *gr = NULL, num[16];
    unsigned v;
    int rc = -1;

    if (!o->change_id || o->root_id ||
        (!o->change_user[0] && o->change_gid_set && !o->change_group[0]))
        return 0;
    t = lx_task_fork(NULL, 0);
    if (!t) {
        say("cannot create a kernel task%s%s", "", "");
        return -1;
    }
    pw = kbox_image_slurp(t, "/etc/passwd");
    if (o->change_group[0])
        gr = kbox_image_slurp(t, "/etc/group");
    if (o->change_user[0]) {
        if (!colon_lookup(pw, 0, o->change_user, false, 2, &v)) {
            say("--change-id: no user '%s' in the image's /etc/passwd%s",
                o->change_user, "");
            goto out;
        }
        o->uid = v;
    }
    if (!o->change_gid_set) {
        snprintf(num, sizeof(num), "%u", (unsigned)o->uid);
        if (!colon_lookup(pw, 2, num, true, 3, &v)) {
            say("--change-id: uid %s has no entry in the image's /etc/passwd "
                "to take its group from (give USER:GROUP)%s",
                num, "");
            goto out;
        }
        o->gid = v;
    } else if (o->change_group[0]) {
        if (!colon_lookup(gr, 0, o->change_group, false, 2, &v)) {
            say("--change-id: no group '%s' in the image's /etc/group%s",
                o->change_group, "");
            goto out;
        }
        o->gid = v;
    }
    rc = 0;
out:
    free(pw);
    free(gr);
    lx_task_exit(t);
    return rc;
}

static long tsys6(struct lx_task *t, long nr, long a0, long a1, long a2,
                  long a3, long a4)
{
    long args[6] = { a0, a1, a2, a3, a4, 0 };

    return lx_task_syscall(t, nr, args);
}

/*
 * Directories kbox made for bind places the image lacked, parents first,
 * each with whether a kbox-bind trap covers it: removed at halt. The
 * mark survives a kbox that was killed, so the next run takes such a
 * leftover for its own and removes it then. A made directory whose
 * parent kbox did not make keeps that parent's times, to put back.
 * Each, and each trap's place, keeps an O_PATH fd in lx's root task:
 * a guest's rename of a directory above moves them (and the trap), and
 * halt finds them by the fd, not by a path that now names nothing or
 * the guest's own. Guest tasks close every fd they inherit from it.
 */
#define GLUE_MARK "trusted.kbox.mountpoint"
static struct glue {
    char *path;
    long fd; /* O_PATH, in the root task; -1: none */
    bool top;
    bool file; /* a file bind's empty stand-in, not a directory */
    struct timespec parent_times[2];
} * glue;
static int nglue, glue_cap;
static struct trap {
    char *path;
    long fd; /* its place (below the mount), O_PATH in the root task */
} traps[KBOX_MAX_BINDS]; /* the kbox-bind mounts, in mount order */
static int ntraps;

/* Room for glue[nglue]: a place may lack any number of directories (a
 * fixed 64 left a deeper place, or 32 binds' places, text-only). */
static bool glue_room(void)
{
    int cap = glue_cap ? glue_cap * 2 : 16;
    struct glue *g;

    if (nglue < glue_cap)
        return true;
    g = realloc(glue, (size_t)cap * sizeof(*g));
    if (!g)
        return false;
    glue = g;
    glue_cap = cap;
    return true;
}

/* Record glue[nglue] at @path (its other fields set) with its fd. */
static void glue_keep(struct lx_task *root, const char *path)
{
    glue[nglue].path = strdup(path);
    if (!glue[nglue].path)
        return;
    glue[nglue].fd = tsys6(root, LX__NR_openat, AT_FDCWD, (long)path,
                           O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, 0);
    nglue++;
}

/*
 * Where root task fd @fd's file is now (in @buf), @recorded without an
 * fd, NULL once it is unlinked or out of the root's reach. @same: only
 * if that path reaches the very file (inode and mount): a guest's mount
 * over a directory above (never unmounted) made it name the guest's own
 * file there, which halt removed, and a name's " (deleted)" suffix could
 * be a guest's file too.
 */
static const char *now_at(struct lx_task *root, long fd, const char *recorded,
                          char *buf, size_t len, bool same)
{
    const unsigned mask = STATX_NLINK | STATX_INO | STATX_MNT_ID;
    struct statx sx, px;

    if (fd < 0)
        return recorded;
    if (lx_task_fd_path(root, (int)fd, buf, len) < 0 || buf[0] != '/' ||
        tsys6(root, LX__NR_statx, fd, (long)"", AT_EMPTY_PATH, mask,
              (long)&sx) < 0 ||
        !sx.stx_nlink)
        return NULL;
    if (same && (tsys6(root, LX__NR_statx, AT_FDCWD, (long)buf,
                       AT_SYMLINK_NOFOLLOW, mask, (long)&px) < 0 ||
                 px.stx_ino != sx.stx_ino || px.stx_mnt_id != sx.stx_mnt_id ||
                 px.stx_dev_major != sx.stx_dev_major ||
                 px.stx_dev_minor != sx.stx_dev_minor))
        return NULL;
    return buf;
}

static bool glue_marked(struct lx_task *root, const char *path)
{
    char v[4];

    return tsys6(root, LX__NR_lgetxattr, (long)path, (long)GLUE_MARK, (long)v,
                 sizeof(v), 0) >= 0;
}

/*
 * Make the directories bind place @norm lacks in the image, as mount
 * points are made for a container's binds (systemd-nspawn, bwrap), so
 * `ls`, find and getcwd's walks see the bind. Until the sixteenth session
 * such a bind was reached by its text only: `-b $PWD:/work` was missing
 * from `ls /` and /proc/mounts, find never entered it, and the directories
 * above a deeper one (/opt/a of /opt/a/b) did not exist. Only real
 * directories are walked (no symlink on the way); a read-only image keeps
 * the text-only routing. True when @norm is a directory now.
 */
static bool glue_make(struct lx_task *root, const char *norm, int verbose)
{
    char cur[KBOX_PATH_MAX];
    const char *p = norm;
    size_t len = 0;
    bool made_parent = false;

    for (;;) {
        struct statx sx;
        const char *end;
        long rc;

        while (*p == '/')
            p++;
        if (!*p)
            return true;
        end = strchrnul(p, '/');
        if (len + 1 + (size_t)(end - p) >= sizeof(cur))
            return false;
        cur[len++] = '/';
        memcpy(cur + len, p, (size_t)(end - p));
        len += (size_t)(end - p);
        cur[len] = '\0';
        p = end;
        rc = tsys6(root, LX__NR_statx, AT_FDCWD, (long)cur, AT_SYMLINK_NOFOLLOW,
                   STATX_BASIC_STATS, (long)&sx);
        if (rc == 0) {
            long fd =
                tsys6(root, LX__NR_openat, AT_FDCWD, (long)cur,
                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0, 0);

            if (fd < 0)
                return false; /* a symlink or no directory */
            tsys6(root, LX__NR_close, fd, 0, 0, 0, 0);
            if (glue_room() && glue_marked(root, cur)) {
                glue[nglue].top = false;
                glue[nglue].file = false;
                glue_keep(root, cur); /* a killed run's */
                made_parent = true;
            }
            continue;
        }
        if (rc != -ENOENT || !glue_room())
            return false;
        glue[nglue].top = false;
        glue[nglue].file = false;
        if (!made_parent) {
            char parent[KBOX_PATH_MAX];
            char *slash;

            memcpy(parent, cur, len + 1);
            slash = strrchr(parent, '/');
            if (slash == parent)
                slash[1] = '\0';
            else
                *slash = '\0';
            /* its times, to put back once the directory is gone */
            if (tsys6(root, LX__NR_statx, AT_FDCWD, (long)parent,
                      AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, (long)&sx) == 0) {
                glue[nglue].parent_times[0].tv_sec = sx.stx_atime.tv_sec;
                glue[nglue].parent_times[0].tv_nsec = sx.stx_atime.tv_nsec;
                glue[nglue].parent_times[1].tv_sec = sx.stx_mtime.tv_sec;
                glue[nglue].parent_times[1].tv_nsec = sx.stx_mtime.tv_nsec;
                glue[nglue].top = true;
            }
        }
        rc = tsys6(root, LX__NR_mkdirat, AT_FDCWD, (long)cur, 0755, 0, 0);
        if (rc < 0) {
            if (verbose)
                fprintf(stderr, "kbox: bind place %s stays text-only: %s\n",
                        norm, lx_strerror(rc));
            return false;
        }
        tsys6(root, LX__NR_lsetxattr, (long)cur, (long)GLUE_MARK, (long)"1", 1,
              0);
        made_parent = true;
        glue_keep(root, cur);
    }
}

/*
 * A directory bound over a file or a file over a directory, as mount(2)
 * refuses it (ENOTDIR): `-b ~/notes.txt:/etc` left a guest without /etc.
 * A place under another bind is that bind's, not the image's: unchecked.
 */
static int bind_kinds_match(const struct kbox_opts *o)
{
    struct lx_task *root = lx_task_root();

    for (int i = 0; i < o->nbinds; i++) {
        const char *dst = o->binds[i].guest_dst;
        struct lx_statx stx;
        bool under = false;
        long rc;

        for (int j = 0; j < o->nbinds; j++) {
            size_t n = strlen(o->binds[j].guest_dst);

            if (j != i && !strncmp(dst, o->binds[j].guest_dst, n) &&
                (dst[n] == '/' || !strcmp(o->binds[j].guest_dst, "/")))
                under = true;
        }
        if (under)
            continue;
        rc = tsys6(root, LX__NR_statx, AT_FDCWD, (long)dst, 0, STATX_TYPE,
                   (long)&stx);
        /* mount(2) there is ENOTDIR: `-b dir:/etc/passwd/x` was taken,
         * a directory below a file */
        if (rc == -ENOTDIR) {
            fprintf(stderr,
                    "kbox: bind '%s:%s': a part of the guest path is a file "
                    "in the image\n",
                    o->binds[i].host_src, dst);
            return -1;
        }
        if (rc < 0)
            continue;
        if (S_ISDIR(stx.stx_mode) == !o->binds[i].file)
            continue;
        fprintf(stderr, "kbox: bind '%s:%s': %s\n", o->binds[i].host_src, dst,
                o->binds[i].file ? "a file cannot cover the image's directory"
                                 : "a directory cannot cover the image's "
                                   "file");
        return -1;
    }
    return 0;
}

/*
 * The host mount's read-only, noexec, nosuid and atime flags, for the
 * trap the guest's mountinfo shows: statfs in the bind is the host's,
 * which the guest compares with them. nodev is the trap's own; so is
 * nosuid under a rootless kbox, whose binds' set-ID programs give no
 * rights (src/exec/hostcred.c).
 */
static unsigned long host_mount_flags(const struct kbox_bind *b)
{
    struct statfs sf;
    unsigned long f = geteuid() == 0 ? 0 : MS_NOSUID;

    if (statfs(b->host_src, &sf))
        return f | MS_NOSUID;
    f |= (sf.f_flags & ST_NOSUID) ? MS_NOSUID : 0;
    f |= (sf.f_flags & ST_RDONLY) ? MS_RDONLY : 0;
    f |= (sf.f_flags & ST_NOEXEC) ? MS_NOEXEC : 0;
    f |= (sf.f_flags & ST_NOATIME) ? MS_NOATIME : 0;
    f |= (sf.f_flags & ST_NODIRATIME) ? MS_NODIRATIME : 0;
    f |= (sf.f_flags & ST_RELATIME) ? 0 : MS_STRICTATIME;
    return f;
}

/* The trap's mount data: the host device of @path, which the guest's
 * stat calls there report, and the bind's index + 1, which names the
 * trap to lx_task_bindtrap (kernel/arch/lx/fs/bindtrap.c). */
static const char *host_dev_data(const char *path, int idx, char *buf,
                                 size_t len)
{
    struct stat st;

    if (stat(path, &st))
        snprintf(buf, len, "id=%d", idx + 1);
    else
        snprintf(buf, len, "dev=%u:%u,id=%d", major(st.st_dev),
                 minor(st.st_dev), idx + 1);
    return buf; /* id=0: none (/dev/pts') */
}

/* Each bind's trapped place (normalised), by index; NULL: none. */
static char **trap_places;
static int ntrap_places;
/* The place the user gave, where a symlink led elsewhere; NULL: none */
static char **given_places;

/*
 * @norm with the image's symlinks resolved, as mount(2) resolves its
 * target: the longest part that exists, through its links (lx's path
 * of it), then the missing names. -1 when a name is a dangling link or
 * something other than a directory comes before the end (mount fails).
 * Until the thirty-second session a place under a link had no trap:
 * `-b D:/home/me` with /home -> var/home left /var/home/me the image's
 * and was reached by its text only.
 */
static int place_resolve(struct lx_task *root, const char *norm, char *out,
                         size_t len)
{
    char cur[KBOX_PATH_MAX];
    const char *p = norm;
    size_t l = 0;

    if (snprintf(out, len, "/") >= (int)len)
        return -1;
    for (;;) {
        const char *end;
        long fd, rc;

        while (*p == '/')
            p++;
        if (!*p)
            return 0;
        end = strchrnul(p, '/');
        if (l + 1 + (size_t)(end - p) >= sizeof(cur))
            return -1;
        cur[l++] = '/';
        memcpy(cur + l, p, (size_t)(end - p));
        l += (size_t)(end - p);
        cur[l] = '\0';
        fd = tsys(root, LX__NR_openat, AT_FDCWD, (long)cur, O_PATH | O_CLOEXEC);
        if (fd == -ENOENT) {
            struct statx sx;

            rc = tsys6(root, LX__NR_statx, AT_FDCWD, (long)cur,
                       AT_SYMLINK_NOFOLLOW, STATX_TYPE, (long)&sx);
            if (rc != -ENOENT) /* a dangling link */
                return -1;
            /* missing: the rest is made (glue_make), no link in it */
            return snprintf(out + strlen(out), len - strlen(out), "%s%s",
                            strcmp(out, "/") ? "/" : "",
                            p) < (int)(len - strlen(out))
                       ? 0
                       : -1;
        }
        if (fd < 0)
            return -1;
        rc = lx_task_fd_path(root, (int)fd, out, len);
        tsys(root, LX__NR_close, fd, 0, 0);
        if (rc < 0 || out[0] != '/')
            return -1;
        p = end;
    }
}

/*
 * A file bind's place the image lacks (-b F:/etc/new.conf): an empty
 * file, marked and removed at halt as glue_make()'s directories are, so
 * the bind has a trap (file binds had none until the thirty-second
 * session, and were reached by their text only). True when @place is
 * a file now.
 */
static bool file_make(struct lx_task *root, const char *place, int verbose)
{
    char parent[KBOX_PATH_MAX];
    struct statx sx;
    char *slash;
    long fd;

    if (tsys6(root, LX__NR_statx, AT_FDCWD, (long)place, AT_SYMLINK_NOFOLLOW,
              STATX_TYPE, (long)&sx) == 0) {
        if (S_ISDIR(sx.stx_mode) || S_ISLNK(sx.stx_mode))
            return false;
        if (glue_room() && glue_marked(root, place)) {
            glue[nglue].top = false;
            glue[nglue].file = true;
            glue_keep(root, place); /* a killed run's */
        }
        return true;
    }
    snprintf(parent, sizeof(parent), "%s", place);
    slash = strrchr(parent, '/');
    if (!slash || !glue_room())
        return false;
    if (slash == parent)
        slash[1] = '\0';
    else
        *slash = '\0';
    if (!glue_make(root, parent, verbose) || !glue_room())
        return false;
    glue[nglue].top = false;
    glue[nglue].file = true;
    if (tsys6(root, LX__NR_statx, AT_FDCWD, (long)parent, AT_SYMLINK_NOFOLLOW,
              STATX_BASIC_STATS, (long)&sx) == 0 &&
        !glue_marked(root, parent)) {
        glue[nglue].parent_times[0].tv_sec = sx.stx_atime.tv_sec;
        glue[nglue].parent_times[0].tv_nsec = sx.stx_atime.tv_nsec;
        glue[nglue].parent_times[1].tv_sec = sx.stx_mtime.tv_sec;
        glue[nglue].parent_times[1].tv_nsec = sx.stx_mtime.tv_nsec;
        glue[nglue].top = true;
    }
    fd = tsys6(root, LX__NR_openat, AT_FDCWD, (long)place,
               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644, 0);
    if (fd < 0) {
        if (verbose)
            fprintf(stderr, "kbox: bind place %s stays text-only: %s\n", place,
                    lx_strerror(fd));
        return false;
    }
    tsys(root, LX__NR_close, fd, 0, 0);
    tsys6(root, LX__NR_lsetxattr, (long)place, (long)GLUE_MARK, (long)"1", 1,
          0);
    glue_keep(root, place);
    return true;
}

const char *kbox_image_bind_trap(int idx)
{
    return idx >= 0 && idx < ntrap_places ? trap_places[idx] : NULL;
}

/* A place under another bind's place is that bind's: no trap, no anchor */
static bool under_other_bind(const struct kbox_opts *o, int i)
{
    for (int j = 0; j < o->nbinds; j++)
        if (j != i &&
            kbox_path_beneath(o->binds[i].guest_dst, o->binds[j].guest_dst,
                              NULL) &&
            strcmp(o->binds[i].guest_dst, o->binds[j].guest_dst))
            return true;
    return false;
}

/* Bind @i's kbox-bind mount at @place (resolved): true when made. */
static bool trap_one(struct lx_task *root, const struct kbox_opts *o, int i,
                     const char *place)
{
    const struct kbox_bind *b = &o->binds[i];
    char where[KBOX_PATH_MAX], data[80];
    unsigned long nodev = MS_NODEV;
    struct stat st;
    long fd, n, rc;

    /* a read-only image refuses (EROFS); lx's /tmp still takes one */
    if (!(b->file ? file_make(root, place, o->verbose)
                  : glue_make(root, place, o->verbose)))
        return false;
    fd = tsys(root, LX__NR_openat, AT_FDCWD, (long)place,
              O_PATH | O_NOFOLLOW | O_CLOEXEC | (b->file ? 0 : O_DIRECTORY));
    if (fd < 0)
        return false;
    n = lx_task_fd_path(root, (int)fd, where, sizeof(where));
    if (n < 0 || strcmp(where, place)) {
        tsys(root, LX__NR_close, fd, 0, 0);
        return false;
    }
    host_dev_data(b->host_src, i, data, sizeof(data));
    if (b->file)
        strcat(data, ",file");
    /* a device bound (-b /dev/kvm:/dev/kvm) opens: its mount is no
     * nodev one */
    if (b->file && stat(b->host_src, &st) == 0 &&
        (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
        nodev = 0;
    rc = lx_mount(b->host_src, place, "kbox-bind", nodev | host_mount_flags(b),
                  data);
    if (rc < 0 && o->verbose)
        fprintf(stderr, "kbox: warning: marking bind %s: %s\n", place,
                lx_strerror(rc));
    if (rc) {
        tsys(root, LX__NR_close, fd, 0, 0);
        return false;
    }
    kbox_mntview_record(root, place, b->host_src);
    if (ntraps < KBOX_MAX_BINDS && (traps[ntraps].path = strdup(place)))
        traps[ntraps++].fd = fd; /* the place, below the trap */
    else
        tsys(root, LX__NR_close, fd, 0, 0);
    if (i < ntrap_places)
        trap_places[i] = strdup(place);
    return true;
}

/*
 * A bind no trap marks (its place missing from a read-only image): the
 * deepest directory of the place the image has, and the mount and inode
 * kbox's walk meets there. After a guest mount or chroot the bind is
 * reached only where the caller's walk of that directory meets the same
 * (kbox_bind_reached): a mount over it or another root hides the bind
 * as natively; an rbind copy of it does not carry the bind (there is no
 * mount to copy).
 */
static struct bind_anchor *anchors;

static void anchor_one(struct lx_task *root, const struct kbox_opts *o, int i,
                       const char *place)
{
    char dir[KBOX_PATH_MAX];
    struct lx_statx sx;

    if (!anchors || under_other_bind(o, i) ||
        snprintf(dir, sizeof(dir), "%s", place) >= (int)sizeof(dir))
        return;
    for (;;) {
        char *slash = strrchr(dir, '/');

        if (!slash)
            return;
        if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
        if (tsys6(root, LX__NR_statx, AT_FDCWD, (long)dir, AT_SYMLINK_NOFOLLOW,
                  LX_STATX_TYPE | LX_STATX_INO | LX_STATX_MNT_ID_UNIQUE,
                  (long)&sx) == 0)
            break;
        if (!strcmp(dir, "/"))
            return;
    }
    if (!S_ISDIR(sx.stx_mode) || !(sx.stx_mask & LX_STATX_MNT_ID_UNIQUE))
        return;
    anchors[i].dir = strdup(dir);
    anchors[i].mnt = sx.stx_mnt_id;
    anchors[i].ino = sx.stx_ino;
}

const struct bind_anchor *kbox_image_bind_anchor(int idx)
{
    return idx >= 0 && idx < ntrap_places && anchors && anchors[idx].dir
               ? &anchors[idx]
               : NULL;
}

/*
 * Mark each bind's place in the image with a kbox-bind mount
 * (kernel/arch/lx/fs/bindtrap.c): walks lx does itself - through a
 * symlink into the bind, from a directory the guest holds above it - stop
 * there with EXDEV and the supervisor takes them to the bind, and the
 * guest's own mounts and chroots decide whether a walk meets it
 * (dispatch/bindwalk.c). The place is where the image's symlinks lead
 * (place_resolve), a file's trap over a file bind's; glue_make() and
 * file_make() make what the image lacks. A read-only image's missing
 * place gets an anchor instead (anchor_one).
 */
static void bind_traps(const struct kbox_opts *o)
{
    struct lx_task *root = lx_task_root();

    trap_places = calloc((size_t)o->nbinds + 1, sizeof(*trap_places));
    ntrap_places = trap_places ? o->nbinds : 0;
    given_places = calloc((size_t)o->nbinds + 1, sizeof(*given_places));
    anchors = calloc((size_t)o->nbinds + 1, sizeof(*anchors));
    for (int i = 0; i < o->nbinds; i++) {
        struct kbox_bind *b = (struct kbox_bind *)&o->binds[i];
        char norm[KBOX_PATH_MAX], place[KBOX_PATH_MAX];

        if (kbox_path_normalize(b->guest_dst, norm, sizeof(norm), false, NULL) <
                0 ||
            !strcmp(norm, "/") ||
            place_resolve(root, norm, place, sizeof(place)) < 0)
            continue;
        if (!trap_one(root, o, i, place)) {
            if (!strcmp(place, norm)) /* a link's target: text-only */
                anchor_one(root, o, i, place);
            continue;
        }
        /* through a symlink: the bind is where the link leads, as
         * mount(2) puts it, and the path given reaches it through the
         * link in lx (its trap sends the walk here) */
        if (strcmp(place, norm) && given_places) {
            char *real = strdup(place);

            if (real) {
                given_places[i] = b->guest_dst;
                b->guest_dst = real;
            }
        }
    }
}

/*
 * Take away what glue_make() made, deepest first, once every trap is
 * unmounted (newest first: one may cover another's place); a directory
 * the guest filled (beside a deeper bind) stays. Each is where the
 * guest's renames left it (now_at): by the recorded path a renamed
 * parent's trap stayed mounted and its glue in the image under the new
 * name, and a directory the guest made at the old name went. A parent
 * kbox did not make gets its times back, unless the guest moved the
 * glue out of it (the guest's change of the parent stays). lx_halt()
 * finds the traps gone.
 */
static void glue_remove(void)
{
    struct lx_task *root = lx_task_root();
    char buf[KBOX_PATH_MAX];

    for (int i = ntraps - 1; i >= 0; i--) {
        const char *at =
            now_at(root, traps[i].fd, traps[i].path, buf, sizeof(buf), false);

        if (at && (nglue || strcmp(at, traps[i].path)))
            tsys(root, LX__NR_umount2, (long)at, 0, 0);
        tsys(root, LX__NR_close, traps[i].fd, 0, 0);
        free(traps[i].path);
    }
    ntraps = 0;
    for (int i = nglue - 1; i >= 0; i--) {
        struct glue *g = &glue[i];
        const char *at = now_at(root, g->fd, g->path, buf, sizeof(buf), true);

        if (at &&
            tsys(root, LX__NR_unlinkat, AT_FDCWD, (long)at,
                 g->file ? 0 : AT_REMOVEDIR) == 0 &&
            g->top && !strcmp(at, g->path)) {
            char *slash = strrchr(g->path, '/');

            if (slash == g->path)
                slash[1] = '\0';
            else
                *slash = '\0';
            tsys6(root, LX__NR_utimensat, AT_FDCWD, (long)g->path,
                  (long)g->parent_times, AT_SYMLINK_NOFOLLOW, 0);
        }
        if (g->fd >= 0)
            tsys(root, LX__NR_close, g->fd, 0, 0);
        free(g->path);
    }
    nglue = 0;
}

/* syslog(2) actions (linux/syslog.h is not a uapi header) */
#define KLOG_READ_ALL    3
#define KLOG_SIZE_BUFFER 10

/*
 * The text lx's log holds now; -1 when it cannot be read. Asked as the
 * root task: lx_syscall() would give this thread its own task, forked
 * before the chroot, and dev_links() would then make its links there.
 */
static long kernel_log_size(void)
{
    long size = tsys(lx_task_root(), LX__NR_syslog, KLOG_SIZE_BUFFER, 0, 0);
    char *buf;
    long n;

    if (size <= 0 || !(buf = malloc((size_t)size)))
        return -1;
    n = tsys(lx_task_root(), LX__NR_syslog, KLOG_READ_ALL, (long)buf, size);
    free(buf);
    return n < 0 ? -1 : n;
}

/*
 * The last line lx logged after the first 'before' bytes of its log,
 * without its "[time] " prefix: what a failed mount said. False when
 * nothing new was logged.
 */
static bool kernel_log_last_line(long before, char *out, size_t outsz)
{
    long size = tsys(lx_task_root(), LX__NR_syslog, KLOG_SIZE_BUFFER, 0, 0);
    char *buf, *line, *end;
    long n;
    bool found = false;

    if (before < 0 || size <= 0 || !(buf = malloc((size_t)size + 1)))
        return false;
    n = tsys(lx_task_root(), LX__NR_syslog, KLOG_READ_ALL, (long)buf, size);
    if (n > before) {
        buf[n] = '\0';
        end = buf + n;
        while (end > buf + before && (end[-1] == '\n' || end[-1] == ' '))
            *--end = '\0';
        line = end;
        while (line > buf + before && line[-1] != '\n')
            line--;
        if (*line == '<') /* a level prefix */
            line = strchr(line, '>') ? strchr(line, '>') + 1 : line;
        if (*line == '[' && strchr(line, ']'))
            line = strchr(line, ']') + 1;
        while (*line == ' ')
            line++;
        if (*line) {
            snprintf(out, outsz, "%s", line);
            found = true;
        }
    }
    free(buf);
    return found;
}

static bool host_pts;

bool kbox_image_host_pts(void)
{
    return host_pts;
}

/*
 * A -k word lx does not know is taken by Linux too (it goes to init's argv
 * or environment), so it is not refused; but kbox has no init to give it
 * to, and a misspelt "mme=256M" would otherwise pass unnoticed. Runs on
 * lx's pid 1 thread during boot, while the caller waits in lx_boot.
 */
static void warn_unknown_param(const char *word)
{
    fprintf(stderr,
            "kbox: warning: -k %s: not a kernel parameter lx knows; "
            "ignored (Linux hands such words to init)\n",
            word);
}

int kbox_image_setup(const struct kbox_opts *o, int img_fd, int *booted)
{
    struct lx_boot_opts bo;
    int idx, rc;
    long logged;
    unsigned long flags = (o->readonly ? MS_RDONLY : 0) | o->mount_flags;

    setup_opts = o;
    memset(&bo, 0, sizeof(bo));
    bo.cmdline = o->cmdline;
    bo.console_fd = o->verbose ? 2 : -1;
    bo.unknown_param = warn_unknown_param;
    rc = lx_boot(&bo);
    if (rc < 0) {
        say("kernel failed to boot: %s%s", lx_strerror(rc), "");
        return -1;
    }
    *booted = 1;
    idx = lx_disk_add(img_fd, o->readonly);
    if (idx < 0) {
        say("cannot attach image '%s': %s", o->image, lx_strerror(idx));
        return -1;
    }
    logged = kernel_log_size();
    rc = lx_mount_disk_part(idx, o->partition, ROOT_MNT, o->fs_type, flags,
                            o->mount_opts[0] ? o->mount_opts : NULL);
    if (rc == -ENXIO && o->partition) {
        fprintf(stderr, "kbox: image '%s' has no partition %d\n", o->image,
                o->partition);
        return -1;
    }
    if (rc < 0) {
        char why[256];

        /* the file system says why (a bad -m option, a feature lx lacks,
         * a journal a read-only mount cannot replay); guess only without */
        if (rc == -ENODEV)
            fprintf(stderr,
                    "kbox: cannot mount image '%s': lx has no %s file "
                    "system (-t)\n",
                    o->image, o->fs_type);
        else if (rc == -ENOTBLK)
            fprintf(stderr,
                    "kbox: cannot mount image '%s': %s is not a disk file "
                    "system (-t)\n",
                    o->image, o->fs_type);
        else if (kernel_log_last_line(logged, why, sizeof(why)))
            fprintf(stderr, "kbox: cannot mount image '%s' as %s: %s (%s)\n",
                    o->image, o->fs_type, lx_strerror(rc), why);
        else
            fprintf(stderr,
                    "kbox: cannot mount image '%s' as %s: %s (corrupt or not "
                    "%s?)\n",
                    o->image, o->fs_type, lx_strerror(rc), o->fs_type);
        return -1;
    }
    kbox_fslog_mounted(o->image, logged);
    /* set-ID programs in binds (src/exec/hostcred.c): outside the root */
    if (o->nbinds && geteuid() == 0)
        kbox_exec_standin_init();
    rc = lx_chroot(ROOT_MNT);
    if (rc < 0) {
        say("cannot enter the image root: %s%s", lx_strerror(rc), "");
        return -1;
    }
    if (o->profile == KBOX_PROFILE_FULL) {
        char pts_data[64];

        profile_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV, NULL,
                      o->verbose);
        profile_mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV, NULL,
                      o->verbose);
        bool dev = profile_mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID,
                                 NULL, o->verbose);

        /*
         * The guest's ptys are the host's (kbox opens /dev/ptmx for it):
         * lx's own devpts was empty, and a walk lx did into it - a
         * symlink to /dev/pts/N (socat's PTY,link=), a name relative to
         * /dev - ended there with ENOENT, and `ls /dev/pts` missed the
         * guest's terminals. A kbox-bind trap sends such walks to the
         * host's /dev/pts, as the text of /dev/pts paths always went.
         */
        host_pts = dev && lx_mount("devpts", "/dev/pts", "kbox-bind",
                                   MS_NOSUID | MS_NOEXEC,
                                   host_dev_data("/dev/pts", -1, pts_data,
                                                 sizeof(pts_data))) == 0;
        /* without devtmpfs, /dev is the image's: nothing goes into it */
        if (dev && !host_pts)
            profile_mount("devpts", "/dev/pts", "devpts", MS_NOSUID, NULL,
                          o->verbose);
        if (dev) {
            profile_mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV,
                          "mode=1777", o->verbose);
            /* the POSIX message queues (lx's), as systemd mounts them */
            profile_mount("mqueue", "/dev/mqueue", "mqueue",
                          MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, o->verbose);
            dev_links(o->verbose);
        }
        profile_mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
                      "mode=1777", o->verbose);
        if (profile_mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV,
                          "mode=755", o->verbose))
            run_lock(o->verbose);
    } else if (o->profile == KBOX_PROFILE_MINIMAL) {
        profile_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV, NULL,
                      o->verbose);
        profile_mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
                      "mode=1777", o->verbose);
    }
    if (bind_kinds_match(o))
        return -1;
    bind_traps(o);
    /* the lx mounts the host's objects stand in (dispatch/mntview.c) */
    kbox_mntview_record(lx_task_root(), "/proc", NULL);
    kbox_mntview_record(lx_task_root(), "/sys", NULL);
    kbox_mntview_record(lx_task_root(), "/dev", NULL);
    if (host_pts)
        kbox_mntview_record(lx_task_root(), "/dev/pts", "/dev/pts");
    return 0;
}

int kbox_image_bind_text(const struct kbox_opts *o, const char *norm, char *out,
                         size_t len)
{
    /* a bind placed through a symlink is at the link's target now */
    for (int i = 0; given_places && i < o->nbinds; i++) {
        const char *rest;

        if (given_places[i] && kbox_path_beneath(norm, given_places[i], &rest))
            return snprintf(out, len, "%s%s%s", o->binds[i].guest_dst,
                            *rest ? "/" : "", rest) < (int)len
                       ? 0
                       : -1;
    }
    return snprintf(out, len, "%s", norm) < (int)len ? 0 : -1;
}

/* -w through a link of the image into a bind: where the walk led */
static char workdir_walked[KBOX_PATH_MAX];

int kbox_image_workdir_path(const struct kbox_opts *o, char *out, size_t len)
{
    char norm[KBOX_PATH_MAX];

    if (o->work_dir && workdir_walked[0])
        return snprintf(out, len, "%s", workdir_walked) < (int)len ? 0 : -1;
    if (!o->work_dir ||
        kbox_path_normalize(o->work_dir, norm, sizeof(norm), false, NULL) < 0)
        return -1;
    return kbox_image_bind_text(o, norm, out, len);
}

bool kbox_image_workdir_in_bind(const struct kbox_opts *o)
{
    char norm[KBOX_PATH_MAX];

    if (kbox_image_workdir_path(o, norm, sizeof(norm)) < 0)
        return false;
    return kbox_path_route(norm, o->binds, o->nbinds, false).route ==
           KBOX_ROUTE_BIND;
}

/*
 * Capabilities whose every use kbox refuses whatever the host allows
 * (the filter denies ptrace, process_vm_*, kcmp, module and reboot
 * calls, clock setting, acct, vhangup, syslog, bpf, perf_event_open):
 * the guest's root holds none of them, as in a container. Holding them
 * made programs take paths that then failed: nix's ptrace tests, which
 * run only with CAP_SYS_PTRACE, hung `cargo test`.
 */
static const int never_caps[] = {
    CAP_SYS_MODULE, CAP_SYS_PTRACE, CAP_SYS_PACCT,
    CAP_SYS_BOOT,   CAP_SYS_TIME,   CAP_SYS_TTY_CONFIG,
    CAP_SYSLOG,     CAP_PERFMON,    CAP_BPF,
};

static int drop_never_caps(struct lx_task *t)
{
    unsigned int hdr[2] = { 0x20080522, 0 }; /* _LINUX_CAPABILITY_VERSION_3 */
    unsigned int data[6]; /* {effective, permitted, inheritable} x 2 */
    size_t i;
    long rc;

    rc = tsys(t, LX__NR_capget, (long)hdr, (long)data, 0);
    for (i = 0; rc >= 0 && i < sizeof(never_caps) / sizeof(never_caps[0]);
         i++) {
        int c = never_caps[i];
        unsigned int bit = 1u << (c % 32);

        data[(c / 32) * 3] &= ~bit;
        data[(c / 32) * 3 + 1] &= ~bit;
        data[(c / 32) * 3 + 2] &= ~bit;
        rc = tsys(t, LX__NR_prctl, PR_CAPBSET_DROP, c, 0);
    }
    if (rc >= 0)
        rc = tsys(t, LX__NR_capset, (long)hdr, (long)data, 0);
    return rc < 0 ? (int)rc : 0;
}

/*
 * lx's chdir to -w met a bind's trap (EXDEV): a link of the image led
 * into a bind (-w /lnk, /lnk -> /opt/tools, a bind there). kbox refused
 * the run where chroot's `cd` goes in; the walk's end is the cwd, in the
 * bind (main sets bind_cwd). 0 or -errno.
 */
static long workdir_through_link(const struct kbox_opts *o, struct lx_task *t)
{
    char g[KBOX_PATH_MAX];
    struct stat st;
    int rc = kbox_exec_guest_walk(t, o, o->work_dir, "/", g, sizeof(g));

    if (rc < 0)
        return rc;
    rc = kbox_exec_bind_stat(t, o, g, &st, false);
    if (rc == 0 && !S_ISDIR(st.st_mode))
        rc = -ENOTDIR;
    if (rc == 0)
        rc = kbox_exec_bind_may_search(t, o, g);
    if (rc < 0)
        return rc;
    snprintf(workdir_walked, sizeof(workdir_walked), "%s", g);
    return tsys(t, LX__NR_chdir, (long)"/", 0, 0);
}

struct lx_task *kbox_image_guest_task(const struct kbox_opts *o)
{
    struct lx_task *t = lx_task_fork(NULL, 0);
    struct rlimit rl = { 1 << 20, 1 << 20 };
    unsigned int uid, gid;
    long rc;

    if (!t) {
        say("cannot create the guest's kernel task%s%s", "", "");
        return NULL;
    }
    /* The guest's 0/1/2 are the host's: no kernel files at any number. */
    tsys(t, LX__NR_close_range, 0, ~0L, 0);
    {
        long args[6] = { 0, RLIMIT_NOFILE, (long)&rl, 0, 0, 0 };
        lx_task_syscall(t, LX__NR_prlimit64, args);
    }
    rc = drop_never_caps(t);
    if (rc < 0) {
        say("cannot set the guest's capabilities: %s%s", lx_strerror(rc), "");
        lx_task_exit(t);
        return NULL;
    }
    if (!o->root_id) {
        uid = o->change_id ? o->uid : getuid();
        gid = o->change_id ? o->gid : getgid();
        {
            unsigned groups[64];
            int n = image_groups(t, uid, gid, groups, 64);

            tsys(t, LX__NR_setgroups, n, (long)groups, 0);
        }
        rc = tsys(t, LX__NR_setresgid, gid, gid, gid);
        if (rc >= 0)
            rc = tsys(t, LX__NR_setresuid, uid, uid, uid);
        if (rc < 0) {
            say("cannot set the guest identity: %s%s", lx_strerror(rc), "");
            lx_task_exit(t);
            return NULL;
        }
    }
    /* -w is entered as the guest, after its ids: entered as root, a
     * --change-id user started in a 0700 root directory (`pwd` worked,
     * `ls .` was EACCES) where chroot's cd and runc refuse to start */
    if (o->work_dir && kbox_image_workdir_in_bind(o)) {
        char g[KBOX_PATH_MAX];

        rc = kbox_image_workdir_path(o, g, sizeof(g)) < 0
                 ? -ENAMETOOLONG
                 : kbox_exec_bind_may_search(t, o, g);
        if (rc == 0)
            tsys(t, LX__NR_chdir, (long)"/", 0, 0); /* main sets bind_cwd */
    } else if (o->work_dir) {
        rc = tsys(t, LX__NR_chdir, (long)o->work_dir, 0, 0);
        if (rc == -EXDEV)
            rc = workdir_through_link(o, t);
    } else {
        rc = 0;
        tsys(t, LX__NR_chdir, (long)"/", 0, 0);
    }
    if (rc < 0) {
        say("work dir '%s': %s", o->work_dir, lx_strerror(rc));
        lx_task_exit(t);
        return NULL;
    }
    return t;
}

int kbox_image_halt(int verbose)
{
    int rc;

    /* Sync and unmount are kernel-thread hand-offs too (see main). */
    lx_pin_threads(1);
    glue_remove();
    if (setup_opts)
        kbox_fslog_errors(setup_opts->image);
    /* kbox exits next: its exit ends lx's parked threads (lx.h) */
    rc = lx_halt_exiting();

    /* Before the unmount's word: "image synced" would not be true. */
    if (lx_disk_write_error()) {
        fprintf(stderr,
                "kbox: error: writing the image failed: %s; guest writes "
                "are missing from it\n",
                lx_strerror(lx_disk_write_error()));
        return -1;
    }
    if (rc < 0) {
        fprintf(stderr, "kbox: warning: unmount at halt: %s (image synced)\n",
                lx_strerror(rc));
        return -1;
    }
    return 0;
}
