/* SPDX-License-Identifier: MIT */
/*
 * net family: sendmsg/recvmsg with ancillary data, so that SCM_RIGHTS
 * carries image files between guest processes.
 *
 * A guest fd backed by lx is only a host placeholder, so passing it
 * natively would hand the receiver /dev/null. The sender's sendmsg is
 * performed by the supervisor on a copy of the guest's socket; each lx fd
 * in SCM_RIGHTS is replaced by a unique token (a memfd) while a holder
 * kernel task keeps the lx file open (lx_task_getfd). The
 * receiver's recvmsg, when it has room for ancillary data, is performed
 * by the supervisor too: tokens become lx files in the receiver's task
 * (lx_task_getfd from the holder, no ptrace check, so a guest of any
 * user can receive) installed at fresh guest numbers; other
 * fds are injected as they are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"
#include "kbox/fdtable.h"
#include "kbox/path.h"

#define A(i)       ((long)r->args[i])
#define MAX_DATA   (8u << 20)
#define MAX_CTRL   4096  /* control data on the stack; more on the heap */
#define MAX_FDS    253   /* SCM_MAX_FD: fds in one message */
#define TOKENS     256   /* the table's first size */
#define TOKENS_MAX 65536 /* past this the oldest token is evicted */

/*
 * token memfd (dev, ino) -> lx fd held by the holder task. kbox keeps no
 * fd of a token: the message in flight holds its only file, and an
 * inotify watch on it tells when that goes (IN_CLOSE: received, or
 * dropped with its message - MSG_CTRUNC, a socket closed unread), so a
 * token never received releases its lx file then (a FIFO's reader got no
 * EOF while kbox held the writer). The table grows: a fixed 256 slots
 * evicted the oldest token still in flight when a guest queued more
 * image fds than that unreceived, and its receiver got the empty token
 * memfd instead of the file (natively the sender's RLIMIT_NOFILE bounds
 * fds in flight).
 */
struct token {
    dev_t dev;
    ino_t ino;
    int wd;   /* its inotify watch; -1 = free slot */
    int lxfd; /* in kbox_sup.holder */
    unsigned long used;
};
/* a 32-bit caller's flag, refused in a 64-bit call */
#define MSG_CMSG_COMPAT_ 0x80000000

static struct token *tokens;
static int ntokens;
static unsigned long tick;
static pthread_mutex_t tok_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t tok_once = PTHREAD_ONCE_INIT;
static int tok_watch = -1; /* the inotify instance */

static long holder_call(long nr, long a0, long a1, long a2)
{
    long a[6] = { a0, a1, a2, 0, 0, 0 };

    return lx_task_syscall(kbox_sup.holder, nr, a);
}

/* tok_lock held: free slot @i, closing its lx file */
static void tok_release(int i)
{
    if (tokens[i].wd < 0)
        return;
    if (kbox_sup.holder) /* gone at the end (kbox_tokens_end) */
        holder_call(LX__NR_close, tokens[i].lxfd, 0, 0);
    tokens[i].wd = -1;
    tokens[i].used = 0;
}

/* Release the tokens whose files are gone, from the events queued now;
 * false when there were none. */
static bool tok_reap(void)
{
    union {
        char b[4096];
        struct inotify_event align;
    } u;
    ssize_t n = tok_watch < 0 ? -1 : read(tok_watch, u.b, sizeof(u.b));

    if (n <= 0)
        return false;
    pthread_mutex_lock(&tok_lock);
    for (char *p = u.b; p < u.b + n;) {
        struct inotify_event *e = (struct inotify_event *)p;

        for (int i = 0; i < ntokens; i++)
            if (tokens[i].wd == e->wd)
                tok_release(i);
        p += sizeof(*e) + e->len;
    }
    /* A FIFO end dropped in flight: its mirror held the last reference,
     * and kept the FIFO's writer (no EOF) or reader (no EPIPE) alive. */
    if (kbox_sup.holder)
        kbox_mirror_gc();
    pthread_mutex_unlock(&tok_lock);
    return true;
}

static void *tok_reaper(void *arg)
{
    (void)arg;
    for (;;) {
        struct pollfd pf = { tok_watch, POLLIN, 0 };

        if (poll(&pf, 1, -1) > 0)
            while (tok_reap())
                ;
    }
    return NULL;
}

static void tok_init(void)
{
    pthread_t t;
    pthread_attr_t a;
    sigset_t all, old;

    tokens = calloc(TOKENS, sizeof(*tokens));
    if (!tokens)
        return;
    ntokens = TOKENS;
    for (int i = 0; i < ntokens; i++)
        tokens[i].wd = -1;
    tok_watch = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (tok_watch < 0)
        return;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 256 << 10);
    if (pthread_create(&t, &a, tok_reaper, NULL)) {
        close(tok_watch);
        tok_watch = -1;
    }
    pthread_attr_destroy(&a);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/*
 * The end of the run: the holder task goes. The reaper thread may then be
 * releasing tokens the guest's exit has just closed (their messages went
 * with its sockets), each a call into the holder: kbox_sup.holder freed
 * (or its kernel task exiting) under it, kbox died of SIGSEGV after the
 * guest's last output, in ~1 run in 6 of a guest that left image fds in
 * flight. Every release holds tok_lock, and finds no holder after this.
 */
