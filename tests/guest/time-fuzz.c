/* SPDX-License-Identifier: MIT */
/*
 * Differential timestamp fuzzer: time-fuzz DIR SEED NOPS. Seeded random
 * operations on a few files and directories in DIR (writes, truncates,
 * O_TRUNC opens, reads, chmod, chown to itself, links, renames, unlinks,
 * mkdir/rmdir, utimensat with NOW/OMIT/explicit times, shared-mapping
 * stores, xattrs, fallocate); after each, which of atime, mtime and
 * ctime changed for every object, as a canonical line. Timestamps are
 * compared, not printed, and the program sleeps past a clock tick
 * (15 ms) between operations, so coarse clocks (lx's, 4 ms) and fine ones
 * (a 6.13+ host's multigrain stamps) give the same trace; only the
 * update rules show (relatime included). make and rsync rely on them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "fuzz-util.h"

#define NOBJ 8

static const char *const names[NOBJ] = { ".",   "d", "f", "g",
                                         "d/h", "s", "p", "d/e" };
static struct stat before[NOBJ];
static int have[NOBJ];

static void snap(void)
{
    for (int i = 0; i < NOBJ; i++)
        have[i] = lstat(names[i], &before[i]) == 0;
}

static int ts_eq(struct timespec a, struct timespec b)
{
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* Which stamps moved since snap(), for each object: "f:mc" etc. */
static void report(const char *op, long rc, int err)
{
    printf("%-28s = %ld %s |", op, rc, rc < 0 ? strerrorname_np(err) : "");
    for (int i = 0; i < NOBJ; i++) {
        struct stat st;
        int now = lstat(names[i], &st) == 0;

        if (!now || !have[i]) {
            if (now != have[i])
                printf(" %s:%s", names[i], now ? "new" : "gone");
            continue;
        }
        if (st.st_ino != before[i].st_ino) {
            printf(" %s:other", names[i]);
            continue;
        }
        if (!ts_eq(st.st_atim, before[i].st_atim) ||
            !ts_eq(st.st_mtim, before[i].st_mtim) ||
            !ts_eq(st.st_ctim, before[i].st_ctim))
            printf(" %s:%s%s%s", names[i],
                   ts_eq(st.st_atim, before[i].st_atim) ? "" : "a",
                   ts_eq(st.st_mtim, before[i].st_mtim) ? "" : "m",
                   ts_eq(st.st_ctim, before[i].st_ctim) ? "" : "c");
    }
    printf("\n");
}

static void tick(void)
{
    struct timespec t = { 0, 15 * 1000 * 1000 };

    nanosleep(&t, NULL);
}

static const char *file_name(void)
{
    static const char *const f[] = { "f", "g", "d/h" };

    return f[rnd_lcg(3)];
}

