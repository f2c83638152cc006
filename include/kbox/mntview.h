/* SPDX-License-Identifier: MIT */
/*
 * What a guest learns of the mounts behind host objects (binds, host
 * /dev nodes and /dev/pts, the host's /proc files): the host answers
 * stat calls for them, with the host's mount ids and mount flags, which
 * name nothing (or another mount) in the guest's mountinfo, lx's. The
 * lx mounts standing for them are recorded at start-up; answers are
 * made to name those (mntview.c).
 */
#ifndef KBOX_MNTVIEW_H
#define KBOX_MNTVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/statfs.h>

struct lx_task;
struct kbox_req;
struct route;

/* Record the lx mount at guest path @path, as lx task @t sees it (kbox's
 * root task, which may cross kbox-bind traps); @host: the host directory
 * a kbox-bind trap stands for, else NULL. */
void kbox_mntview_record(struct lx_task *t, const char *path, const char *host);

/* statfs of the host directory the trap at guest path @gpath stands for:
 * 0, -errno, or -ENOENT if there is no such trap. */
int kbox_mntview_host_statfs(const char *gpath, struct statfs *sf);

/* Make a host statx of guest path @gpath name the guest's mount. */
void kbox_mntview_statx(const char *gpath, struct statx *sx);

/* Add the mount flags of the guest's mount at @gpath to a host statfs. */
void kbox_mntview_statfs(const char *gpath, struct statfs *sf);

/* The guest path of the caller's host fd @fd in @out: 0, or -1 if it has
 * none (a pipe, a socket). */
int kbox_mntview_fd_path(struct kbox_req *r, int fd, char *out, size_t len);

/* fstatfs of the caller's host fd @fd, CONTINUEd unless it is a host
 * object under a recorded mount (kbox_resp as the dispatcher's). */
struct kbox_resp kbox_mntview_fstatfs(struct kbox_req *r, int fd);

/* /proc/<pid>/fdinfo/<n> of a host fd (@rest, opened as @hostfd) with
 * the guest's mnt_id: a new fd, or -ENOENT to give the host's. */
int kbox_mntview_fdinfo_fd(const char *rest, int hostfd);

/* The guest path of a host route (a bind, a host /dev node, the host's
 * /proc), NULL if none: @buf or the request's own. */
const char *kbox_mntview_route_path(struct kbox_req *r, const struct route *rt,
                                    char *buf, size_t len);

#endif
