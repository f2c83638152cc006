/* SPDX-License-Identifier: MIT */
/*
 * A process that makes itself undumpable (PR_SET_DUMPABLE 0, as sudo
 * does) goes on making file calls; capget with an unknown version and no
 * data pointer learns the kernel's version. Usage: undumpable DIR
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "guest-check.h"

int main(int argc, char **argv)
{
    struct __user_cap_header_struct hdr = { 0, 0 };
    char path[4096], buf[8] = "";
    struct stat st;
    int fd;

    if (argc != 2) {
        fprintf(stderr, "usage: undumpable DIR\n");
        return 2;
    }
    snprintf(path, sizeof(path), "%s/undumpable.txt", argv[1]);
    check(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0, "PR_SET_DUMPABLE 0");
    check(prctl(PR_SET_DUMPABLE, 7, 0, 0, 0) == -1 && errno == EINVAL,
          "PR_SET_DUMPABLE 7 is EINVAL");
    errno = 0;
    check(stat("/etc/os-release", &st) == 0 && st.st_size > 0, "stat after it");
    fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0644);
    check(fd >= 0 && write(fd, "written", 7) == 7, "a file is created");
    check(fd >= 0 && pread(fd, buf, 7, 0) == 7 && !strcmp(buf, "written"),
          "and read back");
    if (fd >= 0)
        close(fd);
    check(unlink(path) == 0, "and removed");
    check(syscall(SYS_capget, &hdr, NULL) == 0 &&
              hdr.version == _LINUX_CAPABILITY_VERSION_3,
          "capget(version 0, NULL) tells version %#x", hdr.version);
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