void kbox_tokens_end(void)
{
    pthread_mutex_lock(&tok_lock);
    if (kbox_sup.holder)
        lx_task_exit(kbox_sup.holder);
    kbox_sup.holder = NULL;
    pthread_mutex_unlock(&tok_lock);
}

long kbox_lx_getfd(struct lx_task *to, struct lx_task *from, int from_fd,
                   bool cloexec)
{
    return lx_task_getfd(to, from, from_fd, cloexec ? LX_O_CLOEXEC : 0);
}

/* A token host fd standing for lx fd @lxfd of the request's process: the
 * caller sends it and closes it. */
static int make_token(struct kbox_req *r, int lxfd)
{
    struct stat st;
    char path[64];
    long held;
    int tok, slot = 0, wd;

    pthread_once(&tok_once, tok_init);
    if (!kbox_sup.holder || tok_watch < 0)
        return -EOPNOTSUPP;
    held = kbox_lx_getfd(kbox_sup.holder, r->task, lxfd, true);
    if (held < 0)
        return (int)held;
    tok = memfd_create("kbox-lxfile", MFD_CLOEXEC);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", tok);
    if (tok < 0 || fstat(tok, &st) ||
        (wd = inotify_add_watch(tok_watch, path, IN_CLOSE)) < 0) {
        if (tok >= 0)
            close(tok);
        holder_call(LX__NR_close, held, 0, 0);
        return -ENOMEM;
    }
    pthread_mutex_lock(&tok_lock);
    for (int i = 0; i < ntokens; i++) {
        /* same inode: that token's file is gone, its event not read yet */
        if (tokens[i].wd >= 0 && tokens[i].dev == st.st_dev &&
            tokens[i].ino == st.st_ino)
            tok_release(i);
    }
    for (int i = 0; i < ntokens; i++) {
        if (tokens[i].wd < 0) {
            slot = i;
            break;
        }
        if (tokens[i].used < tokens[slot].used)
            slot = i;
    }
    if (tokens[slot].wd >= 0 && ntokens < TOKENS_MAX) {
        /* all in flight: twice the room rather than evict one */
        struct token *t = realloc(tokens, 2 * ntokens * sizeof(*t));

        if (t) {
            tokens = t;
            slot = ntokens;
            for (int i = ntokens; i < 2 * ntokens; i++) {
                tokens[i].wd = -1;
                tokens[i].used = 0;
            }
            ntokens *= 2;
        }
    }
    tok_release(slot); /* the oldest, when none is free */
    tokens[slot].dev = st.st_dev;
    tokens[slot].ino = st.st_ino;
    tokens[slot].wd = wd;
    tokens[slot].lxfd = (int)held;
    tokens[slot].used = ++tick;
    pthread_mutex_unlock(&tok_lock);
    return tok;
}

/*
 * If host fd @h is one of our tokens: a new lx fd for its file in the
 * caller's task, the token spent (received at most once) unless @peek: a
 * MSG_PEEK receive leaves the message, token and all, to be received
 * again (spent by the peek, the real receive got the empty token memfd).
 * -ENOENT: not a token.
 */
static long token_receive(struct kbox_req *r, int h, bool peek, bool cloexec)
{
    struct stat st;
    long lxfd = -ENOENT;
    int l = -1;

    pthread_once(&tok_once, tok_init);
    if (fstat(h, &st))
        return -ENOENT;
    pthread_mutex_lock(&tok_lock);
    for (int i = 0; i < ntokens; i++) {
        if (tokens[i].wd >= 0 && tokens[i].dev == st.st_dev &&
            tokens[i].ino == st.st_ino) {
            l = tokens[i].lxfd;
            lxfd = kbox_lx_getfd(r->task, kbox_sup.holder, l, cloexec);
            if (!peek) { /* its close, when we close @h, finds no entry */
                tokens[i].wd = -1;
                tokens[i].used = 0;
            }
            break;
        }
    }
    pthread_mutex_unlock(&tok_lock);
    if (l >= 0 && !peek)
        holder_call(LX__NR_close, l, 0, 0);
    return lxfd;
}

/* Copy the guest's iovecs into one buffer. */
static long gather(struct kbox_req *r, const struct msghdr *mh, char **out,
                   struct iovec **giov)
{
    struct iovec *iov;
    size_t total = 0, off = 0;
    char *buf;

    if (mh->msg_iovlen > 1024)
        return -EMSGSIZE;
    iov = calloc(mh->msg_iovlen + 1, sizeof(*iov));
    if (!iov)
        return -ENOMEM;
    if (mh->msg_iovlen && r->ops->read(r, (uint64_t)(uintptr_t)mh->msg_iov, iov,
                                       mh->msg_iovlen * sizeof(*iov))) {
        free(iov);
        return -EFAULT;
    }
    for (size_t i = 0; i < mh->msg_iovlen; i++) {
        if (iov[i].iov_len > MAX_DATA - total)
            iov[i].iov_len = MAX_DATA - total;
        total += iov[i].iov_len;
    }
    buf = malloc(total ? total : 1);
    if (!buf) {
        free(iov);
        return -ENOMEM;
    }
    *out = buf;
    *giov = iov;
    (void)off;
    return (long)total;
}

