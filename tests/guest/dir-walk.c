/* SPDX-License-Identifier: MIT */
/*
 * Directory iteration, as Linux gives it, for each directory named on
 * the command line: getdents64 with buffers from one entry's size up
 * lists the same entries as one big read (no entry twice, none lost);
 * a buffer too small for the next entry is EINVAL; each entry's d_off,
 * given to lseek(SEEK_SET) or seekdir(), resumes right after it; SEEK_SET
 * 0 starts again; d_type agrees with fstatat's mode where it is known;
 * getdents64 of a file is ENOTDIR and of an O_PATH fd EBADF. kbox makes
 * some listings itself (the root with its binds, /proc, /dev/pts), so
 * their offsets are kbox's.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest-check.h"

#define MAXENT 4096

struct ent {
    char name[256];
    unsigned char type;
    int64_t off;
};

struct list {
    int n;
    struct ent e[MAXENT];
};

static struct list big, small;

static long gd(int fd, void *buf, size_t len)
{
    return syscall(SYS_getdents64, fd, buf, len);
}

/* Read the whole directory from @fd's offset with @len-byte reads. */
static long read_all(int fd, size_t len, struct list *l)
{
    static char buf[1 << 16];
    long n, total = 0;

    l->n = 0;
    while ((n = gd(fd, buf, len)) > 0) {
        for (long p = 0; p < n;) {
            struct dirent64 *d = (struct dirent64 *)(buf + p);

            if (l->n < MAXENT) {
                snprintf(l->e[l->n].name, sizeof(l->e[0].name), "%s",
                         d->d_name);
                l->e[l->n].type = d->d_type;
                l->e[l->n].off = d->d_off;
                l->n++;
            }
            p += d->d_reclen;
        }
        total += n;
    }
    return n < 0 ? -1 : total;
}

static int find(const struct list *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->e[i].name, name))
            return i;
    return -1;
}

/* Entries come and go in /proc (other processes); compare the rest. */
static int volatile_name(const char *dir, const char *name)
{
    return (!strncmp(dir, "/proc", 5) && name[0] >= '0' && name[0] <= '9') ||
           !strncmp(name, "dw-", 3);
}

static void walk(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int dups = 0, lost = 0, badtype = 0, badseek = 0, tries = 0;
    char one[16];

    check(fd >= 0, "%s: open", dir);
    if (fd < 0)
        return;
    check(read_all(fd, 1 << 16, &big) >= 0 && big.n > 0,
          "%s: getdents64 lists %d entries", dir, big.n);
    check(find(&big, ".") >= 0 && find(&big, "..") >= 0, "%s: lists . and ..",
          dir);
    for (int i = 0; i < big.n; i++)
        for (int j = i + 1; j < big.n; j++)
            if (!strcmp(big.e[i].name, big.e[j].name))
                dups++;
    check(!dups, "%s: no name twice (%d)", dir, dups);

    /* too small for any entry: EINVAL, nothing consumed */
    check(lseek(fd, 0, SEEK_SET) == 0, "%s: lseek 0", dir);
    errno = 0;
    check(gd(fd, one, sizeof(one)) == -1 && errno == EINVAL,
          "%s: a %zu-byte buffer is EINVAL", dir, sizeof(one));

    for (size_t len = 280; len <= 1200; len += 460) {
        check(lseek(fd, 0, SEEK_SET) == 0, "%s: rewind for %zu", dir, len);
        check(read_all(fd, len, &small) >= 0, "%s: %zu-byte reads", dir, len);
        lost = 0;
        for (int i = 0; i < big.n; i++)
            if (find(&small, big.e[i].name) < 0 &&
                !volatile_name(dir, big.e[i].name))
                lost++;
        for (int i = 0; i < small.n; i++)
            for (int j = i + 1; j < small.n; j++)
                if (!strcmp(small.e[i].name, small.e[j].name))
                    dups++;
        check(!lost && !dups,
              "%s: %zu-byte reads list the same (%d lost, %d "
              "twice)",
              dir, len, lost, dups);
    }

    /* d_off of entry i resumes at entry i + 1 (when it is still there) */
    for (int i = 0; i + 1 < big.n && tries < 200; i++) {
        char buf[1024];
        struct dirent64 *d = (struct dirent64 *)buf;
        long n;

        if (volatile_name(dir, big.e[i + 1].name))
            continue;
        tries++;
        if (lseek(fd, big.e[i].off, SEEK_SET) < 0) {
            badseek++;
            continue;
        }
        n = gd(fd, buf, sizeof(buf));
        if (n <= 0 || strcmp(d->d_name, big.e[i + 1].name)) {
            if (badseek < 3)
                printf("  # %s: after %s (d_off %lld) came %s, want %s\n", dir,
                       big.e[i].name, (long long)big.e[i].off,
                       n > 0 ? d->d_name : "(end)", big.e[i + 1].name);
            badseek++;
        }
    }
    check(!badseek, "%s: each d_off resumes after its entry (%d of %d wrong)",
          dir, badseek, tries);
    if (big.n > 0) {
        char buf[1024];

        check(lseek(fd, big.e[big.n - 1].off, SEEK_SET) >= 0 &&
                  gd(fd, buf, sizeof(buf)) == 0,
              "%s: the last d_off is the end", dir);
    }

    for (int i = 0; i < big.n; i++) {
        struct stat st;
        unsigned char t = big.e[i].type;

        if (t == DT_UNKNOWN || volatile_name(dir, big.e[i].name))
            continue;
        if (fstatat(fd, big.e[i].name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue; /* gone since */
        if (IFTODT(st.st_mode) != t) {
            printf("  # %s/%s: d_type %d, mode %o\n", dir, big.e[i].name, t,
                   st.st_mode);
            badtype++;
        }
    }
    check(!badtype, "%s: d_type agrees with the mode (%d wrong)", dir, badtype);

    {
        DIR *d = fdopendir(dup(fd));
        long pos[8];
        char names[8][256];
        struct dirent *e;
        int k = 0, ok = 1;

        if (d) {
            rewinddir(d);
            while (k < 8 && (pos[k] = telldir(d)) >= 0 && (e = readdir(d))) {
                snprintf(names[k], sizeof(names[k]), "%s", e->d_name);
                k++;
            }
            for (int i = k - 1; i >= 0; i--) {
                seekdir(d, pos[i]);
                e = readdir(d);
                if (!e || strcmp(e->d_name, names[i]))
                    ok = 0;
            }
            closedir(d);
        }
        check(d && ok, "%s: seekdir back to %d telldir places", dir, k);
    }
    close(fd);
}

int main(int argc, char **argv)
{
    char buf[1024];
    int fd;

    for (int i = 1; i < argc; i++)
        walk(argv[i]);

    fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    errno = 0;
    check(fd >= 0 && gd(fd, buf, sizeof(buf)) == -1 && errno == ENOTDIR,
          "getdents64 of a file: ENOTDIR");
    close(fd);
    fd = open("/", O_PATH | O_CLOEXEC);
    errno = 0;
    check(fd >= 0 && gd(fd, buf, sizeof(buf)) == -1 && errno == EBADF,
          "getdents64 of an O_PATH fd: EBADF");
    close(fd);
    printf("%s dir-walk: %d ok, %d failed\n", n_fail ? "FAIL" : "PASS", n_ok,
           n_fail);
    return n_fail != 0;
}
