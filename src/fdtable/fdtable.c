/* SPDX-License-Identifier: MIT */
/* Guest fd -> lx fd map (see include/kbox/fdtable.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kbox/fdtable.h"

#define FDT_MAX (1 << 20)

/* An lx fd a call in flight is using (kbox_fdt_hold). */
struct hold {
    int lxfd;
    int n;       /* calls holding it */
    bool closed; /* its guest number was closed: the last release closes */
    bool unlock; /* closed, its POSIX locks not yet dropped (take_unlocks) */
};

struct kbox_fdt {
    pthread_mutex_t lock;
    int refs;
    int cap;
    int *map;    /* guest fd -> lx fd, -1 */
    uint8_t *fl; /* FL_* of mapped entries */
    struct hold *holds;
    int nholds, holdcap;
};

#define FL_CLOEXEC 1
#define FL_SHADOW  2 /* the host fd is a content memfd of the file */
#define FL_MIRROR  4 /* the host fd is a readiness mirror of the file */

struct kbox_fdt *kbox_fdt_new(void)
{
    struct kbox_fdt *t = calloc(1, sizeof(*t));

    if (!t)
        return NULL;
    pthread_mutex_init(&t->lock, NULL);
    t->refs = 1;
    return t;
}

/* Grow to hold index @gfd (lock held). */
static int grow(struct kbox_fdt *t, int gfd)
{
    int ncap = t->cap ? t->cap : 64;
    int *m;
    uint8_t *c;

    if (gfd < t->cap)
        return 0;
    if (gfd >= FDT_MAX)
        return -EBADF;
    while (ncap <= gfd)
        ncap *= 2;
    m = realloc(t->map, (size_t)ncap * sizeof(*m));
    if (!m)
        return -ENOMEM;
    t->map = m;
    c = realloc(t->fl, (size_t)ncap);
    if (!c)
        return -ENOMEM;
    t->fl = c;
    for (int i = t->cap; i < ncap; i++) {
        t->map[i] = -1;
        t->fl[i] = 0;
    }
    t->cap = ncap;
    return 0;
}

struct kbox_fdt *kbox_fdt_copy(struct kbox_fdt *src)
{
    struct kbox_fdt *t = kbox_fdt_new();

    if (!t)
        return NULL;
    pthread_mutex_lock(&src->lock);
    if (src->cap) {
        t->map = malloc((size_t)src->cap * sizeof(*t->map));
        t->fl = malloc((size_t)src->cap);
        if (!t->map || !t->fl) {
            pthread_mutex_unlock(&src->lock);
            kbox_fdt_put(t);
            return NULL;
        }
        memcpy(t->map, src->map, (size_t)src->cap * sizeof(*t->map));
        memcpy(t->fl, src->fl, (size_t)src->cap);
        t->cap = src->cap;
    }
    pthread_mutex_unlock(&src->lock);
    return t;
}

struct kbox_fdt *kbox_fdt_ref(struct kbox_fdt *t)
{
    pthread_mutex_lock(&t->lock);
    t->refs++;
    pthread_mutex_unlock(&t->lock);
    return t;
}

void kbox_fdt_put(struct kbox_fdt *t)
{
    int left;

    if (!t)
        return;
    pthread_mutex_lock(&t->lock);
    left = --t->refs;
    pthread_mutex_unlock(&t->lock);
    if (left)
        return;
    pthread_mutex_destroy(&t->lock);
    free(t->map);
    free(t->fl);
    free(t->holds);
    free(t);
}

int kbox_fdt_lookup(struct kbox_fdt *t, int gfd)
{
    int v = -1;

    if (gfd < 0)
        return -1;
    pthread_mutex_lock(&t->lock);
    if (gfd < t->cap)
        v = t->map[gfd];
    pthread_mutex_unlock(&t->lock);
    return v;
}

/* (lock held) Is lx fd @lxfd, just unmapped, held by a call in flight?
 * Then its close is left to the last release. */
static bool defer_close(struct kbox_fdt *t, int lxfd)
{
    for (int i = 0; lxfd >= 0 && i < t->nholds; i++)
        if (t->holds[i].lxfd == lxfd) {
            t->holds[i].closed = true;
            t->holds[i].unlock = true;
            return true;
        }
    return false;
}

