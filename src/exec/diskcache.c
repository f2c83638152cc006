/* SPDX-License-Identifier: MIT */
/*
 * Persistent tier of the content cache (see include/kbox/cache.h).
 *
 * Copying a library or program out of the image costs ~1 ms per MiB
 * through lx; a dynamic program's first start pays it for ld.so, libc and
 * every library it maps, on every kbox run. This tier keeps those copies
 * as plain files in DIR/<fsid>/ so later runs map them straight away.
 *
 * Only files of the root image qualify (other lx filesystems do not
 * outlive the run). A file is named by its inode, size, mtime, ctime and
 * change counter; any write through lx changes the counter (ctime only
 * once per tick of its clock), so a modified file gets a new name.
 * Images rebuilt with a fixed UUID and fixed times (reproducible builds)
 * can repeat all of those for different content, so the first use of an
 * entry in a run also compares its first and last 4 KiB with the image
 * (ELF headers, the build-id note and the section table live there); a
 * mismatch replaces the entry.
 *
 * Dynamic programs are kept a second time as the patched image exec runs
 * (PT_INTERP naming /proc/thread-self/fd/<n>), named with <n> too and
 * compared with the image's bytes patched the same way: copying and patching
 * python3's 6.5 MiB took ~8 ms of every start.
 *
 * Entries are written under a temporary name (or O_TMPFILE) and linked
 * into place, so a reader never sees a partial file; a crash can leave
 * zero-filled data, which the comparison also rejects.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "kbox/cache.h"

#define PROBE         4096
#define MAX_ENTRY     (64L << 20)
/* Bytes a run stores between two prunes (and at its end). */
#define PRUNE_EVERY   (KBOX_CONTENT_CACHE_MAX / 8)
/* An image's subdirectory left empty this long is removed by a prune. */
#define EMPTY_DIR_AGE 3600

static struct {
    pthread_mutex_t lock;
    int dirfd; /* DIR/<fsid>, or -1: tier off */
    int topfd; /* DIR */
    uint64_t dev;
    bool noexec; /* DIR is mounted noexec: hand out memfd copies */
    struct kbox_cache_disk_stats st;
    long long stored; /* bytes this run stored, not yet in DIR/.usage */
    char sub[32];     /* the name of DIR/<fsid> */
} dc = { PTHREAD_MUTEX_INITIALIZER, -1, -1, 0, false, { 0 }, 0, "" };

static void entry_name(const struct kbox_cache_key *k, char *out, size_t len)
{
    int n = snprintf(out, len,
                     "%" PRIx64 "-%" PRIx64 "-%" PRIx64 ".%" PRIx64 "-%" PRIx64
                     ".%" PRIx64 "-v%" PRIx64,
                     k->ino, (uint64_t)k->size, (uint64_t)k->mtime,
                     (uint64_t)k->mtime_ns, (uint64_t)k->ctime,
                     (uint64_t)k->ctime_ns, k->version);

    /* a patched exec image: its interpreter's fd number in the name
     * ("-t": PT_INTERP names /proc/thread-self, see exec.c) */
    if (k->kind == 1 && n > 0 && (size_t)n < len)
        snprintf(out + n, len - (size_t)n, "-t%d", k->aux);
}

int kbox_cache_disk_open(const char *dir, uint64_t fsid, uint64_t dev)
{
    char sub[32];
    struct statvfs sv;
    int top, fd;

    kbox_cache_disk_close();
    if (!dir || !*dir)
        return -EINVAL;
    mkdir(dir, 0700); /* its parent is the caller's business */
    top = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (top < 0)
        return -errno;
    snprintf(sub, sizeof(sub), "%016" PRIx64, fsid);
    if (mkdirat(top, sub, 0700) && errno != EEXIST) {
        int e = -errno;
        close(top);
        return e;
    }
    fd = openat(top, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || faccessat(fd, ".", W_OK | X_OK, AT_EACCESS)) {
        int e = -errno;
        if (fd >= 0)
            close(fd);
        close(top);
        return e;
    }
    pthread_mutex_lock(&dc.lock);
    dc.topfd = top;
    dc.dirfd = fd;
    dc.stored = 0;
    memcpy(dc.sub, sub, sizeof(dc.sub));
    dc.dev = dev;
    dc.noexec = fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_NOEXEC);
    pthread_mutex_unlock(&dc.lock);
    return 0;
}

