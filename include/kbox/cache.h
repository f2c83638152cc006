/* SPDX-License-Identifier: MIT */
/*
 * Content cache: sealed memfds holding copies of kernel-side files, keyed
 * by (dev, ino, size, mtime, ctime, change counter) so a changed file gets
 * a new copy (the times come from a coarse clock: the counter tells apart
 * changes within one of its ticks).
 * Used for mmap shadows and for exec images. The cache owns the fds.
 */
#ifndef KBOX_CACHE_H
#define KBOX_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kbox_gstat;

struct kbox_cache_key {
    uint64_t dev, ino;
    int64_t size, mtime, mtime_ns, ctime, ctime_ns;
    /* lx_task_file_version(), set by the caller; for a host file, which
     * has no counter the host tells, kbox_cache_head_sum() of its head */
    uint64_t version;
    int kind; /* KBOX_CACHE_* */
    int aux;  /* a patched image: guest fd number of the interpreter */
};

/* What an entry holds: an lx file's content or patched exec image, or a
 * host file's (a bind program: never on disk, never an lx file's). */
#define KBOX_CACHE_RAW          0
#define KBOX_CACHE_PATCHED      1
#define KBOX_CACHE_HOST_RAW     2
#define KBOX_CACHE_HOST_PATCHED 3
/* How much of a host file's head kbox_cache_key_host() checks. */
#define KBOX_CACHE_HEAD         (16 * 1024)

void kbox_cache_key_from(struct kbox_cache_key *k, const struct kbox_gstat *g,
                         int kind);
/* A checksum of @len bytes at @p (never 0: a key's version). */
uint64_t kbox_cache_head_sum(const void *p, size_t len);
/*
 * The key of a host file's content (@kind KBOX_CACHE_HOST_*) from its
 * stat and its first bytes (@head, @len: up to KBOX_CACHE_HEAD, the
 * whole file when shorter). The host's inode change counter (i_version,
 * STATX_CHANGE_COOKIE) is not given to user space, and a host with
 * coarse timestamps keeps (mtime, ctime) across a same-size rewrite
 * within one tick: the head's checksum tells such a rewrite apart
 * wherever it changes the headers, the build-id note or the code near
 * them (a relinked program always does).
 */
void kbox_cache_key_host(struct kbox_cache_key *k, const struct kbox_gstat *g,
                         int kind, const void *head, size_t len);
/* Is some content of inode (@dev, @ino) in memory (any size, version)? */
bool kbox_cache_holds_file(uint64_t dev, uint64_t ino);
/* A dup of the cached memfd for @k (caller closes it), or -1. */
int kbox_cache_lookup(const struct kbox_cache_key *k);
/* Is guest @pid's fd @gfd the cached memfd for @k? (no dup of it) */
bool kbox_cache_is_at(const struct kbox_cache_key *k, pid_t pid, int gfd);
/* Insert @fd (ownership passes to the cache); returns a dup of the cached
 * fd (caller closes it), or -errno. */
int kbox_cache_insert(const struct kbox_cache_key *k, int fd);
/* Drop everything. */
void kbox_cache_clear(void);

/* Reads @len bytes at @off of the kernel-side file (for verification). */
typedef long (*kbox_cache_pread)(void *ctx, void *buf, size_t len, int64_t off);
/*
 * kbox_cache_lookup, then the persistent tier (verified with @rd; NULL:
 * memory only). A dup of the content fd (caller closes it), or -1.
 */
int kbox_cache_get(const struct kbox_cache_key *k, kbox_cache_pread rd,
                   void *ctx);
/* Insert a new copy made from the kernel (also stored on disk when the
 * persistent tier wants it); returns like kbox_cache_insert. */
int kbox_cache_add(const struct kbox_cache_key *k, int fd);

/*
 * Persistent tier (src/exec/diskcache.c): raw content (kind 0) and
 * patched exec images (kind 1) of files on the root image's device @dev
 * kept as files in DIR/<fsid>/ across runs, named by inode, size, mtime,
 * ctime and change counter (and the interpreter's fd number), checked at first
 * use in a run against what the image gives for their first and last 4 KiB
 * (@rd: patched the same way for kind 1).
 */
struct kbox_cache_disk_stats {
    unsigned long hits, misses, stores, rejected;
};
int kbox_cache_disk_open(const char *dir, uint64_t fsid, uint64_t dev);
bool kbox_cache_disk_wants(const struct kbox_cache_key *k);
/* A read-only fd with the content of @k, or -1. */
int kbox_cache_disk_lookup(const struct kbox_cache_key *k, kbox_cache_pread rd,
                           void *ctx);
/* Save the content in @fd (size k->size) for later runs; best effort. */
void kbox_cache_disk_store(const struct kbox_cache_key *k, int fd);
void kbox_cache_disk_stats(struct kbox_cache_disk_stats *s);
/* Remove the least recently used entries of all images beyond @max_bytes. */
void kbox_cache_disk_prune(long long max_bytes);
/* Entries of the persistent tier, all images together. */
#define KBOX_CONTENT_CACHE_MAX (512LL << 20)
void kbox_cache_disk_close(void);
/* The persistent tier's directory of this image (an fd), or -1; takes
 * no lock: a forked child asks (src/exec/execlock.c). */
int kbox_cache_disk_dir(void);

#endif
