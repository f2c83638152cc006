/* SPDX-License-Identifier: MIT */
/* Unit tests: the guest fd -> lx fd map. */
#define KTEST_IMPLEMENTATION
#include "ktest.h"

#include <errno.h>

#include "kbox/fdtable.h"

KTEST(set_lookup_clear)
{
    struct kbox_fdt *t = kbox_fdt_new();

    KT_ASSERT(t);
    KT_EQ(kbox_fdt_lookup(t, 3), -1);
    KT_EQ(kbox_fdt_lookup(t, -1), -1);
    KT_EQ(kbox_fdt_set(t, 3, 0, false), -1);
    KT_EQ(kbox_fdt_lookup(t, 3), 0);
    /* Replacing returns the old lx fd for the caller to close. */
    KT_EQ(kbox_fdt_set(t, 3, 7, true), 0);
    KT_EQ(kbox_fdt_cloexec(t, 3), 1);
    KT_EQ(kbox_fdt_clear(t, 3), 7);
    KT_EQ(kbox_fdt_lookup(t, 3), -1);
    KT_EQ(kbox_fdt_clear(t, 3), -1);
    KT_EQ(kbox_fdt_set(t, -1, 1, false), -EBADF);
    KT_EQ(kbox_fdt_set(t, 5000, 1, false), -1); /* grows */
    KT_EQ(kbox_fdt_lookup(t, 5000), 1);
    KT_EQ(kbox_fdt_count(t), 1);
    kbox_fdt_put(t);
}

static int place_at_7(void *ctx)
{
    int *calls = ctx;

    ++*calls;
    return 7;
}

static int place_fails(void *ctx)
{
    (void)ctx;
    return -EMFILE;
}

KTEST(place_maps_the_number_it_is_given)
{
    struct kbox_fdt *t = kbox_fdt_new();
    int calls = 0, old = 42;

    KT_EQ(kbox_fdt_place(t, place_at_7, &calls, 3, true, KBOX_FDT_PLACEHOLDER,
                         &old),
          7);
    KT_EQ(calls, 1);
    KT_EQ(old, -1);
    KT_EQ(kbox_fdt_lookup(t, 7), 3);
    KT_EQ(kbox_fdt_cloexec(t, 7), 1);
    KT_EQ(kbox_fdt_shadow(t, 7), 0);
    /* replacing hands back the previous lx fd */
    KT_EQ(
        kbox_fdt_place(t, place_at_7, &calls, 4, false, KBOX_FDT_SHADOW, &old),
        7);
    KT_EQ(old, 3);
    KT_EQ(kbox_fdt_shadow(t, 7), 1);
    KT_EQ(kbox_fdt_cloexec(t, 7), 0);
    /* a failed placement maps nothing */
    KT_EQ(kbox_fdt_place(t, place_fails, NULL, 5, false, KBOX_FDT_PLACEHOLDER,
                         &old),
          -EMFILE);
    KT_EQ(old, -1);
    KT_EQ(kbox_fdt_count(t), 1);
    KT_EQ(kbox_fdt_place(t, place_at_7, &calls, -1, false, KBOX_FDT_PLACEHOLDER,
                         &old),
          -EBADF);
    kbox_fdt_put(t);
}

KTEST(shadow_flag_follows_the_mapping)
{
    struct kbox_fdt *t = kbox_fdt_new(), *c;

    kbox_fdt_set(t, 3, 10, false);
    KT_EQ(kbox_fdt_shadow(t, 3), 0);
    kbox_fdt_set_shadow(t, 3, 11); /* stale lx fd: ignored */
    KT_EQ(kbox_fdt_shadow(t, 3), 0);
    kbox_fdt_set_shadow(t, 3, 10);
    KT_EQ(kbox_fdt_shadow(t, 3), 1);
    kbox_fdt_set_cloexec(t, 3, true); /* keeps the shadow bit */
    KT_EQ(kbox_fdt_shadow(t, 3), 1);
    KT_EQ(kbox_fdt_cloexec(t, 3), 1);
    c = kbox_fdt_copy(t); /* fork: the child has the same host fd */
    KT_EQ(kbox_fdt_shadow(c, 3), 1);
    kbox_fdt_set(t, 3, 12, false); /* a new file at 3: placeholder again */
    KT_EQ(kbox_fdt_shadow(t, 3), 0);
    kbox_fdt_clear(c, 3);
    KT_EQ(kbox_fdt_shadow(c, 3), 0);
    KT_EQ(kbox_fdt_shadow(c, -1), 0);
    kbox_fdt_put(c);
    kbox_fdt_put(t);
}

