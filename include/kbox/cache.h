/* SPDX-License-Identifier: MIT */
/*
 * Content cache: sealed memfds holding copies of kernel-side files, keyed
 * by (dev, ino, size, mtime, ctime) so a changed file gets a new copy.
 * Used for mmap shadows and for exec images. The cache owns the fds.
 */
#ifndef KBOX_CACHE_H
#define KBOX_CACHE_H

#include <stdint.h>

struct kbox_gstat;

struct kbox_cache_key {
    uint64_t dev, ino;
    int64_t size, mtime, mtime_ns, ctime, ctime_ns;
    int kind; /* 0 = raw content, 1 = patched exec image */
    int aux;  /* kind 1: guest fd number of the interpreter */
};

void kbox_cache_key_from(struct kbox_cache_key *k, const struct kbox_gstat *g,
                         int kind);
/* A dup of the cached memfd for @k (caller closes it), or -1. */
int kbox_cache_lookup(const struct kbox_cache_key *k);
/* Insert @fd (ownership passes to the cache); returns a dup of the cached
 * fd (caller closes it), or -errno. */
int kbox_cache_insert(const struct kbox_cache_key *k, int fd);
/* Drop everything. */
void kbox_cache_clear(void);

#endif
