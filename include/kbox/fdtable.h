/* SPDX-License-Identifier: MIT */
/*
 * Per-process map from guest fd numbers to the kernel library's fd
 * numbers for files that live in lx. Guest numbers are reserved on the
 * host by placeholder fds, so the host and this map never disagree about
 * which numbers are taken; lx picks its own numbers. A guest fd that is
 * not in the map is a host object (pipe, socket, tty, bind file) and its
 * calls run on the host without asking lx anything.
 *
 * Shared by threads and CLONE_FILES children (reference counted), copied
 * at fork (together with lx_task_fork's copy of the lx table), and
 * stripped of close-on-exec entries at exec (as lx_task_exec does).
 */
#ifndef KBOX_FDTABLE_H
#define KBOX_FDTABLE_H

#include <stdbool.h>
#include <stdint.h>

struct kbox_fdt;

/* What the host fd at a mapped guest number is. */
enum kbox_fdt_host {
    KBOX_FDT_PLACEHOLDER = 0, /* the shared placeholder */
    KBOX_FDT_SHADOW,          /* a content memfd of the file: mmap can
                                 go straight to the host */
    KBOX_FDT_MIRROR,          /* a pipe lx keeps readable while the file
                                 is (lx_task_mirror): poll runs on the host */
};

struct kbox_fdt *kbox_fdt_new(void);
/* A private copy (fork without CLONE_FILES). */
struct kbox_fdt *kbox_fdt_copy(struct kbox_fdt *t);
/* Another reference (threads, CLONE_FILES). */
struct kbox_fdt *kbox_fdt_ref(struct kbox_fdt *t);
void kbox_fdt_put(struct kbox_fdt *t);
/* Make @t private (exec unshares a CLONE_FILES table); returns the table
 * to use from now on (drops the reference to @t if it copied). */
struct kbox_fdt *kbox_fdt_unshare(struct kbox_fdt *t);

/* lx fd for guest fd @gfd, or -1. */
int kbox_fdt_lookup(struct kbox_fdt *t, int gfd);
/*
 * lx fd for guest fd @gfd (-1 if none), held for a call that uses it
 * over several lx calls or a wait: while held, closing or replacing
 * @gfd does not close it in lx (the lx number could be reused by the
 * next open, and the rest of a long write went into that file), as the
 * file a native call uses stays open until it returns. -ENOMEM: not
 * held. Each hold >= 0 takes a table reference; kbox_fdt_release drops
 * it and returns true when the caller must now close @lxfd in lx.
 */
int kbox_fdt_hold(struct kbox_fdt *t, int gfd);
bool kbox_fdt_release(struct kbox_fdt *t, int lxfd);
/* Held lx fds whose guest numbers were closed (up to @max in @out): a
 * fork copied them into the child's lx table, where nothing maps them. */
int kbox_fdt_closed_held(struct kbox_fdt *t, int *out, int max);
/*
 * Held lx fds whose guest numbers were closed since the last take (up to
 * @max in @out), each held once more for the caller (kbox_fdt_release
 * it): a native close drops the process's POSIX locks on the file at
 * once, though a call in flight keeps the file itself.
 */
int kbox_fdt_take_unlocks(struct kbox_fdt *t, int *out, int max);
/* The lowest guest fd mapped to lx fd @lxfd, or -1. */
int kbox_fdt_guest_fd(struct kbox_fdt *t, int lxfd);
/* Is guest fd @gfd close-on-exec (only meaningful for mapped fds)? */
bool kbox_fdt_cloexec(struct kbox_fdt *t, int gfd);
/* Map @gfd -> @lxfd. Returns the lx fd it replaced (the caller closes it
 * in lx), -1 if none, or -ENOMEM / -EBADF. */
int kbox_fdt_set(struct kbox_fdt *t, int gfd, int lxfd, bool cloexec);
/*
 * Reserve a guest number with @place(@ctx) (which returns it or -errno)
 * and map it to @lxfd, with the table locked throughout so no lookup by
 * another thread sees the number before it is mapped (the guest may use
 * it the moment @place returns). Returns the guest fd or -errno; *old
 * gets the lx fd previously mapped there (caller closes it) or -1.
 */
int kbox_fdt_place(struct kbox_fdt *t, int (*place)(void *ctx), void *ctx,
                   int lxfd, bool cloexec, enum kbox_fdt_host host, int *old);
/*
 * Run @swap(@ctx, cloexec) (which puts another host fd at guest number
 * @gfd, close-on-exec as the number is) with the table locked, if @gfd
 * still maps to @lxfd. Returns swap's result,
 * or -EBADF when another thread closed or replaced @gfd since the caller
 * looked it up: the number may now hold a host object of the guest's (a
 * socket), which the swap would have closed.
 */
int kbox_fdt_swap_if(struct kbox_fdt *t, int gfd, int lxfd,
                     int (*swap)(void *ctx, bool cloexec), void *ctx);
/* Unmap @gfd; returns its lx fd (caller closes it in lx) or -1. */
int kbox_fdt_clear(struct kbox_fdt *t, int gfd);
void kbox_fdt_set_cloexec(struct kbox_fdt *t, int gfd, bool cloexec);
/*
 * "Shadowed": the host fd at @gfd is a point-in-time content memfd of the
 * lx file (not the placeholder), so mmap can go straight to the host.
 * Set only while @gfd still maps to @lxfd; any new mapping clears it.
 */
bool kbox_fdt_shadow(struct kbox_fdt *t, int gfd);
void kbox_fdt_set_shadow(struct kbox_fdt *t, int gfd, int lxfd);
/* Is the host fd at mapped guest fd @gfd a readiness mirror? */
bool kbox_fdt_mirror(struct kbox_fdt *t, int gfd);
/* Drop close-on-exec entries (lx closed them in lx_task_exec). */
void kbox_fdt_exec(struct kbox_fdt *t);
/*
 * close_range(first, last): unmap the mapped guest fds in the range (with
 * @cloexec_only: mark them close-on-exec instead) and return their lx fds
 * in a malloc'd *out (caller frees). Returns the count.
 */
int kbox_fdt_range(struct kbox_fdt *t, unsigned first, unsigned last,
                   bool cloexec_only, int **out);
/* Number of mapped fds (tests, diagnostics). */
int kbox_fdt_count(struct kbox_fdt *t);

#endif
