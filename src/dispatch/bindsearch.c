/* SPDX-License-Identifier: MIT */
/*
 * The guest's search right on the image directories above a bind's
 * place. A path that names a bind is routed by its text (route.c), so
 * lx never walked the image directories on the way there: with /mnt/x
 * 0700 root in the image and a bind at /mnt/x/b, a --change-id user's
 * open, stat, chdir and exec of /mnt/x/b/... all worked where Linux
 * stops at /mnt/x (EACCES). lx judges it, as the guest's task: its
 * faccessat(X_OK) of the place's parent walks the same directories
 * with the guest's ids and capabilities (a guest root passes by
 * CAP_DAC_READ_SEARCH). Asked each time, never cached: a chmod of
 * /mnt/x takes effect at once.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/dispatch.h"
#include "kbox/path.h"

int kbox_bind_place_search(struct kbox_req *r, int idx, int lxdir,
                           const char *base, const char *norm, const char *rest)
{
    char parent[KBOX_PATH_MAX];
    long args[6] = { 0, (long)parent, X_OK, AT_EACCESS, 0, 0 };
    int rel;

    /* a retry after lx's own walk reached the bind: lx judged that walk */
    if (r->bind_reached1 == idx + 1 || !r->task)
        return 0;
    rel = kbox_path_place_parent(norm, rest, base && base[0] ? base : NULL,
                                 parent, sizeof(parent));
    if (rel < 0)
        return 0; /* not judged: the host's walk decides */
    args[0] = rel ? lxdir : AT_FDCWD;
    /* only its refusal: what lx cannot walk (a parent in another bind,
     * EXDEV; one renamed away) is left to the host */
    return lx_task_syscall(r->task, LX__NR_faccessat2, args) == -EACCES
               ? -EACCES
               : 0;
}
