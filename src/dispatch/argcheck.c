/* SPDX-License-Identifier: MIT */
/*
 * Linux's checks of a call's own arguments that come before it looks at
 * the fd, the path or the process the call names: flags and modes, a
 * length or a position, a struct read before the target is found. kbox
 * reads the path, resolves the dirfd or looks the target up first, so
 * its EFAULT, EBADF or ESRCH came where Linux says EINVAL or EPERM
 * (unlinkat(-1, p, ~0): EBADF for EINVAL; sched_setparam(pid, NULL) of
 * a pid that is not a guest's: ESRCH for EINVAL). Found by the syscall
 * sweep (tests/guest/syscall-sweep, 346-syscall-sweep-order.sh). Each
 * check is the one of Linux 6.12 (lx's and the host's code), in its
 * order; calls pass on to their handler when none applies.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"
#include "kbox/path.h"

#define A(i) ((long)r->args[i])
#define I(i) ((int)r->args[i])

#ifndef AT_STATX_SYNC_TYPE
#define AT_STATX_SYNC_TYPE 0x6000
#endif
#ifndef AT_NO_AUTOMOUNT
#define AT_NO_AUTOMOUNT 0x800
#endif
#ifndef AT_EACCESS
#define AT_EACCESS 0x200
#endif
#define STATX_RESERVED_ 0x80000000U
#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
/* umount2's MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW */
#define UMOUNT_FLAGS_         (1 | 2 | 4 | 8)
#define PIDFD_THREAD_         O_EXCL
#define SI_TKILL_             (-6)
#define SCHED_ATTR_SIZE_VER0_ 48

/* may_mknod(): the file type of a mknod */
static long mknod_type(mode_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
    case S_IFCHR:
    case S_IFBLK:
    case S_IFIFO:
    case S_IFSOCK:
    case 0:
        return 0;
    case S_IFDIR:
        return -EPERM;
    default:
        return -EINVAL;
    }
}

/* rt_sigqueueinfo, rt_tgsigqueueinfo: the siginfo is copied first, then
 * (tgsigqueueinfo) the pids, then only the target itself may claim to
 * be the kernel or kill() */
static long queueinfo(struct kbox_req *r, pid_t tid, bool tg, uint64_t uinfo)
{
    siginfo_t info;

    if (r->ops->read(r, uinfo, &info, sizeof(info)))
        return -EFAULT;
    if (tg && (I(0) <= 0 || I(1) <= 0))
        return -EINVAL;
    if ((info.si_code >= 0 || info.si_code == SI_TKILL_) && tid != r->pid)
        return -EPERM;
    return 0;
}

/* sched_getaffinity: a length too short for the host's CPUs (the host
 * itself says, on kbox's own mask) or not whole longs */
static long affinity_len(unsigned int len)
{
    unsigned long mask[128];

    if (len & (sizeof(long) - 1))
        return -EINVAL;
    if (len < sizeof(mask) &&
        syscall(SYS_sched_getaffinity, 0, len, mask) < 0 && errno == EINVAL)
        return -EINVAL;
    return 0;
}

