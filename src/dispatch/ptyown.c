/* SPDX-License-Identifier: MIT */
/*
 * Owners of the host's pty slaves, in guest ids. A guest's ptys are the
 * host's (kbox opens /dev/ptmx for it), so their nodes belong to kbox's
 * host user: a rootless kbox's guest root saw them owned by that uid and
 * could not chown them (EPERM), and sshd closed every pty session
 * ("chown(/dev/pts/0, 0, 5) failed"), screen would not start. So each
 * slave gets the guest ids of the process that opened its master (as
 * devpts gives the opener's), a chown the guest's lx credentials allow
 * (CAP_CHOWN, or the owner keeping its uid) is made on the host when
 * kbox may and recorded in any case, and stat of the node reports the
 * recorded ids. Slaves kbox did not open (the terminal kbox was started
 * from) keep the host's ids.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/dispatch.h"

#define PTYS 1024

static struct {
    unsigned int uid, gid;
    bool set;
} owners[PTYS];
static pthread_mutex_t owners_lock = PTHREAD_MUTEX_INITIALIZER;

/* The slave's number, or -1 if @rdev is no Unix98 pty slave we track. */
static int pty_index(unsigned int mode, dev_t rdev)
{
    unsigned int ma = major(rdev), n;

    if (!S_ISCHR(mode) || ma < 136 || ma > 143)
        return -1;
    n = (ma - 136) * 256 + minor(rdev);
    return n < PTYS ? (int)n : -1;
}

void kbox_pty_opened(struct kbox_req *r, int ptmx)
{
    unsigned int n, euid, egid;
    struct stat st;

    /* a master: /dev/ptmx, /dev/pts/ptmx, or a /proc/self/fd link to one
     * (a new pty too) */
    if (fstat(ptmx, &st) || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2))
        return;
    if (ioctl(ptmx, TIOCGPTN, &n) || n >= PTYS || kbox_lx_ids(r, &euid, &egid))
        return;
    pthread_mutex_lock(&owners_lock);
    owners[n].uid = euid;
    owners[n].gid = egid;
    owners[n].set = true;
    pthread_mutex_unlock(&owners_lock);
}

void kbox_pty_owner(unsigned int mode, dev_t rdev, uint32_t *uid, uint32_t *gid)
{
    int i = pty_index(mode, rdev);

    if (i < 0)
        return;
    pthread_mutex_lock(&owners_lock);
    if (owners[i].set) {
        *uid = owners[i].uid;
        *gid = owners[i].gid;
    }
    pthread_mutex_unlock(&owners_lock);
}

long kbox_pty_chown(struct kbox_req *r, int hfd, uid_t uid, gid_t gid)
{
    unsigned int euid = ~0u, egid;
    uint32_t ouid, ogid;
    struct stat st;
    int i;

    if (fstat(hfd, &st))
        return -errno;
    i = pty_index(st.st_mode, st.st_rdev);
    if (i < 0)
        return -ENOSYS;
    ouid = st.st_uid;
    ogid = st.st_gid;
    kbox_pty_owner(st.st_mode, st.st_rdev, &ouid, &ogid);
    kbox_lx_ids(r, &euid, &egid);
    /* chown_ok/chgrp_ok, coarsely: CAP_CHOWN, or the owner keeping its uid */
    if (!kbox_lx_capable(r, 0) &&
        (euid != ouid || (uid != (uid_t)-1 && uid != ouid)))
        return -EPERM;
    if (fchownat(hfd, "", uid, gid, AT_EMPTY_PATH) && errno != EPERM)
        return -errno; /* a host refusal other than kbox's own rights */
    pthread_mutex_lock(&owners_lock);
    owners[i].uid = uid == (uid_t)-1 ? ouid : uid;
    owners[i].gid = gid == (gid_t)-1 ? ogid : gid;
    owners[i].set = true;
    pthread_mutex_unlock(&owners_lock);
    return 0;
}

/*
 * The host's /dev/pts holds every pty of the host, not only the guest's,
 * and kbox opened and chmod'ed its nodes with its own rights: under a
 * root kbox a guest user opened another session's terminal (root's
 * 0600 pty) for reading and writing, so it could read what was typed
 * there. A non-root guest of a root kbox is checked as Linux checks a
 * user: against a slave's recorded guest owner (kbox_pty_opened), or the
 * host's owner for nodes kbox did not make, and the node's mode; a chmod
 * needs the owner. Guest root keeps kbox's rights, as elsewhere; a
 * rootless kbox's opens were the host's check already.
 */
long kbox_pty_may(struct kbox_req *r, int hfd, int flags)
{
    unsigned int euid, egid;
    unsigned int want, bits;
    uint32_t uid, gid;
    struct stat st;
    long n;

    if (geteuid() != 0 || kbox_lx_capable(r, CAP_DAC_OVERRIDE))
        return 0;
    if (fstat(hfd, &st))
        return -errno;
    if (kbox_lx_ids(r, &euid, &egid))
        return -EACCES;
    uid = st.st_uid;
    gid = st.st_gid;
    kbox_pty_owner(st.st_mode, st.st_rdev, &uid, &gid);
    if (flags == -1) /* chmod: the owner, or CAP_FOWNER */
        return euid == uid || kbox_lx_capable(r, CAP_FOWNER) ? 0 : -EPERM;
    if (flags & O_PATH)
        return 0;
    want = (flags & O_ACCMODE) == O_RDONLY   ? 4
           : (flags & O_ACCMODE) == O_WRONLY ? 2
                                             : 6;
    if (euid == uid) {
        bits = st.st_mode >> 6;
    } else {
        bool in = egid == gid;

        /* on the heap: NGROUPS_MAX ids are a 256 KiB frame on a worker's
         * stack (it overflowed under ThreadSanitizer) */
        n = in ? 0 : kbox_lx(r, LX__NR_getgroups, 0, 0, 0, 0, 0, 0);
        if (n > 0) {
            unsigned int *g32 = calloc((size_t)n, sizeof(*g32));

            n = g32 ? kbox_lx(r, LX__NR_getgroups, n, (long)g32, 0, 0, 0, 0)
                    : 0;
            for (long i = 0; !in && i < n; i++)
                in = g32[i] == gid;
            free(g32);
        }
        bits = in ? st.st_mode >> 3 : st.st_mode;
    }
    return (bits & want) == want ? 0 : -EACCES;
}

/*
 * Linux refuses a new open of a terminal set exclusive (TIOCEXCL) with
 * EBUSY unless the opener has CAP_SYS_ADMIN: a pty slave by its path,
 * /dev/tty, a /proc/self/fd link. kbox makes these opens, so under a root
 * kbox the host let a guest user in. A rootless kbox is refused by the
 * host already (guest root too: kbox has no rights to give).
 */
long kbox_tty_excl(struct kbox_req *r, int hfd)
{
    struct stat st;
    struct termios t;
    int excl = 0;

    if (fstat(hfd, &st) || !S_ISCHR(st.st_mode) || ioctl(hfd, TCGETS, &t) ||
        ioctl(hfd, TIOCGEXCL, &excl) || !excl)
        return 0;
    return kbox_lx_capable(r, CAP_SYS_ADMIN) ? 0 : -EBUSY;
}
