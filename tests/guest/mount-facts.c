/* SPDX-License-Identifier: MIT */
/*
 * mount-facts MOUNTPOINT: what the guest learns of the mount at
 * MOUNTPOINT agrees, as on Linux: its /proc/self/mountinfo line's device
 * is stat's st_dev and statx's stx_dev, its id is statx's stx_mnt_id and
 * fdinfo's mnt_id for it and a file in it, STATX_ATTR_MOUNT_ROOT marks
 * its root only, STATX_MNT_ID_UNIQUE is one id there and another at /,
 * statfs and fstatfs flags are its options' (nosuid, nodev, ro...), and
 * x86_64's ustat and sysfs answer for it. Found by tests/guest/mount-fuzz
 * in a bind, where the host's ids, device and flags showed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "fuzz-util.h"
#include "guest-check.h"

#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif

static int sx(const char *p, unsigned mask, struct statx *s)
{
    memset(s, 0, sizeof(*s));
    return (int)syscall(SYS_statx, AT_FDCWD, p, AT_SYMLINK_NOFOLLOW, mask, s);
}

int main(int argc, char **argv)
{
    const char *mp = argc > 1 ? argv[1] : "/tmp";
    char line[2048], file[4096], opts[256] = "", type[64] = "";
    unsigned maj = 0, min = 0;
    int id = -1, fd;
    unsigned long want;
    struct statx s, sf, sroot;
    struct statfs fs, ffs;
    struct stat st;
    FILE *f = fopen("/proc/self/mountinfo", "re");

    setvbuf(stdout, NULL, _IOLBF, 0);
    check(f != NULL, "open mountinfo");
    while (f && fgets(line, sizeof(line), f)) {
        char m[1024], o[256], *sep = strstr(line, " - ");
        int i;
        unsigned a, b;

        if (sscanf(line, "%d %*d %u:%u %*s %1023s %255s", &i, &a, &b, m, o) ==
                5 &&
            !strcmp(m, mp) && sep) {
            id = i, maj = a, min = b; /* the last one: on top */
            snprintf(opts, sizeof(opts), "%s", o);
            sscanf(sep + 3, "%63s", type);
        }
    }
    if (f)
        fclose(f);
    check(id >= 0, "%s has a mountinfo line (%s, %s)", mp, type, opts);
    snprintf(file, sizeof(file), "%s/mount-facts.%d", mp, (int)getpid());
    fd = open(file, O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    check(fd >= 0, "create %s", file);

    memset(&st, 0, sizeof(st));
    stat(mp, &st);
    check(major(st.st_dev) == maj && minor(st.st_dev) == min,
          "st_dev %u:%u is mountinfo's %u:%u", major(st.st_dev),
          minor(st.st_dev), maj, min);
    sx(mp, STATX_BASIC_STATS | STATX_MNT_ID, &s);
    check((s.stx_mask & STATX_MNT_ID) && s.stx_mnt_id == (uint64_t)id,
          "stx_mnt_id %llu is mountinfo's %d", (unsigned long long)s.stx_mnt_id,
          id);
    check(s.stx_dev_major == maj && s.stx_dev_minor == min,
          "stx_dev %u:%u is mountinfo's", s.stx_dev_major, s.stx_dev_minor);
    check((s.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
              (s.stx_attributes & STATX_ATTR_MOUNT_ROOT),
          "STATX_ATTR_MOUNT_ROOT at %s", mp);
    sx(file, STATX_BASIC_STATS | STATX_MNT_ID, &sf);
    check(sf.stx_mnt_id == (uint64_t)id &&
              !(sf.stx_attributes & STATX_ATTR_MOUNT_ROOT),
          "a file in it: stx_mnt_id %llu, not a mount root",
          (unsigned long long)sf.stx_mnt_id);
    check(sx(mp, STATX_MNT_ID_UNIQUE, &s) == 0 &&
              sx(file, STATX_MNT_ID_UNIQUE, &sf) == 0 &&
              sx("/", STATX_MNT_ID_UNIQUE, &sroot) == 0 &&
              s.stx_mnt_id == sf.stx_mnt_id &&
              (s.stx_mnt_id != sroot.stx_mnt_id) == (strcmp(mp, "/") != 0),
          "STATX_MNT_ID_UNIQUE: the same in it, another at /");
    check(fdinfo_mnt(fd) == id, "fdinfo mnt_id %ld is mountinfo's %d",
          fdinfo_mnt(fd), id);

    want = (has_opt(opts, "ro") ? ST_RDONLY : 0) |
           (has_opt(opts, "nosuid") ? ST_NOSUID : 0) |
           (has_opt(opts, "nodev") ? ST_NODEV : 0) |
           (has_opt(opts, "noexec") ? ST_NOEXEC : 0);
#define SEC (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC)
    memset(&fs, 0, sizeof(fs));
    statfs(mp, &fs);
    check(((unsigned long)fs.f_flags & SEC) == want,
          "statfs f_flags %#lx: options %s say %#lx",
          (unsigned long)fs.f_flags & SEC, opts, want);
    memset(&ffs, 0, sizeof(ffs));
    fstatfs(fd, &ffs);
    check(ffs.f_flags == fs.f_flags && ffs.f_type == fs.f_type,
          "fstatfs of a file in it: f_flags %#lx", (unsigned long)ffs.f_flags);

#if defined(SYS_ustat) && defined(SYS_sysfs)
    {
        char ub[32], name[64] = "", l[256];
        long idx, n = 0, rc;
        FILE *pf = fopen("/proc/filesystems", "re");

        while (pf && fgets(l, sizeof(l), pf))
            n++;
        if (pf)
            fclose(pf);
        rc = syscall(SYS_sysfs, 3);
        check(rc == n && n > 0, "sysfs(3): %ld types, /proc/filesystems %ld",
              rc, n);
        idx = syscall(SYS_sysfs, 1, type);
        check(idx >= 0 && idx < n, "sysfs(1, %s): %ld", type, idx);
        rc = syscall(SYS_sysfs, 2, idx, name);
        check(rc == 0 && !strcmp(name, type), "sysfs(2, %ld): %s", idx, name);
        WANT(syscall(SYS_sysfs, 1, "no-such-fs"), EINVAL, "sysfs(1, unknown)");
        WANT(syscall(SYS_sysfs, 2, 100000, name), EINVAL, "sysfs(2, 100000)");
        WANT(syscall(SYS_sysfs, 4), EINVAL, "sysfs(4)");
        WANT(syscall(SYS_sysfs, 1, (char *)8), EFAULT, "sysfs(1, bad name)");
        rc = syscall(SYS_ustat, (unsigned)st.st_dev, ub);
        check(rc == 0, "ustat of %s's device", mp);
        WANT(syscall(SYS_ustat, (unsigned)makedev(4095, 1048575), ub), EINVAL,
             "ustat of no device");
    }
#endif
    close(fd);
    unlink(file);
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
