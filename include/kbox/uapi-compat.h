/* SPDX-License-Identifier: MIT */
/*
 * ioctl and fcntl numbers newer than some distributions' uapi headers
 * (Debian 12's lack the GETFSUUID/GETFSSYSFSPATH ioctls), as Linux
 * defines them. Include after <linux/fs.h> and <fcntl.h>. Plain uapi, no
 * kbox: the guest test programs use it too.
 */
#ifndef KBOX_UAPI_COMPAT_H
#define KBOX_UAPI_COMPAT_H

#include <stdint.h>
#include <sys/ioctl.h>

#ifndef F_GET_RW_HINT
#define F_GET_RW_HINT 1035
#define F_SET_RW_HINT 1036
#endif
#ifndef FS_IOC_GETFSUUID
struct fsuuid2 {
    uint8_t len;
    uint8_t uuid[16];
};
#define FS_IOC_GETFSUUID _IOR(0x15, 0, struct fsuuid2)
#endif
#ifndef FS_IOC_GETFSSYSFSPATH
struct fs_sysfs_path {
    uint8_t len;
    uint8_t name[128];
};
#define FS_IOC_GETFSSYSFSPATH _IOR(0x15, 1, struct fs_sysfs_path)
#endif
#ifndef FIOQSIZE
#define FIOQSIZE 0x5460
#endif

#endif
