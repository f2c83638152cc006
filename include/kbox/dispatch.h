/* SPDX-License-Identifier: MIT */
/*
 * The dispatch engine: one per-syscall disposition table shared by every
 * interception tier. A tier turns an intercepted syscall into a struct
 * kbox_req, calls kbox_dispatch(), and applies the struct kbox_resp.
 * Guest memory and fd injection go through the tier's ops so handlers do
 * not know which tier they serve.
 */
#ifndef KBOX_DISPATCH_H
#define KBOX_DISPATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "kbox/fdtable.h"

struct lx_task;
struct kbox_fdt;
struct kbox_req;
struct kbox_opts;

struct kbox_tier_ops {
    /* Copy guest memory; return 0 or -errno. */
    int (*read)(struct kbox_req *r, uint64_t addr, void *buf, size_t len);
    /* A syscall's result: EFAULT where the guest could not write. */
    int (*write)(struct kbox_req *r, uint64_t addr, const void *buf,
                 size_t len);
    /* kbox's own edit (exec preparation): read-only pages as well. */
    int (*poke)(struct kbox_req *r, uint64_t addr, const void *buf, size_t len);
    /* Copy a NUL-terminated string (at most len-1 chars); 0 or -errno
     * (-ENAMETOOLONG when no NUL within len). */
    int (*read_str)(struct kbox_req *r, uint64_t addr, char *buf, size_t len);
    /* Is the request still pending (the guest has not been interrupted)? */
    bool (*valid)(struct kbox_req *r);
    /* Install host fd @src in the guest: at @target (>= 0, replacing
     * what is there) or the lowest free number (-1). Returns the guest fd
     * or -errno. With @reply the tier may also complete the syscall with
     * the new fd as its result in the same step (saving the guest a
     * second wake-up); it then sets r->replied. */
    int (*addfd)(struct kbox_req *r, int src, int target, bool cloexec,
                 bool reply);
    /* Would the guest thread be interrupted natively now? KBOX_INTR_*:
     * NONE, RESTART/EINTR (a signal it would take: reply -ERESTARTSYS,
     * or -EINTR when another thread might take it), GONE. May be NULL. */
    int (*pending_signal)(struct kbox_req *r);
    /* Copy @n pieces of guest memory (@lens[i] bytes at @addrs[i], each
     * within one page) one after another into @buf in one step; 0 or
     * -errno. May be NULL (then read serves). */
    int (*read_many)(struct kbox_req *r, const uint64_t *addrs,
                     const size_t *lens, size_t n, void *buf);
    /* The handler is about to wait for another guest (a lock it holds):
     * let another worker receive now, not a sentinel tick later. May be
     * NULL. */
    void (*will_block)(struct kbox_req *r);
};

enum {
    KBOX_INTR_NONE = 0,
    KBOX_INTR_RESTART,
    KBOX_INTR_EINTR,
    KBOX_INTR_GONE,
    KBOX_INTR_EXEC, /* its thread dies in its process's exec */
};

/* What one fork/clone prepared for the child it makes (see proc.c). */
struct kbox_fork_prep {
    struct lx_task *task;
    struct kbox_fdt *fdt;
    pid_t by;      /* the forking thread */
    int nbefore;   /* its children when it asked; -1: not known */
    pid_t *before; /* those children, sorted */
    int idle;      /* sweeps that found no child of it alive */
    /* The parent's program and bind cwd when it forked (NULL: none):
     * the child's until it execs or chdirs, even if the parent changes
     * them or is gone before the child's first call. */
    char *exe;
    /* the bind cwd: the parent's own with CLONE_FS, else a copy (NULL:
     * none) */
    struct kbox_bcwd *cwd;
};

/* A guest process (thread group) and its kernel-side task context. */
struct kbox_proc {
    pid_t tgid;
    struct lx_task *task;
    struct kbox_fdt *fdt; /* guest fd -> lx fd */
    struct kbox_proc *next;
    /* Kernel tasks (and fd maps) prepared at fork/clone, oldest first,
     * each claimed by the child its fork made. */
    struct kbox_fork_prep pending[512];
    int npending;
    unsigned long long start_time; /* /proc/<pid>/stat field 22 */
    char exe[4096];                /* guest path of the running program */
    /* The cwd when it is inside a host bind (the lx task's cwd is left
     * where it was), shared with the processes its fs is shared with
     * (bindcwd.c; NULL: none yet). Only through kbox_bind_cwd_*. */
    struct kbox_bcwd *cwd;
    int pidfd;        /* host pidfd, in kbox_proc_exit_watch(); -1 */
    int refs;         /* requests in flight (under the proc lock) */
    bool dead;        /* exited: freed when refs drops to 0 */
    bool exited;      /* by exit_group, not killed (no core dump of its) */
    bool reaped_wait; /* found killed: kbox_exits_settle waits for its free */
    /* a call of it entered lx, or kbox_proc_number() ran: its task has
     * taken its host pid (or kept lx's, the number being in use) */
    bool numbered;
    /* The main process is exiting or gone (its entry stays until the
     * end); the children it forked are kbox's, unclaimed ones orphans. */
    bool main_gone;
    /* Its thread that last made a child sharing its memory (vfork,
     * posix_spawn): that child's exec changed memory which is put back at
     * this thread's next call (src/exec/exec.c). */
    pid_t vforker;
    /* bumped at every change of a thread's ids (kbox_thread_ids_changed) */
    unsigned long long ids_gen;
    /* CAP_FSETID of its main task as last looked (src/dispatch/
     * killpriv.c): bit 0 the answer, bit 1 set once looked, the rest
     * the ids_gen it was looked in */
    unsigned long long fsetid;
    /* The guest process that was its parent when it was first seen, and
     * that parent's start_time (0: none), for kbox_proc_parent */
    pid_t parent_tgid;
    unsigned long long parent_start;
    /* The process that cloned it with CLONE_PARENT (not its parent), or 0:
     * the one whose memory a CLONE_VM child shares */
    pid_t forker;
    /* lx tasks of its other threads (src/dispatch/thread.c), or NULL */
    struct kbox_thread_tasks *threads;
    /* A set-user/group-ID exec in flight (src/exec/exec.c): lx's handle
     * for its credentials, committed once /proc/<pid>/exe is the copy
     * (dev, ino) the exec ran, i.e. the host's exec succeeded. */
    long exec_creds;
    pid_t exec_creds_tid;
    /* What the exec trampoline it runs is to exec (src/exec/exec.c) */
    struct kbox_exec_again *exec_again;
    uint64_t exec_creds_dev, exec_creds_ino;
    bool exec_secure; /* that exec is a secure one (AT_SECURE) */
    /* An fexecve of a host file put kbox's copy at guest fd
     * exec_swap_gfd: the file (exec_swap_orig - 1, kbox's fd) goes back
     * at the next call while the copy (exec_swap_copy - 1) is still
     * there (src/exec/hostfile.c). */
    bool exec_swap;
    int exec_swap_gfd, exec_swap_orig, exec_swap_copy;
    /* The thread whose exec is ending the other threads' tasks, or 0:
     * their calls blocked in lx are ended (src/dispatch/inflight.c). */
    pid_t exec_tid;
    /* The thread whose exec has it (src/exec/exec.c exec_claim), from
     * before it reads or rewrites the path until it fails, or, once it
     * succeeded, until that thread is out of its execve. */
    pid_t exec_claim;
    /* The thread whose exit_group is under way, or 0: an exec claimed
     * after this is set is refused, and the exit_group waits for the
     * outcome of one claimed before (kbox_exec_exit_wait). */
    pid_t exiting;
};