/*
 * msg_namelen as Linux takes it (copy_msghdr_from_user): 0 without a
 * name, cut to a sockaddr_storage when longer (a UDP sendmsg with 200
 * goes natively; it was EFAULT), nonzero when negative (EINVAL).
 */
static int name_len(struct msghdr *mh)
{
    if (!mh->msg_name)
        mh->msg_namelen = 0;
    if ((int)mh->msg_namelen < 0)
        return -1;
    if (mh->msg_namelen > sizeof(struct sockaddr_storage))
        mh->msg_namelen = sizeof(struct sockaddr_storage);
    return 0;
}

/*
 * The most control data a sendmsg may carry: the host's
 * net.core.optmem_max, past which Linux's sendmsg is ENOBUFS (its
 * sock_kmalloc of the control buffer fails). Many SCM_RIGHTS headers of
 * a few fds each pass 4096 bytes, kbox's limit before.
 */
static size_t ctrl_max(void)
{
    static size_t max;
    size_t m = __atomic_load_n(&max, __ATOMIC_RELAXED);
    FILE *f;
    unsigned long v;

    if (m)
        return m;
    m = 20480; /* Linux's default before 6.9 */
    f = fopen("/proc/sys/net/core/optmem_max", "re");
    if (f) {
        /* bounded: kbox copies the guest's control data */
        if (fscanf(f, "%lu", &v) == 1 && v > 0)
            m = v < (64ul << 20) ? v : (64ul << 20);
        fclose(f);
    }
    __atomic_store_n(&max, m, __ATOMIC_RELAXED);
    return m;
}

/*
 * Control data kbox refused (@err) on guest socket @fd. A seqpacket send
 * checks the socket's pending error and its connection first
 * (unix_seqpacket_sendmsg), a stream or datagram send the control data:
 * forged SCM_CREDENTIALS on an unconnected seqpacket socket are ENOTCONN
 * natively, kbox said EPERM. Only refused sends pay for the look.
 */
static long seqpacket_first(struct kbox_req *r, int fd, long err)
{
    struct sockaddr_storage ss;
    socklen_t l = sizeof(int), sl = sizeof(ss);
    int s = kbox_guest_sock(r, fd), t = 0, e = 0;

    if (s < 0)
        return err;
    if (!getsockopt(s, SOL_SOCKET, SO_TYPE, &t, &l) && t == SOCK_SEQPACKET) {
        l = sizeof(e);
        if (!getsockopt(s, SOL_SOCKET, SO_ERROR, &e, &l) && e)
            err = -e; /* taken, as Linux's sock_error takes it */
        else if (getpeername(s, (struct sockaddr *)&ss, &sl) &&
                 errno == ENOTCONN)
            err = -ENOTCONN;
    }
    close(s);
    return err;
}

/*
 * sendmsg of the guest's msghdr at @umh on its fd @fd: what was sent, or
 * -errno; *@native (unless @force) when the host can do it itself.
 */
