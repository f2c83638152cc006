/* SPDX-License-Identifier: MIT */
/*
 * inotify-fuzz: a seeded, deterministic differential fuzzer for inotify.
 * In a small tree under DIR it runs random file operations (create,
 * write, truncate, ftruncate, chmod, chown to itself, utimensat, link,
 * symlink, rename within and across directories and over an existing
 * target, unlink, mkdir, rmdir, opens kept and closed later, reads,
 * getdents, a write through a shared mapping and msync) while two inotify
 * instances watch some of the directories and files with random masks
 * (IN_ONESHOT, IN_MASK_ADD, IN_EXCL_UNLINK, IN_ONLYDIR, IN_DONT_FOLLOW,
 * IN_MASK_CREATE) and inotify_rm_watch removes some. After every
 * operation it prints, for each instance, FIONREAD, poll readiness and
 * the events a non-blocking read returns, canonically: the watch's index
 * in the order it was added (not the wd), the mask's names, the name, and
 * for moves a cookie number in the order cookies were first seen (so
 * FROM/TO pairs show, not their values). The output is meant to be
 * compared with a native run of the same seed: it is the same from run
 * to run on Linux.
 *
 * Usage: inotify-fuzz DIR SEED NOPS   (DIR: an empty, writable directory)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-util.h"

#define NINST  2
#define NWATCH 64
#define NSLOT  4
#define NCOOK  256

static const char *dirs[] = { ".", "x", "y", "x/z" };
static const char *names[] = { "a", "b", "c", "x", "y", "z" };

/* A random path: a name in one of the directories, or a directory. */
static void rpath(char *p, size_t n)
{
    if (rnd_low(6) == 0)
        snprintf(p, n, "%s", dirs[rnd_low(4)]);
    else
        snprintf(p, n, "%s/%s", dirs[rnd_low(4)], names[rnd_low(6)]);
}

struct watch {
    int wd;
    bool live;
};

static int ino[NINST];
static struct watch watches[NINST][NWATCH];
static int nwatch[NINST];
static uint32_t cookies[NCOOK];
static int ncook;
static int slots[NSLOT] = { -1, -1, -1, -1 };
static char slotpath[NSLOT][64];

static int widx(int i, int wd)
{
    for (int k = 0; k < nwatch[i]; k++)
        if (watches[i][k].wd == wd && watches[i][k].live)
            return k;
    return -1;
}

static int cookie_no(uint32_t c)
{
    for (int k = 0; k < ncook; k++)
        if (cookies[k] == c)
            return k;
    if (ncook < NCOOK)
        cookies[ncook] = c;
    return ncook++;
}

static const struct {
    uint32_t bit;
    const char *name;
} bits[] = {
    { IN_ACCESS, "ACCESS" },
    { IN_MODIFY, "MODIFY" },
    { IN_ATTRIB, "ATTRIB" },
    { IN_CLOSE_WRITE, "CLOSE_WRITE" },
    { IN_CLOSE_NOWRITE, "CLOSE_NOWRITE" },
    { IN_OPEN, "OPEN" },
    { IN_MOVED_FROM, "MOVED_FROM" },
    { IN_MOVED_TO, "MOVED_TO" },
    { IN_CREATE, "CREATE" },
    { IN_DELETE, "DELETE" },
    { IN_DELETE_SELF, "DELETE_SELF" },
    { IN_MOVE_SELF, "MOVE_SELF" },
    { IN_UNMOUNT, "UNMOUNT" },
    { IN_Q_OVERFLOW, "Q_OVERFLOW" },
    { IN_IGNORED, "IGNORED" },
    { IN_ISDIR, "ISDIR" },
};

static void print_mask(uint32_t m)
{
    bool first = true;

    for (size_t k = 0; k < sizeof(bits) / sizeof(bits[0]); k++) {
        if (m & bits[k].bit) {
            printf("%s%s", first ? "" : "|", bits[k].name);
            first = false;
            m &= ~bits[k].bit;
        }
    }
    if (m)
        printf("%s0x%x", first ? "" : "|", m);
}

