/* SPDX-License-Identifier: MIT */
/*
 * clone3. Its flags are in guest memory, which the filter cannot read, so
 * every call is notified and the flags are read here: invalid arguments
 * get Linux's error before anything is made, namespaces are refused with
 * EPERM as legacy clone's are (by the filter), and the rest takes clone's
 * way (kbox_proc_fork) and is run by the host.
 *
 * Another thread of the caller could rewrite the struct between this read
 * and the host's. It gains nothing kbox guards: whatever it clones still
 * runs under kbox's filter, so its files are still lx's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"

#define CLONE3_NS                                                \
    (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
     CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME)
#define CLONE3_INTO_CGROUP 0x200000000ull

struct kbox_resp kbox_proc_clone3(struct kbox_req *r)
{
    struct kbox_clone_args a;
    uint64_t size = r->args[1];
    int e;

    memset(&a, 0, sizeof(a));
    if (size >= KBOX_CLONE_ARGS_SIZE_VER0 && size <= 4096) {
        /* the struct, then any bytes a newer libc added: zero, or E2BIG */
        unsigned char tail[4096 - sizeof(a)];
        size_t have = size < sizeof(a) ? size : sizeof(a);

        if (r->ops->read(r, r->args[0], &a, have))
            return kbox_ret(-EFAULT);
        if (size > sizeof(a)) {
            size_t more = size - sizeof(a);

            if (r->ops->read(r, r->args[0] + sizeof(a), tail, more))
                return kbox_ret(-EFAULT);
            for (size_t i = 0; i < more; i++)
                if (tail[i])
                    return kbox_ret(-E2BIG);
        }
    }
    e = kbox_abi_clone3_check(&a, size);
    if (e)
        return kbox_ret(e);
    if (a.flags & CLONE3_NS)
        return kbox_ret(-EPERM);
    /*
     * lx has no cgroup file system: an lx fd is never a cgroup directory
     * (Linux: EBADF). A host fd (a bind of the host's cgroup tree) is the
     * host's to judge.
     */
    if ((a.flags & CLONE3_INTO_CGROUP) && kbox_fd_is_lx(r, (int)a.cgroup))
        return kbox_ret(-EBADF);
    return kbox_proc_fork(r, a.flags);
}
