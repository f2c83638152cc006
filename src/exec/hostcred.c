/* SPDX-License-Identifier: MIT */
/*
 * exec's credentials from a program in a bind (a host file). lx prepares
 * them from an lx file (setid.c, arch/lx/kernel/execcred.c), so a host
 * file gets a stand-in: an unnamed file on a tmpfs the guest never sees
 * (kbox_exec_standin_init), with the host file's owner, group, mode and
 * security.capability, from which lx applies Linux's rules (bprm_fill_uid,
 * commoncap) as for an image file.
 *
 * Only under a root kbox: there the guest's host calls in a bind run with
 * its ids (kbox_ids_for_host), so only a file's owner could have set its
 * bits. A rootless kbox makes every guest user kbox's host user in a
 * bind: a --change-id user could mark kbox's files set-user-ID and gain
 * that uid in lx. Its binds stay nosuid mounts (src/image/image.c), which
 * is what their mountinfo line says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <lx/lx.h>
#include <lx/uapi.h>

#include "internal.h"
#include "kbox/cli.h"
#include "kbox/dispatch.h"
#include "kbox/mntview.h"
#include "kbox/path.h"

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif

static long lx_t(struct lx_task *t, long nr, long a0, long a1, long a2, long a3,
                 long a4)
{
    long args[6] = { a0, a1, a2, a3, a4, 0 };

    return lx_task_syscall(t, nr, args);
}

/*
 * The stand-ins' directory: a tmpfs lx's root task mounts on its first
 * root, beside the image's mount, before it enters the image. The guest
 * never reaches it (mountinfo leaves out what is outside a reader's
 * root), and only this task, forked before that chroot, holds an fd of
 * it. Linux's mnt_may_suid wants a mount of the caller's namespace: a
 * detached fsmount() gave no ids.
 */
static struct lx_task *standin_task;
static long standin_dir = -1;

void kbox_exec_standin_init(void)
{
    struct lx_task *root = lx_task_root();
    struct lx_task *t;
    long d;

    if (lx_t(root, LX__NR_mkdirat, AT_FDCWD, (long)"/kbox-standin", 0700, 0,
             0) < 0 ||
        lx_mount("tmpfs", "/kbox-standin", "tmpfs", MS_NODEV | MS_NOEXEC,
                 "mode=700") < 0)
        return;
    t = lx_task_fork(NULL, 0);
    if (!t)
        return;
    d = lx_t(t, LX__NR_openat, AT_FDCWD, (long)"/kbox-standin",
             O_PATH | O_DIRECTORY | O_CLOEXEC, 0, 0);
    if (d < 0) {
        lx_task_exit(t);
        return;
    }
    standin_task = t;
    standin_dir = d;
}

/*
 * Is host path @hp beneath a bind's source? Only a bind's file gives its
 * bits: a host object from elsewhere (a file a host process handed over,
 * one inherited from kbox's caller) is no file of the guest's tree, and
 * fexecve of it never gave them.
 */
bool kbox_exec_in_a_bind(const char *hp)
{
    const struct kbox_opts *o = kbox_sup.opts;
    const char *rest;

    for (int i = 0; hp[0] == '/' && i < o->nbinds; i++)
        if (kbox_path_beneath(hp, o->binds[i].host_src, &rest))
            return true;
    return false;
}

/*
 * The host file's access ACL onto the stand-in: lx re-checks the exec
 * permission there (bprm_fill_uid), and with the mode alone a user who
 * may run the program only through a named entry got no ids (the
 * host's check, with the ACL, had let the exec run). The value is the
 * xattr form, whose ids are the host's and so lx's under a root kbox.
 */
static long copy_acl(long fd, int hfd)
{
    static const char name[] = "system.posix_acl_access";
    char *v;
    ssize_t n = fgetxattr(hfd, name, NULL, 0);
    long rc;

    if (n <= 0) /* none (ENODATA), or a file system without them */
        return 0;
    v = malloc((size_t)n);
    if (!v)
        return -ENOMEM;
    n = fgetxattr(hfd, name, v, (size_t)n);
    rc = n > 0 ? lx_t(standin_task, LX__NR_fsetxattr, fd, (long)name, (long)v,
                      n, 0)
               : 0;
    free(v);
    return rc;
}

long kbox_prog_host_creds(struct lx_task *t, int hfd, struct image *img,
                          bool by_path)
{
    char link[64], hp[KBOX_PATH_MAX];
    unsigned char caps[64];
    ssize_t ncaps, n;
    struct statfs sf;
    uint32_t mode = img->st.st_mode;
    long fd, gfd, rc;

    if (geteuid() != 0)
        return 0;
    ncaps = fgetxattr(hfd, "security.capability", caps, sizeof(caps));
    if (!(mode & (S_ISUID | S_ISGID)) && ncaps <= 0)
        return 0;
    /* a nosuid host mount gives neither (as the trap's flag shows); nor
     * does a mount whose flags cannot be read */
    if (fstatfs(hfd, &sf) || (sf.f_flags & ST_NOSUID))
        return 0;
    snprintf(link, sizeof(link), "/proc/self/fd/%d", hfd);
    n = readlink(link, hp, sizeof(hp) - 1);
    if (n <= 0)
        return 0;
    hp[n] = '\0';
    if (!kbox_exec_in_a_bind(hp))
        return 0;
    /* The guest's own mounts cannot make it nosuid: a path reaches a
     * bind only through its trap (src/dispatch/bindwalk.c), which the
     * guest cannot remount (its walk there is refused) and whose copies
     * keep its flags; a guest mount over the place makes the path lx's.
     * (@by_path: a held fd or cwd keeps its mount, as natively.) */
    if (!standin_task) /* no place for it (lx's tmpfs refused): as before */
        return 0;
    fd = lx_t(standin_task, LX__NR_openat, standin_dir, (long)".",
              O_TMPFILE | O_RDWR | O_CLOEXEC, 0700, 0);
    if (fd < 0)
        return fd;
    /* chown first: it clears the set-ID bits the chmod then sets; a
     * value lx refuses (EINVAL) fails the exec, as Linux's would */
    rc = lx_t(standin_task, LX__NR_fchown, fd, img->st.st_uid, img->st.st_gid,
              0, 0);
    if (rc >= 0)
        rc = lx_t(standin_task, LX__NR_fchmod, fd, mode & 07777, 0, 0, 0);
    if (rc >= 0 && ncaps > 0)
        rc = lx_t(standin_task, LX__NR_fsetxattr, fd,
                  (long)"security.capability", (long)caps, ncaps, 0);
    if (rc >= 0)
        rc = copy_acl(fd, hfd);
    if (rc < 0) {
        lx_t(standin_task, LX__NR_close, fd, 0, 0, 0, 0);
        return rc;
    }
    gfd = lx_task_getfd(t, standin_task, (int)fd, LX_O_CLOEXEC);
    lx_t(standin_task, LX__NR_close, fd, 0, 0, 0, 0);
    if (gfd < 0)
        return gfd;
    img->lxfd = (int)gfd;
    img->t = t;
    return 0;
}
