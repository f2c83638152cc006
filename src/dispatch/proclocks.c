/* SPDX-License-Identifier: MIT */
/*
 * /proc/locks for the guest: lx's list (the image's and lx's tmpfs files)
 * followed by the host's locks on the files the guest has there - a
 * bind's files, host memfds - which lx cannot know of (a guest's flock or
 * fcntl lock on a bind file was missing from /proc/locks).
 */
#define _GNU_SOURCE
#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include <errno.h>
#include <fcntl.h>
#include <lx/lx.h>
#include <lx/uapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Is host device @maj:@min that of a bind's source? */
static bool bind_dev(unsigned maj, unsigned min)
{
    const struct kbox_opts *o = kbox_sup.opts;
    struct stat st;

    for (int i = 0; o && i < o->nbinds; i++)
        if (!stat(o->binds[i].host_src, &st) && major(st.st_dev) == maj &&
            minor(st.st_dev) == min)
            return true;
    return false;
}

/*
 * A host /proc/locks line the guest would see natively: a guest
 * process's lock, or on a bind's device an OFD lock (no owner: pid -1)
 * or an flock whose taker has exited.
 * Its text after "N:" goes to @rest.
 */
static bool guest_line(const char *line, int *id, const char **rest)
{
    char kind[16];
    const char *s;
    unsigned maj, min;
    int pid, n = 0;

    if (sscanf(line, "%d:%n", id, &n) != 1 || !n)
        return false;
    *rest = s = line + n;
    s += strspn(s, " ");
    if (!strncmp(s, "-> ", 3))
        s += 3;
    if (sscanf(s, "%15s %*s %*s %d %x:%x:", kind, &pid, &maj, &min) != 4)
        return false;
    if (pid > 0 && kbox_proc_known(pid))
        return true;
    /* an flock outlives its taker (the pid is shown all the same): one
     * on a bind's device whose taker is gone */
    if (pid > 0) {
        char p[32];

        snprintf(p, sizeof(p), "/proc/%d", pid);
        if (!access(p, F_OK))
            return false;
    }
    return bind_dev(maj, min);
}

int kbox_proc_locks_fd(struct kbox_req *r, int lxfd)
{
    char path[64], *out = NULL, *line = NULL;
    size_t cap = 0, lcap = 0;
    long got = lx_task_fd_path(r->task, lxfd, path, sizeof(path));
    int fd, last = 0, host_last = -1, id;
    const char *rest;
    FILE *f, *h;

    if (got < 0 || strcmp(path, "/proc/locks"))
        return -ENOENT;
    h = fopen("/proc/locks", "re");
    if (!h)
        return -ENOENT; /* lx's list alone, as before */
    f = open_memstream(&out, &cap);
    if (!f) {
        fclose(h);
        return -ENOMEM;
    }
    for (;;) { /* lx's lines as they are */
        char in[4096];
        long k = kbox_lx(r, LX__NR_read, lxfd, (long)in, sizeof(in), 0, 0, 0);

        if (k <= 0)
            break;
        fwrite(in, 1, (size_t)k, f);
    }
    fflush(f);
    /* the number of lx's last lock, which the host's follow */
    for (char *p = out; p && *p;) {
        if (sscanf(p, "%d:", &id) == 1 && id > last)
            last = id;
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    /* a blocked waiter ("->") has its blocker's number */
    while (getline(&line, &lcap, h) > 0) {
        if (!guest_line(line, &id, &rest))
            continue;
        if (id != host_last) {
            host_last = id;
            last++;
        }
        fprintf(f, "%d:%s", last, rest);
    }
    free(line);
    fclose(h);
    if (fclose(f)) {
        free(out);
        kbox_lx(r, LX__NR_lseek, lxfd, 0, SEEK_SET, 0, 0, 0);
        return -ENOMEM;
    }
    fd = memfd_create("kbox-locks", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0 || write(fd, out, cap) != (ssize_t)cap ||
        lseek(fd, 0, SEEK_SET) ||
        fcntl(fd, F_ADD_SEALS,
              F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)) {
        int e = errno ? errno : EIO;

        if (fd >= 0)
            close(fd);
        free(out);
        /* the guest reads lx's list from its start instead */
        kbox_lx(r, LX__NR_lseek, lxfd, 0, SEEK_SET, 0, 0, 0);
        return -e;
    }
    free(out);
    return fd;
}