static long send_one(struct kbox_req *r, int fd, uint64_t umh, int flags,
                     bool force, bool *native)
{
    struct msghdr mh, out;
    struct sockaddr_un hs;
    struct iovec *giov = NULL, v;
    char *data = NULL, path[sizeof(hs.sun_path) + 1], lxp[KBOX_PATH_MAX];
    /* room for the credentials a root kbox adds (below) */
    union {
        unsigned char b[MAX_CTRL + CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } oc;
    unsigned char *octrl = oc.b, *big = NULL;
    int held[MAX_FDS], nheld = 0, up = 0, s, hfd = -1;
    long total, rc;
    size_t off = 0;
    struct ucred guest_creds;
    struct kbox_sock_ids ids = { 0 };
    bool claimed = false;

    *native = false;
    if (r->ops->read(r, umh, &mh, sizeof(mh)))
        return -EFAULT;
    if (name_len(&mh))
        return -EINVAL;
    if (mh.msg_name) {
        up = kbox_is_unix_path(r, (uint64_t)(uintptr_t)mh.msg_name,
                               (long)mh.msg_namelen);
        if (up < 0)
            return up;
    }
    /*
     * Never the host's own sendmsg: it would read the msghdr again, and
     * another thread of the guest could by then have given it a unix
     * socket path (a socket in the host's file system) or credentials
     * (uid 0: the guest's host process of a root kbox has CAP_SETUID), or
     * put a unix socket at that fd number.
     */
    (void)force;
    if (mh.msg_controllen > ctrl_max())
        return -ENOBUFS;
    if (mh.msg_controllen > MAX_CTRL) {
        big = malloc(CMSG_ALIGN(mh.msg_controllen) +
                     CMSG_SPACE(sizeof(struct ucred)));
        if (!big)
            return -ENOBUFS;
        octrl = big;
    }

    memset(&out, 0, sizeof(out));
    if (up && kbox_sock_addr_unused(r, fd)) {
        /* a bare family: refused or ignored as the path would be (see
         * kbox_sock_addr_unused), and a peer is the connected one */
        memset(&hs, 0, sizeof(hs));
        hs.sun_family = AF_UNIX;
        out.msg_name = &hs;
        out.msg_namelen = sizeof(sa_family_t);
        up = 0;
    } else if (up) {
        rc = kbox_read_sun_path(r, (uint64_t)(uintptr_t)mh.msg_name,
                                (long)mh.msg_namelen, path, sizeof(path));
        /* a path in a bind is the host's socket there (lx's bind trap
         * said EXDEV: sendmsg never reached it, as sendto did) */
        if (!rc)
            rc = kbox_bind_sock_addr(r, path, false, &hs, &hfd, lxp,
                                     sizeof(lxp));
        if (rc > 0)
            rc = 0;
        else if (!rc)
            rc = kbox_host_sock_path(r, lxp, &hs);
        if (rc && rc != -EFAULT) {
            /* Linux's checks before the lookup need the data's size
             * only (it is not read yet) */
            size_t want = 0;

            for (size_t i = 0; i < mh.msg_iovlen && i < 1024; i++) {
                struct iovec v;

                if (r->ops->read(
                        r, (uint64_t)(uintptr_t)mh.msg_iov + i * sizeof(v), &v,
                        sizeof(v)))
                    break;
                want += v.iov_len;
            }
            rc = kbox_unix_lookup_failed(r, fd, rc, NULL, want, flags);
        }
        if (rc)
            goto out;
        out.msg_name = &hs;
        out.msg_namelen = sizeof(hs);
    } else if (mh.msg_name) {
        /* other address families: copied as they are */
        static __thread struct sockaddr_storage ss;

        if (mh.msg_namelen > sizeof(ss) ||
            r->ops->read(r, (uint64_t)(uintptr_t)mh.msg_name, &ss,
                         mh.msg_namelen)) {
            rc = -EFAULT;
            goto out;
        }
        /* a unix socket path by now: the guest rewrote it since the look
         * above, racing its own call; never the host's file system */
        if (ss.ss_family == AF_UNIX && mh.msg_namelen > sizeof(sa_family_t) &&
            ((struct sockaddr_un *)&ss)->sun_path[0]) {
            rc = -EAGAIN;
            goto out;
        }
        out.msg_name = &ss;
        out.msg_namelen = mh.msg_namelen;
    }
    if (mh.msg_controllen) {
        struct msghdr cm;
        struct cmsghdr *c;

        if (r->ops->read(r, (uint64_t)(uintptr_t)mh.msg_control, octrl,
                         mh.msg_controllen)) {
            rc = -EFAULT;
            goto out;
        }
        memset(&cm, 0, sizeof(cm));
        cm.msg_control = octrl;
        cm.msg_controllen = mh.msg_controllen;
        for (c = CMSG_FIRSTHDR(&cm); c; c = CMSG_NXTHDR(&cm, c)) {
            int *fds, n;

            /*
             * A header running past the control data (or shorter than a
             * header) is Linux's EINVAL (CMSG_OK): the host gets it as it
             * is and refuses it. CMSG_FIRSTHDR does not check cmsg_len, so
             * its "fds" would be read from (and tokens stored into) kbox's
             * stack past the guest's bytes.
             */
            if (c->cmsg_len < CMSG_LEN(0) ||
                c->cmsg_len >
                    (size_t)(octrl + mh.msg_controllen - (unsigned char *)c))
                break;
            if (c->cmsg_level != SOL_SOCKET)
                continue;
            if (c->cmsg_type == SCM_CREDENTIALS) {
                /* checked as the guest; the host gets ones it accepts
                 * (below), the receiver the guest's (peercred.c) */
                struct ucred host = { getpid(), geteuid(), getegid() };

                rc = c->cmsg_len == CMSG_LEN(sizeof(guest_creds)) ? 0 : -EINVAL;
                if (!rc) {
                    memcpy(&guest_creds, CMSG_DATA(c), sizeof(guest_creds));
                    rc = kbox_scm_check(r, &guest_creds);
                }
                if (rc) {
                    rc = seqpacket_first(r, fd, rc);
                    goto out;
                }
                /* kbox run by root sends the checked ones as they are
                 * (its thread has the guest's ids for the call, below) */
                if (host.uid == 0)
                    host = guest_creds;
                memcpy(CMSG_DATA(c), &host, sizeof(host));
                claimed = true;
                continue;
            }
            if (c->cmsg_type != SCM_RIGHTS)
                continue;
            fds = (int *)CMSG_DATA(c);
            n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            /* SCM_MAX_FD in one message: refused before any token is made */
            if (nheld + n > MAX_FDS) {
                rc = -EINVAL;
                goto out;
            }
            for (int i = 0; i < n; i++) {
                int g = fds[i], l = kbox_lxfd(r, g), h;

                h = l >= 0 ? make_token(r, l) : kbox_guest_sock(r, g);
                if (h < 0) {
                    rc = h == -ENOENT || h == -EBADF ? -EBADF : h;
                    goto out;
                }
                held[nheld++] = h;
                fds[i] = h;
            }
        }
        out.msg_control = octrl;
        out.msg_controllen = mh.msg_controllen;
    }
    total = gather(r, &mh, &data, &giov);
    if (total < 0) {
        rc = total;
        goto out;
    }
    for (size_t i = 0; i < mh.msg_iovlen; i++) {
        if (giov[i].iov_len &&
            r->ops->read(r, (uint64_t)(uintptr_t)giov[i].iov_base, data + off,
                         giov[i].iov_len)) {
            rc = -EFAULT;
            goto out;
        }
        off += giov[i].iov_len;
    }
    v.iov_base = data;
    v.iov_len = (size_t)total;
    out.msg_iov = &v;
    out.msg_iovlen = 1;
    s = kbox_guest_sock(r, fd);
    if (s < 0) {
        rc = s == -EBADF ? -EBADF : -ENOTSOCK;
        goto out;
    }
    /* a host peer sees the guest's user, not kbox's root (peercred.c);
     * a path in the image is a guest's socket in kbox's private
     * directory, which only kbox's ids reach */
    if (!up || hfd >= 0)
        kbox_sock_ids_as_guest(r, s, &ids);
    if (claimed || !kbox_scm_own(r, &guest_creds)) {
        int dom = 0;
        socklen_t dl = sizeof(dom);

        kbox_scm_sent(s, &guest_creds); /* before the receiver can look */
        /* A root kbox may name the guest's pid, so that a receiver that
         * has no peer to look up (a datagram) finds the sender too. */
        if (!claimed && geteuid() == 0 &&
            !getsockopt(s, SOL_SOCKET, SO_DOMAIN, &dom, &dl) &&
            dom == AF_UNIX) {
            struct ucred host = { guest_creds.pid, getuid(), getgid() };
            size_t at = CMSG_ALIGN(out.msg_controllen);
            size_t len = at + CMSG_SPACE(sizeof(host));
            struct cmsghdr *c = (struct cmsghdr *)(octrl + at);

            memset(octrl + out.msg_controllen, 0, len - out.msg_controllen);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_CREDENTIALS;
            c->cmsg_len = CMSG_LEN(sizeof(host));
            memcpy(CMSG_DATA(c), &host, sizeof(host));
            out.msg_control = octrl;
            out.msg_controllen = len;
        }
    }
    kbox_netlink_autobind(r, s);
    kbox_inflight_host_wait(true);
    rc = sendmsg(s, &out, flags | MSG_NOSIGNAL);
    rc = rc < 0 ? -errno : rc;
    if (rc == -ENOENT && up && hfd < 0) /* see kbox_host_sock_path */
        rc = -ECONNREFUSED;
    kbox_inflight_host_wait(false);
    kbox_sock_timeo_intr(r, s, rc, SO_SNDTIMEO);
    kbox_sock_ids_restore(&ids);
    close(s);
    if (rc == -EPIPE && !(flags & MSG_NOSIGNAL))
        syscall(SYS_tgkill, r->proc->tgid, r->pid, SIGPIPE);
out:
    if (hfd >= 0)
        close(hfd);
    for (int i = 0; i < nheld; i++)
        close(held[i]);
    free(big);
    free(data);
    free(giov);
    return rc;
}

/*
 * The fds received in @in that the guest will not get (its buffer was
 * bad): closed, as Linux discards them. Kept, they held the files open
 * in kbox (a pipe's writer never went: its reader saw no EOF); a token's
 * close lets the reaper drop its lx file.
 */
static void drop_rights(struct msghdr *in)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(in); c; c = CMSG_NXTHDR(in, c)) {
        int n, *fds = (int *)CMSG_DATA(c);

        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < n; i++)
            close(fds[i]);
    }
}

