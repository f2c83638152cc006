/* SPDX-License-Identifier: MIT */
/*
 * SO_PEERCRED in guest terms. The host records a unix socket's peer
 * credentials when the peer connects (or listens): the host ids of kbox's
 * user, and for a connect kbox made on a copy of the guest's socket (a
 * path in the image or a bind, sys.c) kbox's own pid. A server checking
 * its client (tmux: "access not allowed" to every client when kbox ran
 * as a user other than root; ssh-agent; D-Bus's EXTERNAL auth) saw
 * neither the client's pid nor its guest uid. So the guest ids and pid of
 * each such connect and bind are noted by the socket's inode, and
 * getsockopt(SO_PEERCRED) (notified by an argument rule) finds the peer's
 * inode with sock_diag (UNIX_DIAG_PEER): a noted socket reports what was
 * noted, any other peer that is a guest process its effective ids in lx.
 * SO_PEERGROUPS finds the peer the same way and answers its groups in lx.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/securebits.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"

#define NOTED        1024
#define NOTED_GROUPS 16

static struct {
    unsigned long ino;
    pid_t tgid;
    unsigned int euid, egid;
    int ngroups; /* -1: more than NOTED_GROUPS, ask lx when needed */
    unsigned int groups[NOTED_GROUPS];
} noted[NOTED];
static unsigned next_noted;
static pthread_mutex_t noted_lock = PTHREAD_MUTEX_INITIALIZER;

void kbox_peer_note(struct kbox_req *r, int sock)
{
    unsigned int i, euid, egid, g[NOTED_GROUPS];
    struct stat st;
    long ng;

    if (fstat(sock, &st) || !r->proc || kbox_lx_ids(r, &euid, &egid))
        return;
    /* EINVAL when there are more than fit */
    ng = kbox_lx(r, LX__NR_getgroups, NOTED_GROUPS, (long)g, 0, 0, 0, 0);
    pthread_mutex_lock(&noted_lock);
    for (i = 0; i < NOTED && noted[i].ino != st.st_ino; i++)
        ;
    if (i == NOTED)
        i = next_noted++ % NOTED;
    noted[i].ino = st.st_ino;
    noted[i].tgid = r->proc->tgid;
    noted[i].euid = euid;
    noted[i].egid = egid;
    noted[i].ngroups = ng < 0 ? -1 : (int)ng;
    if (ng > 0)
        memcpy(noted[i].groups, g, (size_t)ng * sizeof(g[0]));
    pthread_mutex_unlock(&noted_lock);
}

/* The noted ids of @ino; its groups into @g (room NOTED_GROUPS) and
 * their number into *@ng (-1: too many to note) when @g is given. */
static bool noted_ids(unsigned long ino, struct ucred *uc, unsigned int *g,
                      int *ng)
{
    bool found = false;

    pthread_mutex_lock(&noted_lock);
    for (unsigned i = 0; i < NOTED && !found; i++) {
        if (noted[i].ino == ino) {
            uc->pid = noted[i].tgid;
            uc->uid = noted[i].euid;
            uc->gid = noted[i].egid;
            if (g) {
                *ng = noted[i].ngroups;
                if (*ng > 0)
                    memcpy(g, noted[i].groups, (size_t)*ng * sizeof(*g));
            }
            found = true;
        }
    }
    pthread_mutex_unlock(&noted_lock);
    return found;
}

/* The inode of the peer of unix socket inode @ino, 0 if none or unknown. */
unsigned long kbox_unix_peer_ino(unsigned long ino)
{
    struct {
        struct nlmsghdr nlh;
        struct unix_diag_req req;
    } q;
    union {
        char buf[4096];
        struct nlmsghdr align;
    } a;
    struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
    unsigned long peer = 0;
    ssize_t n;
    int s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

    if (s < 0)
        return 0;
    memset(&q, 0, sizeof(q));
    q.nlh.nlmsg_len = sizeof(q);
    q.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    q.nlh.nlmsg_flags = NLM_F_REQUEST;
    q.req.sdiag_family = AF_UNIX;
    q.req.udiag_states = ~0u;
    q.req.udiag_ino = (unsigned int)ino;
    q.req.udiag_show = UDIAG_SHOW_PEER;
    q.req.udiag_cookie[0] = q.req.udiag_cookie[1] = ~0u; /* no cookie */
    if (sendto(s, &q, sizeof(q), 0, (struct sockaddr *)&nl, sizeof(nl)) < 0 ||
        (n = recv(s, a.buf, sizeof(a.buf), 0)) <= 0) {
        close(s);
        return 0;
    }
    close(s);
    for (struct nlmsghdr *h = &a.align; NLMSG_OK(h, (size_t)n);
         h = NLMSG_NEXT(h, n)) {
        struct unix_diag_msg *m = NLMSG_DATA(h);
        struct rtattr *at;
        int len;

        if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
            h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
            break;
        len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*m)));
        for (at = (struct rtattr *)(m + 1); RTA_OK(at, len);
             at = RTA_NEXT(at, len))
            if (at->rta_type == UNIX_DIAG_PEER &&
                RTA_PAYLOAD(at) >= sizeof(unsigned int))
                peer = *(unsigned int *)RTA_DATA(at);
        break;
    }
    return peer;
}

