/* SPDX-License-Identifier: MIT */
/*
 * Identity family: the guest's credentials live in its lx task, so the
 * kernel's own permission checks apply to every file operation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/dispatch.h"

#define A(i) ((long)r->args[i])

/* The result of a call that may have changed the thread's credentials. */
static struct kbox_resp changed_ids(struct kbox_req *r, long rc)
{
    if (rc >= 0 && r->nr != SYS_getuid && r->nr != SYS_geteuid &&
        r->nr != SYS_getgid && r->nr != SYS_getegid && r->nr != SYS_capget &&
        r->nr != SYS_getgroups)
        kbox_thread_ids_changed(r->proc);
    return kbox_ret(rc);
}

static struct kbox_resp h_scalar(struct kbox_req *r)
{
    long nr;

    switch (r->nr) {
    case SYS_getuid:
        nr = LX__NR_getuid;
        break;
    case SYS_geteuid:
        nr = LX__NR_geteuid;
        break;
    case SYS_getgid:
        nr = LX__NR_getgid;
        break;
    case SYS_getegid:
        nr = LX__NR_getegid;
        break;
    case SYS_setuid:
        nr = LX__NR_setuid;
        break;
    case SYS_setgid:
        nr = LX__NR_setgid;
        break;
    case SYS_setreuid:
        nr = LX__NR_setreuid;
        break;
    case SYS_setregid:
        nr = LX__NR_setregid;
        break;
    case SYS_setresuid:
        nr = LX__NR_setresuid;
        break;
    case SYS_setresgid:
        nr = LX__NR_setresgid;
        break;
    case SYS_setfsuid:
        nr = LX__NR_setfsuid;
        break;
    case SYS_setfsgid:
        nr = LX__NR_setfsgid;
        break;
    default:
        return kbox_ret(-ENOSYS);
    }
    return changed_ids(r, kbox_lx(r, nr, A(0), A(1), A(2), 0, 0, 0));
}

static struct kbox_resp h_getres(struct kbox_req *r)
{
    unsigned int v[3];
    long nr = r->nr == SYS_getresuid ? LX__NR_getresuid : LX__NR_getresgid;
    long rc = kbox_lx(r, nr, (long)&v[0], (long)&v[1], (long)&v[2], 0, 0, 0);

    if (rc < 0)
        return kbox_ret(rc);
    for (int i = 0; i < 3; i++)
        if (r->ops->write(r, r->args[i], &v[i], sizeof(v[i])))
            return kbox_ret(-EFAULT);
    return kbox_ret(0);
}

static struct kbox_resp h_groups(struct kbox_req *r)
{
    int n = (int)A(0);
    unsigned int *g;
    long rc;

    if (n < 0 || n > 65536)
        return kbox_ret(-EINVAL);
    g = calloc((size_t)n + 1, sizeof(*g));
    if (!g)
        return kbox_ret(-ENOMEM);
    if (r->nr == SYS_getgroups) {
        rc = kbox_lx(r, LX__NR_getgroups, n, (long)g, 0, 0, 0, 0);
        if (rc > 0 && n &&
            r->ops->write(r, r->args[1], g, (size_t)rc * sizeof(*g)))
            rc = -EFAULT;
    } else {
        if (n && r->ops->read(r, r->args[1], g, (size_t)n * sizeof(*g)))
            rc = -EFAULT;
        else
            rc = kbox_lx(r, LX__NR_setgroups, n, (long)g, 0, 0, 0, 0);
    }
    free(g);
    return changed_ids(r, rc);
}

static struct kbox_resp h_capget(struct kbox_req *r)
{
    /* header {version, pid}, data[2] {effective, permitted, inheritable} */
    unsigned int hdr[2], data[6];
    long rc;
    long nr = r->nr == SYS_capget ? LX__NR_capget : LX__NR_capset;

    if (r->ops->read(r, r->args[0], hdr, sizeof(hdr)))
        return kbox_ret(-EFAULT);
    hdr[1] = 0; /* the calling (lx) task */
    if (nr == LX__NR_capset) {
        if (r->ops->read(r, r->args[1], data, sizeof(data)))
            return kbox_ret(-EFAULT);
        return changed_ids(r,
                           kbox_lx(r, nr, (long)hdr, (long)data, 0, 0, 0, 0));
    }
    rc = kbox_lx(r, nr, (long)hdr, r->args[1] ? (long)data : 0, 0, 0, 0, 0);
    if (rc == -EINVAL)
        r->ops->write(r, r->args[0], hdr, sizeof(hdr[0]));
    if (rc >= 0 && r->args[1] &&
        r->ops->write(r, r->args[1], data,
                      hdr[0] == 0x19980330 ? 12 : sizeof(data)))
        rc = -EFAULT;
    return kbox_ret(rc);
}

kbox_handler kbox_id_handler(long nr)
{
    switch (nr) {
    case SYS_getuid:
    case SYS_geteuid:
    case SYS_getgid:
    case SYS_getegid:
    case SYS_setuid:
    case SYS_setgid:
    case SYS_setreuid:
    case SYS_setregid:
    case SYS_setresuid:
    case SYS_setresgid:
    case SYS_setfsuid:
    case SYS_setfsgid:
        return h_scalar;
    case SYS_getresuid:
    case SYS_getresgid:
        return h_getres;
    case SYS_getgroups:
    case SYS_setgroups:
        return h_groups;
    case SYS_capget:
    case SYS_capset:
        return h_capget;
    default:
        return NULL;
    }
}