/*
 * recvmsg into the guest's msghdr at @umh from its fd @fd: what was
 * received, or -errno; *@native (unless @force) when the host can do it.
 */
static long recv_one(struct kbox_req *r, int fd, uint64_t umh, int flags,
                     bool force, bool *native)
{
    bool cloexec = (flags & MSG_CMSG_CLOEXEC) != 0;
    bool peek = (flags & MSG_PEEK) != 0;
    int s;
    struct msghdr mh, in;
    struct iovec *giov = NULL, v;
    struct sockaddr_storage name;
    unsigned char ctrl[MAX_CTRL];
    char *data = NULL;
    long total, rc;
    size_t off = 0;
    struct stat st;

    *native = false;
    if (r->ops->read(r, umh, &mh, sizeof(mh)))
        return -EFAULT;
    /* no fds can arrive: natively, unless a unix peer is to be named
     * (sockrecv.c) */
    if (!force && (!mh.msg_control || !mh.msg_controllen) &&
        (!mh.msg_name || !kbox_sock_is_unix(r, fd))) {
        *native = true;
        return 0;
    }
    if (name_len(&mh))
        return -EINVAL;
    total = gather(r, &mh, &data, &giov);
    if (total < 0)
        return total;
    memset(&in, 0, sizeof(in));
    v.iov_base = data;
    v.iov_len = (size_t)total;
    in.msg_iov = &v;
    in.msg_iovlen = 1;
    in.msg_control = ctrl;
    in.msg_controllen =
        mh.msg_controllen < MAX_CTRL ? mh.msg_controllen : MAX_CTRL;
    if (mh.msg_name) {
        in.msg_name = &name;
        in.msg_namelen = sizeof(name);
    }
    s = kbox_guest_sock(r, fd);
    if (s < 0) {
        rc = s == -EBADF ? -EBADF : -ENOTSOCK;
        goto out;
    }
    /* Blocks this worker only; the guest's O_NONBLOCK is on the file. */
    kbox_sock_wait_ahead(r, s, flags);
    kbox_inflight_host_wait(true);
    rc = recvmsg(s, &in, flags | MSG_CMSG_CLOEXEC);
    rc = rc < 0 ? -errno : rc;
    kbox_inflight_host_wait(false);
    kbox_sock_timeo_intr(r, s, rc, SO_RCVTIMEO);
    /* tokens that did not fit are gone already (their last close ran
     * before recvmsg returned): their lx files go before the guest runs */
    if (rc >= 0 && (in.msg_flags & MSG_CTRUNC))
        while (tok_reap())
            ;
    if (fstat(s, &st))
        st.st_ino = 0;
    close(s);
    if (rc < 0)
        goto out;
    /* Data back into the guest's iovecs. */
    for (size_t i = 0; i < mh.msg_iovlen && off < (size_t)rc; i++) {
        size_t c = giov[i].iov_len;

        if (c > (size_t)rc - off)
            c = (size_t)rc - off;
        if (c && r->ops->write(r, (uint64_t)(uintptr_t)giov[i].iov_base,
                               data + off, c)) {
            drop_rights(&in);
            rc = -EFAULT;
            goto out;
        }
        off += c;
    }
    /* Received fds become guest fds. */
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&in); c; c = CMSG_NXTHDR(&in, c)) {
        int *fds, n;

        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
            c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
            struct ucred uc;

            memcpy(&uc, CMSG_DATA(c), sizeof(uc));
            kbox_scm_guest(st.st_ino, &uc);
            memcpy(CMSG_DATA(c), &uc, sizeof(uc));
            continue;
        }
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        fds = (int *)CMSG_DATA(c);
        n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int i = 0; i < n; i++) {
            int h = fds[i], g;
            long lxfd = token_receive(r, h, peek, cloexec);

            if (lxfd != -ENOENT) {
                g = lxfd < 0 ? (int)lxfd
                             : (int)kbox_fd_install(r, (int)lxfd, -1, cloexec);
            } else {
                g = r->ops->addfd(r, h, -1, cloexec, false);
            }
            close(h);
            fds[i] = g < 0 ? -1 : g;
        }
    }
    if (in.msg_controllen &&
        r->ops->write(r, (uint64_t)(uintptr_t)mh.msg_control, ctrl,
                      in.msg_controllen)) {
        rc = -EFAULT;
        goto out;
    }
    if (mh.msg_name && in.msg_namelen)
        kbox_unix_addr_for_guest(&name, &in.msg_namelen, 0);
    if (mh.msg_name && in.msg_namelen) {
        socklen_t nl =
            in.msg_namelen < mh.msg_namelen ? in.msg_namelen : mh.msg_namelen;
        r->ops->write(r, (uint64_t)(uintptr_t)mh.msg_name, &name, nl);
    }
    mh.msg_namelen = mh.msg_name ? in.msg_namelen : 0;
    mh.msg_controllen = in.msg_controllen;
    /* Linux reports MSG_CMSG_CLOEXEC only when the caller passed it. */
    mh.msg_flags =
        (in.msg_flags & ~MSG_CMSG_CLOEXEC) | (flags & MSG_CMSG_CLOEXEC);
    if (r->ops->write(r, umh, &mh, sizeof(mh)))
        rc = -EFAULT;
