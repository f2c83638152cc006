/* SPDX-License-Identifier: MIT */
/* Exec from the image (src/exec/exec.c). */
#ifndef KBOX_EXEC_H
#define KBOX_EXEC_H

#include <stddef.h>

#include "kbox/dispatch.h"

struct lx_task;
struct kbox_gstat;
struct kbox_cache_key;

/* Name task @t after the program at @path, as execve sets comm. */
void kbox_exec_set_comm(struct lx_task *t, const char *path);
/* A sealed memfd, or a read-only file of the persistent cache (fresh fd,
 * caller closes), with the content of lx fd @lxfd whose stat is @g;
 * cached by (dev, ino, size, mtime, ctime). */
int kbox_exec_content_memfd(struct lx_task *t, int lxfd,
                            const struct kbox_gstat *g);
/* The cached content for @k (memory, then disk, verified against lx fd
 * @lxfd of task @t), or -1. */
int kbox_exec_cached_content(struct lx_task *t, int lxfd,
                             const struct kbox_cache_key *k);

struct kbox_resp kbox_exec_handle_execve(struct kbox_req *r);
struct kbox_resp kbox_exec_handle_execveat(struct kbox_req *r);

/*
 * Find @cmd for the first exec like a shell would: a name with a '/' is
 * taken as is, otherwise searched in @path (colon separated). Writes the
 * guest path to @out. Returns 0, -ENOENT (exit 127) or -EACCES (126).
 */
int kbox_exec_resolve(struct lx_task *t, const char *cmd, const char *path,
                      char *out, size_t outlen);

#endif
