/* SPDX-License-Identifier: MIT */
/* Image lifecycle: open, boot, mount, chroot, profile, identity, halt. */
#ifndef KBOX_IMAGE_H
#define KBOX_IMAGE_H

struct kbox_opts;
struct lx_task;

/* Open and sanity-check the image; prints the error. fd or -1. */
int kbox_image_open(const struct kbox_opts *o);

/* Boot lx, add the disk, mount it as the root, chroot, apply the mount
 * profile. Prints the error; 0 or -1 (lx may be booted: call halt). */
int kbox_image_setup(const struct kbox_opts *o, int img_fd, int *booted);

/* --change-id by name, or by uid alone: the ids from the image's
 * /etc/passwd and /etc/group, into @o. Prints the error; 0 or -1. */
int kbox_image_resolve_ids(struct kbox_opts *o);

/* A fresh task for the first guest process: no fds, the work dir, the
 * identity asked for. Prints the error; NULL on failure. */
struct lx_task *kbox_image_guest_task(const struct kbox_opts *o);

#include <stdbool.h>
#include <stdint.h>
/* A trapless bind's deepest existing directory and what kbox's walk met
 * there (src/image/image.c, anchor_one) */
struct bind_anchor {
    char *dir;
    uint64_t mnt, ino; /* lx's unique mount id, inode */
};
const struct bind_anchor *kbox_image_bind_anchor(int idx);
/* Normalised guest path @norm, at the place its bind has in the image
 * (a bind given through a symlink is at the link's target); -1: too long */
int kbox_image_bind_text(const struct kbox_opts *o, const char *norm, char *out,
                         size_t len);
/* -w normalised, at the place its bind has in the image (a bind given
 * through a symlink is at the link's target); -1: too long */
int kbox_image_workdir_path(const struct kbox_opts *o, char *out, size_t len);
/* Is the -w work dir inside a -b bind (then it is not an lx cwd)? */
bool kbox_image_workdir_in_bind(const struct kbox_opts *o);

/* A small file of the image read as task @t (NUL terminated, at most 64
 * KiB; malloc'ed), or NULL. */
char *kbox_image_slurp(struct lx_task *t, const char *path);

/* Sync, unmount, halt; kbox exits next. Returns 0 or -1 (message printed). */
int kbox_image_halt(int verbose);

/* src/image/fslog.c: warn of errors recorded in the image's superblock
 * (lx's log past byte @from, the mount's), and of file system errors
 * lx logged during the run (at halt). */
void kbox_fslog_mounted(const char *image, long from);
void kbox_fslog_errors(const char *image);

/* Whether lx's /dev/pts is a kbox-bind trap standing for the host's. */
bool kbox_image_host_pts(void);
/* Bind @idx's place, normalised, if a kbox-bind trap marks it in lx
 * (one the guest's own mounts may cover or copy); else NULL. */
const char *kbox_image_bind_trap(int idx);

#endif
