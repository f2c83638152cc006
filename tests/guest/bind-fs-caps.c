/* SPDX-License-Identifier: MIT */
/*
 * usage: bind-fs-caps DIR (as root; DIR in a bind of a kbox run by root)
 *
 * Host calls on a bind take the guest's file capabilities along with its
 * fs ids: a guest root without CAP_CHOWN/CAP_DAC_OVERRIDE chowned and
 * read others' files there with kbox's rights, a root with another fsgid
 * made files of kbox's group, a user that kept capabilities (keepcaps)
 * lost them, and access() of a root by its effective uid only used them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static char rootf[512], userf[512], made[512];

static void caps(unsigned int m)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2] = { { m, m, 0 }, { 0, 0, 0 } };

    check(syscall(SYS_capset, &h, d) == 0, "capset %x", m);
}

static int err(long rc)
{
    return rc < 0 ? errno : 0;
}

static void as_child(void (*fn)(void))
{
    pid_t p;
    int st;

    fflush(stdout);
    p = fork();
    if (p == 0) {
        fn();
        fflush(stdout);
        _exit(n_fail ? 1 : 0);
    }
    check(waitpid(p, &st, 0) == p && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "child passed");
}

static void root_without_caps(void)
{
    caps((1u << CAP_SETUID) | (1u << CAP_SETGID));
    check(err(chown(rootf, 2000, -1)) == EPERM,
          "root without CAP_CHOWN cannot chown");
    check(err(open(userf, O_RDONLY)) == EACCES,
          "root without CAP_DAC_OVERRIDE cannot read a user's 0600 file");
}

static void root_other_group(void)
{
    check(setresgid(1000, 1000, 1000) == 0, "setresgid 1000");
    int fd = open(made, O_CREAT | O_EXCL | O_WRONLY, 0644);
    struct stat st = { 0 };

    check(fd >= 0 && fstat(fd, &st) == 0, "root with gid 1000 creates");
    check(st.st_gid == 1000, "its file's group is its fsgid (%u)",
          (unsigned)st.st_gid);
    close(fd);
}

static void user_keeping_caps(void)
{
    prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
    check(setresgid(1001, 1001, 1001) == 0 && setresuid(1001, 1001, 1001) == 0,
          "become 1001");
    caps((1u << CAP_DAC_OVERRIDE) | (1u << CAP_CHOWN) | (1u << CAP_FOWNER));
    int fd = open(rootf, O_RDONLY);
    check(fd >= 0, "a user with CAP_DAC_OVERRIDE reads root's 0600 file (%s)",
          fd < 0 ? strerror(errno) : "ok");
    if (fd >= 0)
        close(fd);
    check(chown(userf, -1, 1001) == 0,
          "a user with CAP_CHOWN gives a file its group");
    check(err(access(rootf, R_OK)) == EACCES,
          "access() of a user checks without its capabilities");
    check(syscall(SYS_faccessat2, AT_FDCWD, rootf, R_OK, AT_EACCESS) == 0,
          "AT_EACCESS uses them");
}

static void root_by_euid(void)
{
    check(setresuid(1001, 0, 0) == 0, "setresuid 1001 0 0");
    check(err(access(userf, R_OK)) == EACCES,
          "access() of a real user is the user's");
    check(syscall(SYS_faccessat2, AT_FDCWD, userf, R_OK, AT_EACCESS) == 0,
          "AT_EACCESS is root's");
}

int main(int argc, char **argv)
{
    int fd;

    if (argc != 2 || geteuid() != 0) {
        fprintf(stderr, "usage: bind-fs-caps DIR (as root)\n");
        return 2;
    }
    snprintf(rootf, sizeof(rootf), "%s/rootf", argv[1]);
    snprintf(userf, sizeof(userf), "%s/userf", argv[1]);
    snprintf(made, sizeof(made), "%s/made", argv[1]);
    unlink(rootf);
    unlink(userf);
    unlink(made);
    fd = open(rootf, O_CREAT | O_WRONLY, 0600);
    check(fd >= 0, "make rootf");
    close(fd);
    fd = open(userf, O_CREAT | O_WRONLY, 0600);
    check(fd >= 0 && fchown(fd, 2000, 2000) == 0, "make userf (2000)");
    close(fd);
    as_child(root_without_caps);
    as_child(root_other_group);
    as_child(user_keeping_caps);
    as_child(root_by_euid);
    unlink(rootf);
    unlink(userf);
    unlink(made);
    return n_fail ? 1 : 0;
}
