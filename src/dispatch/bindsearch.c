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
 * /mnt/x takes effect at once. Where the way passes another bind
 * (nested binds; a name that leaves a bind directory by ".." and enters
 * another bind) that part is the host's, judged in that bind: lx's walk
 * stopped at its trap (EXDEV), or never started.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/exec.h"
#include "kbox/path.h"

/* -EACCES when the guest may not search bind @j's @rest and the way
 * there (from the bind's root, as kbox's host walks of relative names
 * in a bind start there) */
static int in_bind(struct lx_task *t, struct kbox_req *r, int j,
                   const char *rest)
{
    const struct kbox_bind *b = &kbox_sup.opts->binds[j];

    if (b->file)
        return 0; /* beneath a file: the walk's own ENOTDIR */
    /* a guest root without CAP_DAC_READ_SEARCH is judged without it: the
     * thread takes the guest's ids and capabilities (as the route does
     * for the bind next) */
    if (r)
        kbox_ids_for_host(r);
    return kbox_exec_bind_dir_search(t, kbox_sup.bind_dirs[j],
                                     *rest ? rest : ".",
                                     r && r->host_ids) == -EACCES
               ? -EACCES
               : 0;
}

int kbox_place_search_as(struct lx_task *t, struct kbox_req *r, int idx,
                         int lxdir, const char *base, const char *norm,
                         const char *rest)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char parent[KBOX_PATH_MAX];
    long args[6] = { 0, (long)parent, X_OK, AT_EACCESS, 0, 0 };
    struct kbox_route_result out;
    long rc;
    int rel;

    rel = kbox_path_place_parent(norm, rest, base && base[0] ? base : NULL,
                                 parent, sizeof(parent));
    if (rel < 0)
        return 0; /* not judged: the host's walk decides */
    args[0] = rel ? lxdir : AT_FDCWD;
    if (rel && lxdir == KBOX_LXDIR_TEXT) { /* from @base by its text */
        char at[KBOX_PATH_MAX];

        if (snprintf(at, sizeof(at), "%s/%s", base, parent) >= (int)sizeof(at))
            return 0;
        memcpy(parent, at, strlen(at) + 1);
        args[0] = AT_FDCWD;
    }
    rc = lx_task_syscall(t, LX__NR_faccessat2, args);
    if (rc == -EACCES)
        return -EACCES;
    if (rc != -EXDEV)
        return 0; /* only its refusal (one renamed away: the host's) */
    /* lx's walk searched the image up to another bind's trap (nested
     * binds: -b A:/mnt/a -b B:/mnt/a/sub/b): the rest of the way lies in
     * that bind, judged on the host, then the image above its place */
    if (kbox_path_place_parent(norm, rest, NULL, parent, sizeof(parent)) < 0)
        return 0;
    out = kbox_path_route(parent, o->binds, o->nbinds, false);
    if (out.route != KBOX_ROUTE_BIND || out.bind_index == idx)
        return 0;
    if (in_bind(t, r, out.bind_index, out.rest))
        return -EACCES;
    return kbox_place_search_as(t, r, out.bind_index, lxdir, base, parent,
                                out.rest);
}

int kbox_bind_place_search(struct kbox_req *r, int idx, int lxdir,
                           const char *base, const char *norm, const char *rest)
{
    /* a retry after lx's own walk reached the bind: lx judged that walk */
    if (r->bind_reached1 == idx + 1 || !r->task)
        return 0;
    return kbox_place_search_as(r->task, r, idx, lxdir, base, norm, rest);
}

