/* SPDX-License-Identifier: MIT */
/*
 * The names guests bound their unix sockets to, by host socket name, so
 * getsockname, getpeername and /proc/net/unix give back the path bind()
 * was given (the host reports <exec_dir>/s-<dev>-<ino>, or in a bind its
 * host path or /proc/self/fd/N/name, which unlink() in the guest cannot
 * find).
 *
 * A host name is not unique over time: once a node is unlinked, a new
 * node may get its inode number (ext4), and a bind's /proc/self/fd/N/name
 * repeats whenever kbox's fd N does; the socket bound earlier lives on
 * with the same host name. So each binding is kept by its socket's own
 * inode (sockfs, fstat), and a connect notes the name of the peer it
 * reached by the connecting socket's inode: getsockname and getpeername
 * of the older socket named the newer one (unix-fuzz seeds 4, 7, 17, 22).
 * Sockets these do not cover (an accepted one, whose name is its
 * listener's) get the newest binding of their host name.
 *
 * The table held the newest 1024 bindings: a socket whose binding 1024
 * newer ones displaced (2 fds and a loop of bind+close+unlink) showed its
 * host name, which told the guest kbox's private directory and pid. Now
 * nothing is dropped while its socket lives: when the table fills, the
 * entries of sockets that are gone (absent from a sock_diag dump of unix
 * sockets) are dropped, and it grows when most are alive.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "kbox/dispatch.h"

#define SUN_LEN_  sizeof(((struct sockaddr_un *)0)->sun_path)
/* beyond this many live entries the oldest goes (memory bound) */
#define NAMES_MAX (1u << 16)

struct sock_name {
    char host[SUN_LEN_];
    /* a name may fill sun_path, with no NUL (+1: one is added) */
    char guest[SUN_LEN_ + 1];
    bool peer;  /* a connect's note: @sino is the connecting socket */
    ino_t sino; /* the bound (peer: the connecting) socket's inode */
    unsigned long long seq; /* newer is larger */
};

static struct sock_name *tab;
static size_t n_tab, cap_tab;
static unsigned long long next_seq;
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;

ino_t kbox_sock_ino(int s)
{
    struct stat st;

    return fstat(s, &st) ? 0 : st.st_ino;
}

static int cmp_ino(const void *a, const void *b)
{
    unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;

    return x < y ? -1 : x > y;
}

/* The inodes of all unix sockets of kbox's network namespace, sorted;
 * -1 when sock_diag cannot say. */
static long live_inodes(unsigned int **out)
{
    struct {
        struct nlmsghdr nlh;
        struct unix_diag_req req;
    } q;
    union {
        char buf[32768];
        struct nlmsghdr align;
    } a;
    struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
    unsigned int *v = NULL;
    size_t nv = 0, cv = 0;
    bool done = false;
    int s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

    if (s < 0)
        return -1;
    memset(&q, 0, sizeof(q));
    q.nlh.nlmsg_len = sizeof(q);
    q.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    q.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    q.req.sdiag_family = AF_UNIX;
    q.req.udiag_states = ~0u;
    if (sendto(s, &q, sizeof(q), 0, (struct sockaddr *)&nl, sizeof(nl)) < 0)
        goto fail;
    while (!done) {
        ssize_t n = recv(s, a.buf, sizeof(a.buf), 0);

        if (n <= 0)
            goto fail;
        for (struct nlmsghdr *h = &a.align; NLMSG_OK(h, (size_t)n);
             h = NLMSG_NEXT(h, n)) {
            const struct unix_diag_msg *m = NLMSG_DATA(h);

            if (h->nlmsg_type == NLMSG_DONE) {
                done = true;
                break;
            }
            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
                h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
                goto fail;
            if (nv == cv) {
                unsigned int *w = realloc(v, (cv ? cv * 2 : 1024) * sizeof(*v));

                if (!w)
                    goto fail;
                v = w;
                cv = cv ? cv * 2 : 1024;
            }
            v[nv++] = m->udiag_ino;
        }
    }
    close(s);
    qsort(v, nv, sizeof(*v), cmp_ino);
    *out = v;
    return (long)nv;
fail:
    close(s);
    free(v);
    return -1;
}

