/* SPDX-License-Identifier: MIT */
/*
 * Path routing shared by the fs family's handlers (fs.c) and its
 * resolver (route.c): where a guest path lives - lx, a host bind, an
 * allow-listed /dev node, or the host's /proc - and how to reach it.
 */
#ifndef KBOX_DISPATCH_ROUTE_H
#define KBOX_DISPATCH_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "kbox/dispatch.h"
#include "kbox/path.h"

struct route {
    enum kbox_route kind;
    int hostdir; /* dir fd the host path is beneath */
    char rest[KBOX_PATH_MAX];
    /* KBOX_ROUTE_LX: a path that lexically left a bind ("/mnt/..") is
     * given to lx normalised, since lx does not see the bind. */
    bool use_norm;
    char norm[KBOX_PATH_MAX];
    int lxdir; /* KBOX_ROUTE_LX: the lx dirfd for the call */
    /* KBOX_ROUTE_HOSTPROC: @rest is a guest's "<pid>/fd/<n>", a magic link
     * kbox follows for the guest (the guest could follow it natively) */
    bool fdlink;
    /* ... whose process's, when @rest became kbox's own pinned
     * "self/fd/<k>" (kbox_fdlink_as_guest); else 0 */
    long fdlink_pid;
    /* KBOX_ROUTE_BIND: the path is a bind's mount point itself, a file
     * or a directory (it cannot be made, removed or renamed) */
    bool bound_file;
    /* @hostdir is a removed directory in bind (index + 1) @held_bind1,
     * not the bind's own dir fd (bindcwd.c); else 0 */
    int held_bind1;
};

/* Route guest path @path relative to guest dirfd @dirfd into @rt. */
int kbox_route_path(struct kbox_req *r, int dirfd, const char *path,
                    struct route *rt);
/* The path to give lx for an lx route (@path, or its normalised form). */
const char *kbox_route_lx_path(const struct route *rt, const char *path);
/* Open a host route beneath its bind source (RESOLVE_BENEATH). */
int kbox_route_open(const struct route *rt, int flags, int mode);
/*
 * Is kbox's @fd an object a guest process made on the host (a pipe,
 * socket, anonymous inode, memfd or pty slave), owned there by kbox's
 * user rather than by the guest?
 */
bool kbox_guest_made_object(int fd);

/*
 * Does an open with @flags take a mode (Linux's WILL_CREATE)? O_TMPFILE
 * includes O_DIRECTORY, so flags & (O_CREAT | O_TMPFILE) held for every
 * O_DIRECTORY open, and a bind's openat2 refused its mode (EINVAL).
 */
#define KBOX_WILL_CREATE(flags) \
    (((flags)&O_CREAT) || ((flags)&O_TMPFILE) == O_TMPFILE)
/* O_PATH fd of a host route's parent directory; its last name in @last. */
int kbox_route_parent(const struct route *rt, char *last, size_t lastlen);
/*
 * The mode to create a file in a bind with (kbox's own umask is 0): the
 * guest's umask applies, unless the parent directory (@dirfd, or -1 to
 * open it from @rt) has a default ACL, which then decides, as POSIX says.
 */
mode_t kbox_bind_create_mode(struct kbox_req *r, const struct route *rt,
                             int dirfd, mode_t mode);
/*
 * The guest path of @hfd, a directory or file beneath bind route @rt's
 * source, from where the host found it (symlinks and ".." resolved, as
 * getcwd reports them). 0, or -1 if it cannot be named so.
 */
int kbox_bind_guest_path(const struct route *rt, int hfd, char *out,
                         size_t len);
/*
 * Where host fd @fd lies beneath host directory fd @root, as a relative
 * path in @out ("" for @root itself): 0, or -1 if not beneath it.
 */
int kbox_fd_beneath(int root, int fd, char *out, size_t len);
/* The directory bind whose source host fd @fd lies beneath, or -1. */
int kbox_bind_of_fd(int fd);
struct open_how;
/*
 * openat2 of @path relative to host dir fd @dfd in a bind, with guest
 * flags @how that do not scope the walk, kept beneath the bind's
 * source (bindo2.c): a host fd, or -errno (EXDEV: it left the bind).
 */
int kbox_bind_openat2_unscoped(int dfd, const char *path,
                               const struct open_how *how);
/*
 * A scoped openat2 (RESOLVE_BENEATH, RESOLVE_IN_ROOT) relative to an lx
 * directory whose text leads into a bind by "..": @rt rerouted to lx,
 * which keeps the scope (bindo2.c); so when @rc, the routing's error,
 * came first. True if rerouted.
 */
bool kbox_openat2_scoped_to_lx(struct kbox_req *r, int dirfd, const char *path,
                               unsigned long long resolve, struct route *rt,
                               long rc);
int kbox_proc_dir_abs(struct kbox_req *r, int dirfd, const char *path,
                      char *out, size_t len);

/* An O_PATH host fd of the directory that bind guest path @text (a
 * directory bind's, beneath its source) names, or -1. */
int kbox_bind_text_dir(const char *text);
/*
 * The guest path of host directory fd @hfd beneath a directory bind (the
 * bind @hint first, if >= 0; its index in *@idx): 0, 1 if the directory
 * was removed (its last path), -1 if beneath no bind.
 */
int kbox_bind_held_name(int hfd, int hint, char *out, size_t len, int *idx);
/*
 * Route @path relative to removed bind directory @dfd (kbox's fd, not
 * taken; in bind @hint if >= 0): -errno; 0 with @rt on the directory
 * itself; 1 with @text the absolute guest path to route (".." led to a
 * live directory, or out of the bind's root).
 */
