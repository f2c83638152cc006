/* SPDX-License-Identifier: MIT */
/* Exec from the image (src/exec/exec.c). */
#ifndef KBOX_EXEC_H
#define KBOX_EXEC_H

#include <stddef.h>

#include "kbox/dispatch.h"

#include <stdint.h>

struct lx_task;
struct kbox_gstat;
struct kbox_cache_key;
struct kbox_opts;
struct stat;

/* Name task @t after the program at @path, as execve sets comm. */
void kbox_exec_set_comm(struct lx_task *t, const char *path);
/* A sealed memfd, or a read-only file of the persistent cache (fresh fd,
 * caller closes), with the content of lx fd @lxfd whose stat is @g and
 * change counter @version (kbox_file_version); cached by (dev, ino,
 * size, mtime, ctime, change counter). @st and @seekfd as for
 * kbox_exec_window_memfd (NULL, -1: read all of it). */
int kbox_exec_content_memfd(struct lx_task *t, int lxfd, struct lx_task *st,
                            long seekfd, const struct kbox_gstat *g,
                            uint64_t version);
/* A sealed memfd the size of lx fd @lxfd's file (stat @g) holding only
 * bytes [@off, @off + @len) of it (page-aligned down): for a mapping of a
 * window of a file too big to copy whole. Not cached. @seekfd (>= 0) is
 * a description of the same file of its own in task @st, whose offset the
 * copy moves to find the holes it need not read. */
int kbox_exec_window_memfd(struct lx_task *t, int lxfd, struct lx_task *st,
                           long seekfd, const struct kbox_gstat *g,
                           uint64_t off, uint64_t len);
/* The change counter of lx fd @lxfd (lx_task_file_version; 0 if none). */
uint64_t kbox_file_version(struct lx_task *t, int lxfd);
/* The cached content for @k (memory, then disk, verified against lx fd
 * @lxfd of task @t), or -1. */
int kbox_exec_cached_content(struct lx_task *t, int lxfd,
                             const struct kbox_cache_key *k);

/*
 * A set-user/group-ID program (lx fd @lxfd of the request's task) is
 * about to be run from the memfd (@dev, @ino): prepare the credentials
 * its exec gives, to be committed by kbox_exec_settle once the host's
 * exec has succeeded; on a secure exec (the ids change) drop the
 * environment variables glibc ignores then from the guest's @uenvp, as
 * the host's AT_SECURE does not reach the program. 0 or -errno.
 */
long kbox_exec_setid(struct kbox_req *r, int lxfd, uint64_t uenvp, uint64_t dev,
                     uint64_t ino);

/* What an exec's arguments leave of Linux's limit (kbox_exec_args_fit). */
struct kbox_args_room {
    unsigned long slack; /* bytes of strings still allowed */
    unsigned long arg0;  /* argv[0]'s bytes with its NUL ("" if argc is 0) */
};

/*
 * Would the host's exec take these arguments (path of @pathlen bytes,
 * the guest's argv and envp arrays), by Linux's limits on the guest's
 * RLIMIT_STACK? 0, or -E2BIG. Checked before kbox changes the caller's
 * memory for the exec (src/exec/args.c). @room (may be NULL) gets what
 * is left for a #! script's longer argv (kbox_exec_script_fits).
 */
int kbox_exec_args_fit(struct kbox_req *r, size_t pathlen, uint64_t uargv,
                       uint64_t uenvp, struct kbox_args_room *room);

/*
 * Does #! level @level (interpreter @interp, argument @arg or NULL) still
 * fit, as binfmt_script's copies are checked against the limit set before
 * them: level 0 drops argv[0] for the script's name (@pathlen bytes),
 * every level adds its argument and interpreter. @grown carries the bytes
 * added so far across levels. 0 or -E2BIG.
 */
int kbox_exec_script_fits(const struct kbox_args_room *room, size_t pathlen,
                          int level, const char *interp, const char *arg,
                          long *grown);

/*
 * The host execs a script's interpreter itself, with the longer argv:
 * its limit counts the @added entries' pointers too (Linux's counted the
 * caller's), and kbox's alias of the program (for the name @called) for
 * the script's name (@pathlen bytes) in the strings. Does that still
 * fit after @grown bytes of #! growth? 0, or -E2BIG before anything
 * changes: the host's refusal came after the caller's image was gone.
 */
