/* SPDX-License-Identifier: MIT */
/*
 * execveat reads its name whole before it looks at the flags
 * (getname_uflags, then do_open_execat): with unknown flags a name of
 * PATH_MAX bytes or more is ENAMETOOLONG, one that runs into an unmapped
 * page EFAULT, an empty one ENOENT (without AT_EMPTY_PATH); only a name
 * that reads whole is EINVAL. kbox's argument check read one byte and
 * said EINVAL for the first two.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest-check.h"

#define BAD_FLAGS 0x4000000 /* no AT_* flag of execveat's */

static char big[5000];

static long ex(const char *name, int flags)
{
    char *argv[] = { "x", NULL };

    return syscall(SYS_execveat, AT_FDCWD, name, argv, argv, flags);
}

int main(void)
{
    char *p;

    memset(big, 'a', sizeof(big) - 1);
    WANT(ex(big, BAD_FLAGS), ENAMETOOLONG, "a 4999-byte name, bad flags");
    big[4096] = '\0';
    WANT(ex(big, BAD_FLAGS), ENAMETOOLONG, "a 4096-byte name, bad flags");
    big[4095] = '\0';
    WANT(ex(big, BAD_FLAGS), EINVAL, "a 4095-byte name, bad flags");
    WANT(ex("", BAD_FLAGS), ENOENT, "an empty name, bad flags");
    WANT(ex("", BAD_FLAGS | AT_EMPTY_PATH), EINVAL,
         "an empty name, AT_EMPTY_PATH and bad flags");
    WANT(ex("/bin/sh", BAD_FLAGS), EINVAL, "/bin/sh, bad flags");

    /* a name whose second byte is on an unmapped page */
    p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
             -1, 0);
    check(p != MAP_FAILED, "mmap");
    if (p == MAP_FAILED)
        return 1;
    munmap(p + 4096, 4096);
    p[4095] = 'a';
    WANT(ex(p + 4095, BAD_FLAGS), EFAULT, "a name into an unmapped page");
    WANT(ex(p + 4096, BAD_FLAGS), EFAULT, "a name on an unmapped page");
    return n_fail ? 1 : 0;
}