int kbox_fdt_hold(struct kbox_fdt *t, int gfd)
{
    int v = -1, i;

    if (gfd < 0)
        return -1;
    pthread_mutex_lock(&t->lock);
    if (gfd < t->cap)
        v = t->map[gfd];
    if (v >= 0) {
        for (i = 0; i < t->nholds && t->holds[i].lxfd != v; i++)
            ;
        if (i == t->nholds && t->nholds == t->holdcap) {
            int ncap = t->holdcap ? t->holdcap * 2 : 8;
            struct hold *h = realloc(t->holds, (size_t)ncap * sizeof(*h));

            if (h) {
                t->holds = h;
                t->holdcap = ncap;
            }
        }
        if (i < t->nholds) {
            t->holds[i].n++;
        } else if (i < t->holdcap) {
            t->holds[i] = (struct hold){ v, 1, false, false };
            t->nholds++;
        } else {
            v = -ENOMEM; /* not held: the caller must not go on */
        }
        if (v >= 0)
            t->refs++; /* the release finds this table */
    }
    pthread_mutex_unlock(&t->lock);
    return v;
}

bool kbox_fdt_release(struct kbox_fdt *t, int lxfd)
{
    bool close_it = false, held = false;

    if (lxfd < 0)
        return false;
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < t->nholds; i++) {
        if (t->holds[i].lxfd != lxfd)
            continue;
        held = true;
        if (--t->holds[i].n == 0) {
            close_it = t->holds[i].closed;
            t->holds[i] = t->holds[--t->nholds];
        }
        break;
    }
    pthread_mutex_unlock(&t->lock);
    if (held)
        kbox_fdt_put(t);
    return close_it;
}

int kbox_fdt_closed_held(struct kbox_fdt *t, int *out, int max)
{
    int n = 0;

    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < t->nholds && n < max; i++)
        if (t->holds[i].closed)
            out[n++] = t->holds[i].lxfd;
    pthread_mutex_unlock(&t->lock);
    return n;
}

int kbox_fdt_take_unlocks(struct kbox_fdt *t, int *out, int max)
{
    int n = 0;

    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < t->nholds && n < max; i++)
        if (t->holds[i].unlock) {
            t->holds[i].unlock = false;
            t->holds[i].n++;
            t->refs++;
            out[n++] = t->holds[i].lxfd;
        }
    pthread_mutex_unlock(&t->lock);
    return n;
}

int kbox_fdt_guest_fd(struct kbox_fdt *t, int lxfd)
{
    int v = -1;

    if (!t || lxfd < 0)
        return -1;
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < t->cap && v < 0; i++)
        if (t->map[i] == lxfd)
            v = i;
    pthread_mutex_unlock(&t->lock);
    return v;
}

bool kbox_fdt_cloexec(struct kbox_fdt *t, int gfd)
{
    bool v = false;

    if (gfd < 0)
        return false;
    pthread_mutex_lock(&t->lock);
    if (gfd < t->cap)
        v = (t->fl[gfd] & FL_CLOEXEC) != 0;
    pthread_mutex_unlock(&t->lock);
    return v;
}

int kbox_fdt_set(struct kbox_fdt *t, int gfd, int lxfd, bool cloexec)
{
    int old, rc;

    if (gfd < 0 || lxfd < 0)
        return -EBADF;
    pthread_mutex_lock(&t->lock);
    rc = grow(t, gfd);
    if (rc) {
        pthread_mutex_unlock(&t->lock);
        return rc;
    }
    old = t->map[gfd];
    t->map[gfd] = lxfd;
    t->fl[gfd] = cloexec ? FL_CLOEXEC : 0;
    if (defer_close(t, old))
        old = -1;
    pthread_mutex_unlock(&t->lock);
    return old;
}

int kbox_fdt_place(struct kbox_fdt *t, int (*place)(void *ctx), void *ctx,
                   int lxfd, bool cloexec, enum kbox_fdt_host host, int *old)
{
    int gfd, rc;

    *old = -1;
    if (lxfd < 0)
        return -EBADF;
    pthread_mutex_lock(&t->lock);
    gfd = place(ctx);
    if (gfd >= 0) {
        rc = grow(t, gfd);
        if (rc) {
            pthread_mutex_unlock(&t->lock);
            return rc;
        }
        *old = t->map[gfd];
        if (defer_close(t, *old))
            *old = -1;
        t->map[gfd] = lxfd;
        t->fl[gfd] =
            (cloexec ? FL_CLOEXEC : 0) | (host == KBOX_FDT_SHADOW   ? FL_SHADOW
                                          : host == KBOX_FDT_MIRROR ? FL_MIRROR
                                                                    : 0);
    }
    pthread_mutex_unlock(&t->lock);
    return gfd;
}