struct kbox_gstat;

struct kbox_req {
    long nr;
    uint64_t args[6];
    pid_t pid; /* thread id in our pid namespace */
    uint64_t ip;
    uint64_t id;
    const struct kbox_tier_ops *ops;
    void *tier; /* tier private */
    struct kbox_proc *proc;
    /* The lx task the thread's calls run as: proc->task for the main
     * thread, one of its own (sharing files and fs) for each other one,
     * so a call blocked in one thread stalls no other. */
    struct lx_task *task;
    bool replied; /* the tier already completed the call (addfd reply) */
    /* kbox_exits_freed() as the call began: a FIFO open that found a dead
     * peer let go meanwhile waits for a new one (reaped.c) */
    unsigned long exits_freed;
    int interrupted; /* KBOX_INTR_*: its lx call was ended (inflight.c) */
    /* What a call ended for a signal the thread takes returns: 0 for
     * ERESTARTSYS (restarted after SA_RESTART handlers), or the errno a
     * handler sets (EINTR: never restarted; ERESTARTNOHAND: restarted
     * only when no handler runs), as the native call does. */
    int restart;
    /*
     * A path through a symlink that leaves a bind (engine.c): the guest
     * path a handler last routed into a bind (malloc'd) and that bind's
     * index + 1; the guest address of the last path read and how many
     * were read; a path to read at path_override_addr instead.
     */
    char *bind_path;
    int bind_idx1;
    /* A bind (index + 1) the guest's walk was found to reach by a path
     * the text routes elsewhere (kbox_lx_bind_path, after lx's EXDEV):
     * the rewritten path's route trusts it (bindwalk.c). */
    int bind_reached1;
    /* The path lx was last given (malloc'd, kept only while binds exist)
     * and the lx dir fd it is relative to: lx says EXDEV when its walk
     * reaches a bind (kernel/arch/lx/fs/bindtrap.c). */
    char *lx_walk;
    /* openat2's RESOLVE_* flags while it routes (a magic link it must
     * not follow is left to lx); 0 for every other call */
    unsigned long long o2_resolve;
    int lx_walk_dir;
    /* The thread runs with the guest's filesystem identity for its host
     * calls on binds (kbox_ids_for_host); put back by the engine. */
    bool host_ids;
    /* ... and its own effective capabilities {low, high} to put back,
     * when it took the guest's file capabilities */
    bool host_caps;
    unsigned int host_eff[2];
    /* kbox's fd (+ 1; 0: none) of the file a guest's fd magic link led
     * to, followed with the guest's identity (kbox_fdlink_as_guest);
     * closed by the engine */
    int fdlink_fd1;
    /* host fds + 1 of removed bind directories a route points at
     * (rt->hostdir; bindcwd.c), closed with the request */
    int held_fd1[2];
    uint64_t path_addr;
    int npaths;
    const char *path_override;
    uint64_t path_override_addr;
};

enum kbox_resp_kind {
    KBOX_RESP_RET = 0,  /* return val (>= 0) or -errno */
    KBOX_RESP_CONTINUE, /* let the host kernel run it */
    KBOX_RESP_SENT,     /* already completed by the tier with val */
};

struct kbox_resp {
    enum kbox_resp_kind kind;
    long val;
};

/* Global supervisor state the handlers need. */
struct kbox_sup {
    const struct kbox_opts *opts;
    int placeholder_fd; /* host object reserving guest numbers of lx fds */
    /* ... for FIFO write ends: pollable, always writable, never readable
     * (a socket whose peer kbox holds and never writes) */
    int placeholder_w_fd;
    int hostdev_dir;    /* O_PATH fd of the host /dev, or -1 */
    int hostproc_dir;   /* O_PATH fd of the host /proc, or -1 */
    int hostcpu_dir;    /* O_PATH fd of host /sys/devices/system/cpu, or -1 */
    bool host_pts;      /* lx's /dev/pts is a trap: walks go to the host's */
    int *bind_dirs;     /* O_PATH fds of bind sources */
    char exec_dir[256]; /* host dir with the exec alias symlinks */
    struct lx_task *holder; /* keeps image files in flight in SCM_RIGHTS */
    int verbose;
    /* kbox runs as the host's root and the guest starts as a user
     * (--change-id): its host processes lose the capabilities a user
     * lacks (kbox_seccomp_launch) */
    bool guest_user_start;
    /* a guest process may have changed its uids or capabilities in lx
     * (a set*uid, capset or set-ID exec was asked for): until then a
     * root-started guest holds CAP_FSETID everywhere (killpriv.c) */
    bool guest_creds_changed;
    /* the address-space and data limits kbox was started with: the
     * guest's (kbox takes the hard ones for itself; main.c
     * as_limit_setup) */
    bool guest_mem_lim_set[2];
    struct rlimit guest_mem_lim[2];
    /* ... and the stack limit, when kbox raised its own (main.c main) */
    bool guest_stack_set;
    struct rlimit guest_stack;
    /* the signal mask kbox was started with and whether SIGCHLD was
     * ignored: the guest's, as exec keeps them (main.c main) */
    sigset_t guest_sigmask;
    bool guest_sigchld_ign;
    /* every signal ignored at kbox's start (bit n-1: signal n), glibc's
     * own 32 and 33 included: kbox sets handlers for some */
    uint64_t guest_sig_ign;
    unsigned long unknown_count[512]; /* updated atomically */
    struct kbox_proc *procs;
    pid_t main_pid;
    /* fds past 2 kbox was started with, ascending: the guest inherits
     * them, as a program run by chroot or env does */
    int *inherited_fds;
    int ninherited_fds;
};

extern struct kbox_sup kbox_sup;

typedef struct kbox_resp (*kbox_handler)(struct kbox_req *r);

/* Run one request through the disposition table. */
struct kbox_resp kbox_dispatch(struct kbox_req *r);

/* Requests in flight (src/dispatch/inflight.c): the engine registers
 * each; the tier scans once per tick while any is in flight. */
void kbox_inflight_begin(struct kbox_req *r);
struct kbox_resp kbox_inflight_end(struct kbox_req *r, struct kbox_resp resp);
/* Around a host call a worker makes that may block for the guest (a FIFO
 * open, a socket message): a signal for the guest then ends it (EINTR). */
void kbox_inflight_host_wait(bool on);
void kbox_inflight_scan(void);
/* The serve loop saw guest processes exit (their pidfds fired). */
void kbox_inflight_exits(void);
/* End the lx calls of @p's threads other than @tid (its exec). */
void kbox_inflight_end_threads(struct kbox_proc *p, pid_t tid);
/*
 * @p exits by @tid's exit_group (p->exited set): end its other threads'
 * calls, waiting (bounded) until none is in a handler.
 */
void kbox_inflight_end_exiting(struct kbox_proc *p, pid_t tid);
/* End the calls in flight of processes found killed. */
void kbox_inflight_end_killed(void);
/* Wait (bounded) until no other request's handler uses lx task @task. */
void kbox_inflight_wait_task_idle(struct lx_task *task);
/* Set this worker's request's lx task where the scan sees it. */
void kbox_inflight_set_task(struct kbox_req *r, struct lx_task *task);
/* Is a request of thread @tid being served now (received, not replied)? */
bool kbox_inflight_has(pid_t tid);

