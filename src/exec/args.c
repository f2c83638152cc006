/* SPDX-License-Identifier: MIT */
/*
 * Will the host kernel take an exec's arguments?
 *
 * kbox changes the caller's memory to run an exec (the path becomes the
 * exec alias, argv entries move off it, a #! script's argv grows) and
 * then lets the host run it. When the host refused the arguments
 * (E2BIG), the call returned to a caller whose memory kbox had changed:
 * bash printed "d4/echo: Argument list too long", and xargs, which
 * retries with fewer arguments, ran a path that was no longer its own.
 * So Linux's limits (fs/exec.c: bprm_stack_limits, copy_strings) are
 * checked first, on the guest's own RLIMIT_STACK, and E2BIG is answered
 * with nothing changed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "kbox/dispatch.h"
#include "kbox/exec.h"

#define PAGE           4096UL
#define MAX_ARG_STRLEN (32 * PAGE) /* one string */
#define ARG_MAX_FLOOR  (32 * PAGE) /* the kernel's ARG_MAX */
#define STK_LIM        (8UL << 20) /* _STK_LIM */
#define HEAD           256         /* bytes read per string at first */
#define BATCH          128         /* strings per read_many */

/* Append the pointers of the NULL-ended array at @a; -1 on a bad array. */
static long read_ptrs(struct kbox_req *r, uint64_t a, uint64_t **v, size_t *n,
                      size_t *cap, size_t max)
{
    size_t start = *n;

    for (; a;) {
        uint64_t chunk[512];
        size_t k = (PAGE - (a & (PAGE - 1))) / 8; /* this page only */

        if (k == 0 || k > 512)
            k = k ? 512 : 1;
        if (r->ops->read(r, a, chunk, k * 8))
            return -1;
        for (size_t i = 0; i < k; i++) {
            if (!chunk[i])
                return (long)(*n - start);
            if (*n - start >= max)
                return (long)(*n - start); /* past any limit: E2BIG */
            if (*n == *cap) {
                size_t nc = *cap ? 2 * *cap : 256;
                uint64_t *nv = realloc(*v, nc * sizeof(*nv));

                if (!nv)
                    return -1;
                *v = nv;
                *cap = nc;
            }
            (*v)[(*n)++] = chunk[i];
        }
        a += k * 8;
    }
    return 0;
}

/* Length of the guest string at @p (its first @from bytes have no NUL),
 * read page by page; -1 when unreadable, -2 when longer than Linux takes
 * (MAX_ARG_STRLEN with its NUL). */
static long slow_strlen(struct kbox_req *r, uint64_t p, size_t from)
{
    char buf[PAGE];
    size_t len = from;

    while (len < MAX_ARG_STRLEN) {
        uint64_t a = p + len;
        size_t k = PAGE - (a & (PAGE - 1));
        char *nul;

        if (r->ops->read(r, a, buf, k))
            return -1;
        nul = memchr(buf, '\0', k);
        if (nul) {
            len += (size_t)(nul - buf);
            return len + 1 > MAX_ARG_STRLEN ? -2 : (long)len;
        }
        len += k;
    }
    return -2;
}

int kbox_exec_args_fit(struct kbox_req *r, size_t pathlen, uint64_t uargv,
                       uint64_t uenvp, struct kbox_args_room *room)
{
    struct rlimit rl;
    unsigned long limit = STK_LIM / 4 * 3, ptr_size, budget, total = 0;
    uint64_t *v = NULL;
    size_t n = 0, cap = 0, max;
    long argc, envc;
    int rc = 0;

    if (room) { /* unknown (a bad array): the host's exec decides */
        room->slack = (unsigned long)LONG_MAX;
        room->arg0 = 0;
    }
    if (prlimit(r->proc->tgid, RLIMIT_STACK, NULL, &rl) == 0 &&
        rl.rlim_cur / 4 < limit)
        limit = rl.rlim_cur / 4;
    if (limit < ARG_MAX_FLOOR)
        limit = ARG_MAX_FLOOR;
    max = limit / 8 + 1; /* that many pointers alone are too many */
    argc = read_ptrs(r, uargv, &v, &n, &cap, max);
    envc = argc < 0 ? -1 : read_ptrs(r, uenvp, &v, &n, &cap, max);
    if (argc < 0 || envc < 0)
        goto out; /* a bad array: the host's exec says EFAULT */
    ptr_size = ((argc ? (unsigned long)argc : 1) + (unsigned long)envc) * 8;
    if (limit <= ptr_size + pathlen + 1) {
        rc = -E2BIG;
        goto out;
    }
    budget = limit - ptr_size - pathlen - 1;
    if (!argc) {
        /* Linux adds "" as argv[0] (do_execveat_common), checked too */
        if (budget < 1) {
            rc = -E2BIG;
            goto out;
        }
        budget--;
        if (room)
            room->arg0 = 1;
    }
    for (size_t i = 0; i < n && !rc; i += BATCH) {
        size_t k = n - i < BATCH ? n - i : BATCH, off = 0;
        char head[BATCH * HEAD];
        size_t lens[BATCH];
        bool batched;

        for (size_t j = 0; j < k; j++) {
            size_t room = PAGE - (v[i + j] & (PAGE - 1));

            lens[j] = room < HEAD ? room : HEAD;
        }
        batched = r->ops->read_many &&
                  r->ops->read_many(r, v + i, lens, k, head) == 0;
        for (size_t j = 0; j < k; j++) {
            char *nul = batched ? memchr(head + off, '\0', lens[j]) : NULL;
            long len = nul ? (long)(nul - (head + off))
                           : slow_strlen(r, v[i + j], batched ? lens[j] : 0);

            off += lens[j];
            if (len == -2) {
                rc = -E2BIG;
                break;
            }
            if (len < 0)
                goto out; /* unreadable: the host's exec says EFAULT */
            if (i + j == 0 && argc && room)
                room->arg0 = (unsigned long)len + 1;
            total += (unsigned long)len + 1;
            if (total > budget) {
                rc = -E2BIG;
                break;
            }
        }
    }
    if (!rc && room)
        room->slack = budget - total;
out:
    free(v);
    return rc;
}

int kbox_exec_script_fits(const struct kbox_args_room *room, size_t pathlen,
                          int level, const char *interp, const char *arg,
                          long *grown)
{
    long g = *grown;

    if (level == 0) /* remove_arg_zero, then the script's name */
        g += (long)pathlen + 1 - (long)room->arg0;
    if (arg)
        g += (long)strlen(arg) + 1;
    g += (long)strlen(interp) + 1;
    *grown = g;
    return g > 0 && (unsigned long)g > room->slack ? -E2BIG : 0;
}

int kbox_exec_script_host_fits(const struct kbox_args_room *room, long grown,
                               size_t pathlen, int added, const char *called,
                               pid_t pid)
{
    struct rlimit rl;
    unsigned long fds = 1UL << 20;
    const char *base = strrchr(called, '/');
    long digits = 1, alias;

    if (prlimit(pid, RLIMIT_NOFILE, NULL, &rl) == 0 && rl.rlim_cur > 0 &&
        rl.rlim_cur < fds)
        fds = rl.rlim_cur;
    for (unsigned long n = fds - 1; n >= 10; n /= 10)
        digits++;
    /* the alias exec.c writes: "d<fd>/<base>", or "<fd>" */
    base = base ? base + 1 : called;
    alias = digits;
    if (base[0] && strcmp(base, ".") && strcmp(base, ".."))
        alias += 2 + (long)strlen(base);
    grown += 8L * added + alias - (long)pathlen;
    return grown > 0 && (unsigned long)grown > room->slack ? -E2BIG : 0;
}
