/* SPDX-License-Identifier: MIT */
/* Content cache of sealed memfds (see include/kbox/cache.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <pthread.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kbox/abi.h"
#include "kbox/cache.h"

#define SLOTS 64

static struct {
    struct kbox_cache_key key;
    int fd;
    unsigned long used;
} slots[SLOTS];
static unsigned long tick;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void kbox_cache_key_from(struct kbox_cache_key *k, const struct kbox_gstat *g,
                         int kind)
{
    memset(k, 0, sizeof(*k));
    k->dev = g->st_dev;
    k->ino = g->st_ino;
    k->size = g->st_size;
    k->mtime = g->st_mtime_sec;
    k->mtime_ns = (int64_t)g->st_mtime_nsec;
    k->ctime = g->st_ctime_sec;
    k->ctime_ns = (int64_t)g->st_ctime_nsec;
    k->kind = kind;
}

uint64_t kbox_cache_head_sum(const void *p, size_t len)
{
    const unsigned char *b = p;
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
    size_t i = 0;

    /* 8 bytes a step (~1 us for 16 KiB): the order of words counts */
    for (; i + 8 <= len; i += 8) {
        uint64_t w;

        memcpy(&w, b + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h ? h : 1;
}

void kbox_cache_key_host(struct kbox_cache_key *k, const struct kbox_gstat *g,
                         int kind, const void *head, size_t len)
{
    kbox_cache_key_from(k, g, kind);
    k->version = kbox_cache_head_sum(
        head, len < KBOX_CACHE_HEAD ? len : KBOX_CACHE_HEAD);
}

static int find(const struct kbox_cache_key *k)
{
    for (int i = 0; i < SLOTS; i++)
        if (slots[i].used && !memcmp(&slots[i].key, k, sizeof(*k)))
            return i;
    return -1;
}

bool kbox_cache_holds_file(uint64_t dev, uint64_t ino)
{
    bool found = false;

    pthread_mutex_lock(&lock);
    for (int i = 0; i < SLOTS && !found; i++)
        found =
            slots[i].used && slots[i].key.dev == dev && slots[i].key.ino == ino;
    pthread_mutex_unlock(&lock);
    return found;
}

int kbox_cache_lookup(const struct kbox_cache_key *k)
{
    int i, fd = -1;

    pthread_mutex_lock(&lock);
    i = find(k);
    if (i >= 0) {
        slots[i].used = ++tick;
        fd = fcntl(slots[i].fd, F_DUPFD_CLOEXEC, 0);
    }
    pthread_mutex_unlock(&lock);
    return fd;
}

bool kbox_cache_is_at(const struct kbox_cache_key *k, pid_t pid, int gfd)
{
    static pid_t self;
    bool same = false;
    int i;

    if (!self)
        self = getpid();
    pthread_mutex_lock(&lock);
    i = find(k);
    if (i >= 0) {
        slots[i].used = ++tick;
        same = syscall(SYS_kcmp, pid, self, KCMP_FILE, gfd, slots[i].fd) == 0;
    }
    pthread_mutex_unlock(&lock);
    return same;
}

int kbox_cache_insert(const struct kbox_cache_key *k, int fd)
{
    int i, victim = 0;

    pthread_mutex_lock(&lock);
    i = find(k);
    if (i >= 0) {
        int have = fcntl(slots[i].fd, F_DUPFD_CLOEXEC, 0);
        pthread_mutex_unlock(&lock);
        close(fd);
        return have < 0 ? -errno : have;
    }
    for (i = 0; i < SLOTS; i++) {
        if (!slots[i].used) {
            victim = i;
            break;
        }
        if (slots[i].used < slots[victim].used)
            victim = i;
    }
    /*
     * An evicted memfd may still be mapped or executing in a guest: that
     * holds its own reference. Nothing here refers to it by number
     * afterwards except exec aliases, which are rebuilt per exec.
     */
    if (slots[victim].used)
        close(slots[victim].fd);
    slots[victim].key = *k;
    slots[victim].fd = fd;
    slots[victim].used = ++tick;
    fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    pthread_mutex_unlock(&lock);
    return fd < 0 ? -errno : fd;
}

void kbox_cache_clear(void)
{
    pthread_mutex_lock(&lock);
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].used)
            close(slots[i].fd);
        slots[i].used = 0;
    }
    pthread_mutex_unlock(&lock);
}

int kbox_cache_get(const struct kbox_cache_key *k, kbox_cache_pread rd,
                   void *ctx)
{
    int fd = kbox_cache_lookup(k);

    if (fd >= 0 || !rd)
        return fd;
    fd = kbox_cache_disk_lookup(k, rd, ctx);
    if (fd < 0)
        return -1;
    fd = kbox_cache_insert(k, fd);
    return fd < 0 ? -1 : fd;
}

int kbox_cache_add(const struct kbox_cache_key *k, int fd)
{
    kbox_cache_disk_store(k, fd);
    return kbox_cache_insert(k, fd);
}
