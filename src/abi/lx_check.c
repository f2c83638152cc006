/* SPDX-License-Identifier: MIT */
/*
 * Compile-time proof that kbox's spelled-out asm-generic layouts
 * (include/kbox/abi.h) match the kernel library's exported UAPI.
 */
#include <stddef.h>

#include <lx/uapi.h>

#include "kbox/abi.h"

#define SAME(T, f)                                    \
    _Static_assert(offsetof(struct lx_##T, f) ==      \
                       offsetof(struct kbox_g##T, f), \
                   #T "." #f " offset")

_Static_assert(sizeof(struct lx_stat) == sizeof(struct kbox_gstat),
               "struct stat size");
SAME(stat, st_dev);
SAME(stat, st_ino);
SAME(stat, st_mode);
SAME(stat, st_nlink);
SAME(stat, st_uid);
SAME(stat, st_gid);
SAME(stat, st_rdev);
SAME(stat, st_size);
SAME(stat, st_blksize);
SAME(stat, st_blocks);
SAME(stat, st_atime_sec);
SAME(stat, st_atime_nsec);
SAME(stat, st_mtime_sec);
SAME(stat, st_mtime_nsec);
SAME(stat, st_ctime_sec);
SAME(stat, st_ctime_nsec);

#ifdef LX_AT_FDCWD
_Static_assert(LX_AT_FDCWD == -100, "AT_FDCWD");
#endif

int kbox_lx_check_dummy;