int kbox_exec_script_host_fits(const struct kbox_args_room *room, long grown,
                               size_t pathlen, int added, const char *called,
                               pid_t pid);

/*
 * The exit_group @r of a process, by a thread other than the one holding
 * its exec claim: wait until that exec's outcome is known. false: the
 * caller died in it (the host's exec won), so the process lives on.
 */
bool kbox_exec_exit_wait(struct kbox_req *r);

struct kbox_resp kbox_exec_handle_execve(struct kbox_req *r);
struct kbox_resp kbox_exec_handle_execveat(struct kbox_req *r);

/* A bind file's O_PATH fd @op (closed) opened for reading for exec, or
 * -errno (src/exec/hostfile.c). */
int kbox_exec_host_open(int op);
/* The host fd @gfd of process @pid is close-on-exec (its fdinfo). */
bool kbox_host_fd_cloexec(pid_t pid, int gfd);
/* Host file @fd (kbox's, read-only) is open for writing somewhere. */
bool kbox_host_file_busy(int fd);
/* @where = the guest path of host fd @hfd when it is in a bind. */
void kbox_exec_host_where(int hfd, char *where, size_t size);
/* Copy @copy takes guest fd @gfd's place for an fexecve: the guest's
 * file goes back at the process's next call (kbox_exec_swap_settle). */
void kbox_exec_swap_note(struct kbox_req *r, int gfd, int copy);
/* Free what a trampoline's exec was to run (kbox_proc.exec_again). */
struct kbox_exec_again;
void kbox_exec_again_free(struct kbox_exec_again *a);
/* Before lx's root task enters the image: the place where exec makes
 * lx stand-ins of set-ID programs in binds (hostcred.c). */
void kbox_exec_standin_init(void);
/* In the guest's first process, before its filter: the host may exec
 * only kbox's memfds and content cache files (Landlock; execlock.c).
 * 0, or -1 where Landlock is unusable. */
int kbox_exec_landlock(void);
/* A guest process is gone: its exec gates that never opened go too. */
void kbox_gate_forget(pid_t child);

/*
 * Find @cmd for the first exec as the guest's shell would (lookup.c): a
 * name with a '/' is taken as is, otherwise searched in @path (colon
 * separated; NULL: the default PATH), binds and links followed; relative
 * names from @cwd (NULL: lx's). Writes the guest path to @out. Returns 0,
 * -ENOENT (exit 127), or -EACCES / -EISDIR (126).
 */
int kbox_exec_resolve(struct lx_task *t, const struct kbox_opts *o,
                      const char *cmd, const char *path, const char *cwd,
                      char *out, size_t outlen);
/* Guest path @path (relative ones from @cwd, NULL: lx's cwd) walked as
 * task @t with every link followed, in lx and in binds: its link-free
 * absolute text in @out. 0 or -errno. */
int kbox_exec_guest_walk(struct lx_task *t, const struct kbox_opts *o,
                         const char *path, const char *cwd, char *out,
                         size_t len);
/* lstat of link-free guest path @g on the host, when it lies in a bind
 * (-EXDEV else); with @may_exec, -EACCES also when task @t may not run
 * it. */
int kbox_exec_bind_stat(struct lx_task *t, const struct kbox_opts *o,
                        const char *g, struct stat *st, bool may_exec);
/* May task @t (its ids set) enter directory @g of a bind, as chdir asks
 * (search right on it, on the way within the bind and on the image's
 * directories above the bind's place)? 0 or -errno; 0 outside binds. */
int kbox_exec_bind_may_search(struct lx_task *t, const struct kbox_opts *o,
                              const char *g);
/* The same of a bind's directory open at host fd @fd (chdir, fchdir). */
int kbox_exec_bind_may_search_fd(struct lx_task *t, int fd);
/* -EACCES when task @t may not search directory @name beneath bind
 * directory fd @dfd and each directory on the way; @ids_set: the thread
 * has the guest's ids already (kbox_ids_for_host). */
int kbox_exec_bind_dir_search(struct lx_task *t, int dfd, const char *name,
                              bool ids_set);

#endif