long kbox_argcheck(struct kbox_req *r)
{
    switch (r->nr) {
    case SYS_faccessat: /* access() too */
        return (I(2) & ~S_IRWXO) ? -EINVAL : 0;
    case SYS_faccessat2:
        if (I(2) & ~S_IRWXO)
            return -EINVAL;
        return (I(3) & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
                   ? -EINVAL
                   : 0;
    case SYS_mknodat: /* mknod() too; the mode is a umode_t */
        return mknod_type((uint16_t)A(2));
    case SYS_fchownat: /* chown(), lchown() too */
        return (I(4) & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) ? -EINVAL : 0;
    case SYS_unlinkat: /* unlink(), rmdir() too */
        return (I(2) & ~AT_REMOVEDIR) ? -EINVAL : 0;
    case SYS_readlinkat: /* readlink() too */
        return I(3) <= 0 ? -EINVAL : 0;
    case SYS_fchmodat2:
        return (I(3) & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) ? -EINVAL : 0;
    case SYS_statx:
        if (((unsigned int)A(3) & STATX_RESERVED_) ||
            (I(2) & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE ||
            (I(2) & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH |
                      AT_STATX_SYNC_TYPE)))
            return -EINVAL;
        return 0;
    case SYS_umount2:
        return (I(1) & ~UMOUNT_FLAGS_) ? -EINVAL : 0;
    case SYS_execveat: {
        /* the name is read whole first (getname_uflags: EFAULT, a name
         * of PATH_MAX or more ENAMETOOLONG, an empty one ENOENT), the
         * flags checked when the file is opened */
        int flags = I(4);
        char name[KBOX_PATH_MAX];
        int rc;

        if (!(flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)))
            return 0;
        if ((rc = r->ops->read_str(r, r->args[1], name, sizeof(name))))
            return rc == -ENAMETOOLONG ? rc : -EFAULT;
        return !name[0] && !(flags & AT_EMPTY_PATH) ? -ENOENT : -EINVAL;
    }
    case SYS_pread64:
    case SYS_pwrite64:
    case SYS_preadv:
    case SYS_pwritev:
        return A(3) < 0 ? -EINVAL : 0;
    case SYS_preadv2:
    case SYS_pwritev2: /* -1: the file position */
        return A(3) < -1 ? -EINVAL : 0;
    case SYS_pidfd_open:
        if ((unsigned int)A(1) & ~(unsigned int)(O_NONBLOCK | PIDFD_THREAD_))
            return -EINVAL;
        return I(0) <= 0 ? -EINVAL : 0;
    case SYS_pidfd_send_signal: {
        unsigned int f = (unsigned int)A(3);

        /* PIDFD_SIGNAL_THREAD, _THREAD_GROUP, _PROCESS_GROUP: one */
        return (f & ~7u) || __builtin_popcount(f) > 1 ? -EINVAL : 0;
    }
    case SYS_rt_sigqueueinfo:
        return queueinfo(r, I(0), false, r->args[2]);
    case SYS_rt_tgsigqueueinfo:
        return queueinfo(r, I(1), true, r->args[3]);
    case SYS_sched_setscheduler: /* the policy, then as sched_setparam */
    case SYS_sched_setparam: {
        bool set = r->nr == SYS_sched_setparam;
        uint64_t p = r->args[set ? 1 : 2];
        struct sched_param sp;

        if ((!set && I(1) < 0) || !p || I(0) < 0)
            return -EINVAL;
        return r->ops->read(r, p, &sp, sizeof(sp)) ? -EFAULT : 0;
    }
    case SYS_sched_getparam:
        return !r->args[1] || I(0) < 0 ? -EINVAL : 0;
    case SYS_sched_getscheduler:
    case SYS_sched_rr_get_interval:
        return I(0) < 0 ? -EINVAL : 0;
    case SYS_sched_setaffinity: {
        /* the mask is copied before the pid is looked up (a long of it
         * here: the host's cpumask is at least that) */
        unsigned long m;
        size_t n =
            (unsigned int)A(1) < sizeof(m) ? (unsigned int)A(1) : sizeof(m);

        return n && r->ops->read(r, r->args[2], &m, n) ? -EFAULT : 0;
    }
    case SYS_sched_getaffinity:
        return affinity_len((unsigned int)A(1));
    case SYS_sched_setattr:
        return !r->args[1] || I(0) < 0 || (unsigned int)A(2) ? -EINVAL : 0;
    case SYS_sched_getattr: {
        unsigned int size = (unsigned int)A(2);

        if (!r->args[1] || I(0) < 0 || size > 4096 ||
            size < SCHED_ATTR_SIZE_VER0_ || (unsigned int)A(3))
            return -EINVAL;
        return 0;
    }
    default:
        return 0;
    }
}