static long op(char *desc, size_t len)
{
    const char *a = file_name(), *b = file_name();
    char buf[64];
    int fd;
    long rc = 0;

    switch (rnd_lcg(28)) {
    case 0:
        snprintf(desc, len, "write %s", a);
        fd = open(a, O_WRONLY | O_CREAT, 0644);
        rc = fd < 0 ? -1 : write(fd, "data", 1 + rnd_lcg(4));
        break;
    case 1:
        snprintf(desc, len, "write0 %s", a);
        fd = open(a, O_WRONLY);
        rc = fd < 0 ? -1 : write(fd, "", 0);
        break;
    case 2:
        snprintf(desc, len, "read %s", a);
        fd = open(a, O_RDONLY);
        rc = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
        break;
    case 3: {
        long sz = rnd_lcg(3) * 3;
        struct stat st;

        /* to its own size: Linux 6.12's tmpfs changes no time, newer
         * hosts' does (lx is 6.12) */
        if (stat(a, &st) == 0 && st.st_size == sz)
            sz += 1;

        snprintf(desc, len, "truncate %s %ld", a, sz);
        return truncate(a, sz);
    }
    case 4:
        snprintf(desc, len, "open-trunc %s", a);
        fd = open(a, O_WRONLY | O_TRUNC);
        rc = fd < 0 ? -1 : 0;
        break;
    case 5:
        snprintf(desc, len, "chmod %s", a);
        return chmod(a, 0600 | (rnd_lcg(2) ? 044 : 0));
    case 6:
        snprintf(desc, len, "chown-self %s", a);
        return chown(a, getuid(), (gid_t)-1);
    case 7:
        snprintf(desc, len, "link %s %s", a, b);
        return link(a, b);
    case 8:
        snprintf(desc, len, "unlink %s", a);
        return unlink(a);
    case 9:
        snprintf(desc, len, "rename %s %s", a, b);
        return rename(a, b);
    case 10:
        snprintf(desc, len, "create %s", a);
        fd = open(a, O_WRONLY | O_CREAT | O_EXCL, 0644);
        rc = fd < 0 ? -1 : 0;
        break;
    case 11:
        snprintf(desc, len, "mkdir d/e");
        return mkdir("d/e", 0755);
    case 12:
        snprintf(desc, len, "rmdir d/e");
        return rmdir("d/e");
    case 13: {
        struct timespec t[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };

        snprintf(desc, len, "utimens-now %s", a);
        return utimensat(AT_FDCWD, a, t, 0);
    }
    case 14: {
        struct timespec t[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };

        if (rnd_lcg(2)) {
            t[0].tv_nsec = UTIME_NOW;
            t[1].tv_nsec = UTIME_OMIT;
        }
        snprintf(desc, len, "utimens-%s %s",
                 t[0].tv_nsec == UTIME_OMIT ? "m" : "a", a);
        return utimensat(AT_FDCWD, a, t, 0);
    }
    case 15: {
        struct timespec t[2] = { { 1000000 + rnd_lcg(5), 0 }, { 2000000, 0 } };

        snprintf(desc, len, "utimens-old %s", a);
        return utimensat(AT_FDCWD, a, t, 0);
    }
    case 16:
        snprintf(desc, len, "mapstore %s", a);
        fd = open(a, O_RDWR);
        if (fd >= 0) {
            struct stat st;
            char *p;

            if (fstat(fd, &st) || st.st_size == 0) {
                rc = -2;
                break;
            }
            p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
                     MAP_SHARED, fd, 0);
            if (p == MAP_FAILED) {
                rc = -1;
                break;
            }
            p[0] ^= 1;
            rc = msync(p, (size_t)st.st_size, MS_SYNC);
            munmap(p, (size_t)st.st_size);
        } else {
            rc = -1;
        }
        break;
    case 17: {
        /* a new value each time: ext4 changes no time for the same
         * value, tmpfs does */
        static unsigned n;

        snprintf(buf, sizeof(buf), "v%u", n++);
        snprintf(desc, len, "setxattr %s", a);
        return setxattr(a, "user.t", buf, strlen(buf), 0);
    }
    case 18:
        snprintf(desc, len, "fallocate %s", a);
        fd = open(a, O_WRONLY);
        rc = fd < 0 ? -1 : fallocate(fd, 0, 0, 8192);
        break;
    case 19:
        snprintf(desc, len, "symlink s");
        return symlink(a, "s");
    case 20:
        snprintf(desc, len, "unlink s");
        return unlink("s");
    case 22: {
        int in = open(a, O_RDONLY), out = open(b, O_WRONLY);

        snprintf(desc, len, "copy_file_range %s %s", a, b);
        rc =
            in < 0 || out < 0 ? -1 : copy_file_range(in, NULL, out, NULL, 4, 0);
        fd = in;
        if (out >= 0)
            close(out);
        break;
    }
    case 23: {
        int in = open(a, O_RDONLY), out = open(b, O_WRONLY | O_APPEND);

        snprintf(desc, len, "sendfile %s %s", a, b);
        rc = in < 0 || out < 0 ? -1 : sendfile(out, in, NULL, 3);
        fd = in;
        if (out >= 0)
            close(out);
        break;
    }
    case 24:
        snprintf(desc, len, "futimens-null %s", a);
        fd = open(a, O_RDONLY);
        rc = fd < 0 ? -1 : futimens(fd, NULL);
        break;
    case 25:
        snprintf(desc, len, "rename-dir d/e d2");
        if (rename("d/e", "d2") == 0)
            return rename("d2", "d/e") ? -2 : 0;
        return -1;
    case 26: {
        /* a FIFO's times: written and read through its inode */
        int r, w;

        snprintf(desc, len, "fifo p");
        if (mkfifo("p", 0644) && errno != EEXIST)
            return -1;
        r = open("p", O_RDONLY | O_NONBLOCK);
        w = open("p", O_WRONLY | O_NONBLOCK);
        rc = r < 0 || w < 0 ? -1 : write(w, "x", 1);
        if (rc == 1)
            rc = read(r, buf, sizeof(buf));
        close(r);
        close(w);
        fd = -1;
        break;
    }
    case 27:
        snprintf(desc, len, "fchmod %s", a);
        fd = open(a, O_RDONLY);
        rc = fd < 0 ? -1 : fchmod(fd, 0640 | rnd_lcg(2) * 4);
        break;
    default:
        snprintf(desc, len, "append %s", a);
        fd = open(a, O_WRONLY | O_APPEND);
        rc = fd < 0 ? -1 : write(fd, "x", 1);
        break;
    }
    if (fd >= 0) {
        int e = errno;

        close(fd);
        errno = e;
    }
    return rc;
}

int main(int argc, char **argv)
{
    int nops;

    if (argc != 4 || chdir(argv[1])) {
        fprintf(stderr, "usage: time-fuzz DIR SEED NOPS\n");
        return 2;
    }
    rng = strtoull(argv[2], NULL, 0) * 2654435761ULL + 1;
    nops = atoi(argv[3]);
    if (mkdir("d", 0755) || close(open("f", O_WRONLY | O_CREAT, 0644))) {
        perror("time-fuzz: setup");
        return 2;
    }
    for (int i = 0; i < nops; i++) {
        char desc[96];
        long rc;
        int err;

        tick();
        snap();
        errno = 0;
        rc = op(desc, sizeof(desc));
        err = errno;
        report(desc, rc, err);
    }
    printf("time-fuzz: done\n");
    return 0;
}