int kbox_cache_disk_dir(void)
{
    return __atomic_load_n(&dc.dirfd, __ATOMIC_RELAXED);
}

bool kbox_cache_disk_wants(const struct kbox_cache_key *k)
{
    return dc.dirfd >= 0 && (k->kind == 0 || (k->kind == 1 && k->aux >= 0)) &&
           k->dev == dc.dev && k->size > 0 && k->size <= MAX_ENTRY;
}

/* Compare @len bytes at @off of the entry @fd and of the image file. */
static bool same_bytes(int fd, int64_t off, size_t len, kbox_cache_pread rd,
                       void *ctx)
{
    char a[PROBE], b[PROBE];
    size_t got = 0;

    while (got < len) {
        long n = rd(ctx, b + got, len - got, off + (int64_t)got);
        if (n <= 0)
            return false;
        got += (size_t)n;
    }
    return pread(fd, a, len, off) == (ssize_t)len && !memcmp(a, b, len);
}

/* Write the first @size bytes of @fd to @out; true if all were written. */
static bool copy_all(int out, int fd, size_t size)
{
    void *src = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    size_t off = 0;

    if (src == MAP_FAILED)
        return false;
    while (off < size) {
        ssize_t n = write(out, (char *)src + off, size - off);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    munmap(src, size);
    return off == size;
}

/* A private memfd copy of @fd (for a noexec cache directory). */
static int memfd_copy(int fd, size_t size)
{
    int m = memfd_create("kbox-file", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    if (m < 0)
        return -1;
    if (!copy_all(m, fd, size)) {
        close(m);
        return -1;
    }
    fcntl(m, F_ADD_SEALS,
          F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    return m;
}

int kbox_cache_disk_lookup(const struct kbox_cache_key *k, kbox_cache_pread rd,
                           void *ctx)
{
    char name[160];
    struct stat st;
    size_t size = (size_t)k->size, head, tail;
    int fd = -1;
    bool ok;

    if (!kbox_cache_disk_wants(k))
        return -1;
    entry_name(k, name, sizeof(name));
    /*
     * The entry itself answers: a miss is a failed open (~2 us). Listing
     * the directory at the first lookup instead cost every run ~0.1 ms
     * per 60 entries (0.7 ms with 700: the cache keeps growing up to its
     * limit), most of them files the run never asks for.
     */
    fd = openat(dc.dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        pthread_mutex_lock(&dc.lock);
        dc.st.misses++;
        pthread_mutex_unlock(&dc.lock);
        return -1;
    }
    head = size < PROBE ? size : PROBE;
    tail = size - head < PROBE ? size - head : PROBE;
    ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
         st.st_size == (off_t)size && same_bytes(fd, 0, head, rd, ctx) &&
         (!tail || same_bytes(fd, (int64_t)(size - tail), tail, rd, ctx));
    pthread_mutex_lock(&dc.lock);
    if (!ok) {
        dc.st.rejected++;
        pthread_mutex_unlock(&dc.lock);
        close(fd);
        unlinkat(dc.dirfd, name, 0); /* replaced by the next store */
        return -1;
    }
    dc.st.hits++;
    pthread_mutex_unlock(&dc.lock);
    futimens(fd, NULL); /* recently used: pruning keeps it */
    if (dc.noexec) {
        int m = memfd_copy(fd, size);
        close(fd);
        return m;
    }
    return fd;
}

void kbox_cache_disk_store(const struct kbox_cache_key *k, int fd)
{
    char name[160], tmp[64];
    size_t size = (size_t)k->size;
    int out;
    bool linked = false, due;

    if (!kbox_cache_disk_wants(k))
        return;
    entry_name(k, name, sizeof(name));
    out = openat(dc.dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0700);
    tmp[0] = '\0';
    if (out < 0) {
        snprintf(tmp, sizeof(tmp), ".tmp-%d-%p", (int)getpid(), (void *)&out);
        out = openat(dc.dirfd, tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
                     0700);
        if (out < 0)
            return;
    }
    if (copy_all(out, fd, size)) {
        if (tmp[0]) {
            linked = renameat(dc.dirfd, tmp, dc.dirfd, name) == 0;
        } else {
            char self[64];

            snprintf(self, sizeof(self), "/proc/self/fd/%d", out);
            linked = linkat(AT_FDCWD, self, dc.dirfd, name,
                            AT_SYMLINK_FOLLOW) == 0 ||
                     errno == EEXIST;
        }
    }
    if (!linked && tmp[0])
        unlinkat(dc.dirfd, tmp, 0);
    {
        struct stat st;

        pthread_mutex_lock(&dc.lock);
        if (linked) {
            dc.st.stores++;
            if (!fstat(out, &st))
                dc.stored += (long long)st.st_blocks * 512;
        }
        due = dc.stored >= PRUNE_EVERY;
        pthread_mutex_unlock(&dc.lock);
    }
    close(out);
    /*
     * Pruned at exit only, the cache grew without bound during a run: a
     * session that rebuilt and ran a program kept every version (python3
     * copied 120 times: 1.5 GiB). Entries in use stay readable when
     * unlinked, as they do when another run prunes.
     */
    if (due)
        kbox_cache_disk_prune(KBOX_CONTENT_CACHE_MAX);
}

void kbox_cache_disk_stats(struct kbox_cache_disk_stats *s)
{
    pthread_mutex_lock(&dc.lock);
    *s = dc.st;
    pthread_mutex_unlock(&dc.lock);
}

struct entry {
    int dir;
    char name[160];
    off_t size;
    struct timespec used;
};

/* Remove DIR/@name (open as @sfd, empty when listed) if unchanged for
 * EMPTY_DIR_AGE: a run that has just made it for its image keeps it. */
static void remove_if_stale(int sfd, const char *name)
{
    struct timespec now;
    struct stat st;

    if (!fstat(sfd, &st) && !clock_gettime(CLOCK_REALTIME, &now) &&
        now.tv_sec - st.st_mtim.tv_sec > EMPTY_DIR_AGE)
        unlinkat(dc.topfd, name, AT_REMOVEDIR); /* fails if refilled */
}

static int cmp_used(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    if (x->used.tv_sec != y->used.tv_sec)
        return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
    if (x->used.tv_nsec != y->used.tv_nsec)
        return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
    return 0;
}

/*
 * Collect the entries of every image's subdirectory of DIR. A
 * subdirectory with none, unchanged for EMPTY_DIR_AGE, is removed: every
 * image a run was ever given (test images made with new UUIDs) left one,
 * and they only accumulated (489 empty of 501 on a developer's machine).
 */
static size_t collect(struct entry **out, int **dirs, size_t *ndirs)
{
    struct entry *v = NULL;
    size_t n = 0, cap = 0;
    int top = openat(dc.topfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = top >= 0 ? fdopendir(top) : NULL;
    struct dirent *de;

    *dirs = NULL;
    *ndirs = 0;
    if (!d) {
        if (top >= 0)
            close(top);
        return 0;
    }
    while ((de = readdir(d))) {
        int sfd;
        DIR *s;
        struct dirent *e;
        int *nd;

        if (de->d_name[0] == '.')
            continue;
        sfd = openat(dc.topfd, de->d_name,
                     O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (sfd < 0)
            continue;
        nd = realloc(*dirs, (*ndirs + 1) * sizeof(int));
        if (!nd || !(s = fdopendir(dup(sfd)))) {
            if (nd)
                *dirs = nd;
            close(sfd);
            continue;
        }
        *dirs = nd;
        nd[(*ndirs)++] = sfd;
        size_t before = n;
        bool other = false; /* a name that is no entry (a temporary) */

        while ((e = readdir(s))) {
            struct stat st;

            if (e->d_name[0] == '.' && strcmp(e->d_name, ".") &&
                strcmp(e->d_name, ".."))
                other = true;
            if (e->d_name[0] == '.' ||
                fstatat(sfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
                !S_ISREG(st.st_mode) || strlen(e->d_name) >= 160)
                continue;
            if (n == cap) {
                struct entry *nv;
                cap = cap ? cap * 2 : 256;
                nv = realloc(v, cap * sizeof(*v));
                if (!nv)
                    break;
                v = nv;
            }
            v[n].dir = sfd;
            memcpy(v[n].name, e->d_name, strlen(e->d_name) + 1);
            v[n].size = st.st_blocks * 512;
            v[n].used = st.st_mtim;
            n++;
        }
        closedir(s);
        if (n == before && !other && strcmp(de->d_name, dc.sub))
            remove_if_stale(sfd, de->d_name);
    }
    closedir(d);
    *out = v;
    return n;
}

/* The byte count in DIR/.usage (@fd), or -1: none or unreadable. */
static long long usage_read(int fd)
{
    char b[32], *end;
    ssize_t n = pread(fd, b, sizeof(b) - 1, 0);
    long long v;

    if (n <= 0)
        return -1;
    b[n] = '\0';
    v = strtoll(b, &end, 10);
    return end == b || *end != '\n' || v < 0 ? -1 : v;
}

static void usage_write(int fd, long long v)
{
    char b[32];
    int n = snprintf(b, sizeof(b), "%lld\n", v);

    if (!ftruncate(fd, 0) && pwrite(fd, b, (size_t)n, 0) != n)
        ftruncate(fd, 0); /* unreadable: the next prune counts again */
}

/*
 * DIR/.usage holds what the entries take: the count of the last walk
 * plus what runs have stored since (each adds its own under the file's
 * lock). The whole tree is walked only when that passes @max_bytes or
 * the count is missing: a walk costs ~10 us per image's subdirectory,
 * and ran at the end of every run that stored anything. Entries removed
 * by others only make the count high, so the next walk comes early.
 */
void kbox_cache_disk_prune(long long max_bytes)
{
    struct entry *v = NULL;
    int *dirs, u;
    size_t n, ndirs;
    long long total = 0, known = -1;

    if (dc.topfd < 0)
        return;
    u = openat(dc.topfd, ".usage", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
               0600);
    if (u >= 0 && !flock(u, LOCK_EX))
        known = usage_read(u);
    pthread_mutex_lock(&dc.lock);
    if (known >= 0 && known + dc.stored <= max_bytes) {
        usage_write(u, known + dc.stored);
        dc.stored = 0;
        pthread_mutex_unlock(&dc.lock);
        close(u);
        return;
    }
    dc.stored = 0; /* the walk counts them */
    pthread_mutex_unlock(&dc.lock);
    n = collect(&v, &dirs, &ndirs);
    for (size_t i = 0; i < n; i++)
        total += v[i].size;
    if (total > max_bytes && n) {
        qsort(v, n, sizeof(*v), cmp_used);
        for (size_t i = 0; i < n && total > max_bytes; i++)
            if (!unlinkat(v[i].dir, v[i].name, 0))
                total -= v[i].size;
    }
    for (size_t i = 0; i < ndirs; i++)
        close(dirs[i]);
    free(dirs);
    free(v);
    if (u >= 0) {
        usage_write(u, total);
        close(u); /* and its lock */
    }
}

void kbox_cache_disk_close(void)
{
    pthread_mutex_lock(&dc.lock);
    if (dc.dirfd >= 0)
        close(dc.dirfd);
    if (dc.topfd >= 0)
        close(dc.topfd);
    dc.dirfd = dc.topfd = -1;
    memset(&dc.st, 0, sizeof(dc.st));
    pthread_mutex_unlock(&dc.lock);
}
