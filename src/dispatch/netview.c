// SPDX-License-Identifier: MIT
/*
 * The host's network files as the guest sees them. The guest shares the
 * host's network, so /proc/net and /proc/sys/net are the host's
 * (route.c), with two corrections:
 *
 * - /proc/net/unix names a guest's socket bound to an image path by
 *   kbox's host name for it (<exec_dir>/s-<dev>-<ino>, or in a bind its
 *   host path or /proc/self/fd/N/name): netstat -x, lsof -U and a guest
 *   looking for its own server's socket found no /tmp/x.sock. Such
 *   lines get the path bind() was given, as getsockname reports it.
 * - /proc/sys/net (and /proc/net's few writable files) would be written
 *   with kbox's host rights. They are the host's settings, not the
 *   guest's: a guest, root included, is refused them as a container's
 *   root is without the host's network namespace (net_ctl_permissions
 *   gives it the "other" bits: EACCES), as settimeofday is refused.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "kbox/dispatch.h"
#include "kbox/path.h"

static bool is_net_unix(const char *rest)
{
    size_t l = strlen(rest);

    /* /proc/sys/net/unix is sysctl's directory: it was read as the file
     * (EISDIR: ls and sysctl -a failed) */
    if (!strncmp(rest, "sys/", 4))
        return false;
    if (!strcmp(rest, "net/unix"))
        return true;
    return l > 9 && !strcmp(rest + l - 9, "/net/unix");
}

/* One line "Num RefCount Protocol Flags Type St Inode[ Path]\n". */
static int unix_line(const char *line, size_t n, char **out, size_t *ol,
                     size_t *cap)
{
    char buf[512], host[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
    char guest[sizeof(host) + 1];
    unsigned long ino;
    int at = -1;
    size_t pl;

    if (n >= sizeof(buf))
        return kbox_buf_put(out, ol, cap, line, n);
    memcpy(buf, line, n);
    buf[n] = '\0';
    if (sscanf(buf, "%*s %*x %*x %*x %*x %*x %lu%n", &ino, &at) != 1 ||
        at <= 0 || buf[at] != ' ')
        return kbox_buf_put(out, ol, cap, line, n);
    pl = n - (size_t)at - 1 - (buf[n - 1] == '\n');
    if (pl == 0 || pl >= sizeof(host))
        return kbox_buf_put(out, ol, cap, line, n);
    memcpy(host, buf + at + 1, pl);
    host[pl] = '\0';
    if (!kbox_sock_host_name(host) ||
        !kbox_sock_guest_name(host, ino, guest, sizeof(guest)))
        return kbox_buf_put(out, ol, cap, line, n);
    if (kbox_buf_put(out, ol, cap, line, (size_t)at + 1) ||
        kbox_buf_put(out, ol, cap, guest, strlen(guest)))
        return -ENOMEM;
    return buf[n - 1] == '\n' ? kbox_buf_put(out, ol, cap, "\n", 1) : 0;
}

int kbox_proc_net_unix_fd(const char *rest, int hostfd)
{
    if (!is_net_unix(rest))
        return -ENOENT;
    return kbox_rewrite_lines_fd(hostfd, "kbox-net-unix", unix_line);
}

/* Skip "<digits>/" at @p: its end, or NULL. */
static const char *skip_pid(const char *p)
{
    const char *q = p;

    while (*q >= '0' && *q <= '9')
        q++;
    return q != p && *q == '/' ? q + 1 : NULL;
}

/* Is @rest (beneath host /proc) "sys/net", "net", "<pid>/net" or
 * "<pid>/task/<tid>/net", or beneath one? */
static bool net_file(const char *rest)
{
    const char *p = rest, *q;

    if (!strncmp(p, "sys/", 4)) {
        p += 4;
    } else if ((q = skip_pid(p))) {
        p = q;
        if (!strncmp(p, "task/", 5) && !(p = skip_pid(p + 5)))
            return false;
    } else if (*p >= '0' && *p <= '9') {
        return false;
    }
    return !strncmp(p, "net", 3) && (!p[3] || p[3] == '/');
}

static bool writes(int flags)
{
    return !(flags & O_PATH) &&
           ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC));
}

int kbox_proc_sys_net_may(struct kbox_req *r, const char *rest, int flags)
{
    (void)r;
    if (!net_file(rest))
        return 0;
    return writes(flags) ? -EACCES : 0;
}

/*
 * The same for host fd @hfd just opened with @flags by its target: a
 * reopen through /proc/<pid>/fd/N of a read-only fd of /proc/sys/net/...
 * named no network file and wrote the host's settings under a root kbox.
 */
int kbox_proc_net_opened_may(int hfd, int flags)
{
    char link[64], t[KBOX_PATH_MAX];
    ssize_t n;

    if (!writes(flags))
        return 0;
    snprintf(link, sizeof(link), "/proc/self/fd/%d", hfd);
    n = readlink(link, t, sizeof(t) - 1);
    if (n < 0)
        return -EACCES; /* unnamed: refuse rather than guess */
    t[n] = '\0';
    return !strncmp(t, "/proc/", 6) && net_file(t + 6) ? -EACCES : 0;
}