int kbox_bind_from_dir_search(struct kbox_req *r, const char *raw,
                              const char *path, const char *norm, int idx,
                              const char *rest)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char base[KBOX_PATH_MAX], parent[KBOX_PATH_MAX], sp[KBOX_PATH_MAX];
    size_t rl = strlen(raw), pl = strlen(path);
    struct kbox_route_result s, p;
    char *slash;

    if (!r->task || r->bind_reached1 == idx + 1 || !pl || pl + 1 > rl ||
        strcmp(raw + rl - pl, path) || raw[rl - pl - 1] != '/' ||
        rl - pl - 1 >= sizeof(sp))
        return 0; /* not "<the directory>/<path>": not judged */
    memcpy(sp, raw, rl - pl - 1);
    sp[rl - pl - 1] = '\0';
    if (kbox_path_normalize(sp, base, sizeof(base), false, NULL) < 0)
        return 0;
    s = kbox_path_route(base, o->binds, o->nbinds, false);
    if (s.route != KBOX_ROUTE_BIND || s.bind_index == idx)
        return 0; /* within the directory's bind: the host's walk */
    if (kbox_path_place_parent(norm, rest, NULL, parent, sizeof(parent)) < 0)
        return 0;
    if (kbox_path_beneath(parent, o->binds[s.bind_index].guest_dst, NULL)) {
        /* into a bind nested in the directory's own: the way there is in
         * the outer bind (the route's host walk judges none of it), and
         * in each bind nested between (three deep, the outer's part was
         * skipped); bounded, a place's parent is shorter than it */
        for (int n = 0; n <= o->nbinds; n++) {
            p = kbox_path_route(parent, o->binds, o->nbinds, false);
            if (p.route != KBOX_ROUTE_BIND)
                return 0;
            if (in_bind(r->task, r, p.bind_index, p.rest))
                return -EACCES;
            if (p.bind_index == s.bind_index ||
                kbox_path_place_parent(parent, p.rest, NULL, sp, sizeof(sp)) <
                    0)
                return 0;
            memcpy(parent, sp, strlen(sp) + 1);
        }
        return 0;
    }
    /* out of it by "..": up from its place's parent, in the image, as
     * Linux's walk goes (the way within the bind up to its root is the
     * host's, unjudged) */
    snprintf(sp, sizeof(sp), "%s", o->binds[s.bind_index].guest_dst);
    slash = strrchr(sp, '/');
    if (!slash)
        return 0;
    slash[slash == sp ? 1 : 0] = '\0';
    return kbox_place_search_as(r->task, r, idx, KBOX_LXDIR_TEXT, sp, norm,
                                rest);
}

/* Whether @path, walked by its text from @base (beneath @dst), goes up
 * out of @dst by ".." and looks a name up there: a last ".." stops at
 * the place's parent unsearched (natively `ls ..` stats it). */
static bool walks_out(const char *base, const char *dst, const char *path)
{
    long depth = 0, floor = 0;
    const char *p;

    for (p = base; *p; p++) /* components of each */
        depth += p[0] == '/' && p[1] && p[1] != '/';
    for (p = dst; *p; p++)
        floor += p[0] == '/' && p[1] && p[1] != '/';
    for (p = path; *p;) {
        size_t l = strcspn(p, "/");

        if (l == 2 && p[0] == '.' && p[1] == '.') {
            if (depth > 0 && --depth < floor)
                return p[l + strspn(p + l, "/")] != '\0';
        } else if (l && !(l == 1 && p[0] == '.')) {
            depth++;
        }
        p += l;
        p += *p == '/';
    }
    return false;
}

int kbox_bind_leave_search(struct kbox_req *r, const char *raw,
                           const char *path)
{
    const struct kbox_opts *o = kbox_sup.opts;
    char base[KBOX_PATH_MAX], sp[KBOX_PATH_MAX];
    size_t rl = strlen(raw), pl = strlen(path);
    struct kbox_route_result s;
    const char *dst;

    if (!r->task || !pl || pl + 1 > rl || strcmp(raw + rl - pl, path) ||
        raw[rl - pl - 1] != '/' || rl - pl - 1 >= sizeof(sp) ||
        !strstr(path, ".."))
        return 0;
    memcpy(sp, raw, rl - pl - 1);
    sp[rl - pl - 1] = '\0';
    if (kbox_path_normalize(sp, base, sizeof(base), false, NULL) < 0)
        return 0;
    s = kbox_path_route(base, o->binds, o->nbinds, false);
    if (s.route != KBOX_ROUTE_BIND)
        return 0;
    dst = o->binds[s.bind_index].guest_dst;
    if (!walks_out(base, dst, path))
        return 0;
    /* out at its place's parent: Linux looks up the next name there */
    return kbox_place_search_as(r->task, r, s.bind_index, AT_FDCWD, NULL, dst,
                                "");
}
