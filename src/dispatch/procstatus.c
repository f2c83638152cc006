/* SPDX-License-Identifier: MIT */
/*
 * /proc/<pid>/status as the guest sees it: the host's lines with lx's
 * credentials, and the reader's own state.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"

/* Read all of a small file (up to @len - 1 bytes) from fd @fd. */
static long slurp_host(int fd, char *buf, size_t len)
{
    size_t o = 0;

    while (o + 1 < len) {
        ssize_t n = pread(fd, buf + o, len - 1 - o, (off_t)o);

        if (n < 0)
            return -errno;
        if (n == 0)
            break;
        o += (size_t)n;
    }
    buf[o] = '\0';
    return (long)o;
}

static long slurp_lx(struct kbox_req *r, const char *path, char *buf,
                     size_t len)
{
    long fd =
        kbox_lx(r, LX__NR_openat, AT_FDCWD, (long)path, O_RDONLY, 0, 0, 0);
    size_t o = 0;

    if (fd < 0)
        return fd;
    while (o + 1 < len) {
        long n = kbox_lx(r, LX__NR_read, fd, (long)(buf + o),
                         (long)(len - 1 - o), 0, 0, 0);

        if (n <= 0)
            break;
        o += (size_t)n;
    }
    kbox_lx(r, LX__NR_close, fd, 0, 0, 0, 0, 0);
    buf[o] = '\0';
    return (long)o;
}

/* Is @rest ("<pid>/status", "<pid>/task/<tid>/status") the calling
 * thread's own status? */
static bool status_of_caller(const struct kbox_req *r, const char *rest,
                             long pid)
{
    const char *t = rest + strcspn(rest, "/");

    if (pid != r->proc->tgid)
        return false;
    if (!strncmp(t, "/task/", 6))
        return strtol(t + 6, NULL, 10) == r->pid;
    return r->pid == r->proc->tgid;
}

/*
 * The snapshot is taken while the reader waits for kbox, so the host says
 * "S (sleeping)" of it; natively a thread reading its own status is
 * running (stat, read live, says R). Returns the new length.
 */
static long running_state(char *text, long n)
{
    static const char run[] = "State:\tR (running)";
    char *s = strstr(text, "\nState:\t"), *e;
    size_t old, rl = sizeof(run) - 1;

    if (!s)
        return n;
    s++;
    e = strchr(s, '\n');
    if (!e)
        return n;
    old = (size_t)(e - s);
    if (old < rl) /* "S (sleeping)" and others are longer */
        return n;
    memcpy(s, run, rl);
    memmove(s + rl, e, (size_t)n - (size_t)(e - text) + 1);
    return n - (long)(old - rl);
}

int kbox_proc_status_fd(struct kbox_req *r, const char *rest, int hostfd)
{
    char host[8192], kern[8192], out[16384], lxpath[64];
    size_t rl = strlen(rest);
    long pid = strtol(rest, NULL, 10), n;
    int fd;

    if (rl < 7 || strcmp(rest + rl - 7, "/status"))
        return -ENOENT;
    n = slurp_host(hostfd, host, sizeof(host));
    if (n < 0)
        return (int)n;
    /* The caller's own thread (/proc/thread-self): its task's umask and
     * ids, which a thread that unshared CLONE_FS or changed its ids by a
     * raw syscall has apart from its process's. */
    if (pid == r->proc->tgid && r->pid != r->proc->tgid &&
        !strncmp(rest + strcspn(rest, "/"), "/task/", 6) &&
        strtol(rest + strcspn(rest, "/") + 6, NULL, 10) == r->pid)
        snprintf(lxpath, sizeof(lxpath), "/proc/thread-self/status");
    else if (pid == r->proc->tgid)
        snprintf(lxpath, sizeof(lxpath), "/proc/self/status");
    else
        snprintf(lxpath, sizeof(lxpath), "/proc/%ld/status", pid);
    if (slurp_lx(r, lxpath, kern, sizeof(kern)) < 0)
        kern[0] = '\0'; /* no kernel view: the host's lines stay */
    n = kbox_abi_status_merge(host, kern, out, sizeof(out));
    if (n < 0)
        return -EOVERFLOW;
    if (status_of_caller(r, rest, pid))
        n = running_state(out, n);
    fd = memfd_create("kbox-status", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -errno;
    if (write(fd, out, (size_t)n) != n || lseek(fd, 0, SEEK_SET) != 0 ||
        fcntl(fd, F_ADD_SEALS,
              F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)) {
        int e = errno ? errno : EIO;

        close(fd);
        return -e;
    }
    return fd;
}

/* One read: Tgid and PPid are in the first lines (stdio took six calls,
 * at every new process's first call). */
int kbox_proc_status(pid_t tid, pid_t *tgid, pid_t *ppid)
{
    char buf[1024];
    const char *t, *pp;

    *tgid = *ppid = 0;
    if (kbox_abi_proc_text(tid, "status", buf, sizeof(buf)) <= 0)
        return -1;
    t = strstr(buf, "\nTgid:");
    pp = strstr(buf, "\nPPid:");
    *tgid = t ? atoi(t + 6) : 0;
    *ppid = pp ? atoi(pp + 6) : 0;
    return *tgid ? 0 : -1;
}
