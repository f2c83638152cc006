/* SPDX-License-Identifier: MIT */
/*
 * Calls through an fd whose check is the file's owner or a capability:
 * futimens with explicit times, FS_IOC_SETFLAGS (NODUMP; IMMUTABLE needs
 * CAP_LINUX_IMMUTABLE), F_SETFL with O_NOATIME and F_SETLEASE. Under kbox
 * run by root a guest user's process is the host's root, and on a file in
 * a bind these passed for any file it could open: it made a root-owned
 * host file immutable. On its own file they work; on root's they fail.
 * ioctls on the host's whole file system (freeze, shutdown, trim, resize,
 * label, checkpoint) are EPERM: the guest froze the file system of a
 * bind. Only a harmless one is tried: ext4's journal checkpoint as a dry
 * run (ENOTTY natively on another file system).
 * Usage: bind-fd-rights DIR ROOTFILE (not as root; DIR writable, ROOTFILE
 * a regular file owned by root the caller can read)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "guest-check.h"

int main(int argc, char **argv)
{
    struct timespec ts[2] = { { 1000, 0 }, { 2000, 0 } };
    char own[4096];
    struct stat st;
    int fd, fl, r;

    if (argc != 3 || getuid() == 0) {
        fprintf(stderr, "usage: bind-fd-rights DIR ROOTFILE (not as root)\n");
        return 2;
    }
    snprintf(own, sizeof(own), "%s/bind-fd-rights.%d", argv[1], (int)getpid());
    fd = open(own, O_CREAT | O_RDONLY, 0644);
    check(fd >= 0, "create %s", own);
    if (fd < 0)
        return 1;
    check(futimens(fd, ts) == 0 && fstat(fd, &st) == 0 && st.st_mtime == 2000,
          "own file: futimens with times");
    fl = FS_NODUMP_FL;
    r = ioctl(fd, FS_IOC_SETFLAGS, &fl);
    check(r == 0 || errno == ENOTTY || errno == EOPNOTSUPP,
          "own file: FS_IOC_SETFLAGS NODUMP");
    fl = 0;
    ioctl(fd, FS_IOC_SETFLAGS, &fl);
    check(fcntl(fd, F_SETFL, O_NOATIME) == 0 &&
              (fcntl(fd, F_GETFL) & O_NOATIME),
          "own file: F_SETFL O_NOATIME");
    check(fcntl(fd, F_SETLEASE, F_RDLCK) == 0 &&
              fcntl(fd, F_GETLEASE) == F_RDLCK,
          "own file: F_SETLEASE F_RDLCK");
    check(fcntl(fd, F_SETLEASE, F_UNLCK) == 0, "own file: F_SETLEASE F_UNLCK");
    close(fd);
    unlink(own);

    fd = open(argv[2], O_RDONLY);
    check(fd >= 0, "open root's %s", argv[2]);
    if (fd < 0)
        return 1;
    check(fstat(fd, &st) == 0 && st.st_uid == 0, "root owns it");
    r = futimens(fd, ts);
    check(r == -1 && errno == EPERM, "root's file: futimens with times EPERM");
    check(futimens(fd, NULL) == -1 && errno == EACCES,
          "root's file: futimens(NULL) unwritable is EACCES");
    fl = FS_NODUMP_FL;
    r = ioctl(fd, FS_IOC_SETFLAGS, &fl);
    check(r == -1 && (errno == EPERM || errno == ENOTTY),
          "root's file: FS_IOC_SETFLAGS NODUMP is EPERM");
    fl = FS_IMMUTABLE_FL;
    r = ioctl(fd, FS_IOC_SETFLAGS, &fl);
    check(r == -1 && (errno == EPERM || errno == ENOTTY),
          "root's file: FS_IOC_SETFLAGS IMMUTABLE is EPERM");
    r = fcntl(fd, F_SETFL, O_NOATIME);
    check(r == -1 && errno == EPERM, "root's file: F_SETFL O_NOATIME EPERM");
    r = fcntl(fd, F_SETLEASE, F_RDLCK);
    check(r == -1 && errno == EACCES, "root's file: F_SETLEASE is EACCES");
    check(fstat(fd, &st) == 0 && st.st_mtime != 2000,
          "root's file: times unchanged");
    close(fd);
    fd = open(argv[1], O_RDONLY | O_DIRECTORY);
    check(fd >= 0, "open %s", argv[1]);
    if (fd >= 0) {
        struct statfs sf;
        unsigned int dry = 4; /* EXT4_IOC_CHECKPOINT_FLAG_DRY_RUN */
        int ext4 = fstatfs(fd, &sf) == 0 && sf.f_type == 0xEF53;

        r = ioctl(fd, 0x4004662b /* EXT4_IOC_CHECKPOINT */, &dry);
        check(r == -1 && (errno == EPERM || (!ext4 && errno == ENOTTY)),
              "EXT4_IOC_CHECKPOINT (dry run) on the bind is EPERM");
        close(fd);
    }
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
