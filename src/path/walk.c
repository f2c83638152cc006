/* SPDX-License-Identifier: MIT */
/*
 * A path walked name by name, as a kernel's lookup walks it: "." and ".."
 * by the text of what is resolved so far (free of links), a link's target
 * spliced in ahead of what follows it. The callers read the links where
 * each lies: exec's command lookup (src/exec/lookup.c, in lx or a bind)
 * and the retry of a walk lx stopped at a bind (src/dispatch/routebind.c,
 * in lx, up to the first bind).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kbox/path.h"

int kbox_walk_init(struct kbox_walk *w, const char *base, const char *path)
{
    int n = snprintf(w->left, sizeof(w->left), "%s/%s", base, path);

    if (n < 0 || (size_t)n >= sizeof(w->left))
        return -ENAMETOOLONG;
    w->cur[0] = '\0'; /* "" is the root */
    w->cand[0] = '\0';
    w->ncand = 0;
    w->end = w->left;
    w->links = 0;
    return 0;
}

int kbox_walk_next(struct kbox_walk *w)
{
    for (const char *p = w->end;; p = w->end) {
        int n;

        while (*p == '/')
            p++;
        if (!*p)
            return 0;
        w->end = strchrnul(p, '/');
        if (w->end - p == 1 && p[0] == '.')
            continue;
        if (w->end - p == 2 && p[0] == '.' && p[1] == '.') {
            char *slash = strrchr(w->cur, '/');

            if (slash)
                *slash = '\0';
            continue;
        }
        n = snprintf(w->cand, sizeof(w->cand), "%s/%.*s", w->cur,
                     (int)(w->end - p), p);
        if (n < 0 || (size_t)n >= sizeof(w->cand))
            return -ENAMETOOLONG;
        w->ncand = (size_t)n;
        return 1;
    }
}

void kbox_walk_step(struct kbox_walk *w)
{
    memcpy(w->cur, w->cand, w->ncand + 1);
}

int kbox_walk_link(struct kbox_walk *w, const char *target)
{
    int n;

    if (++w->links > 40)
        return -ELOOP;
    if (target[0] == '/')
        w->cur[0] = '\0';
    /* the link's target, then what followed it, walked afresh */
    n = snprintf(w->cand, sizeof(w->cand), "%s%s", target, w->end);
    if (n < 0 || (size_t)n >= sizeof(w->cand))
        return -ENAMETOOLONG;
    memcpy(w->left, w->cand, (size_t)n + 1);
    w->end = w->left;
    return 0;
}
