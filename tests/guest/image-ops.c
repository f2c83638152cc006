/* SPDX-License-Identifier: MIT */
/*
 * The file operations a user's own image must take: used on images made
 * with each ext2/3/4 feature (tests/integration: the image tests).
 *
 * usage: image-ops DIR    (DIR is made; must not exist)
 *        image-ops -F DIR (casefold: DIR made, chattr +F, looked up in
 *                          another case; the image made -O casefold)
 *        image-ops -V FILE (fs-verity: FILE written, enabled, measured,
 *                          read back; a write open refused. When FILE
 *                          is there already, from an earlier run: only
 *                          measured and read back)
 *
 * Makes DIR/keep (its text "kbox-image-ops"), DIR/big (256 KiB, past
 * inline data and one extent block), renames DIR/tmp to DIR/renamed,
 * deletes DIR/gone, makes DIR/sub with 50 files (a directory past one
 * block), a symlink and a hard link, sets user.kbox on keep, an ACL on
 * keep and a default ACL on sub, and fsyncs. An xattr or ACL the file
 * system refuses with EOPNOTSUPP is reported as "skip", not a failure
 * (ext2 without xattrs). Prints "ok"/"FAIL" lines; exits 1 on a failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/fsverity.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "guest-check.h"

static int put(const char *path, const char *text, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    size_t off = 0;

    if (fd < 0)
        return -1;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);

        if (n <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)n;
    }
    if (fsync(fd)) {
        close(fd);
        return -1;
    }
    return close(fd);
}

/* An access ACL: user::rw- user:1234:r-- group::r-- mask::r-- other::r--
 * (the xattr's version 2 layout: a header, then tag/perm/id entries). */
static size_t acl_value(unsigned char *buf)
{
    static const struct {
        uint16_t tag, perm;
        uint32_t id;
    } e[] = { { 0x01, 6, ~0u },
              { 0x02, 4, 1234 },
              { 0x04, 4, ~0u },
              { 0x10, 4, ~0u },
              { 0x20, 4, ~0u } };
    uint32_t ver = 2;
    size_t n = 0;

    memcpy(buf, &ver, 4);
    n = 4;
    for (size_t i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
        memcpy(buf + n, &e[i].tag, 2);
        memcpy(buf + n + 2, &e[i].perm, 2);
        memcpy(buf + n + 4, &e[i].id, 4);
        n += 8;
    }
    return n;
}

static void xattr_check(int rc, const char *what)
{
    if (rc && errno == EOPNOTSUPP) {
        printf("skip - %s: not supported here\n", what);
        errno = 0;
        return;
    }
    check(rc == 0, "%s", what);
}

#ifndef FS_CASEFOLD_FL
#define FS_CASEFOLD_FL 0x40000000
#endif

/* chattr +F on an empty directory, then names found in any case, and
 * readdir gives the name as it was made */
static int casefold(const char *dir)
{
    int fd, flags = 0;
    char buf[64];
    ssize_t n;

    check(mkdir(dir, 0755) == 0, "mkdir %s", dir);
    fd = open(dir, O_RDONLY | O_DIRECTORY);
    check(fd >= 0, "open %s", dir);
    if (fd < 0 || ioctl(fd, FS_IOC_GETFLAGS, &flags)) {
        check(0, "FS_IOC_GETFLAGS");
        return 1;
    }
    flags |= FS_CASEFOLD_FL;
    check(ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0, "chattr +F %s", dir);
    flags = 0;
    check(ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_CASEFOLD_FL),
          "FS_CASEFOLD_FL set");
    close(fd);
    if (chdir(dir))
        return 1;
    check(put("MixedCase.TXT", "folded", 6) == 0, "write MixedCase.TXT");
    fd = open("mixedcase.txt", O_RDONLY);
    n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
    check(n == 6 && !memcmp(buf, "folded", 6), "read as mixedcase.txt");
    if (fd >= 0)
        close(fd);
    errno = 0;
    check(open("MIXEDCASE.TXT", O_WRONLY | O_CREAT | O_EXCL, 0644) < 0 &&
              errno == EEXIST,
          "O_EXCL create in another case: EEXIST");
    check(rename("MIXEDCASE.txt", "Renamed.txt") == 0,
          "rename through another case");
    check(access("RENAMED.TXT", F_OK) == 0, "the new name in another case");
    sync();
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}

