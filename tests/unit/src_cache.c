/* SPDX-License-Identifier: MIT */
/* Unit tests: the memfd content cache. */
#define _GNU_SOURCE
#define KTEST_IMPLEMENTATION
#include "ktest.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kbox/abi.h"
#include "kbox/cache.h"

static int memfd_with(const char *s)
{
    int fd = memfd_create("t", MFD_CLOEXEC);

    if (fd >= 0 && write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
        close(fd);
        return -1;
    }
    return fd;
}

static void key(struct kbox_cache_key *k, uint64_t ino, int64_t mtime)
{
    struct kbox_gstat g;

    memset(&g, 0, sizeof(g));
    g.st_dev = 1;
    g.st_ino = ino;
    g.st_size = 5;
    g.st_mtime_sec = mtime;
    kbox_cache_key_from(k, &g, 0);
}

static int same_file(int a, int b)
{
    struct stat x, y;

    return !fstat(a, &x) && !fstat(b, &y) && x.st_ino == y.st_ino &&
           x.st_dev == y.st_dev;
}

KTEST(insert_lookup_dup)
{
    struct kbox_cache_key k;
    int fd, got, again;

    kbox_cache_clear();
    key(&k, 10, 100);
    KT_EQ(kbox_cache_lookup(&k), -1);
    fd = memfd_with("hello");
    got = kbox_cache_insert(&k, fd);
    KT_ASSERT(got >= 0);
    KT_ASSERT(got != fd); /* a dup: the cache keeps its own */
    again = kbox_cache_lookup(&k);
    KT_ASSERT(again >= 0);
    KT_ASSERT(same_file(got, again));
    close(got);
    close(again);
}

KTEST(changed_file_misses)
{
    struct kbox_cache_key k1, k2;
    int a;

    kbox_cache_clear();
    key(&k1, 20, 100);
    key(&k2, 20, 101); /* same inode, modified */
    a = kbox_cache_insert(&k1, memfd_with("one"));
    KT_ASSERT(a >= 0);
    KT_EQ(kbox_cache_lookup(&k2), -1);
    close(a);
}

KTEST(race_insert_returns_existing)
{
    struct kbox_cache_key k;
    int a, b;

    kbox_cache_clear();
    key(&k, 30, 1);
    a = kbox_cache_insert(&k, memfd_with("first"));
    b = kbox_cache_insert(&k, memfd_with("second"));
    KT_ASSERT(a >= 0 && b >= 0);
    KT_ASSERT(same_file(a, b));
    close(a);
    close(b);
}

KTEST(eviction_keeps_handed_out_fds_valid)
{
    struct kbox_cache_key k;
    int first, fd;
    char buf[8] = { 0 };

    kbox_cache_clear();
    key(&k, 1000, 1);
    first = kbox_cache_insert(&k, memfd_with("keep!"));
    KT_ASSERT(first >= 0);
    for (int i = 0; i < 200; i++) {
        struct kbox_cache_key kk;

        key(&kk, 2000 + (uint64_t)i, 1);
        fd = kbox_cache_insert(&kk, memfd_with("x"));
        KT_ASSERT(fd >= 0);
        close(fd);
    }
    KT_EQ(kbox_cache_lookup(&k), -1);  /* evicted */
    KT_EQ(pread(first, buf, 5, 0), 5); /* our dup still works */
    KT_STREQ(buf, "keep!");
    close(first);
    kbox_cache_clear();
}

int main(int argc, char **argv)
{
    return ktest_main(argc, argv);
}
