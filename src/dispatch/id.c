/* SPDX-License-Identifier: MIT */
/*
 * Identity family: the guest's credentials live in its lx task, so the
 * kernel's own permission checks apply to every file operation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/dispatch.h"

#define A(i)             ((long)r->args[i])
#define NGROUPS_MAX_KBOX 1024

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
    if (nr == LX__NR_setuid || nr == LX__NR_setreuid ||
        nr == LX__NR_setresuid || nr == LX__NR_setfsuid)
        __atomic_store_n(&kbox_sup.guest_creds_changed, true, __ATOMIC_SEQ_CST);
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

    if ((n < 0 || n > 65536) &&
        (r->nr == SYS_getgroups || kbox_lx_capable(r, 6 /* CAP_SETGID */)))
        return kbox_ret(-EINVAL);
    if (n < 0 || n > 65536)
        return kbox_ret(-EPERM);
    g = calloc((size_t)n + 1, sizeof(*g));
    if (!g)
        return kbox_ret(-ENOMEM);
    if (r->nr == SYS_getgroups) {
        rc = kbox_lx(r, LX__NR_getgroups, n, (long)g, 0, 0, 0, 0);
        if (rc > 0 && n &&
            r->ops->write(r, r->args[1], g, (size_t)rc * sizeof(*g)))
            rc = -EFAULT;
    } else {
        /* may_setgroups() comes before the size and the list */
        if (!kbox_lx_capable(r, 6 /* CAP_SETGID */))
            rc = -EPERM;
        else if (n && r->ops->read(r, r->args[1], g, (size_t)n * sizeof(*g)))
            rc = -EFAULT;
        else
            rc = kbox_lx(r, LX__NR_setgroups, n, (long)g, 0, 0, 0, 0);
    }
    free(g);
    return changed_ids(r, rc);
}

bool kbox_lx_capable(struct kbox_req *r, int cap)
{
    unsigned int hdr[2] = { 0x20080522, 0 }; /* _LINUX_CAPABILITY_VERSION_3 */
    unsigned int data[6] = { 0 };

    if (cap < 0 || cap > 63 ||
        kbox_lx(r, LX__NR_capget, (long)hdr, (long)data, 0, 0, 0, 0) < 0)
        return false;
    return (data[(cap / 32) * 3] >> (cap % 32)) & 1; /* effective */
}

int kbox_lx_ids(struct kbox_req *r, unsigned int *euid, unsigned int *egid)
{
    long u = kbox_lx(r, LX__NR_geteuid, 0, 0, 0, 0, 0, 0);
    long g = kbox_lx(r, LX__NR_getegid, 0, 0, 0, 0, 0, 0);

    if (u < 0 || g < 0)
        return -1;
    *euid = (unsigned int)u;
    *egid = (unsigned int)g;
    return 0;
}

/*
 * prctl options on the credentials, which live in lx: PR_SET_KEEPCAPS
 * stayed on the host, so lx's setresuid dropped the permitted set
 * (`setpriv --reuid` failed: "reactivate capabilities"; daemons that keep
 * a capability past dropping root lost it). PR_GET_NO_NEW_PRIVS said 1
 * (kbox's own filter sets it on the host); set, it is lx's too, where
 * it stops set-ID execs (src/exec/setid.c), and the host's stays set.
 */
struct kbox_resp kbox_id_prctl(struct kbox_req *r)
{
    long rc = kbox_lx(r, LX__NR_prctl, A(0), A(1), A(2), A(3), A(4), 0);

    switch (r->args[0]) {
    case PR_SET_KEEPCAPS:
    case PR_CAPBSET_DROP:
    case PR_SET_SECUREBITS:
    case PR_CAP_AMBIENT:
        return changed_ids(r, rc);
    default:
        return kbox_ret(rc);
    }
}

/*
 * capget's pid in lx: 0 for the caller, another guest process's lx pid
 * (its main task's: a thread of it answers for the process); one that
 * is no guest's is ESRCH (kbox, the outside parent, too). Every pid was
 * the caller until the thirty-second session: `getpcaps PID` showed its
 * own capabilities (347-capget-other).
 */
static long capget_target(struct kbox_req *r, unsigned int *pid)
{
    pid_t want = (pid_t)*pid, tgid, ppid;
    struct kbox_proc *p;
    long rc = -ESRCH;

    if (want < 0) /* lx's EINVAL, after the version */
        return 0;
    if (!want || want == r->pid || (r->proc && want == r->proc->tgid)) {
        *pid = 0;
        return 0;
    }
    if (kbox_proc_status(want, &tgid, &ppid) || !kbox_proc_known(tgid) ||
        !(p = kbox_proc_lookup(tgid)))
        return -ESRCH;
    if (p->task) {
        *pid = (unsigned int)lx_task_tid(p->task);
        rc = 0;
    }
    kbox_proc_put(p);
    return rc;
}

static struct kbox_resp h_capget(struct kbox_req *r)
{
    /* header {version, pid}, data[2] {effective, permitted, inheritable} */
    unsigned int hdr[2], data[6], asked;
    long rc;
    long nr = r->nr == SYS_capget ? LX__NR_capget : LX__NR_capset;

