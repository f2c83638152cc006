/* SPDX-License-Identifier: MIT */
/*
 * Pieces of exec.c kept in files of their own (alias.c, claim.c,
 * progfile.c).
 */
#ifndef KBOX_EXEC_INTERNAL_H
#define KBOX_EXEC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "kbox/abi.h"
#include "kbox/dispatch.h"
#include "kbox/path.h"

/* Make sure the alias @name under exec_dir points at the fd @n of the
 * thread that execs ("/proc/thread-self/fd/<n>"). */
int kbox_exec_alias(int n, const char *name);
/* Make @r's exec the process's only one (0), or -EINTR (the thread dies
 * in another's exec, or is gone) / -EAGAIN (30 s). Released by the
 * caller when the exec is refused; kept when it is let go. */
long kbox_exec_claim(struct kbox_req *r);

/* A file exec reads: a program, an interpreter, a script (progfile.c). */
struct image {
    int fd;          /* sealed memfd with the content (ours) */
    const char *buf; /* read-only mapping of it */
    size_t len;
    /* Only the first len bytes of host file hostfd are read (at buf,
     * malloc'd), and fd is -1: kbox_prog_full makes the copy. */
    bool head;
    int hostfd;
    bool host; /* a host file: cached by its head, not a change counter */
    struct kbox_gstat st;
    uint64_t version; /* the file's change counter when it was read */
    /* A set-user/group-ID program stays open in lx (for exec's ids). */
    int lxfd;
    struct lx_task *t;
    /* Where lx found it (symlinks resolved), for /proc/self/exe; "" for
     * a host file. */
    char where[KBOX_PATH_MAX];
};
void kbox_prog_close(struct image *img);
/* Open @path in lx as task @t (exec permission checked by the kernel),
 * its content through the content cache. */
long kbox_prog_open(struct lx_task *t, int dirfd, const char *path,
                    int extra_flags, struct image *img);
/* A host file's content, copied into a memfd named @name (else
 * "kbox-file"); with @lazy, only its head (kbox_prog_full copies it). */
long kbox_prog_open_host(int hfd, struct image *img, const char *name,
                         bool lazy);
/* For a host file @hfd opened by kbox_prog_open_host: when it lies in a
 * bind and is set-user/group-ID or has file capabilities, an lx stand-in for
 * exec's credentials in img->lxfd (task @t's; hostcred.c); 0 or -errno.
 * @by_path: reached by its path now (not an fd opened before), so the
 * guest's lx mounts over that path decide too. */
long kbox_prog_host_creds(struct lx_task *t, int hfd, struct image *img,
                          bool by_path);
/* Is host path @hp beneath a bind's source? (hostcred.c) */
bool kbox_exec_in_a_bind(const char *hp);
/* The whole content of an image opened lazily (nothing else to do for
 * others); 0 or -errno. */
long kbox_prog_full(struct image *img);

#endif