/*
 * SO_PEERGROUPS: the peer's supplementary groups in the guest (the host's
 * are kbox's, or those of the guest's host process: none). dbus-daemon
 * takes a client's groups from it for <policy group=...>. A connect kbox
 * made has the groups noted then (@ng >= 0, in @noted), as Linux keeps
 * them; any other peer's are read from lx when asked, while it lives.
 */
static struct kbox_resp peergroups(struct kbox_req *r, pid_t tgid,
                                   const unsigned int *noted_g, int ng)
{
    struct kbox_proc *p =
        ng < 0 && kbox_proc_is_guest(tgid) ? kbox_proc_lookup(tgid) : NULL;
    unsigned int *g = NULL;
    int n = -1, len, rc = 0;

    if (ng >= 0) {
        n = ng;
        g = n ? malloc((size_t)n * sizeof(*g)) : NULL;
        if (g)
            memcpy(g, noted_g, (size_t)n * sizeof(*g));
    } else if (p && p->task) {
        n = lx_task_groups(p->task, NULL, 0);
        g = n > 0 ? malloc((size_t)n * sizeof(*g)) : NULL;
        if (g) /* the count may have changed: at most n are stored */
            n = lx_task_groups(p->task, g, n) < n ? -1 : n;
    }
    kbox_proc_put(p);
    if (n < 0 || (n > 0 && !g)) {
        free(g);
        return kbox_continue(); /* not a guest's: the host's answer */
    }
    if (r->ops->read(r, r->args[4], &len, sizeof(len)))
        rc = -EFAULT;
    else if (len < 0)
        rc = -EINVAL;
    else if ((size_t)len < (size_t)n * sizeof(*g)) {
        len = (int)((size_t)n * sizeof(*g));
        rc =
            r->ops->write(r, r->args[4], &len, sizeof(len)) ? -EFAULT : -ERANGE;
    } else {
        len = (int)((size_t)n * sizeof(*g));
        if ((len && r->ops->write(r, r->args[3], g, (size_t)len)) ||
            r->ops->write(r, r->args[4], &len, sizeof(len)))
            rc = -EFAULT;
    }
    free(g);
    return kbox_ret(rc);
}

/* getsockopt(fd, level, optname, optval, optlen) */
struct kbox_resp kbox_peercred(struct kbox_req *r)
{
    struct ucred uc;
    socklen_t l = sizeof(uc);
    struct stat st;
    unsigned long peer;
    unsigned int g[NOTED_GROUPS];
    int s, len, ng = -1, opt = (int)r->args[2];

    if ((int)r->args[1] != SOL_SOCKET ||
        (opt != SO_PEERCRED && opt != SO_PEERGROUPS))
        return kbox_continue();
    s = kbox_guest_sock(r, (int)kbox_arg_int(r->args[0]));
    if (s < 0)
        return kbox_continue(); /* EBADF, ENOTSOCK: the host says it */
    if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &l) || uc.pid <= 0 ||
        fstat(s, &st)) {
        close(s);
        return kbox_continue(); /* no peer, not unix: the host's answer */
    }
    close(s);
    /* a peer not accepted yet has no inode (0): the host's pid stands */
    peer = kbox_unix_peer_ino(st.st_ino);
    if (!peer || !noted_ids(peer, &uc, g, &ng)) {
        struct kbox_proc *p =
            kbox_proc_is_guest(uc.pid) ? kbox_proc_lookup(uc.pid) : NULL;
        unsigned int euid, egid;

        if (p && p->task && !lx_task_ids(p->task, &euid, &egid)) {
            uc.uid = euid;
            uc.gid = egid;
        }
        kbox_proc_put(p);
    }
    if (opt == SO_PEERGROUPS)
        return peergroups(r, uc.pid, g, ng);
    if (r->ops->read(r, r->args[4], &len, sizeof(len)))
        return kbox_ret(-EFAULT);
    if (len < 0)
        return kbox_ret(-EINVAL);
    if ((size_t)len > sizeof(uc))
        len = (int)sizeof(uc);
    if (r->ops->write(r, r->args[3], &uc, (size_t)len) ||
        r->ops->write(r, r->args[4], &len, sizeof(len)))
        return kbox_ret(-EFAULT);
    return kbox_ret(0);
}