int kbox_fdt_swap_if(struct kbox_fdt *t, int gfd, int lxfd,
                     int (*swap)(void *ctx, bool cloexec), void *ctx)
{
    int rc = -EBADF;

    if (gfd < 0 || lxfd < 0)
        return -EBADF;
    /* close and dup2 unmap the number (this lock) before the host drops
     * its fd there: while the map holds @lxfd, the host's fd is ours */
    pthread_mutex_lock(&t->lock);
    if (gfd < t->cap && t->map[gfd] == lxfd)
        rc = swap(ctx, (t->fl[gfd] & FL_CLOEXEC) != 0);
    pthread_mutex_unlock(&t->lock);
    return rc;
}

int kbox_fdt_clear(struct kbox_fdt *t, int gfd)
{
    int old = -1;

    if (gfd < 0)
        return -1;
    pthread_mutex_lock(&t->lock);
    if (gfd < t->cap) {
        old = t->map[gfd];
        t->map[gfd] = -1;
        t->fl[gfd] = 0;
        if (defer_close(t, old))
            old = -1;
    }
    pthread_mutex_unlock(&t->lock);
    return old;
}

void kbox_fdt_set_cloexec(struct kbox_fdt *t, int gfd, bool cloexec)
{
    pthread_mutex_lock(&t->lock);
    if (gfd >= 0 && gfd < t->cap && t->map[gfd] >= 0)
        t->fl[gfd] =
            (uint8_t)((t->fl[gfd] & ~FL_CLOEXEC) | (cloexec ? FL_CLOEXEC : 0));
    pthread_mutex_unlock(&t->lock);
}

/* Is flag @fl set on mapped guest fd @gfd? */
static bool has_flag(struct kbox_fdt *t, int gfd, uint8_t fl)
{
    bool v = false;

    if (gfd < 0)
        return false;
    pthread_mutex_lock(&t->lock);
    if (gfd < t->cap && t->map[gfd] >= 0)
        v = (t->fl[gfd] & fl) != 0;
    pthread_mutex_unlock(&t->lock);
    return v;
}

bool kbox_fdt_shadow(struct kbox_fdt *t, int gfd)
{
    return has_flag(t, gfd, FL_SHADOW);
}

bool kbox_fdt_mirror(struct kbox_fdt *t, int gfd)
{
    return has_flag(t, gfd, FL_MIRROR);
}

void kbox_fdt_set_shadow(struct kbox_fdt *t, int gfd, int lxfd)
{
    pthread_mutex_lock(&t->lock);
    if (gfd >= 0 && gfd < t->cap && t->map[gfd] == lxfd)
        t->fl[gfd] |= FL_SHADOW;
    pthread_mutex_unlock(&t->lock);
}

void kbox_fdt_exec(struct kbox_fdt *t)
{
    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < t->cap; i++) {
        if (t->map[i] >= 0 && (t->fl[i] & FL_CLOEXEC)) {
            t->map[i] = -1;
            t->fl[i] = 0;
        }
    }
    pthread_mutex_unlock(&t->lock);
}

int kbox_fdt_range(struct kbox_fdt *t, unsigned first, unsigned last,
                   bool cloexec_only, int **out)
{
    int n = 0, cap = 0;
    int *v = NULL;

    *out = NULL;
    pthread_mutex_lock(&t->lock);
    for (unsigned i = first; i <= last && i < (unsigned)t->cap; i++) {
        if (t->map[i] < 0)
            continue;
        if (n == cap) {
            int *nv = realloc(v, (size_t)(cap ? cap * 2 : 16) * sizeof(*v));
            if (!nv)
                break;
            v = nv;
            cap = cap ? cap * 2 : 16;
        }
        if (cloexec_only) {
            v[n++] = t->map[i];
            t->fl[i] |= FL_CLOEXEC;
        } else {
            if (!defer_close(t, t->map[i]))
                v[n++] = t->map[i];
            t->map[i] = -1;
            t->fl[i] = 0;
        }
    }
    pthread_mutex_unlock(&t->lock);
    *out = v;
    return n;
}

int kbox_fdt_count(struct kbox_fdt *t)
{
    int n = 0;

    pthread_mutex_lock(&t->lock);
    for (int i = 0; i < t->cap; i++)
        n += t->map[i] >= 0;
    pthread_mutex_unlock(&t->lock);
    return n;
}

struct kbox_fdt *kbox_fdt_unshare(struct kbox_fdt *t)
{
    struct kbox_fdt *c;
    int refs;

    pthread_mutex_lock(&t->lock);
    refs = t->refs;
    pthread_mutex_unlock(&t->lock);
    if (refs == 1)
        return t;
    c = kbox_fdt_copy(t);
    if (!c)
        return t;
    kbox_fdt_put(t);
    return c;
}
