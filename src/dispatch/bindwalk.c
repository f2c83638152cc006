/* SPDX-License-Identifier: MIT */
/*
 * Which bind a path reaches once the guest has changed its mount tree.
 *
 * kbox routes a path into a bind by its text (route.c). That is right
 * while the guest's tree is the one kbox set up: every bind's place is
 * a kbox-bind trap in lx (kernel/arch/lx/fs/bindtrap.c) and nothing
 * covers or copies it. A guest (as root) can change that: a tmpfs
 * mounted on /mnt covers a bind at /mnt/b (natively ENOENT there until
 * the umount), `mount --rbind /mnt /x` copies the trap to /x/b (natively
 * the bind's content), chroot gives /mnt/b another meaning. Then lx's
 * walk of the bind's place, as the caller, decides: the trap it reaches,
 * if any, names the bind (lx_task_bindtrap).
 *
 * Only mount, umount2 and chroot change the tree (namespaces, pivot_root
 * and the new mount API are refused), so until one has run the text is
 * trusted and nothing is asked. After one, each bind's answer is kept
 * for the tree's generation; after a chroot it is asked at every call
 * (the root is per process).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kbox/abi.h"
#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/image.h"
#include "kbox/path.h"
#include "lx/lx.h"
#include "lx/uapi.h"
#include "route.h"

static unsigned long tree_gen; /* mounts, umounts and chroots so far */
static bool chrooted;
/* per bind: the generation << 16 | (the bind reached + 1) */
static uint64_t *reached_at;

void kbox_bind_tree_changed(bool chroot)
{
    if (chroot)
        __atomic_store_n(&chrooted, true, __ATOMIC_RELAXED);
    __atomic_add_fetch(&tree_gen, 1, __ATOMIC_ACQ_REL);
}

void kbox_bind_renamed(struct kbox_req *r, int dirfd, const char *path)
{
    const struct kbox_opts *o = kbox_sup.opts;
    struct kbox_gstat st;
    int i;

    for (i = 0; i < o->nbinds && !kbox_image_bind_trap(i); i++)
        ;
    if (i == o->nbinds ||
        kbox_lx(r, LX__NR_newfstatat, dirfd, (long)path, (long)&st,
                AT_SYMLINK_NOFOLLOW, 0, 0) < 0 ||
        !S_ISDIR(st.st_mode))
        return;
    kbox_bind_tree_changed(false);
}

bool kbox_bind_tree_moved(void)
{
    return __atomic_load_n(&tree_gen, __ATOMIC_ACQUIRE) != 0;
}

int kbox_bind_at(struct kbox_req *r, const char *place)
{
    int n = kbox_sup.opts->nbinds;
    long id = lx_task_bindtrap(r->task, place);

    return id > 0 && id <= n ? (int)id - 1 : -1;
}

/*
 * A bind without a trap (its place missing from a read-only image) is
 * reached where the caller's walk of its anchor, the deepest directory
 * of the place the image has, meets the mount and inode kbox's did.
 */
static int anchor_reached(struct kbox_req *r, int idx,
                          const struct bind_anchor *a)
{
    struct lx_statx sx;

    if (kbox_lx(r, LX__NR_statx, AT_FDCWD, (long)a->dir, AT_SYMLINK_NOFOLLOW,
                LX_STATX_INO | LX_STATX_MNT_ID_UNIQUE, (long)&sx, 0) < 0 ||
        !(sx.stx_mask & LX_STATX_MNT_ID_UNIQUE))
        return -1;
    return sx.stx_mnt_id == a->mnt && sx.stx_ino == a->ino ? idx : -1;
}