static int verity(const char *file)
{
    static char data[20000];
    struct fsverity_enable_arg a;
    struct {
        struct fsverity_digest h;
        unsigned char d[64];
    } m;
    struct stat st;
    char back[sizeof(data)];
    int fd;

    bool again = access(file, F_OK) == 0;

    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (char)(i * 7);
    if (!again)
        check(put(file, data, sizeof(data)) == 0, "write %s", file);
    fd = open(file, O_RDONLY);
    check(fd >= 0 && fstat(fd, &st) == 0, "open %s read-only", file);
    if (fd < 0)
        return 1;
    memset(&a, 0, sizeof(a));
    a.version = 1;
    a.hash_algorithm = FS_VERITY_HASH_ALG_SHA256;
    a.block_size = (unsigned)st.st_blksize;
    a.salt_size = 4;
    a.salt_ptr = (uintptr_t) "salt";
    if (!again)
        check(ioctl(fd, FS_IOC_ENABLE_VERITY, &a) == 0, "FS_IOC_ENABLE_VERITY");
    memset(&m, 0, sizeof(m));
    m.h.digest_size = 16;
    errno = 0;
    check(ioctl(fd, FS_IOC_MEASURE_VERITY, &m) < 0 && errno == EOVERFLOW,
          "measure into 16 bytes: EOVERFLOW");
    m.h.digest_size = sizeof(m.d);
    check(ioctl(fd, FS_IOC_MEASURE_VERITY, &m) == 0 &&
              m.h.digest_algorithm == FS_VERITY_HASH_ALG_SHA256 &&
              m.h.digest_size == 32,
          "FS_IOC_MEASURE_VERITY: sha256, 32 bytes");
    printf("digest ");
    for (int i = 0; i < 32; i++)
        printf("%02x", m.d[i]);
    printf("\n");
    {
        /* the descriptor (fsverity dump_metadata): version 1, SHA-256,
         * log2 of the block size, the salt's size */
        struct fsverity_read_metadata_arg ra = {
            .metadata_type = FS_VERITY_METADATA_TYPE_DESCRIPTOR,
            .length = sizeof(back),
            .buf_ptr = (uintptr_t)back,
        };
        long n = ioctl(fd, FS_IOC_READ_VERITY_METADATA, &ra);

        check(n == 256 && back[0] == 1 && back[1] == 1 &&
                  (1L << back[2]) == st.st_blksize && back[3] == 4,
              "FS_IOC_READ_VERITY_METADATA: the descriptor (%ld bytes)", n);
    }
    check(pread(fd, back, sizeof(back), 0) == (ssize_t)sizeof(back) &&
              !memcmp(back, data, sizeof(data)),
          "read back");
    close(fd);
    errno = 0;
    check(open(file, O_WRONLY) < 0 && errno == EPERM, "write open: EPERM");
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}

int main(int argc, char **argv)
{
    static char big[256 * 1024];
    unsigned char acl[64];
    char path[4096], other[4096], got[64];
    size_t acllen;
    ssize_t n;

    if (argc == 3 && !strcmp(argv[1], "-F"))
        return casefold(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "-V"))
        return verity(argv[2]);
    if (argc != 2) {
        fprintf(stderr, "usage: image-ops [-F|-V] DIR\n");
        return 2;
    }
    check(mkdir(argv[1], 0755) == 0, "mkdir %s", argv[1]);
    if (chdir(argv[1]))
        return 1;
    check(put("keep", "kbox-image-ops", 14) == 0, "write keep");
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)('a' + i % 26);
    check(put("big", big, sizeof(big)) == 0, "write big (256 KiB)");
    check(put("tmp", "renamed", 7) == 0, "write tmp");
    check(rename("tmp", "renamed") == 0, "rename tmp renamed");
    check(put("gone", "x", 1) == 0 && unlink("gone") == 0, "unlink gone");
    check(mkdir("sub", 0755) == 0, "mkdir sub");
    for (int i = 0; i < 50; i++) {
        snprintf(path, sizeof(path), "sub/file-with-a-longish-name-%02d", i);
        if (put(path, "f", 1)) {
            check(0, "write %s", path);
            break;
        }
    }
    check(symlink("keep", "link") == 0, "symlink link");
    check(link("keep", "hard") == 0, "link hard");
    xattr_check(setxattr("keep", "user.kbox", "value", 5, 0), "setxattr user");
    n = getxattr("keep", "user.kbox", got, sizeof(got));
    if (n >= 0)
        check(n == 5 && !memcmp(got, "value", 5), "getxattr user");
    acllen = acl_value(acl);
    xattr_check(setxattr("keep", "system.posix_acl_access", acl, acllen, 0),
                "set access ACL");
    xattr_check(setxattr("sub", "system.posix_acl_default", acl, acllen, 0),
                "set default ACL");
    snprintf(other, sizeof(other), "sub/file-with-a-longish-name-%02d", 7);
    check(unlink(other) == 0, "unlink %s", other);
    sync();
    printf("%d ok, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
