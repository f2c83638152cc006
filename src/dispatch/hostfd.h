/* SPDX-License-Identifier: MIT */
/* Host fds of the guest that kbox checks or serves (hostfd.c), for fd.c. */
#ifndef KBOX_DISPATCH_HOSTFD_H
#define KBOX_DISPATCH_HOSTFD_H

#include <stdbool.h>

#include "kbox/dispatch.h"

/* Is the caller root in lx (fsuid 0)? */
bool kbox_hostfd_lx_root(struct kbox_req *r);
/* F_SETOWN_EX, FIOSETOWN, SIOCSPGRP: set on kbox's copy, guests only. */
long kbox_hostfd_set_owner(struct kbox_req *r, int gfd, unsigned long op);
/* fcntl @cmd on host fd @gfd: F_SETOWN*, F_SETLEASE, F_SETFL O_NOATIME. */
struct kbox_resp kbox_hostfd_fcntl(struct kbox_req *r, int gfd, int cmd);
/* FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR on host fd @gfd. */
struct kbox_resp kbox_hostfd_setflags(struct kbox_req *r, int gfd,
                                      unsigned long req);
/* ioctls acting on the host's whole file system (EPERM for guests). */
bool kbox_hostfd_fs_admin_ioctl(unsigned long req);
/* its error on host fd @gfd: EPERM, or ENOTTY for a pipe, socket... */
long kbox_hostfd_fs_admin_errno(struct kbox_req *r, int gfd, unsigned long req);
/* network configuration ioctls (need the guest's CAP_NET_ADMIN). */
bool kbox_hostfd_net_admin_ioctl(unsigned long req);
/* tty ioctls needing CAP_SYS_ADMIN: 0 (the host's call), -errno for the
 * guest, or 1: made by kbox, answered 0 (TIOCSTI, hostfd.c). */
long kbox_hostfd_tty_admin_ioctl(struct kbox_req *r, int gfd,
                                 unsigned long req);
/* Before a write, truncate or fallocate the host makes on host fd @gfd
 * (or kbox itself, @by_kbox: a copy from lx): clear the set-ID bits
 * Linux's file_remove_privs would for a caller without CAP_FSETID.
 * 0, or the -errno the call fails with. */
long kbox_hostfd_kill_privs(struct kbox_req *r, int gfd, bool by_kbox);

#endif
