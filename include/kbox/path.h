/* SPDX-License-Identifier: MIT */
/*
 * Lexical path handling: normalisation with escape detection and routing
 * of guest paths to the kernel library, host binds or host devices.
 */
#ifndef KBOX_PATH_H
#define KBOX_PATH_H

#include <stdbool.h>
#include <stddef.h>

#define KBOX_PATH_MAX 4096

/*
 * Normalise @in lexically: collapse "//", drop ".", resolve ".." against
 * earlier components. Absolute paths never go above "/" (as the kernel
 * does for ".." at the root). For a relative path, a ".." that would
 * climb above the start is kept in the output and *escapes is set.
 * A trailing slash is kept (it matters: "file/" must fail ENOTDIR) when
 * @keep_trailing is true. Returns the output length, or -1 when the
 * result does not fit in @outlen.
 */
int kbox_path_normalize(const char *in, char *out, size_t outlen,
                        bool keep_trailing, bool *escapes);

/* Join @base (absolute) and @rel into @out, then normalise. */
int kbox_path_join(const char *base, const char *rel, char *out, size_t outlen);

/*
 * True when normalised absolute @path equals @prefix or lies beneath it
 * (component-wise: "/foo" is not beneath "/fo"). On true, *rest points at
 * the remainder ("" or "sub/dir", without a leading slash).
 */
bool kbox_path_beneath(const char *path, const char *prefix, const char **rest);

enum kbox_route {
    KBOX_ROUTE_LX = 0,  /* the kernel library */
    KBOX_ROUTE_BIND,    /* a host bind mount */
    KBOX_ROUTE_HOSTDEV, /* an allow-listed host /dev node */
    KBOX_ROUTE_HOSTPROC /* a guest process's entry in the host /proc */
};

struct kbox_bind;
struct kbox_route_result {
    enum kbox_route route;
    int bind_index;   /* KBOX_ROUTE_BIND: which bind */
    const char *rest; /* remainder beneath the bind/device ("" = itself) */
};

/*
 * Route a normalised absolute guest path. Binds are checked longest
 * guest_dst first. Host devices are only used when @hostdev is true
 * (the image has no devtmpfs of its own).
 */
struct kbox_route_result kbox_path_route(const char *path,
                                         const struct kbox_bind *binds,
                                         int nbinds, bool hostdev);

/*
 * If @path starts with "/proc/self/", "/proc/thread-self/" or
 * "/proc/<digits>/", return what follows that prefix and set *pid to the
 * number (0 for self and thread-self); otherwise return NULL.
 */
const char *kbox_path_proc_pid(const char *path, long *pid);

/*
 * Split /proc/<pid>/... between the two kernels. Entries that describe
 * the running process itself (arguments, memory, scheduling, threads)
 * exist only in the host's /proc; the kernel's /proc holds the guest's
 * kernel-side state (fds, cwd, root, mounts, credentials).
 *
 * @path is normalised and absolute; @tgid and @tid are the caller's host
 * ids, which "self" and "thread-self" stand for. Returns:
 *   KBOX_PROC_NONE   not such an entry: use @path as it is;
 *   KBOX_PROC_HOST   @out is the path relative to the host /proc
 *                    ("<pid>/maps"); *pid is the process named;
 *   KBOX_PROC_KERNEL @out is the path for the kernel's /proc: a thread's
 *                    kernel-side entry ("task/<tid>/fd") is its process's;
 *   -1               @out is too small.
 */
enum { KBOX_PROC_NONE = 0, KBOX_PROC_HOST, KBOX_PROC_KERNEL };
int kbox_path_proc_split(const char *path, long tgid, long tid, char *out,
                         size_t outlen, long *pid);

/*
 * A process's fd table in /proc: /proc/<pid|self|thread-self>/
 * [task/<tid>/]{fd,fdinfo}[/<n>], @path normalised and absolute. Its
 * numbers are the guest's, which only the host's /proc lists and only
 * kbox's fd map translates for lx. Returns KBOX_PROC_FD_NONE when @path
 * is not such an entry; otherwise KBOX_PROC_FD or KBOX_PROC_FDINFO, with
 * *pid the process (@tgid for self), *task the thread named (0: none)
 * and *n the fd number, -1 for the directory itself.
 */
enum { KBOX_PROC_FD_NONE = 0, KBOX_PROC_FD, KBOX_PROC_FDINFO };
int kbox_path_proc_fd(const char *path, long tgid, long tid, long *pid,
                      long *task, int *n);

/*
 * The machine the guest's processes run on, which only the host's /proc
 * and /sys describe: the CPUs (/proc/cpuinfo, /sys/devices/system/cpu,
 * which glibc's get_nprocs reads), their time (/proc/stat, uptime,
 * loadavg) and memory (/proc/meminfo, as sysinfo() gives it). lx's say
 * one CPU and lx's own RAM. Also the network the guest shares with the
 * host: /proc/net and /proc/sys/net. @path is normalised and absolute.
 * Returns what follows the host directory that serves it, "." for that
 * directory itself, with *where KBOX_MACHINE_PROC (host /proc) or
 * KBOX_MACHINE_CPU (host /sys/devices/system/cpu); NULL for any other path.
 */
enum { KBOX_MACHINE_PROC = 1, KBOX_MACHINE_CPU };
const char *kbox_path_machine(const char *path, int *where);

/*
 * Is @rest, a host /proc path "<pid>/<entry>..." or
 * "<pid>/task/<tid>/<entry>...", an entry Linux shows another process
 * only with ptrace's read access (environ, maps, fd/, exe, ...)?
 */
bool kbox_path_proc_private(const char *rest);

/* Host /dev nodes the guest may open when routed to the host. */
bool kbox_path_hostdev_allowed(const char *name);

/* The image directory above a bind's place, as guest path @norm (a
 * place in a bind plus "/@rest") names it: relative to directory @base
 * (1; "..", up to what they share) when one is given, else absolute (0);
 * -errno when @norm does not end in @rest. */
int kbox_path_place_parent(const char *norm, const char *rest, const char *base,
                           char *out, size_t len);

/*
 * A path walked name by name (src/path/walk.c), for callers that read
 * each name's link themselves (exec's command lookup, the retry of lx's
 * walk into a bind): kbox_walk_init on "@base/@path"; kbox_walk_next puts
 * the next name, joined to what is resolved so far, in @cand (1; 0 at
 * the end; -ENAMETOOLONG), "." and ".." taken by the text on the way;
 * then kbox_walk_step if @cand is no link, or kbox_walk_link with its
 * target (-ELOOP past 40 links, -ENAMETOOLONG).
 */
struct kbox_walk {
    char left[KBOX_PATH_MAX]; /* the path being walked */
    char cur[KBOX_PATH_MAX];  /* resolved so far, free of links: "" is / */
    char cand[KBOX_PATH_MAX]; /* @cur and the next name */
    size_t ncand;             /* strlen(@cand) */
    const char *end;          /* what follows that name, in @left */
    int links;
};
int kbox_walk_init(struct kbox_walk *w, const char *base, const char *path);
int kbox_walk_next(struct kbox_walk *w);
void kbox_walk_step(struct kbox_walk *w);
int kbox_walk_link(struct kbox_walk *w, const char *target);

#endif
