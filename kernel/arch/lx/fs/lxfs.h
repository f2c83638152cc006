/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LX_FS_LXFS_H
#define _LX_FS_LXFS_H

#include <linux/fs.h>

/* lx's tmpfs under the name devtmpfs, for its single instance. */
extern struct file_system_type lxtmp_devtmpfs_type;

#endif