out:
    free(data);
    free(giov);
    return rc;
}

/*
 * The four message calls refuse MSG_CMSG_COMPAT (a 32-bit caller's flag)
 * before they find the socket, and find it before they read the message
 * (kbox_sock_fd_first).
 */
static struct kbox_resp h_sendmsg(struct kbox_req *r)
{
    int fd = (int)kbox_arg_int(r->args[0]);
    bool native;
    long rc;

    if ((int)A(2) & MSG_CMSG_COMPAT_)
        return kbox_ret(-EINVAL);
    rc = send_one(r, fd, r->args[1], (int)A(2), false, &native);
    return native ? kbox_continue() : kbox_ret(kbox_sock_fd_first(r, fd, rc));
}

static struct kbox_resp h_recvmsg(struct kbox_req *r)
{
    int fd = (int)kbox_arg_int(r->args[0]);
    bool native;
    long rc;

    if ((int)A(2) & MSG_CMSG_COMPAT_)
        return kbox_ret(-EINVAL);
    rc = recv_one(r, fd, r->args[1], (int)A(2), false, &native);
    return native ? kbox_continue() : kbox_ret(kbox_sock_fd_first(r, fd, rc));
}

/* Does any of the @vlen mmsghdrs at @uvec need kbox? Sends always do;
 * receives when they carry ancillary data. <0: -EFAULT. */