/* At the end of the run: the SCM_RIGHTS holder task exits, after any
 * token release in progress (src/dispatch/net.c). */
void kbox_tokens_end(void);
/* In lx task @to, a new fd for the open file @from_fd of task @from
 * (close-on-exec in lx with @cloexec). */
long kbox_lx_getfd(struct lx_task *to, struct lx_task *from, int from_fd,
                   bool cloexec);

/* The calling task's umask, from lx: kbox applies it to the files it
 * creates for the guest on the host (binds) and for its sockets. */
mode_t kbox_guest_umask(struct kbox_req *r);

/* Shared mappings of image files (src/dispatch/shmap.c). */
bool kbox_shmap_any(void);
bool kbox_shmap_has(uint64_t dev, uint64_t ino);
/*
 * A host fd (read-write with @rdwr, else read-only; caller closes) of the
 * memfd shared by all mappings of the inode of lx fd @lxfd (stat @g),
 * made from the image when @create (else -ENOENT without one); the
 * request's process becomes one of its users.
 */
int kbox_shmap_map(struct kbox_req *r, int lxfd, const struct kbox_gstat *g,
                   bool create, bool rdwr);
/*
 * kbox_lx(r, nr, a0..a5) for a call that changes the bytes or size of the
 * file behind lx fd @lxfd (write, pwrite, fallocate, ...): bytes land at
 * @at, or at the file position when @at is -1. A file mapped shared gets
 * the change in its memfd too, under the map's lock.
 */
long kbox_lx_change(struct kbox_req *r, int lxfd, long long at, long nr,
                    long a0, long a1, long a2, long a3, long a4, long a5);
/*
 * A read of up to @n bytes at *@at (NULL: the file position, advanced) of
 * a file mapped shared and writable comes from the memfd: its stores are
 * the content. -ENOENT when the file has no such mapping.
 */
long kbox_shmap_pread(struct kbox_req *r, int lxfd, void *buf, size_t n,
                      const long long *at);
/* Stores into the file behind lx fd @lxfd reach the image now. */
void kbox_shmap_sync_fd(struct kbox_req *r, int lxfd);
/* Before a stat of image file (@dev, @ino) mapped writable: write its
 * stores back, so st_blocks counts the holes they filled (Linux allocates
 * or reserves the blocks at the store). true if it did: stat again. */
bool kbox_shmap_before_stat(uint64_t dev, uint64_t ino);
/* lx's fstat of @lxfd, after such a write-back. */
long kbox_shmap_fstat(struct kbox_req *r, int lxfd, struct kbox_gstat *g);
/* The file @dev/@ino took size @len outside kbox_lx_change (truncate by
 * path, O_TRUNC). */
void kbox_shmap_resize(uint64_t dev, uint64_t ino, long long len);
/*
 * Truncation by path (truncate, open's O_TRUNC) is done by lx outside
 * kbox_lx_change: a write-back in between (another process's msync or
 * exit) wrote the memfd's stores past lx's new end, and the file grew
 * back with the bytes the truncation had removed. The caller brackets
 * the lx call: kbox_shmap_hold() is true, holding the maps' lock, when
 * the file @path names (from @dirfd, fstatat's @atflags; its stat in
 * @g) is mapped shared; otherwise the call is counted (under *@gen) so
 * that a map made meanwhile waits for it. Either way
 * kbox_shmap_release(held, @g, @len, gen) follows, giving a map the
 * file's new size @len (-1: unchanged) when held; when not, the caller
 * resizes any map made meanwhile (kbox_shmap_resize) afterwards.
 */
bool kbox_shmap_hold(struct kbox_req *r, long dirfd, const char *path,
                     int atflags, struct kbox_gstat *g, unsigned long *gen);
void kbox_shmap_release(bool held, const struct kbox_gstat *g, long long len,
                        unsigned long gen);
void kbox_shmap_sync_proc(pid_t tgid);
/* An exec or a lease of (dev, ino) found it open for writing: when only
 * kbox's held fd makes it so (no guest maps the file any more), write the
 * stores back and drop the map; true then, and the caller may try again. */
bool kbox_shmap_let_go(uint64_t dev, uint64_t ino);
/* A name went (unlink, rename over it): drop the maps of files left with
 * none that nobody maps, so that their inodes go (inotify's
 * IN_DELETE_SELF) as natively, not at the mapper's exit. */
void kbox_shmap_unlinked(void);
/* Before @path (its last name, lx's view) goes: its map if nobody maps it,
 * so that its inode goes within the call, before its IN_DELETE. */
void kbox_shmap_unlinking(struct kbox_req *r, long dirfd, const char *path);
/* msync(MS_SYNC) of [addr, addr + len) in process @tgid. */
void kbox_shmap_msync(pid_t tgid, uint64_t addr, uint64_t len);
void kbox_shmap_inherit(pid_t parent, pid_t child);
void kbox_shmap_proc_gone(pid_t tgid);
void kbox_shmap_close_all(void);

/* Threads' lx tasks (src/dispatch/thread.c). */
/* The task thread @tid of @p makes its calls as (made at first use). */
struct lx_task *kbox_thread_task(struct kbox_proc *p, pid_t tid);
/* The guest thread of @p whose task has lx pid @lxtid, or 0. */
pid_t kbox_thread_guest_tid(struct kbox_proc *p, pid_t lxtid);
/* A thread is being made by a thread whose task is @from: have a task
 * ready for it (its first call may come while the others are blocked). */
void kbox_thread_spare(struct kbox_proc *p, struct lx_task *from);
/* The same for a thread cloned without CLONE_FS: a task with its own fs. */
void kbox_thread_private_fs(struct kbox_proc *p, struct lx_task *from);
/* A thread of @p changed its credentials: tasks made before are stale
 * for new threads. */
void kbox_thread_ids_changed(struct kbox_proc *p);
/*
 * Linux's permission rule of a call on another process (src/dispatch/
 * pidperm.c), checked by lx on guest process or zombie @pid with the
 * caller's guest credentials: 0, -EPERM, or -ESRCH when lx has no task
 * at @pid (a zombie not kept).
 */
enum kbox_pid_rule {
    KBOX_PERM_RLIMIT,      /* prlimit64 */
    KBOX_PERM_PTRACE_READ, /* get_robust_list */
    KBOX_PERM_OWNER,       /* sched_set*, sched_setaffinity, setpriority */
    KBOX_PERM_IOPRIO,      /* ioprio_set */
};
long kbox_pid_perm(struct kbox_req *r, pid_t pid, enum kbox_pid_rule rule);
/* Does the caller's lx task have capability @cap (effective)? */
bool kbox_lx_capable(struct kbox_req *r, int cap);
/* The caller's effective guest ids, from lx: 0, or -1 */
int kbox_lx_ids(struct kbox_req *r, unsigned int *euid, unsigned int *egid);
/* prctl on the credentials (keepcaps, securebits, bounding and ambient
 * capabilities, no_new_privs), answered by lx (src/dispatch/id.c) */
