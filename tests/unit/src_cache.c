/* SPDX-License-Identifier: MIT */
/* Unit tests: the memfd content cache and its persistent tier. */
#define _GNU_SOURCE
#define KTEST_IMPLEMENTATION
#include "ktest.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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

KTEST(is_at_compares_a_process_fd_with_the_cached_memfd)
{
    struct kbox_cache_key k, other;
    int fd, got, unrelated = memfd_with("hello");

    kbox_cache_clear();
    key(&k, 11, 100);
    key(&other, 12, 100);
    KT_ASSERT(unrelated >= 0);
    fd = memfd_with("hello");
    got = kbox_cache_insert(&k, fd);
    KT_ASSERT(got >= 0);
    /* a dup of the cached memfd is the same open file; a copy is not */
    KT_ASSERT(kbox_cache_is_at(&k, getpid(), got));
    KT_ASSERT(!kbox_cache_is_at(&k, getpid(), unrelated));
    KT_ASSERT(!kbox_cache_is_at(&other, getpid(), got)); /* not cached */
    KT_ASSERT(!kbox_cache_is_at(&k, getpid(), 1 << 20)); /* no such fd */
    close(got);
    close(unrelated);
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

/* Same times and size, another change counter (lx's i_version): a change
 * within one tick of the clock that stamps the times. */
KTEST(changed_version_misses_and_the_inode_is_known)
{
    struct kbox_cache_key k1, k2;
    int a;

    kbox_cache_clear();
    key(&k1, 30, 100);
    k2 = k1;
    k1.version = 4;
    k2.version = 6;
    KT_ASSERT(!kbox_cache_holds_file(1, 30));
    a = kbox_cache_insert(&k1, memfd_with("one"));
    KT_ASSERT(a >= 0);
    KT_EQ(kbox_cache_lookup(&k2), -1);
    KT_ASSERT(kbox_cache_holds_file(1, 30));
    KT_ASSERT(!kbox_cache_holds_file(1, 31));
    KT_ASSERT(!kbox_cache_holds_file(2, 30));
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

/* ---- persistent tier ---------------------------------------------------- */

/* The "image" file the verification reads: a string in memory. */
static long str_pread(void *ctx, void *buf, size_t len, int64_t off)
{
    const char *s = ctx;
    size_t n = strlen(s);

    if ((size_t)off >= n)
        return 0;
    if (len > n - (size_t)off)
        len = n - (size_t)off;
    memcpy(buf, s + off, len);
    return (long)len;
}

static char *tmpdir(void)
{
    static char d[64];

    snprintf(d, sizeof(d), "/tmp/kbox-unit-cache.XXXXXX");
    return mkdtemp(d);
}

static void rm_rf(const char *path)
{
    char cmd[256];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
    KT_EQ(system(cmd), 0);
}

static int count_entries(const char *dir)
{
    char sub[256];
    DIR *d;
    struct dirent *de;
    int n = 0;

    snprintf(sub, sizeof(sub), "%s/%016x", dir, 0x1234);
    d = opendir(sub);
    if (!d)
        return -1;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

static void disk_key(struct kbox_cache_key *k, const char *content,
                     int64_t ctime)
{
    struct kbox_gstat g;

    memset(&g, 0, sizeof(g));
    g.st_dev = 7;
    g.st_ino = 42;
    g.st_size = (int64_t)strlen(content);
    g.st_ctime_sec = ctime;
    kbox_cache_key_from(k, &g, 0);
}

KTEST(disk_store_then_verified_hit)
{
    static char big[10000];
    char *dir = tmpdir(), buf[16] = { 0 };
    struct kbox_cache_key k;
    struct kbox_cache_disk_stats st;
    int fd;

    KT_ASSERT(dir != NULL);
    memset(big, 'a', sizeof(big) - 1);
    big[9000] = 'Z';
    KT_EQ(kbox_cache_disk_open(dir, 0x1234, 7), 0);
    disk_key(&k, big, 5);
    KT_EQ(kbox_cache_disk_lookup(&k, str_pread, big), -1); /* not there */
    fd = memfd_with(big);
    kbox_cache_disk_store(&k, fd);
    close(fd);
    KT_EQ(count_entries(dir), 1);
    kbox_cache_disk_close(); /* a later run */
    KT_EQ(kbox_cache_disk_open(dir, 0x1234, 7), 0);
    fd = kbox_cache_disk_lookup(&k, str_pread, big);
    KT_ASSERT(fd >= 0);
    KT_EQ(pread(fd, buf, 3, 8999), 3);
    KT_STREQ(buf, "aZa");
    close(fd);
    kbox_cache_disk_stats(&st);
    KT_EQ(st.hits, 1);
    KT_EQ(st.rejected, 0);
    kbox_cache_disk_close();
    rm_rf(dir);
}

KTEST(disk_rejects_changed_bytes_and_other_keys)
{
    char *dir = tmpdir();
    char stored[] = "#!/bin/sh\necho AAAA\n", now[] = "#!/bin/sh\necho BBBB\n";
    struct kbox_cache_key k, other;
    struct kbox_cache_disk_stats st;
    int fd;

    KT_ASSERT(dir != NULL);
    KT_EQ(kbox_cache_disk_open(dir, 0x1234, 7), 0);
    disk_key(&k, stored, 5);
    fd = memfd_with(stored);
    kbox_cache_disk_store(&k, fd);
    close(fd);
    disk_key(&other, stored, 6); /* ctime moved: another name */
    KT_EQ(kbox_cache_disk_lookup(&other, str_pread, stored), -1);
    /* Same name, different bytes in the image: rejected and removed. */
    KT_EQ(kbox_cache_disk_lookup(&k, str_pread, now), -1);
    KT_EQ(count_entries(dir), 0);
    kbox_cache_disk_stats(&st);
    KT_EQ(st.rejected, 1);
    KT_EQ(st.hits, 0);
    kbox_cache_disk_close();
    rm_rf(dir);
}

KTEST(disk_wants_files_of_the_root_device)
{
    char *dir = tmpdir();
    struct kbox_cache_key k;

    KT_ASSERT(dir != NULL);
    disk_key(&k, "content", 1);
    KT_ASSERT(!kbox_cache_disk_wants(&k)); /* tier closed */
    KT_EQ(kbox_cache_disk_open(dir, 0x1234, 7), 0);
    KT_ASSERT(kbox_cache_disk_wants(&k));
    k.dev = 8; /* tmpfs, proc...: gone after the run */
    KT_ASSERT(!kbox_cache_disk_wants(&k));
    disk_key(&k, "content", 1);
    k.kind = 1; /* a patched exec image, for interpreter fd 4 */
    k.aux = 4;
    KT_ASSERT(kbox_cache_disk_wants(&k));
    k.aux = -1;
    KT_ASSERT(!kbox_cache_disk_wants(&k));
    disk_key(&k, "", 1);
    KT_ASSERT(!kbox_cache_disk_wants(&k));
    kbox_cache_disk_close();
    rm_rf(dir);
}

/*
 * A host file's key (a bind program) holds its head's checksum: a
 * same-size rewrite within one tick of a coarse host clock keeps (size,
 * mtime, ctime), and only the bytes tell the two apart. Its entries never
 * go to the disk tier and never meet an lx file's.
 */
KTEST(host_key_sees_a_same_size_rewrite)
{
    static char a[3 * KBOX_CACHE_HEAD], b[3 * KBOX_CACHE_HEAD];
    struct kbox_cache_key ka, kb, kc;
    struct kbox_gstat g;
    char *dir = tmpdir();

    KT_ASSERT(dir != NULL);
    memset(&g, 0, sizeof(g));
    g.st_dev = 7;
    g.st_ino = 12;
    g.st_size = sizeof(a);
    g.st_mtime_sec = g.st_ctime_sec = 1700000000;
    for (size_t i = 0; i < sizeof(a); i++)
        a[i] = (char)(i * 7 + 3);
    memcpy(b, a, sizeof(b));
    b[4000] ^= 1; /* one bit in the head (a build-id, a constant) */
    kbox_cache_key_host(&ka, &g, KBOX_CACHE_HOST_PATCHED, a, sizeof(a));
    kbox_cache_key_host(&kb, &g, KBOX_CACHE_HOST_PATCHED, b, sizeof(b));
    KT_ASSERT(memcmp(&ka, &kb, sizeof(ka)) != 0);
    /* the same bytes, as the head alone or the whole copy: one key */
    kbox_cache_key_host(&kc, &g, KBOX_CACHE_HOST_PATCHED, a, KBOX_CACHE_HEAD);
    KT_EQ(memcmp(&ka, &kc, sizeof(ka)), 0);
    /* two 8-byte words swapped */
    memcpy(b, a, sizeof(b));
    memcpy(b + 8, a + 16, 8);
    memcpy(b + 16, a + 8, 8);
    kbox_cache_key_host(&kb, &g, KBOX_CACHE_HOST_PATCHED, b, sizeof(b));
    KT_ASSERT(ka.version != kb.version);
    /* a tail byte, within an odd length */
    kbox_cache_key_host(&kb, &g, KBOX_CACHE_HOST_RAW, a, 13);
    a[12] ^= 1;
    kbox_cache_key_host(&kc, &g, KBOX_CACHE_HOST_RAW, a, 13);
    KT_ASSERT(kb.version != kc.version && kb.version && kc.version);
    /* past the head: not seen (the documented limit) */
    memcpy(b, a, sizeof(b));
    b[KBOX_CACHE_HEAD + 5] ^= 1;
    kbox_cache_key_host(&ka, &g, KBOX_CACHE_HOST_RAW, a, sizeof(a));
    kbox_cache_key_host(&kb, &g, KBOX_CACHE_HOST_RAW, b, sizeof(b));
    KT_EQ(memcmp(&ka, &kb, sizeof(ka)), 0);
    /* not an lx file's key, and not for the disk tier */
    kbox_cache_key_from(&kc, &g, KBOX_CACHE_RAW);
    KT_ASSERT(memcmp(&ka, &kc, sizeof(ka)) != 0);
    KT_EQ(kbox_cache_disk_open(dir, 0x1234, 7), 0);
    KT_ASSERT(kbox_cache_disk_wants(&kc));
    KT_ASSERT(!kbox_cache_disk_wants(&ka));
    kbox_cache_key_host(&kb, &g, KBOX_CACHE_HOST_PATCHED, a, sizeof(a));
    kb.aux = 4;
    KT_ASSERT(!kbox_cache_disk_wants(&kb));
    kbox_cache_disk_close();
    rm_rf(dir);
}

/* Patched images of one file are entries of their own per interpreter
 * fd, apart from its raw content, and verified like it. */
KTEST(disk_patched_images_apart)
{
    char *dir = tmpdir(), buf[8] = { 0 };
    /* same length: a patch pads the interpreter path it shortens */
    char raw[] = "ELF interp=/lib/ld.so", p4[] = "ELF interp=/fd/4.....";
    char p5[] = "ELF interp=/fd/5.....";
    struct kbox_cache_key k0, k4, k5;
    int fd;

    KT_ASSERT(dir != NULL);
    KT_EQ(kbox_cache_disk_open(dir, 0x1234, 7), 0);
    disk_key(&k0, raw, 5);
    k4 = k0;
    k4.kind = 1;
    k4.aux = 4;
    k5 = k4;
    k5.aux = 5;
    fd = memfd_with(raw);
    kbox_cache_disk_store(&k0, fd);
    close(fd);
    fd = memfd_with(p4);
    kbox_cache_disk_store(&k4, fd);
    close(fd);
    KT_EQ(count_entries(dir), 2);
    KT_EQ(kbox_cache_disk_lookup(&k5, str_pread, p5), -1); /* fd 5: none */
    fd = kbox_cache_disk_lookup(&k4, str_pread, p4);
    KT_ASSERT(fd >= 0);
    KT_EQ(pread(fd, buf, 4, 11), 4);
    KT_STREQ(buf, "/fd/");
    close(fd);
    fd = kbox_cache_disk_lookup(&k0, str_pread, raw);
    KT_ASSERT(fd >= 0);
    KT_EQ(pread(fd, buf, 4, 11), 4);
    KT_STREQ(buf, "/lib");
    close(fd);
    kbox_cache_disk_close();
    rm_rf(dir);
}

KTEST(disk_get_fills_memory_tier)
{
    char *dir = tmpdir();
    char data[] = "shared library bytes";
    struct kbox_cache_key k;
    int fd, again;

    KT_ASSERT(dir != NULL);
    kbox_cache_clear();
    KT_EQ(kbox_cache_disk_open(dir, 0x1234, 7), 0);
    disk_key(&k, data, 9);
    fd = memfd_with(data);
    fd = kbox_cache_add(&k, fd); /* memory and disk */
    KT_ASSERT(fd >= 0);
    close(fd);
    kbox_cache_clear(); /* a new run: memory empty, disk kept */
    KT_EQ(kbox_cache_get(&k, NULL, NULL), -1);
    fd = kbox_cache_get(&k, str_pread, data);
    KT_ASSERT(fd >= 0);
    again = kbox_cache_get(&k, NULL, NULL); /* now from memory */
    KT_ASSERT(again >= 0);
    KT_ASSERT(same_file(fd, again));
    close(fd);
    close(again);
    kbox_cache_clear();
    kbox_cache_disk_close();
    rm_rf(dir);
}

KTEST(disk_prune_drops_least_recently_used)
{
    char *dir = tmpdir();
    static char blob[8192];
    struct kbox_cache_key a, b;
    struct timespec old[2] = { { 1000, 0 }, { 1000, 0 } };
    char path[512], name[256];
    DIR *d;
    struct dirent *de;
    int fd;

    KT_ASSERT(dir != NULL);
    memset(blob, 'b', sizeof(blob) - 1);
    KT_EQ(kbox_cache_disk_open(dir, 0x1234, 7), 0);
    disk_key(&a, blob, 1);
    disk_key(&b, blob, 2);
    fd = memfd_with(blob);
    kbox_cache_disk_store(&a, fd);
    kbox_cache_disk_store(&b, fd);
    close(fd);
    KT_EQ(count_entries(dir), 2);
    /* Age entry a: it goes first. */
    snprintf(path, sizeof(path), "%s/%016x", dir, 0x1234);
    d = opendir(path);
    KT_ASSERT(d != NULL);
    name[0] = '\0';
    while ((de = readdir(d)))
        if (strstr(de->d_name, "-1.0") && de->d_name[0] != '.')
            snprintf(name, sizeof(name), "%s", de->d_name);
    closedir(d);
    KT_ASSERT(name[0] != '\0');
    snprintf(path, sizeof(path), "%s/%016x/%s", dir, 0x1234, name);
    KT_EQ(utimensat(AT_FDCWD, path, old, 0), 0);
    kbox_cache_disk_prune(1LL << 30); /* under the cap: nothing goes */
    KT_EQ(count_entries(dir), 2);
    kbox_cache_disk_prune(12000); /* room for one */
    KT_EQ(count_entries(dir), 1);
    KT_EQ(access(path, F_OK), -1);
    kbox_cache_disk_prune(0);
    KT_EQ(count_entries(dir), 0);
    kbox_cache_disk_close();
    rm_rf(dir);
}

/* mkdir DIR/@name with mtime @sec (0: now) */
static void sub_dir(const char *dir, const char *name, time_t sec)
{
    struct timespec t[2] = { { sec, 0 }, { sec, 0 } };
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    mkdir(path, 0700);
    if (sec)
        utimensat(AT_FDCWD, path, t, 0);
}

static bool sub_exists(const char *dir, const char *name)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static long long usage_of(const char *dir)
{
    char path[512], b[32] = { 0 };
    int fd;

    snprintf(path, sizeof(path), "%s/.usage", dir);
    fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    if (read(fd, b, sizeof(b) - 1) <= 0)
        b[0] = '\0';
    close(fd);
    return b[0] ? atoll(b) : -1;
}

KTEST(disk_prune_removes_old_empty_image_dirs)
{
    char *dir = tmpdir(), path[512];
    int fd;

    KT_ASSERT(dir != NULL);
    KT_EQ(kbox_cache_disk_open(dir, 0x1234, 7), 0);
    sub_dir(dir, "00000000000000aa", 1000); /* empty, old: goes */
    sub_dir(dir, "00000000000000bb", 0);    /* empty, new: a run's */
    sub_dir(dir, "00000000000000cc", 1000); /* old, with an entry */
    snprintf(path, sizeof(path), "%s/00000000000000cc/e", dir);
    fd = open(path, O_CREAT | O_WRONLY, 0600);
    KT_ASSERT(fd >= 0);
    close(fd);
    sub_dir(dir, "0000000000001234", 1000); /* ours, empty and old */
    kbox_cache_disk_prune(1LL << 30);
    KT_ASSERT(!sub_exists(dir, "00000000000000aa"));
    KT_ASSERT(sub_exists(dir, "00000000000000bb"));
    KT_ASSERT(sub_exists(dir, "00000000000000cc"));
    KT_ASSERT(sub_exists(dir, "0000000000001234"));
    kbox_cache_disk_close();
    rm_rf(dir);
}

KTEST(disk_prune_walks_only_past_the_count)
{
    char *dir = tmpdir();
    static char blob[8192];
    struct kbox_cache_key a, b;
    int fd;

    KT_ASSERT(dir != NULL);
    memset(blob, 'c', sizeof(blob) - 1);
    KT_EQ(kbox_cache_disk_open(dir, 0x1234, 7), 0);
    disk_key(&a, blob, 1);
    disk_key(&b, blob, 2);
    fd = memfd_with(blob);
    kbox_cache_disk_store(&a, fd);
    kbox_cache_disk_prune(1LL << 30); /* no count yet: walks */
    KT_EQ(usage_of(dir), 8192);
    sub_dir(dir, "00000000000000aa", 1000);
    kbox_cache_disk_prune(1LL << 30); /* under the count: no walk */
    KT_ASSERT(sub_exists(dir, "00000000000000aa"));
    KT_EQ(usage_of(dir), 8192);
    kbox_cache_disk_store(&b, fd);
    close(fd);
    KT_EQ(count_entries(dir), 2);
    kbox_cache_disk_prune(12000); /* 8192 + 8192 stored: walks */
    KT_ASSERT(!sub_exists(dir, "00000000000000aa"));
    KT_EQ(count_entries(dir), 1);
    KT_EQ(usage_of(dir), 8192);
    kbox_cache_disk_close();
    rm_rf(dir);
}

KTEST(disk_open_refuses_unusable_dir)
{
    char *dir = tmpdir(), file[128];
    int fd;

    KT_ASSERT(dir != NULL);
    snprintf(file, sizeof(file), "%s/file", dir);
    fd = open(file, O_CREAT | O_WRONLY, 0600);
    KT_ASSERT(fd >= 0);
    close(fd);
    strcat(file, "/sub");
    KT_ASSERT(kbox_cache_disk_open(file, 0x1234, 7) < 0);
    KT_ASSERT(kbox_cache_disk_open("", 0x1234, 7) < 0);
    kbox_cache_disk_close();
    rm_rf(dir);
}

int main(int argc, char **argv)
{
    return ktest_main(argc, argv);
}