static int mmsg_needs_kbox(struct kbox_req *r, uint64_t uvec, unsigned vlen,
                           bool send)
{
    for (unsigned i = 0; i < vlen; i++) {
        struct mmsghdr m;

        if (r->ops->read(r, uvec + i * sizeof(m), &m, sizeof(m)))
            return -EFAULT;
        if (send) /* never the host's: see send_one() */
            return 1;
        if (m.msg_hdr.msg_control && m.msg_hdr.msg_controllen)
            return 1;
    }
    return 0;
}

/*
 * sendmmsg/recvmmsg with ancillary data (SCM_RIGHTS of image files came
 * through as kbox's tokens: recvmmsg was the host's) or unix paths: one
 * message at a time as sendmsg/recvmsg, each msg_len written; the count
 * done, or the first message's error. recvmmsg blocks for each message
 * unless MSG_WAITFORONE (then from the second on) or MSG_DONTWAIT, and
 * checks its timeout after each, as Linux does.
 */
static struct kbox_resp h_mmsg(struct kbox_req *r)
{
    bool send = r->nr == SYS_sendmmsg, native;
    int fd = (int)kbox_arg_int(r->args[0]), flags = (int)A(3);
    unsigned vlen = (unsigned)A(2);
    uint64_t uvec = r->args[1];
    struct timespec limit = { 0, 0 }, start;
    int need;
    unsigned i;

    if (flags & MSG_CMSG_COMPAT_)
        return kbox_ret(-EINVAL);
    /* recvmmsg reads its timeout before it finds the socket */
    if (!send && r->args[4] &&
        r->ops->read(r, r->args[4], &limit, sizeof(limit)))
        return kbox_ret(-EFAULT);
    if (vlen > 1024) /* UIO_MAXIOV */
        vlen = 1024;
    need = mmsg_needs_kbox(r, uvec, vlen, send);
    if (need <= 0)
        return need < 0 ? kbox_ret(kbox_sock_fd_first(r, fd, need))
                        : kbox_continue();
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (i = 0; i < vlen; i++) {
        uint64_t at = uvec + i * sizeof(struct mmsghdr);
        int f = flags & ~MSG_WAITFORONE;
        unsigned len;
        long rc;

        if (!send && i > 0 && (flags & MSG_WAITFORONE))
            f |= MSG_DONTWAIT;
        rc = send ? send_one(r, fd, at, f, true, &native)
                  : recv_one(r, fd, at, f, true, &native);
        if (rc < 0) {
            if (i == 0)
                return kbox_ret(kbox_sock_fd_first(r, fd, rc));
            break;
        }
        len = (unsigned)rc;
        if (r->ops->write(r, at + offsetof(struct mmsghdr, msg_len), &len,
                          sizeof(len)))
            return kbox_ret(i ? (long)i : -EFAULT);
        if (!send && r->args[4]) {
            struct timespec now;

            clock_gettime(CLOCK_MONOTONIC, &now);
            if ((now.tv_sec - start.tv_sec) * 1000000000L +
                    (now.tv_nsec - start.tv_nsec) >=
                limit.tv_sec * 1000000000L + limit.tv_nsec) {
                i++;
                break;
            }
        }
    }
    return kbox_ret((long)i);
}

/*
 * A netlink socket made by this worker thread with CAP_NET_ADMIN out of
 * its effective set, for a guest that lacks it under a root kbox: the
 * socket's file keeps those credentials, and rtnetlink, genetlink and
 * the others check the sending socket's file as well as the sender
 * (netlink_net_capable), so route, address and link changes are EPERM
 * while reading them (getifaddrs, ip addr) works. Capabilities are per
 * thread; the set is restored before the worker goes on.
 */
static struct kbox_resp netlink_unprivileged(struct kbox_req *r)
{
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2], low[2];
    int fd, e;
    struct kbox_resp resp;

    if (syscall(SYS_capget, &hdr, data))
        return kbox_ret(-errno);
    memcpy(low, data, sizeof(low));
    low[0].effective &= ~(1u << CAP_NET_ADMIN);
    if (syscall(SYS_capset, &hdr, low))
        return kbox_ret(-errno);
    fd = socket(AF_NETLINK, (int)r->args[1], (int)r->args[2]);
    e = errno;
    if (syscall(SYS_capset, &hdr, data))
        /* cannot happen (the permitted set is untouched); the worker
         * then only lacks CAP_NET_ADMIN, which kbox does not use */
        fprintf(stderr, "kbox: warning: a worker's capabilities: %s\n",
                strerror(errno));
    if (fd < 0)
        return kbox_ret(-e);
    resp = kbox_fd_give_reply(r, fd, ((int)r->args[1] & SOCK_CLOEXEC) != 0);
    close(fd);
    return resp;
}