struct kbox_resp kbox_id_prctl(struct kbox_req *r);
/* End every thread task of @p (exec, exit): after it only p->task. */
void kbox_thread_drop_all(struct kbox_proc *p);
/* kbox_thread_drop_all and free the bookkeeping (the process is gone). */
void kbox_thread_free(struct kbox_proc *p);

/* Process bookkeeping (src/dispatch/proc.c). */
/* Find (or claim, for a new child) the process of thread @tid; takes a
 * reference, dropped with kbox_proc_put(). */
struct kbox_proc *kbox_proc_lookup(pid_t tid);
/* Milliseconds since @tid's process ended for kbox (its exit_group was
 * let go, the host may not have killed the thread yet), or -1. */
long kbox_proc_ended_ms(pid_t tid);
/* Is @tgid a guest process we know (never creates an entry)? */
bool kbox_proc_known(pid_t tgid);
/* Thread group and parent of host thread @tid (/proc); 0 or -1. */
int kbox_proc_status(pid_t tid, pid_t *tgid, pid_t *ppid);
/* The same, from kbox's table when it knows both (no /proc read) */
int kbox_proc_parent(pid_t tid, pid_t *tgid, pid_t *ppid);
/* The CLONE_PARENT forker of @tid's process (struct kbox_proc), or 0. */
pid_t kbox_proc_forker(pid_t tid);
void kbox_proc_put(struct kbox_proc *p);
/* Mark exited; the task ends when the last reference goes. */
void kbox_proc_exit(struct kbox_proc *p);
/*
 * @p calls exit_group: its children that have made no call yet (one that
 * stopped at once) become guest processes kbox knows while they are still
 * its children, so that kbox_orphan_check sees them once orphaned.
 */
void kbox_proc_exiting(struct kbox_proc *p);
/* close_range(CLOSE_RANGE_UNSHARE)'s unshare of the fd table: 0, -errno. */
int kbox_proc_unshare_files(struct kbox_req *r);
/* The main process @tgid exits (its entry stays): children it forked that
 * have made no call yet become kbox's, and claim their tasks as orphans. */
void kbox_proc_main_exits(pid_t tgid);
/* At the end: drop the tasks prepared for children that never came. */
void kbox_proc_release_orphans(void);
struct kbox_proc *kbox_proc_add(pid_t tgid, struct lx_task *task);
void kbox_proc_remove(struct kbox_proc *p);
/* Drop processes that died without exit_group (killed) or whose pid was
 * reused: their kernel tasks end, releasing files and locks. True while
 * another sweep is due (a fork's preparation waits for its child, a
 * process has no pidfd in the exit watch): the serve loop's timer. */
bool kbox_proc_sweep(void);
/*
 * Guest zombies (src/dispatch/zombie.c). kbox_zombie_keep() ends
 * process @tgid's lx task @task, kept a zombie in lx (its /proc/<pid>
 * and listing entry) while the host has not reaped the process (@pidfd,
 * or -1); true if it was kept. kbox_zombie_held(): is @tgid such a
 * zombie now (one the host reaped is reaped in lx here)?
 * kbox_zombie_sweep() reaps those the host reaped, returns how many are
 * left; kbox_zombie_release_all() reaps every one (at the end).
 */
bool kbox_zombie_keep(pid_t tgid, int pidfd, struct lx_task *task);
/* @tgid's entry is dropped (@pidfd stays open until its keep): until
 * then kbox_zombie_held() takes it for held while the host has it. */
void kbox_zombie_expect(pid_t tgid, int pidfd);
bool kbox_zombie_held(pid_t tgid);
int kbox_zombie_sweep(void);
void kbox_zombie_release_all(void);
/* An epoll fd that is readable when a guest process has ended (its
 * pidfd fired): then kbox_proc_sweep(). -1 if there is none. */
int kbox_proc_exit_watch(void);
/*
 * A killed, reaped process holds nothing (src/dispatch/reaped.c):
 * kbox_exits_matter() says whether call @nr must look first (its result
 * would show what a dead process held), kbox_exits_retry() whether its
 * failure @ret may be a dead holder's; kbox_exits_settle() sweeps if the
 * exit watch has fired, true if it did (then run the call again; @r's
 * tier may let another worker lead while it waits, or NULL). The
 * serve loop takes kbox_exits_settled_take() as an exit it saw itself.
 */
bool kbox_exits_matter(long nr, const uint64_t *args);
bool kbox_exits_retry(long nr, const uint64_t *args, long ret);
bool kbox_exits_settle(struct kbox_req *r);
/*
 * A FIFO end lx just opened (@lxfd, @oflags not O_RDWR) may have paired
 * with a killed process's end: if processes died they are let go, and a
 * blocking open left without a peer waits for one. The lx fd to install,
 * or -errno. kbox_exits_kick_due(): a settle here wants the serve loop
 * kicked.
 */
int kbox_exits_fifo(struct kbox_req *r, int lxfd, int oflags);
bool kbox_exits_kick_due(void);
/* The serve loop's look at the exit watch: sweep if it fired; true when
 * another sweep is due. */
bool kbox_exits_take(void);
bool kbox_exits_settled_take(void);
/* How many killed processes found have been let go so far. */
unsigned long kbox_exits_freed(void);
/* Killed processes found (under the proc lock, @p->reaped_wait set; @p
 * returned) whose entries are not freed yet (kbox_release_end at the
 * free). */
struct kbox_proc *kbox_release_begin(struct kbox_proc *p);
void kbox_release_end(struct kbox_proc *p);
/* An epoll fd that is readable when a guest process whose entry went at
 * its exit_group has ended: then kbox_proc_lingering_ended(). -1 if
 * there is none. */
int kbox_proc_linger_watch(void);
/* Take those events (their pidfds are closed). */
void kbox_proc_lingering_ended(void);
/*
 * The guest path of the program a guest process runs, when @path names
 * its /proc/<pid>/exe (self, thread-self or a guest pid): 0 and @out set,
 * or -ENOENT.
 */
int kbox_proc_exe_link(const struct kbox_req *r, const char *path, char *out,
                       size_t outlen);
/*
 * May the caller of @r read the private /proc entries (environ, maps, fd/,
 * exe) of guest process or thread @pid, as Linux's ptrace read check in
 * the guest's identities says? kbox opens the host's entries with its own
 * rights, which every guest process's are. 0 or -EACCES.
 */
int kbox_proc_may_read(const struct kbox_req *r, pid_t pid);
/*
 * For a host /proc entry @rest ("<pid>/status", "<pid>/task/<tid>/status")
 * opened as @hostfd: when it is a status file, a sealed memfd with the
 * guest's view of it (kbox_abi_status_merge); otherwise -ENOENT. Other
 * errors are -errno.
 */
int kbox_proc_status_fd(struct kbox_req *r, const char *rest, int hostfd);
/*
 * The lx fd behind guest fd @gfd of guest process @pid (its tgid or one
 * of its threads' ids; *tgid is set to the tgid): >= 0, -1 for a host
 * object or a free number, -ESRCH when @pid is no guest process.
 */
int kbox_proc_peer_lxfd(pid_t pid, int gfd, pid_t *tgid);
/* True when @tgid is a live guest process kbox serves. */
bool kbox_proc_is_guest(pid_t tgid);
/* Give guest process @tgid's kernel task its host pid now, if no call
 * of it has reached the kernel since it was claimed. */