static void result(const char *what, long rc)
{
    if (rc < 0)
        printf("%s = -1 %s\n", what, strerrorname_np(errno));
    else
        printf("%s = %ld\n", what, rc);
}

/* Everything instance @i has: FIONREAD, poll, then the events. */
static void drain(int i)
{
    char buf[4096] __attribute__((aligned(8)));
    struct pollfd p = { ino[i], POLLIN, 0 };
    int q = -1, total = 0;
    /* drawn first: a difference in what is queued must not change the
     * operations that follow */
    bool small = rnd_low(8) == 0;
    int pr = poll(&p, 1, 0);

    if (ioctl(ino[i], FIONREAD, &q) < 0)
        q = -2;
    if (q == 0 && pr == 0)
        return;
    /* Sometimes a buffer too small for the first event with a name. */
    if (small && q > 0) {
        ssize_t n = read(ino[i], buf, sizeof(struct inotify_event));

        if (n < 0)
            printf("  i%d small read -1 %s\n", i, strerrorname_np(errno));
        else {
            printf("  i%d small read %zd\n", i, n);
            total += (int)n;
        }
        if (n > 0) {
            struct inotify_event *e = (struct inotify_event *)buf;
            int k = widx(i, e->wd);

            printf("  i%d w%d ", i, k);
            print_mask(e->mask);
            printf("\n");
            if ((e->mask & IN_IGNORED) && k >= 0)
                watches[i][k].live = false;
        }
    }
    for (;;) {
        ssize_t n = read(ino[i], buf, sizeof(buf));

        if (n < 0) {
            if (errno != EAGAIN)
                printf("  i%d read -1 %s\n", i, strerrorname_np(errno));
            break;
        }
        total += (int)n;
        for (ssize_t off = 0; off < n;) {
            struct inotify_event *e = (struct inotify_event *)(buf + off);
            int k = widx(i, e->wd);

            printf("  i%d w%d ", i, k);
            print_mask(e->mask);
            if (e->len)
                printf(" %s", e->name);
            if (e->mask & (IN_MOVED_FROM | IN_MOVED_TO))
                printf(" ck%d", cookie_no(e->cookie));
            else if (e->cookie)
                printf(" cookie!");
            printf("\n");
            if ((e->mask & IN_IGNORED) && k >= 0)
                watches[i][k].live = false;
            off += (ssize_t)sizeof(*e) + e->len;
        }
    }
    printf("  i%d fionread %d poll %d read %d\n", i, q,
           pr > 0 && (p.revents & POLLIN), total);
    p.revents = 0;
    pr = poll(&p, 1, 0);
    if (pr != 0 || ioctl(ino[i], FIONREAD, &q) < 0 || q != 0)
        printf("  i%d after draining: poll %d fionread %d\n", i, pr, q);
}

static uint32_t rmask(void)
{
    uint32_t m = 0;

    if (rnd_low(3) == 0)
        m = IN_ALL_EVENTS;
    else
        while (!m || rnd_low(2))
            m |= 1u << rnd_low(12);
    if (rnd_low(20) == 0)
        m = 0; /* EINVAL */
    if (rnd_low(6) == 0)
        m |= IN_ONESHOT;
    if (rnd_low(5) == 0)
        m |= IN_MASK_ADD;
    if (rnd_low(4) == 0)
        m |= IN_EXCL_UNLINK;
    if (rnd_low(8) == 0)
        m |= IN_ONLYDIR;
    if (rnd_low(6) == 0)
        m |= IN_DONT_FOLLOW;
    if (rnd_low(8) == 0)
        m |= IN_MASK_CREATE;
    return m;
}