    if (r->ops->read(r, r->args[0], hdr, sizeof(hdr)))
        return kbox_ret(-EFAULT);
    if (nr == LX__NR_capset) {
        size_t n;

        /* capset's order: the version (an unknown one is answered with
         * the kernel's), the pid (only the caller's own), then as many
         * data structs as the version has */
        switch (hdr[0]) {
        case 0x19980330:
            n = 12;
            break;
        case 0x20071026:
        case 0x20080522:
            n = sizeof(data);
            break;
        default:
            hdr[0] = 0x20080522;
            return kbox_ret(r->ops->write(r, r->args[0], hdr, sizeof(hdr[0]))
                                ? -EFAULT
                                : -EINVAL);
        }
        if (hdr[1] && (pid_t)hdr[1] != r->pid)
            return kbox_ret(-EPERM);
        hdr[1] = 0; /* the calling (lx) task */
        memset(data, 0, sizeof(data));
        if (r->ops->read(r, r->args[1], data, n))
            return kbox_ret(-EFAULT);
        __atomic_store_n(&kbox_sup.guest_creds_changed, true, __ATOMIC_SEQ_CST);
        return changed_ids(r,
                           kbox_lx(r, nr, (long)hdr, (long)data, 0, 0, 0, 0));
    }
    /* the pid counts once the version is known and there is data */
    bool known =
        hdr[0] == 0x19980330 || hdr[0] == 0x20071026 || hdr[0] == 0x20080522;
    if (!known || !r->args[1])
        hdr[1] = 0;
    else if ((rc = capget_target(r, &hdr[1])) < 0)
        return kbox_ret(rc);
    asked = hdr[0];
    rc = kbox_lx(r, nr, (long)hdr, r->args[1] ? (long)data : 0, 0, 0, 0, 0);
    /* an unknown version is answered with the kernel's own, also with no
     * data pointer (then it returns 0: libcap-ng asks so) */
    if (hdr[0] != asked && r->ops->write(r, r->args[0], hdr, sizeof(hdr[0])))
        rc = -EFAULT;
    if (rc >= 0 && r->args[1] &&
        r->ops->write(r, r->args[1], data,
                      hdr[0] == 0x19980330 ? 12 : sizeof(data)))
        rc = -EFAULT;
    return kbox_ret(rc);
}

/*
 * Host calls on a bind run with kbox's rights. When kbox is the host's
 * root and the guest is not (--change-id, -R run by root, a guest that
 * dropped root), that gave the guest root's rights there: it read 0600
 * files of others, chown'd a copy of sh to root and set its set-user-ID
 * bit, made device nodes. So the thread takes the guest's filesystem
 * identity (fsuid, fsgid, groups: per thread in the kernel, hence the
 * raw calls) for the request, and the host checks the guest's rights.
 *
 * The identity includes the capabilities the kernel's file checks use
 * (CAP_FS_MASK: the ones a setfsuid to or from 0 drops and raises). A
 * guest root without them (capsh --drop, a service's bounding set) kept
 * all of kbox's and chowned, read and renamed as it could not natively,
 * and a guest root with another fsgid made files of kbox's group; a user
 * that kept some (PR_SET_KEEPCAPS) lost them. So the thread's effective
 * file capabilities are the guest's for the request, put back after.
 */
static gid_t kbox_groups[NGROUPS_MAX_KBOX];
static int kbox_ngroups = -1;
static pthread_once_t groups_once = PTHREAD_ONCE_INIT;

/* CAP_FS_MASK of include/linux/capability.h, as {low word, high word} */
#define FS_CAPS_LO                                                           \
    ((1u << 0) | (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 9) | \
     (1u << 27))             /* CHOWN..FSETID, LINUX_IMMUTABLE, MKNOD */
#define FS_CAPS_HI (1u << 0) /* CAP_MAC_OVERRIDE (32) */
#define CAP_V3     0x20080522u

static void save_kbox_groups(void)
{
    kbox_ngroups = (int)syscall(SYS_getgroups, NGROUPS_MAX_KBOX, kbox_groups);
}

/* The guest's effective (or permitted) capabilities {low, high}. */
static int guest_caps(struct kbox_req *r, bool permitted, unsigned int c[2])
{
    unsigned int hdr[2] = { CAP_V3, 0 };
    unsigned int data[6] = { 0 };

    if (kbox_lx(r, LX__NR_capget, (long)hdr, (long)data, 0, 0, 0, 0) < 0)
        return -1;
    c[0] = data[permitted ? 1 : 0];
    c[1] = data[permitted ? 4 : 3];
    return 0;
}

static bool all_fs_caps(const unsigned int c[2])
{
    return (c[0] & FS_CAPS_LO) == FS_CAPS_LO &&
           (c[1] & FS_CAPS_HI) == FS_CAPS_HI;
}

/* The thread's effective set {low, high}, saved for kbox_ids_restore
 * before setfsuid changes it. */