void kbox_proc_number(pid_t tgid);
/* The same for every guest process (a listing of /proc). */
void kbox_proc_number_all(void);
/*
 * The real and saved uids (in the guest's terms) guest process @tgid had
 * when kbox dropped it (exit_group, killed), while its pid is not reused:
 * a zombie's, which kill() checks. 0, or -ESRCH when unknown.
 */
int kbox_proc_ended_ids(pid_t tgid, unsigned int *uid, unsigned int *suid);
/* The live guest processes' tgids, in a malloc'ed *@out (free it): how
 * many, or -ENOMEM. (Group kills stopped at 256 processes.) */
int kbox_proc_list(pid_t **out);
/* The same without a sweep first: those in kbox's table now. */
int kbox_proc_list_known(pid_t **out);
/*
 * The guest process whose lx task has lx's pid @lxpid while that is not
 * its host pid yet (renumbered at its next call; a child that has made
 * none is its parent's preparation until a sweep claims it): 0 if none.
 */
pid_t kbox_proc_of_lx_pid(pid_t lxpid);
/* The same for the guest processes in process group @pgid. */
int kbox_proc_in_group(pid_t pgid, pid_t **out);
/*
 * Guest processes exited (@main_alive: not the main process): a guest
 * process group that they left orphaned, as Linux would see it, with a
 * stopped member gets SIGHUP and SIGCONT (src/dispatch/orphan.c). From
 * the serve loop's thread only.
 */
void kbox_orphan_check(bool main_alive);
/* Every live guest process is stopped (and there is one). */
bool kbox_orphan_all_stopped(void);
/* A set-ID exec of this process succeeded: its credentials now (exec.c);
 * a failed one's are dropped. Cheap when none is pending. */
void kbox_exec_settle(struct kbox_req *r);
/* Memory a vfork child's exec changed is put back at the next call of
 * the parent's thread @tid that made the child (src/exec/exec.c). */
void kbox_exec_restore_before(pid_t tid);
/*
 * A write lx failed with @err (-EPIPE, -EFBIG): have the guest make it
 * again on the host against a file that fails it alike, so the SIGPIPE or
 * SIGXFSZ comes from the writer (SI_USER) as natively. True: answer the
 * call with CONTINUE. kbox_selfsig_settle, at each call, puts back the
 * thread's fd (src/dispatch/selfsig.c).
 */
bool kbox_selfsig(struct kbox_req *r, long err);
void kbox_selfsig_settle(struct kbox_req *r);
void kbox_selfsig_forget(pid_t tgid);
/* Forget a pending set-ID exec of @p (it is going away). */
void kbox_exec_forget(struct kbox_proc *p);
/* An fexecve of a host file swapped kbox's copy in at its fd: the file
 * goes back if the copy is still there (src/exec/hostfile.c); forget. */
void kbox_exec_swap_settle(struct kbox_req *r);
void kbox_exec_swap_forget(struct kbox_proc *p);
/* Calls naming another process: targets must be guests (target.c). */
kbox_handler kbox_target_handler(long nr);

/* Helpers shared by handler families. */
static inline struct kbox_resp kbox_ret(long v)
{
    struct kbox_resp r = { KBOX_RESP_RET, v };
    return r;
}
static inline struct kbox_resp kbox_continue(void)
{
    struct kbox_resp r = { KBOX_RESP_CONTINUE, 0 };
    return r;
}

/* Issue an lx syscall as the request's process. */
long kbox_lx(struct kbox_req *r, long nr, long a0, long a1, long a2, long a3,
             long a4, long a5);
/* Is guest fd @fd a kernel-library file in this process? */
bool kbox_fd_is_lx(struct kbox_req *r, int fd);
/* No free guest fd number below RLIMIT_NOFILE (an open is EMFILE). */
bool kbox_fd_table_full(struct kbox_req *r);
/* The lx fd behind guest fd @fd, or -1 for host objects. */
int kbox_lxfd(struct kbox_req *r, int fd);
/*
 * kbox_lxfd for a call that uses the lx fd over several lx calls or a
 * wait: held (kbox_fdt_hold) in table *@t until kbox_lxfd_release, which
 * closes it in lx if the guest closed its number meanwhile. -ENOMEM:
 * could not be held.
 */
int kbox_lxfd_hold(struct kbox_req *r, int gfd, struct kbox_fdt **t);
void kbox_lxfd_release(struct kbox_req *r, struct kbox_fdt *t, int lxfd);
/* After lx_task_fork of a process with table @parent (no CLONE_FILES),
 * or an lx unshare of CLONE_FILES by @child, a process sharing @parent:
 * close in the new lx table the held files whose numbers were closed
 * (they stay open in @parent for the call using them only). */
void kbox_fd_fork_drop_held(struct kbox_fdt *parent, struct lx_task *child);
/*
 * Give lx fd @lxfd to the guest: reserve a guest number with a host
 * placeholder (lowest free, or @target; a file with a readiness mirror
 * gets the mirror's pipe) and map it to @lxfd.
 * Returns the guest fd or -errno (the lx fd is closed on error).
 */
long kbox_fd_install(struct kbox_req *r, int lxfd, int target, bool cloexec);
/* kbox_fd_install as the handler's final step: the tier may answer the
 * syscall with the new fd in the same step. */
struct kbox_resp kbox_fd_install_reply(struct kbox_req *r, int lxfd, int target,
                                       bool cloexec);
/* An lx file just opened with @oflags, as the syscall's result. */
struct kbox_resp kbox_fd_open_reply(struct kbox_req *r, int lxfd, int oflags);
/*
 * kbox_fd_install_reply with host fd @src (of kind @host: a content memfd
 * or a readiness mirror) at the guest number instead of the placeholder.
 * The caller keeps @src.
 */
struct kbox_resp kbox_fd_install_host_reply(struct kbox_req *r, int lxfd,
                                            int src, enum kbox_fdt_host host,
                                            int target, bool cloexec);
/* Hand host fd @src to the guest as the syscall's result (lowest free). */
struct kbox_resp kbox_fd_give_reply(struct kbox_req *r, int src, bool cloexec);

/* Handler tables by family (each returns true if it handles nr). */
kbox_handler kbox_fs_handler(long nr);
kbox_handler kbox_fd_handler(long nr);
/* ioctl on any guest fd; fcntl commands on lx fd @fd fd.c leaves
 * (fdioctl.c) */
struct kbox_resp kbox_fd_ioctl(struct kbox_req *r);
long kbox_fd_fcntl_lx(struct kbox_req *r, int fd, int cmd);
/* mmap and msync of lx files (mmap.c) */
struct kbox_resp kbox_mm_mmap(struct kbox_req *r);
struct kbox_resp kbox_mm_msync(struct kbox_req *r);
kbox_handler kbox_id_handler(long nr);
kbox_handler kbox_proc_handler(long nr);
/* clone, fork and vfork with @flags (clone3's from memory: clone3.c):
 * the child's lx task and fd map, ready for its first call */