KTEST(mirror_flag_follows_the_mapping)
{
    struct kbox_fdt *t = kbox_fdt_new(), *c;
    int calls = 0, old;

    KT_EQ(
        kbox_fdt_place(t, place_at_7, &calls, 3, false, KBOX_FDT_MIRROR, &old),
        7);
    KT_EQ(kbox_fdt_mirror(t, 7), 1);
    KT_EQ(kbox_fdt_shadow(t, 7), 0); /* a mirror is no content memfd */
    kbox_fdt_set_cloexec(t, 7, true);
    KT_EQ(kbox_fdt_mirror(t, 7), 1);
    c = kbox_fdt_copy(t); /* fork: the child holds the same pipe */
    KT_EQ(kbox_fdt_mirror(c, 7), 1);
    kbox_fdt_exec(c); /* close-on-exec: gone with the mapping */
    KT_EQ(kbox_fdt_mirror(c, 7), 0);
    KT_EQ(kbox_fdt_place(t, place_at_7, &calls, 4, false, KBOX_FDT_PLACEHOLDER,
                         &old),
          7);
    KT_EQ(old, 3);
    KT_EQ(kbox_fdt_mirror(t, 7), 0);
    KT_EQ(kbox_fdt_mirror(t, -1), 0);
    kbox_fdt_put(c);
    kbox_fdt_put(t);
}

KTEST(fork_copy_is_independent)
{
    struct kbox_fdt *p = kbox_fdt_new(), *c;

    kbox_fdt_set(p, 3, 0, false);
    kbox_fdt_set(p, 4, 1, true);
    c = kbox_fdt_copy(p);
    KT_EQ(kbox_fdt_lookup(c, 3), 0);
    KT_EQ(kbox_fdt_cloexec(c, 4), 1);
    kbox_fdt_clear(c, 3);
    KT_EQ(kbox_fdt_lookup(p, 3), 0); /* parent unaffected */
    kbox_fdt_put(c);
    kbox_fdt_put(p);
}

KTEST(shared_ref)
{
    struct kbox_fdt *p = kbox_fdt_new(), *s = kbox_fdt_ref(p);

    kbox_fdt_set(s, 9, 2, false);
    KT_EQ(kbox_fdt_lookup(p, 9), 2);
    kbox_fdt_put(s);
    KT_EQ(kbox_fdt_lookup(p, 9), 2); /* still alive */
    kbox_fdt_put(p);
}

KTEST(exec_drops_cloexec)
{
    struct kbox_fdt *t = kbox_fdt_new();

    kbox_fdt_set(t, 3, 0, true);
    kbox_fdt_set(t, 4, 1, false);
    kbox_fdt_set(t, 5, 2, false);
    kbox_fdt_set_cloexec(t, 5, true);
    kbox_fdt_set_cloexec(t, 6, true); /* unmapped: ignored */
    kbox_fdt_exec(t);
    KT_EQ(kbox_fdt_lookup(t, 3), -1);
    KT_EQ(kbox_fdt_lookup(t, 4), 1);
    KT_EQ(kbox_fdt_lookup(t, 5), -1);
    KT_EQ(kbox_fdt_lookup(t, 6), -1);
    kbox_fdt_put(t);
}

KTEST(close_range)
{
    struct kbox_fdt *t = kbox_fdt_new();
    int *v, n;

    for (int i = 0; i < 40; i++)
        kbox_fdt_set(t, 10 + i, 100 + i, false);
    n = kbox_fdt_range(t, 20, 29, true, &v);
    KT_EQ(n, 10);
    KT_EQ(v[0], 110);
    free(v);
    KT_EQ(kbox_fdt_cloexec(t, 25), 1);
    KT_EQ(kbox_fdt_lookup(t, 25), 110 + 5);
    n = kbox_fdt_range(t, 0, ~0u, false, &v);
    KT_EQ(n, 40);
    KT_EQ(v[39], 139);
    free(v);
    KT_EQ(kbox_fdt_count(t), 0);
    n = kbox_fdt_range(t, 0, ~0u, false, &v);
    KT_EQ(n, 0);
    free(v);
    kbox_fdt_put(t);
}

/* A held lx fd is not handed back for closing by clear, set, place or
 * close_range: the last release says to close it. */
static int place_at_5(void *ctx)
{
    (void)ctx;
    return 5;
}

