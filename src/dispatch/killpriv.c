/* SPDX-License-Identifier: MIT */
/*
 * Set-ID bits a write to a host file takes away. Linux clears a regular
 * file's set-user-ID bit, and its set-group-ID bit when group-execute is
 * set or the writer is not in its group, at a write, truncate or
 * fallocate by a writer without CAP_FSETID (file_remove_privs,
 * setattr_should_drop_suidgid). Under a root kbox a guest process is the
 * host's root: its writes on host fds run in it (CONTINUE), with root's
 * CAP_FSETID, so a guest root that dropped to a user kept the bit of
 * another user's group-writable set-user-ID file in a bind, whose lx
 * stand-in then gave that owner's ids (src/exec/hostcred.c). And the
 * writes kbox makes itself (sendfile or splice from lx into a host
 * file) ran with kbox's. So before such a call kbox clears the bits the
 * guest's write would clear, on its copy of the fd, as the kernel's
 * notify_change(ATTR_FORCE) does: with no permission check.
 *
 * A guest that started as a user has no CAP_FSETID on the host (the
 * launcher drops it, src/tiers/seccomp/notify.c): the host clears them
 * at its own writes, and only kbox's need the look.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "hostfd.h"
#include "kbox/dispatch.h"

#define A(i)  ((long)r->args[i])
#define FD(i) ((int)kbox_arg_int(r->args[i]))

/* Do the iovecs of a writev ask for any byte? (An empty write removes
 * nothing: generic_write_checks stops it first.) */
static bool iov_bytes(struct kbox_req *r, uint64_t uiov, long n)
{
    struct iovec v[64];

    if (n <= 0 || n > 1024)
        return false;
    for (long i = 0; i < n; i += 64) {
        long k = n - i < 64 ? n - i : 64;

        if (r->ops->read(r, uiov + (uint64_t)i * sizeof(v[0]), v,
                         (size_t)k * sizeof(v[0])))
            return false;
        for (long j = 0; j < k; j++)
            if (v[j].iov_len)
                return true;
    }
    return false;
}

/*
 * Has the calling thread CAP_FSETID in lx? Every write on a host fd of a
 * guest under a root kbox asks, once any guest changed its ids: an lx
 * capget each (~0.7 us of a 5.7 us write to a pipe). The main task's
 * answer is kept until the process's ids change: its creds change only
 * in id.c's calls and a set-ID exec, which all bump ids_gen after the
 * change, so an answer tagged with the generation read before the look
 * is never newer than its tag. Other threads' tasks come and go with
 * the thread table (thread.c): they ask each time.
 */
static bool has_fsetid(struct kbox_req *r)
{
    struct kbox_proc *p = r->proc;
    unsigned long long gen, c;
    bool cap;

    if (!p || r->task != p->task)
        return kbox_lx_capable(r, CAP_FSETID);
    gen = __atomic_load_n(&p->ids_gen, __ATOMIC_SEQ_CST);
    c = __atomic_load_n(&p->fsetid, __ATOMIC_ACQUIRE);
    if ((c & 2) && c >> 2 == gen)
        return c & 1;
    cap = kbox_lx_capable(r, CAP_FSETID);
    __atomic_store_n(&p->fsetid, gen << 2 | 2 | (cap ? 1 : 0),
                     __ATOMIC_RELEASE);
    return cap;
}

/* Is @gid the guest's fsgid or one of its groups (in_group_p)? */
static bool guest_in_group(struct kbox_req *r, gid_t gid)
{
    unsigned int g[1024];
    long n = kbox_lx(r, LX__NR_setfsgid, -1, 0, 0, 0, 0, 0);

    if (n >= 0 && (gid_t)n == gid)
        return true;
    n = kbox_lx(r, LX__NR_getgroups, 1024, (long)g, 0, 0, 0, 0);
    for (long i = 0; i < n; i++)
        if (g[i] == gid)
            return true;
    return false;
}

long kbox_hostfd_kill_privs(struct kbox_req *r, int gfd, bool by_kbox)
{
    struct stat st;
    mode_t kill = 0;
    bool bytes;
    int hfd, fl, rc = 0;

    if (geteuid() != 0 || !r->task || (kbox_sup.guest_user_start && !by_kbox))
        return 0;
    /* a root-started guest that changed no uid or capability holds
     * CAP_FSETID: no lx look on the write path (it cost ~3 us a write) */
    if (!kbox_sup.guest_user_start &&
        !__atomic_load_n(&kbox_sup.guest_creds_changed, __ATOMIC_SEQ_CST))
        return 0;
    switch (r->nr) {
    case SYS_write:
        bytes = A(2) != 0;
        break;
    case SYS_pwrite64:
        bytes = A(2) != 0 && A(3) >= 0;
        break;
    case SYS_writev:
    case SYS_pwritev:
    case SYS_pwritev2:
        bytes = iov_bytes(r, r->args[1], A(2));
        break;
    case SYS_ftruncate: /* do_truncate: whatever the new size */
        bytes = A(1) >= 0;
        break;
    case SYS_fallocate:
        bytes = A(2) >= 0 && A(3) > 0;
        break;
    case SYS_sendfile:
        bytes = A(3) != 0;
        break;
    case SYS_splice:
    case SYS_copy_file_range:
        bytes = A(4) != 0;
        break;
    default:
        return 0;
    }
    if (!bytes || has_fsetid(r))
        return 0;
    hfd = kbox_guest_sock(r, gfd);
    if (hfd < 0) /* the call's own EBADF */
        return 0;
    /* a set-ID file the call may write (else its EBADF or EINVAL comes
     * first); most are pipes and sockets, told by the fstat */
    if (fstat(hfd, &st) || !S_ISREG(st.st_mode) ||
        !(st.st_mode & (S_ISUID | S_ISGID)) || (fl = fcntl(hfd, F_GETFL)) < 0 ||
        (fl & O_PATH) || (fl & O_ACCMODE) == O_RDONLY) {
        close(hfd);
        return 0;
    }
    if (st.st_mode & S_ISUID)
        kill |= S_ISUID;
    /* set-group-ID without group-execute marks mandatory locking: kept
     * for a member of the file's group */
    if ((st.st_mode & S_ISGID) &&
        ((st.st_mode & S_IXGRP) || !guest_in_group(r, st.st_gid)))
        kill |= S_ISGID;
    /* its failure is the call's, as file_remove_privs' (an append-only
     * file's on ext4: EPERM) */
    if (kill && fchmod(hfd, st.st_mode & 07777 & ~kill))
        rc = -errno;
    close(hfd);
    return rc;
}