/*
 * Raw and packet sockets (AF_PACKET, SOCK_RAW, SOCK_PACKET) need
 * CAP_NET_RAW (inet_create, packet_create). The host checks kbox's: under
 * kbox run by root a guest user could sniff the host's traffic with an
 * AF_PACKET socket. So the caller's lx credentials are checked (kbox not
 * root: the host refuses kbox itself, a guest root included); netlink
 * sockets of such a guest cannot change the host's network.
 * A raw socket the guest may have is made by kbox (see below).
 *
 * NETLINK_AUDIT: the sandbox has no audit subsystem (lx has none, and
 * the guest's events are not the host's), so it answers as a kernel
 * without CONFIG_AUDIT does. The host's socket took the guest's records
 * as kbox's user: under a rootless kbox each send was EPERM, which sshd
 * running as guest root treats as fatal ("linux_audit_write_entry
 * failed"), closing every session; libaudit, sshd, login and PAM skip
 * auditing on EPROTONOSUPPORT.
 */
static struct kbox_resp h_socket(struct kbox_req *r)
{
    int domain = (int)r->args[0], type = (int)r->args[1] & 0xf;

    if (domain == AF_NETLINK && (int)r->args[2] == NETLINK_AUDIT)
        return kbox_ret(-EPROTONOSUPPORT);
    if (geteuid() != 0)
        return kbox_continue();
    if (domain == AF_PACKET || type == SOCK_PACKET ||
        ((domain == AF_INET || domain == AF_INET6) && type == SOCK_RAW)) {
        int fd;
        struct kbox_resp resp;

        if (!kbox_lx_capable(r, CAP_NET_RAW))
            return kbox_ret(-EPERM);
        /* The capability may come from lx alone (a file capability, as
         * ping's), which the host process of a --change-id user lacks:
         * kbox, which holds it, makes the socket. */
        fd = socket(domain, (int)r->args[1], (int)r->args[2]);
        if (fd < 0)
            return kbox_ret(-errno);
        resp = kbox_fd_give_reply(r, fd, ((int)r->args[1] & SOCK_CLOEXEC) != 0);
        close(fd);
        return resp;
    }
    if (domain == AF_NETLINK && !kbox_lx_capable(r, CAP_NET_ADMIN))
        return netlink_unprivileged(r);
    return kbox_continue();
}

/*
 * setsockopt options that need CAP_NET_ADMIN (SO_RCVBUFFORCE,
 * SO_SNDBUFFORCE) or CAP_NET_RAW or CAP_NET_ADMIN (SO_MARK, SO_PRIORITY
 * above 6, IP_TRANSPARENT and IPV6_TRANSPARENT on): under a root kbox the
 * host checks kbox's root, so the guest's lx capabilities decide. The
 * filter notifies these option numbers at any level. A guest without
 * the capability gets EPERM, or, for a value it may set, the option set
 * by kbox on its copy of the socket with the value checked (another
 * thread could change it before a CONTINUE).
 */
static struct kbox_resp h_setsockopt(struct kbox_req *r)
{
    int level = (int)r->args[1], name = (int)r->args[2], v = 0, hfd, rc;
    unsigned long len = (unsigned int)r->args[4];
    bool admin = level == SOL_SOCKET &&
                 (name == SO_RCVBUFFORCE || name == SO_SNDBUFFORCE);
    bool raw =
        (level == SOL_SOCKET && (name == SO_MARK || name == SO_PRIORITY)) ||
        (level == SOL_IP && name == IP_TRANSPARENT) ||
        (level == SOL_IPV6 && name == IPV6_TRANSPARENT);

    if (geteuid() != 0 || (!admin && !raw) || len < 1)
        return kbox_continue();
    if (len >= sizeof(int)) {
        if (r->ops->read(r, r->args[3], &v, sizeof(v)))
            return kbox_ret(-EFAULT);
    } else { /* IP options take a char too */
        unsigned char c;

        if (level != SOL_IP)
            return kbox_continue(); /* the host's EINVAL */
        if (r->ops->read(r, r->args[3], &c, 1))
            return kbox_ret(-EFAULT);
        v = c;
    }
    if (kbox_lx_capable(r, CAP_NET_ADMIN) ||
        (raw && kbox_lx_capable(r, CAP_NET_RAW)))
        return kbox_continue();
    if (admin || name == SO_MARK || (name == SO_PRIORITY && (v < 0 || v > 6)) ||
        ((name == IP_TRANSPARENT || name == IPV6_TRANSPARENT) && v))
        return kbox_ret(-EPERM);
    hfd = kbox_guest_sock(r, (int)kbox_arg_int(r->args[0]));
    if (hfd < 0)
        return kbox_ret(hfd == -ENOENT ? -EBADF : hfd);
    rc = setsockopt(hfd, level, name, &v, sizeof(v)) ? -errno : 0;
    close(hfd);
    return kbox_ret(rc);
}

kbox_handler kbox_net_handler(long nr)
{
    switch (nr) {
    case SYS_sendmsg:
        return h_sendmsg;
    case SYS_recvmsg:
        return h_recvmsg;
    case SYS_sendmmsg:
    case SYS_recvmmsg:
        return h_mmsg;
    case SYS_getsockopt:
        return kbox_peercred;
    case SYS_setsockopt:
        return h_setsockopt;
    case SYS_socket:
        return h_socket;
    default:
        return kbox_sockrecv_handler(nr); /* accept, recvfrom */
    }
}