/* Room for one more entry; names_lock held. */
static bool make_room(void)
{
    unsigned int *live = NULL;
    long nl;
    size_t j = 0;

    if (n_tab < cap_tab)
        return true;
    nl = n_tab ? live_inodes(&live) : -1;
    if (nl >= 0) {
        for (size_t i = 0; i < n_tab; i++) {
            unsigned int ino = (unsigned int)tab[i].sino;

            if (tab[i].sino &&
                bsearch(&ino, live, (size_t)nl, sizeof(ino), cmp_ino))
                tab[j++] = tab[i];
        }
        n_tab = j;
        free(live);
    }
    /* grow when most are alive (or nobody could tell) */
    if (n_tab * 4 >= cap_tab * 3 && cap_tab < NAMES_MAX) {
        size_t nc = cap_tab ? cap_tab * 2 : 1024;
        struct sock_name *t = realloc(tab, nc * sizeof(*t));

        if (t) {
            tab = t;
            cap_tab = nc;
        }
    }
    if (n_tab < cap_tab)
        return true;
    if (!n_tab)
        return false;
    /* full of live sockets at the bound: the oldest goes */
    for (size_t i = 1; i < n_tab; i++)
        if (tab[i].seq < tab[j].seq)
            j = i;
    tab[j] = tab[--n_tab];
    return true;
}

static void note(const char *host, const char *guest, ino_t sino, bool peer)
{
    struct sock_name *e = NULL;

    pthread_mutex_lock(&names_lock);
    for (size_t i = 0; sino && i < n_tab && !e; i++)
        if (tab[i].sino == sino && tab[i].peer == peer)
            e = &tab[i]; /* a datagram socket's new peer */
    if (!e && make_room())
        e = &tab[n_tab++];
    if (e) {
        snprintf(e->host, sizeof(e->host), "%s", host);
        snprintf(e->guest, sizeof(e->guest), "%s", guest);
        e->sino = sino;
        e->peer = peer;
        e->seq = ++next_seq;
    }
    pthread_mutex_unlock(&names_lock);
}

void kbox_sock_name_bound(const char *host, const char *guest, int s)
{
    note(host, guest, kbox_sock_ino(s), false);
}

bool kbox_sock_name_of(const char *host, ino_t sino, bool peer, bool any_ok,
                       char *guest, size_t len)
{
    const struct sock_name *f = NULL, *any = NULL;

    pthread_mutex_lock(&names_lock);
    for (size_t i = 0; i < n_tab && !f; i++) {
        const struct sock_name *e = &tab[i];

        if (strcmp(e->host, host))
            continue;
        if (sino && e->sino == sino && e->peer == peer)
            f = e;
        else if (!e->peer && (!any || e->seq > any->seq))
            any = e;
    }
    if (!f && any_ok)
        f = any;
    if (f)
        snprintf(guest, len, "%s", f->guest);
    pthread_mutex_unlock(&names_lock);
    return f != NULL;
}

/*
 * Socket @s connected: note the name of the socket it reached, as its
 * host address says it now, while that is still the newest binding of
 * it.
 */
void kbox_sock_name_connected(int s)
{
    char host[SUN_LEN_], guest[SUN_LEN_ + 1];
    struct sockaddr_un sa;
    socklen_t l = sizeof(sa);
    size_t hl;

    memset(&sa, 0, sizeof(sa));
    if (getpeername(s, (struct sockaddr *)&sa, &l) ||
        l <= offsetof(struct sockaddr_un, sun_path) || !sa.sun_path[0])
        return;
    hl = l - offsetof(struct sockaddr_un, sun_path);
    memset(host, 0, sizeof(host));
    memcpy(host, sa.sun_path, hl < sizeof(host) ? hl : sizeof(host));
    host[sizeof(host) - 1] = '\0';
    if (!kbox_sock_name_of(host, 0, false, true, guest, sizeof(guest)))
        return;
    note(host, guest, kbox_sock_ino(s), true);
}