/*
 * SCM_CREDENTIALS in guest terms. A receiver with SO_PASSCRED gets each
 * message's sender pid and real ids as the host saw them: for a guest's
 * own send its host uid (kbox's user, root for a root kbox: every guest
 * user looked like root), and for a message kbox sent for a guest (with
 * ancillary data, or to a path: net.c) kbox's pid and user. recvmsg with
 * room for ancillary data goes through kbox (net.c), which puts the
 * guest's values in: a guest sender's real ids in lx; for kbox's sends,
 * what the guest sent, noted here by the sending socket's inode and found
 * from the receiving socket's peer. The host cannot carry a guest's
 * claimed credentials itself: they name guest ids, and a rootless kbox
 * may only send its own pid.
 */
#define SENT 256

static struct {
    unsigned long ino;
    struct ucred uc;
} sent[SENT];
static unsigned next_sent;

/* The ids a guest sends without claiming any: its pid and real ids. */
int kbox_scm_own(struct kbox_req *r, struct ucred *uc)
{
    long u = kbox_lx(r, LX__NR_getuid, 0, 0, 0, 0, 0, 0);
    long g = kbox_lx(r, LX__NR_getgid, 0, 0, 0, 0, 0, 0);

    if (u < 0 || g < 0 || !r->proc)
        return -1;
    uc->pid = r->proc->tgid;
    uc->uid = (uid_t)u;
    uc->gid = (gid_t)g;
    return 0;
}

/*
 * Linux's check of SCM_CREDENTIALS a guest sends (scm_check_creds): its
 * own pid unless CAP_SYS_ADMIN, one of its real, effective or saved ids
 * unless CAP_SETUID / CAP_SETGID; then the pid must exist.
 */
int kbox_scm_check(struct kbox_req *r, const struct ucred *uc)
{
    unsigned int u[3], g[3];
    bool uid_ok = false, gid_ok = false;

    if (uc->uid == (uid_t)-1 || uc->gid == (gid_t)-1)
        return -EINVAL;
    if (kbox_lx(r, LX__NR_getresuid, (long)&u[0], (long)&u[1], (long)&u[2], 0,
                0, 0) < 0 ||
        kbox_lx(r, LX__NR_getresgid, (long)&g[0], (long)&g[1], (long)&g[2], 0,
                0, 0) < 0)
        return -EPERM;
    for (int i = 0; i < 3; i++) {
        uid_ok |= uc->uid == u[i];
        gid_ok |= uc->gid == g[i];
    }
    if ((uc->pid != r->proc->tgid && !kbox_lx_capable(r, CAP_SYS_ADMIN)) ||
        (!uid_ok && !kbox_lx_capable(r, CAP_SETUID)) ||
        (!gid_ok && !kbox_lx_capable(r, CAP_SETGID)))
        return -EPERM;
    if (uc->pid <= 0 || (kill(uc->pid, 0) && errno == ESRCH))
        return -ESRCH;
    return 0;
}

void kbox_scm_sent(int sock, const struct ucred *uc)
{
    struct stat st;
    unsigned int i;

    if (fstat(sock, &st))
        return;
    pthread_mutex_lock(&noted_lock);
    for (i = 0; i < SENT && sent[i].ino != st.st_ino; i++)
        ;
    if (i == SENT)
        i = next_sent++ % SENT;
    sent[i].ino = st.st_ino;
    sent[i].uc = *uc;
    pthread_mutex_unlock(&noted_lock);
}

static bool sent_ids(unsigned long ino, struct ucred *uc)
{
    bool found = false;

    pthread_mutex_lock(&noted_lock);
    for (unsigned i = 0; i < SENT && !found; i++) {
        if (sent[i].ino == ino) {
            *uc = sent[i].uc;
            found = true;
        }
    }
    pthread_mutex_unlock(&noted_lock);
    return found;
}

/*
 * The real ids of guest processes gone, which messages they sent still
 * carry: natively a message holds its sender's credentials from the send.
 */
#define GONE 256

static struct {
    pid_t tgid;
    uid_t uid;
    gid_t gid;
} gone[GONE];
static unsigned next_gone;

void kbox_scm_gone(pid_t tgid, struct lx_task *t)
{
    unsigned int uid, gid, i;

    if (!t || lx_task_real_ids(t, &uid, &gid))
        return;
    pthread_mutex_lock(&noted_lock);
    for (i = 0; i < GONE && gone[i].tgid != tgid; i++)
        ;
    if (i == GONE)
        i = next_gone++ % GONE;
    gone[i].tgid = tgid;
    gone[i].uid = uid;
    gone[i].gid = gid;
    pthread_mutex_unlock(&noted_lock);
}

