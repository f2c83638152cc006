/* SPDX-License-Identifier: MIT */
/*
 * ustat(2) and sysfs(2), x86_64's legacy calls about file systems, which
 * lx (asm-generic) lacks: they were ENOSYS. Answered from lx as Linux
 * answers them: sysfs from /proc/filesystems (the kernel's list, in its
 * order), ustat from the mount whose device it names, its statfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"
#include "kbox/mntview.h"

/* An lx file of the caller's view (NUL-ended, malloc'ed) or NULL. */
static char *lx_slurp(struct kbox_req *r, const char *path)
{
    long fd = kbox_lx(r, LX__NR_openat, AT_FDCWD, (long)path,
                      O_RDONLY | O_CLOEXEC, 0, 0, 0);
    size_t cap = 65536, len = 0;
    char *buf;

    if (fd < 0)
        return NULL;
    buf = malloc(cap + 1);
    while (buf && len < cap) {
        long n = kbox_lx(r, LX__NR_read, fd, (long)(buf + len),
                         (long)(cap - len), 0, 0, 0);

        if (n <= 0)
            break;
        len += (size_t)n;
    }
    kbox_lx(r, LX__NR_close, fd, 0, 0, 0, 0, 0);
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* The @idx'th type of /proc/filesystems ("nodev\tproc" or "\text4"). */
static const char *fs_type(char *list, long idx, size_t *len)
{
    long i = 0;

    for (char *l = list; l && *l; i++) {
        char *nl = strchr(l, '\n'), *tab = strchr(l, '\t');

        if (!nl)
            nl = l + strlen(l);
        if (!tab || tab > nl)
            return NULL;
        if (i == idx) {
            *len = (size_t)(nl - tab - 1);
            return tab + 1;
        }
        l = *nl ? nl + 1 : nl;
    }
    return NULL;
}

static struct kbox_resp h_sysfs(struct kbox_req *r)
{
    long opt = (long)(int)r->args[0], rc = -EINVAL;
    char *list, name[256];
    const char *t;
    size_t n;

    if (opt < 1 || opt > 3)
        return kbox_ret(-EINVAL);
    if (opt == 1) {
        rc = kbox_read_path(r, r->args[1], name, sizeof(name), true);
        if (rc)
            return kbox_ret(rc == -ENAMETOOLONG ? -EINVAL : rc);
    }
    list = lx_slurp(r, "/proc/filesystems");
    if (!list)
        return kbox_ret(-ENOSYS);
    rc = -EINVAL;
    for (long i = 0; (t = fs_type(list, i, &n)); i++) {
        if (opt == 1 && n == strlen(name) && !strncmp(t, name, n)) {
            rc = i;
            break;
        }
        if (opt == 2 && i == (long)(unsigned)r->args[1]) {
            char out[256];

            snprintf(out, sizeof(out), "%.*s", (int)n, t);
            rc = r->ops->write(r, r->args[2], out, strlen(out) + 1) ? -EFAULT
                                                                    : 0;
            break;
        }
        if (opt == 3)
            rc = i + 1;
    }
    free(list);
    return kbox_ret(rc);
}

/* x86_64's struct ustat */
struct kbox_ustat {
    int f_tfree;
    unsigned long f_tinode;
    char f_fname[6];
    char f_fpack[6];
};

static struct kbox_resp h_ustat(struct kbox_req *r)
{
    unsigned dev = (unsigned)r->args[0], maj, min;
    char *info = lx_slurp(r, "/proc/self/mountinfo"), mp[4096];
    struct kbox_ustat u;
    long rc = -EINVAL;

    for (char *l = info; l && *l;) {
        char *nl = strchr(l, '\n');

        if (nl)
            *nl = '\0';
        /* the first mount of that device, as the kernel's super_block
         * list has it first */
        if (sscanf(l, "%*d %*d %u:%u %*s %4095s", &maj, &min, mp) == 3 &&
            makedev(maj, min) ==
                makedev(dev >> 8 & 0xfff,
                        (dev & 0xff) | (dev >> 12 & 0xfff00))) {
            struct statfs sf;
            struct kbox_gstatfs g;

            rc = kbox_mntview_host_statfs(mp, &sf);
            if (rc == -ENOENT) {
                rc = kbox_lx(r, LX__NR_statfs, (long)mp, (long)&g, 0, 0, 0, 0);
                sf.f_bfree = g.f_bfree;
                sf.f_ffree = g.f_ffree;
            }
            if (rc == 0) {
                memset(&u, 0, sizeof(u));
                u.f_tfree = (int)sf.f_bfree;
                u.f_tinode = sf.f_ffree;
                rc = r->ops->write(r, r->args[1], &u, sizeof(u)) ? -EFAULT : 0;
            }
            break;
        }
        l = nl ? nl + 1 : l + strlen(l);
    }
    free(info);
    return kbox_ret(rc);
}

kbox_handler kbox_fsinfo_handler(long nr)
{
    switch (nr) {
#ifdef SYS_ustat
    case SYS_ustat:
        return h_ustat;
#endif
#ifdef SYS_sysfs
    case SYS_sysfs:
        return h_sysfs;
#endif
    default:
        return NULL;
    }
}