struct kbox_resp kbox_proc_fork(struct kbox_req *r, uint64_t flags);
struct kbox_resp kbox_proc_clone3(struct kbox_req *r);
kbox_handler kbox_sys_handler(long nr);
/* ustat, sysfs (fsinfo.c) */
kbox_handler kbox_fsinfo_handler(long nr);
/* name_to_handle_at, open_by_handle_at (fhandle.c) */
kbox_handler kbox_fhandle_handler(long nr);
/* adjtimex, clock_adjtime: reads answered, changes refused (clockadj.c) */
kbox_handler kbox_clockadj_handler(long nr);
kbox_handler kbox_net_handler(long nr);
/* accept, accept4, recvfrom asking for the address (sockrecv.c) */
kbox_handler kbox_sockrecv_handler(long nr);
/* Is guest fd @fd a unix socket (sockrecv.c)? */
bool kbox_sock_is_unix(struct kbox_req *r, int fd);
/* A socket call on @s ended -EINTR (@rc) while a timeout @opt is set:
 * never restarted (sockrecv.c). */
void kbox_sock_timeo_intr(struct kbox_req *r, int s, long rc, int opt);
/* A receive on kbox's copy @s about to wait lets another worker lead. */
void kbox_sock_wait_ahead(struct kbox_req *r, int s, int flags);
/* Linux's argument checks that come before the fd, path or target a
 * handler looks at first: 0 or the call's -errno (argcheck.c) */
long kbox_argcheck(struct kbox_req *r);
kbox_handler kbox_xattr_handler(long nr);
kbox_handler kbox_watch_handler(long nr);
kbox_handler kbox_ipc_handler(long nr);
/* Queue an mq_notify signal lx sent to process @tgid (ipc.c). */
void kbox_mq_deliver_one(pid_t tgid, int signo, long value, pid_t spid,
                         uid_t suid);
/* Signals lx sends for the guest (src/dispatch/sigfwd.c): start the
 * thread that sends them on, take those queued now, and the fcntl and
 * ioctl calls on lx fd @fd that may ask for them. */
void kbox_sigfwd_arm(void);
void kbox_sigfwd_collect(void);
long kbox_sigfwd_fcntl(struct kbox_req *r, int fd, int cmd);
long kbox_sigfwd_ioctl(struct kbox_req *r, int fd, unsigned long req);
/* Detach kbox from the System V segments it keeps alive (src/dispatch/ipc.c).
 */
void kbox_ipc_release(void);
/* When lx fd @lxfd is lx's /proc/sysvipc/shm: a sealed memfd of it with
 * the host segments' sizes, attaches and times; else -ENOENT. */
int kbox_ipc_proc_shm_fd(struct kbox_req *r, int lxfd);
/* lx fd @lxfd of /proc/locks: a memfd of lx's list and the host's locks
 * of guest processes (src/dispatch/proclocks.c); -ENOENT for others. */
int kbox_proc_locks_fd(struct kbox_req *r, int lxfd);

/* Readiness mirrors of pollable lx files (src/dispatch/watch.c). */
/* Give lx fd @lxfd (closed on error) to the guest with a mirror; with
 * @writable the guest's host fd also polls writable (an O_RDWR FIFO). */
struct kbox_resp kbox_mirror_install_reply(struct kbox_req *r, int lxfd,
                                           bool cloexec, bool writable);
/* The same for a FIFO's write end: its host fd polls writable while the
 * FIFO has room and POLLERR while it has no reader. */
struct kbox_resp kbox_mirror_install_wend_reply(struct kbox_req *r, int lxfd,
                                                bool cloexec);
/* The mirror's host read end (kbox's fd, do not close), or -1. */
int kbox_mirror_rfd(struct kbox_req *r, int lxfd);
/* The host fd a guest number of mirrored lx fd @lxfd holds (kbox's fd,
 * do not close): the mirror's read end, or for an inotify instance the
 * epoll set in front of it; -1 when it has no mirror. */
int kbox_mirror_guest_fd(struct kbox_req *r, int lxfd);
/* After a read from or a write to lx fd @lxfd: bring the mirror (and
 * those of the same FIFO) up to date. */
void kbox_mirror_sync(struct kbox_req *r, int lxfd);
/* Drop mirrors of files no guest holds any more (cheap when none). */
void kbox_mirror_gc(void);
/* read() of inotify instance @lxfd when it has watches on host paths:
 * true and *out set; false when it is lx's alone. */
bool kbox_watch_read(struct kbox_req *r, int lxfd, struct kbox_resp *out);
/* The same into kbox's @buf (readv): true and *got (count or -errno). */
bool kbox_watch_read_buf(struct kbox_req *r, int lxfd, char *buf, size_t cnt,
                         long *got);

/* FIONREAD of the host instance paired with inotify instance @lxfd
 * (its watches on binds), 0 when it has none. */
int kbox_watch_host_pending(struct kbox_req *r, int lxfd);

/* sendfile, splice, tee, copy_file_range with an lx file (copy.c). */
struct kbox_resp kbox_copy_handle(struct kbox_req *r);

/* Socket helpers (src/dispatch/sys.c) shared with src/dispatch/net.c. */
int kbox_is_unix_path(struct kbox_req *r, uint64_t addr, long len);
int kbox_guest_sock(struct kbox_req *r, int fd);
/* @err of a socket call kbox failed before it met the fd: EBADF or
 * ENOTSOCK instead when the guest's @fd is no socket (Linux's order) */
long kbox_sock_fd_first(struct kbox_req *r, int fd, long err);
/* Bind guest netlink socket copy @s, if unbound, to the guest's port id
 * (its pid), as the kernel's autobind from the guest would (sys.c). */
void kbox_netlink_autobind(struct kbox_req *r, int s);
/* A connect or bind kbox made on @sock (a copy of the caller's socket):
 * SO_PEERCRED of its peer gives the caller's guest ids (peercred.c). */
void kbox_peer_note(struct kbox_req *r, int sock);
/* Around a unix socket call kbox makes on guest socket copy @s: under
 * kbox run by root the thread has the guest's ids, so a host peer sees
 * the guest's user, not root (peercred.c). */
struct kbox_sock_ids {
    bool on;
    long secbits, fsuid, fsgid;
    uid_t uid;
    gid_t gid;
};
void kbox_sock_ids_as_guest(struct kbox_req *r, int s,
                            struct kbox_sock_ids *save);
void kbox_sock_ids_restore(struct kbox_sock_ids *save);
/* Host pty slaves in guest ids (ptyown.c): a file kbox opened for the
 * caller (@ptmx: if a pty master, its slave is the caller's), the ids stat
 * reports for a node of @mode and @rdev, and a chown of the slave at @hfd
 * (-ENOSYS: not one) */
void kbox_pty_opened(struct kbox_req *r, int ptmx);
void kbox_pty_owner(unsigned int mode, dev_t rdev, uint32_t *uid,
                    uint32_t *gid);
long kbox_pty_chown(struct kbox_req *r, int hfd, uid_t uid, gid_t gid);
/* May the guest open (@flags) or chmod (@flags -1) the host's /dev/pts
 * node kbox holds as @hfd? 0 or -errno, in guest ids (ptyown.c) */
long kbox_pty_may(struct kbox_req *r, int hfd, int flags);
/* An open of a terminal set exclusive (TIOCEXCL) that kbox made as @hfd:
 * 0, or -EBUSY when the guest lacks CAP_SYS_ADMIN (ptyown.c) */
long kbox_tty_excl(struct kbox_req *r, int hfd);
/* getsockopt(SO_PEERCRED) in guest terms (peercred.c) */
struct kbox_resp kbox_peercred(struct kbox_req *r);
/* SCM_CREDENTIALS in guest terms (peercred.c): the caller's own (pid and
 * real ids), Linux's check of ones it sends (0 or -errno), what kbox sent
 * for a guest on @sock, and a received one on socket inode @ino. */
