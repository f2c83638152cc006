/* SPDX-License-Identifier: MIT */
/*
 * A guest's unix socket bound in a bind, under its host path. kbox binds
 * such a socket through the bind's directory fd (/proc/self/fd/N/name),
 * which keeps the node beneath the bind, but the kernel records that
 * string as the socket's address: a host peer's recvfrom, accept or
 * getpeername got "/proc/self/fd/29/c.sock", meaningless outside kbox
 * (a host datagram server replying to a guest client, chronyc or
 * wpa_cli style, sent to its own fd 29: ENOENT). So the socket is bound
 * to the directory's absolute host path instead, by a short-lived thread
 * that Landlock lets create sockets only beneath that directory: a
 * component renamed or swapped for a symlink between kbox's readlink and
 * the bind cannot take the node out of the bind (EACCES, and the caller
 * binds the old way). Without Landlock, or when the host path does not
 * fit sun_path, the old way it is.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "kbox/dispatch.h"
#include "kbox/landlock.h"

struct beneath_bind {
    int s, dir;
    const struct sockaddr_un *sa;
    int rc; /* 0, -errno of the bind, or 1: Landlock unusable */
};

static void *beneath_bind_thread(void *arg)
{
    struct beneath_bind *b = arg;
    struct landlock_ruleset_attr ra = {
        .handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_SOCK,
    };
    struct landlock_path_beneath_attr pb = {
        .allowed_access = LANDLOCK_ACCESS_FS_MAKE_SOCK,
        .parent_fd = b->dir,
    };
    int rs;

    b->rc = 1;
    /* this thread only: the restriction ends with it */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
        return NULL;
    rs = (int)syscall(__NR_landlock_create_ruleset, &ra, sizeof(ra), 0);
    if (rs < 0)
        return NULL;
    if (!syscall(__NR_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb,
                 0) &&
        !syscall(__NR_landlock_restrict_self, rs, 0))
        b->rc = bind(b->s, (const struct sockaddr *)b->sa, sizeof(*b->sa))
                    ? -errno
                    : 0;
    close(rs);
    return NULL;
}

int kbox_bind_sock_host_path(int s, int dir, const char *base,
                             struct sockaddr_un *out)
{
    char link[64], p[sizeof(out->sun_path) + 16];
    struct beneath_bind b;
    pthread_t t;
    ssize_t n;
    int k;

    snprintf(link, sizeof(link), "/proc/self/fd/%d", dir);
    n = readlink(link, p, sizeof(p) - 1);
    if (n <= 0 || p[0] != '/' || (size_t)n >= sizeof(p) - 1)
        return 1;
    p[n] = '\0';
    if (strstr(p, " (deleted)"))
        return 1;
    memset(out, 0, sizeof(*out));
    out->sun_family = AF_UNIX;
    k = snprintf(out->sun_path, sizeof(out->sun_path), "%s/%s", n == 1 ? "" : p,
                 base);
    if (k < 0 || (size_t)k >= sizeof(out->sun_path))
        return 1;
    b.s = s;
    b.dir = dir;
    b.sa = out;
    b.rc = 1;
    if (pthread_create(&t, NULL, beneath_bind_thread, &b))
        return 1;
    pthread_join(t, NULL);
    return b.rc ? 1 : 0;
}

/*
 * A name too long for /proc/self/fd/N/name and for the bind's host path
 * (a 107- or 108-byte relative name from a cwd in the bind: Linux binds
 * it, kbox said ENAMETOOLONG): bound by its last name alone from a
 * short-lived thread whose own cwd (unshare(CLONE_FS)) is the directory.
 * The host then records that relative name, as Linux records a relative
 * name as given.
 */
struct at_bind {
    int s, dir;
    const struct sockaddr_un *sa;
    int rc;
};

static void *at_bind_thread(void *arg)
{
    struct at_bind *b = arg;

    if (unshare(CLONE_FS) || fchdir(b->dir))
        b->rc = -errno;
    else
        b->rc = bind(b->s, (const struct sockaddr *)b->sa, sizeof(*b->sa))
                    ? -errno
                    : 0;
    return NULL;
}

int kbox_bind_sock_at(int s, int dir, const struct sockaddr_un *sa)
{
    struct at_bind b = { s, dir, sa, -ENOMEM };
    pthread_t t;

    if (pthread_create(&t, NULL, at_bind_thread, &b))
        return -EAGAIN;
    pthread_join(t, NULL);
    return b.rc;
}
