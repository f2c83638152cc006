/* SPDX-License-Identifier: MIT */
/*
 * open and openat ignore flags O_PATH does not use, and unknown flags, as
 * Linux's build_open_how() drops them; in a bind kbox's host open is an
 * openat2, which refuses both: musl's open() adds O_LARGEFILE to every
 * open (and its lchmod O_NOCTTY), so every O_PATH open of a musl program
 * in a bind was EINVAL. openat2 itself stays strict. Raw syscalls, so the
 * glibc build makes musl's calls. Usage: open-path-flags DIR...
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest-check.h"

#define K_O_LARGEFILE 0100000 /* the kernel's; glibc's is 0 on x86_64 */

static void one_dir(const char *dir)
{
    char f[512];
    struct stat st;
    long fd;

    snprintf(f, sizeof(f), "%s/opf-file", dir);
    fd = open(f, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    check(fd >= 0 && close((int)fd) == 0, "%s: a file", dir);
    fd = syscall(SYS_open, f, O_PATH | K_O_LARGEFILE, 0);
    check(fd >= 0 && fstat((int)fd, &st) == 0 && S_ISREG(st.st_mode),
          "%s: open(O_PATH | O_LARGEFILE), as musl's open()", dir);
    if (fd >= 0)
        close((int)fd);
    fd = syscall(SYS_openat, AT_FDCWD, f,
                 O_PATH | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0);
    check(fd >= 0,
          "%s: openat(O_PATH | O_NOFOLLOW | O_NOCTTY), as musl's "
          "lchmod",
          dir);
    if (fd >= 0)
        close((int)fd);
    fd = syscall(SYS_openat, AT_FDCWD, dir,
                 O_PATH | O_DIRECTORY | O_RDWR | O_NONBLOCK | K_O_LARGEFILE, 0);
    check(fd >= 0 && fchdir((int)fd) == 0 && chdir("/") == 0,
          "%s: O_PATH | O_RDWR | O_NONBLOCK of the directory, fchdir", dir);
    if (fd >= 0)
        close((int)fd);
    fd = syscall(SYS_openat, AT_FDCWD, f, O_RDONLY | 040000000, 0);
    check(fd >= 0, "%s: an unknown open flag is ignored", dir);
    if (fd >= 0)
        close((int)fd);
    {
        struct open_how how = { .flags = O_PATH | K_O_LARGEFILE };

        errno = 0;
        fd = syscall(SYS_openat2, AT_FDCWD, f, &how, sizeof(how));
        check(fd == -1 && errno == EINVAL,
              "%s: openat2(O_PATH | O_LARGEFILE) is EINVAL", dir);
        if (fd >= 0)
            close((int)fd);
    }
    unlink(f);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        one_dir(argv[i]);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail ? 1 : 0;
}