struct ucred;
int kbox_scm_own(struct kbox_req *r, struct ucred *uc);
int kbox_scm_check(struct kbox_req *r, const struct ucred *uc);
void kbox_scm_sent(int sock, const struct ucred *uc);
void kbox_scm_guest(unsigned long ino, struct ucred *uc);
/* A guest process is gone: what it sent still carries its ids. */
void kbox_scm_gone(pid_t tgid, struct lx_task *t);
/* A guest process killed: the core files the host wrote for it in kbox's
 * private directory go to its cwd in the guest, @bind_cwd when that is in
 * a bind ("" if not; core.c). */
void kbox_core_collect(pid_t tgid, struct lx_task *t, const char *bind_cwd);
/*
 * A process's cwd in a bind, held as the directory itself (bindcwd.c);
 * @t the calling thread's lx task (a thread with an fs of its own has
 * its own cwd; NULL or the process's task: the process's). on: it is in
 * a bind. get: its guest path, refreshed from where the directory is
 * now, in @out, and with @fd1 a copy of the held fd + 1 (0: none) when
 * @want is KBOX_CWD_FD, or KBOX_CWD_FD_GONE and it is removed; -1 if
 * the cwd is not in a bind, 1 if it was removed, 2 if the host moved it
 * out of every bind's source, else 0. set: @hfd (an O_PATH host fd,
 * taken; -1 for none) and @text become the cwd (0 or -ENOMEM). clear:
 * none (the cwd is in lx). fork: the child's (@share: CLONE_FS, the
 * same one) in @out, to adopt (as the process's) or put. unshare: its
 * own copy, as unshare(CLONE_FS). task_own: thread task @t gets a copy
 * of @from's (cloned without CLONE_FS, or its unshare(CLONE_FS) while
 * other threads run); task_gone: @t is ended; exec: @t's becomes the
 * process's.
 */
enum { KBOX_CWD_FD_GONE = 1, KBOX_CWD_FD = 2 };
struct kbox_bcwd;
bool kbox_bind_cwd_on(struct kbox_proc *p, struct lx_task *t);
int kbox_bind_cwd_get(struct kbox_proc *p, struct lx_task *t, char *out,
                      size_t len, int *fd1, int want);
int kbox_bind_cwd_set(struct kbox_proc *p, struct lx_task *t, int hfd,
                      const char *text);
void kbox_bind_cwd_clear(struct kbox_proc *p, struct lx_task *t);
int kbox_bind_cwd_fork(struct kbox_proc *p, struct lx_task *t, bool share,
                       struct kbox_bcwd **out);
void kbox_bind_cwd_put(struct kbox_bcwd *c);
void kbox_bind_cwd_adopt(struct kbox_proc *p, struct kbox_bcwd *c);
int kbox_bind_cwd_unshare(struct kbox_proc *p, struct lx_task *t);
int kbox_bind_cwd_task_own(struct kbox_proc *p, struct lx_task *from,
                           struct lx_task *t);
void kbox_bind_cwd_task_gone(struct lx_task *t);
void kbox_bind_cwd_exec(struct kbox_proc *p, struct lx_task *t);
/*
 * The cwd in a bind as getcwd (@getcwd: its length counts the NUL) or a
 * readlink of /proc/<pid>/cwd answers, in @out: its length, -ENOENT
 * (getcwd of a removed one), -ERANGE, or -ENOSYS when the cwd is in lx.
 */
long kbox_bind_cwd_text(struct kbox_proc *p, struct lx_task *t, char *out,
                        size_t len, bool getcwd);
/* close the request's held fds (kbox_bind_gone_route) */
void kbox_bind_held_release(struct kbox_req *r);
struct sockaddr_un;
int kbox_host_sock_path(struct kbox_req *r, const char *gpath,
                        struct sockaddr_un *out);
/* A send on guest socket @fd refuses (stream) or ignores (seqpacket) any
 * address: the path must not be looked up (sys.c). */
bool kbox_sock_addr_unused(struct kbox_req *r, int fd);
/* The inode of the peer of unix socket inode @ino, 0 if none or unknown
 * (sock_diag; peercred.c). */
unsigned long kbox_unix_peer_ino(unsigned long ino);
/* A unix socket path in a bind: 1 with the host address *@hs (through
 * the bind's directory fd *@hfd, to close; for a bind, 2: *@hs is the
 * last name, to bind from *@hfd as cwd), 0 when it is lx's (*@lxp the
 * path to give lx: a link out of a bind followed), or the error (sys.c). */
int kbox_bind_sock_addr(struct kbox_req *r, const char *path, bool bind,
                        struct sockaddr_un *hs, int *hfd, char *lxp,
                        size_t lxl);
/* Bind guest socket copy @s to @base in bind directory @dir under its
 * absolute host path (*@out), kept beneath @dir by Landlock: 0, or 1
 * when that cannot be done (no Landlock, too long, or the path no
 * longer leads there) and the caller binds through @dir (sockbind.c). */
int kbox_bind_sock_host_path(int s, int dir, const char *base,
                             struct sockaddr_un *out);
/* Bind guest socket copy @s to relative name @sa from directory fd @dir
 * as cwd (a name too long otherwise): 0 or -errno (sockbind.c). */
int kbox_bind_sock_at(int s, int dir, const struct sockaddr_un *sa);
/* The lookup of a unix path for a connect or send (@data, @len, @flags)
 * on guest socket @fd failed with @err: the guest's error, in Linux's
 * order of checks (sys.c). */
long kbox_unix_lookup_failed(struct kbox_req *r, int fd, long err,
                             const void *data, size_t len, int flags);
/*
 * Before an unlink or a rename over lx path @path (relative to lx dirfd
 * @dirfd): true when it is the last name of a socket node a guest bound
 * in this run, *g its identity; then kbox_sock_node_gone(g) once the
 * call succeeded removes the host socket's name (sys.c).
 */
struct kbox_gstat;
bool kbox_sock_node_last(struct kbox_req *r, long dirfd, const char *path,
                         struct kbox_gstat *g);
void kbox_sock_node_gone(const struct kbox_gstat *g);
int kbox_read_sun_path(struct kbox_req *r, uint64_t addr, long len, char *path,
                       size_t plen);

/*
 * Resolve a guest path like the fs family does: for host routes (binds,
 * host /dev nodes) open it on the host with @host_flags and set *hostfd;
 * otherwise set *hostfd = -1 and give the lx dirfd and path to use.
 * Returns 0 or -errno.
 */
int kbox_fs_resolve(struct kbox_req *r, int dirfd, const char *path,
                    int host_flags, int *hostfd, int *lxdir, char *lxpath,
                    size_t lxlen);

/*
 * The guest path @norm (routed into bind @idx) takes when its first
 * symlink inside the bind is replaced by the link's target (malloc'd), or
 * NULL without one. The host resolves bind paths beneath the bind and
 * says EXDEV for a link that leaves it; Linux follows it in the guest's
 * tree, so the engine retries with this path.
 */
char *kbox_bind_symlink_path(int idx, const char *norm);