static void save_thread_caps(struct kbox_req *r)
{
    unsigned int hdr[2] = { CAP_V3, 0 }; /* pid 0: this thread only */
    unsigned int d[6] = { 0 };

    if (r->host_caps || syscall(SYS_capget, hdr, d) < 0)
        return;
    r->host_eff[0] = d[0];
    r->host_eff[1] = d[3];
    r->host_caps = true;
}

/* The thread's effective file capabilities become @want's (within its
 * permitted set); the others stay. */
static void thread_fs_caps(const unsigned int want[2])
{
    unsigned int hdr[2] = { CAP_V3, 0 };
    unsigned int d[6] = { 0 };

    if (syscall(SYS_capget, hdr, d) < 0)
        return;
    d[0] = ((d[0] & ~FS_CAPS_LO) | (want[0] & FS_CAPS_LO)) & d[1];
    d[3] = ((d[3] & ~FS_CAPS_HI) | (want[1] & FS_CAPS_HI)) & d[4];
    syscall(SYS_capset, hdr, d);
}

static void apply_ids(struct kbox_req *r, long fsuid, long fsgid,
                      const unsigned int caps[2])
{
    gid_t groups[NGROUPS_MAX_KBOX];
    unsigned int g32[NGROUPS_MAX_KBOX];
    long n;

    n = kbox_lx(r, LX__NR_getgroups, NGROUPS_MAX_KBOX, (long)g32, 0, 0, 0, 0);
    if (n < 0)
        return;
    pthread_once(&groups_once, save_kbox_groups);
    for (long i = 0; i < n; i++)
        groups[i] = g32[i];
    save_thread_caps(r);
    syscall(SYS_setgroups, (size_t)n, groups);
    syscall(SYS_setfsgid, (gid_t)fsgid);
    syscall(SYS_setfsuid, (uid_t)fsuid);
    /* after setfsuid, which drops or raises them itself */
    thread_fs_caps(caps);
    r->host_ids = true;
}

void kbox_ids_for_host(struct kbox_req *r)
{
    unsigned int caps[2];
    long fsuid, fsgid;

    if (r->host_ids || geteuid() != 0 || !r->task)
        return;
    /* setfsuid(-1) changes nothing and returns the current one */
    fsuid = kbox_lx(r, LX__NR_setfsuid, -1, 0, 0, 0, 0, 0);
    if (fsuid < 0 || guest_caps(r, false, caps))
        return;
    fsgid = kbox_lx(r, LX__NR_setfsgid, -1, 0, 0, 0, 0, 0);
    if (fsgid < 0)
        return;
    /* root with the file capabilities and kbox's group: root on its
     * binds, as in a chroot (its groups then change nothing) */
    if (fsuid == 0 && (gid_t)fsgid == getegid() && all_fs_caps(caps))
        return;
    apply_ids(r, fsuid, fsgid, caps);
}

/*
 * access() checks with the real ids and, as Linux's faccessat does, the
 * capabilities of a root real uid only (all permitted ones; none for a
 * user): a guest that is root only by its effective uid was told a file
 * it may not read was readable. The caller checks with AT_EACCESS after.
 */
bool kbox_ids_for_access(struct kbox_req *r)
{
    unsigned int u[3], g[3], caps[2];

    if (geteuid() != 0 || !r->task ||
        kbox_lx(r, LX__NR_getresuid, (long)&u[0], (long)&u[1], (long)&u[2], 0,
                0, 0) ||
        kbox_lx(r, LX__NR_getresgid, (long)&g[0], (long)&g[1], (long)&g[2], 0,
                0, 0) ||
        guest_caps(r, true, caps))
        return r->host_ids;
    if (u[0] != 0)
        caps[0] = caps[1] = 0;
    if (!r->host_ids && u[0] == 0 && g[0] == getegid() && all_fs_caps(caps))
        return false;
    apply_ids(r, u[0], g[0], caps);
    return true;
}

void kbox_ids_restore(struct kbox_req *r)
{
    if (!r->host_ids)
        return;
    syscall(SYS_setfsuid, geteuid());
    syscall(SYS_setfsgid, getegid());
    syscall(SYS_setgroups, (size_t)(kbox_ngroups > 0 ? kbox_ngroups : 0),
            kbox_groups);
    if (r->host_caps) {
        unsigned int hdr[2] = { CAP_V3, 0 };
        unsigned int d[6] = { 0 };

        if (syscall(SYS_capget, hdr, d) == 0) {
            d[0] = r->host_eff[0];
            d[3] = r->host_eff[1];
            syscall(SYS_capset, hdr, d);
        }
        r->host_caps = false;
    }
    r->host_ids = false;
}

int kbox_host_fd_as_guest(struct kbox_req *r, int gfd)
{
    long fd;

    if (geteuid() != 0 || !r->proc || r->proc->pidfd < 0)
        return -ENOSYS;
    fd = syscall(SYS_pidfd_getfd, r->proc->pidfd, gfd, 0);
    if (fd < 0)
        return -ENOSYS;
    kbox_ids_for_host(r);
    if (!r->host_ids) {
        close((int)fd);
        return -ENOSYS;
    }
    return (int)fd;
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