static void add_watch(int i, const char *p, uint32_t m)
{
    int wd = inotify_add_watch(ino[i], p, m);
    int k;

    printf("watch i%d %s ", i, p);
    print_mask(m & IN_ALL_EVENTS);
    if (m & IN_ONESHOT)
        printf("|ONESHOT");
    if (m & IN_MASK_ADD)
        printf("|MASK_ADD");
    if (m & IN_EXCL_UNLINK)
        printf("|EXCL_UNLINK");
    if (m & IN_ONLYDIR)
        printf("|ONLYDIR");
    if (m & IN_DONT_FOLLOW)
        printf("|DONT_FOLLOW");
    if (m & IN_MASK_CREATE)
        printf("|MASK_CREATE");
    if (wd < 0) {
        printf(" = -1 %s\n", strerrorname_np(errno));
        return;
    }
    k = widx(i, wd);
    if (k >= 0) {
        printf(" = w%d again\n", k);
        return;
    }
    if (nwatch[i] == NWATCH) {
        printf(" = too many\n");
        return;
    }
    k = nwatch[i]++;
    watches[i][k] = (struct watch){ wd, true };
    printf(" = w%d\n", k);
}

static void fill(int fd)
{
    char b[300];

    memset(b, 'a' + rnd_low(26), sizeof(b));
    if (write(fd, b, 1 + rnd_low(sizeof(b))) < 0)
        printf("  write -1 %s\n", strerrorname_np(errno));
}

static void op(int n)
{
    char p[64], q[64], what[200];
    int fd, s;
    long rc;

    rpath(p, sizeof(p));
    rpath(q, sizeof(q));
    printf("op %d: ", n);
    switch (rnd_low(24)) {
    case 0:
        fd = open(p, O_CREAT | O_WRONLY, 0644);
        snprintf(what, sizeof(what), "creat %s", p);
        result(what, fd < 0 ? -1 : 0);
        if (fd >= 0)
            close(fd);
        break;
    case 1:
        fd = open(p, O_WRONLY | O_APPEND);
        snprintf(what, sizeof(what), "append %s", p);
        result(what, fd < 0 ? -1 : 0);
        if (fd >= 0) {
            fill(fd);
            close(fd);
        }
        break;
    case 2:
        snprintf(what, sizeof(what), "truncate %s", p);
        result(what, truncate(p, rnd_low(600)));
        break;
    case 3:
        fd = open(p, O_RDWR);
        snprintf(what, sizeof(what), "ftruncate %s", p);
        result(what, fd < 0 ? -1 : ftruncate(fd, rnd_low(600)));
        if (fd >= 0)
            close(fd);
        break;
    case 4:
        snprintf(what, sizeof(what), "chmod %s", p);
        result(what, chmod(p, rnd_low(2) ? 0644 : 0755));
        break;
    case 5:
        snprintf(what, sizeof(what), "chown %s", p);
        result(what, rnd_low(2) ? chown(p, getuid(), getgid())
                                : lchown(p, getuid(), -1));
        break;
    case 6: {
        struct timespec ts[2] = { { 1000000 + rnd_low(100), 0 },
                                  { 0, UTIME_NOW } };

        snprintf(what, sizeof(what), "utimensat %s", p);
        result(what, utimensat(AT_FDCWD, p, ts,
                               rnd_low(2) ? AT_SYMLINK_NOFOLLOW : 0));
        break;
    }
    case 7:
        snprintf(what, sizeof(what), "link %s %s", p, q);
        result(what, link(p, q));
        break;
    case 8: {
        const char *t = names[rnd_low(6)];

        snprintf(what, sizeof(what), "symlink %s %s", t, q);
        result(what, symlink(t, q));
        break;
    }
    case 9:
    case 10:
        snprintf(what, sizeof(what), "rename %s %s", p, q);
        result(what, rename(p, q));
        break;
    case 11:
        snprintf(what, sizeof(what), "unlink %s", p);
        result(what, unlink(p));
        break;
    case 12:
        snprintf(what, sizeof(what), "mkdir %s", p);
        result(what, mkdir(p, 0755));
        break;
    case 13:
        snprintf(what, sizeof(what), "rmdir %s", p);
        result(what, rmdir(p));
        break;
    case 14: {
        char b[64];

        fd = open(p, O_RDONLY);
        snprintf(what, sizeof(what), "read %s", p);
        rc = fd < 0 ? -1 : read(fd, b, sizeof(b));
        result(what, rc);
        if (fd >= 0)
            close(fd);
        break;
    }
    case 15: {
        DIR *d = opendir(p);
        int k = 0;

        snprintf(what, sizeof(what), "readdir %s", p);
        if (d) {
            while (readdir(d))
                k++;
            closedir(d);
        }
        result(what, d ? k : -1);
        break;
    }
    case 16:
    case 17:
        s = rnd_low(NSLOT);
        if (slots[s] >= 0) {
            printf("close slot %d (%s)\n", s, slotpath[s]);
            close(slots[s]);
            slots[s] = -1;
        } else {
            int fl = rnd_low(3) == 0 ? O_RDWR
                     : rnd_low(2)    ? O_WRONLY
                                     : O_RDONLY;

            slots[s] = open(p, fl);
            snprintf(slotpath[s], sizeof(slotpath[s]), "%s", p);
            snprintf(what, sizeof(what), "open slot %d %s %d", s, p, fl);
            result(what, slots[s] < 0 ? -1 : 0);
        }
        break;
    case 18:
        s = rnd_low(NSLOT);
        snprintf(what, sizeof(what), "write slot %d", s);
        if (slots[s] < 0) {
            printf("%s: none\n", what);
            break;
        }
        rc = write(slots[s], "slotdata", 8);
        result(what, rc);
        break;
    case 19: {
        struct stat st;
        char *m;

        fd = open(p, O_RDWR);
        snprintf(what, sizeof(what), "mmap %s", p);
        if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
            st.st_size == 0) {
            result(what, fd < 0 ? -1 : 0);
            if (fd >= 0)
                close(fd);
            break;
        }
        m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
                 fd, 0);
        if (m == MAP_FAILED) {
            result(what, -1);
            close(fd);
            break;
        }
        m[0] = 'M';
        rc = msync(m, (size_t)st.st_size, MS_SYNC);
        munmap(m, (size_t)st.st_size);
        close(fd);
        result(what, rc);
        break;
    }
    case 20:
    case 21: {
        int i = rnd_low(NINST);

        add_watch(i, p, rmask());
        break;
    }
    case 22: {
        int i = rnd_low(NINST);
        int k = nwatch[i] ? (int)rnd_low(nwatch[i]) : 0;

        snprintf(what, sizeof(what), "rm_watch i%d w%d", i, k);
        result(what,
               inotify_rm_watch(ino[i], nwatch[i] ? watches[i][k].wd : 12345));
        break;
    }
    default: {
        /* stat and access: no events */
        struct stat st;

        snprintf(what, sizeof(what), "stat %s", p);
        result(what, stat(p, &st));
        break;
    }
    }
    for (int i = 0; i < NINST; i++)
        drain(i);
}