int kbox_bind_gone_route(struct kbox_req *r, int dfd, int hint,
                         const char *path, struct route *rt, char *text,
                         size_t len);

/*
 * @path relative to a removed directory in a bind: the guest's dir fd
 * @gfd. -errno; 0 with @rt on it; 1 with the
 * guest path to route in @raw and, normalised, in @norm.
 */
int kbox_bind_gone_path(struct kbox_req *r, int gfd, const char *path,
                        struct route *rt, char *norm, size_t nlen, char *raw,
                        size_t rlen);
/*
 * A relative @path from a cwd in a bind, the cwd taken once under its
 * lock: -errno; 0 with @rt on a removed directory; 1 with the guest path
 * in @raw and, normalised, in @norm; 2 when the cwd is not in a bind.
 */
int kbox_bind_cwd_route(struct kbox_req *r, const char *path, struct route *rt,
                        char *norm, size_t nlen, char *raw, size_t rlen);
/*
 * /proc/self/cwd (or thread-self's, the caller's pid's) followed, @follows
 * a last link, while the cwd is in a bind (lx's task has its own cwd):
 * as kbox_bind_cwd_route for the cwd and the rest; 2 if not such a path.
 */
int kbox_proc_cwd_in_bind(struct kbox_req *r, const char *path, bool follows,
                          struct route *rt, char *norm, size_t nlen, char *raw,
                          size_t rlen);
/* The bind dir fd a host route's @hostdir lies beneath (its mount). */
int kbox_route_mount(const struct route *rt);

/* An O_PATH open's host fd @hfd, reopened for the guest (an O_PATH fd
 * cannot be installed: fs.c's reopen_for_path); @hfd is closed. The new
 * fd, or -errno. */
int kbox_path_reopened(int hfd);

/*
 * bindwalk.c: which bind a path reaches once the guest has changed its
 * mount tree (mount, umount2, chroot: kbox_bind_tree_changed). The bind
 * the guest's walk of bind @idx's place reaches (@idx itself while the
 * tree is kbox's, or for a bind no trap marks), or -1: lx serves it.
 */
int kbox_bind_reached(struct kbox_req *r, int idx);
/* The bind whose trap the last name of absolute guest path @place
 * reaches in the caller's tree, or -1. */
int kbox_bind_at(struct kbox_req *r, const char *place);
void kbox_bind_tree_changed(bool chroot);
/*
 * A rename in lx put a directory at @path (from lx dir fd @dirfd): the
 * traps beneath it moved with it, as mounts do, so their places' text
 * no longer says where they are (mv /etc/sub /etc/sub2 with a bind at
 * /etc/sub/d: /etc/sub2/d was EXDEV, /etc/sub/d still the bind).
 */
void kbox_bind_renamed(struct kbox_req *r, int dirfd, const char *path);
/*
 * Text route @res of guest path @norm (a bind) made what the caller's
 * walk reaches: unchanged, another bind's (@norm rewritten to its
 * place), or KBOX_ROUTE_LX. @lxdir: the caller's lx directory fd the
 * path was relative to (its path text @dir), or AT_FDCWD; the walk then
 * starts there. 0, or -ENAMETOOLONG.
 */
int kbox_bind_rebase(struct kbox_req *r, int lxdir, const char *dir, char *norm,
                     size_t len, struct kbox_route_result *res);
/*
 * The path to retry once lx's walk reached bind @j's trap (a copy, say):
 * its place, then @rest beneath it and @end (malloc'd; NULL with *@err
 * on ENAMETOOLONG). The retry's route trusts that bind.
 */
char *kbox_bind_reached_path(struct kbox_req *r, int j, const char *rest,
                             const char *end, int *err);
/* Has the guest mounted, unmounted or chrooted yet? */
bool kbox_bind_tree_moved(void);

/* rename, link, symlink (rename.c) */
struct kbox_resp kbox_fs_path2(struct kbox_req *r);
/* times.c: utimensat; utimes, futimesat, utime */
struct kbox_resp kbox_fs_utimensat(struct kbox_req *r);
struct kbox_resp kbox_fs_utimes(struct kbox_req *r);

/* The router's pieces route.c decides with (what each returns is said
 * at its definition). routeproc.c: the guest path of a relative path
 * under a host directory fd the guest holds (in a bind). */
int kbox_route_host_dir(struct kbox_req *r, int dirfd, const char *path,
                        char *out, size_t outlen, char *raw, size_t rawlen);
/* /proc/<pid>/[task/<tid>/]fd[info][/<n>] of a guest process. */
int kbox_route_proc_fd(struct kbox_req *r, int which, long pid, long task,
                       int n, struct route *rt);
/* May the call change allow-listed host /dev node @rest? */
int kbox_route_hostdev_change(struct kbox_req *r, const char *rest);
/* A name relative to an lx directory of /proc, as its absolute path. */
bool kbox_route_proc_dir(struct kbox_req *r, int lxfd, const char *path,
                         char *out, size_t len);
/* "/proc/self/fd/N/rest" rewritten for the kernel that holds fd N. */
int kbox_route_fd_dir(struct kbox_req *r, char *norm, size_t len);
/* routebind.c: a path relative to an lx directory that enters a bind. */
bool kbox_route_into_bind(struct kbox_req *r, int lxfd, const char *path,
                          char *dir, char *norm, size_t len, char *raw,
                          size_t rawlen);
/* "." and ".." after bind @idx's mount point, resolved by the host. */
int kbox_route_bind_physical(struct kbox_req *r, int idx, const char *raw,
                             struct route *rt, const char *tail);

#endif