/*
 * The guest path r->lx_walk names once resolved in the guest's tree up
 * to the first bind it reaches (malloc'd), for the engine's retry when
 * lx's walk ended at a bind with EXDEV. NULL, with *err set when the
 * walk fails (ELOOP, ENOENT, ...) or 0 when no bind is reached.
 */
char *kbox_lx_bind_path(struct kbox_req *r, int *err);

/*
 * Give the calling thread the guest's filesystem identity (fsuid, fsgid,
 * groups, file capabilities) for host calls on a bind, when kbox is the
 * host's root and the guest is not root with all of them; kbox_ids_restore()
 * (called by the engine after every handler) gives kbox's back.
 */
void kbox_ids_for_host(struct kbox_req *r);
void kbox_ids_restore(struct kbox_req *r);
/* The same for access(): the guest's real ids and a real root's
 * capabilities; true when the thread has the guest's identity (check
 * with AT_EACCESS then). */
bool kbox_ids_for_access(struct kbox_req *r);
/* A guest's host fd magic link, @rest ("<pid>/fd/<n>" under the host
 * /proc), to follow with the guest's rights: may become "self/fd/<k>" and
 * take the guest's identity (route.c). */
void kbox_fdlink_as_guest(struct kbox_req *r, char *rest, size_t len);
/* For a change through a guest's host fd @gfd: kbox's own copy of it,
 * the thread already with the guest's identity (close it after); or
 * -ENOSYS when the call may simply run in the guest (CONTINUE). */
int kbox_host_fd_as_guest(struct kbox_req *r, int gfd);
/* Under kbox run by root, kbox's copy of host fd @gfd, with the guest's
 * identity when it is a file or directory in a bind; the call is made
 * on that copy, never CONTINUEd (src/dispatch/fd.c). -ENOSYS when kbox
 * is not root, else -errno. */
int kbox_bind_fd_as_guest(struct kbox_req *r, int gfd);
/* A host path (a symlink's target, a file's link) beneath a bind
 * rewritten into its guest path, in place (src/dispatch/route.c): its
 * length, or -ENAMETOOLONG; a path in no bind stays as it is. */
long kbox_host_link_to_guest(char *buf, long n, size_t cap);

/*
 * /proc/<pid>/maps names (src/dispatch/mapnames.c): note that the copy
 * open at host fd @fd stands for the guest's @guest_path; and for a
 * guest's open of /proc/<rest> (a maps or smaps file, opened on the host
 * at @hostfd) a memfd with the noted names put back, or -ENOENT.
 */
void kbox_mapname_note(int fd, const char *guest_path);
/* The same with the guest file's device and inode (its stat's st_dev,
 * st_ino), which maps then shows in place of the copy's. */
void kbox_mapname_note_id(int fd, const char *guest_path, uint64_t dev,
                          uint64_t ino);
int kbox_proc_maps_fd(const char *rest, int hostfd);
/* Append @n bytes of @s to the growing buffer *@buf (0 or -ENOMEM). */
int kbox_buf_put(char **buf, size_t *len, size_t *cap, const char *s, size_t n);
/* One line (@n bytes, with its newline if it has one) to append, changed
 * or not, to *@out with kbox_buf_put. */
typedef int (*kbox_line_fn)(const char *line, size_t n, char **out, size_t *len,
                            size_t *cap);
/* All of host fd @hostfd, each line through @fn, as a memfd named @name
 * at offset 0 (a host /proc file as the guest sees it), or -errno. */
int kbox_rewrite_lines_fd(int hostfd, const char *name, kbox_line_fn fn);

/*
 * The guest names of guests' unix sockets by host name (sockname.c):
 * socket @s was bound at host name @host for guest path @guest; socket
 * @s connected (its peer's name noted); the guest name of @host as seen
 * by socket inode @sino (its own binding, @peer: the one it connected
 * to), else (@any_ok) the newest binding of @host.
 */
ino_t kbox_sock_ino(int s);
/* A unix peer's host address *@ss (*@len bytes) as the guest names it
 * (socket inode @sino's binding, else the newest; sockrecv.c). */
struct sockaddr_storage;
void kbox_unix_addr_for_guest(struct sockaddr_storage *ss, socklen_t *len,
                              ino_t sino);
void kbox_sock_name_bound(const char *host, const char *guest, int s);
void kbox_sock_name_connected(int s);
bool kbox_sock_name_of(const char *host, ino_t sino, bool peer, bool any_ok,
                       char *guest, size_t len);
/* Is @path one of kbox's host names for a guest's unix socket (sys.c)? */
bool kbox_sock_host_name(const char *path);
/* The guest path a guest socket bound to host name @host (socket inode
 * @ino) was given, as getsockname reports it: true with @guest set. */
bool kbox_sock_guest_name(const char *host, unsigned long ino, char *guest,
                          size_t len);
/*
 * For the guest's open of host /proc/<rest>: /proc/net/unix (any
 * "<pid>/net/unix") as a memfd with guest sockets under the paths they
 * were bound to, or -ENOENT for any other file (netview.c).
 */
int kbox_proc_net_unix_fd(const char *rest, int hostfd);
/* 0, or -EACCES for an open of host /proc/<rest> under sys/net, net,
 * <pid>/net or <pid>/task/<tid>/net with @flags that write, by any guest
 * (root included: they are the host's settings). */
int kbox_proc_sys_net_may(struct kbox_req *r, const char *rest, int flags);
/* The same for host fd @hfd opened with @flags, by what it is (a reopen
 * through /proc/<pid>/fd/N): 0 or -EACCES. */
int kbox_proc_net_opened_may(int hfd, int flags);

/* Copy a path argument; -EFAULT/-ENAMETOOLONG/-ENOENT for "". */
int kbox_read_path(struct kbox_req *r, uint64_t addr, char *buf, size_t len,
                   bool allow_empty);

/* -EACCES when @r's guest may not search the image directories on the
 * way to bind @idx's place as guest path @norm (place + "/@rest") names
 * it (from its cwd or lx dirfd @lxdir, whose path is @base, "" for
 * none, when the place lies beneath it); else 0 (bindsearch.c). */
int kbox_bind_place_search(struct kbox_req *r, int idx, int lxdir,
                           const char *base, const char *norm,
                           const char *rest);
/* The same as guest task @t (@r its request, NULL for kbox's own -w and
 * command lookup); a place's parent in an outer bind is searched on the
 * host in that bind, then the image above the outer bind's place.
 * @lxdir KBOX_LXDIR_TEXT: relative to @base by its text. */
#define KBOX_LXDIR_TEXT (-1)
int kbox_place_search_as(struct lx_task *t, struct kbox_req *r, int idx,
                         int lxdir, const char *base, const char *norm,
                         const char *rest);
/* The same for a path relative to a directory in a bind (the cwd or a
 * host dirfd; @raw its guest path + "/" + @path) that reaches bind @idx
 * (@norm, @rest): by a bind nested in that directory's bind, or out of
 * it by ".." through the image. */
int kbox_bind_from_dir_search(struct kbox_req *r, const char *raw,
                              const char *path, const char *norm, int idx,
                              const char *rest);
/* -EACCES when @path, relative to a directory in a bind (@raw as for
 * kbox_bind_from_dir_search), leaves that bind by ".." at a place's
 * parent the guest may not search: Linux looks up the next name there
 * (back into the same bind, or into the image, as well). */
int kbox_bind_leave_search(struct kbox_req *r, const char *raw,
                           const char *path);

#endif