int main(int argc, char **argv)
{
    int nops;

    if (argc != 4) {
        fprintf(stderr, "usage: inotify-fuzz DIR SEED NOPS\n");
        return 2;
    }
    if (chdir(argv[1])) {
        perror(argv[1]);
        return 2;
    }
    rng = strtoull(argv[2], NULL, 0) * 0x9E3779B97F4A7C15ull + 1;
    nops = atoi(argv[3]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    umask(022);
    mkdir("x", 0755);
    mkdir("y", 0755);
    mkdir("x/z", 0755);
    close(open("a", O_CREAT | O_WRONLY, 0644));
    close(open("x/a", O_CREAT | O_WRONLY, 0644));
    close(open("y/b", O_CREAT | O_WRONLY, 0644));
    if (symlink("a", "c"))
        perror("symlink");
    for (int i = 0; i < NINST; i++) {
        ino[i] = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (ino[i] < 0) {
            perror("inotify_init1");
            return 1;
        }
    }
    add_watch(0, ".", IN_ALL_EVENTS);
    add_watch(0, "x", IN_ALL_EVENTS);
    add_watch(1, "y", IN_ALL_EVENTS);
    add_watch(1, "x/a", IN_ALL_EVENTS);
    add_watch(1, "x", IN_MOVE | IN_CREATE | IN_DELETE | IN_ONESHOT);
    for (int n = 0; n < nops; n++)
        op(n);
    for (int s = 0; s < NSLOT; s++)
        if (slots[s] >= 0)
            close(slots[s]);
    printf("end\n");
    for (int i = 0; i < NINST; i++)
        drain(i);
    return 0;
}