KTEST(hold_defers_close)
{
    struct kbox_fdt *t = kbox_fdt_new();
    int old, *v, n, out[4];

    kbox_fdt_set(t, 3, 30, false);
    kbox_fdt_set(t, 4, 40, false);
    kbox_fdt_set(t, 5, 50, false);
    kbox_fdt_set(t, 6, 60, false);
    KT_EQ(kbox_fdt_hold(t, 7), -1); /* unmapped: nothing held */
    KT_EQ(kbox_fdt_hold(t, 3), 30);
    KT_EQ(kbox_fdt_hold(t, 3), 30);
    KT_EQ(kbox_fdt_hold(t, 4), 40);
    KT_EQ(kbox_fdt_hold(t, 5), 50);
    KT_EQ(kbox_fdt_hold(t, 6), 60);
    /* not closed: released without a close to do */
    KT_EQ(kbox_fdt_release(t, 60), 0);
    KT_EQ(kbox_fdt_clear(t, 3), -1); /* close(3): left to the release */
    KT_EQ(kbox_fdt_set(t, 4, 41, false), -1); /* replaced likewise */
    KT_EQ(kbox_fdt_place(t, place_at_5, NULL, 51, false, KBOX_FDT_PLACEHOLDER,
                         &old),
          5);
    KT_EQ(old, -1);
    KT_EQ(kbox_fdt_closed_held(t, out, 4), 3);
    KT_EQ(kbox_fdt_release(t, 30), 0); /* one of two holds */
    KT_EQ(kbox_fdt_release(t, 30), 1);
    KT_EQ(kbox_fdt_release(t, 40), 1);
    KT_EQ(kbox_fdt_release(t, 50), 1);
    KT_EQ(kbox_fdt_release(t, 50), 0); /* no longer held */
    KT_EQ(kbox_fdt_closed_held(t, out, 4), 0);
    /* close_range leaves a held one out of what it returns */
    KT_EQ(kbox_fdt_hold(t, 6), 60);
    n = kbox_fdt_range(t, 0, ~0u, false, &v);
    KT_EQ(n, 2); /* 41, 51 */
    free(v);
    KT_EQ(kbox_fdt_release(t, 60), 1);
    kbox_fdt_put(t);
}

/* The swap runs only while the number maps to the lx fd it was for. */
static int swap_count(void *ctx, bool cloexec)
{
    (*(int *)ctx)++;
    return cloexec ? 1 : 0;
}

/* A held lx fd's close leaves its POSIX locks to drop now: taken once,
 * with one more hold for the taker; the holder's release no longer
 * closes, the taker's last one does. */
KTEST(hold_take_unlocks)
{
    struct kbox_fdt *t = kbox_fdt_new();
    int out[4];

    kbox_fdt_set(t, 3, 30, false);
    kbox_fdt_set(t, 4, 40, false);
    KT_EQ(kbox_fdt_hold(t, 3), 30);
    KT_EQ(kbox_fdt_hold(t, 4), 40);
    KT_EQ(kbox_fdt_take_unlocks(t, out, 4), 0); /* nothing closed yet */
    KT_EQ(kbox_fdt_clear(t, 3), -1);
    KT_EQ(kbox_fdt_take_unlocks(t, out, 4), 1);
    KT_EQ(out[0], 30);
    KT_EQ(kbox_fdt_take_unlocks(t, out, 4), 0); /* once */
    KT_EQ(kbox_fdt_release(t, 30), 0);          /* the call's */
    KT_EQ(kbox_fdt_release(t, 30), 1);          /* the taker's */
    KT_EQ(kbox_fdt_release(t, 40), 0);
    kbox_fdt_put(t);
}

KTEST(swap_if_mapped)
{
    struct kbox_fdt *t = kbox_fdt_new();
    int calls = 0;

    kbox_fdt_set(t, 3, 30, true);
    KT_EQ(kbox_fdt_swap_if(t, 3, 30, swap_count, &calls), 1);
    KT_EQ(kbox_fdt_swap_if(t, 3, 31, swap_count, &calls), -EBADF);
    kbox_fdt_clear(t, 3);
    KT_EQ(kbox_fdt_swap_if(t, 3, 30, swap_count, &calls), -EBADF);
    KT_EQ(kbox_fdt_swap_if(t, 99, 30, swap_count, &calls), -EBADF);
    KT_EQ(calls, 1);
    kbox_fdt_put(t);
}

int main(int argc, char **argv)
{
    return ktest_main(argc, argv);
}