int kbox_bind_reached(struct kbox_req *r, int idx)
{
    unsigned long gen = __atomic_load_n(&tree_gen, __ATOMIC_ACQUIRE);
    const struct bind_anchor *anchor = NULL;
    const char *place;
    bool cache;
    int j;

    if (!gen)
        return idx; /* the tree kbox made: the text is right */
    place = kbox_image_bind_trap(idx);
    if (!place && !(anchor = kbox_image_bind_anchor(idx)))
        return idx; /* nothing marks it: reached by its text only */
    cache = !__atomic_load_n(&chrooted, __ATOMIC_RELAXED);
    if (cache && !reached_at) {
        uint64_t *t = calloc((size_t)kbox_sup.opts->nbinds, sizeof(*t));
        uint64_t *none = NULL;

        if (t &&
            !__atomic_compare_exchange_n(&reached_at, &none, t, false,
                                         __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            free(t);
    }
    if (cache && reached_at) {
        uint64_t c = __atomic_load_n(&reached_at[idx], __ATOMIC_ACQUIRE);

        if (c >> 16 == gen)
            return (int)(c & 0xffff) - 1;
    }
    j = place ? kbox_bind_at(r, place) : anchor_reached(r, idx, anchor);
    if (cache && reached_at)
        __atomic_store_n(&reached_at[idx],
                         ((uint64_t)gen << 16) | ((uint64_t)(j + 1) & 0xffff),
                         __ATOMIC_RELEASE);
    return j;
}

/*
 * The bind a walk from lx directory fd @lxdir (path text @dir) reaches
 * at bind @idx's place, or -1; -2 when the place is not beneath @dir.
 * The fd keeps what it was opened on: from an fd of /mnt opened before
 * a tmpfs covered /mnt, "b" is the bind at /mnt/b, as natively (kbox
 * asked from the root, met the tmpfs and said ENOENT).
 */
static int bind_reached_from(struct kbox_req *r, int lxdir, const char *dir,
                             int idx)
{
    const char *place = kbox_image_bind_trap(idx), *rel;
    int n = kbox_sup.opts->nbinds;
    long id;

    if (!place || !dir || !kbox_path_beneath(place, dir, &rel) || !*rel)
        return -2;
    id = lx_task_bindtrap_at(r->task, lxdir, rel);
    return id > 0 && id <= n ? (int)id - 1 : -1;
}

int kbox_bind_rebase(struct kbox_req *r, int lxdir, const char *dir, char *norm,
                     size_t len, struct kbox_route_result *res)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char rest[KBOX_PATH_MAX];
    int j = -2, n;

    if (r->bind_reached1 == res->bind_index + 1)
        return 0; /* what lx's walk reached (kbox_lx_bind_path) */
    if (lxdir != AT_FDCWD && kbox_bind_tree_moved())
        j = bind_reached_from(r, lxdir, dir, res->bind_index);
    if (j == -2)
        j = kbox_bind_reached(r, res->bind_index);
    if (j == res->bind_index)
        return 0;
    if (j < 0) { /* a guest mount covers the place: lx's */
        res->route = KBOX_ROUTE_LX;
        return 0;
    }
    /* another bind's trap stands there (a guest's rbind of a parent):
     * the path is that bind's, with the same rest */
    if (snprintf(rest, sizeof(rest), "%s", res->rest) >= (int)sizeof(rest))
        return -ENAMETOOLONG;
    n = snprintf(norm, len, "%s%s%s", o->binds[j].guest_dst, *rest ? "/" : "",
                 rest);
    if (n < 0 || (size_t)n >= len)
        return -ENAMETOOLONG;
    res->bind_index = j;
    res->rest = norm + strlen(o->binds[j].guest_dst) + (*rest ? 1 : 0);
    return 0;
}

char *kbox_bind_reached_path(struct kbox_req *r, int j, const char *rest,
                             const char *end, int *err)
{
    char *out = malloc(KBOX_PATH_MAX);
    int n;

    if (!out)
        return NULL;
    n = snprintf(out, KBOX_PATH_MAX, "%s%s%s%s",
                 kbox_sup.opts->binds[j].guest_dst, *rest ? "/" : "", rest,
                 end);
    if (n < 0 || n >= KBOX_PATH_MAX) {
        free(out);
        *err = -ENAMETOOLONG;
        return NULL;
    }
    r->bind_reached1 = j + 1; /* the retry's route trusts it */
    return out;
}
