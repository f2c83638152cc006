/* SPDX-License-Identifier: MIT */
/*
 * A terminal set exclusive (TIOCEXCL) refuses every new open with EBUSY
 * unless the opener has CAP_SYS_ADMIN: the slave by its path, through a
 * /proc/self/fd link, as /dev/tty, by TIOCGPTPEER. kbox opens the node
 * itself, and under a root kbox a guest user got in. After TIOCNXCL all
 * of them open again. Guest root (CAP_SYS_ADMIN) gets in throughout when
 * kbox is root; a rootless kbox is refused by the host, as a user is.
 * Runs natively too.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest-check.h"

static int admin(void)
{
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct d[2];

    if (syscall(SYS_capget, &h, d))
        return 0;
    return (d[0].effective >> CAP_SYS_ADMIN) & 1;
}

/* Open @path: 0 when it opened, else errno. */
static int try_open(const char *path, int flags)
{
    int fd = open(path, flags);

    if (fd < 0)
        return errno;
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY), s, e, st = 0, want, v;
    char name[64], link[64];
    pid_t pid;

    (void)argc;
    (void)argv;
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* rootless kbox: guest root has CAP_SYS_ADMIN in lx only, the host
     * refuses kbox as it refuses a user; asked natively, the host says */
    want = admin() ? -1 : EBUSY;
    check(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0, "a pty");
    if (m < 0)
        return 1;
    snprintf(name, sizeof(name), "%s", ptsname(m));
    s = open(name, O_RDWR | O_NOCTTY);
    check(s >= 0, "the slave opens");
    check(ioctl(s, TIOCEXCL) == 0, "TIOCEXCL on the slave");
    e = -1;
    check(ioctl(s, TIOCGEXCL, &e) == 0 && e == 1, "TIOCGEXCL says 1");
    e = try_open(name, O_RDWR | O_NOCTTY);
    check(want < 0 ? e == 0 || e == EBUSY : e == want,
          "open of the slave by its path: %s", e ? strerrorname_np(e) : "ok");
    snprintf(link, sizeof(link), "/proc/self/fd/%d", s);
    e = try_open(link, O_RDWR | O_NOCTTY);
    check(want < 0 ? e == 0 || e == EBUSY : e == want,
          "open through /proc/self/fd: %s", e ? strerrorname_np(e) : "ok");
    v = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    e = v < 0 ? errno : 0;
    check(want < 0 ? e == 0 || e == EBUSY : e == want, "TIOCGPTPEER: %s",
          e ? strerrorname_np(e) : "ok");
    if (v >= 0)
        close(v);
    pid = fork();
    if (pid == 0) {
        if (setsid() < 0 || ioctl(s, TIOCSCTTY, 0))
            _exit(100);
        _exit(try_open("/dev/tty", O_RDWR));
    }
    waitpid(pid, &st, 0);
    e = WIFEXITED(st) ? WEXITSTATUS(st) : 101;
    check(e != 100, "a new session took the slave as its terminal");
    check(want < 0 ? e == 0 || e == EBUSY : e == want, "open of /dev/tty: %s",
          e ? strerrorname_np(e) : "ok");
    check(ioctl(s, TIOCNXCL) == 0, "TIOCNXCL");
    check(try_open(name, O_RDWR | O_NOCTTY) == 0, "then the path opens");
    check(try_open(link, O_RDWR | O_NOCTTY) == 0, "and the fd link");
    v = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    check(v >= 0, "and TIOCGPTPEER");
    printf("%d passed, %d failed\n", n_ok, n_fail);
    return n_fail != 0;
}
