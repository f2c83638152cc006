/* SPDX-License-Identifier: MIT */
/*
 * openat2's RESOLVE_* flags are relative to the dirfd (or the cwd): in a
 * bind they were checked against the bind's root, so a symlink or ".."
 * leaving the directory was followed (rsync 3.2.7's secure_relative_open
 * let a daemon escape its module). Usage: openat2-resolve DIR...
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest-check.h"

static int o2(int dfd, const char *p, unsigned long long res)
{
    struct open_how h = { .flags = O_RDONLY, .resolve = res };
    int fd = (int)syscall(SYS_openat2, dfd, p, &h, sizeof(h));

    if (fd >= 0)
        close(fd);
    return fd >= 0 ? 0 : -errno;
}

static void one_dir(const char *dir)
{
    char b[512];
    int d;

    check(chdir(dir) == 0, "%s: chdir", dir);
    mkdir("o2out", 0755);
    close(open("o2out/secret", O_CREAT | O_WRONLY, 0644));
    mkdir("o2base", 0755);
    mkdir("o2base/sub", 0755);
    close(open("o2base/sub/f", O_CREAT | O_WRONLY, 0644));
    unlink("o2base/esc");
    unlink("o2base/ok");
    check(symlink("../o2out", "o2base/esc") == 0 &&
              symlink("sub", "o2base/ok") == 0,
          "%s: links", dir);
    snprintf(b, sizeof(b), "%s/o2base", dir);
    d = open(b, O_RDONLY | O_DIRECTORY);
    check(d >= 0, "%s: open base", dir);
    for (int cwd = 0; cwd < 2; cwd++) {
        int dfd = cwd ? AT_FDCWD : d;

        if (cwd)
            check(chdir(b) == 0, "%s: chdir base", dir);
        check(o2(dfd, "esc/secret", RESOLVE_BENEATH) == -EXDEV,
              "%s [%s]: BENEATH, a link out: EXDEV", dir, cwd ? "cwd" : "fd");
        check(o2(dfd, "../o2out/secret", RESOLVE_BENEATH) == -EXDEV,
              "%s [%s]: BENEATH, ..: EXDEV", dir, cwd ? "cwd" : "fd");
        check(o2(dfd, "ok/f", RESOLVE_BENEATH) == 0,
              "%s [%s]: BENEATH, a link inside", dir, cwd ? "cwd" : "fd");
        check(o2(dfd, "ok/f", RESOLVE_NO_SYMLINKS) == -ELOOP,
              "%s [%s]: NO_SYMLINKS: ELOOP", dir, cwd ? "cwd" : "fd");
        check(o2(dfd, "sub/../sub/f", RESOLVE_BENEATH) == 0,
              "%s [%s]: BENEATH, sub/..", dir, cwd ? "cwd" : "fd");
    }
    close(d);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        one_dir(argv[i]);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