static bool gone_ids(struct ucred *uc)
{
    bool found = false;

    pthread_mutex_lock(&noted_lock);
    for (unsigned i = 0; i < GONE && !found; i++) {
        if (gone[i].tgid == uc->pid) {
            uc->uid = gone[i].uid;
            uc->gid = gone[i].gid;
            found = true;
        }
    }
    pthread_mutex_unlock(&noted_lock);
    return found;
}

void kbox_scm_guest(unsigned long ino, struct ucred *uc)
{
    struct kbox_proc *p;
    unsigned int uid, gid;

    /* no credentials were sent (neither end had SO_PASSCRED then): pid 0
     * and the overflow ids, as the host says; gone_ids would match an
     * unused slot (tgid 0) and name uid 0 */
    if (uc->pid <= 0)
        return;
    if (uc->pid == getpid()) {
        unsigned long peer = kbox_unix_peer_ino(ino);

        if (peer && (sent_ids(peer, uc) || noted_ids(peer, uc, NULL, NULL)))
            return;
    } else if (kbox_proc_is_guest(uc->pid) &&
               (p = kbox_proc_lookup(uc->pid)) != NULL) {
        bool ok = p->task && !lx_task_real_ids(p->task, &uid, &gid);

        kbox_proc_put(p);
        if (ok) {
            uc->uid = uid;
            uc->gid = gid;
            return;
        }
    } else if (gone_ids(uc)) {
        return;
    }
    /* kbox's user, from a sender kbox cannot name (a guest gone since, a
     * datagram kbox sent): no guest id, as Linux shows an unmapped one */
    if (uc->uid == geteuid())
        uc->uid = 65534;
    if (uc->gid == getegid())
        uc->gid = 65534;
}

/*
 * The other direction: a host process on the far end of a unix socket
 * call kbox makes for the guest (connect, sendto, sendmsg on its copy)
 * records kbox's thread's ids - root under kbox run by root, so a guest
 * user (--change-id) looked like root to host daemons on abstract
 * sockets and in binds (SO_PEERCRED, and the kernel-filled
 * SCM_CREDENTIALS); daemons that trust a root peer (multipathd, iscsid,
 * containerd's shims) would have obeyed it. For such a call the thread
 * takes the guest's lx ids as its real and effective ids, the saved ids
 * staying kbox's to come back, and keeps its capabilities for the call
 * (SECBIT_NO_SETUID_FIXUP, per thread) so that kbox may still name the
 * guest's pid in SCM_CREDENTIALS. Raw calls: glibc's would change every
 * thread of kbox.
 */
void kbox_sock_ids_as_guest(struct kbox_req *r, int s,
                            struct kbox_sock_ids *save)
{
    unsigned int euid, egid;
    int dom = 0;
    socklen_t dl = sizeof(dom);
    long bits;

    save->on = false;
    if (geteuid() != 0 || !r->proc ||
        getsockopt(s, SOL_SOCKET, SO_DOMAIN, &dom, &dl) || dom != AF_UNIX ||
        kbox_lx_ids(r, &euid, &egid) || euid == 0)
        return;
    kbox_ids_for_host(r); /* its groups too (SO_PEERGROUPS) */
    bits = prctl(PR_GET_SECUREBITS);
    if (bits < 0 ||
        prctl(PR_SET_SECUREBITS, (unsigned long)bits | SECBIT_NO_SETUID_FIXUP))
        return;
    save->secbits = bits;
    save->fsuid = (long)syscall(SYS_setfsuid, -1);
    save->fsgid = (long)syscall(SYS_setfsgid, -1);
    save->uid = getuid();
    save->gid = getgid();
    if (syscall(SYS_setresgid, egid, egid, -1) ||
        syscall(SYS_setresuid, euid, euid, -1)) {
        syscall(SYS_setresuid, save->uid, 0, -1);
        syscall(SYS_setresgid, save->gid, save->gid, -1);
        syscall(SYS_setfsgid, save->fsgid);
        syscall(SYS_setfsuid, save->fsuid);
        prctl(PR_SET_SECUREBITS, (unsigned long)bits);
        return;
    }
    save->on = true;
}

void kbox_sock_ids_restore(struct kbox_sock_ids *save)
{
    if (!save->on)
        return;
    syscall(SYS_setresuid, save->uid, 0, -1);
    syscall(SYS_setresgid, save->gid, save->gid, -1);
    /* the id changes set the fs ids to the effective ones */
    syscall(SYS_setfsgid, save->fsgid);
    syscall(SYS_setfsuid, save->fsuid);
    prctl(PR_SET_SECUREBITS, (unsigned long)save->secbits);
    save->on = false;
}
