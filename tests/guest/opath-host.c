/* SPDX-License-Identifier: MIT */
/*
 * O_PATH opens of host objects: kbox cannot install an O_PATH file in the
 * guest and gives a stand-in (fs.c reopen_for_path). `open("/dev/null",
 * O_PATH)` gave one that read as empty and wrote (natively EBADF), and
 * an O_PATH reopen of a memfd by /proc/self/fd/N was EBADF (natively it
 * opens). Found by tests/guest/fd-fuzz. Usage: opath-host
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest-check.h"

int main(void)
{
    struct stat st;
    char b[8], p[64];
    long n;
    int fd, m;

    fd = open("/dev/null", O_PATH | O_CLOEXEC);
    check(fd >= 0, "open /dev/null O_PATH (got %d)", fd);
    errno = 0;
    n = read(fd, b, sizeof(b));
    check(n == -1 && errno == EBADF, "... read: EBADF (got %ld %s)", n,
          n < 0 ? strerrorname_np(errno) : "");
    errno = 0;
    n = write(fd, "x", 1);
    check(n == -1 && errno == EBADF, "... write: EBADF (got %ld %s)", n,
          n < 0 ? strerrorname_np(errno) : "");
    check(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode), "... fstat: a device");
    close(fd);

    m = memfd_create("opath-host", 0);
    check(m >= 0 && write(m, "four", 4) == 4, "memfd with 4 bytes");
    snprintf(p, sizeof(p), "/proc/self/fd/%d", m);
    fd = open(p, O_PATH);
    check(fd >= 0, "reopen the memfd O_PATH: opens (got %d %s)", fd,
          fd < 0 ? strerrorname_np(errno) : "");
    check(fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              st.st_size == 4,
          "... fstat: 4 bytes");
    return n_fail ? 1 : 0;
}
